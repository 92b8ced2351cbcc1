"""Math through MathJax for real (Node + mathjax-full from tools/): SVG in the PDF, MathML with alttext and an
SVG `altimg` in the EPUB, MathML in the web pages; a formula MathJax rejects in a labelled box with a warning
at its own line; one Node run per build, none when the cache holds every formula; pandoc and ziamath when
MathJax cannot run."""
from __future__ import annotations

import collections
import shutil
import subprocess
import zipfile
from pathlib import Path

import pikepdf
import pytest
from lxml import etree

from exporter.cache import BuildCache
from exporter.diagnostics import Code, Reporter
from exporter.mathjax import Formula, MathJaxUnavailable, typeset_formulas
from exporter.tools import REPO_TOOLS
from exporter.normalize.tex import mathjax_compatible
from exporter.pipeline import BuildOptions, build
from conftest import write_course
from test_export_epub import NS, epubcheck_messages

LESSON = "01-formulas.md"
TEXT = r"""---
title: Formulas
---
# Formulas

Inline $\mathbb{R}^n$ and $\operatorname{rank}(A) = n$ with $\text{speed } v$.
A dot over a bold vector: $R^T\dot \mathbf{q} = R^T\dot R\mathbf{p}$.
A broken one on the third line of this paragraph: $x^2^3$ here.

$$
\begin{aligned}
r &= q \cdot p \\
s &= t
\end{aligned}
$$

$$
\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}
$$

Last, a display formula with a command MathJax does not know:

$$
\undefinedmacro{x}
$$
"""
TYPESET = {r"\mathbb{R}^n", r"\operatorname{rank}(A) = n", r"\text{speed } v",
           r"R^T\dot{\mathbf{q}} = R^T\dot R\mathbf{p}",
           "\\begin{aligned}\nr &= q \\cdot p \\\\\ns &= t\n\\end{aligned}",
           r"\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}"}
"""The TeX of every formula MathJax accepts, as its alttext (the `\\dot` argument braced by normalize)."""
REJECTED = {8: ("Double exponent: use braces to clarify", "x^2^3"), 23: (r"Undefined control sequence \undefinedmacro",
                                                           r"\undefinedmacro{x}")}
"""Line of each formula MathJax rejects -> (MathJax's message, the TeX shown in the box)."""

needs_mathjax = pytest.mark.skipif(not (REPO_TOOLS / "node_modules" / "mathjax-full").is_dir() or not shutil.which("node"),
                                   reason="no Node, or tools/node_modules has no mathjax-full: run scripts/setup.sh")


def make_course(root: Path) -> Path:
    return write_course(root, "title: Math\nslug: math\nlanguage: en\nauthor: Course Team\n", {LESSON: TEXT})


def build_math(source: Path, out: Path, formats: tuple[str, ...]) -> tuple[list[Path], Reporter]:
    reporter = Reporter()
    return build(BuildOptions(source=source, out=out, formats=formats, offline=True), reporter), reporter


def codes(reporter: Reporter) -> list[tuple[str, str, int | None]]:
    return [(d.code.value, str(d.pos.path) if d.pos else "", d.pos.line if d.pos else None)
            for d in reporter.diagnostics]


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="module")
def outputs(tmp_path_factory, cache_dir) -> dict:
    """The cold build, then the same course built again with Node out of reach: the cache must serve every
    formula, so the warm build neither fails nor falls back."""
    source = make_course(tmp_path_factory.mktemp("course"))
    cold_out, warm_out = tmp_path_factory.mktemp("cold"), tmp_path_factory.mktemp("warm")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("EXPORTER_CACHE", str(cache_dir))
        patch.setenv("SOURCE_DATE_EPOCH", "1700000000")
        _, cold = build_math(source, cold_out, ("pdf", "epub", "html"))
        patch.setenv("EXPORTER_NODE", str(tmp_path_factory.mktemp("no-node") / "node"))
        _, warm = build_math(source, warm_out, ("epub",))
    return {"source": source, "cold": cold, "warm": warm, "pdf": cold_out / "math.pdf",
            "epub": cold_out / "math.epub", "warm_epub": warm_out / "math.epub", "html": cold_out / "math-html"}


def chapter(epub: Path) -> tuple[etree._Element, dict[str, bytes]]:
    with zipfile.ZipFile(epub) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    return etree.fromstring(members["EPUB/l-01-formulas.xhtml"]), members


@needs_mathjax
def test_rejected_formulas_warn_at_their_own_line_with_mathjax_message(outputs):
    diagnostics = outputs["cold"].diagnostics
    assert sorted(codes(outputs["cold"])) == [("math.invalid", LESSON, line) for line in sorted(REJECTED)]
    for diagnostic in diagnostics:
        message, tex = REJECTED[diagnostic.pos.line]
        assert message in diagnostic.message and tex in diagnostic.message and "\n" not in diagnostic.message
    report = (outputs["pdf"].parent / "math-report.txt").read_text("utf-8")
    assert "2 × formula shown as its TeX source" not in report  # each names its own MathJax message
    for line, (message, _) in REJECTED.items():
        assert f"  {LESSON}:{line}: formula shown as its TeX source ({message})" in report


@needs_mathjax
def test_pdf_draws_formulas_as_pictures_and_boxes_the_rejected_source(outputs):
    text = subprocess.run(["pdftotext", str(outputs["pdf"]), "-"], capture_output=True, text=True,
                          check=True).stdout
    # The accepted formulas are pictures: neither their TeX nor the words inside them are text.
    for leftover in (r"\mathbb", r"\operatorname", "aligned", "pmatrix", r"\dot", "speed", "$"):
        assert leftover not in text
    assert text.count("Formula not typeset:") == 2
    assert "x^2^3" in text and r"\undefinedmacro{x}" in text
    with pikepdf.open(outputs["pdf"]) as pdf:
        page = next(p for p in pdf.pages if "Formula not typeset" in _page_text(outputs["pdf"], p, pdf))
        operators = collections.Counter(str(op) for _, op in pikepdf.parse_content_stream(page))
    assert operators["c"] > 100  # glyph outlines: curves, from MathJax's SVG paths


def _page_text(path: Path, page, pdf) -> str:
    number = list(pdf.pages).index(page) + 1
    return subprocess.run(["pdftotext", "-f", str(number), "-l", str(number), str(path), "-"],
                          capture_output=True, text=True, check=True).stdout


@needs_mathjax
def test_epub_has_mathml_with_alttext_and_an_svg_altimg_and_passes_epubcheck(outputs):
    assert epubcheck_messages(outputs["epub"]) == []
    page, members = chapter(outputs["epub"])
    formulas = page.findall(".//m:math", NS)
    assert {m.get("alttext") for m in formulas} == TYPESET
    for math in formulas:
        picture = etree.fromstring(members["EPUB/" + math.get("altimg")])
        assert picture.tag == "{http://www.w3.org/2000/svg}svg" and picture.find(".//{*}path") is not None
        assert not [a for e in math.iter() for a in e.attrib if a.startswith("data-")]
    # \mathbb and \mathbf spelled as Unicode's mathematical letters: browsers read no mathvariant
    assert {"ℝ", "𝐪"} <= {mi.text for mi in page.iter(f"{{{NS['m']}}}mi")}
    assert len(page.findall(".//m:mtable", NS)) == 2  # aligned, pmatrix
    assert any("speed" in (t.text or "") for t in page.findall(".//m:mtext", NS))
    assert page.find(".//m:mover", NS) is not None  # \dot
    displays = [m.get("alttext") for m in formulas if m.get("display") == "block"]
    assert len(displays) == 2 and all("begin" in tex for tex in displays)
    boxes = page.findall(".//x:span[@class]", NS)
    rejected = [b for b in boxes if "math-rejected" in b.get("class").split()]
    assert [b.find("x:code", NS).text for b in rejected] == [REJECTED[8][1], REJECTED[23][1]]
    assert [("math-display" in b.get("class").split()) for b in rejected] == [False, True]
    assert b"$" not in members["EPUB/l-01-formulas.xhtml"]
    package = etree.fromstring(members["EPUB/content.opf"])
    features = package.xpath("//opf:meta[@property='schema:accessibilityFeature']/text()", namespaces=NS)
    assert {"MathML", "describedMath"} <= set(features)


@needs_mathjax
def test_web_pages_carry_mathml_with_alttext(outputs):
    page = next(outputs["html"].rglob("*formulas*.html")).read_text("utf-8")
    tree = etree.HTML(page)
    assert {m.get("alttext") for m in tree.iter("math")} == TYPESET
    assert "altimg" not in page and "<annotation" not in page


@needs_mathjax
def test_a_warm_build_starts_no_node_and_gives_the_same_book(outputs):
    """The second build has EXPORTER_NODE pointing at nothing: had it needed MathJax, it would have fallen
    back with a math.no_mathjax warning and pandoc's MathML."""
    assert codes(outputs["warm"]) == codes(outputs["cold"])
    assert outputs["warm_epub"].read_bytes() == outputs["epub"].read_bytes()


@needs_mathjax
def test_the_cache_serves_formulas_without_node_and_only_those(tmp_path, monkeypatch):
    cache = BuildCache(tmp_path / "cache")
    known = [Formula(r"\sqrt{2}", False), Formula(r"\sum_i x_i", True)]
    cold = typeset_formulas(known, cache)
    assert all(result.svg and result.mathml for result in cold.values())
    monkeypatch.setenv("EXPORTER_NODE", str(tmp_path / "no-node"))
    assert typeset_formulas(known, cache) == cold
    with pytest.raises(MathJaxUnavailable, match="Node.js was not found"):
        typeset_formulas([*known, Formula("x^3", False)], cache)


@needs_mathjax
def test_formula_commands_cannot_put_links_styles_or_remote_paint_into_the_outputs(tmp_path):
    hostile = Formula(r"\href{javascript:alert(1)}{x}\style{color:red}{y}\class{z}{w}\cssId{i}{v}"
                      r"\color{url(https://example.invalid/a)}{z}", False)
    (result,) = typeset_formulas([hostile], BuildCache(None)).values()
    assert result.mathml.startswith("<math ") and "alttext=" in result.mathml and "<mi>x</mi>" in result.mathml
    for needle in ("javascript", "style=", "class=", "id=", "href", "url("):
        assert needle not in result.mathml.partition(">")[2], needle  # past the alttext, which quotes the TeX
        assert needle not in result.svg, needle


@needs_mathjax
def test_one_formula_cannot_define_a_macro_for_the_next(tmp_path):
    first, second = Formula(r"\newcommand{\R}{\mathbb{R}}\R", False), Formula(r"\R", False)
    results = typeset_formulas([first, second], BuildCache(None))
    assert results[first].mathml and results[second].error == r"Undefined control sequence \R"


def test_an_accent_over_a_styled_letter_is_braced_for_mathjax():
    assert mathjax_compatible(r"R^T\dot \mathbf{q} = R^T\dot R\mathbf{p}") == r"R^T\dot{\mathbf{q}} = R^T\dot R\mathbf{p}"
    assert mathjax_compatible(r"\hat\dot\mathbf{x} + \vec \mathbb R") == r"\hat{\dot{\mathbf{x}}} + \vec{\mathbb R}"
    assert mathjax_compatible(r"\dot{\mathbf q} \dot x \dotsm \hat\mathbf{x") == r"\dot{\mathbf q} \dot x \dotsm \hat\mathbf{x"


def test_without_mathjax_the_build_falls_back_with_one_warning(tmp_path, monkeypatch):
    """An installed wheel has no tools/: pandoc's MathML for screens, ziamath for the PDF, one warning."""
    monkeypatch.setenv("EXPORTER_TOOLS", str(tmp_path / "no-tools"))
    source = make_course(tmp_path / "course")
    reporter = Reporter()
    build(BuildOptions(source=source, out=tmp_path / "out", formats=("pdf", "epub"), offline=True, cache=False),
          reporter)
    found = codes(reporter)
    assert found.count(("math.no_mathjax", "", None)) == 1
    assert "no-tools" in next(d.message for d in reporter.diagnostics if d.code is Code.MATH_NO_MATHJAX)
    assert all(code in ("math.no_mathjax", "math.unsupported", "pdf.render") for code, _, _ in found)
    page, _ = chapter(tmp_path / "out" / "math.epub")
    assert page.find(".//m:math/m:semantics/m:annotation", NS) is not None  # pandoc's MathML
    assert (tmp_path / "out" / "math.pdf").stat().st_size > 0
