"""Lessons -> EPUB content documents: notes as EPUB 3 footnotes, the lesson TOC filled in, long lessons
split at headings, and every link either resolved inside the book or kept as plain text."""
from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from lxml import html as lxml_html
from lxml.html import HtmlElement

from exporter.diagnostics import Reporter
from exporter.exporters.epub.xhtml import EPUB_TYPE
from exporter.exporters.links import LinkMap, rewrite_links
from exporter.exporters.screen import screen_root
from exporter.model import AssetManifest, Lesson
from exporter.render import LessonHtml

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
    ids: set[str] = field(default_factory=set)


def lesson_parts(item: LessonHtml, manifest: AssetManifest, limit: int = PART_LIMIT) -> list[Part]:
    lesson = item.lesson
    root = screen_root(item.html, manifest, players=False)
    notes = _take_notes(root)
    _fill_lesson_toc(root, lesson)
    parts = []
    for number, elements in enumerate(_split(list(root), limit), start=1):
        holder = lxml_html.Element("div")
        holder.extend(elements)
        name = f"{lesson.slug}.xhtml" if number == 1 else f"{lesson.slug}-{number}.xhtml"
        parts.append(Part(lesson, name, number, holder))
    if not parts:
        parts.append(Part(lesson, f"{lesson.slug}.xhtml", 1, lxml_html.Element("div")))
    _place_notes(parts, notes)
    for part in parts:
        part.ids = {el.get("id") for el in part.root.iter() if isinstance(el.tag, str) and el.get("id")}
    parts[0].ids.add(lesson.slug)  # the template's lesson section
    return parts


# --------------------------------------------------------------------------- footnotes

def _take_notes(root: HtmlElement) -> dict[str, HtmlElement]:
    """pandoc's note lists -> one `<aside epub:type="footnote">` per note (reading systems show those
    as pop-ups), keyed by id; the calls become `epub:type="noteref"`."""
    notes = {}
    for listing in [el for el in root.iter("aside", "section") if "footnotes" in (el.get("class") or "").split()]:
        for item in listing.iter("li"):
            notes[item.get("id")] = _note(item)
        listing.getparent().remove(listing)
    for call in root.iter("a"):
        if "footnote-ref" in (call.get("class") or "").split():
            call.set(EPUB_TYPE, "noteref")
    return notes


def _note(item: HtmlElement) -> HtmlElement:
    aside = lxml_html.Element("aside", {"id": item.get("id"), "class": "footnote", EPUB_TYPE: "footnote",
                                        "role": "doc-footnote"})
    back = next((a for a in item.iter("a") if "footnote-back" in (a.get("class") or "").split()), None)
    target = back.get("href") if back is not None else None
    if back is not None:
        back.drop_tree()
    for child in list(item):
        aside.append(child)
    if item.text and item.text.strip():  # a "tight" note: text straight in the <li>
        paragraph = lxml_html.Element("p")
        paragraph.text = item.text
        aside.insert(0, paragraph)
    if target:
        number = (item.get("id") or "").removeprefix("fn")
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


# --------------------------------------------------------------------------- lesson TOC and splitting

def _fill_lesson_toc(root: HtmlElement, lesson: Lesson) -> None:
    """HackMD's [TOC]: a small list of the lesson's own headings."""
    for div in [d for d in root.iter("div") if "toc" in (d.get("class") or "").split()]:
        items = "".join(f'<li class="toc-h{h.level}"><a href="#{escape(h.id)}">{escape(h.text)}</a></li>'
                        for h in lesson.headings if h.level <= 3)
        nav = lxml_html.fromstring(f'<nav class="lesson-toc" aria-label="In this lesson"><ol>{items}</ol></nav>'
                                   if items else "<span></span>")
        nav.tail = div.tail
        div.getparent().replace(div, nav)


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
    homes = {ident: part.name for part in parts for ident in part.ids if ident}
    starts = {part.lesson.source: part.name for part in parts if part.number == 1}
    links = LinkMap(homes, starts)
    for part in parts:
        rewrite_links(part.root, part.name, part.lesson, links, reporter)
    return links


