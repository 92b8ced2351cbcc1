"""How long a catalog takes on Dask: cold with 1 and with N local workers, then warm, and the per-job costs a
projection to a bigger catalog and cluster is made from.

    .venv/bin/python benchmarks/bench_catalog.py [--courses 20] [--lessons 20] [--workers 1 2] [--big-lessons 40]

Each cold run has an empty build cache of its own (EXPORTER_CACHE in a temporary folder); the warm run
reuses the last cold run's cache and output folder. The courses are synthetic (written by this script,
seeded: the same every time): HackMD lessons with front matter, `Week N` tags, callouts, lists, a table, a
code block and a local figure. `--big-lessons` also times one course of that many lessons alone, for the
per-job costs of the projection (docs/catalog.md).
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from PIL import Image, ImageDraw

from exporter import pipeline
from exporter.catalog import Progress, RunSettings, load_catalog, run_catalog

WORDS = ("pipeline lead prospect discovery demo proposal objection closing quota cadence account buyer champion "
         "budget authority need timeline forecast territory renewal onboarding handover").split()


def write_course(folder: Path, lessons: int, seed: int) -> None:
    rng = random.Random(seed)
    (folder / "images").mkdir(parents=True, exist_ok=True)
    (folder / "course.yml").write_text(f"title: Course {seed}\nslug: course-{seed:03d}\nauthor: Bench\n", "utf-8")
    for number in range(1, lessons + 1):
        figure = folder / "images" / f"figure-{number:02d}.png"
        image = Image.new("RGB", (480, 270), (rng.randrange(256), rng.randrange(256), 200))
        ImageDraw.Draw(image).rectangle((40, 40, 440, 230), outline=(20, 20, 20), width=6)
        image.save(figure)
        (folder / f"{number:02d}-lesson.md").write_text(_lesson(rng, number, figure.name), "utf-8")


def _lesson(rng: random.Random, number: int, figure: str) -> str:
    def sentence() -> str:
        return " ".join(rng.sample(WORDS, 10)).capitalize() + "."

    def paragraph() -> str:
        return " ".join(sentence() for _ in range(4))

    out = ["---", f"title: Lesson {number}", f"tags: [Week {1 + (number - 1) // 5}]", "---", "",
           f"# Lesson {number}", "", paragraph(), ""]
    for step in range(1, 4):
        out += [f"## Step {step}", "", paragraph(), "", ":::info", sentence(), ":::", "",
                "1. " + sentence(), "2. " + sentence(), "", paragraph(), ""]
    out += [f"![A figure of lesson {number}](images/{figure})", "", "| Stage | Owner | Days |", "|---|---|---:|"]
    out += [f"| {rng.choice(WORDS)} | AE | {rng.randint(1, 30)} |" for _ in range(4)]
    out += ["", "```python", "def weighted(deals):", "    return sum(d.value * d.p for d in deals)", "```", ""]
    return "\n".join(out)


def write_catalog(root: Path, courses: int, lessons: int) -> Path:
    for index in range(courses):
        write_course(root / "courses" / f"course-{index:03d}", lessons, index)
    (root / "CATALOG.yml").write_text("courses: [courses/*]\n", "utf-8")
    return root / "CATALOG.yml"


def timed_run(catalog: Path, out: Path, cache: Path, workers: int) -> tuple[float, list]:
    os.environ["EXPORTER_CACHE"] = str(cache)
    settings = RunSettings(out, pipeline.BuildOptions(source=catalog, offline=True), workers=workers)
    started = time.perf_counter()
    outcomes = run_catalog(load_catalog(catalog), settings, Progress())
    wall = time.perf_counter() - started
    failed = [o.source for o in outcomes if o.failed]
    if failed:
        raise SystemExit(f"courses failed: {failed}")
    return wall, outcomes


def job_costs(outcomes: list) -> dict[str, float]:
    """Median seconds of each kind of job (format) across courses."""
    costs = defaultdict(list)
    for outcome in outcomes:
        costs["read"].append(outcome.read_seconds)
        for fmt, _, seconds in outcome.jobs:
            costs[fmt].append(seconds)
    return {fmt: statistics.median(values) for fmt, values in costs.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--courses", type=int, default=20)
    parser.add_argument("--lessons", type=int, default=20)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--big-lessons", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-catalog-") as scratch:
        root = Path(scratch)
        catalog = write_catalog(root / "catalog", args.courses, args.lessons)
        print(f"catalog: {args.courses} courses x {args.lessons} lessons, every default format, "
              f"{os.cpu_count()} cores")
        walls = {}
        for workers in args.workers:
            wall, outcomes = timed_run(catalog, root / f"out{workers}", root / f"cache{workers}", workers)
            walls[workers] = wall
            total = sum(o.read_seconds + sum(seconds for _, _, seconds in o.jobs) for o in outcomes)
            print(f"cold, {workers} worker(s): {wall:.1f} s wall, {total:.1f} s of jobs; median per job: "
                  + ", ".join(f"{k} {v:.2f} s" for k, v in job_costs(outcomes).items()))
        last = args.workers[-1]
        wall, outcomes = timed_run(catalog, root / f"out{last}", root / f"cache{last}", last)
        cached = sum(status == "cached" for o in outcomes for _, status, _ in o.jobs)
        jobs = sum(len(o.jobs) for o in outcomes)
        print(f"warm, {last} worker(s): {wall:.1f} s wall, {cached}/{jobs} jobs cached, "
              f"{sum(o.published == 'unchanged' for o in outcomes)}/{len(outcomes)} courses unchanged")
        if len(walls) > 1:
            first = args.workers[0]
            print(f"speed-up {first} -> {last} worker(s): {walls[first] / walls[last]:.2f}x")
        if args.big_lessons:
            big = write_catalog(root / "big", 1, args.big_lessons)
            wall, outcomes = timed_run(big, root / "big-out", root / "big-cache", 1)
            costs = job_costs(outcomes)
            print(f"one course of {args.big_lessons} lessons, 1 worker: {wall:.1f} s wall; per job: "
                  + ", ".join(f"{k} {v:.2f} s" for k, v in costs.items()) + f"; sum {sum(costs.values()):.1f} s")
            for workers in (1, 8, 64):
                print(f"projection, {PROJECTED_COURSES} courses x {args.big_lessons} lessons, {workers} worker(s): "
                      f"{projected_wall(costs, PROJECTED_COURSES, workers) / 3600:.2f} h")


PROJECTED_COURSES = 500 * 3
"""500 courses in 3 languages: each translation is a course of its own (its own folder, text and cache keys)."""


def projected_wall(costs: dict[str, float], courses: int, workers: int) -> float:
    """Cold wall time from per-job costs: the work spread evenly over the workers (thousands of jobs of a few
    seconds: the scheduler keeps every worker busy), but never less than one course's read then its longest
    format job, which run one after the other. Cluster start and the scheduler's few ms per job are left out."""
    work = courses * sum(costs.values())
    chain = costs["read"] + max(cost for name, cost in costs.items() if name != "read")
    return max(work / workers, chain)


if __name__ == "__main__":
    main()
