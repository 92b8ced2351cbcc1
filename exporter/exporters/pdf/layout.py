"""Lay out the book in parts, in parallel processes, and merge them into one PDF: `lay_out`.

The book arrives as a shell (head, styles, body) and units in reading order (cover and contents; each
lesson with its module divider and notes page; slices of a long lesson; the answer key). Consecutive units
are grouped into parts of about equal weight; each part is laid out once, by one worker; the merge joins
them and stamps what no part could know alone: "page X of Y" and the page numbers of references.
"""
from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import functools
import multiprocessing
import re
import tempfile
from concurrent.futures import Executor, ProcessPoolExecutor
from pathlib import Path
from typing import Callable, ContextManager, Iterator, NamedTuple

from exporter._files import content_of
from exporter.cache import BuildCache
from exporter.diagnostics import Code, Reporter
from exporter.errors import ExporterError
from exporter.guard import LessonFailed
from exporter.model import RenderedDoc, ShapedBook
from exporter.progress import SILENT, Progress

from exporter.exporters.pdf.merge import Placed, merge
from exporter.exporters.pdf.pdfua import BookFacts
from exporter.exporters.pdf.part import PageFacts, PartLayout, lay_out_part
from exporter.exporters.pdf.stamp import Stamp, lay_out_stamps, stamp_html

SHELL = "shell.html"
"""The book's head and body; the units go where `UNITS_MARKER` stands."""
UNITS_MARKER = "<!--exporter:units-->"
RIGHT_HAND_SUFFIX = ".lesson.html"
"""A unit that opens a lesson (with its module divider): with `right_hand`, it starts on a right page. The
front matter, a later slice of a long lesson and the answer key do not."""

MAX_PART_CHARS = 240_000
"""Largest part, in characters of HTML (a 5 KB lesson prints as about 11,000): keeps each worker's
memory bounded (WeasyPrint holds a part's whole layout) whatever the size of the course."""
PART_CSS = "@page { @bottom-center { content: none !important; } }"
"""A part prints no folio: the merge stamps the whole book's "page X of Y" in its place (stamp.py)."""
NOT_FIRST_CSS = "body { margin-top: 0 !important; padding-top: 0 !important; border-top: none !important; }"
NOT_LAST_CSS = "body { margin-bottom: 0 !important; padding-bottom: 0 !important; border-bottom: none !important; }"
"""The body's top edge is on the book's first page only, its bottom edge on the last: a part in between has
neither, or its first (or last) page would hold less than the same page of a whole-book layout."""
PARTS_PER_JOB = 3
"""More parts than workers, so that a worker that finishes early takes the next part instead of idling."""
PART_CHARS = 60_000
"""Usual size of a part when laying out in parallel (about five lessons): an edited lesson's part is laid
out again, so the smaller the parts, the faster a warm build; each part costs about 0.1 s of CPU for itself
(WeasyPrint reads the stylesheet again), against 0.35 s a lesson. Measured on the 100-lesson course: 17
parts instead of 6 cost a cold build 57.2 s of CPU instead of 55.2 s (+4 %), lower its peak memory from
752 MiB to 648 MiB, and a one-lesson edit lays out 6 lessons again instead of 17."""


class Elsewhere(NamedTuple):
    """Workers other than this machine's process pool for the parts and stamps (`laid_out_elsewhere`)."""

    open: Callable[[], ContextManager[Executor]]
    """Opens the executor (and closes it once the parts and stamps are in; the merge runs here after)."""
    workers: int
    """How many parts it lays out at once: the plan cuts the book for that many."""


_ELSEWHERE: contextvars.ContextVar[Elsewhere | None] = contextvars.ContextVar("pdf_parts_elsewhere", default=None)


@contextlib.contextmanager
def laid_out_elsewhere(elsewhere: Elsewhere) -> Iterator[None]:
    """Every book laid out inside this block has its parts and stamps laid out by `elsewhere`'s executor (a
    Dask cluster's, for `exporter catalog`) instead of a process pool of this machine. Its workers may be other
    machines: a part comes back as data (`lay_out_part_as_data`), not as a file on their disk."""
    token = _ELSEWHERE.set(elsewhere)
    try:
        yield
    finally:
        _ELSEWHERE.reset(token)


def lay_out(book: ShapedBook, reporter: Reporter, jobs: int, cache: BuildCache | None = None,
            progress: Progress = SILENT, target: Path | None = None) -> bytes | Path:
    """The PDF bytes of `book`, laid out in parts by up to `jobs` processes (or by the executor of
    `laid_out_elsewhere`) and merged; the workers' diagnostics are reported to `reporter`. A part the cache holds (same print HTML, hence the same
    content-addressed images) is not laid out again. With `target`, the PDF is saved there (and `target`
    returned) instead of built in memory."""
    cache = cache or BuildCache(None)
    elsewhere = _ELSEWHERE.get()
    jobs = elsewhere.workers if elsewhere else jobs
    shell = next(doc.content for doc in book.documents if doc.name == SHELL)
    units = [doc for doc in book.documents if doc.name != SHELL]
    groups = plan_parts(units, jobs)
    files = dict(book.resources)
    variant = book.course.config.pdf.pdf_variant
    with tempfile.TemporaryDirectory(prefix="exporter-pdf-") as scratch:
        tasks, keys = [], []
        for index, group in enumerate(groups):
            html = _part_html(shell, group, first=index == 0, last=index == len(groups) - 1)
            used = {key: data for key, data in files.items() if key in html}
            if elsewhere:  # another machine is sent the figures' bytes; a worker here reads their files
                used = {key: content_of(data) for key, data in used.items()}
            tasks.append((html, used, variant, Path(scratch, f"part-{index:04d}.pdf")))
            keys.append(cache.key("pdf-part", weasyprint_version(), variant or "", html))
        layouts, missing = _from_cache(tasks, keys, cache)
        progress.stage("laying out PDF parts", len(missing))
        work = lay_out_part_as_data if elsewhere else lay_out_part
        with (_Always(elsewhere.open()) if elsewhere else _OnDemand(jobs)) as workers:
            try:
                fresh = _map(workers.for_tasks(len(missing)), work, [tasks[index] for index in missing],
                             progress.advance)
            except _TaskFailed as failure:
                raise LessonFailed(_lesson_of(groups[missing[failure.index]], book), "laying out the PDF pages of",
                                   failure.__cause__) from failure.__cause__
            for index, layout in zip(missing, fresh):
                layout = _written(layout, tasks[index][3]) if elsewhere else layout
                cache.put(keys[index], (dataclasses.replace(layout, pdf=Path()), layout.pdf.read_bytes()))
                layouts[index] = layout
            ordered = [layouts[index] for index in range(len(tasks))]
            for layout in ordered:
                reporter.extend(layout.diagnostics)
            placed = _place(ordered, groups, book.course.config.pdf.right_hand)
            stamps = _stamps(workers, _stamp_documents(shell, placed, reporter, jobs), cache)
        return merge(placed, stamps, _facts(book), target)


def _facts(book: ShapedBook) -> BookFacts:
    config = book.course.config
    return BookFacts(config.title, config.language or "en", tuple(lesson.lang for lesson in book.course.lessons))


def _from_cache(tasks: list[tuple], keys: list[str], cache: BuildCache) -> tuple[dict[int, PartLayout], list[int]]:
    """The parts the cache holds (their PDF written where the merge reads it), and the indices of the rest."""
    layouts: dict[int, PartLayout] = {}
    for index, (task, key) in enumerate(zip(tasks, keys)):
        found = cache.get(key)
        if found is not None:
            layouts[index] = _written(found, task[3])
    return layouts, [index for index in range(len(tasks)) if index not in layouts]


def _written(stored: tuple[PartLayout, bytes], target: Path) -> PartLayout:
    """A part kept as data (in the cache, or from another machine), its PDF written where the merge reads it."""
    layout, pdf = stored
    target.write_bytes(pdf)
    return dataclasses.replace(layout, pdf=target)


def lay_out_part_as_data(html: str, files: dict[str, bytes], variant: str | None,
                         target: Path) -> tuple[PartLayout, bytes]:
    """`lay_out_part` on a worker that may be another machine: into a scratch file of its own, returned as
    (the layout without its file, the PDF bytes), as the cache keeps a part."""
    with tempfile.TemporaryDirectory(prefix="exporter-part-") as scratch:
        layout = lay_out_part(html, files, variant, Path(scratch, target.name))
        return dataclasses.replace(layout, pdf=Path()), layout.pdf.read_bytes()


@functools.lru_cache(maxsize=1)
def weasyprint_version() -> str:
    from importlib.metadata import version

    return version("weasyprint")


def _part_html(shell: str, group: list[RenderedDoc], first: bool, last: bool) -> str:
    css = PART_CSS + ("" if first else NOT_FIRST_CSS) + ("" if last else NOT_LAST_CSS)
    part_shell = shell.replace("</head>", f"<style>{css}</style>\n</head>", 1)
    return part_shell.replace(UNITS_MARKER, "\n".join(doc.content for doc in group), 1)


def plan_parts(units: list[RenderedDoc], jobs: int) -> list[list[RenderedDoc]]:
    """Consecutive units in parts of about equal weight: enough parts to keep `jobs` workers busy, and
    none heavier than MAX_PART_CHARS unless one unit alone is. Part boundaries fall at the same units
    while only the text of lessons changes (the target weight is rounded to a coarse step), so an edit
    leaves the other parts as the cache holds them."""
    total = sum(len(doc.content) for doc in units)
    wanted = -(-total // MAX_PART_CHARS)
    if jobs > 1:
        wanted = max(wanted, jobs * PARTS_PER_JOB, -(-total // PART_CHARS))
    target = _coarse(total / max(1, min(wanted, len(units))))
    groups: list[list[RenderedDoc]] = [[]]
    weight = 0
    for doc in units:
        if groups[-1] and weight + len(doc.content) / 2 > target:
            groups.append([])
            weight = 0
        groups[-1].append(doc)
        weight += len(doc.content)
    return groups


def _coarse(weight: float) -> float:
    """`weight` rounded up to two significant binary digits: a few percent of change leaves it as it was
    (and never below what it was, so a book that fits one part stays one part)."""
    if weight <= 0:
        return weight
    step = 2 ** max(0, int(weight).bit_length() - 2)
    return float(-(-weight // step) * step)


class _OnDemand:
    """This machine's process pool, started for the first map of more than one task: a warm build that lays
    out one part again, its stamps in the cache, starts no worker (starting the forkserver alone costs about
    a second). With one job, or one task, the work runs in this process."""

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
        self._pool: ProcessPoolExecutor | None = None

    def for_tasks(self, count: int) -> Executor | None:
        if self._pool is None and self.jobs > 1 and count > 1:
            self._pool = ProcessPoolExecutor(max_workers=self.jobs, mp_context=_context())
        return self._pool

    def __enter__(self) -> "_OnDemand":
        return self

    def __exit__(self, *exc_info) -> None:
        if self._pool is not None:
            self._pool.shutdown()


class _Always:
    """An executor opened by `laid_out_elsewhere` (a Dask cluster's): every map goes to it."""

    def __init__(self, opened: ContextManager[Executor]) -> None:
        self._opened = opened
        self._executor: Executor | None = None

    def for_tasks(self, count: int) -> Executor | None:
        return self._executor

    def __enter__(self) -> "_Always":
        self._executor = self._opened.__enter__()
        return self

    def __exit__(self, *exc_info) -> None:
        self._opened.__exit__(*exc_info)


def _stamps(workers: _OnDemand | _Always, documents: list[tuple[str]], cache: BuildCache) -> list[bytes]:
    """The stamp PDFs: those the cache holds (an edit that moves no page break changes no folio, so the
    same stamps come back), the rest laid out by `workers`."""
    keys = [cache.key("pdf-stamps", weasyprint_version(), html) for (html,) in documents]
    stamps = [cache.get(key) for key in keys]
    missing = [index for index, found in enumerate(stamps) if found is None]
    fresh = _map(workers.for_tasks(len(missing)), lay_out_stamps, [documents[index] for index in missing])
    for index, pdf in zip(missing, fresh):
        cache.put(keys[index], pdf)
        stamps[index] = pdf
    return stamps


class _TaskFailed(Exception):
    """Task `index` raised (its exception is the cause)."""

    def __init__(self, index: int) -> None:
        super().__init__(index)
        self.index = index


def _map(pool: Executor | None, work: Callable, tasks: list[tuple],
         done: Callable[[], None] = lambda: None) -> list:
    """`work(*task)` for each task, results in order (`done()` after each); heaviest first, so the last to
    finish is light. A task that raises an unexpected exception is named by its index (_TaskFailed)."""
    if pool is not None:
        order = sorted(range(len(tasks)), key=lambda i: -len(tasks[i][0]))
        futures = {i: pool.submit(work, *tasks[i]) for i in order}
    results = []
    for index, task in enumerate(tasks):
        try:
            results.append(work(*task) if pool is None else futures[index].result())
            done()
        except ExporterError:
            raise
        except Exception as exc:  # noqa: BLE001 - a bug of ours (or WeasyPrint's) that one part triggers
            raise _TaskFailed(index) from exc
    return results


def _lesson_of(group: list[RenderedDoc], book: ShapedBook) -> str:
    """The lesson file a part holds (its first lesson; the front matter's part names the first lesson)."""
    slugs = {lesson.slug: lesson.source for lesson in book.course.lessons}
    for unit in group:
        stem = unit.name[5:]  # "0003-<slug>.lesson.html" or "0003-<slug>-2.html"
        found = max((slug for slug in slugs if stem.startswith(slug)), key=len, default=None)
        if found:
            return slugs[found]
    return book.course.lessons[0].source if book.course.lessons else "course.yml"


def _context():
    """forkserver: workers fork from a small clean process (WeasyPrint preloaded), not from this one,
    which may hold a whole course and other formats' books (fork would share, then count, all of it)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["exporter.exporters.pdf.part", "exporter.exporters.pdf.stamp", "weasyprint"])
    return context


def _place(layouts: list[PartLayout], groups: list[list[RenderedDoc]], right_hand: bool) -> list[Placed]:
    """Where each part starts. With right-hand starts, a part of odd length gets a blank page after it
    when the next part opens a lesson."""
    placed, first = [], 0
    for index, layout in enumerate(layouts):
        following = groups[index + 1][0] if index + 1 < len(groups) else None
        needs_right = following is not None and following.name.endswith(RIGHT_HAND_SUFFIX)
        padding = 1 if right_hand and needs_right and len(layout.pages) % 2 else 0
        placed.append(Placed(layout, first, padding))
        first += len(layout.pages) + padding
    return placed


def _stamp_documents(shell: str, placed: list[Placed], reporter: Reporter, chunks: int) -> list[tuple[str]]:
    """The stamp documents, in `chunks` runs of whole pages (an even number each, so that every chunk starts,
    like the book, on a right-hand page)."""
    anchors = {name: part.first_page + page for part in placed for name, page in part.layout.anchors.items()}
    stamps: list[Stamp] = []
    for part in placed:
        numbers: dict[int, list] = {}
        for ref in part.layout.pagerefs:
            if ref.target in anchors:
                numbers.setdefault(ref.page, []).append((ref, anchors[ref.target] + 1))
            else:
                reporter.warning(Code.PDF_RENDER, f"no page for the reference to '#{ref.target}'; it prints no number")
        stamps += [Stamp(facts, tuple(numbers.get(page, ()))) for page, facts in enumerate(part.layout.pages)]
        stamps += [Stamp(PageFacts("", True))] * part.padding
    css = re.search(r"<style>(.*?)</style>", shell, re.S)
    lang = re.search(r'<html lang="([^"]*)"', shell)
    size = max(2, -(-len(stamps) // max(1, chunks)))
    size += size % 2
    return [(stamp_html(css.group(1) if css else "", lang.group(1) if lang else "en", stamps[start:start + size],
                        start + 1, len(stamps)),) for start in range(0, len(stamps), size)]
