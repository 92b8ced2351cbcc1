"""The rendered pages -> an EPUB 3 file, through ebooklib: metadata (accessibility included), manifest,
spine, nav with landmarks, NCX for EPUB 2 readers; then re-zipped for reproducible bytes."""
from __future__ import annotations

import datetime
import io
import mimetypes
import os
import re
import uuid
import zipfile
from html import escape
from pathlib import Path

from ebooklib import epub

from exporter._files import STORED, build_datetime, content_of
from exporter.config import config_pos
from exporter.diagnostics import Code, Reporter
from exporter.errors import ExportError
from exporter.i18n import Ui, ui_for
from exporter.model import Course, NavPoint, RenderedDoc, ShapedBook

BOOK_NAMESPACE = uuid.UUID("5b0b7f4e-3c1a-4d8e-9a57-0c4f2d7e6a11")
"""Fixed namespace for identifiers: the same course (organisation + slug) always gets the same one."""

ACCESSIBILITY_SUMMARY = (
    "This course ebook meets WCAG 2.1 level AA as EPUB Accessibility 1.1 asks, checked with DAISY Ace when it "
    "was made. It has a table of contents down to section headings; headings in order under each lesson's "
    "title; the language of each lesson, and of passages in another language, marked for speech; mixed "
    "right-to-left and left-to-right text in reading order; text alternatives for images; callouts labelled "
    "in words rather than colour alone; answers and spoilers shown as labelled boxes; code colours with AA "
    "contrast; footnotes linked both ways. Mathematics, if any, is MathML. Videos are given as links.")
"""The summary of a book that conforms (every image has a text alternative)."""
UNDESCRIBED_SUMMARY = (
    "This course ebook has a table of contents down to section headings, headings in order, the language of "
    "each lesson marked for speech, callouts labelled in words, and code colours with AA contrast; but {count} "
    "image(s) have no text alternative, so it makes no WCAG conformance claim. Videos are given as links.")
CONFORMS_TO = "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"
"""The conformance claim (EPUB Accessibility 1.1, section 2.1), made only for a book whose images are described."""
_IMG = re.compile(rb"<img\b[^>]*>")
_ALT = re.compile(rb'\balt="\s*[^"\s][^"]*"')


def book_identifier(course: Course) -> str:
    config = course.config
    return f"urn:uuid:{uuid.uuid5(BOOK_NAMESPACE, f'{config.organisation}/{config.slug}')}"


def check_metadata(course: Course, reporter: Reporter) -> None:
    """What the package's metadata will lack, said while shaping (packaging reports nothing)."""
    config = course.config
    if not config.author and not config.organisation:
        reporter.warning(Code.EPUB_METADATA, "course.yml names no author or organisation; the ebook has no "
                         "creator (add `author:` or `organisation:`)", config_pos(config))


def epub_members(book: ShapedBook, cover: str) -> list[tuple[str, bytes | Path]]:
    """The EPUB's files, for a zip with `mimetype` first (`spool.zip_artifact`): ebooklib's package, and
    the figures, which ebooklib only lists, as they are."""
    package = _package(book, cover)
    buffer = io.BytesIO()
    # ebooklib stamps its zip entries with the clock; its bytes are read back and re-zipped with fixed
    # times and order (mimetype first, stored), so the same course gives the same file.
    epub.write_epub(buffer, package, {"raise_exceptions": True, "epub3_pages": False, "mtime": _modified(book.course.config.date),
                                      "play_order": {"enabled": True, "start_from": 1},
                                      "landmark_title": _ui(book).gettext("Landmarks")})
    media = {f"EPUB/{name}": data for name, data in book.resources if name.lower().endswith(STORED)}
    with zipfile.ZipFile(buffer) as archive:
        return [(info.filename, media.get(info.filename)
                 or _package_language(info.filename, _hide_landmarks(info.filename, archive.read(info)),
                                      book.course.config.language or "en"))
                for info in archive.infolist()]


def _hide_landmarks(name: str, data: bytes) -> bytes:
    """The nav is also the book's contents page; its landmarks list is for reading systems only
    (ebooklib cannot mark it `hidden`)."""
    if not name.endswith("/nav.xhtml"):
        return data
    return data.replace(b'<nav epub:type="landmarks">', b'<nav epub:type="landmarks" hidden="">', 1)


def _ui(book: ShapedBook) -> Ui:
    """The course's words: the nav's title and landmarks are exporter's, not the author's."""
    return ui_for(book.course.config.language, book.course.config.ui)


def _package_language(name: str, data: bytes, language: str) -> bytes:
    """The package document's own language (`xml:lang` on <package>, EPUB 3.3 and Ace's epub-lang), which
    ebooklib does not write: the language its metadata (title, description, summary) is written in."""
    if not name.endswith(".opf") or b"<package " not in data:
        return data
    return data.replace(b"<package ", b'<package xml:lang="' + escape(language, quote=True).encode() + b'" ', 1)


def _modified(date: str) -> datetime.datetime:
    """SOURCE_DATE_EPOCH when set (as for every zip entry), else course.yml's `date:`, else a fixed
    date: never the clock, or two builds of one course would differ."""
    if not os.environ.get("SOURCE_DATE_EPOCH"):
        try:
            return datetime.datetime.fromisoformat(date).replace(tzinfo=datetime.timezone.utc)
        except ValueError:
            pass
    return datetime.datetime(*build_datetime(), tzinfo=datetime.timezone.utc)


def _package(book: ShapedBook, cover: str) -> epub.EpubBook:
    config = book.course.config
    package = epub.EpubBook()
    package.set_identifier(book_identifier(book.course))
    package.set_title(config.title)
    package.set_language(config.language or "en")
    _metadata(package, book)
    resources = dict(book.resources)
    cover_image = epub.EpubCover(file_name=cover)
    cover_image.media_type, cover_image.content = _media_type(cover), content_of(resources.pop(cover))
    package.add_item(cover_image)
    package.add_metadata(None, "meta", "", {"name": "cover", "content": "cover-img"})
    for name, data in sorted(resources.items()):
        # Images go to ebooklib empty (it only lists them in the manifest) and into the zip as they are:
        # ebooklib would deflate tens of MB of already-compressed pictures for nothing.
        content = b"" if name.lower().endswith(STORED) else content_of(data)
        package.add_item(epub.EpubItem(uid=_uid("r", name), file_name=name, media_type=_media_type(name),
                                       content=content))
    documents = [_document(doc) for doc in book.documents]
    for document in documents:
        package.add_item(document)
    ui = _ui(book)
    if ui.direction == "rtl":
        package.set_direction("rtl")  # the spine's page-progression-direction: pages turn right to left
    nav = epub.EpubNav(uid="nav", file_name="nav.xhtml", title=ui.gettext("Contents"), direction=ui.direction)
    nav.add_link(href="epub.css", rel="stylesheet", type="text/css")
    package.add_item(nav)
    package.add_item(epub.EpubNcx(uid="ncx"))
    package.toc = [_toc_entry(point, index) for index, point in enumerate(book.toc)]
    cover_page, title_page, *chapters = documents
    package.spine = [cover_page, title_page, nav, *chapters]
    package.guide = [{"type": "cover", "href": cover_page.file_name, "title": ui.gettext("Cover")},
                     {"type": "toc", "href": "nav.xhtml", "title": ui.gettext("Contents")},
                     {"type": "text", "href": chapters[0].file_name if chapters else title_page.file_name,
                      "title": ui.gettext("Start of content")}]
    return package


def _metadata(package: epub.EpubBook, book: ShapedBook) -> None:
    config = book.course.config
    if config.author or config.organisation:
        package.add_author(config.author or config.organisation)
    if config.organisation:
        package.add_metadata("DC", "publisher", config.organisation)
    if config.description:
        package.add_metadata("DC", "description", config.description)
    if config.date:
        package.add_metadata("DC", "date", config.date)
    package.add_metadata(None, "meta", config.version, {"property": "schema:version"})
    _accessibility(package, book)


def _accessibility(package: epub.EpubBook, book: ShapedBook) -> None:
    """schema.org accessibility metadata (EPUB Accessibility 1.1), stating only what the book has."""
    images = any(name.startswith("assets/") for name, _ in book.resources)
    math = any("mathml" in doc.features for doc in book.documents)
    for mode in ("textual", "visual") if images else ("textual",):
        package.add_metadata(None, "meta", mode, {"property": "schema:accessMode"})
    package.add_metadata(None, "meta", "textual", {"property": "schema:accessModeSufficient"})
    features = ["structuralNavigation", "tableOfContents", "readingOrder", "displayTransformability"]
    features += ["alternativeText"] if images else []
    features += ["MathML"] if math else []
    # MathJax's formulas carry their TeX as alttext (and a picture, math/*.svg); pandoc's, without MathJax, do not
    features += ["describedMath"] if any(name.startswith("math/") for name, _ in book.resources) else []
    for feature in features:
        package.add_metadata(None, "meta", feature, {"property": "schema:accessibilityFeature"})
    package.add_metadata(None, "meta", "none", {"property": "schema:accessibilityHazard"})
    undescribed = _undescribed_images(book)
    summary = UNDESCRIBED_SUMMARY.format(count=undescribed) if undescribed else ACCESSIBILITY_SUMMARY
    package.add_metadata(None, "meta", summary, {"property": "schema:accessibilitySummary"})
    if not undescribed:
        package.add_metadata(None, "meta", CONFORMS_TO, {"property": "dcterms:conformsTo"})


def _undescribed_images(book: ShapedBook) -> int:
    """Images of the lessons with an empty text alternative: an author's `![](x.png)`. (Decorative images
    of our own, such as a video card's thumbnail, are not in the lessons' documents.)"""
    return sum(1 for doc in book.documents[2:] for tag in _IMG.findall(doc.content.encode("utf-8"))
               if not _ALT.search(tag))


class _Document(epub.EpubHtml):
    """A page we wrote ourselves as complete XHTML: ebooklib's re-parse through its HTML template
    would drop our head, `dir` and MathML namespaces, so the bytes go in as they are."""

    def get_content(self, default=None) -> bytes:
        return self.content

    def get_body_content(self) -> bytes:
        return self.content


def _document(doc: RenderedDoc) -> epub.EpubHtml:
    document = _Document(uid=_uid("d", doc.name), file_name=doc.name, title=doc.title, lang=doc.lang)
    document.content = doc.content.encode("utf-8")
    document.properties = list(doc.features)
    return document


def _toc_entry(point: NavPoint, index: int, prefix: str = "toc"):
    uid = f"{prefix}-{index}"
    link = epub.Link(point.href, point.title, uid)
    if not point.children:
        return link
    return (epub.Section(point.title, point.href),
            [_toc_entry(child, n, uid) for n, child in enumerate(point.children)])


def _uid(kind: str, name: str) -> str:
    """A manifest id from a file name: an XML NCName, unique because file names are."""
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
    return f"{kind}-{safe}"


def _media_type(name: str) -> str:
    media_type = {".css": "text/css", ".svg": "image/svg+xml", ".webp": "image/webp"}.get(Path(name).suffix.lower())
    media_type = media_type or mimetypes.guess_type(name)[0]
    if media_type is None:
        raise ExportError(f"no media type known for '{name}' (a bug, please report it)")
    return media_type
