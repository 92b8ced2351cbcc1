"""The book cut into units in reading order: cover and contents, each lesson (a long one in slices), the key.

A unit always starts on a new page in a whole-book layout too (a lesson, its divider, a slice starting at a
heading is the one exception: see `slice_blocks`), so units can be laid out apart and merged.
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING

from markupsafe import Markup

from exporter.model import RenderedDoc
from exporter.theme import Theme

from exporter.exporters.pdf.layout import RIGHT_HAND_SUFFIX

if TYPE_CHECKING:
    from exporter.exporters.pdf import PrintedModule

SLICE_CHARS = 120_000
"""A lesson longer than this (HTML characters; about 50 printed pages) is laid out in slices."""
PAGEREF_DIGITS = "999"
"""The place held for a page number (hidden; the merge stamps the real number over it)."""


def default_jobs() -> int:
    """The machine's cores (those this process may use)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def pageref(target: str) -> Markup:
    """A held place for the number of the page anchor `target` lands on (filled in at merge)."""
    return Markup('<span class="pageref" data-ref="{}" aria-hidden="true">{}</span>').format(target, PAGEREF_DIGITS)


def book_units(theme: Theme, modules: tuple[PrintedModule, ...], context: dict) -> list[RenderedDoc]:
    """Front matter, then every lesson (slices of long ones), then the answer key, as HTML body fragments."""
    units = [RenderedDoc("0000-front.html", theme.ui.gettext("Cover and contents"),
                         theme.render("pdf/front.html", **context))]
    for number, module in enumerate(modules, 1):
        titles = [lesson.title for lesson, _ in module.lessons]
        for index, (lesson, blocks) in enumerate(module.lessons):
            slices = slice_blocks(blocks, SLICE_CHARS)
            for part, (body, footnotes_before) in enumerate(slices):
                html = theme.render(
                    "pdf/lesson.html", lesson=lesson, body=body, module=module.module, module_number=number,
                    module_lessons=titles, divider=module.divider and index == 0 and part == 0,
                    top_level=not module.divider, first_slice=part == 0, last_slice=part == len(slices) - 1,
                    footnotes_before=footnotes_before, **context)
                name = f"{len(units):04d}-{lesson.slug}" + (f"-{part}.html" if part else RIGHT_HAND_SUFFIX)
                units.append(RenderedDoc(name, lesson.title, html, lesson.lang))
    if context["answers"]:
        units.append(RenderedDoc(f"{len(units):04d}-answer-key.html", theme.ui.gettext("Answer key"),
                                 theme.render("pdf/answer_key.html", **context)))
    return units


def slice_blocks(blocks: tuple[str, ...], limit: int = SLICE_CHARS) -> list[tuple[str, int]]:
    """A lesson's blocks in slices of about `limit` characters: (HTML, footnotes in the slices before).
    A slice ends before a heading once it is long enough, or anywhere at 1.5 times the limit."""
    slices: list[tuple[str, int]] = []
    current: list[str] = []
    size = footnotes = 0
    for block in blocks:
        heading = block.startswith(("<h1", "<h2", "<h3"))
        if current and (size >= limit and heading or size >= limit * 1.5):
            slices.append(("".join(current), footnotes))
            footnotes += sum(part.count('class="footnote"') for part in current)
            current, size = [], 0
        current.append(block)
        size += len(block)
    slices.append(("".join(current), footnotes))
    return slices
