"""cmi5 and xAPI (Tin Can) packages: the SCORM launch pages and reading runtime, reporting to a Learning Record
Store through our xAPI launch script, with a schema-valid cmi5.xml or tincan.xml at the zip root."""
from __future__ import annotations

from typing import ClassVar

from exporter.diagnostics import Code, Reporter
from exporter.config import config_pos
from exporter.errors import ExportError
from exporter.exporters.scorm.profiles import check_format, resolve_profile
from exporter.exporters.xapi import structure
from exporter.exporters.xapi.schemas import validate
from exporter.model import Artifact, AssetManifest, Course, RenderedDoc, ShapedBook, SourcePos
from exporter.render import LessonHtml
from exporter.shape.lms import PageKind, launch_pages, linked_bodies, runtime_options, screen_assets, stylesheet
from exporter.spool import zip_artifact
from exporter.theme import Theme

__all__ = ["Cmi5Exporter", "XapiExporter"]

SCRIPTS = ("statements.js", "lrs.js", "launch.js")
"""Loaded in this order; launch.js loads the reading runtime (runtime.js) once the launch is settled."""

API_VERSION = "2004"
"""launch.js offers the reading runtime the SCORM 2004 API, answered from xAPI (docs/cmi5.md)."""


class _XapiExporter:
    name: ClassVar[str]
    suffix: ClassVar[str]
    protocol: ClassVar[str]
    """How the LMS launches the page: 'cmi5' or 'tincan'."""
    structure_file: ClassVar[str]

    def __init__(self, shared: dict | None = None) -> None:
        self.shared = shared
        """What the formats of one build share (`exporter_for`): the lesson pages of every LMS format."""

    def shape(self, course: Course, lessons: tuple[LessonHtml, ...], manifest: AssetManifest,
              theme: Theme, reporter: Reporter) -> ShapedBook:
        profile, mode = resolve_profile(course.config.scorm, API_VERSION, reporter, config_pos(course.config))
        check_format(profile, self.name, reporter, config_pos(course.config))
        mode = self._mode(mode, reporter, config_pos(course.config))
        bodies = linked_bodies(lessons, manifest, mode, reporter, self.shared)
        runtime = runtime_options(course, mode, API_VERSION, profile.commit_seconds)
        pages = launch_pages(theme, course, mode, bodies, runtime, self._page_kind(course))
        text = self._structure(theme, course, mode)
        errors = validate(text.encode("utf-8"), self.protocol)
        if errors:
            raise ExportError(f"{self.structure_file} is not schema-valid (a bug, please report it): {errors[0]}")
        static = tuple((name, theme.static(f"xapi/{name}").read_bytes()) for name in SCRIPTS)
        static += (("runtime.js", theme.static("scorm/runtime.js").read_bytes()),
                   ("course.css", stylesheet(theme, "xapi/xapi.css")))
        documents = (RenderedDoc(self.structure_file, course.config.title, text), *pages)
        return ShapedBook(self.name, course, documents, static + screen_assets(manifest))

    def package(self, book: ShapedBook) -> Artifact:
        members = [(doc.name, doc.content.encode("utf-8")) for doc in book.documents] + list(book.resources)
        return zip_artifact(f"{book.course.config.slug}{self.suffix}", members, first=self.structure_file)

    def _page_kind(self, course: Course) -> PageKind:
        config = course.config
        launch = {"protocol": self.protocol, "pass_mark": structure.mastery_score(config) or "",
                  "activity_id": structure.course_iri(config)}
        return PageKind("course.css", SCRIPTS, launch=launch)

    def _mode(self, mode: str, reporter: Reporter, where: SourcePos | None) -> str:
        return mode

    def _structure(self, theme: Theme, course: Course, mode: str) -> str:
        raise NotImplementedError


class Cmi5Exporter(_XapiExporter):
    """`cmi5.xml` with one AU for the course, or one per lesson in a block per module (`mode: multi`)."""

    name: ClassVar[str] = "cmi5"
    suffix: ClassVar[str] = "-cmi5.zip"
    protocol: ClassVar[str] = "cmi5"
    structure_file: ClassVar[str] = "cmi5.xml"

    def _structure(self, theme: Theme, course: Course, mode: str) -> str:
        return structure.render_cmi5(theme, course, structure.structure(course, mode))


class XapiExporter(_XapiExporter):
    """`tincan.xml` with one launchable activity, the course: the older xAPI package some LMSes import."""

    name: ClassVar[str] = "xapi"
    suffix: ClassVar[str] = "-xapi.zip"
    protocol: ClassVar[str] = "tincan"
    structure_file: ClassVar[str] = "tincan.xml"

    def _mode(self, mode: str, reporter: Reporter, where: SourcePos | None) -> str:
        if mode == "multi":
            reporter.info(Code.CONFIG_INVALID, "an xAPI (Tin Can) package launches one page: built with the whole "
                          "course on it (mode: single); cmi5 and SCORM keep one page per lesson", where)
        return "single"

    def _structure(self, theme: Theme, course: Course, mode: str) -> str:
        return structure.render_tincan(theme, course)
