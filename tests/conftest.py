"""Shared fixtures: project paths, a reporter, and where the shared acceptance material lives."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings

from exporter.diagnostics import Reporter
from exporter.pipeline import BuildOptions, build

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
SHARED = ROOT.parent / "shared"
ACCEPTANCE = SHARED / "acceptance" / "course"

# Property tests: `ci` (what `make test` and CI run) is derandomized and keeps no example database, so a run
# passes or fails the same way every time; `dev` (plain pytest) explores new examples on each run; `fuzz`
# (`make fuzz`) runs long and randomized. Tests size their example counts with `examples()`.
settings.register_profile("ci", derandomize=True, database=None, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.register_profile("fuzz", deadline=None, print_blob=True)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
settings.load_profile(PROFILE)


def pytest_configure(config: pytest.Config) -> None:
    """The suite keeps its caches (images, builds) to itself, never in the user's ~/.cache."""
    if "EXPORTER_CACHE" not in os.environ:
        os.environ["EXPORTER_CACHE"] = tempfile.mkdtemp(prefix="exporter-test-cache-")
_SCALE = {"ci": 3, "dev": 1, "fuzz": 40}


def examples(base: int) -> int:
    """How many examples a property test runs under the loaded profile: `base` for a quick local run."""
    return base * _SCALE.get(PROFILE, 1)


needs_shared = pytest.mark.skipif(not ACCEPTANCE.is_dir(), reason="../shared/acceptance is not beside this "
                                  "checkout (only CI and the team's machines have it)")


def write_course(root: Path, course_yml: str, lessons: dict[str, str]) -> Path:
    """A course folder: course.yml plus the lesson files, as an author would have it."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "course.yml").write_text(course_yml, encoding="utf-8")
    for name, text in lessons.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


def build_one(source: Path, out: Path, fmt: str, suffix: str, **overrides: str) -> tuple[Path, Reporter]:
    """Build one format offline; the written file with `suffix` and the diagnostics."""
    reporter = Reporter()
    written = build(BuildOptions(source=source, out=out, formats=(fmt,), offline=True, overrides=overrides),
                    reporter)
    return next(p for p in written if p.suffix == suffix), reporter


@pytest.fixture
def reporter() -> Reporter:
    return Reporter()


def invoke_cli(*args: str | Path):
    """The command line through typer's runner, as an author types it; a traceback fails the test."""
    from typer.testing import CliRunner

    from exporter.cli import app

    result = CliRunner().invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless, driven by playwright (never a browser of its own): the real-browser tests'
    learner."""
    playwright = pytest.importorskip("playwright.sync_api")
    from browser.lms import CHROMIUM_ARGS

    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
