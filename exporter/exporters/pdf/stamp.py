"""The numbers a part cannot know, as one small document to lay over the merged book.

The stamp document has exactly as many pages as the book, with the same page names and the theme's own
@page rules, so `counter(page)` and `counter(pages)` in the theme's `@bottom-center` are the book's own
"page X of Y". Page references (contents, a lesson's [TOC], answer-key references) are absolutely placed
numbers over the places the parts held for them, in the same font.
"""
from __future__ import annotations

from dataclasses import dataclass
from html import escape

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


@dataclass(frozen=True)
class Stamp:
    """One book page's stamp: its CSS page name and the numbers placed on it."""

    facts: PageFacts
    numbers: tuple[tuple[PageRef, int], ...] = ()


def stamp_html(theme_css: str, lang: str, stamps: list[Stamp]) -> str:
    """A document of len(stamps) pages: each page's folio and page-reference numbers, nothing else."""
    sheets = "".join(_sheet(stamp) for stamp in stamps)
    return (f'<!DOCTYPE html><html lang="{escape(lang)}"><head><meta charset="utf-8">'
            f"<style>{theme_css}\n{STAMP_CSS}</style></head><body>{sheets}</body></html>")


def _sheet(stamp: Stamp) -> str:
    name = BLANK_PAGE if stamp.facts.blank else stamp.facts.name
    numbers = "".join(
        f'<p class="number" style="left: {ref.left:.3f}pt; top: {ref.top:.3f}pt; width: {ref.width:.3f}pt; '
        f'height: {ref.height:.3f}pt; {ref.style}">{number}</p>' for ref, number in stamp.numbers)
    page = f"page: {name}" if name else "page: auto"
    return f'<div class="sheet" style="{page}">{numbers}</div>'
