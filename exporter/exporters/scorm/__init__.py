"""SCORM 1.2 and 2004 (4th edition) packages: lesson pages, our own small runtime, a validated manifest."""
from __future__ import annotations

import math
from typing import ClassVar

from exporter._files import zip_bytes
from exporter.config import config_pos
from exporter.diagnostics import Code, Reporter
from exporter.errors import ExportError
from exporter.exporters.scorm import manifest as mf
from exporter.exporters.scorm.profiles import LOCATION_LIMIT, LmsProfile, resolve_profile, suspend_limit
from exporter.exporters.scorm.schemas import schema_files, validate_manifest
from exporter.fragments import inner_html
from exporter.guard import lesson_guard
from exporter.model import Artifact, AssetManifest, Course, RenderedDoc, ShapedBook
from exporter.render import LessonHtml
from exporter.shape.links import Page, link_pages
from exporter.shape.screen import screen_root
from exporter.theme import Theme

__all__ = ["Scorm12Exporter", "Scorm2004Exporter"]

STATIC = ("runtime.js", "scorm.css")


class _ScormExporter:
    name: ClassVar[str]
    suffix: ClassVar[str]
    version: ClassVar[str]
    """'1.2' or '2004'."""

    def shape(self, course: Course, lessons: tuple[LessonHtml, ...], manifest: AssetManifest,
              theme: Theme, reporter: Reporter) -> ShapedBook:
        profile, mode = resolve_profile(course.config.scorm, self.version, reporter)
        _check_bookmark_sizes(course, profile, self.version, reporter)
        assets = tuple((a.key, a.path.read_bytes()) for a in manifest.files_for("screen"))
        static = _static_files(theme)
        shared = tuple(sorted(name for name, _ in static + assets))
        bodies = _linked_bodies(lessons, manifest, mode, reporter)
        runtime = _runtime_options(course, profile, mode, self.version)
        if mode == "multi":
            items, resources = mf.multi_sco(course, shared)
            pages = tuple(_page(theme, course, (lesson,), bodies, runtime, mf.page_name(lesson), self.version)
                          for lesson in course.lessons)
        else:
            items, resources = mf.single_sco(course, shared)
            pages = (_page(theme, course, course.lessons, bodies, runtime, "index.html", self.version),)
        text, metadata = mf.render_manifest(theme, course, self.version, items, resources)
        errors = validate_manifest(text.encode("utf-8"), self.version)
        if errors:
            raise ExportError(f"imsmanifest.xml for SCORM {self.version} is not schema-valid (a bug, please "
                              f"report it): {errors[0]}")
        documents = (RenderedDoc("imsmanifest.xml", course.config.title, text), *pages)
        if metadata is not None:
            documents += (RenderedDoc("metadata.xml", course.config.title, metadata),)
        return ShapedBook(self.name, course, documents, static + assets + schema_files(self.version))

    def package(self, book: ShapedBook) -> Artifact:
        members = [(doc.name, doc.content.encode("utf-8")) for doc in book.documents] + list(book.resources)
        return Artifact(f"{book.course.config.slug}{self.suffix}", zip_bytes(members, first="imsmanifest.xml"))


class Scorm12Exporter(_ScormExporter):
    name: ClassVar[str] = "scorm12"
    suffix: ClassVar[str] = "-scorm12.zip"
    version: ClassVar[str] = "1.2"


class Scorm2004Exporter(_ScormExporter):
    name: ClassVar[str] = "scorm2004"
    suffix: ClassVar[str] = "-scorm2004.zip"
    version: ClassVar[str] = "2004"


def _linked_bodies(lessons: tuple[LessonHtml, ...], manifest: AssetManifest, mode: str,
                   reporter: Reporter) -> dict[str, str]:
    """Each lesson's page HTML, its links pointing into the page that shows it. One SCO: every lesson is
    a section of index.html, so a link to a lesson opens its section. A SCO per lesson: a link may not
    leave its page (moving between SCOs is the LMS's job), so links to other lessons keep their text."""
    roots = {}
    for item in lessons:
        with lesson_guard(item.lesson.source, "shaping the LMS page of"):
            roots[item.lesson.slug] = (item.lesson, screen_root(item, manifest))
    if mode == "single":
        link_pages([Page("index.html", lesson, root) for lesson, root in roots.values()], reporter)
    else:
        for lesson, root in roots.values():
            link_pages([Page(mf.page_name(lesson), lesson, root)], reporter)
    return {slug: inner_html(root) for slug, (_, root) in roots.items()}


def _static_files(theme: Theme) -> tuple[tuple[str, bytes], ...]:
    css = theme.read_static("css/content.css") + "\n" + theme.read_static("scorm/scorm.css")
    return (("runtime.js", theme.static("scorm/runtime.js").read_bytes()), ("scorm.css", css.encode("utf-8")))


def _runtime_options(course: Course, profile: LmsProfile, mode: str, version: str) -> dict:
    return {"version": version, "mode": mode, "completion": course.config.scorm.completion,
            "fingerprint": mf.fingerprint(course), "commit_seconds": profile.commit_seconds,
            "close_popup": profile.close_popup_on_finish}


def _page(theme: Theme, course: Course, lessons: tuple, bodies: dict[str, str], runtime: dict, name: str,
          version: str) -> RenderedDoc:
    """One launch page: every lesson of the course (single SCO) or just one (a SCO per lesson)."""
    modules = course.module_titles()
    sections = []
    for lesson in lessons:
        sections.append({
            "slug": lesson.slug, "title": lesson.title, "body": bodies[lesson.slug],
            "module": modules.get(lesson.slug, ""), "lang": lesson.lang, "dir": lesson.dir})
    single = len(lessons) > 1 or name == "index.html"
    nav = [{"title": m.title, "entries": m.lessons} for m in course.modules] if single else []
    title = course.config.title if single else f"{lessons[0].title} – {course.config.title}"
    page = {"title": title, "lang": (lessons[0].lang if not single else None) or course.config.language or "en",
            "dir": None if single else lessons[0].dir, "sections": sections, "nav": nav,
            "continue_button": not single and version == "2004"}
    content = theme.render("scorm/page.html", page=page, runtime=runtime, course_title=course.config.title)
    return RenderedDoc(name, title, content)


def _check_bookmark_sizes(course: Course, profile: LmsProfile, version: str, reporter: Reporter) -> None:
    """Worst case of what the runtime stores (every lesson read, scrolled to the last one) against the limits."""
    count = max(1, len(course.lessons))
    suspend = len(f"1.{mf.fingerprint(course)}.") + math.ceil(count / 5)
    location = len(f"{count}@1000")
    limit = suspend_limit(profile, version)
    where = config_pos(course.config)
    if suspend > limit:
        reporter.error(Code.SCORM_LIMIT, f"SCORM {version} suspend_data could reach {suspend} characters with "
                       f"{count} lessons, over the {limit} {profile.label} stores; split the course or use "
                       "mode: multi", where)
    if location > LOCATION_LIMIT[version]:
        reporter.error(Code.SCORM_LIMIT, f"bookmark of {location} characters exceeds {LOCATION_LIMIT[version]}", where)
