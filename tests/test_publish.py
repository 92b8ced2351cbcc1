"""A failed build writes nothing: whatever stage finds the problem, no artifact appears and no earlier
output is replaced (issue 11). Each test builds for real, then breaks one thing and builds again."""
from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from exporter._files import publish
from exporter.model import Artifact

MINI = Path(__file__).parent / "projects" / "mini"
EXPORTER = [sys.executable, "-m", "exporter"]


def run(*args: object, env: dict | None = None, limit_file_size: int | None = None) -> subprocess.CompletedProcess:
    def limits() -> None:  # in the child: a file-size cap stands in for a full disk (EFBIG instead of ENOSPC)
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_size, limit_file_size))

    return subprocess.run([*EXPORTER, *map(str, args)], capture_output=True, text=True, timeout=300,
                          env={**os.environ, **(env or {})}, preexec_fn=limits if limit_file_size else None)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (hidden temporary files included) with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def course(tmp_path: Path) -> Path:
    root = tmp_path / "course"
    shutil.copytree(MINI, root)
    return root


@pytest.fixture
def built(course: Path, tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    """The course built once into out/ (EPUB and SCORM: quick), and what that wrote."""
    out = tmp_path / "out"
    result = run("build", course, "--out", out, "--offline", "-f", "epub", "-f", "scorm12")
    assert result.returncode == 0, result.stderr
    return out, snapshot(out)


def edit(course: Path) -> None:
    """A change that would give different outputs, so a replaced file would show."""
    lesson = course / "02-pipeline.md"
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")


def assert_untouched(out: Path, before: dict[str, bytes], result: subprocess.CompletedProcess) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert snapshot(out) == before  # nothing replaced, nothing added, no temporary file left


def test_strict_with_a_warning_raised_while_shaping_writes_nothing(course: Path, built) -> None:
    out, before = built
    text = (course / "course.yml").read_text(encoding="utf-8")
    assert "author" not in text  # the mini course names no author: the EPUB warns while shaping
    edit(course)
    result = run("build", course, "--out", out, "--offline", "-f", "epub", "-f", "scorm12", "--strict")
    assert "names no author or organisation" in result.stderr and "nothing was written" in result.stderr
    assert_untouched(out, before, result)


def test_weasyprint_warning_under_strict_writes_nothing(course: Path, built, tmp_path: Path) -> None:
    """WeasyPrint reports while laying out; layout is shaping, so --strict stops before any file is written."""
    out, before = built
    theme = tmp_path / "theme"
    (theme / "static" / "css").mkdir(parents=True)
    (theme / "theme.yml").write_text("name: odd\nextends: default\n", encoding="utf-8")
    default_css = Path(__file__).parent.parent / "exporter" / "themes" / "default" / "static" / "css" / "pdf.css"
    (theme / "static" / "css" / "pdf.css").write_text(default_css.read_text() + "\np { fancy-property: 1; }\n")
    edit(course)
    result = run("build", course, "--out", out, "--offline", "--theme", theme, "--strict")
    assert "WeasyPrint: Ignored `fancy-property: 1`" in result.stderr
    assert_untouched(out, before, result)


def test_a_pdf_that_cannot_be_made_stops_every_format(course: Path, built) -> None:
    out, before = built
    edit(course)
    with (course / "course.yml").open("a", encoding="utf-8") as config:
        config.write("pdf:\n  pdf_variant: pdf/ua-99\n")
    result = run("build", course, "--out", out, "--offline")
    assert "pdf.pdf_variant 'pdf/ua-99' is not one WeasyPrint knows" in result.stderr
    assert_untouched(out, before, result)


def test_pandoc_failure_writes_nothing(course: Path, built) -> None:
    """pandoc is real and so is its failure: a lesson that takes it more than its (lowered) allowance of
    processor time. No cache: a cached parse would rightly never call pandoc."""
    out, before = built
    with (course / "02-pipeline.md").open("a", encoding="utf-8") as lesson:
        lesson.write("".join(f"- item {i} *x* [l](u)\n" for i in range(60_000)))
    result = run("build", course, "--out", out, "--offline", "-f", "epub", "-f", "scorm12", "--no-cache",
                 env={"EXPORTER_PANDOC_TIMEOUT": "1"})
    assert "02-pipeline.md cannot be read: pandoc did not finish reading it in time" in result.stderr
    assert_untouched(out, before, result)


def test_a_full_disk_writes_nothing_and_keeps_earlier_outputs(course: Path, built) -> None:
    out, before = built
    edit(course)
    # Big enough for pandoc's temporary files and the report, too small for the EPUB.
    result = run("build", course, "--out", out, "--offline", "-f", "epub", "-f", "scorm12", limit_file_size=12_000)
    assert "cannot write the outputs into" in result.stderr and "File too large" in result.stderr
    assert_untouched(out, before, result)


def test_an_output_folder_that_cannot_be_made_is_an_error(course: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the output folder should be")
    result = run("build", course, "--out", blocker / "out", "--offline", "-f", "epub")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "cannot write the outputs into" in result.stderr
    assert blocker.read_text() == "a file where the output folder should be"


def test_publish_replaces_every_artifact_or_none(tmp_path: Path) -> None:
    out = tmp_path / "out"
    publish(out, [Artifact("a.txt", b"old a"), Artifact("site", members=(("index.html", b"old"),))])

    unwritable = Artifact("b" * 300 + ".txt", b"a name no file system takes: fails midway, as a full disk would")
    with pytest.raises(OSError):
        publish(out, [Artifact("a.txt", b"new a"), unwritable])
    assert snapshot(out) == {"a.txt": b"old a", "site/index.html": b"old"}
    publish(out, [Artifact("a.txt", b"new a"), Artifact("site", members=(("index.html", b"new"),))])
    assert snapshot(out) == {"a.txt": b"new a", "site/index.html": b"new"}


def test_a_lesson_that_trips_a_bug_is_named_and_skip_broken_builds_the_rest(course: Path, tmp_path: Path,
                                                                          monkeypatch) -> None:
    """Fault injection: our own shaping code fails on one lesson, as a bug would."""
    import exporter.shape.screen as screen
    from exporter.diagnostics import Code, Reporter
    from exporter.errors import BuildFailed
    from exporter.pipeline import BuildOptions, build

    real = screen.fill_lesson_toc

    def buggy(root, lesson, **options):
        if lesson.source == "02-pipeline.md":
            raise KeyError("a bug")
        real(root, lesson, **options)

    monkeypatch.setattr(screen, "fill_lesson_toc", buggy)
    out = tmp_path / "out"
    reporter = Reporter()
    with pytest.raises(BuildFailed):
        build(BuildOptions(source=course, out=out, formats=("epub",), offline=True), reporter)
    failed = [d for d in reporter.diagnostics if d.code == Code.LESSON_FAILED]
    assert [(d.pos.path, d.pos.line) for d in failed] == [("02-pipeline.md", 1)]
    assert "KeyError: 'a bug'" in failed[0].message and "please report it" in failed[0].message
    assert not out.exists()

    reporter = Reporter()
    written = build(BuildOptions(source=course, out=out, formats=("epub",), offline=True, skip_broken=True),
                    reporter)
    assert [d.code for d in reporter.diagnostics if d.pos and d.pos.path == "02-pipeline.md"] == [
        Code.LESSON_FAILED, Code.LESSON_SKIPPED]
    with zipfile.ZipFile(next(p for p in written if p.suffix == ".epub")) as epub:
        chapters = [n for n in epub.namelist() if n.startswith("EPUB/l-")]
    assert chapters == ["EPUB/l-01-welcome.xhtml"]


def test_a_rebuild_spools_inside_the_output_folder_and_leaves_nothing_behind(course: Path, tmp_path: Path,
                                                                           monkeypatch) -> None:
    """A rebuild writes its zips into a spool folder inside the output folder (publishing then renames them
    into place: spool.py), and the folder goes once they are published."""
    import tempfile

    from exporter.diagnostics import Reporter
    from exporter.pipeline import BuildOptions, build

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    out = tmp_path / "out"
    options = BuildOptions(source=course, out=out, formats=("epub", "scorm12"), offline=True, cache=False)
    build(options, Reporter())
    first = snapshot(out)
    made, mkdtemp = [], tempfile.mkdtemp

    def recorded(*args, **kwargs):
        made.append(Path(mkdtemp(*args, **kwargs)))
        return str(made[-1])

    monkeypatch.setattr(tempfile, "mkdtemp", recorded)
    build(options, Reporter())
    assert [path.parent for path in made if path.name.startswith(".exporter-spool-")] == [out]
    assert snapshot(out) == first  # the same bytes, and no hidden file or folder left
