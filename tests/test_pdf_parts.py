"""The PDF laid out in parts and merged: read back with pypdf, it must be as if laid out whole.

Folios, contents page numbers, bookmarks, internal links, named destinations and tags are checked on a
book merged from several parts (jobs=2 cuts this course into four or more), and its pages are compared
with the same book laid out as one part (jobs=1: the course is far below one part's size).
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from exporter.diagnostics import Code, Reporter
from exporter.exporters.pdf.layout import plan_parts, lay_out
from exporter.exporters.pdf.part import lay_out_part
from exporter.exporters.pdf.units import slice_blocks
from exporter.model import RenderedDoc
from exporter.pipeline import BuildOptions, build
from conftest import write_course

FOLIO = re.compile(r"Page (\d+) of (\d+)")


def _lesson(title: str, paragraphs: int, extra: str = "") -> str:
    body = "\n\n".join(f"{title} paragraph {n} says enough to fill a few lines of the printed workbook page, "
                       "so that this lesson runs over more than one page." for n in range(paragraphs))
    return f"# {title}\n\n{extra}\n\n## {title} details\n\n{body}\n"


LESSONS = {
    "01-open.md": _lesson("Opening the call", 12, "[TOC]\n\nSee [the closing lesson](04-close.md)."),
    "02-listen.md": _lesson("Listening well", 30),
    "03-ask.md": _lesson("Asking questions", 6, ":::exercise\nWrite two open questions.\n:::\n\n"
                                                 ":::spoiler Answer\nWhat and how questions.\n:::"),
    "04-close.md": _lesson("Closing the call", 20, "Back to [the opening](01-open.md)."),
    "05-follow.md": _lesson("Following up", 8),
}
TITLES = ("Opening the call", "Listening well", "Asking questions", "Closing the call", "Following up")
COURSE_YML = ("title: Parts Course\nslug: parts\nlanguage: en\nauthor: Team\nmodules:\n"
              "  - title: 'Week 1: Calls'\n    lessons: [01-open.md, 02-listen.md, 03-ask.md]\n"
              "  - title: 'Week 2: After'\n    lessons: [04-close.md, 05-follow.md]\npdf:\n  answer_key: true\n")


def _build(source: Path, out: Path, jobs: int) -> tuple[Path, Reporter]:
    reporter = Reporter()
    written = build(BuildOptions(source=source, out=out, formats=("pdf",), offline=True, jobs=jobs), reporter)
    return next(p for p in written if p.suffix == ".pdf"), reporter


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    return write_course(tmp_path_factory.mktemp("parts") / "course", COURSE_YML, LESSONS)


@pytest.fixture(scope="module")
def merged(course, tmp_path_factory) -> tuple[Path, Reporter]:
    return _build(course, tmp_path_factory.mktemp("merged"), jobs=2)


@pytest.fixture(scope="module")
def whole(course, tmp_path_factory) -> tuple[Path, Reporter]:
    return _build(course, tmp_path_factory.mktemp("whole"), jobs=1)


def _texts(pdf: Path) -> list[str]:
    """Each page's text line by line, top to bottom (the stamped numbers come last in the content stream, so
    pypdf's plain extraction would list them apart from the lines they stand on)."""
    return [_lines(page) for page in PdfReader(pdf).pages]


def _lines(page) -> str:
    pieces: list[tuple[float, float, str]] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            pieces.append((y, x, text.strip()))

    page.extract_text(visitor_text=visit)
    lines: list[tuple[float, list[tuple[float, str]]]] = []
    for y, x, text in sorted(pieces, key=lambda p: (-p[0], p[1])):
        if lines and abs(lines[-1][0] - y) < 3:
            lines[-1][1].append((x, text))
        else:
            lines.append((y, [(x, text)]))
    return "\n".join(" ".join(text for _, text in sorted(words)) for _, words in lines)


def _outline(reader: PdfReader, items=None) -> list[tuple[str, int]]:
    found = []
    for item in reader.outline if items is None else items:
        if isinstance(item, list):
            found += _outline(reader, item)
        else:
            found.append((item.title, reader.get_destination_page_number(item) + 1))
    return found


def _units(course: Path) -> list[RenderedDoc]:
    """The PDF book's units, as the exporter renders them for `lay_out`."""
    from exporter.exporters.pdf import PdfExporter
    from exporter.pipeline import prepare
    from exporter.render import render_lessons
    from exporter.theme import load_theme

    reporter = Reporter()
    tree, manifest = prepare(BuildOptions(source=course, offline=True), reporter)
    book = PdfExporter(jobs=2).print_html(tree, render_lessons(tree, reporter), manifest, load_theme(), reporter)
    return [doc for doc in book.documents if doc.name != "shell.html"]


def test_the_book_is_really_cut_into_parts(course):
    units = _units(course)
    assert len(units) == 7  # front, five lessons, answer key
    groups = plan_parts(units, 2)
    assert len(groups) >= 4 and [doc for group in groups for doc in group] == units  # in order, none lost
    assert len(plan_parts(units, 1)) == 1


def test_every_page_has_its_folio_and_the_total(merged):
    texts = _texts(merged[0])
    total = len(texts)
    assert not FOLIO.search(texts[0]), "the cover carries no folio"
    for number, text in enumerate(texts[1:], 2):
        assert [tuple(map(int, m)) for m in FOLIO.findall(text)] == [(number, total)], (number, text[-80:])


def test_contents_numbers_equal_bookmark_pages(merged):
    reader = PdfReader(merged[0])
    bookmarks = dict(_outline(reader))
    contents = next(text for text in _texts(merged[0]) if "Contents" in text)
    listed = {title: int(number) for title, number in
              re.findall(r"^\s*(.+?)[ .]*?(\d+)\s*$", contents.split("Contents", 1)[1], re.M)}
    expected = [*TITLES, "Week 1: Calls", "Week 2: After", "Answer key"]
    assert {title: listed.get(title) for title in expected} == {title: bookmarks[title] for title in expected}
    for title in TITLES:  # and the bookmark's page is where the lesson really starts
        assert _texts(merged[0])[bookmarks[title] - 1].split("\n")[1:3] and title in _texts(merged[0])[
            bookmarks[title] - 1]


def test_internal_links_land_on_the_page_of_their_target(merged):
    pdf = pikepdf.open(merged[0])
    pages = {page.obj.objgen: number for number, page in enumerate(pdf.pages, 1)}
    dests = {name: pages[target[0].objgen] for name, target in pikepdf.NameTree(pdf.Root.Names.Dests).items()}
    texts = _texts(merged[0])
    reader = PdfReader(merged[0])
    bookmarks = dict(_outline(reader))
    links = [(number, str(annot.Dest)) for number, page in enumerate(pdf.pages, 1)
             for annot in page.obj.get("/Annots", []) if annot.get("/Subtype") == "/Link" and "/Dest" in annot]
    assert len(links) > 10
    assert all(name in dests for _, name in links), "every internal link has its named destination"
    assert not [a for page in pdf.pages for a in page.obj.get("/Annots", [])
                if "exporter-goto" in str(a.get("/A", {}).get("/URI", ""))]
    across = {(number, name) for number, name in links if dests[name] != number}
    opening = next(n for n in range(1, len(texts) + 1) if "Back to the opening" in texts[n - 1])
    closing = next(n for n in range(1, len(texts) + 1) if "See the closing lesson" in texts[n - 1])
    assert any(number == opening and dests[name] == bookmarks["Opening the call"] for number, name in across)
    assert any(number == closing and dests[name] == bookmarks["Closing the call"] for number, name in across)


def test_page_references_in_lessons_name_the_right_page(merged):
    texts = _texts(merged[0])
    key_page = next(n for n, text in enumerate(texts, 1) if "Answer key" in text and "What and how" in text)
    assert any(f"see the answer key, page {key_page}" in " ".join(text.split()) for text in texts)
    details = next(n for n, text in enumerate(texts, 1) if "Opening the call details" in text
                   and "paragraph 0" in text)
    toc = next(text for text in texts if "Opening the call" in text and "Opening the call details" in text)
    assert re.search(rf"Opening the call details\W*{details}\b", toc)


def test_merged_book_reads_like_the_one_laid_out_whole(merged, whole):
    strip = lambda texts: [" ".join(text.split()) for text in texts]
    assert strip(_texts(merged[0])) == strip(_texts(whole[0]))
    assert _outline(PdfReader(merged[0])) == _outline(PdfReader(whole[0]))


def test_tags_are_joined_into_one_structure_tree(merged):
    pdf = pikepdf.open(merged[0])
    pages = {page.obj.objgen for page in pdf.pages}
    root = pdf.Root.StructTreeRoot
    assert len(root.K) == 1 and root.K[0].S == "/Document"
    seen, todo = [], list(root.K[0].K)
    while todo:
        element = todo.pop()
        if isinstance(element, pikepdf.Dictionary) and "/S" in element:
            seen.append(element)
            kids = element.get("/K")
            todo += list(kids) if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []
    assert len(seen) > 100 and all(e.Pg.objgen in pages for e in seen if "/Pg" in e)
    nums = root.ParentTree.Nums
    keys = [int(nums[i]) for i in range(0, len(nums), 2)]
    assert len(keys) == len(set(keys))
    used = [int(p.obj.StructParents) for p in pdf.pages] + [
        int(a.StructParent) for p in pdf.pages for a in p.obj.get("/Annots", []) if "/StructParent" in a]
    assert sorted(used) == sorted(keys)
    assert str(pdf.Root.Lang) == "en" and pdf.docinfo.Title == "Parts Course"


def test_worker_diagnostics_come_back_to_the_reporter(course):
    shell = ('<html lang="en"><head><style>@page { size: A5 }</style></head><body><!--exporter:units--></body>'
             '</html>')
    units = [RenderedDoc(f"{n:04d}.html", "u", f'<section style="break-before: page"><p>Unit {n}</p>'
                         f'<img src="https://example.invalid/{n}.png"></section>') for n in range(4)]
    from exporter.exporters.pdf import PdfExporter  # noqa: F401  (the exporter's module wires the layout)
    from exporter.model import ShapedBook
    from exporter.pipeline import read_course

    reporter = Reporter()
    book = ShapedBook("pdf", read_course(course, Reporter()), (RenderedDoc("shell.html", "t", shell), *units))
    pdf = lay_out(book, reporter, jobs=2)
    refused = [d.message for d in reporter.diagnostics if d.code is Code.PDF_RENDER]
    assert all(any(f"example.invalid/{n}.png" in m for m in refused) for n in range(4))
    assert pdf.startswith(b"%PDF")


def test_a_part_reports_where_its_page_numbers_go(tmp_path):
    html = ('<html lang="en"><head><style>.pageref { display: inline-block; visibility: hidden }</style></head>'
            '<body><p><a href="#far">Far</a><span class="pageref" data-ref="far">999</span></p></body></html>')
    layout = lay_out_part(html, {}, None, tmp_path / "part.pdf")
    assert [(ref.page, ref.target) for ref in layout.pagerefs] == [(0, "far")]
    assert layout.pagerefs[0].width > 0 and "font-size" in layout.pagerefs[0].style
    annots = [a.get_object() for a in PdfReader(layout.pdf).pages[0]["/Annots"]]
    assert [a["/A"]["/URI"] for a in annots] == ["exporter-goto:far"]  # not in this part: resolved at merge


def test_long_lessons_are_sliced_before_headings():
    blocks = tuple(["<h2>A</h2>", "<p>" + "x" * 60 + '<span class="footnote">n</span></p>', "<p>y</p>",
                    "<h2>B</h2>", "<p>" + "z" * 90 + "</p>", "<h3>C</h3>", "<p>w</p>"])
    slices = slice_blocks(blocks, limit=90)
    assert [body.split(">")[1].split("<")[0] for body, _ in slices] == ["A", "B", "C"]
    assert [footnotes for _, footnotes in slices] == [0, 1, 1]
    assert slice_blocks(blocks, limit=10_000) == [("".join(blocks), 0)]


def test_a_long_lesson_is_laid_out_in_slices_that_read_as_one(tmp_path, monkeypatch):
    from exporter.exporters.pdf import units

    monkeypatch.setattr(units, "SLICE_CHARS", 3000)  # a few pages a slice, so that a short test has several
    sections = "\n\n".join(
        f"## Part {n}\n\n" + "\n\n".join(f"Long lesson paragraph {n}.{k} keeps the reader busy for a line or two "
                                          "of print, long enough to fill the page." for k in range(12))
        + (f" A note here.[^n{n}]\n\n[^n{n}]: Note number {n}." if n % 3 == 0 else "") for n in range(12))
    source = write_course(tmp_path / "course", "title: Long Course\nslug: long\nlanguage: en\n",
                          {"01-long.md": f"# The long lesson\n\n{sections}\n", "02-after.md": _lesson("After it", 3)})
    assert len([doc for doc in _units(source) if doc.title == "The long lesson"]) >= 3
    pdf, reporter = _build(source, tmp_path / "out", jobs=2)
    texts = _texts(pdf)
    lesson_pages = [n for n, text in enumerate(texts, 1) if "Long lesson paragraph" in text]
    assert len(lesson_pages) >= 6
    for number in lesson_pages[1:]:  # every later page keeps the lesson's running head
        assert texts[number - 1].split("\n")[0] == "Long Course The long lesson", texts[number - 1][:80]
    notes = [int(m) for text in texts for m in re.findall(r"^(\d+)\. Note number", text, re.M)]
    assert notes == [1, 2, 3, 4], notes  # footnote numbers go on from slice to slice
    assert [tuple(map(int, m)) for text in texts[1:] for m in FOLIO.findall(text)] == [
        (n, len(texts)) for n in range(2, len(texts) + 1)]
    assert not [d for d in reporter.diagnostics if d.code is Code.PDF_RENDER]


def test_a_part_that_trips_a_bug_names_its_lesson(tmp_path, monkeypatch):
    """Fault injection (in-process layout, --jobs 1, so the book is one part): WeasyPrint, or our code around
    it, failing on a part is one error naming the first lesson of that part, and nothing is written."""
    import exporter.exporters.pdf.layout as layout
    from exporter.errors import BuildFailed

    real = layout.lay_out_part

    def buggy(html, files, variant, target):
        if "Pipeline stages" in html:
            raise ZeroDivisionError("a bug in a part")
        return real(html, files, variant, target)

    monkeypatch.setattr(layout, "lay_out_part", buggy)
    course = tmp_path / "course"
    shutil.copytree(Path(__file__).parent / "projects" / "mini", course)
    reporter = Reporter()
    options = BuildOptions(source=course, out=tmp_path / "out", formats=("pdf",), offline=True, jobs=1, cache=False)
    with pytest.raises(BuildFailed):
        build(options, reporter)
    failed = [d for d in reporter.diagnostics if d.code == Code.LESSON_FAILED]
    assert [d.pos.path for d in failed] == ["01-welcome.md"] and "ZeroDivisionError" in failed[0].message
    assert "laying out the PDF pages of this lesson" in failed[0].message
    assert not (tmp_path / "out").exists()
