"""What drawing HackMD's diagrams costs a build, cold, and that a warm rebuild draws none again.

    .venv/bin/python benchmarks/bench_diagrams.py [COURSE] [--format html]

COURSE defaults to ../shared/acceptance/course (32 diagram blocks), else tests/projects/diagrams. Three builds
of one format, each in a fresh process, with wall and CPU time of the whole process tree (Chromium and Java
included):
  source   cold cache, renderers hidden (no libraries, no Chromium, no PlantUML): diagrams stay source text
  cold     cold cache, every diagram drawn: one Chromium page and one PlantUML process
  warm     the same build again on the cache `cold` left: checked in this process, by the cache's own
           counters, to recompute nothing (so no diagram is drawn, no browser or Java started)
The cost of diagrams is `cold - source`. Shared machines are noisy: compare figures of one run only.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from measure import run  # noqa: E402  (a script beside this one)

from exporter.cache import BuildCache  # noqa: E402
from exporter.diagnostics import Code, Reporter  # noqa: E402
from exporter.pipeline import BuildOptions, assemble  # noqa: E402

EXPORTER = ROOT / ".venv" / "bin" / "exporter"
ACCEPTANCE = ROOT.parent / "shared" / "acceptance" / "course"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("course", nargs="?", type=Path,
                        default=ACCEPTANCE if ACCEPTANCE.is_dir() else ROOT / "tests" / "projects" / "diagrams")
    parser.add_argument("--format", default="html")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-diagrams-") as scratch:
        scratch = Path(scratch)
        hidden = scratch / "no-tools"
        hidden.mkdir()
        rows = [("source", _build(args, scratch / "c1", scratch / "o1", EXPORTER_TOOLS=str(hidden),
                                  PATH=str(hidden))),
                ("cold", _build(args, scratch / "c2", scratch / "o2"))]
        for name, result in rows:
            print(f"{name:8} {result.seconds:6.1f} s wall {result.cpu_seconds:6.1f} s CPU  exit {result.returncode}")
        print(f"diagrams cost, cold: {rows[1][1].seconds - rows[0][1].seconds:.1f} s wall, "
              f"{rows[1][1].cpu_seconds - rows[0][1].cpu_seconds:.1f} s CPU")
        _warm(args, scratch / "c2")


def _build(args, cache: Path, out: Path, **env: str):
    command = [str(EXPORTER), "build", str(args.course), "-f", args.format, "--offline", "--out", str(out)]
    return run(command, env={**os.environ, "EXPORTER_CACHE": str(cache), **env})


def _warm(args, cache_root: Path) -> None:
    """The rebuild, in this process, on the cache the cold build filled: no step may miss."""
    os.environ["EXPORTER_CACHE"] = str(cache_root)
    cache = BuildCache(cache_root / "build")
    reporter = Reporter()
    assemble(BuildOptions(source=args.course, formats=(args.format,), offline=True), reporter, cache=cache)
    missing = [d for d in reporter.diagnostics if d.code == Code.DIAGRAM_NO_RENDERER]
    print(f"warm     cache hits {cache.hits}, misses {cache.misses} (0 misses: nothing drawn or rendered again)")
    if cache.misses or missing:
        raise SystemExit("the warm rebuild recomputed something")


if __name__ == "__main__":
    main()
