"""The parts of a PDF as Dask tasks: a course's PDF job hands its book's parts and stamps to the whole cluster.

A long PDF is laid out in parts and merged (exporter/exporters/pdf/layout.py). In a catalog, the PDF job runs
on one worker; inside it, `parts_on_the_cluster` makes the layout submit every part (and every chunk of page
stamps) as a task of its own from that worker, so one 1,800-page workbook keeps every worker busy, not one.
While the job waits for its parts it secedes from its worker's thread pool (`worker_client`): its slot lays
out parts too. Parts the build cache holds are read by the job and never submitted; the job merges at the end.
"""
from __future__ import annotations

import contextlib
from concurrent.futures import Executor
from typing import Any, Callable, Iterator

from exporter.exporters.pdf.layout import Elsewhere, laid_out_elsewhere

PART_PRIORITY = 30
"""Above every job of the catalog (reads are 20): a book's parts are laid out before other courses' jobs
start, so a PDF job that waits is soon done and few books wait in memory at once."""


class ClusterParts(Executor):
    """Submits each part from the worker, as its own task, to any worker of the cluster. Unlike Dask's own
    `Client.get_executor()`, it gives the parts their priority."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def submit(self, fn: Callable, /, *args: Any, **kwargs: Any) -> Any:
        """A distributed Future: `.result()` waits for the part (a dead worker's part is run again elsewhere)."""
        return self.client.submit(fn, *args, **kwargs, pure=False, priority=PART_PRIORITY)


@contextlib.contextmanager
def _seceded() -> Iterator[Executor]:
    """The cluster, from inside a job: this job's thread leaves the worker's pool while it waits for the parts,
    and takes a slot again once they are in (before the merge)."""
    from distributed import worker_client

    with worker_client() as client:
        yield ClusterParts(client)


@contextlib.contextmanager
def parts_on_the_cluster(courses: int) -> Iterator[None]:
    """On a Dask worker, a book's parts and stamps are laid out by the whole cluster; anywhere else (a job run
    in a plain process), by this machine's process pool as `exporter build` does."""
    from distributed import get_client, get_worker

    try:
        get_worker()
    except ValueError:  # not a task on a worker
        yield
        return
    with laid_out_elsewhere(Elsewhere(_seceded, share_of_cluster(sum(get_client().nthreads().values()), courses))):
        yield


def share_of_cluster(threads: int, courses: int) -> int:
    """The workers a course's book is cut for: all of them for a catalog of one course, one when there are
    at least as many courses as threads (the courses keep the cluster busy; a book is then cut by size only,
    MAX_PART_CHARS, so a 1,800-page workbook still spreads, and a short one pays for no part it need not)."""
    return max(1, -(-threads // max(1, courses)))
