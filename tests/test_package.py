"""The package as a whole: every module imports alone (no import cycle hides behind import order), and a
wheel built from the repository, installed outside it, builds every format (themes and SCORM schemas are
package data), starts a course and judges what it built."""
from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import CONTENT, ROOT

PACKAGE = ROOT / "exporter"


def all_modules() -> list[str]:
    modules = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if "themes" in parts or parts[-1] == "__main__":
            continue
        modules.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return modules


def test_every_module_imports_alone_in_a_fresh_interpreter() -> None:
    modules = all_modules()
    assert len(modules) > 30 and "exporter.ast" in modules and "exporter.sanitize" in modules
    # All at once, each in its own interpreter: a cycle shows as ImportError in the one that starts it.
    running = {name: subprocess.Popen([sys.executable, "-c", f"import {name}"], stderr=subprocess.PIPE, text=True)
               for name in modules}
    failures = {}
    for name, process in running.items():
        _, err = process.communicate(timeout=120)
        if process.returncode:
            failures[name] = err.strip().splitlines()[-1]
    assert failures == {}


def test_version_is_the_package_version() -> None:
    from importlib.metadata import version

    from exporter import __version__

    result = subprocess.run([sys.executable, "-m", "exporter", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.strip() == f"exporter {__version__}" == f"exporter {version('exporter')}"


def source_copy(target: Path) -> Path:
    """The repository as a fresh checkout has it, plus the package data scripts/setup.sh copies in: a wheel
    built in place would pick up setuptools' stale build/lib (files since renamed or deleted)."""
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    generated = [p.relative_to(ROOT) for folder in ("exporter/exporters/scorm/xsd", "exporter/lms")
                 for p in (ROOT / folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    for relative in {Path(name) for name in tracked.decode().split("\0") if name} | set(generated):
        if (ROOT / relative).is_file():
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / relative, target / relative)
    return target


def package_files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in (root / "exporter").rglob("*")
            if p.is_file() and p.suffix not in (".py", ".pyc")}


@pytest.mark.slow
def test_a_wheel_installed_outside_the_repository_builds_every_format(tmp_path: Path) -> None:
    dist, venv, work = tmp_path / "dist", tmp_path / "venv", tmp_path / "elsewhere"
    source = source_copy(tmp_path / "source")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", dist, source], check=True,
                   capture_output=True)
    wheel = next(dist.glob("exporter-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    # Every data file of the package reaches the wheel: themes, the starter course, schemas, the LMS page.
    assert package_files(source) - names == set()
    assert {"exporter/themes/default/templates/pdf/shell.html", "exporter/skeleton/01-welcome.md",
            "exporter/exporters/scorm/xsd/scorm20044thedition/imscp_v1p1.xsd",
            "exporter/exporters/xapi/xsd/cmi5-course-structure.xsd", "exporter/lms/lms.html",
            "exporter/lms/scorm-again.min.js", "exporter/themes/default/static/preview/live.js"} <= names
    subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    subprocess.run([venv / "bin" / "pip", "install", "-q", wheel], check=True, capture_output=True, timeout=900)
    work.mkdir()
    course = work / "course"
    subprocess.run(["cp", "-r", CONTENT, course], check=True)
    result = subprocess.run([venv / "bin" / "exporter", "build", "course", "--offline", "--out", "out"], cwd=work,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    built = sorted(p.name for p in (work / "out").iterdir())
    slug = "b2b-sales-foundations"
    assert built == sorted([f"{slug}.pdf", f"{slug}.epub", f"{slug}-scorm12.zip", f"{slug}-scorm2004.zip",
                            f"{slug}-cmi5.zip", f"{slug}-xapi.zip", f"{slug}-report.txt"])
    with zipfile.ZipFile(work / "out" / f"{slug}-scorm2004.zip") as package:
        assert "imscp_v1p1.xsd" in package.namelist()
    # The author's loop from the installed package: a new course, built, then judged (EPUBCheck included).
    exporter = venv / "bin" / "exporter"
    for command in (["init", "new"], ["build", "new", "--strict", "--out", "new-out"], ["validate", "new-out"]):
        result = subprocess.run([exporter, *command], cwd=work, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, (command, result.stderr)
    assert result.stderr.splitlines()[-1] == "6 file(s): 6 valid, 0 invalid"


def test_the_setup_installed_every_tool_a_build_uses() -> None:
    """`make test` runs scripts/setup.sh first. The math and diagram tests skip when their tools are absent
    (a plain `pytest` before set-up); this one does not, so a set-up that failed to install them fails CI
    instead of passing it with those tests skipped."""
    import shutil

    from exporter.diagrams import browser
    from exporter.mathjax import find_engine

    assert browser.node_modules() is not None, "diagram libraries missing from tools/node_modules: run `make setup`"
    assert find_engine().version, "mathjax-full missing from tools/node_modules: run `make setup`"
    assert shutil.which("plantuml") and shutil.which("chromium"), "Debian packages missing: run `make setup`"
