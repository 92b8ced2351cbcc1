"""`exporter catalog` on a real Dask cluster: a `dask scheduler` and two `dask worker` processes on 127.0.0.1
(free ports, always torn down), the catalog run as an author runs it (the command, in its own process).

What is compared: every course's EPUB, SCORM zips and loss report byte for byte, and its PDF's text, outline
and page count, with `exporter build` of that course alone. A warm rerun is observed through the jobs'
own status (the table says `cached` for a job whose result came from the build cache, and `unchanged` for a
course none of whose files needed writing) and through the files themselves (same inode and mtime).
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import ROOT, invoke_cli, write_course
from test_pdf_parts import COURSE_YML, LESSONS

pytestmark = pytest.mark.slow

CATALOG = ROOT / "tests" / "projects" / "catalog"
FORMATS = ("pdf", "epub", "scorm12", "scorm2004")
DASK = Path(sys.executable).with_name("dask")
STARTUP_SECONDS = 60
RUN_SECONDS = 150


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Cluster:
    """A scheduler and workers started by this test, each its own process group, stopped at the end."""

    def __init__(self, folder: Path, workers: int = 2) -> None:
        self.folder = folder
        self.port = free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.processes: list[subprocess.Popen] = []
        self.workers: dict[str, subprocess.Popen] = {}
        self._start("scheduler", "scheduler", "--host", "127.0.0.1", "--port", str(self.port), "--no-dashboard")
        for index in range(workers):
            port = free_port()
            self.workers[f"tcp://127.0.0.1:{port}"] = self._start(
                f"worker{index}", "worker", self.address, "--host", "127.0.0.1", "--worker-port", str(port),
                "--nthreads", "1", "--no-nanny", "--no-dashboard", "--death-timeout", "30")
        from distributed import Client

        self.client = Client(self.address, timeout=STARTUP_SECONDS)
        self.client.wait_for_workers(workers, timeout=STARTUP_SECONDS)

    def _start(self, name: str, *args: str) -> subprocess.Popen:
        log = open(self.folder / f"{name}.log", "wb")
        process = subprocess.Popen([str(DASK), *args], cwd=self.folder, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        self.processes.append(process)
        return process

    def stop(self) -> None:
        if hasattr(self, "client"):
            self.client.close()
        for process in reversed(self.processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=3)  # nothing of theirs needs saving: a slow goodbye is only lost time
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    running = Cluster(tmp_path_factory.mktemp("dask"))
    try:
        yield running
    finally:
        running.stop()


def catalog_copy(tmp_path: Path) -> Path:
    """The six-course catalog (two courses in French, one for Moodle), copied so outputs land in tmp."""
    shutil.copytree(CATALOG, tmp_path / "catalog")
    return tmp_path / "catalog"


def start_catalog(catalog: Path, scheduler: str, cache: Path, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "EXPORTER_CACHE": str(cache)}
    return subprocess.Popen([sys.executable, "-m", "exporter", "catalog", str(catalog / "CATALOG.yml"),
                             "--scheduler", scheduler, "--offline", *extra], cwd=catalog, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def finish(process: subprocess.Popen) -> tuple[int, str, str]:
    try:
        out, err = process.communicate(timeout=RUN_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, err = process.communicate()
        pytest.fail(f"the catalog did not finish in {RUN_SECONDS} s:\n{out}\n{err}")
    return process.returncode, out, err


def run_catalog(catalog: Path, scheduler: str, cache: Path, *extra: str) -> tuple[int, str, str]:
    return finish(start_catalog(catalog, scheduler, cache, *extra))


def statuses(table: str) -> dict[str, list[str]]:
    """course folder name -> the status of each of its rows in the final table."""
    found: dict[str, list[str]] = {}
    course = None
    for line in table.splitlines():
        cells = [cell.strip() for cell in re.split(r"[│┃|]", line)[1:-1]]
        if len(cells) != 5 or cells[1] in ("", "format"):
            continue
        course = Path(cells[0]).name if cells[0] else course
        found.setdefault(course, []).append(cells[2])
    return found


def pdf_facts(path: Path) -> tuple[int, list[str], list[str]]:
    reader = PdfReader(path)
    outline = [item.title for item in _flatten(reader.outline)]
    return len(reader.pages), [page.extract_text() for page in reader.pages], outline


def _flatten(items) -> list:
    flat = []
    for item in items:
        flat += _flatten(item) if isinstance(item, list) else [item]
    return flat


def stats(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_ino, p.stat().st_mtime_ns) for p in folder.rglob("*")}


def test_six_courses_match_their_own_builds_and_a_rerun_rebuilds_nothing(cluster, tmp_path):
    catalog = catalog_copy(tmp_path)
    code, out, err = run_catalog(catalog, cluster.address, tmp_path / "cache")
    assert code == 0, out + err
    courses = sorted(p.name for p in (catalog / "courses").iterdir())
    assert len(courses) == 6 and statuses(out) == {name: ["built"] * len(FORMATS) for name in courses}, out

    for name in courses:
        alone = tmp_path / "alone" / name
        lms = ("--lms", "moodle") if name == "ventes-fr" else ()  # the catalog's override for that course
        result = invoke_cli("build", catalog / "courses" / name, "--out", alone, "--offline",
                            *[arg for fmt in FORMATS for arg in ("-f", fmt)], *lms)
        assert result.exit_code == 0, result.output
        built = catalog / "build" / name
        assert sorted(p.name for p in built.iterdir()) == sorted(p.name for p in alone.iterdir())
        for reference in alone.iterdir():
            if reference.suffix == ".pdf":
                assert pdf_facts(built / reference.name) == pdf_facts(reference), reference.name
            else:
                assert (built / reference.name).read_bytes() == reference.read_bytes(), reference.name
    assert _epub_language(catalog / "build" / "ventes-fr" / "ventes-fr.epub") == "fr"

    before = stats(catalog / "build")
    code, out, err = run_catalog(catalog, cluster.address, tmp_path / "cache")
    assert code == 0, out + err
    assert statuses(out) == {name: ["cached"] * len(FORMATS) for name in courses}, out
    assert out.count(": unchanged") == 6 and "written" not in out, out
    assert stats(catalog / "build") == before


def _epub_language(path: Path) -> str:
    opf = next(name for name in zipfile.ZipFile(path).namelist() if name.endswith(".opf"))
    found = re.search(r"<dc:language>([^<]+)</dc:language>", zipfile.ZipFile(path).read(opf).decode())
    return found.group(1) if found else ""


PART_TASK = "lay_out_part_as_data-"
"""The key prefix of a part laid out as a task of its own (exporter/catalog/parts.py)."""


def test_one_pdf_is_laid_out_by_every_worker_and_an_edit_lays_out_one_part_again(cluster, tmp_path):
    """One course, one PDF: its parts run on both workers, not only on the one that runs the PDF job; the
    merged book reads as `exporter build`'s. After one lesson changes, the other parts come from the cache."""
    from distributed import get_task_stream

    catalog = tmp_path / "catalog"
    course = write_course(catalog / "courses" / "parts", COURSE_YML, LESSONS)
    (catalog / "CATALOG.yml").write_text("out: build\ncourses: [courses/*]\n", encoding="utf-8")
    with get_task_stream(cluster.client) as stream:
        code, out, err = run_catalog(catalog, cluster.address, tmp_path / "cache", "-f", "pdf")
    assert code == 0 and statuses(out) == {"parts": ["built"]}, out + err
    parts = [task for task in stream.data if str(task["key"]).startswith(PART_TASK)]
    assert len(parts) >= 4 and {task["worker"] for task in parts} == set(cluster.workers), parts
    assert pdf_facts(catalog / "build" / "parts" / "parts.pdf") == _alone_pdf(course, tmp_path / "alone")

    lesson = course / "04-close.md"
    lesson.write_text(lesson.read_text("utf-8") + "\nOne more sentence about closing the call.\n", "utf-8")
    with get_task_stream(cluster.client) as stream:
        code, out, err = run_catalog(catalog, cluster.address, tmp_path / "cache", "-f", "pdf")
    assert code == 0 and statuses(out) == {"parts": ["built"]}, out + err
    assert len([task for task in stream.data if str(task["key"]).startswith(PART_TASK)]) == 1, stream.data
    assert pdf_facts(catalog / "build" / "parts" / "parts.pdf") == _alone_pdf(course, tmp_path / "edited")


def test_a_worker_killed_while_it_lays_out_a_part_has_the_part_laid_out_elsewhere(tmp_path):
    """The parts are Dask tasks like the jobs: a part whose worker dies is laid out again by another, and the
    PDF job (on the surviving worker) merges a book that reads as `exporter build`'s."""
    own = Cluster(tmp_path)
    try:
        catalog = tmp_path / "catalog"
        course = write_course(catalog / "courses" / "parts", COURSE_YML, LESSONS)
        (catalog / "CATALOG.yml").write_text("out: build\ncourses: [courses/*]\n", encoding="utf-8")
        running = start_catalog(catalog, own.address, tmp_path / "cache", "-f", "pdf")
        victim = _worker_in(own, PART_TASK, besides="pdf-")
        own.workers[victim].kill()
        own.workers[victim].wait(timeout=10)
        code, out, err = finish(running)
    finally:
        own.stop()
    assert code == 0 and statuses(out) == {"parts": ["built"]}, out + err
    assert sorted(p.name for p in (catalog / "build" / "parts").iterdir()) == ["parts-report.txt", "parts.pdf"]
    assert pdf_facts(catalog / "build" / "parts" / "parts.pdf") == _alone_pdf(course, tmp_path / "alone")


def _alone_pdf(course: Path, out: Path) -> tuple[int, list[str], list[str]]:
    result = invoke_cli("build", course, "--out", out, "--offline", "-f", "pdf")
    assert result.exit_code == 0, result.output
    return pdf_facts(out / "parts.pdf")


def test_a_broken_course_fails_alone_with_its_diagnostics(cluster, tmp_path):
    catalog = tmp_path / "catalog"
    shutil.copytree(CATALOG / "courses" / "demos", catalog / "courses" / "demos")
    broken = shutil.copytree(CATALOG / "courses" / "discovery", catalog / "courses" / "broken")
    (broken / "03-bad.md").write_text("---\ntitle: [unclosed\n---\n\n# Bad\n", encoding="utf-8")
    course_yml = broken / "course.yml"
    course_yml.write_text(course_yml.read_text("utf-8").replace("02-lesson.md]", "02-lesson.md, 03-bad.md]")
                          .replace("slug: discovery", "slug: broken"), encoding="utf-8")
    (catalog / "CATALOG.yml").write_text("out: build\ncourses: [courses/*]\n", encoding="utf-8")

    code, out, err = run_catalog(catalog, cluster.address, tmp_path / "cache", "-f", "pdf", "-f", "epub")
    assert code == 1, out + err
    assert "courses/broken/03-bad.md:2: error: front matter is not valid YAML" in err, err
    assert re.search(r"error: courses/broken: build stopped: 1 error\(s\)", err), err
    assert statuses(out) == {"broken": ["failed", "failed"], "demos": ["built", "built"]}, out
    assert not (catalog / "build" / "broken").exists()
    assert sorted(p.name for p in (catalog / "build" / "demos").iterdir()) == [
        "demos-report.txt", "demos.epub", "demos.pdf"]


def test_a_worker_killed_mid_job_has_its_jobs_rerun_and_nothing_is_half_written(tmp_path):
    own = Cluster(tmp_path)
    try:
        catalog = catalog_copy(tmp_path)
        running = start_catalog(catalog, own.address, tmp_path / "cache", "-f", "pdf", "-f", "epub")
        victim = _worker_in_a_format_job(own)
        own.workers[victim].kill()
        own.workers[victim].wait(timeout=10)
        code, out, err = finish(running)
    finally:
        own.stop()
    assert code == 0, out + err
    courses = sorted(p.name for p in (catalog / "courses").iterdir())
    assert statuses(out) == {name: ["built", "built"] for name in courses}, out
    for name in courses:
        folder = catalog / "build" / name
        assert sorted(p.name for p in folder.iterdir()) == sorted(
            [f"{name}.pdf", f"{name}.epub", f"{name}-report.txt"]), "a half-written or leftover file"
        assert len(PdfReader(folder / f"{name}.pdf").pages) > 0
        assert zipfile.ZipFile(folder / f"{name}.epub").testzip() is None


def _worker_in_a_format_job(cluster: Cluster) -> str:
    """The address of a worker while it runs a PDF or EPUB job of the catalog."""
    return _worker_in(cluster, ("pdf-", "epub-"))


def _worker_in(cluster: Cluster, keys: str | tuple[str, ...], besides: str | None = None) -> str:
    """The address of a worker while it runs a task whose key starts with `keys` (and none that starts with
    `besides`)."""
    deadline = time.monotonic() + RUN_SECONDS
    while time.monotonic() < deadline:
        for address, running in cluster.client.processing().items():
            names = [str(key) for key in running]
            if (any(name.startswith(keys) for name in names) and address in cluster.workers
                    and not (besides and any(name.startswith(besides) for name in names))):
                return address
        time.sleep(0.05)
    pytest.fail(f"no worker ever ran a task {keys}")


def test_without_a_scheduler_a_local_cluster_builds_the_catalog(tmp_path):
    """The default: a LocalCluster of worker processes (nanny-started, as `dask worker` starts them by default)
    started and stopped by the command; its PDF's parts are tasks on those workers, and it reads as build's."""
    catalog = tmp_path / "catalog"
    course = shutil.copytree(CATALOG / "courses" / "decouverte-fr", catalog / "courses" / "decouverte-fr")
    (catalog / "CATALOG.yml").write_text("courses: [courses/*]\n", encoding="utf-8")
    env = {**os.environ, "EXPORTER_CACHE": str(tmp_path / "cache")}
    process = subprocess.Popen([sys.executable, "-m", "exporter", "catalog", str(catalog / "CATALOG.yml"),
                                "--workers", "2", "--offline", "-f", "pdf", "-f", "epub", "--out",
                                str(tmp_path / "dist")],
                               cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    code, out, err = finish(process)
    assert code == 0, out + err
    assert statuses(out) == {"decouverte-fr": ["built", "built"]}, out
    built = tmp_path / "dist" / "decouverte-fr"
    assert sorted(p.name for p in built.iterdir()) == [
        "decouverte-fr-report.txt", "decouverte-fr.epub", "decouverte-fr.pdf"]
    result = invoke_cli("build", course, "--out", tmp_path / "alone", "--offline", "-f", "pdf", "-f", "epub")
    assert result.exit_code == 0, result.output
    assert pdf_facts(built / "decouverte-fr.pdf") == pdf_facts(tmp_path / "alone" / "decouverte-fr.pdf")
    assert (built / "decouverte-fr.epub").read_bytes() == (tmp_path / "alone" / "decouverte-fr.epub").read_bytes()
