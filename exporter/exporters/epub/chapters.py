"""Lessons -> EPUB content documents: notes as EPUB 3 footnotes, the lesson TOC filled in, long lessons
split at headings, and every link either resolved inside the book or kept as plain text."""
from __future__ import annotations

from dataclasses import dataclass
from html import escape

from lxml import html as lxml_html
from lxml.html import HtmlElement

from exporter.diagnostics import Reporter
from exporter.exporters.epub.math import point_to_pictures
from exporter.exporters.epub.xhtml import EPUB_TYPE
from exporter.model import AssetManifest, Lesson
from exporter.render import LessonHtml
from exporter.shape.links import LinkMap, Page, link_pages
from exporter.shape.notes import drop_back_links, note_calls, take_notes
from exporter.shape.quiz import ebook_quizzes
from exporter.shape.screen import screen_root

PART_LIMIT = 100_000
"""Characters of HTML per document before a lesson is split at its headings. Older reading systems
(Adobe's RMSDK among them) choke on content documents much over 300 kB; 100 k leaves room for markup."""

@dataclass
class Part:
    """One content document: a lesson, or one piece of a long lesson."""

    lesson: Lesson
    name: str
    number: int
    """1 for the lesson's first part, which carries its title."""
    root: HtmlElement


def lesson_parts(item: LessonHtml, manifest: AssetManifest, limit: int = PART_LIMIT) -> list[Part]:
    lesson = item.lesson
    root = screen_root(item, manifest, players=False, fold=False)
    point_to_pictures(root, item.math_svg)
    ebook_quizzes(root, item.lesson, item.ui)
    notes = _epub_notes(root)
    parts = []
    for number, elements in enumerate(_split(list(root), limit), start=1):
        holder = lxml_html.Element("div")
        holder.extend(elements)
        name = f"{lesson.slug}.xhtml" if number == 1 else f"{lesson.slug}-{number}.xhtml"
        parts.append(Part(lesson, name, number, holder))
    if not parts:
        parts.append(Part(lesson, f"{lesson.slug}.xhtml", 1, lxml_html.Element("div")))
    _place_notes(parts, notes)
    return parts


# --------------------------------------------------------------------------- footnotes

def _epub_notes(root: HtmlElement) -> dict[str, HtmlElement]:
    """pandoc's note lists -> one `<aside epub:type="footnote">` per note (reading systems show those
    as pop-ups), keyed by id; the calls become `epub:type="noteref"`."""
    notes = {ident: _note(item) for ident, item in take_notes(root).items()}
    for call in note_calls(root):
        call.set(EPUB_TYPE, "noteref")
    return notes


def _note(item: HtmlElement) -> HtmlElement:
    aside = lxml_html.Element("aside", {"id": item.get("id"), "class": "footnote", EPUB_TYPE: "footnote",
                                        "role": "doc-footnote"})
    target = drop_back_links(item)
    for child in list(item):
        aside.append(child)
    if item.text and item.text.strip():  # a "tight" note: text straight in the <li>
        paragraph = lxml_html.Element("p")
        paragraph.text = item.text
        aside.insert(0, paragraph)
    if target:
        number = (item.get("id") or "").rpartition("--fn")[2]
        link = lxml_html.fromstring(f'<a class="footnote-back" href="{escape(target)}" role="doc-backlink">'
                                    f"{escape(number)}.</a>")
        first = aside[0] if len(aside) and aside[0].tag == "p" else None
        if first is None:
            first = lxml_html.Element("p")
            aside.insert(0, first)
        link.tail = " " + (first.text or "")
        first.text = None
        first.insert(0, link)
    return aside


def _place_notes(parts: list[Part], notes: dict[str, HtmlElement]) -> None:
    """Each note ends the document that calls it; one nobody calls ends the lesson."""
    for part in parts:
        for call in list(part.root.iter("a")):
            note = notes.pop((call.get("href") or "").lstrip("#"), None)
            if note is not None:
                part.root.append(note)
    for note in notes.values():
        parts[-1].root.append(note)


# --------------------------------------------------------------------------- splitting

def _split(elements: list[HtmlElement], limit: int) -> list[list[HtmlElement]]:
    """Sections that start at each top-level h1/h2, merged greedily while they fit under `limit`."""
    sections: list[list[HtmlElement]] = []
    for element in elements:
        if not sections or element.tag in ("h1", "h2"):
            sections.append([])
        sections[-1].append(element)
    sizes = [sum(len(lxml_html.tostring(e)) for e in section) for section in sections]
    if sum(sizes) <= limit:
        return [elements] if elements else []
    chunks: list[list[HtmlElement]] = []
    current_size = 0
    for section, size in zip(sections, sizes):
        if chunks and current_size + size <= limit:
            chunks[-1].extend(section)
            current_size += size
        else:
            chunks.append(list(section))
            current_size = size
    return chunks


# --------------------------------------------------------------------------- links

def resolve_links(parts: list[Part], reporter: Reporter) -> LinkMap:
    """In-book anchors point at the document that holds them; links to another lesson's file go to
    that lesson's first document; web links stay; the rest keep their text only. Returns where
    everything lives, for the table of contents."""
    return link_pages([Page(part.name, part.lesson, part.root) for part in parts], reporter, anchor_starts=False)
