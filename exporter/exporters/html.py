"""HTML preview: one standalone page per lesson plus a contents page (the reference for other formats)."""
from __future__ import annotations

from typing import ClassVar

from exporter.diagnostics import Reporter
from exporter.model import Artifact, AssetManifest, Course, RenderedDoc, ShapedBook
from exporter.render import LessonHtml
from exporter.theme import Theme


class HtmlExporter:
    name: ClassVar[str] = "html"
    suffix: ClassVar[str] = "-html"

    def shape(self, course: Course, lessons: tuple[LessonHtml, ...], manifest: AssetManifest,
              theme: Theme, reporter: Reporter) -> ShapedBook:
        pages = [RenderedDoc(f"{item.lesson.slug}.html", item.lesson.title,
                             theme.render("html/lesson.html", course=course, config=course.config,
                                          lesson=item.lesson, body=item.html))
                 for item in lessons]
        index = RenderedDoc("index.html", course.config.title,
                            theme.render("html/index.html", course=course, config=course.config))
        resources = [("style.css", (theme.read_static("css/content.css") + theme.read_static("css/html.css")).encode())]
        resources += [(asset.key, asset.path.read_bytes()) for asset in manifest.assets]
        return ShapedBook("html", course, (index, *pages), tuple(resources))

    def package(self, book: ShapedBook) -> Artifact:
        files = tuple((doc.name, doc.content.encode("utf-8")) for doc in book.documents) + book.resources
        return Artifact(f"{book.course.config.slug}{self.suffix}", members=files)
