"""PDF/UA finishing, where WeasyPrint's tagging stops short (issue 18).

- Running heads (WeasyPrint's margin boxes) are marked content that no structure element owns: neither read
  nor declared skippable. They become /Artifact, and their parent-tree entries go. This is done to each part
  as it is laid out (`running_heads_as_artifacts`, in the worker, and cached with the part): rewriting every
  page's content stream is most of what finishing costs, and a warm build then pays it for one part only.
- A lesson is one article: WeasyPrint starts a new /Art on every page (183 for 28 lessons); the pieces are
  joined into the lesson's first, which gets the lesson's /Lang, so speech switches voice for a lesson in
  another language than the book.
- XMP metadata with the title, the language and the PDF/UA identifier (pdfuaid:part 1); DisplayDocTitle,
  so viewers show the title rather than the file name.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf, String


@dataclass(frozen=True)
class BookFacts:
    """What the finishing needs to know of the book."""

    title: str
    lang: str
    lesson_langs: tuple[str | None, ...]
    """Each printed lesson's own language (None: the book's), in reading order."""


def finish_for_pdfua(book: Pdf, facts: BookFacts) -> None:
    """Change the merged `book` in place (before it is saved); its parts' running heads are artifacts already."""
    root = book.Root.get("/StructTreeRoot")
    if root is not None:
        _one_article_per_lesson(book, root, facts)
    book.Root.Lang = String(facts.lang)
    book.Root.ViewerPreferences = Dictionary(DisplayDocTitle=True)
    with book.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta.load_from_docinfo(book.docinfo)
        meta["dc:title"] = facts.title
        meta["dc:language"] = [facts.lang]
        meta["pdfuaid:part"] = "1"


def _elements(root: Dictionary):
    """Every structure element under the root, parents first."""
    stack = list(_kids(root))
    while stack:
        element = stack.pop()
        yield element
        stack.extend(_kids(element))


def _kids(element: Dictionary) -> list[Dictionary]:
    kids = element.get("/K")
    if kids is None:
        return []
    kids = list(kids) if isinstance(kids, Array) else [kids]
    return [kid for kid in kids if isinstance(kid, Dictionary) and "/S" in kid]


def running_heads_as_artifacts(pdf: bytes) -> bytes:
    """`pdf` (one laid-out part) with the marked content no structure element owns as /Artifact."""
    with Pdf.open(io.BytesIO(pdf)) as part:
        root = part.Root.get("/StructTreeRoot")
        if root is None:
            return pdf
        _mark_orphans(part, root)
        out = io.BytesIO()
        part.save(out, deterministic_id=True)
        return out.getvalue()


def _mark_orphans(book: Pdf, root: Dictionary) -> None:
    """Marked content whose parent-tree element is not in the structure tree becomes /Artifact."""
    owned = {element.objgen for element in _elements(root)}
    nums = root.ParentTree.get("/Nums", Array())
    orphans_by_key: dict[int, set[int]] = {}
    for i in range(0, len(nums), 2):
        entry = nums[i + 1]
        if not isinstance(entry, Array):
            continue  # an annotation's single element
        orphans = {mcid for mcid, element in enumerate(entry)
                   if isinstance(element, Dictionary) and element.objgen not in owned}
        if orphans:
            orphans_by_key[int(nums[i])] = orphans
            for mcid in orphans:
                entry[mcid] = pikepdf.Object.parse(b"null")
    for page in book.pages:
        key = page.obj.get("/StructParents")
        if key is not None and int(key) in orphans_by_key:
            _mark_artifacts(book, page, orphans_by_key[int(key)])


def _mark_artifacts(book: Pdf, page: pikepdf.Page, mcids: set[int]) -> None:
    contents = page.obj.get("/Contents")
    if isinstance(contents, pikepdf.Stream):
        found: set[int] = set()

        def as_artifact(start: re.Match) -> bytes:
            if int(start[1]) not in mcids:
                return start[0]
            found.add(int(start[1]))
            return b"/Artifact\nBMC"

        data = _MARKED_CONTENT_START.sub(as_artifact, contents.read_bytes())
        if found == mcids:
            page.obj.Contents = book.make_stream(data)
            return
    # not written as WeasyPrint writes a page: parse the operators (ten times slower)
    operations = []
    for operands, operator in pikepdf.parse_content_stream(page):
        if (str(operator) == "BDC" and isinstance(operands[1], Dictionary)
                and int(operands[1].get("/MCID", -1)) in mcids):
            operands, operator = [Name.Artifact], pikepdf.Operator("BMC")
        operations.append((operands, operator))
    page.obj.Contents = book.make_stream(pikepdf.unparse_content_stream(operations))


_MARKED_CONTENT_START = re.compile(rb"^/\w+\n<</MCID (\d+)>>\nBDC$", re.MULTILINE)
"""A marked-content start as WeasyPrint writes it (pydyf puts each operand and operator on a line of its
own). A page's text is hex glyph strings, so no text can look like one; a page's each MCID is its own."""


def _one_article_per_lesson(book: Pdf, root: Dictionary, facts: BookFacts) -> None:
    """A lesson's first article starts with its title (/H1); the articles after it, up to the next one that
    starts with an H1 or a section (notes, a module), are the rest of the same lesson (its next pages)."""
    langs = iter(facts.lesson_langs)
    document = root.K[0] if isinstance(root.K, Array) else root.K
    kept, joined, lesson = Array(), {}, None
    for element in (document.K if isinstance(document.K, Array) else [document.K]):
        is_article = isinstance(element, Dictionary) and element.get("/S") == Name.Art
        starts = is_article and bool(_kids(element)) and _kids(element)[0].S == Name.H1
        if is_article and not starts and lesson is not None:
            _move_kids(book, element, lesson)
            joined[element.objgen] = lesson
            continue
        kept.append(element)
        if not (isinstance(element, Dictionary) and element.get("/S") == Name.NonStruct):
            lesson = element if is_article else None  # a page's footnotes (NonStruct) do not end a lesson
        lang = next(langs, None) if starts else None
        if lang and lang != facts.lang:
            element.Lang = String(lang)
    document.K = kept
    if joined:
        _repoint_parent_tree(root, joined)


def _move_kids(book: Pdf, source: Dictionary, target: Dictionary) -> None:
    """Append `source`'s kids to `target`'s; marked content numbers become references naming their page."""
    kids = source.get("/K")
    kids = list(kids) if isinstance(kids, Array) else [] if kids is None else [kids]
    if not isinstance(target.get("/K"), Array):
        target.K = Array([] if target.get("/K") is None else [target.K])
    for kid in kids:
        if isinstance(kid, Dictionary) and "/S" in kid:
            kid.P = target
        elif not isinstance(kid, Dictionary):  # an MCID of the source's page
            kid = book.make_indirect(Dictionary(Type=Name.MCR, Pg=source.Pg, MCID=kid))
        elif "/Pg" not in kid:  # a content or object reference on the source's page
            kid.Pg = source.Pg
        target.K.append(kid)


def _repoint_parent_tree(root: Dictionary, joined: dict) -> None:
    """Marked content owned by a joined article is now owned by the lesson's article."""
    nums = root.ParentTree.get("/Nums", Array())
    for i in range(1, len(nums), 2):
        entry = nums[i]
        if isinstance(entry, Array):
            for mcid, element in enumerate(entry):
                if isinstance(element, Dictionary) and element.objgen in joined:
                    entry[mcid] = joined[element.objgen]
        elif isinstance(entry, Dictionary) and entry.objgen in joined:
            nums[i] = joined[entry.objgen]
