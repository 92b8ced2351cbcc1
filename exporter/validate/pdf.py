"""PDF: reread with pypdf as a reader or a print shop would: whole (not cut short), every page readable,
bookmarks that lead to pages, a title and a language, every font embedded, and a structure tree (tagged)."""
from __future__ import annotations

import io
import logging
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import DictionaryObject, IndirectObject

from exporter.validate import Finding, Verdict, error, warning

TAIL = 2048
"""The end-of-file marker must be this close to the end (writers may add a few bytes after it)."""
EMBEDDED = ("/FontFile", "/FontFile2", "/FontFile3")


def check_pdf(path: Path) -> Verdict:
    data = path.read_bytes()
    if not data.startswith(b"%PDF-"):
        return Verdict(path, "PDF", (error("pdf.not_pdf", "not a PDF: it does not start with %PDF-"),))
    findings: list[Finding] = []
    if b"%%EOF" not in data[-TAIL:]:
        findings.append(error("pdf.truncated", f"the file stops before its end-of-file marker: it was cut short "
                              f"({len(data)} bytes; an interrupted copy or download?): build or copy it again"))
    with _pypdf_complaints() as complaints:
        try:
            reader = PdfReader(io.BytesIO(data), strict=False)
            pages = len(reader.pages)
        except (PyPdfError, ValueError, KeyError, TypeError, AttributeError) as exc:
            return Verdict(path, "PDF", (*findings, error("pdf.unreadable", f"a PDF reader cannot open it: {exc}")))
        findings += _page_findings(reader)
        bookmarks, outline_findings = _outline(reader)
        findings += outline_findings
    if pages == 0:
        findings.append(error("pdf.no_pages", "the PDF has no pages"))
    if complaints and findings:  # a damaged file: what the reader had to repair says where
        findings.append(warning("pdf.repaired", f"the reader had to repair the file: {complaints[0]}"))
    findings += _metadata_findings(reader)
    fonts, unembedded = _fonts(reader)
    findings += [error("pdf.font_not_embedded", f"font '{name}' is not embedded: the PDF looks different on "
                       "machines without it, and print shops refuse it") for name in unembedded]
    tagged = _tagged(reader)
    if not tagged:
        findings.append(warning("pdf.untagged", "the PDF is not tagged (no structure tree): screen readers cannot "
                                "follow it"))
    facts = (f"PDF {reader.pdf_header.removeprefix('%PDF-')}, {pages} pages, {bookmarks} bookmarks, {len(fonts)} "
             f"fonts embedded, {'tagged' if tagged else 'untagged'}, language {_language(reader) or '?'}")
    return Verdict(path, "PDF", tuple(findings), facts)


@contextmanager
def _pypdf_complaints() -> Iterator[list[str]]:
    """What pypdf logs while it reads (it repairs broken cross-references quietly): collected, not printed."""
    said: list[str] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = lambda record: said.append(record.getMessage())  # type: ignore[method-assign]
    logger = logging.getLogger("pypdf")
    logger.addHandler(handler)
    try:
        yield said
    finally:
        logger.removeHandler(handler)


def _page_findings(reader: PdfReader) -> list[Finding]:
    """Each page's content must decode: a cut file loses the objects its later pages point at."""
    findings = []
    for number, page in enumerate(reader.pages, 1):
        try:
            contents = page.get_contents()
            if contents is None:
                raise ValueError("it has no content stream")
            contents.get_data()
        except (PyPdfError, ValueError, KeyError, TypeError, AttributeError) as exc:
            findings.append(error("pdf.damaged_page", f"page {number} cannot be read ({exc or type(exc).__name__})",
                                  f"page {number}"))
    return findings


def _outline(reader: PdfReader) -> tuple[int, list[Finding]]:
    """How many bookmarks there are, and those that lead nowhere."""
    try:
        items = list(_flatten(reader.outline))
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError) as exc:
        return 0, [error("pdf.outline", f"the bookmarks cannot be read ({exc})")]
    findings = []
    for item in items:
        try:
            number = reader.get_destination_page_number(item)
        except (PyPdfError, ValueError, KeyError, TypeError, AttributeError):
            number = -1
        if number is None or number < 0:
            findings.append(error("pdf.outline", f"bookmark '{item.title}' leads to no page"))
    if not items:
        findings.append(warning("pdf.no_outline", "the PDF has no bookmarks: readers show no contents to jump from"))
    return len(items), findings


def _flatten(outline: list) -> Iterator[Any]:
    for entry in outline:
        if isinstance(entry, list):
            yield from _flatten(entry)
        else:
            yield entry


def _metadata_findings(reader: PdfReader) -> list[Finding]:
    findings = []
    try:
        title = (reader.metadata or {}).get("/Title")
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError):
        title = None
    if not str(title or "").strip():
        findings.append(warning("pdf.no_title", "the PDF has no title in its metadata: readers show the file name"))
    if not _language(reader):
        findings.append(warning("pdf.no_language", "the PDF names no language (/Lang): screen readers guess how "
                                "to pronounce it"))
    return findings


def _language(reader: PdfReader) -> str:
    try:
        return str(reader.trailer["/Root"].get("/Lang") or "")
    except (PyPdfError, KeyError, TypeError, AttributeError):
        return ""


def _tagged(reader: PdfReader) -> bool:
    try:
        root = reader.trailer["/Root"]
        marked = (root.get("/MarkInfo") or {}).get("/Marked")
        return bool(marked) and "/StructTreeRoot" in root
    except (PyPdfError, KeyError, TypeError, AttributeError):
        return False


def _fonts(reader: PdfReader) -> tuple[set[str], set[str]]:
    """(embedded, not embedded) font names, over every page and the forms it draws."""
    embedded, missing = set(), set()
    seen: set[int] = set()
    for page in reader.pages:
        try:
            resources = page.get("/Resources")
        except (PyPdfError, KeyError, TypeError, AttributeError):
            continue
        for font in _fonts_in(_resolved(resources), seen):
            name = str(font.get("/BaseFont") or font.get("/Name") or "?").split("+", 1)[-1].lstrip("/")
            (embedded if _is_embedded(font) else missing).add(name)
    return embedded, missing - embedded


def _fonts_in(resources: Any, seen: set[int], depth: int = 0) -> Iterator[DictionaryObject]:
    if not isinstance(resources, DictionaryObject) or depth > 8 or id(resources) in seen:
        return
    seen.add(id(resources))
    for font in (_resolved(resources.get("/Font")) or {}).values():
        font = _resolved(font)
        if isinstance(font, DictionaryObject):
            yield font
    for xobject in (_resolved(resources.get("/XObject")) or {}).values():
        xobject = _resolved(xobject)
        if isinstance(xobject, DictionaryObject) and xobject.get("/Subtype") == "/Form":
            yield from _fonts_in(_resolved(xobject.get("/Resources")), seen, depth + 1)


def _is_embedded(font: DictionaryObject) -> bool:
    """Type 3 fonts are drawn by the PDF itself; others carry a font file in their descriptor."""
    if font.get("/Subtype") == "/Type3":
        return True
    if font.get("/Subtype") == "/Type0":
        descendants = _resolved(font.get("/DescendantFonts")) or []
        font = _resolved(descendants[0]) if descendants else font
    descriptor = _resolved(font.get("/FontDescriptor")) or {}
    return any(key in descriptor for key in EMBEDDED)


def _resolved(value: Any) -> Any:
    try:
        return value.get_object() if isinstance(value, IndirectObject) else value
    except (PyPdfError, KeyError, TypeError, AttributeError):
        return None
