"""exporter against the tools a user would script by hand, and where a build's time goes: `make bench`.

    .venv/bin/python benchmarks/bench_build.py [--only cold,warm,scale,big,stages] [--scratch DIR] [--jobs N]

In one run on one machine (these machines are shared and noisy: only ratios from one run mean anything),
on a synthetic course from benchmarks/course.py:
  cold    100 lessons, nothing cached: EPUB + SCORM 1.2 + SCORM 2004 against `pandoc -t epub3` of the same text;
          the PDF against `pandoc -t html5` + WeasyPrint                     goals <= 0.5x and <= 0.6x
  warm    one lesson of 100 edited after a full build: EPUB + SCORM, and PDF, against their cold builds
                                                                             goals <= 0.10x and <= 0.30x
  scale   every format, 100 then 400 lessons: time ratio, and peak memory of the whole process tree at 400
                                                                             goals <= 4.2x and <= 1 GiB
  big     one 5 MB lesson (about 1,800 printed pages): PDF time and peak memory
  stages  the 100-lesson build stage by stage and per format (in this process)
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from exporter import pandoc, pipeline
from exporter._files import write_zip
from exporter.diagnostics import Reporter
from exporter.exporters import DEFAULT_FORMATS, exporter_for
from exporter.load import discover_lessons, load_lessons
from exporter.config import load_config
from exporter.normalize import normalize
from exporter.normalize.hackmd import rewrite
from exporter.render import render_lessons
from exporter.theme import load_theme

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from course import generate, peer_book  # noqa: E402  (a script beside this one)
from measure import Run, run  # noqa: E402

EXPORTER = ROOT / ".venv" / "bin" / "exporter"
PYTHON = sys.executable
EPUB_SCORM = ("epub", "scorm12", "scorm2004")


def timed(fn, repeat: int):
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def bench(course_dir: Path, repeat: int) -> list[tuple[str, float]]:
    reporter = Reporter()
    rows = []
    config = load_config(course_dir, reporter)
    paths, _ = discover_lessons(course_dir, config, reporter)
    t, sources = timed(lambda: load_lessons(course_dir, paths, reporter), repeat)
    rows.append(("load (read, decode, front matter)", t))
    t, rewritten = timed(lambda: [rewrite(s, reporter) for s in sources], repeat)
    rows.append(("hackmd rewrite (ours)", t))
    t, _ = timed(lambda: pandoc.read_lessons([r.text for r in rewritten]), repeat)
    rows.append(("pandoc read, one call", t))
    t, course = timed(lambda: normalize(sources, config, reporter), repeat)
    rows.append(("normalize total (rewrite + pandoc + tree)", t))
    options = pipeline.BuildOptions(source=course_dir, offline=True, skip_broken=True)
    t, (course, manifest) = timed(lambda: pipeline.prepare(options, Reporter()), repeat)
    rows.append(("prepare = load + normalize + assets (offline)", t))
    t, lessons = timed(lambda: render_lessons(course), repeat)
    rows.append(("render_lessons (pandoc write, split across processes when large, + sanitize)", t))
    theme = load_theme()
    with tempfile.TemporaryDirectory() as out:
        for name in (*DEFAULT_FORMATS, "html"):
            exporter = exporter_for(name)
            t, book = timed(lambda: exporter.shape(course, lessons, manifest, theme, Reporter()), repeat)
            rows.append((f"{name}: shape" + (" (laid out)" if name == "pdf" else ""), t))
            t, artifact = timed(lambda: exporter.package(book), repeat)
            rows.append((f"{name}: package", t))
            if name == "epub":
                epub = Path(out) / artifact.name
                epub.write_bytes(artifact.data)
                rows.extend(_zip_media_rows(epub, repeat))
    return rows


def _zip_media_rows(epub_path: Path, repeat: int) -> list[tuple[str, float]]:
    """Why images are stored, not deflated: the time deflating them costs, and the bytes it saves."""
    with zipfile.ZipFile(epub_path) as archive:
        members = [(name, archive.read(name)) for name in archive.namelist()]
    rows = []
    with tempfile.TemporaryDirectory() as out:
        for label, stored in (("media stored", None), ("media deflated", ())):
            target = Path(out) / "book.epub"
            options = {} if stored is None else {"stored": stored}
            t, _ = timed(lambda: write_zip(target, members, first="mimetype", **options), repeat)
            rows.append((f"epub zip, {label} ({target.stat().st_size / 1024:.0f} KiB)", t))
    return rows


def _formats(names: tuple[str, ...]) -> list[str]:
    return [arg for name in names for arg in ("--format", name)]


def _build(course: Path, out: Path, formats: tuple[str, ...] = (), jobs: int | None = None,
           cache: Path | None = None) -> Run:
    """One `exporter build`; with `cache` (a folder of its own, as compare.sh's warm runs) it reads and
    writes the build cache there, else `--no-cache`: a cold build is cold whatever ran before."""
    command = [str(EXPORTER), "build", str(course), "--out", str(out), "--offline", *_formats(formats)]
    command += ["--jobs", str(jobs)] if jobs else []
    env = {**os.environ, "EXPORTER_CACHE": str(cache)} if cache else None
    result = run(command + ([] if cache else ["--no-cache"]), env=env)
    if result.returncode > 1:  # 1 is "built, with warnings under --strict or skipped lessons": not ours here
        raise SystemExit(f"exporter build failed ({result.returncode}): {' '.join(command)}")
    return result


def _course(scratch: Path, lessons: int, big_kb: int = 0) -> Path:
    folder = scratch / (f"big{big_kb}" if big_kb else f"course{lessons}")
    if not peer_book(folder).is_file():
        generate(folder, lessons, big_kb)
    return folder


def _line(label: str, ours: Run, peers: list[Run], goal: float, peer_label: str) -> str:
    """Wall times and their ratio against the goal; CPU times (whole process trees) and theirs beside."""
    wall, cpu = sum(p.seconds for p in peers), sum(p.cpu_seconds for p in peers)
    ratio = ours.seconds / wall
    verdict = "ok" if ratio <= goal else "over"
    return (f"  {label:<24} {ours.seconds:6.1f} s vs {peer_label} {wall:6.1f} s = {ratio:4.2f}x (goal <= {goal}: "
            f"{verdict});  CPU {ours.cpu_seconds:6.1f} s vs {cpu:6.1f} s = {ours.cpu_seconds / cpu:4.2f}x")


def cold(scratch: Path, jobs: int | None) -> list[str]:
    course = _course(scratch, 100)
    pandoc_path = _pandoc()
    book = peer_book(course)
    peer_epub = run([pandoc_path, str(book), f"--resource-path={course}", "-f", "markdown", "-t", "epub3", "--toc",
                     "--split-level=1", "-o", str(scratch / "peer.epub")])
    ours_epub = _build(course, scratch / "cold-epub", EPUB_SCORM, jobs)
    peer_html = run([pandoc_path, str(book), f"--resource-path={course}", "-f", "markdown", "-t", "html5", "-s",
                     "--toc", "-o", str(scratch / "peer.html")])
    peer_print = run([PYTHON, "-c", f"import weasyprint; weasyprint.HTML({str(scratch / 'peer.html')!r}, "
                      f"base_url={str(course) + '/'!r}).write_pdf({str(scratch / 'peer.pdf')!r})"])
    ours_pdf = _build(course, scratch / "cold-pdf", ("pdf",), jobs)
    return ["cold, 100 lessons, nothing cached:",
            _line("EPUB + SCORM 1.2 + 2004", ours_epub, [peer_epub], 0.5, "pandoc epub3"),
            _line("PDF", ours_pdf, [peer_html, peer_print], 0.6, "pandoc + WeasyPrint")]


def _pandoc() -> str:
    import pypandoc
    return pypandoc.get_pandoc_path()


def warm(scratch: Path, jobs: int | None) -> list[str]:
    course = scratch / "warm100"
    shutil.rmtree(course, ignore_errors=True)
    shutil.copytree(_course(scratch, 100), course)
    out, cache = scratch / "warm-out", scratch / "warm-cache"
    shutil.rmtree(cache, ignore_errors=True)
    # As compare.sh: the cold builds use no cache; one full build fills it; then one lesson is edited.
    cold_epub = _build(course, out, EPUB_SCORM, jobs)
    cold_pdf = _build(course, out, ("pdf",), jobs)
    _build(course, out, (), jobs, cache)
    edited = sorted(course.glob("*.md"))[50]
    with edited.open("a", encoding="utf-8") as lesson:
        lesson.write("\nOne more paragraph, written after the first build.\n")
    warm_epub = _build(course, out, EPUB_SCORM, jobs, cache)
    with edited.open("a", encoding="utf-8") as lesson:
        lesson.write("\nAnd one more.\n")
    warm_pdf = _build(course, out, ("pdf",), jobs, cache)
    return ["warm, one lesson of 100 edited after a full build:",
            _line("EPUB + SCORM", warm_epub, [cold_epub], 0.10, "its cold build"),
            _line("PDF", warm_pdf, [cold_pdf], 0.30, "its cold build")]


def scale(scratch: Path, jobs: int | None) -> list[str]:
    small = _build(_course(scratch, 100), scratch / "scale100", (), jobs)
    large = _build(_course(scratch, 400), scratch / "scale400", (), jobs)
    ratio = large.seconds / small.seconds
    verdict = "ok" if ratio <= 4.2 and large.peak_mib <= 1024 else "over"
    return ["scale, every format, nothing cached:",
            f"  100 lessons {small.seconds:.1f} s (CPU {small.cpu_seconds:.1f} s), peak {small.peak_mib} MiB; "
            f"400 lessons {large.seconds:.1f} s (CPU {large.cpu_seconds:.1f} s), peak {large.peak_mib} MiB: "
            f"{ratio:.2f}x, CPU {large.cpu_seconds / small.cpu_seconds:.2f}x  (goals <= 4.2x and <= 1024 MiB: {verdict})"]


def big(scratch: Path, jobs: int | None) -> list[str]:
    result = _build(_course(scratch, 3, big_kb=5000), scratch / "big-out", ("pdf",), jobs)
    pdf = next((scratch / "big-out").glob("*.pdf"))
    from pypdf import PdfReader
    pages = len(PdfReader(pdf).pages)
    return ["one 5 MB lesson (and 3 small ones), PDF:",
            f"  {pages} pages in {result.seconds:.1f} s (CPU {result.cpu_seconds:.1f} s), peak {result.peak_mib} MiB "
            "of the process tree"]


def stages(scratch: Path, jobs: int | None) -> list[str]:
    course = _course(scratch, 100)
    lines = [f"stages, 100 lessons ({sum(p.stat().st_size for p in course.glob('*.md')) // 1024} KiB of HackMD):"]
    lines += [f"  {label:<52} {seconds:8.2f} s" for label, seconds in bench(course, 1)]
    return lines


SECTIONS = {"cold": cold, "warm": warm, "scale": scale, "big": big, "stages": stages}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default=",".join(SECTIONS), help="comma-separated: " + ", ".join(SECTIONS))
    parser.add_argument("--scratch", type=Path, help="where courses and outputs go (default: a temporary folder)")
    parser.add_argument("--jobs", type=int, help="exporter build --jobs (default: the machine's cores)")
    args = parser.parse_args()
    scratch = args.scratch or Path(tempfile.mkdtemp(prefix="exporter-bench-"))
    scratch.mkdir(parents=True, exist_ok=True)
    print(f"machine: {os.cpu_count()} cores; exporter --jobs {args.jobs or 'default (cores)'}; scratch {scratch}")
    for name in args.only.split(","):
        started = time.perf_counter()
        for line in SECTIONS[name](scratch, args.jobs):
            print(line, flush=True)
        print(f"  ({name}: {time.perf_counter() - started:.0f} s)", flush=True)
    if not args.scratch:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
