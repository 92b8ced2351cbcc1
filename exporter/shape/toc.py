"""HackMD's `[TOC]`: filled once, for every format, with the lesson's own headings."""
from __future__ import annotations

from html import escape
from typing import Callable

from lxml import html as lxml_html
from lxml.html import HtmlElement

from exporter.fragments import replace, with_class
from exporter.i18n import ENGLISH, Ui
from exporter.model import Lesson

TOC_DEPTH = 3
"""Headings down to this level are listed (HackMD's default)."""


def fill_lesson_toc(root: HtmlElement, lesson: Lesson, page_number: Callable[[str], str] | None = None,
                    ui: Ui = ENGLISH) -> None:
    """Each `div.toc` becomes a labelled list of links to the lesson's headings (or nothing, when it has none).
    `page_number(id)` gives the markup of a heading's page number, for print (the text then sits in a
    `span.toc-text`, so the sheet can lead dots from it to the number)."""
    items = "".join(f'<li class="toc-h{h.level}"><a href="#{escape(h.id)}">{_entry(h.text, h.id, page_number)}</a></li>'
                    for h in lesson.headings if h.level <= TOC_DEPTH)
    label = escape(ui.gettext("In this lesson"))
    html = (f'<nav class="lesson-toc" aria-label="{label}"><ol>{items}</ol></nav>' if items
            else "<span></span>")
    for div in with_class(root, "div", "toc"):
        replace(div, lxml_html.fromstring(html))


def _entry(text: str, ident: str, page_number: Callable[[str], str] | None) -> str:
    if page_number is None:
        return escape(text)
    return f'<span class="toc-text">{escape(text)}</span>{page_number(ident)}'
