"""PDF/UA finishing of the merged book, where WeasyPrint's tagging stops short (issue 18).

- Running heads (WeasyPrint's margin boxes) are marked content that no structure element owns: neither read
  nor declared skippable. They become /Artifact, and their parent-tree entries go.
- Each lesson's articles (/Art, one per page in WeasyPrint's tree) get the lesson's /Lang, so speech switches
  voice for a lesson in another language than the book.
- XMP metadata with the title, the language and the PDF/UA identifier (pdfuaid:part 1); DisplayDocTitle,
  so viewers show the title rather than the file name.
"""
from __future__ import annotations

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
    """Change the merged `book` in place (before it is saved)."""
    root = book.Root.get("/StructTreeRoot")
    if root is not None:
        _running_heads_as_artifacts(book, root)
        _lesson_languages(root, facts)
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


def _running_heads_as_artifacts(book: Pdf, root: Dictionary) -> None:
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
    operations = []
    for operands, operator in pikepdf.parse_content_stream(page):
        if (str(operator) == "BDC" and isinstance(operands[1], Dictionary)
                and int(operands[1].get("/MCID", -1)) in mcids):
            operands, operator = [Name.Artifact], pikepdf.Operator("BMC")
        operations.append((operands, operator))
    page.obj.Contents = book.make_stream(pikepdf.unparse_content_stream(operations))


def _lesson_languages(root: Dictionary, facts: BookFacts) -> None:
    """A lesson's first article starts with its title (/H1); the articles after it, up to the next one that
    starts with an H1, are the rest of the same lesson (a part of the book, or a page, later)."""
    langs = iter(facts.lesson_langs)
    current: str | None = None
    document = root.K[0] if isinstance(root.K, Array) else root.K
    for element in _kids(document):
        if element.S != Name.Art:
            continue
        kids = _kids(element)
        if kids and kids[0].S == Name.H1:
            current = next(langs, None)
        if current and current != facts.lang:
            element.Lang = String(current)
