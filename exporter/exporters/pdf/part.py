"""One part of the book laid out by WeasyPrint, in a worker process: the PDF plus the facts the merge needs.

A part knows nothing of the pages before it, so it prints no folio and no page reference: it reports where
they go (`PageFacts`, `PageRef`), and the merge stamps them once every part's length is known.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from exporter.diagnostics import Diagnostic, Reporter
from exporter.exporters.pdf.pdfua import running_heads_as_artifacts

PX_TO_PT = 0.75
"""WeasyPrint lays out in CSS pixels (1/96 in); PDF user space is in points (1/72 in)."""

GOTO_SCHEME = "exporter-goto:"
"""A link to an anchor in another part is laid out as this URI; the merge turns it back into a named
destination (WeasyPrint drops, with an error, an internal link whose anchor is not in the document)."""

GENERIC_FAMILIES = {"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui"}
_HREF = re.compile(r'href="#([^"]+)"')
_ID = re.compile(r'\bid="([^"]+)"')


@dataclass(frozen=True)
class PageFacts:
    """What the merge must know of one page to stamp its folio as a whole-book layout would."""

    name: str
    """The CSS page name ('' when unnamed): the stamp page takes the same @page rules."""
    blank: bool
    """A page left blank by a right-hand start: no header, no folio."""


@dataclass(frozen=True)
class PageRef:
    """A place held for the number of the page an anchor lands on (`.pageref`), in the part's page."""

    page: int
    target: str
    left: float
    top: float
    width: float
    height: float
    """Box in points from the top-left of the page area (inside the page margins)."""
    style: str
    """CSS font, colour and alignment of the held place, so the stamped number reads as laid-out text."""


@dataclass(frozen=True)
class Bookmark:
    level: int
    label: str
    page: int
    left: float
    top: float
    """Points from the top-left of the page."""
    closed: bool


@dataclass(frozen=True)
class PartLayout:
    """A laid-out part: its PDF and, per page, what the merge stamps and links."""

    pdf: Path
    """The part's PDF, written by the worker (the parent opens it at merge: no part is held in memory)."""
    pages: tuple[PageFacts, ...]
    anchors: dict[str, int]
    """Anchor name -> page index in this part."""
    bookmarks: tuple[Bookmark, ...]
    pagerefs: tuple[PageRef, ...]
    diagnostics: tuple[Diagnostic, ...] = field(default=())


def link_across_parts(html: str) -> str:
    """Links to anchors this part does not hold become `exporter-goto:` URIs (resolved at merge)."""
    own = set(_ID.findall(html))
    return _HREF.sub(lambda m: m.group(0) if m.group(1) in own else f'href="{GOTO_SCHEME}{m.group(1)}"', html)


def lay_out_part(html: str, files: dict[str, bytes | Path], variant: str | None, target: Path) -> PartLayout:
    """Lay out one part into the PDF file `target`; diagnostics come back as data (this runs in a worker)."""
    from exporter.exporters.pdf.weasy import render_document

    reporter = Reporter()
    document, write = render_document(link_across_parts(html), files, reporter, variant)
    facts = tuple(PageFacts(page._page_box.page_type.name or "", page._page_box.page_type.blank)
                  for page in document.pages)
    anchors: dict[str, int] = {}
    bookmarks, pagerefs = [], []
    for number, page in enumerate(document.pages):
        for name in page.anchors:
            anchors.setdefault(name, number)
        height_pt = page.height * PX_TO_PT
        bookmarks += [Bookmark(level, label, number, x * PX_TO_PT, height_pt - y * PX_TO_PT, state == "closed")
                      for level, label, (x, y), state in page.bookmarks]
        pagerefs += _pagerefs(page, number)
    target.write_bytes(running_heads_as_artifacts(write()))
    return PartLayout(target, facts, anchors, tuple(bookmarks), tuple(pagerefs), tuple(reporter.diagnostics))


def _pagerefs(page, number: int) -> list[PageRef]:
    page_box = page._page_box
    origin_x, origin_y = page_box.content_box_x(), page_box.content_box_y()
    found = []
    for box in page_box.descendants():
        element = box.element
        if (element is None or type(box).__name__ != "InlineBlockBox"
                or "pageref" not in (element.get("class") or "").split()):
            continue
        found.append(PageRef(number, element.get("data-ref") or "", (box.content_box_x() - origin_x) * PX_TO_PT,
                             (box.content_box_y() - origin_y) * PX_TO_PT, box.width * PX_TO_PT,
                             box.height * PX_TO_PT, _text_style(box)))
    return found


def _text_style(box) -> str:
    style = box.style
    families = ", ".join(family if family in GENERIC_FAMILIES else "'" + family.replace("'", "") + "'"
                         for family in style["font_family"])
    color = style["color"].to("srgb")
    red, green, blue = color.coordinates
    return (f"font-family: {families}; font-size: {style['font_size'] * PX_TO_PT:.3f}pt; "
            f"font-weight: {style['font_weight']}; font-style: {style['font_style']}; "
            f"line-height: {box.height * PX_TO_PT:.3f}pt; text-align: {style['text_align_all']}; "
            f"color: rgba({red * 255:.0f}, {green * 255:.0f}, {blue * 255:.0f}, {color.alpha:.3f})")
