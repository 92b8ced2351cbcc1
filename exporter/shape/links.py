"""Links between lessons, for every format (PDF book, EPUB chapters, SCORM pages).

An author links to a heading (`#id`), to another lesson's file (`02-prospecting.md`), or to the web.
Each format lays lessons out in its own documents, so each says where things live (a `LinkMap`) and
the links are rewritten to match. A link that leads nowhere in the output (a HackMD page path such as
`/features`, a missing anchor) would be a broken link on a learner's screen: its text stays, the link
goes, and the author is told where.
"""
from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from typing import Iterable

from lxml.html import HtmlElement

from exporter.diagnostics import Code, Reporter
from exporter.fragments import source_pos
from exporter.model import Lesson

EXTERNAL = re.compile(r"^(https?|mailto|tel|ftp):", re.I)


@dataclass(frozen=True)
class LinkMap:
    """Where things are in one output."""

    homes: dict[str, str]
    """element id -> the document that holds it"""
    starts: dict[str, str]
    """lesson source path -> the address of the lesson's start: 'doc' or 'doc#id'"""

    def resolve(self, href: str, here: str, source: str) -> str | None:
        """`href` as written in lesson `source`, as seen from document `here`; None if it leads nowhere."""
        path, _, anchor = href.partition("#")
        if not path:
            home = self.homes.get(anchor)
            return None if home is None else _address(home, anchor, here)
        start = self.starts.get(posixpath.normpath(posixpath.join(posixpath.dirname(source), path)))
        if start is None:
            return None
        document, _, lesson_anchor = start.partition("#")
        if anchor and self.homes.get(anchor) == document:
            return _address(document, anchor, here)
        return _address(document, lesson_anchor, here)


def _address(document: str, anchor: str, here: str) -> str:
    if anchor:
        return f"#{anchor}" if document == here else f"{document}#{anchor}"
    return document


@dataclass(frozen=True)
class Page:
    """One document of an output as links see it: its name, the lesson its content comes from, its tree."""

    name: str
    lesson: Lesson
    root: HtmlElement


def link_pages(pages: list[Page], reporter: Reporter, anchor_starts: bool = True,
               extra_ids: Iterable[str] = ()) -> LinkMap:
    """Rewrite the links of every page so they point where their targets live among `pages`; return
    that map. A lesson starts at its first page, at the lesson's own anchor when `anchor_starts` (pages
    that hold several lessons). `extra_ids` are anchors the format adds around the lessons (module
    dividers, the answer key), all in the first page."""
    homes: dict[str, str] = {}
    starts: dict[str, str] = {}
    for page in pages:
        if page.lesson.source not in starts:
            starts[page.lesson.source] = f"{page.name}#{page.lesson.slug}" if anchor_starts else page.name
            homes.setdefault(page.lesson.slug, page.name)
        for element in page.root.iter():
            ident = element.get("id") if isinstance(element.tag, str) else None
            if ident:
                homes.setdefault(ident, page.name)
    for ident in extra_ids:
        homes.setdefault(ident, pages[0].name if pages else "")
    links = LinkMap(homes, starts)
    for page in pages:
        rewrite_links(page.root, page.name, page.lesson, links, reporter)
    return links


def rewrite_links(root: HtmlElement, here: str, lesson: Lesson, links: LinkMap, reporter: Reporter) -> None:
    """Point every in-course link of `root` (part of `lesson`, shown in document `here`) at its target."""
    for link in list(root.iter("a")):
        href = link.get("href")
        if href is None or EXTERNAL.match(href):
            continue
        resolved = links.resolve(href, here, lesson.source)
        if resolved is not None:
            link.set("href", resolved)
            continue
        # One message for every format, so that a build of several formats reports it once.
        reporter.warning(Code.LINK_NOWHERE, f"link to '{href}' leads to nothing in the course; every format "
                         "keeps its text without the link (link to a heading id from `exporter tree`, to a lesson "
                         "file, or to a full https:// address)", source_pos(lesson, link))
        link.drop_tag()

