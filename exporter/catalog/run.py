"""The client side of a catalog run: a Dask cluster (a LocalCluster of worker processes on this machine, or
the scheduler at an address), the jobs of every course submitted as one graph, their ends collected.

Dask does the distributed part: it places each job on a free worker, moves a job's result to the worker
that needs it (format results to their course's publish job, never through this process), and runs again
elsewhere the jobs of a worker that died (up to `distributed.scheduler.allowed-failures` times, then the
job fails with KilledWorker and so does its course, alone).
"""
from __future__ import annotations

import contextlib
import logging
import os
import uuid
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterator

from exporter import pipeline
from exporter.cache import code_fingerprint, open_cache
from exporter.catalog.jobs import CourseJob, CourseOutcome, client_environment, format_job, publish_job, read_job
from exporter.catalog.spec import Catalog, CatalogCourse
from exporter.errors import ExporterError

RETRIES = 1
"""Extra runs of a job that raised (not a broken course: those return their diagnostics). A job whose
worker died is run again by the scheduler whatever this says."""
CONNECT_SECONDS = 30
PRIORITY = {"read": 20, "pdf": 10}
"""Reads first (their formats wait for them), then the PDFs (the longest jobs start early, so the short
ones fill the gaps at the end instead of a PDF starting last)."""


class ClusterError(ExporterError):
    """The scheduler cannot be reached, or its workers run another exporter."""


@dataclass(frozen=True)
class RunSettings:
    out: Path
    options: pipeline.BuildOptions
    """build's options for every course (source, out and formats are per course)."""
    scheduler: str | None = None
    workers: int | None = None


@dataclass(frozen=True)
class Progress:
    """What the command line shows while jobs run."""

    started: Callable[[int, str | None], None] = lambda total, dashboard: None
    """(number of jobs, the dashboard's address or None)."""
    advanced: Callable[[str], None] = lambda key: None


def run_catalog(catalog: Catalog, settings: RunSettings, progress: Progress = Progress()) -> list[CourseOutcome]:
    """Build every course of the catalog on the cluster; one outcome per course, in catalog order."""
    jobs = [_course_job(course, settings, len(catalog.courses)) for course in catalog.courses]
    with _client(settings) as client:
        _check_workers(client)
        from distributed import as_completed

        run = uuid.uuid4().hex[:8]
        futures = {job.source: _submit(client, job, run) for job in jobs}
        every = [future for course in futures.values() for future in course]
        progress.started(len(every), _dashboard(client))
        try:
            for future in as_completed(every):
                progress.advanced(future.key)
        except KeyboardInterrupt:
            client.cancel(every)
            raise
        outcomes = [_outcome(job, futures[job.source]) for job in jobs]
    open_cache(settings.options.cache).prune()
    return outcomes


def _course_job(course: CatalogCourse, settings: RunSettings, courses: int) -> CourseJob:
    out_dir = (settings.out / course.folder).resolve()
    overrides = {**settings.options.overrides, **{k: v for k, v in course.overrides.items() if v is not None}}
    options = replace(settings.options, overrides=overrides)
    inside = settings.out.resolve()
    excluded = (str(inside),) if course.source in inside.parents else ()
    return CourseJob(str(course.source), str(out_dir), course.formats, options, client_environment(), excluded,
                     courses)


def _submit(client, job: CourseJob, run: str) -> list:
    """The course's jobs: read, one per format (after the read), publish (after them all); publish last."""
    name = Path(job.out_dir).name
    read = client.submit(read_job, job, key=f"read-{name}-{run}", retries=RETRIES, priority=PRIORITY["read"])
    formats = [client.submit(format_job, job, fmt, read, key=f"{fmt}-{name}-{run}", retries=RETRIES,
                             priority=PRIORITY.get(fmt, 0))
               for fmt in job.formats]
    done = client.submit(publish_job, job, read, *formats, key=f"publish-{name}-{run}", retries=RETRIES,
                         priority=PRIORITY["read"])
    return [read, *formats, done]


def _outcome(job: CourseJob, futures: list) -> CourseOutcome:
    """The publish job's outcome; if a job raised (a bug, or a job that kept killing its worker), the
    course fails with what went wrong, and the others are not touched."""
    publish = futures[-1]
    if publish.status == "finished":
        return publish.result()
    failed = next((f for f in futures if f.status == "error"), publish)
    what = str(failed.key).split("-", 1)[0]  # keys are <read|format|publish>-<folder>-<run>
    exception = failed.exception() if failed.status == "error" else None
    reason = f"{type(exception).__name__}: {exception}" if exception else f"the job was {failed.status}"
    rows = tuple((fmt, "failed", 0.0) for fmt in job.formats)
    return CourseOutcome(job.source, job.out_dir, rows, errors=(f"the {what} job failed on the cluster: {reason}",))


@contextlib.contextmanager
def _client(settings: RunSettings) -> Iterator:
    """A client of the scheduler at `settings.scheduler`, else of a LocalCluster of worker processes."""
    from distributed import Client, LocalCluster

    logging.getLogger("distributed").setLevel(logging.ERROR)
    if settings.scheduler:
        try:
            client = Client(settings.scheduler, timeout=CONNECT_SECONDS)
        except (OSError, TimeoutError) as exc:
            raise ClusterError(f"cannot reach the Dask scheduler at {settings.scheduler}: {exc}") from exc
        with client:
            if settings.workers:
                client.wait_for_workers(settings.workers, timeout=CONNECT_SECONDS * 4)
            yield client
        return
    # One thread per worker process: WeasyPrint and the packaging are Python and hold the GIL.
    with LocalCluster(n_workers=settings.workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                      dashboard_address=":0" if _has_dashboard() else None, silence_logs=logging.ERROR) as cluster:
        with Client(cluster) as client:
            yield client


def _check_workers(client) -> None:
    """Workers must run this exporter (same code, so the same bytes and the same cache keys)."""
    mine = code_fingerprint()
    theirs = client.run(code_fingerprint)
    other = sorted(address for address, fingerprint in theirs.items() if fingerprint != mine)
    if other:
        raise ClusterError(f"worker {other[0]} runs another version of exporter than this machine; install the "
                           "same exporter on every worker")


def _dashboard(client) -> str | None:
    try:
        return client.dashboard_link if client.scheduler_info().get("services", {}).get("dashboard") else None
    except (KeyError, AttributeError):
        return None


def _has_dashboard() -> bool:
    """Dask's dashboard needs bokeh, which `dask[distributed]` does not bring: shown when installed."""
    try:
        import bokeh  # noqa: F401
    except ImportError:
        return False
    return True
