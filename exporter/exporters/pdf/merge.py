"""Part PDFs -> one book, as if WeasyPrint had laid it out whole (pikepdf, qpdf underneath).

The first part is the base: its catalog keeps the metadata (Info, XMP, /Lang, /MarkInfo, viewer
preferences). Every other part's pages are appended; their named destinations, structure trees (tags) and
parent trees are joined with renumbered keys; links to other parts become named destinations; the outline
is rebuilt from the parts' bookmarks; then the stamps (folios, page references) are laid over each page as
marked artifacts, so screen readers skip them as they skip WeasyPrint's own running heads.
"""
from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, NameTree, OutlineItem, Pdf, String

from exporter.exporters.pdf.part import GOTO_SCHEME, Bookmark, PartLayout
from exporter.exporters.pdf.pdfua import BookFacts, finish_for_pdfua


@dataclass(frozen=True)
class Placed:
    """A part's place in the book."""

    layout: PartLayout
    first_page: int
    """Index in the book of the part's first page."""
    padding: int
    """Blank pages added after the part (0 or 1: a right-hand start for the part after it)."""


def merge(parts: list[Placed], stamp_pdfs: list[bytes], facts: BookFacts | None = None,
          target: Path | None = None) -> bytes | Path:
    """One PDF from the parts, in order, with the stamp documents' pages laid, in order, over the book's;
    with `facts`, finished for PDF/UA (pdfua.py). Saved to `target` when given (a 2,000-page book is not
    then held twice in memory, as pikepdf's objects and as the bytes they make), else returned as bytes."""
    book = Pdf.open(parts[0].layout.pdf)
    dests: dict[str, pikepdf.Object] = dict(_dests(book))
    next_key = _parent_tree_size(book, len(book.pages))
    _pad(book, parts[0].padding)
    for placed in parts[1:]:
        source = Pdf.open(placed.layout.pdf)
        first = len(book.pages)
        with warnings.catch_warnings():  # pikepdf warns that named destinations stay behind: _dests carries them
            warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
            book.pages.extend(source.pages)
        for name, destination in _dests(source):
            dests.setdefault(name, _copy(book, source, destination))
        next_key = _join_structure(book, source, first, next_key)
        _pad(book, placed.padding)
    _write_dests(book, dests)
    _links_to_destinations(book, set(dests))
    _outline(book, parts)
    if facts is not None:
        finish_for_pdfua(book, facts)
    stamp_docs = [Pdf.open(io.BytesIO(pdf)) for pdf in stamp_pdfs]  # kept open: their pages live in them
    _overlay(book, [page for doc in stamp_docs for page in doc.pages])
    out = target or io.BytesIO()
    # Object streams and no timestamps: smaller files, and the same parts give the same bytes.
    book.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate, deterministic_id=True)
    return target or out.getvalue()


def _dests(pdf: Pdf):
    names = pdf.Root.get("/Names")
    if names is None or "/Dests" not in names:
        return []
    return list(NameTree(names.Dests).items())


def _write_dests(book: Pdf, dests: dict[str, pikepdf.Object]) -> None:
    tree = NameTree.new(book)
    for name in sorted(dests):
        tree[name] = dests[name]
    if "/Names" not in book.Root:
        book.Root.Names = Dictionary()
    book.Root.Names.Dests = tree.obj


def _pad(book: Pdf, count: int) -> None:
    """Blank pages for a right-hand start; same size as the page before, no content (no header, no folio)."""
    for _ in range(count):
        box = book.pages[-1].mediabox
        book.add_blank_page(page_size=(float(box[2]), float(box[3])))


def _parent_tree_size(pdf: Pdf, pages: int) -> int:
    """The first key free in the parent tree (WeasyPrint numbers pages 0..n-1, then annotations)."""
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return pages
    nums = root.ParentTree.get("/Nums", Array())
    keys = [int(nums[i]) for i in range(0, len(nums), 2)]
    return max(keys, default=pages - 1) + 1


def _join_structure(book: Pdf, source: Pdf, first: int, next_key: int) -> int:
    """Append the part's structure elements under the book's Document element; renumber the parent tree
    (pages' /StructParents and annotations' /StructParent) so each key stays unique."""
    theirs, ours = source.Root.get("/StructTreeRoot"), book.Root.get("/StructTreeRoot")
    if theirs is None or ours is None:
        return next_key
    document = ours.K[0]
    for element in theirs.K[0].K:
        element = _copy(book, source, element)
        element.P = document
        document.K.append(element)
    nums = theirs.ParentTree.get("/Nums", Array())
    remap = {int(nums[i]): next_key + int(nums[i]) for i in range(0, len(nums), 2)}
    mine = ours.ParentTree.Nums
    for i in range(0, len(nums), 2):
        mine.append(remap[int(nums[i])])
        mine.append(_copy(book, source, nums[i + 1]))
    for page in book.pages[first:]:
        if "/StructParents" in page.obj:
            page.obj.StructParents = remap[int(page.obj.StructParents)]
        for annot in page.obj.get("/Annots", Array()):
            if "/StructParent" in annot:
                annot.StructParent = remap[int(annot.StructParent)]
    return next_key + (max(remap) + 1 if remap else 0)


def _copy(book: Pdf, source: Pdf, obj: pikepdf.Object) -> pikepdf.Object:
    """`obj` in the book; qpdf copies only indirect objects, and maps every page and object it copied
    before (the appended pages) to the book's copy, so references stay right."""
    return book.copy_foreign(obj if obj.is_indirect else source.make_indirect(obj))


def _links_to_destinations(book: Pdf, names: set[str]) -> None:
    """`exporter-goto:NAME` URI links (to an anchor in another part) become links to the named destination."""
    for page in book.pages:
        for annot in page.obj.get("/Annots", Array()):
            action = annot.get("/A")
            uri = str(action.get("/URI", "")) if action is not None else ""
            if not uri.startswith(GOTO_SCHEME):
                continue
            name = uri.removeprefix(GOTO_SCHEME)
            del annot["/A"]
            annot.Dest = String(name)
            annot.Contents = String(name)


def _outline(book: Pdf, parts: list[Placed]) -> None:
    """Bookmarks from every part, nested by level as WeasyPrint nests them in one document."""
    marks = [(mark, placed.first_page + mark.page) for placed in parts for mark in placed.layout.bookmarks]
    with book.open_outline() as outline:
        outline.root.clear()
        stack: list[tuple[int, OutlineItem]] = []
        for mark, page in marks:
            item = _item(mark, page)
            while stack and stack[-1][0] >= mark.level:
                stack.pop()
            (stack[-1][1].children if stack else outline.root).append(item)
            stack.append((mark.level, item))


def _item(mark: Bookmark, page: int) -> OutlineItem:
    item = OutlineItem(mark.label, page, "XYZ", left=mark.left, top=mark.top, zoom=0)
    item.is_closed = mark.closed
    return item


def _overlay(book: Pdf, stamps: list[pikepdf.Page]) -> None:
    """Each stamp page over its book page, inside /Artifact marked content (not part of the tag tree)."""
    if len(stamps) != len(book.pages):  # stamps out of step would number every page wrong
        raise RuntimeError(f"the stamps have {len(stamps)} pages for a book of {len(book.pages)}")
    for page, stamp in zip(book.pages, stamps):
        if not stamp.obj.get("/Contents"):
            continue
        form = book.copy_foreign(stamp.as_form_xobject())
        name = page.add_resource(form, Name.XObject, prefix="Stamp")
        # The page's own drawing is wrapped in q/Q, so whatever state it leaves does not move the stamp.
        page.contents_add(book.make_stream(b"q\n"), prepend=True)
        page.contents_add(book.make_stream(b"\nQ q /Artifact BMC " + str(name).encode() + b" Do EMC Q\n"), prepend=False)
