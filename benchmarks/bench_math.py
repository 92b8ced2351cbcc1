"""What math costs a build, and that a rebuild costs none: `.venv/bin/python benchmarks/bench_math.py [COURSE]`.

COURSE defaults to ../shared/acceptance/course. Prints the number of formulas, then:
  cold      every formula through MathJax with an empty cache: one Node run (wall, and the Node process's CPU)
  warm      the same formulas again with the cache filled and EXPORTER_NODE pointing at nothing: had a single
            formula needed Node, this would raise; the cache's hit count says how many it served
  ziamath   the same formulas through ziamath, the PDF's typesetter before MathJax (it was never cached)
"""
from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from exporter import pipeline
from exporter.cache import BuildCache
from exporter.diagnostics import Reporter
from exporter.exporters.pdf.math import typeset_math
from exporter.mathjax import Formula, typeset_formulas
from exporter.render import render_lessons

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "acceptance" / "course"


def course_formulas(source: Path) -> list[Formula]:
    """Every distinct formula MathJax typeset in the course (a throwaway cache: nothing is kept)."""
    options = pipeline.BuildOptions(source=source, offline=True, skip_broken=True)
    with tempfile.TemporaryDirectory() as scratch:
        course, _ = pipeline.prepare(options, Reporter(), BuildCache(Path(scratch)))
        lessons = render_lessons(course, Reporter(), BuildCache(Path(scratch)))
    return list(dict.fromkeys(formula for item in lessons for formula in item.math_svg))


def timed(function):
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = function()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return result, wall, (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)


def main() -> None:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    formulas = course_formulas(source)
    print(f"{source}: {len(formulas)} distinct formulas "
          f"({sum(f.display for f in formulas)} display, {sum(not f.display for f in formulas)} inline)")
    with tempfile.TemporaryDirectory() as scratch:
        cache = BuildCache(Path(scratch))
        _, wall, node_cpu = timed(lambda: typeset_formulas(formulas, cache))
        print(f"  cold     {wall:6.2f} s wall, Node process CPU {node_cpu:5.2f} s, cache misses {cache.misses}")
        os.environ["EXPORTER_NODE"] = str(Path(scratch) / "no-node-here")
        warm = BuildCache(Path(scratch))
        _, wall, node_cpu = timed(lambda: typeset_formulas(formulas, warm))
        print(f"  warm     {wall:6.3f} s wall, child CPU {node_cpu:5.2f} s, cache hits {warm.hits}, misses "
              f"{warm.misses}: no Node process (EXPORTER_NODE points at nothing)")
    _, wall, _ = timed(lambda: [typeset_math(None, f.tex, f.display) for f in formulas])
    print(f"  ziamath  {wall:6.2f} s wall (the PDF's typesetter before MathJax, on every build)")


if __name__ == "__main__":
    main()
