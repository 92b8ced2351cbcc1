"""Where a build's time goes, stage by stage, on the sample course and (if present) the acceptance corpus.

    .venv/bin/python benchmarks/bench_build.py [COURSE ...] [--repeat N]

Prints one row per stage and format in seconds (best of N runs), so that the cost of our own code
can be compared with the floor set by pandoc and WeasyPrint.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from exporter import pandoc, pipeline
from exporter._files import write_zip
from exporter.diagnostics import Reporter
from exporter.exporters import DEFAULT_FORMATS, exporters
from exporter.load import discover_lessons, load_lessons
from exporter.config import load_config
from exporter.normalize import normalize
from exporter.normalize.hackmd import rewrite
from exporter.render import render_lessons
from exporter.theme import load_theme

ROOT = Path(__file__).resolve().parent.parent


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
    paths = discover_lessons(course_dir, config, reporter)
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
    rows.append(("render_lessons (pandoc write, one call + sanitize)", t))
    theme = load_theme()
    available = exporters()
    with tempfile.TemporaryDirectory() as out:
        for name in [f for f in (*DEFAULT_FORMATS, "html") if f in available]:
            exporter = available[name]()
            t, book = timed(lambda: exporter.render(course, lessons, manifest, theme, Reporter()), repeat)
            rows.append((f"{name}: render", t))
            t, _ = timed(lambda: exporter.export(book, Path(out), Reporter()), repeat)
            rows.append((f"{name}: export", t))
            if name == "epub":
                rows.extend(_zip_media_rows(Path(out) / f"{course.config.slug}.epub", repeat))
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("courses", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    courses = args.courses or [ROOT / "content"]
    acceptance = ROOT.parent / "shared" / "acceptance" / "course"
    if not args.courses and acceptance.is_dir():
        courses.append(acceptance)
    for course in courses:
        size = sum(p.stat().st_size for p in course.rglob("*") if p.is_file())
        print(f"\n{course} ({size / 1024:.0f} KiB of sources), best of {args.repeat}")
        for label, seconds in bench(course, args.repeat):
            print(f"  {label:<52} {seconds:8.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
