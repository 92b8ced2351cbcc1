"""The numbers a part cannot know, as one small document to lay over the merged book.

The stamp documents have, together, exactly as many pages as the book, with the same page names and the
theme's own @page rules. They are laid out in chunks, in parallel like the parts (WeasyPrint spends some
10 ms on every page, even an empty one): each chunk's first page resets the page counter to its number in
the book, and `counter(pages)` becomes the book's total as text, so the theme's `@bottom-center` prints the
book's own "page X of Y". Page references (contents, a lesson's [TOC], answer-key references) are absolutely placed
numbers over the places the parts held for them, in the same font.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape

from exporter.diagnostics import Reporter

from exporter.exporters.pdf.part import PageFacts, PageRef

BLANK_PAGE = "exporter-blank"
"""Page name for a blank page's stamp: no folio, as the theme's `@page :blank` prints none."""

STAMP_CSS = f"""
html, body {{ background: none !important; margin: 0 !important; padding: 0 !important; }}
@page {{ background: none !important; border: none !important;
  @top-left {{ content: none !important; }} @top-center {{ content: none !important; }}
  @top-right {{ content: none !important; }} @bottom-left {{ content: none !important; }}
  @bottom-right {{ content: none !important; }} }}
@page {BLANK_PAGE} {{ @bottom-center {{ content: none !important; }} }}
.sheet {{ position: relative; height: 0; margin: 0; padding: 0; break-before: page; }}
.sheet:first-child {{ break-before: auto; }}
.number {{ position: absolute; margin: 0; padding: 0; white-space: nowrap; }}
"""
"""Only the folio (`@bottom-center`) and the numbers print; nothing covers the page below."""


_PAGES_COUNTER = re.compile(r"counter\(\s*pages\s*\)")


@dataclass(frozen=True)
class Stamp:
    """One book page's stamp: its CSS page name and the numbers placed on it."""

    facts: PageFacts
    numbers: tuple[tuple[PageRef, int], ...] = ()


def stamp_html(theme_css: str, lang: str, stamps: list[Stamp], first_number: int, total: int) -> str:
    """A document of len(stamps) pages, the first numbered `first_number` in a book of `total` pages: each
    page's folio and page-reference numbers, nothing else."""
    sheets = "".join(_sheet(stamp) for stamp in stamps)
    numbering = f"@page :first {{ counter-reset: page {first_number}; }}"
    rules = _PAGES_COUNTER.sub(f'"{total}"', page_rules(theme_css))
    return (f'<!DOCTYPE html><html lang="{escape(lang)}"><head><meta charset="utf-8">'
            f"<style>{rules}\n{STAMP_CSS}\n{numbering}</style></head><body>{sheets}</body></html>")


def lay_out_stamps(html: str) -> bytes:
    """The stamp PDF (in a worker process). Untagged: the merge marks what it prints as artifacts. Its
    diagnostics are not kept: its CSS is the theme's @page rules, which every part already reported on."""
    from exporter.exporters.pdf.weasy import render_document

    _, write = render_document(html, {}, Reporter(), None, tagged=False)
    return write()


def page_rules(css: str) -> str:
    """The theme's @page and @font-face rules: all a stamp needs (the rest of the sheet only costs time)."""
    import tinycss2  # WeasyPrint's own CSS parser

    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    return "\n".join(rule.serialize() for rule in rules
                     if rule.type == "at-rule" and rule.lower_at_keyword in ("page", "font-face"))


def _sheet(stamp: Stamp) -> str:
    name = BLANK_PAGE if stamp.facts.blank else stamp.facts.name
    numbers = "".join(
        f'<p class="number" style="left: {ref.left:.3f}pt; top: {ref.top:.3f}pt; width: {ref.width:.3f}pt; '
        f'height: {ref.height:.3f}pt; {ref.style}">{number}</p>' for ref, number in stamp.numbers)
    page = f"page: {name}" if name else "page: auto"
    return f'<div class="sheet" style="{page}">{numbers}</div>'
