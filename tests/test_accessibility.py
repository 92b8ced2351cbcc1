"""Accessibility in every format (issue 18): the real checkers (DAISY Ace on the EPUBs, axe-core in Chromium on
every SCORM page) find nothing critical or serious, the PDF's structure tree reads back as PDF/UA asks, and the
pieces that get there (languages, headings, code lines, colours) do what they say."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pikepdf
import pytest
from lxml import etree
from pikepdf import Array, Dictionary

from browser import a11y
from conftest import ACCEPTANCE, CONTENT, needs_shared, write_course
from exporter.diagnostics import Reporter
from exporter.fragments import fragment, inner_html
from exporter.language import dominant_script, lesson_language
from exporter.pipeline import BuildOptions, build, read_course
from exporter.render.accessible import make_accessible

CSS = Path(__file__).resolve().parent.parent / "exporter" / "themes" / "default" / "static" / "css"
needs_tools = pytest.mark.skipif(not a11y.ACE.is_file() or not a11y.AXE.is_file(),
                                 reason="tools/node_modules lacks ace-cli or axe-core: run `make setup`")


# --------------------------------------------------------------------------- language and direction

def test_lesson_language_comes_from_its_script_when_the_front_matter_gives_none():
    chinese = "本文介绍如何在 .NET 中使用 MQTT 协议进行设备之间的通信，并给出完整的示例代码。"
    assert lesson_language(chinese, "en") == "zh"
    assert lesson_language("הקשבה פעילה פירושה לתת ללקוח את מלוא תשומת הלב.", "en") == "he"
    assert lesson_language("الاستماع الفعال يعني أن تمنح العميل انتباهك الكامل.", "en") == "ar"
    assert lesson_language("Ceci est une leçon en français, assez longue.", "en") is None  # same script: the course's
    assert lesson_language("An English lesson in a Chinese course.", "zh") == "en"
    assert dominant_script("12 + 3 = 15") is None


def test_blocks_and_runs_in_another_script_get_their_language_and_direction():
    root = fragment("<p>Mixed: the word CRM in Arabic: نظام CRM يحفظ كل عميل.</p>"
                    "<p>הקשבה פעילה פירושה לתת ללקוח את מלוא תשומת הלב.</p><p>Plain English.</p>"
                    "<pre><code>שלום = 1</code></pre>")
    make_accessible(root, "en", "en")
    mixed, hebrew, plain, code = root
    assert mixed.get("dir") == "ltr" and mixed.get("lang") is None
    runs = mixed.findall("span")
    assert [(r.text, r.get("lang"), r.get("dir")) for r in runs] == [("نظام", "ar", "rtl"), ("يحفظ كل عميل", "ar", "rtl")]
    assert mixed.text_content() == "Mixed: the word CRM in Arabic: نظام CRM يحفظ كل عميل."  # nothing lost or moved
    assert hebrew.get("lang") == "he" and hebrew.get("dir") == "rtl"
    assert plain.attrib == {} and "span" not in inner_html(code)


def test_latin_runs_in_an_arabic_lesson_take_the_course_language_and_run_left_to_right():
    root = fragment("<p>الاستماع الفعال مع CRM Pipeline كل يوم.</p>")
    make_accessible(root, "ar", "en")
    span = root[0].find("span")
    assert (span.text, span.get("lang"), span.get("dir")) == ("CRM Pipeline", "en", "ltr")
    assert root[0].get("dir") == "rtl"


def test_a_lesson_in_another_script_is_tagged_in_every_format(tmp_path):
    source = write_course(tmp_path / "course", "title: Mixed\nlanguage: en\nslug: mixed\n", {
        "01-zh.md": "# 介绍\n\n本文介绍如何在设备之间使用消息协议进行通信，并给出完整的示例。\n",
        "02-en.md": "---\ntitle: Intro\n---\n# Part one\n\nPlain English text.\n\n#### Deeper\n\nMore.\n"})
    course = read_course(source, Reporter())
    assert [lesson.lang for lesson in course.lessons] == ["zh", None]
    written = build(BuildOptions(source=source, out=tmp_path / "out", formats=("epub", "scorm12"), offline=True),
                    Reporter())
    epub = zipfile.ZipFile(next(p for p in written if p.suffix == ".epub"))
    chapter = etree.fromstring(epub.read("EPUB/l-01-zh.xhtml"))
    assert chapter.get("lang") == "zh" and chapter.get("{http://www.w3.org/XML/1998/namespace}lang") == "zh"
    assert b'<package xml:lang="en"' in epub.read("EPUB/content.opf")
    page = zipfile.ZipFile(next(p for p in written if p.name.endswith("scorm12.zip"))).read("index.html").decode()
    assert re.search(r'<section class="lesson" id="l-01-zh" lang="zh"', page)
    # headings under the title: the body's H1 is an H2, the H4 after it an H3, in the page and the nav alike
    assert re.search(r'<h2 [^>]*id="l-02-en--part-one"[^>]*>Part one</h2>', page)
    assert re.search(r'<h3 [^>]*id="l-02-en--deeper"[^>]*>Deeper</h3>', page)
    nav = etree.fromstring(epub.read("EPUB/nav.xhtml"))
    entry = next(li for li in nav.iter("{*}li") if li[0].text == "Part one")
    assert [a.text for a in entry.iter("{*}a")] == ["Part one", "Deeper"]


# --------------------------------------------------------------------------- code, tables, colours

def test_code_lines_carry_no_empty_links_and_numbered_lines_keep_their_numbers():
    root = fragment('<div class="sourceCode"><pre class="sourceCode numberSource js numberLines"><code>'
                    '<span id="cb1-101"><a href="#cb1-101"></a>var <span class="kw">x</span></span>\n'
                    '<span id="cb1-102"><a href="#cb1-102"></a>x++</span></code></pre></div>'
                    '<pre class="sourceCode py"><code><span id="cb2-1"><a href="#cb2-1" aria-hidden="true"></a>'
                    'pass</span></code></pre><table><tr><th></th><th>Name</th></tr></table>')
    make_accessible(root, "en", "en")
    assert not root.findall(".//pre//a")
    numbers = [s.get("data-line-number") for s in root.iter("span") if s.get("class") == "ln"]
    assert numbers == ["101", "102"] and root.find(".//span[@class='ln']").get("aria-hidden") == "true"
    assert "".join(root.find(".//pre").itertext()) == "var x\nx++" and root[1].text_content() == "pass"
    assert [cell.tag for cell in root.find(".//tr")] == ["td", "th"]


def _luminance(colour: str) -> float:
    digits = colour.lstrip("#")
    digits = "".join(c * 2 for c in digits) if len(digits) == 3 else digits
    channels = [int(digits[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    low, high = sorted((_luminance(a), _luminance(b)))
    return (high + 0.05) / (low + 0.05)


def _token_colours(css: str) -> dict[str, str]:
    """Highlighting class -> colour, from rules like `code span.kw, code span.cf { color: #007020; }`."""
    found = {}
    for selectors, colour in re.findall(r"((?:code span\.\w+,?\s*)+)\{\s*color:\s*(#[0-9a-fA-F]{3,6})", css):
        for token in re.findall(r"span\.(\w+)", selectors):
            found[token] = colour
    return found


def test_token_colours_meet_wcag_aa_on_light_and_dark_pages():
    light = _token_colours((CSS / "content.css").read_text())
    dark_css = (CSS / "epub.css").read_text().split("prefers-color-scheme: dark", 1)[1]
    dark = {**light, **_token_colours(dark_css)}
    assert len(light) >= 15
    # the code backgrounds: content.css's #f6f8fa, the ebook's grey tint over white (#f0f0f0) or over the
    # darkest and lightest night-mode pages a reader uses (black, #333)
    for token, colour in light.items():
        assert min(contrast(colour, "#f6f8fa"), contrast(colour, "#f0f0f0")) >= 4.5, (token, colour)
    for token, colour in dark.items():
        assert min(contrast(colour, "#000000"), contrast(colour, "#3d3d3d")) >= 4.5, (token, colour)


def test_callout_boxes_survive_a_reader_that_rejects_css_variables():
    """calibre drops every declaration with var(): each kind's colours are also given plainly."""
    for sheet in ("content.css", "epub.css"):
        without_variables = re.sub(r"[^;{}]*var\([^;{}]*;?", "", (CSS / sheet).read_text())
        for kind in ("info", "success", "warning", "danger", "spoiler"):
            rule = re.search(rf"\.callout\.{kind}\b[^{{]*\{{([^}}]*)\}}", without_variables)
            assert rule and "background" in rule.group(1), (sheet, kind)


# --------------------------------------------------------------------------- the real checkers

def _build_for_checkers(source: Path, out: Path) -> dict[str, Path]:
    """A course in every format the checkers read: SCORM 1.2 one page for the course, 2004 one per lesson."""
    files = build(BuildOptions(source=source, out=out, formats=("epub", "scorm12", "pdf"), offline=True,
                               overrides={"mode": "single"}), Reporter())
    files += build(BuildOptions(source=source, out=out / "multi", formats=("scorm2004",), offline=True,
                                overrides={"mode": "multi"}), Reporter())
    return {kind: path for path in files for kind in ("epub", "pdf", "scorm12", "scorm2004")
            if path.name.endswith((f".{kind}", f"-{kind}.zip"))}


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """outputs(course) -> its files by format; each course is built once, when a test first asks for it."""
    built: dict[str, dict[str, Path]] = {}

    def get(name: str) -> dict[str, Path]:
        if name not in built:
            source = ACCEPTANCE if name == "acceptance" else CONTENT
            built[name] = _build_for_checkers(source, tmp_path_factory.mktemp(name))
        return built[name]

    return get


COURSES = ["content", pytest.param("acceptance", marks=needs_shared)]


@pytest.mark.slow
@needs_tools
@pytest.mark.parametrize("course", COURSES)
def test_ace_finds_nothing_critical_or_serious_in_the_epub(outputs, course, tmp_path):
    counts, report = a11y.ace(outputs(course)["epub"], tmp_path / "ace")
    assert not a11y.blocking(counts), "\n".join(a11y.ace_findings(report)[:40])
    assert report["earl:testSubject"]["metadata"]["dcterms:conformsTo"] == "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"


@pytest.mark.slow
@needs_tools
@pytest.mark.parametrize("course", COURSES)
def test_axe_finds_nothing_critical_or_serious_on_any_scorm_page(outputs, course, browser):
    pages = {**{f"1.2 {k}": v for k, v in a11y.axe_package(browser, outputs(course)["scorm12"], "1.2").items()},
             **{f"2004 {k}": v for k, v in a11y.axe_package(browser, outputs(course)["scorm2004"], "2004").items()}}
    assert len(pages) >= 2
    found = {page: a11y.blocking(a11y.axe_counts(violations)) for page, violations in pages.items()}
    assert not any(found.values()), {page: dict(counts) for page, counts in found.items() if counts}


# --------------------------------------------------------------------------- PDF/UA, read back

def _kids(element: Dictionary) -> list[Dictionary]:
    kids = element.get("/K")
    kids = [] if kids is None else list(kids) if isinstance(kids, Array) else [kids]
    return [kid for kid in kids if isinstance(kid, Dictionary) and "/S" in kid]


def _descendants(element: Dictionary):
    for kid in _kids(element):
        yield kid
        yield from _descendants(kid)


def _expected_outline(course) -> list[tuple[int, str, int]]:
    """(depth, title, heading level) of every bookmark, from the course tree's (shifted) headings."""
    entries = []
    for module in course.modules:
        depth = 2 if module.title else 1
        if module.title:
            entries.append((1, module.title, 1))
        for lesson in module.lessons:
            entries.append((depth, lesson.title, 1))
            entries += [(depth + h.level - 1, h.text, h.level) for h in lesson.headings if h.level in (2, 3)]
    return entries


@pytest.mark.slow
@pytest.mark.parametrize("name", COURSES)
def test_the_pdf_reads_back_as_pdfua(outputs, name):
    pdf = pikepdf.open(outputs(name)["pdf"])
    course = read_course(ACCEPTANCE if name == "acceptance" else CONTENT, Reporter())
    assert str(pdf.Root.Lang) == "en" and bool(pdf.Root.ViewerPreferences.DisplayDocTitle)
    with pdf.open_metadata() as meta:
        assert meta["pdfuaid:part"] == "1" and meta["dc:title"] == course.config.title
    assert bool(pdf.Root.MarkInfo.Marked)
    pages = {page.objgen: index for index, page in enumerate(pdf.pages)}
    document = pdf.Root.StructTreeRoot.K[0]
    elements = list(_descendants(document))

    # the outline is the course tree's, and each entry's page holds a heading of the entry's level
    with pdf.open_outline() as outline:
        def flatten(items, depth):
            for item in items:
                yield depth, item.title, pages[item.destination[0].objgen]
                yield from flatten(item.children, depth + 1)
        marks = list(flatten(outline.root, 1))
    expected = _expected_outline(course)
    assert [(d, t) for d, t, _ in marks] == [(d, t) for d, t, _ in expected]
    headings = {(pages[e.Pg.objgen], int(str(e.S)[2])) for e in elements if re.fullmatch(r"/H[1-6]", str(e.S))}
    missing = [(title, page) for (_, title, page), (_, _, level) in zip(marks, expected) if (page, level) not in headings]
    assert not missing
    # each lesson's title is its only H1, and no level is skipped inside a lesson
    for art in (e for e in _kids(document) if str(e.S) == "/Art"):
        levels = [int(str(e.S)[2]) for e in _descendants(art) if re.fullmatch(r"/H[1-6]", str(e.S))]
        assert levels.count(1) <= 1 and all(b - a <= 1 for a, b in zip(levels, levels[1:])), levels

    figures = [e for e in elements if str(e.S) == "/Figure"]
    assert all(str(e.get("/Alt", "")).strip() for e in figures)
    tables = [e for e in elements if str(e.S) == "/Table"]
    assert all(any(str(d.S) == "/TH" for d in _descendants(t)) for t in tables)
    assert name != "acceptance" or (len(figures) > 30 and len(tables) > 50)

    # running heads and folios: every piece of marked content is owned by the tree, or is an artifact
    owned = {e.objgen for e in elements}
    nums = pdf.Root.StructTreeRoot.ParentTree.Nums
    for index in range(0, len(nums), 2):
        if isinstance(nums[index + 1], Array):
            assert all(not isinstance(e, Dictionary) or e.objgen in owned for e in nums[index + 1])
    keys = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    for page in pdf.pages[:12]:
        marked = [(ops, str(op)) for ops, op in pikepdf.parse_content_stream(page) if str(op) in ("BDC", "BMC")]
        assert any(op == "BMC" and str(ops[0]) == "/Artifact" for ops, op in marked)  # the folio, the head
        parent_of = keys[int(page.obj.StructParents)]
        for ops, op in marked:
            if op == "BDC" and isinstance(ops[1], Dictionary) and "/MCID" in ops[1]:
                assert isinstance(parent_of[int(ops[1].MCID)], Dictionary)

    # one article per lesson (not one per page), and a lesson in another language says so
    articles = [e for e in _kids(document) if str(e.S) == "/Art"]
    assert len(articles) == len(course.lessons)
    assert [str(a.get("/Lang", "")) or None for a in articles] == [
        None if lesson.lang in (None, "en") else lesson.lang for lesson in course.lessons]
    assert name != "acceptance" or {"zh", "ar"} <= {lesson.lang for lesson in course.lessons}


def _operators(pdf: bytes) -> list[list[tuple[str, str]]]:
    import io
    with pikepdf.open(io.BytesIO(pdf)) as document:
        return [[(str(op), str(ops[0]) if ops else "") for ops, op in pikepdf.parse_content_stream(page)]
                for page in document.pages]


def test_running_heads_become_artifacts_and_nothing_else_changes(monkeypatch):
    from exporter.exporters.pdf import pdfua
    from exporter.exporters.pdf.weasy import write_pdf

    html = ('<html lang="en"><head><title>T</title><style>@page { @top-center { content: "Running head" } }'
            '</style></head><body><h1>Title</h1><p>Text</p><p style="break-before: page">More</p></body></html>')
    laid_out = write_pdf(html, {}, Reporter(), None)
    with monkeypatch.context() as patched:  # WeasyPrint's own pages are rewritten without parsing them
        patched.setattr(pikepdf, "parse_content_stream", lambda page: pytest.fail("parsed the page"))
        finished = pdfua.running_heads_as_artifacts(laid_out)
    before, after = _operators(laid_out), _operators(finished)
    changed = [(old, new) for page_before, page_after in zip(before, after, strict=True)
               for old, new in zip(page_before, page_after, strict=True) if old != new]
    assert len(changed) == len(before) == 2  # one running head a page, and nothing else
    assert all(old[0] == "BDC" and new == ("BMC", "/Artifact") for old, new in changed)
    # the operators' own parse (for content not written as WeasyPrint writes it) gives the same pages
    monkeypatch.setattr(pdfua, "_MARKED_CONTENT_START", re.compile(rb"(?!)"))
    assert _operators(pdfua.running_heads_as_artifacts(laid_out)) == after
