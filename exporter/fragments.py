"""lxml helpers every stage after render shares: a lesson fragment in and out of a tree, and the few
questions asked of its elements (classes, source line) answered in one place."""
from __future__ import annotations

from lxml import html as lxml_html
from lxml.html import HtmlElement

from exporter.ast import LINE
from exporter.model import Lesson, SourcePos


def fragment(html: str) -> HtmlElement:
    """`html` (any run of blocks and text) inside one <div>, so it can be walked and changed as a tree.

    lxml makes the <div> itself: wrapping the text in "<div>…</div>" first would let a stray `</div>`
    in the content close the wrapper, and lxml then refuses the leftovers ("Multiple elements found")."""
    if not html.strip():
        return lxml_html.Element("div")
    return lxml_html.fragment_fromstring(html, create_parent="div")


def inner_html(root: HtmlElement) -> str:
    """What `root` holds, as HTML text: the inverse of `fragment`."""
    return (root.text or "") + "".join(lxml_html.tostring(child, encoding="unicode") for child in root)


def classes(element: HtmlElement) -> list[str]:
    """The element's classes, in order."""
    return (element.get("class") or "").split()


def has_class(element: HtmlElement, name: str) -> bool:
    return name in classes(element)


def with_class(root: HtmlElement, tag: str, name: str) -> list[HtmlElement]:
    """Every `tag` element under `root` (root included) that has class `name`, as a list: safe to change
    the tree while going through it."""
    return [element for element in root.iter(tag) if has_class(element, name)]


def replace(old: HtmlElement, new: HtmlElement | str) -> HtmlElement:
    """Put `new` (an element, or HTML text of one element) where `old` was, keeping the text after `old`."""
    if isinstance(new, str):
        new = lxml_html.fragment_fromstring(new)
    new.tail = old.tail
    old.getparent().replace(old, new)
    return new


def source_line(element: HtmlElement) -> int | None:
    """The source line of the nearest block that knows its own (normalize sets `data-line`)."""
    while element is not None:
        line = element.get(LINE)
        if line and line.isascii() and line.isdigit():
            return int(line)
        element = element.getparent()
    return None


def source_pos(lesson: Lesson, element: HtmlElement) -> SourcePos:
    """Where in `lesson` the block holding `element` was written (the lesson's first line when unknown)."""
    return SourcePos(lesson.source, source_line(element) or 1)
