"""CPU seconds of each stage of an EPUB + SCORM build, ours and pandoc's apart, in one process.

    .venv/bin/python benchmarks/stage_cpu.py COURSE [CACHE_DIR]

Without CACHE_DIR nothing is cached (a cold build); with it, run once to fill it, edit a lesson, run
again (a warm build). CPU time, not wall time: on a shared machine it moves far less (docs/performance.md).
"""
from __future__ import annotations

import time

STARTED = time.process_time()

import resource  # noqa: E402  (the imports are part of what is measured)
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

from exporter._gc import collector_paused  # noqa: E402
from exporter.assets import resolve_assets  # noqa: E402
from exporter.cache import BuildCache  # noqa: E402
from exporter.config import load_config  # noqa: E402
from exporter.diagnostics import Reporter  # noqa: E402
from exporter.exporters import exporter_for  # noqa: E402
from exporter.load import discover_lessons, load_lessons  # noqa: E402
from exporter.normalize import normalize  # noqa: E402
from exporter.render import render_lessons  # noqa: E402
from exporter.theme import load_theme  # noqa: E402


def children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def step(label: str, work):
    own, theirs = time.process_time(), children()
    result = work()
    print(f"  {label:<24} ours {time.process_time() - own:5.2f} s   pandoc {children() - theirs:5.2f} s")
    return result


def main(source: Path, cache: BuildCache) -> None:
    print(f"  {'imports':<24} ours {time.process_time() - STARTED:5.2f} s")
    reporter = Reporter()
    config = load_config(source, reporter)
    paths, _ = discover_lessons(source, config, reporter)
    sources = step("load", lambda: load_lessons(source, paths, reporter))
    course = step("normalize", lambda: normalize(sources, config, reporter, cache))
    course, manifest = step("assets", lambda: resolve_assets(course, source, reporter, offline=True, builds=cache))
    lessons = step("render", lambda: render_lessons(course, reporter, cache))
    theme = load_theme("default")
    for name in ("epub", "scorm12", "scorm2004"):
        exporter = exporter_for(name, cache=cache)
        step(f"{name} shape + package",
             lambda: exporter.package(exporter.shape(course, lessons, manifest, theme, reporter)))
    print(f"  {'total':<24} ours {time.process_time() - STARTED:5.2f} s   pandoc {children():5.2f} s")


if __name__ == "__main__":
    with collector_paused():
        main(Path(sys.argv[1]), BuildCache(Path(sys.argv[2]) if len(sys.argv) > 2 else None))
