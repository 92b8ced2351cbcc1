"""WeasyPrint, fenced in: a url_fetcher that serves only the book's own files, and its log sent to our reporter."""
from __future__ import annotations

import contextlib
import logging
import mimetypes
import re
from pathlib import Path
from typing import Iterator

from exporter._files import content_of
from exporter.diagnostics import Code, Reporter
from exporter.errors import ExporterError
from exporter.exporters.pdf.png import passing_png_through

UNDESCRIBED = re.compile(r'Image ".*" has no required alt description$')
"""WeasyPrint's word for a figure without alt text, naming only its package path: the assets stage said it
already, with the lesson's file and line (`asset.undescribed`), so not again in WeasyPrint's words."""
BASE_URL = "file:///exporter-book/"
"""Where relative URLs in the book resolve; never a real folder, every request under it is a manifest lookup."""


def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class ManifestFetcher(URLFetcher):
        """Serves `data:` URIs we generated and files the book carries; refuses (and reports) everything else."""

        def __init__(self, files: dict[str, bytes | Path], reporter: Reporter) -> None:
            super().__init__(allowed_protocols=("data", "file"))
            self._files = files
            self._reporter = reporter

        def fetch(self, url: str, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            key = url.removeprefix(BASE_URL).split("#")[0].split("?")[0]
            if url.startswith(BASE_URL) and key in self._files:
                media_type = mimetypes.guess_type(key)[0] or "application/octet-stream"
                return URLFetcherResponse(url, body=content_of(self._files[key]), headers={"Content-Type": media_type})
            self._reporter.warning(Code.PDF_RENDER, f"the PDF refers to '{url}', which is not a file of the book; "
                                   "it was left out (only images from the asset manifest are printed)")
            raise ValueError(f"not a file of the book: {url}")

    return ManifestFetcher


class _ToReporter(logging.Handler):
    """WeasyPrint's warnings (CSS it ignored, images it could not read) as our diagnostics, each once."""

    def __init__(self, reporter: Reporter) -> None:
        super().__init__(logging.WARNING)
        self._reporter = reporter
        self._seen: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage().strip().splitlines()[0]
        if message in self._seen or UNDESCRIBED.match(message):
            return
        self._seen.add(message)
        # WeasyPrint's "errors" (a missing anchor, an unreadable image) still give a usable page: warnings for us.
        self._reporter.warning(Code.PDF_RENDER, f"WeasyPrint: {message}")


@contextlib.contextmanager
def _weasyprint_log(reporter: Reporter) -> Iterator[None]:
    logger = logging.getLogger("weasyprint")
    handler = _ToReporter(reporter)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)


def _pass_png_through() -> None:
    """PNG figures embedded without being decoded and compressed again (png.py), once per process."""
    from weasyprint.images import RasterImage

    if not getattr(RasterImage.get_x_object, "passes_png_through", False):
        RasterImage.get_x_object = passing_png_through(RasterImage.get_x_object)


def write_pdf(html: str, files: dict[str, bytes | Path], reporter: Reporter, variant: str | None) -> bytes:
    """Lay out `html` and return the PDF bytes; `variant` is WeasyPrint's pdf_variant (e.g. 'pdf/ua-1')."""
    _, write = render_document(html, files, reporter, variant)
    return write()


def render_document(html: str, files: dict[str, bytes | Path], reporter: Reporter, variant: str | None,
                    tagged: bool = True):
    """Lay out `html`: WeasyPrint's Document (pages, anchors, boxes) and a function that writes its PDF bytes.

    `tagged`: a structure tree (screen readers, reflow); off only for the page stamps, which are artifacts."""
    import weasyprint
    from weasyprint.pdf import VARIANTS

    _pass_png_through()

    options: dict = {"pdf_tags": tagged}
    if variant:
        if variant not in VARIANTS:
            raise ExporterError(f"pdf.pdf_variant '{variant}' is not one WeasyPrint knows; use one of "
                                f"{', '.join(v for v in VARIANTS if v != 'debug')} or leave it out")
        options["pdf_variant"] = variant
    fetcher = _fetcher_class()(files, reporter)
    with _weasyprint_log(reporter):
        document = weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render(**options)

    def write() -> bytes:
        with _weasyprint_log(reporter):
            return document.write_pdf(**options)

    return document, write
