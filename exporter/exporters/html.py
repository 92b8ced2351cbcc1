"""Web pages: one page per lesson with the course's contents beside it, and a contents page. What
`exporter preview` serves, and `exporter build -f html` writes as a folder."""
from __future__ import annotations

from typing import ClassVar

from exporter.diagnostics import Reporter
from exporter.fragments import inner_html
from exporter.guard import lesson_guard
from exporter.model import Artifact, AssetManifest, Course, Lesson, RenderedDoc, ShapedBook
from exporter.render import LessonHtml
from exporter.shape.links import Page, link_pages
from exporter.shape.screen import screen_root
from exporter.theme import Theme

STYLESHEETS = ("css/content.css", "css/mathml.css", "css/html.css", "css/brand.css")


def page_name(lesson: Lesson) -> str:
    return f"{lesson.slug}.html"


class HtmlExporter:
    name: ClassVar[str] = "html"
    suffix: ClassVar[str] = "-html"

    def shape(self, course: Course, lessons: tuple[LessonHtml, ...], manifest: AssetManifest,
              theme: Theme, reporter: Reporter) -> ShapedBook:
        bodies = _linked_bodies(lessons, manifest, reporter)
        order = [item.lesson for item in lessons]
        modules = course.module_titles()
        pages = []
        for index, lesson in enumerate(order):
            html = theme.render("html/lesson.html", course=course, config=course.config, lesson=lesson,
                                body=bodies[lesson.slug], module_title=modules.get(lesson.slug, ""),
                                previous=order[index - 1] if index else None,
                                next=order[index + 1] if index + 1 < len(order) else None)
            pages.append(RenderedDoc(page_name(lesson), lesson.title, html))
        index_page = RenderedDoc("index.html", course.config.title, theme.render(
            "html/index.html", course=course, config=course.config, first=order[0] if order else None))
        css = "\n".join(theme.read_static(name) for name in STYLESHEETS)
        resources = [("style.css", css.encode("utf-8"))]
        resources += [(asset.key, asset.path.read_bytes()) for asset in manifest.files_for("screen")]
        return ShapedBook("html", course, (index_page, *pages), tuple(resources))

    def package(self, book: ShapedBook) -> Artifact:
        files = tuple((doc.name, doc.content.encode("utf-8")) for doc in book.documents) + book.resources
        return Artifact(f"{book.course.config.slug}{self.suffix}", members=files)


def _linked_bodies(lessons: tuple[LessonHtml, ...], manifest: AssetManifest, reporter: Reporter) -> dict[str, str]:
    """Each lesson shaped for a screen (embeds as linked cards: a page on the author's machine plays no
    video), its links pointing at the page of the lesson they name."""
    pages = []
    for item in lessons:
        with lesson_guard(item.lesson.source, "shaping the web page of"):
            pages.append(Page(page_name(item.lesson), item.lesson, screen_root(item, manifest, players=False)))
    link_pages(pages, reporter, anchor_starts=False)
    return {page.lesson.slug: inner_html(page.root) for page in pages}
