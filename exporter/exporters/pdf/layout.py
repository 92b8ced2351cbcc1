"""Lay out the book in parts, in parallel processes, and merge them into one PDF: `lay_out`.

The book arrives as a shell (head, styles, body) and units in reading order (cover and contents; each
lesson with its module divider and notes page; slices of a long lesson; the answer key). Consecutive units
are grouped into parts of about equal weight; each part is laid out once, by one worker; the merge joins
them and stamps what no part could know alone: "page X of Y" and the page numbers of references.
"""
from __future__ import annotations

import multiprocessing
import re
from concurrent.futures import ProcessPoolExecutor

from exporter.diagnostics import Code, Reporter
from exporter.model import RenderedBook, RenderedDoc

from exporter.exporters.pdf.merge import Placed, merge
from exporter.exporters.pdf.part import PageFacts, PartLayout, lay_out_part
from exporter.exporters.pdf.stamp import Stamp, stamp_html

SHELL = "shell.html"
"""The book's head and body; the units go where `UNITS_MARKER` stands."""
UNITS_MARKER = "<!--exporter:units-->"
CONTINUED_SUFFIX = "-continued.html"
"""A unit that goes on with the lesson before it (a slice of a long lesson): no right-hand start before it."""

MAX_PART_CHARS = 240_000
"""Largest part, in characters of HTML (a 5 KB lesson prints as about 11,000): keeps each worker's
memory bounded (WeasyPrint holds a part's whole layout) whatever the size of the course."""
PART_CSS = "@page { @bottom-center { content: none !important; } }"
"""A part prints no folio: the merge stamps the whole book's "page X of Y" in its place (stamp.py)."""
PARTS_PER_JOB = 3
"""More parts than workers, so that a worker that finishes early takes the next part instead of idling."""


def lay_out(book: RenderedBook, reporter: Reporter, jobs: int) -> bytes:
    """The PDF bytes of `book`, laid out in parts by up to `jobs` processes and merged; the workers'
    diagnostics are reported to `reporter`."""
    shell = next(doc.content for doc in book.documents if doc.name == SHELL)
    part_shell = shell.replace("</head>", f"<style>{PART_CSS}</style>\n</head>", 1)
    units = [doc for doc in book.documents if doc.name != SHELL]
    groups = plan_parts(units, jobs)
    files = dict(book.resources)
    tasks = []
    for group in groups:
        html = part_shell.replace(UNITS_MARKER, "\n".join(doc.content for doc in group), 1)
        tasks.append((html, {key: data for key, data in files.items() if key in html},
                      book.course.config.pdf.pdf_variant))
    layouts = _run(tasks, jobs)
    for layout in layouts:
        reporter.extend(layout.diagnostics)
    placed = _place(layouts, groups, book.course.config.pdf.right_hand)
    return merge(placed, _stamps(shell, placed, reporter))


def plan_parts(units: list[RenderedDoc], jobs: int) -> list[list[RenderedDoc]]:
    """Consecutive units in parts of about equal weight: enough parts to keep `jobs` workers busy, and
    none heavier than MAX_PART_CHARS unless one unit alone is."""
    total = sum(len(doc.content) for doc in units)
    wanted = -(-total // MAX_PART_CHARS)
    if jobs > 1:
        wanted = max(wanted, jobs * PARTS_PER_JOB)
    target = total / max(1, min(wanted, len(units)))
    groups: list[list[RenderedDoc]] = [[]]
    weight = 0
    for doc in units:
        if groups[-1] and weight + len(doc.content) / 2 > target:
            groups.append([])
            weight = 0
        groups[-1].append(doc)
        weight += len(doc.content)
    return groups


def _run(tasks: list[tuple], jobs: int) -> list[PartLayout]:
    """Each part laid out once; heaviest first, so the last part to finish is a light one."""
    if jobs <= 1 or len(tasks) == 1:
        return [lay_out_part(*task) for task in tasks]
    order = sorted(range(len(tasks)), key=lambda i: -len(tasks[i][0]))
    with ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=_context()) as pool:
        futures = {i: pool.submit(lay_out_part, *tasks[i]) for i in order}
        return [futures[i].result() for i in range(len(tasks))]


def _context():
    """forkserver: workers fork from a small clean process (WeasyPrint preloaded), not from this one,
    which may hold a whole course and other formats' books (fork would share, then count, all of it)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["exporter.exporters.pdf.part", "weasyprint"])
    return context


def _place(layouts: list[PartLayout], groups: list[list[RenderedDoc]], right_hand: bool) -> list[Placed]:
    """Where each part starts. With right-hand starts, a part of odd length gets a blank page after it,
    unless the next part goes on with the same lesson."""
    placed, first = [], 0
    for index, layout in enumerate(layouts):
        following = groups[index + 1][0] if index + 1 < len(groups) else None
        needs_right = following is not None and not following.name.endswith(CONTINUED_SUFFIX)
        padding = 1 if right_hand and needs_right and len(layout.pages) % 2 else 0
        placed.append(Placed(layout, first, padding))
        first += len(layout.pages) + padding
    return placed


def _stamps(shell: str, placed: list[Placed], reporter: Reporter) -> bytes:
    """The stamp document, laid out (untagged: what it prints is marked as artifact by the merge)."""
    from exporter.exporters.pdf.weasy import render_document

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
    html = stamp_html(css.group(1) if css else "", lang.group(1) if lang else "en", stamps)
    _, write = render_document(html, {}, reporter, None, tagged=False)
    return write()
