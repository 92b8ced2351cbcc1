"""Output formats: each renders the course for itself and writes one artifact."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Protocol

if TYPE_CHECKING:
    from exporter.diagnostics import Reporter
    from exporter.model import AssetManifest, Course, RenderedBook
    from exporter.render import LessonHtml
    from exporter.theme import Theme


class Exporter(Protocol):
    name: ClassVar[str]
    """Format name on the command line: `--format NAME`."""
    suffix: ClassVar[str]
    """What follows the course slug in the output file name, e.g. '.epub' or '-scorm12.zip'."""

    def render(self, course: Course, lessons: tuple[LessonHtml, ...], manifest: AssetManifest,
               theme: Theme, reporter: Reporter) -> RenderedBook: ...

    def export(self, book: RenderedBook, out_dir: Path, reporter: Reporter) -> Path: ...


def exporters() -> dict[str, type[Exporter]]:
    """Format name -> exporter class. Imported lazily: a PDF-only build need not load ebooklib."""
    from exporter.exporters.html import HtmlExporter

    found: dict[str, type[Exporter]] = {"html": HtmlExporter}
    for module, names in (("pdf", ("PdfExporter",)), ("epub", ("EpubExporter",)),
                          ("scorm", ("Scorm12Exporter", "Scorm2004Exporter"))):
        try:
            imported = __import__(f"exporter.exporters.{module}", fromlist=list(names))
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.startswith("exporter.exporters"):
                continue  # that format has not landed yet
            raise
        for name in names:
            cls = getattr(imported, name)
            found[cls.name] = cls
    return found


DEFAULT_FORMATS = ("pdf", "epub", "scorm12", "scorm2004")
