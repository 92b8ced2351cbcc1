"""How long a catalog takes on Dask: cold with 1 and with N local workers, then warm, and the per-job costs a
projection to a bigger catalog and cluster is made from.

    .venv/bin/python benchmarks/bench_catalog.py [--courses 20] [--lessons 20] [--workers 1 2] [--repeat 3]
                                                 [--long-lessons 100] [--big-lessons 40]
    make bench-catalog

Each cold run has an empty build cache of its own (EXPORTER_CACHE in a temporary folder); the worker counts
alternate (1 2, 2 1, 1 2: a change of the machine's load weighs on both) and the medians are compared; each
run's CPU seconds (this process and the workers it reaped) and load average are printed beside its wall
time. The warm reruns reuse the last cold run's cache and output folder. `--long-lessons` times one long
course's PDF alone with 1 and 2 workers: its parts are tasks on every worker. The courses are synthetic (written by this script,
seeded: the same every time): HackMD lessons with front matter, `Week N` tags, callouts, lists, a table, a
code block and a local figure. `--big-lessons` also times one course of that many lessons alone, for the
per-job costs of the projection (docs/catalog.md).
"""
from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Timed:
    wall: float
    cpu: float
    """CPU seconds of this process and of every process it started and reaped (the LocalCluster's workers,
    their pandoc): on a shared machine wall time swings with the others' load, CPU time much less."""
    load: tuple[float, float]
    """The machine's 1-minute load average before and after."""
    outcomes: list


def timed_run(catalog: Path, out: Path, cache: Path, workers: int, formats: tuple[str, ...] = ()) -> Timed:
    os.environ["EXPORTER_CACHE"] = str(cache)
    settings = RunSettings(out, pipeline.BuildOptions(source=catalog, offline=True), workers=workers)
    load = os.getloadavg()[0]
    cpu = _cpu_seconds()
    started = time.perf_counter()
    outcomes = run_catalog(load_catalog(catalog, formats), settings, Progress())
    wall = time.perf_counter() - started
    failed = [o.source for o in outcomes if o.failed]
    if failed:
        raise SystemExit(f"courses failed: {failed}")
    return Timed(wall, _cpu_seconds() - cpu, (load, os.getloadavg()[0]), outcomes)


def _cpu_seconds() -> float:
    own, reaped = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + reaped.ru_utime + reaped.ru_stime


def job_costs(outcomes: list) -> dict[str, float]:
    """Median seconds of each kind of job (format) across courses."""
    costs = defaultdict(list)
    for outcome in outcomes:
        costs["read"].append(outcome.read_seconds)
        for fmt, _, seconds in outcome.jobs:
            costs[fmt].append(seconds)
    return {fmt: statistics.median(values) for fmt, values in costs.items()}


def alternated(catalog: Path, scratch: Path, workers: list[int], repeat: int, label: str,
               formats: tuple[str, ...] = ()) -> dict[int, list[Timed]]:
    """Cold runs, each on an empty cache, the worker counts alternating (1 2, 2 1, 1 2...) so that a change
    of the machine's load weighs on each about equally; the last run's cache and output are kept."""
    runs: dict[int, list[Timed]] = defaultdict(list)
    for round_ in range(repeat):
        for count in _order(workers, round_):
            for leftover in ("cache", "out"):
                shutil.rmtree(scratch / leftover, ignore_errors=True)
            timed = timed_run(catalog, scratch / "out", scratch / "cache", count, formats)
            runs[count].append(timed)
            print(f"{label}, cold, {count} worker(s), round {round_ + 1}: {timed.wall:.1f} s wall, {timed.cpu:.1f} "
                  f"CPU s, load {timed.load[0]:.1f} -> {timed.load[1]:.1f}; median per job: "
                  + ", ".join(f"{k} {v:.2f} s" for k, v in job_costs(timed.outcomes).items()), flush=True)
    return runs


def _order(workers: list[int], round_: int) -> list[int]:
    return workers if round_ % 2 == 0 else workers[::-1]


def summary(label: str, runs: dict[int, list[Timed]]) -> None:
    """Medians per worker count, and the speed-up from the fewest workers to the most (of the medians, and
    the median of each round's own ratio)."""
    for count, timed in runs.items():
        print(f"{label}, {count} worker(s), median of {len(timed)}: {statistics.median(t.wall for t in timed):.1f} s "
              f"wall, {statistics.median(t.cpu for t in timed):.1f} CPU s")
    few, many = min(runs), max(runs)
    if few != many:
        walls = {count: statistics.median(t.wall for t in timed) for count, timed in runs.items()}
        rounds = [a.wall / b.wall for a, b in zip(runs[few], runs[many])]
        print(f"{label}, speed-up {few} -> {many} worker(s): {walls[few] / walls[many]:.2f}x of the medians, "
              f"{statistics.median(rounds):.2f}x median of the rounds ({', '.join(f'{r:.2f}' for r in rounds)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--courses", type=int, default=20)
    parser.add_argument("--lessons", type=int, default=20)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeat", type=int, default=3, help="cold runs per worker count (alternated)")
    parser.add_argument("--long-lessons", type=int, default=100, help="one course of this many lessons, PDF "
                        "only: its parts as tasks (0: skip)")
    parser.add_argument("--big-lessons", type=int, default=40, help="per-job costs for the projection (0: skip)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-catalog-") as scratch:
        root = Path(scratch)
        catalog = write_catalog(root / "catalog", args.courses, args.lessons)
        label = f"catalog {args.courses}x{args.lessons}"
        print(f"{label}: every default format, {os.cpu_count()} cores")
        runs = alternated(catalog, root / "runs", args.workers, args.repeat, label)
        summary(label, runs)
        kept = _order(args.workers, args.repeat - 1)[-1]  # the worker count of the last cold run
        warm = [timed_run(catalog, root / "runs" / "out", root / "runs" / "cache", kept) for _ in range(args.repeat)]
        cached = sum(status == "cached" for o in warm[-1].outcomes for _, status, _ in o.jobs)
        jobs = sum(len(o.jobs) for o in warm[-1].outcomes)
        print(f"{label}, warm, {kept} worker(s), median of {len(warm)}: {statistics.median(t.wall for t in warm):.1f} s wall, "
              f"{cached}/{jobs} jobs cached, {sum(o.published == 'unchanged' for o in warm[-1].outcomes)}/"
              f"{len(warm[-1].outcomes)} courses unchanged")
        if args.long_lessons:
            long = write_catalog(root / "long", 1, args.long_lessons)
            label = f"one course of {args.long_lessons} lessons, pdf"
            summary(label, alternated(long, root / "long-runs", args.workers, args.repeat, label, ("pdf",)))
        if args.big_lessons:
            projection(root, args.big_lessons)


def projection(root: Path, lessons: int) -> None:
    big = write_catalog(root / "big", 1, lessons)
    timed = timed_run(big, root / "big-out", root / "big-cache", 1)
    costs = job_costs(timed.outcomes)
    print(f"one course of {lessons} lessons, 1 worker: {timed.wall:.1f} s wall; per job: "
          + ", ".join(f"{k} {v:.2f} s" for k, v in costs.items()) + f"; sum {sum(costs.values()):.1f} s")
    for workers in (1, 8, 64):
        print(f"projection, {PROJECTED_COURSES} courses x {lessons} lessons, {workers} worker(s): "
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
