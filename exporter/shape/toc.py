"""HackMD's `[TOC]`: filled once, for every format, with the lesson's own headings."""
from __future__ import annotations

from html import escape

from lxml import html as lxml_html
from lxml.html import HtmlElement

from exporter.fragments import replace, with_class
from exporter.model import Lesson

TOC_DEPTH = 3
"""Headings down to this level are listed (HackMD's default)."""


def fill_lesson_toc(root: HtmlElement, lesson: Lesson) -> None:
    """Each `div.toc` becomes a labelled list of links to the lesson's headings (or nothing, when it has none).
    The print sheet adds each heading's page number to its link."""
    items = "".join(f'<li class="toc-h{h.level}"><a href="#{escape(h.id)}">{escape(h.text)}</a></li>'
                    for h in lesson.headings if h.level <= TOC_DEPTH)
    html = (f'<nav class="lesson-toc" aria-label="In this lesson"><ol>{items}</ol></nav>' if items
            else "<span></span>")
    for div in with_class(root, "div", "toc"):
        replace(div, lxml_html.fromstring(html))
