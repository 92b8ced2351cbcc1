"""HTML preview: one standalone page per lesson plus a contents page (the reference for other formats)."""
from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from exporter._files import atomic_write
from exporter.diagnostics import Reporter
from exporter.model import AssetManifest, Course, RenderedBook, RenderedDoc
from exporter.render import LessonHtml
from exporter.theme import Theme


class HtmlExporter:
    name: ClassVar[str] = "html"
    suffix: ClassVar[str] = "-html"

    def render(self, course: Course, lessons: tuple[LessonHtml, ...], manifest: AssetManifest,
               theme: Theme, reporter: Reporter) -> RenderedBook:
        pages = [RenderedDoc(f"{item.lesson.slug}.html", item.lesson.title,
                             theme.render("html/lesson.html", course=course, config=course.config,
                                          lesson=item.lesson, body=item.html))
                 for item in lessons]
        index = RenderedDoc("index.html", course.config.title,
                            theme.render("html/index.html", course=course, config=course.config))
        resources = [("style.css", (theme.read_static("css/content.css") + theme.read_static("css/html.css")).encode())]
        resources += [(asset.key, asset.path.read_bytes()) for asset in manifest.assets]
        return RenderedBook("html", course, (index, *pages), tuple(resources))

    def export(self, book: RenderedBook, out_dir: Path, reporter: Reporter) -> Path:
        target = out_dir / f"{book.course.config.slug}{self.suffix}"
        for doc in book.documents:
            atomic_write(target / doc.name, doc.content.encode("utf-8"))
        for name, data in book.resources:
            atomic_write(target / name, data)
        return target
