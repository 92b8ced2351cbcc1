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

from lxml.html import HtmlElement

from exporter.diagnostics import Code, Reporter
from exporter.model import Lesson, SourcePos

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


def source_pos(lesson: Lesson, element: HtmlElement) -> SourcePos:
    """The line of the nearest block that knows its own."""
    while element is not None:
        line = element.get("data-line")
        if line and line.isdigit():
            return SourcePos(lesson.source, int(line))
        element = element.getparent()
    return SourcePos(lesson.source, 1)
