"""exporter's words that print from CSS: the PDF folio ("Page 3 of 9") as generated content, in the course's words."""
from __future__ import annotations

import re

from exporter.i18n import Ui

_COUNTERS = {"page": "counter(page)", "pages": "counter(pages)"}
_PIECE = re.compile(r"%\((page|pages)\)s")


def folio_css(ui: Ui) -> str:
    """An @page rule whose folio reads "Page X of Y" in the course's language (word order included: the
    translation places the numbers), right to left for a right-to-left language. It comes after the theme's
    sheet: named pages that print no folio (cover, blank) still win, being more specific."""
    content = css_content(ui.gettext("Page %(page)s of %(pages)s"))  # no values: the placeholders stay
    direction = " direction: rtl;" if ui.direction == "rtl" else ""
    return f"\n@page {{ @bottom-center {{ content: {content};{direction} }} }}\n"


def lms_css(ui: Ui) -> str:
    """The words the LMS pages' sheet prints: the mark after a right answer the runtime reveals."""
    mark = _string(" \u2714\ufe0e " + ui.gettext("right answer"))
    return f"\n.quiz-choice.quiz-right label::after {{ content: {mark}; }}\n"


def css_content(message: str) -> str:
    """`message` as a CSS `content` value: its text as quoted strings, its %(page)s and %(pages)s as counters."""
    pieces, at = [], 0
    for match in _PIECE.finditer(message):
        if match.start() > at:
            pieces.append(_string(message[at:match.start()]))
        pieces.append(_COUNTERS[match.group(1)])
        at = match.end()
    if at < len(message):
        pieces.append(_string(message[at:]))
    return " ".join(pieces) or '""'


def _string(text: str) -> str:
    """A CSS string: backslashes, quotes and line ends escaped (a course's own words may hold any of them)."""
    escaped = "".join(f"\\{ord(ch):x} " if ch in '\\"\n\r\f' else ch for ch in text)
    return f'"{escaped}"'
