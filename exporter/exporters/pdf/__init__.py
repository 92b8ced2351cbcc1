"""PDF workbook: the course as print HTML through the theme, laid out by WeasyPrint in parts and merged."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from exporter._files import build_date_iso
from exporter.assets import course_image
from exporter.cache import BuildCache
from exporter.diagnostics import Reporter
from exporter.guard import lesson_guard
from exporter.progress import SILENT, Progress
from exporter.spool import spool_file
from exporter.model import Artifact, AssetManifest, Course, Lesson, Module, RenderedDoc, ShapedBook
from exporter.render import LessonHtml
from exporter.i18n.css import folio_css
from exporter.theme import Theme

from exporter.exporters.pdf.layout import SHELL, UNITS_MARKER, lay_out
from exporter.exporters.pdf.prepare import AnswerKey, PrintContext, prepare_lesson, link_lessons
from exporter.exporters.pdf.units import book_units, default_jobs, pageref


@dataclass(frozen=True)
class PrintedModule:
    """A module as the book prints it: a divider page (when the module has a title) and its lessons."""

    module: Module
    divider: bool
    lessons: tuple[tuple[Lesson, tuple[str, ...]], ...]
    """(lesson, its print-ready top-level blocks as HTML)."""


class PdfExporter:
    name: ClassVar[str] = "pdf"
    suffix: ClassVar[str] = ".pdf"

    parallel: ClassVar[bool] = True
    """Lays the book out in parts in `jobs` worker processes (`--jobs`)."""

    def __init__(self, jobs: int | None = None, cache: BuildCache | None = None, progress: Progress = SILENT) -> None:
        self.jobs = jobs or default_jobs()
        self.cache = cache
        """Where laid-out parts are kept between builds."""
        self.progress = progress
        """Told of each part laid out (a long book's layout is most of a build's time)."""

    def shape(self, course: Course, lessons: tuple[LessonHtml, ...], manifest: AssetManifest,
              theme: Theme, reporter: Reporter) -> ShapedBook:
        """The book laid out in parts and merged: WeasyPrint's own warnings are diagnostics of this step."""
        book = self.print_html(course, lessons, manifest, theme, reporter)
        target = spool_file(f"{course.config.slug}{self.suffix}")
        return dataclasses.replace(book, laid_out=lay_out(book, reporter, self.jobs, self.cache, self.progress,
                                                          target))

    def check(self, course: Course, lessons: tuple[LessonHtml, ...], manifest: AssetManifest,
              theme: Theme, reporter: Reporter) -> None:
        """`exporter check`: the book's print HTML (links, notes, cards, math), not laid out."""
        self.print_html(course, lessons, manifest, theme, reporter)

    def print_html(self, course: Course, lessons: tuple[LessonHtml, ...], manifest: AssetManifest,
                   theme: Theme, reporter: Reporter) -> ShapedBook:
        """The book as a shell and units in reading order, ready to be laid out in parts (`lay_out`)."""
        options = course.config.pdf
        key = AnswerKey() if options.answer_key else None
        ctx = PrintContext(manifest, theme, reporter, key, self.cache or BuildCache(None))
        prepared = []
        for item in lessons:
            with lesson_guard(item.lesson.source, "shaping the PDF pages of"):
                prepared.append((item.lesson, prepare_lesson(item.lesson, item.html, ctx, item.math_svg)))
        known = {lesson.slug for lesson in course.lessons} | {module.id for module in course.modules} | {
            "answer-key", *(anchor for _, anchor, _ in (key.entries if key else []))}
        bodies = link_lessons(prepared, known, reporter)
        parts = tuple(PrintedModule(module, bool(module.title), tuple((lesson, bodies[lesson.slug])
                                                             for lesson in module.lessons if lesson.slug in bodies))
                      for module in course.modules)
        context = _context(course, parts, key, _logo_key(course, manifest), theme)
        shell = theme.render("pdf/shell.html", units=UNITS_MARKER, **context)
        documents = (RenderedDoc(SHELL, course.config.title, shell), *book_units(theme, parts, context))
        files = tuple((asset.key, asset.path) for asset in manifest.assets
                      if any(asset.key in doc.content for doc in documents))
        return ShapedBook("pdf", course, documents, files)

    def package(self, book: ShapedBook) -> Artifact:
        name = f"{book.course.config.slug}{self.suffix}"
        if isinstance(book.laid_out, Path):
            return Artifact(name, spooled=book.laid_out)
        return Artifact(name, book.laid_out)


def _context(course: Course, parts: tuple[PrintedModule, ...], key: AnswerKey | None, logo: str | None,
             theme: Theme) -> dict:
    config = course.config
    tags = sorted({tag for lesson in course.lessons for tag in lesson.tags})
    return {
        "course": course, "config": config, "parts": parts, "logo": logo,
        "paper": config.pdf.paper, "notes": config.pdf.notes, "notes_lines": max(0, config.pdf.notes_lines),
        "right_hand": config.pdf.right_hand,
        "notes_rule_mm": round(min(12.0, 200.0 / max(config.pdf.notes_lines, 1)), 1),  # the lines fill one page
        "answers": _group_answers(key) if key else [],
        "subject": config.description or ", ".join(tags) or config.title,
        "keywords": ", ".join(tags), "build_date": build_date_iso(),
        "css": _stylesheet(theme, config.pdf.paper) + folio_css(theme.ui),
        "pageref": pageref,
    }


def _stylesheet(theme: Theme, paper: str) -> str:
    """Shared content CSS, then the print sheet; the paper size is the one value code decides."""
    size = "A4" if paper.upper() == "A4" else "letter"
    return (theme.read_static("css/content.css") + "\n" + theme.read_static("css/pdf.css") + "\n"
            + theme.read_static("css/brand.css") + f"\n@page {{ size: {size}; }}\n")


def _group_answers(key: AnswerKey) -> list[tuple[Lesson, list[tuple[str, int, str]]]]:
    grouped: list[tuple[Lesson, list[tuple[str, int, str]]]] = []
    for number, (lesson, anchor, html) in enumerate(key.entries, 1):
        if not grouped or grouped[-1][0] is not lesson:
            grouped.append((lesson, []))
        grouped[-1][1].append((anchor, number, html))
    return grouped


def _logo_key(course: Course, manifest: AssetManifest) -> str | None:
    """The cover logo, if the assets stage carried it (it warned otherwise)."""
    asset = course_image(course, manifest, "logo")
    return asset.key if asset else None
