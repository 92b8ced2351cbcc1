"""Footnote texts for print: the render stage keeps only the calls, so the notes are written again from the AST."""
from __future__ import annotations

from html import escape

from lxml import html as lxml_html

from exporter import pandoc
from exporter.normalize import ast
from exporter.render import LessonHtml
from exporter.sanitize import clean_html


def footnotes_by_lesson(lessons: tuple[LessonHtml, ...]) -> dict[str, list[str]]:
    """Per lesson slug, the HTML of each footnote in reading order (the order of its `a.footnote-ref` calls)."""
    notes = {item.lesson.slug: [node["c"] for node in ast.iter_nodes(list(item.lesson.body)) if node["t"] == "Note"]
             for item in lessons}
    flat = [(slug, blocks) for slug, blocks_list in notes.items() for blocks in blocks_list]
    if not flat:
        return {slug: [] for slug in notes}
    # one pandoc call for every note of the course, each in its own numbered div
    divs = [ast.make_div([], {}, blocks, ident=f"exporter-note-{n}") for n, (_, blocks) in enumerate(flat)]
    root = lxml_html.fragment_fromstring(f"<div>{pandoc.write_html(divs)}</div>")
    written = {el.get("id"): el for el in root.iterchildren()}
    result: dict[str, list[str]] = {slug: [] for slug in notes}
    for n, (slug, _) in enumerate(flat):
        element = written.get(f"exporter-note-{n}")
        result[slug].append(clean_html(_inline(element)) if element is not None else "")
    return result


def _inline(element) -> str:
    """A note's paragraphs run together as one inline text: a footnote is a line or two at the page foot."""
    parts = []
    for child in element:
        inner = escape(child.text or "", quote=False) + "".join(lxml_html.tostring(c, encoding="unicode") for c in child)
        parts.append(inner if child.tag == "p" else lxml_html.tostring(child, encoding="unicode"))
    return " ".join(parts)
