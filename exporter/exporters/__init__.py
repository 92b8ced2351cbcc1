"""Output formats. Each shapes the rendered lessons for itself (every diagnostic is raised there) and then
only packages what it shaped into an Artifact; the pipeline writes artifacts once the whole build passed."""
from __future__ import annotations

import importlib
import inspect
from typing import TYPE_CHECKING, ClassVar, Protocol

if TYPE_CHECKING:
    from exporter.cache import BuildCache
    from exporter.diagnostics import Reporter
    from exporter.model import Artifact, AssetManifest, Course, ShapedBook
    from exporter.progress import Progress
    from exporter.render import LessonHtml
    from exporter.theme import Theme


class Exporter(Protocol):
    name: ClassVar[str]
    """Format name on the command line: `--format NAME`."""
    suffix: ClassVar[str]
    """What follows the course slug in the output file name, e.g. '.epub' or '-scorm12.zip'."""

    def shape(self, course: Course, lessons: tuple[LessonHtml, ...], manifest: AssetManifest,
              theme: Theme, reporter: Reporter) -> ShapedBook:
        """Everything the format needs, checked: the only step of an exporter that reports."""

    def package(self, book: ShapedBook) -> Artifact:
        """Serialize `book`. Reports nothing and writes nothing."""

    # An exporter may also have `check(course, lessons, manifest, theme, reporter) -> None`: what `exporter
    # check` runs instead of `shape` when shaping whole costs far more than finding its diagnostics (the
    # PDF: its print HTML, not its layout). Without it, `check` shapes the format and drops the result.


EXPORTERS = {"pdf": ("pdf", "PdfExporter"), "epub": ("epub", "EpubExporter"),
             "scorm12": ("scorm", "Scorm12Exporter"), "scorm2004": ("scorm", "Scorm2004Exporter"),
             "cmi5": ("xapi", "Cmi5Exporter"), "xapi": ("xapi", "XapiExporter"), "html": ("html", "HtmlExporter")}
"""Format name -> (module under exporter.exporters, class). Imported on use: a PDF-only build need not
load ebooklib, nor an EPUB build WeasyPrint."""

DEFAULT_FORMATS = ("pdf", "epub", "scorm12", "scorm2004", "cmi5", "xapi")


def exporter_for(name: str, jobs: int | None = None, cache: BuildCache | None = None,
                 progress: Progress | None = None, shared: dict | None = None) -> Exporter:
    """The exporter of format `name`, given what its constructor asks for of: `jobs` (processes for a layout
    in parallel), `cache` (the build cache, for what it keeps between builds), `progress` (to count the
    parts it lays out) and `shared` (one dict per build, for what formats of that build shape alike)."""
    module, cls = EXPORTERS[name]
    found = getattr(importlib.import_module(f"exporter.exporters.{module}"), cls)
    offered = {"jobs": jobs, "cache": cache, "progress": progress, "shared": shared}
    asked = inspect.signature(found).parameters
    return found(**{key: value for key, value in offered.items() if key in asked and value is not None})
