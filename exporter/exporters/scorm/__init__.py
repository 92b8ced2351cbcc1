"""SCORM 1.2 and 2004 (4th edition) packages: lesson pages, our own small runtime, a validated manifest."""
from __future__ import annotations

import math
from typing import ClassVar

from exporter.config import config_pos
from exporter.diagnostics import Code, Reporter
from exporter.errors import ExportError
from exporter.exporters.scorm import manifest as mf
from exporter.exporters.scorm.profiles import LOCATION_LIMIT, LmsProfile, check_format, resolve_profile, suspend_limit
from exporter.exporters.scorm.schemas import schema_files, validate_manifest
from exporter.model import Artifact, AssetManifest, Course, RenderedDoc, ShapedBook
from exporter.render import LessonHtml
from exporter.shape.quiz import suspend_worst_case
from exporter.spool import zip_artifact
from exporter.shape.lms import (PageKind, fingerprint, launch_pages, linked_bodies, runtime_options, screen_assets,
                                stylesheet)
from exporter.theme import Theme

__all__ = ["Scorm12Exporter", "Scorm2004Exporter"]


class _ScormExporter:
    name: ClassVar[str]
    suffix: ClassVar[str]
    version: ClassVar[str]
    """'1.2' or '2004'."""

    def __init__(self, shared: dict | None = None) -> None:
        self.shared = shared
        """What the formats of one build share (`exporter_for`): the lesson pages of every LMS format."""

    def shape(self, course: Course, lessons: tuple[LessonHtml, ...], manifest: AssetManifest,
              theme: Theme, reporter: Reporter) -> ShapedBook:
        profile, mode = resolve_profile(course.config.scorm, self.version, reporter, config_pos(course.config))
        _check_bookmark_sizes(course, profile, mode, self.version, reporter)
        check_format(profile, self.name, reporter, config_pos(course.config))
        assets = screen_assets(manifest)
        static = (("runtime.js", theme.static("scorm/runtime.js").read_bytes()), ("scorm.css", stylesheet(theme)))
        shared = tuple(sorted(name for name, _ in static + assets))
        bodies = linked_bodies(lessons, manifest, mode, reporter, self.shared)
        runtime = runtime_options(course, mode, self.version, profile.commit_seconds, profile.close_popup_on_finish)
        kind = PageKind("scorm.css", ("runtime.js",), continue_button=self.version == "2004")
        items, resources = (mf.multi_sco if mode == "multi" else mf.single_sco)(course, shared)
        pages = launch_pages(theme, course, mode, bodies, runtime, kind)
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
        return zip_artifact(f"{book.course.config.slug}{self.suffix}", members, first="imsmanifest.xml")


class Scorm12Exporter(_ScormExporter):
    name: ClassVar[str] = "scorm12"
    suffix: ClassVar[str] = "-scorm12.zip"
    version: ClassVar[str] = "1.2"


class Scorm2004Exporter(_ScormExporter):
    name: ClassVar[str] = "scorm2004"
    suffix: ClassVar[str] = "-scorm2004.zip"
    version: ClassVar[str] = "2004"


def _check_bookmark_sizes(course: Course, profile: LmsProfile, mode: str, version: str, reporter: Reporter) -> None:
    """Worst case of what the runtime stores (every lesson read, scrolled to the last one, every question of
    the page answered at its longest) against the limits."""
    count = max(1, len(course.lessons))
    pages = [course.lessons] if mode == "single" else [(lesson,) for lesson in course.lessons]
    attempts = course.config.quiz.attempts
    questions = max((suspend_worst_case(tuple(q for lesson in page for q in lesson.questions), attempts)
                     for page in pages), default=0)
    suspend = len(f"1.{fingerprint(course)}.") + math.ceil(count / 5) + questions
    location = len(f"{count}@1000")
    limit = suspend_limit(profile, version)
    where = config_pos(course.config)
    if suspend > limit:
        reporter.error(Code.SCORM_LIMIT, f"SCORM {version} suspend_data could reach {suspend} characters with "
                       f"{count} lessons and {sum(len(l.questions) for l in course.lessons)} questions, over the "
                       f"{limit} {profile.label} stores; split the course, use fewer questions (short text answers "
                       "take most) or use mode: multi", where)
    if location > LOCATION_LIMIT[version]:
        reporter.error(Code.SCORM_LIMIT, f"bookmark of {location} characters exceeds {LOCATION_LIMIT[version]}", where)
