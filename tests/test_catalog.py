"""The catalog without a cluster: CATALOG.yml as read, and the jobs as plain functions (what a worker runs),
in this process. The cluster itself: tests/test_catalog_cluster.py."""
from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT, invoke_cli, write_course
from exporter.catalog import CatalogError, load_catalog
from exporter.catalog.jobs import CourseJob, client_environment, format_job, publish_job, read_job
from exporter.catalog.parts import share_of_cluster
from exporter.exporters import DEFAULT_FORMATS
from exporter.pipeline import BuildOptions

CATALOG = ROOT / "tests" / "projects" / "catalog"
MINI = ROOT / "tests" / "projects" / "mini"


def catalog_file(tmp_path: Path, text: str) -> Path:
    shutil.copytree(CATALOG / "courses", tmp_path / "courses")
    path = tmp_path / "CATALOG.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_glob_lists_every_course_folder_sorted_and_a_later_entry_overrides_it(tmp_path):
    path = catalog_file(tmp_path, "defaults: {formats: [pdf, epub]}\ncourses:\n  - courses/*\n  - {path: "
                                  "courses/demos, lms: canvas, language: de, out: demos-de, formats: [epub]}\n")
    catalog = load_catalog(path)
    assert [c.source.name for c in catalog.courses] == ["cold-calling", "decouverte-fr", "demos", "discovery",
                                                        "sales-basics", "ventes-fr"]
    demos = next(c for c in catalog.courses if c.source.name == "demos")
    assert (demos.folder, demos.formats, demos.lms, demos.language) == ("demos-de", ("epub",), "canvas", "de")
    others = [c for c in catalog.courses if c is not demos]
    assert {(c.formats, c.lms, c.language) for c in others} == {(("pdf", "epub"), None, None)}
    assert [c.folder for c in others] == ["cold-calling", "decouverte-fr", "discovery", "sales-basics", "ventes-fr"]


def test_formats_on_the_command_line_replace_every_courses_and_the_default_is_builds(tmp_path):
    path = catalog_file(tmp_path, "courses: [courses/demos, {path: courses/discovery, formats: [pdf]}]\nout: dist\n")
    assert {c.formats for c in load_catalog(path).courses} == {DEFAULT_FORMATS, ("pdf",)}
    assert {c.formats for c in load_catalog(path, ("scorm12",)).courses} == {("scorm12",)}
    assert load_catalog(path).out == tmp_path / "dist"


@pytest.mark.parametrize("text, problem", [
    ("courses: []\n", "'courses' must be a list"),
    ("courses: [nowhere/*]\n", "'nowhere/*' matches no folder"),
    ("courses: [{path: courses/demos, formats: [pdf, docx]}]\n", "unknown format 'docx'"),
    ("courses: [{path: courses/demos, lms: moodel}]\n", "unknown lms 'moodel'"),
    ("courses: [{path: courses/demos, language: 'fr FR'}]\n", "'language' must be a BCP 47 tag"),
    ("courses: [{path: courses/demos, colour: red}]\n", "unknown key 'colour'"),
    ("courses: [{path: courses/demos, out: ../up}]\n", "'out' must be one folder name"),
    ("courses: [courses/demos, {path: courses/discovery, out: demos}]\n", "would both be written to OUT/demos"),
    ("courses: [courses/demos\n", "CATALOG.yml:2: not valid YAML"),
    ("course: [courses/demos]\n", "unknown key 'course'"),
])
def test_a_catalog_mistake_is_named_before_any_job_starts(tmp_path, text, problem):
    path = catalog_file(tmp_path, text)
    with pytest.raises(CatalogError, match=re.escape(problem)):
        load_catalog(path)
    result = invoke_cli("catalog", path, "--out", tmp_path / "out")
    assert result.exit_code == 2 and problem in result.output, result.output
    assert not (tmp_path / "out").exists()


def course_job(source: Path, out: Path, formats: tuple[str, ...], **overrides: str) -> CourseJob:
    options = BuildOptions(source=source, offline=True, overrides=overrides)
    return CourseJob(str(source), str(out), formats, options, client_environment())


def run_course(job: CourseJob) -> tuple[list[str], object]:
    """A course's jobs in the order Dask would run them, here in this process."""
    read = read_job(job)
    formats = [format_job(job, name, read) for name in job.formats]
    return [read.status] + [result.status for result in formats], publish_job(job, read, *formats)


def test_jobs_are_served_from_the_cache_until_a_lesson_changes(tmp_path):
    source = shutil.copytree(MINI, tmp_path / "mini")
    job = course_job(source, tmp_path / "out", ("epub", "scorm12"))
    statuses, outcome = run_course(job)
    assert statuses == ["built", "built", "built"] and outcome.published == "written" and not outcome.failed
    written = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "out").iterdir()}
    assert sorted(written) == ["mini-course-report.txt", "mini-course-scorm12.zip", "mini-course.epub"]

    statuses, outcome = run_course(job)
    assert statuses == ["cached", "cached", "cached"] and outcome.published == "unchanged"
    assert {p.name: p.stat().st_mtime_ns for p in (tmp_path / "out").iterdir()} == written

    lesson = source / "02-pipeline.md"
    lesson.write_text(lesson.read_text("utf-8") + "\nOne more line.\n", "utf-8")
    statuses, outcome = run_course(job)
    assert statuses == ["built", "built", "built"] and outcome.published == "written"
    assert "One more line." in _epub_text(tmp_path / "out")


def _epub_text(out: Path) -> str:
    book = zipfile.ZipFile(next(out.glob("*.epub")))
    return "".join(book.read(name).decode() for name in book.namelist() if name.endswith(".xhtml"))


def test_a_language_override_reaches_the_outputs(tmp_path):
    job = course_job(MINI, tmp_path / "out", ("epub",), language="fr")
    statuses, outcome = run_course(job)
    assert not outcome.failed, outcome.errors
    book = zipfile.ZipFile(tmp_path / "out" / "mini-course.epub")
    opf = next(name for name in book.namelist() if name.endswith(".opf"))
    assert "<dc:language>fr</dc:language>" in book.read(opf).decode()


def test_a_publish_killed_before_its_renames_leaves_litter_the_next_publish_clears(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    leftover = out / ".mini-course.epub.k2j4x9"  # what publish stages beside its target
    leftover.write_bytes(b"half an epub")
    unrelated = out / ".keep"
    unrelated.write_text("not ours")
    statuses, outcome = run_course(course_job(MINI, out, ("epub",)))
    assert outcome.published == "written" and not leftover.exists() and unrelated.exists()


def test_a_failed_format_keeps_the_whole_course_unwritten(tmp_path):
    source = write_course(tmp_path / "course", "title: Strict\nauthor: A\n",
                          {"01-a.md": "# A\n\n<iframe src='https://example.org/x'></iframe>\n"})
    job = course_job(source, tmp_path / "out", ("epub", "scorm12"))
    job = CourseJob(job.source, job.out_dir, job.formats, BuildOptions(source=source, offline=True, strict=True),
                    job.environment)
    statuses, outcome = run_course(job)
    assert outcome.failed and statuses[0] == "failed" and outcome.published == "not written"
    assert any("--strict" in error for error in outcome.errors), outcome.errors
    assert any(d.pos and d.pos.path == "01-a.md" for d in outcome.diagnostics)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("threads, courses, share", [(2, 1, 2), (2, 2, 1), (2, 20, 1), (64, 6, 11), (64, 1500, 1)])
def test_a_book_is_cut_for_its_courses_share_of_the_cluster(threads, courses, share):
    """All the threads for a catalog of one course; one (the book cut by its size only) once courses outnumber
    them."""
    assert share_of_cluster(threads, courses) == share
