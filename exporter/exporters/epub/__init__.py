"""EPUB 3: one XHTML document per lesson (long ones split at headings), a cover, a title page, nav and
NCX, accessibility metadata; packaged by ebooklib and re-zipped byte for byte reproducibly."""
from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from lxml import etree
from lxml.html import HtmlElement

from exporter.assets import course_image
from exporter.cache import BuildCache
from exporter.diagnostics import Reporter
from exporter.errors import ExportError
from exporter.guard import lesson_guard
from exporter.exporters.epub.chapters import Part, lesson_parts, resolve_links
from exporter.exporters.epub.cover import cover_inputs, draw_cover
from exporter.exporters.epub.math import math_pictures
from exporter.exporters.epub.package import check_metadata, epub_members
from exporter.exporters.epub.xhtml import MATHML, SVG, XHTML, to_xhtml
from exporter.model import Artifact, AssetManifest, Course, Lesson, NavPoint, RenderedDoc, ShapedBook
from exporter.shape.links import LinkMap
from exporter.spool import zip_artifact
from exporter.render import LessonHtml
from exporter.theme import Theme

__all__ = ["EpubExporter"]

COVER_PAGE, TITLE_PAGE, STYLESHEET = "cover.xhtml", "title.xhtml", "epub.css"


class EpubExporter:
    name: ClassVar[str] = "epub"
    suffix: ClassVar[str] = ".epub"

    def __init__(self, cache: BuildCache | None = None) -> None:
        self.cache = cache or BuildCache(None)
        """Where the drawn cover (0.1 s to draw and compress) and each chapter's XHTML (1 ms a part to
        convert) are kept between builds."""

    def shape(self, course: Course, lessons: tuple[LessonHtml, ...], manifest: AssetManifest,
              theme: Theme, reporter: Reporter) -> ShapedBook:
        check_metadata(course, reporter)
        parts = [part for item in lessons for part in _guarded_parts(item, manifest)]
        links = resolve_links(parts, reporter)
        modules = course.module_titles()
        chapters = tuple(_chapter(part, course, modules.get(part.lesson.slug, ""), theme, self.cache) for part in parts)
        cover_name, cover_bytes = _cover(course, manifest, theme, self.cache)
        language = course.config.language or "en"
        front = (
            RenderedDoc(COVER_PAGE, theme.ui.gettext("Cover"), theme.render("epub/cover.xhtml", lang=language, image=cover_name,
                                                          title=course.config.title,
                                                          subtitle=course.config.subtitle)),
            RenderedDoc(TITLE_PAGE, theme.ui.gettext("Title page"), theme.render("epub/titlepage.xhtml", lang=language,
                                                               config=course.config, date=course.config.date)),
        )
        css = "\n".join(theme.read_static(name) for name in ("css/content.css", "css/mathml.css", "css/epub.css",
                                                             "css/brand.css"))
        used = "\n".join(doc.content for doc in chapters)
        images = tuple((a.key, a.path) for a in manifest.files_for("screen") if f'"{a.key}"' in used)
        pictures = math_pictures((item.math_svg for item in lessons), used)
        resources = ((STYLESHEET, css.encode("utf-8")), (cover_name, cover_bytes), *images, *pictures)
        return ShapedBook(self.name, course, front + chapters, resources, toc=_toc(course, links))

    def package(self, book: ShapedBook) -> Artifact:
        cover = next(name for name, _ in book.resources if name.startswith("cover"))
        return zip_artifact(f"{book.course.config.slug}{self.suffix}", epub_members(book, cover), first="mimetype")


def _guarded_parts(item: LessonHtml, manifest: AssetManifest) -> list[Part]:
    with lesson_guard(item.lesson.source, "shaping the EPUB chapters of"):
        return lesson_parts(item, manifest)


def _chapter(part: Part, course: Course, module: str, theme: Theme, cache: BuildCache) -> RenderedDoc:
    """The XHTML of one part: the theme's page with the lesson's elements converted into it. Kept in the cache
    under the part's HTML, the page's words and the theme's files: converting a warm build's hundred chapters
    again took a tenth of a second."""
    lesson = part.lesson
    page = {"lang": lesson.lang or course.config.language or "en", "dir": lesson.dir, "title": _page_title(part),
            "slug": lesson.slug, "module": module, "lesson_title": lesson.title, "first": part.number == 1,
            "number": part.number}
    if cache.enabled:
        key = cache.key("epub-chapter", theme.fingerprint, theme.ui.fingerprint, theme.ui.direction,
                        repr(sorted(page.items())), repr(etree.LXML_VERSION), etree.tostring(part.root))
        content, features = cache.memo(key, lambda: _xhtml_page(part.root, page, theme))
    else:
        content, features = _xhtml_page(part.root, page, theme)
    return RenderedDoc(part.name, _page_title(part), content, lang=lesson.lang, features=features)


def _xhtml_page(body: HtmlElement, page: dict, theme: Theme) -> tuple[str, tuple[str, ...]]:
    """The chapter template filled with `page`, `body`'s elements converted to XHTML inside it; and which of
    MathML and SVG it holds (for the manifest's properties)."""
    root = etree.fromstring(theme.render("epub/chapter.xhtml", **page).encode("utf-8"))
    holder = root.find(f".//{{{XHTML}}}div[@data-exporter-body]")
    if holder is None:
        raise ExportError("theme template epub/chapter.xhtml has no <div data-exporter-body=\"\"> to fill")
    del holder.attrib["data-exporter-body"]
    holder.text = body.text
    for element in body:
        to_xhtml(element, holder)
    features = tuple(name for name, tag in (("mathml", f"{{{MATHML}}}math"), ("svg", f"{{{SVG}}}svg"))
                     if next(root.iter(tag), None) is not None)
    content = etree.tostring(root, encoding="unicode", doctype="<!DOCTYPE html>")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + content, features


def _page_title(part: Part) -> str:
    return part.lesson.title if part.number == 1 else f"{part.lesson.title} ({part.number})"


def _cover(course: Course, manifest: AssetManifest, theme: Theme, cache: BuildCache) -> tuple[str, bytes]:
    """course.yml's cover image when the assets stage carried it, else one drawn from the metadata."""
    given = course_image(course, manifest, "cover")
    if given is not None:
        return f"cover{Path(given.key).suffix}", given.path.read_bytes()
    colours = theme.settings.get("cover")
    key = cache.key("epub-cover", *cover_inputs(course.config, colours))
    return "cover.png", cache.memo(key, lambda: draw_cover(course.config, colours))


def _toc(course: Course, links: LinkMap) -> tuple[NavPoint, ...]:
    """Module -> lesson -> section headings (h2, with their h3), each pointing into the right document."""
    home = links.homes
    first = {lesson.slug: links.starts[lesson.source] for lesson in course.lessons if lesson.source in links.starts}

    def lesson_point(lesson: Lesson) -> NavPoint:
        children: list[NavPoint] = []
        for heading in lesson.headings:
            if heading.id not in home or heading.level not in (2, 3):
                continue
            point = NavPoint(heading.text, f"{home[heading.id]}#{heading.id}")
            if heading.level == 3 and children:
                children[-1] = NavPoint(children[-1].title, children[-1].href, (*children[-1].children, point))
            elif heading.level == 2:
                children.append(point)
        return NavPoint(lesson.title, f"{first[lesson.slug]}#{lesson.slug}", tuple(children))

    points: list[NavPoint] = []
    for module in course.modules:
        lessons = tuple(lesson_point(lesson) for lesson in module.lessons if lesson.slug in first)
        if module.title and lessons:
            # the module points at its first lesson's file, the lesson at its section inside: NCX
            # readers want one target per entry, in reading order
            points.append(NavPoint(module.title, lessons[0].href.partition("#")[0], lessons))
        else:
            points.extend(lessons)
    return tuple(points)
