"""Diagnostics: every warning and error names a file and line, prints compiler-style, and is counted.

Logging policy (as WeasyPrint's logger.py states its own): an *error* is unusable input or a
resource that cannot be had; a *warning* is questionable content that was repaired or left out;
*info* says what was done on the author's behalf (dropped HackMD page junk) and only shows with -v.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Iterable

from exporter.model import SourcePos


class Severity(enum.IntEnum):
    INFO = 10
    WARNING = 20
    ERROR = 30


class Code(str, enum.Enum):
    """Diagnostic codes, `area.problem`. The value is what prints in brackets."""

    CONFIG_INVALID = "config.invalid"
    """course.yml is unreadable or a value has the wrong type."""
    CONFIG_UNKNOWN_LESSON = "config.unknown_lesson"
    """course.yml lists a lesson file that does not exist."""
    UI_LANGUAGE = "ui.language"
    """exporter has no catalog for the course's language: its own words (Contents, Next...) stay in English."""
    UI_UNTRANSLATED = "ui.untranslated"
    """The catalog of the course's language lacks some of exporter's words: those stay in English."""
    LOAD_BINARY = "load.binary"
    """A lesson file is not text (NUL bytes or undecodable)."""
    LOAD_NOT_UTF8 = "load.not_utf8"
    """A lesson file is not UTF-8; it was decoded as Windows-1252/Latin-1."""
    LOAD_NEWLINES_RESTORED = "load.newlines_restored"
    """The file had lost its line breaks; block structure was restored by heuristics."""
    LOAD_EMPTY = "load.empty"
    """A lesson has no content besides front matter."""
    FRONT_MATTER_INVALID = "front_matter.invalid"
    """Front matter is not valid YAML or not a mapping."""
    FRONT_MATTER_UNCLOSED = "front_matter.unclosed"
    """Front matter opened with `---` but never closed."""
    HACKMD_UNCLOSED_CONTAINER = "hackmd.unclosed_container"
    """A `:::` container was never closed; it was closed at the end of the lesson."""
    HACKMD_UNKNOWN_CONTAINER = "hackmd.unknown_container"
    """A `:::name` container HackMD does not know; kept as a plain box."""
    HACKMD_STRAY_CLOSE = "hackmd.stray_close"
    """A `:::` closer with no open container; dropped."""
    HACKMD_UNCLOSED_FENCE = "hackmd.unclosed_fence"
    """A code fence was never closed; it was closed at the end of the lesson."""
    HACKMD_BAD_EMBED = "hackmd.bad_embed"
    """A `{%name ... %}` embed is empty or of an unknown kind; dropped."""
    HACKMD_STYLE_DROPPED = "hackmd.style_dropped"
    """A `<style>` block was dropped: page CSS does not travel into the outputs."""
    HACKMD_NESTED_FOOTNOTE = "hackmd.nested_footnote"
    """A footnote refers to a footnote; the inner reference was removed (pandoc drops it, and a loop hangs it)."""
    HACKMD_DIAGRAM = "hackmd.diagram"
    """A diagram block (mermaid, graphviz...) is shown as its source: its library rejected it (the message
    says why), or no library draws its kind (fretboard)."""
    DIAGRAM_NO_RENDERER = "diagram.no_renderer"
    """The diagram renderers (Chromium + npm libraries, PlantUML) are not installed: diagrams show their source."""
    MATH_UNSUPPORTED = "math.unsupported"
    """A formula uses TeX pandoc cannot turn into MathML; screens show its source (only without MathJax)."""
    MATH_INVALID = "math.invalid"
    """MathJax (HackMD's own engine) rejects a formula; every format shows its source in a labelled box."""
    MATH_NO_MATHJAX = "math.no_mathjax"
    """Node or MathJax cannot be found or run; formulas go through pandoc and ziamath instead."""
    HTML_REMOVED = "html.removed"
    """Raw HTML contained something unsafe or unsupported (script, handlers, iframes...); it was removed."""
    LESSON_DUPLICATE_SLUG = "lesson.duplicate_slug"
    """Two lessons would get the same id; the later one was given a suffix."""
    LESSON_SKIPPED = "lesson.skipped"
    """A broken lesson was left out (--skip-broken)."""
    ASSET_MISSING = "asset.missing"
    """An image could not be found or fetched; a placeholder stands in."""
    ASSET_OUTSIDE_ROOT = "asset.outside_root"
    """An image path leaves the content folder; refused."""
    ASSET_INVALID = "asset.invalid"
    """An image file is corrupt, too large or of an unsupported type."""
    ASSET_UNDESCRIBED = "asset.undescribed"
    """An image has no text alternative: screen readers, the PDF's tags and the EPUB's claim lack it."""
    PDF_RENDER = "pdf.render"
    """WeasyPrint reported a problem while laying out the PDF."""
    LINK_NOWHERE = "export.link"
    """A link leads to no lesson, heading or web address; the screen formats keep its text without the link."""
    EPUB_METADATA = "epub.metadata"
    """EPUB metadata is incomplete (no language, no author...)."""
    SCORM_LIMIT = "scorm.limit"
    """A SCORM limit (suspend_data size...) cannot be guaranteed."""
    LOAD_OUTSIDE_ROOT = "load.outside_root"
    """A lesson path (listed in course.yml, or a symbolic link) leads outside the content folder; refused."""
    LOAD_BAD_NAME = "load.bad_name"
    """A lesson file name is not UTF-8 or holds control characters (a line break); refused."""
    LOAD_DUPLICATE_LESSON = "load.duplicate_lesson"
    """The same lesson file is listed twice (`01.md`, `./01.md`); it is built once."""
    LOAD_CONTROL_CHARS = "load.control_chars"
    """Control characters or invalid Unicode that no output can carry were removed."""
    HACKMD_TOO_DEEP = "hackmd.too_deep"
    """Containers, quotes, lists or inline formatting nest deeper than exporter reads; flattened or refused."""
    HACKMD_BAD_ATTRIBUTE = "hackmd.bad_attribute"
    """An attribute has a value of the wrong form (`startFrom="abc"`); it was dropped."""
    QUIZ_INVALID = "quiz.invalid"
    """A `:::quiz` cannot be asked or scored (no task list, no ticked answer, no choices); the build stops."""
    QUIZ_DROPPED = "quiz.dropped"
    """Part of a `:::quiz` was left out (an empty choice, a list item without a box, a bad id or weight)."""
    HTML_RESERVED = "html.reserved"
    """A class or data-* attribute that only exporter may set (embed, callout, data-player...) was removed."""
    PANDOC_FAILED = "pandoc.failed"
    """pandoc could not read a lesson within its time and memory limits; the lesson is named."""
    LESSON_FAILED = "internal.lesson_failed"
    """exporter itself failed on a lesson (a bug to report); the lesson cannot be built."""
    LOAD_TOO_LARGE = "load.too_large"
    """A lesson file is larger than a lesson can be (6 MB); refused."""


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: Code
    severity: Severity
    message: str
    pos: SourcePos | None = None

    def format(self, root: str = "") -> str:
        """`content/lesson.md:14: warning: message [code]`; root is prefixed to the lesson path."""
        where = ""
        if self.pos is not None:
            where = f"{root.rstrip('/') + '/' if root else ''}{self.pos.path}:{self.pos.line}: "
        # One diagnostic, one line: a formula or a file name quoted in it may hold line breaks.
        return _one_line(f"{where}{self.severity.name.lower()}: {self.message} [{self.code.value}]")


_LINE_BREAKS = str.maketrans({"\n": "\\n", "\r": "\\r", "\x0b": "\\v", "\x0c": "\\f", "\x85": "\\x85",
                              "\u2028": "\\u2028", "\u2029": "\\u2029"})


def _one_line(text: str) -> str:
    return text.translate(_LINE_BREAKS)


@dataclass
class Reporter:
    """Collects diagnostics for one run. Stages report; only the CLI prints."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    _seen: set[tuple] = field(default_factory=set)

    def report(self, code: Code, severity: Severity, message: str, pos: SourcePos | None = None) -> None:
        key = (code, severity, message, pos)
        if key in self._seen:  # the same message for the same spot says nothing new
            return
        self._seen.add(key)
        self.diagnostics.append(Diagnostic(code, severity, message, pos))

    def error(self, code: Code, message: str, pos: SourcePos | None = None) -> None:
        self.report(code, Severity.ERROR, message, pos)

    def warning(self, code: Code, message: str, pos: SourcePos | None = None) -> None:
        self.report(code, Severity.WARNING, message, pos)

    def info(self, code: Code, message: str, pos: SourcePos | None = None) -> None:
        self.report(code, Severity.INFO, message, pos)

    def count(self, severity: Severity) -> int:
        return sum(1 for d in self.diagnostics if d.severity == severity)

    def errors_in(self, path: str) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == Severity.ERROR and d.pos and d.pos.path == path]

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        for d in diagnostics:
            self.report(d.code, d.severity, d.message, d.pos)
