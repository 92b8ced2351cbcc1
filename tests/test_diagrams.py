"""HackMD diagrams drawn by HackMD's own libraries (real Chromium, real npm packages, real PlantUML): one build of
every format for a project holding every kind, drawn and broken, then read back from each output."""
from __future__ import annotations

import os
import re
import subprocess
import zipfile
from collections import Counter
from html import unescape
from pathlib import Path

import pytest
from lxml import html as lxml_html

from conftest import ACCEPTANCE, ROOT, needs_shared
from exporter.diagnostics import Code, Reporter
from exporter.diagrams import browser
from exporter.diagrams.picture import describe, picture_from_svg
from exporter.diagrams.table import CsvError, csv_table
from exporter.pipeline import BuildOptions, build
from test_export_epub import epubcheck_messages

PROJECT = ROOT / "tests" / "projects" / "diagrams"
LABELS = {"mermaid": "Qualified", "graphviz": "Customer", "sequence": "Discovery call", "flow": "Signed",
          "abc": "Closing Song", "vega": "Won", "plantuml": "Proposal sent", "markmap": "Negotiation"}
"""A word each drawn diagram of 01-drawn.md writes, which its picture must hold."""
LIBRARY_WORDS = {"mermaid": "Parse error", "graphviz": "syntax error", "sequence": "Parse error",
                 "flow": "Cannot", "abc": "Unknown parameter", "vega": "JSON", "plantuml": "Syntax Error",
                 "markmap": "empty", "csvpreview": "CSV error"}
"""Words of each library's own error message for the blocks of 02-broken.md."""
needs_renderers = pytest.mark.skipif(browser.node_modules() is None, reason="the diagram libraries are not "
                                     "installed in tools/ (run `make setup`)")
FORMATS = ("html", "pdf", "epub", "scorm2004")


def fence_lines(path: Path) -> dict[int, str]:
    """Line -> kind of every diagram fence of a lesson, read from the file itself."""
    found = {}
    inside = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = re.match(r"^```([\w-]+)", line)
        if match and not inside:
            found[number] = match.group(1)
            inside = True
        elif line.startswith("```"):
            inside = False
    return found


def _build(out: Path, cache: Path, formats: tuple[str, ...], **env: str) -> tuple[list[Path], Reporter]:
    saved = {name: os.environ.get(name) for name in ("EXPORTER_CACHE", *env)}
    os.environ.update({"EXPORTER_CACHE": str(cache), **env})
    try:
        reporter = Reporter()
        written = build(BuildOptions(source=PROJECT, out=out, formats=formats, offline=True), reporter)
        return written, reporter
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@pytest.fixture(scope="module")
def cold(tmp_path_factory):
    """Every format from one build with an empty cache: one browser session, one PlantUML run."""
    cache = tmp_path_factory.mktemp("cache")
    written, reporter = _build(tmp_path_factory.mktemp("out"), cache, FORMATS)
    return {p.suffix or p.name.rsplit("-", 1)[-1]: p for p in written}, reporter, cache


def lesson_page(cold, name: str):
    folder = next(p for p in cold[0].values() if p.is_dir())
    return folder, lxml_html.fromstring((folder / f"l-{name}.html").read_text(encoding="utf-8"))


def drawn_svgs(folder: Path, page) -> dict[str, tuple[str, str]]:
    """kind -> (SVG text, alt) of each figure on the page."""
    out = {}
    for figure in page.iter("figure"):
        kind = figure.get("class").split()[-1].removeprefix("diagram-")
        img = figure.find(".//img")
        out[kind] = ((folder / img.get("src")).read_text(encoding="utf-8"), img.get("alt"))
    return out


@pytest.mark.slow
@needs_renderers
def test_each_kind_is_drawn_as_an_svg_holding_a_label_of_its_source(cold):
    folder, page = lesson_page(cold, "01-drawn")
    drawn = drawn_svgs(folder, page)
    assert set(drawn) == set(LABELS)
    for kind, label in LABELS.items():
        svg, alt = drawn[kind]
        assert svg.startswith("<?xml") and "<svg" in svg, kind
        assert label in svg, (kind, label)
        assert alt.split(":")[0] in describe(kind, "x")
        assert alt == unescape(re.search(r"<title>([^<]*)</title>", svg).group(1))
    assert drawn["sequence"][1] == "Sequence diagram: First call"
    assert drawn["vega"][1] == "Vega chart: Deals by outcome"


@pytest.mark.slow
@needs_renderers
def test_csvpreview_is_a_table_with_its_header_and_delimiter(cold):
    _, page = lesson_page(cold, "01-drawn")
    table = page.find_class("csvpreview")[0]
    assert [th.text for th in table.iter("th")] == ["Stage", "Owner"]
    assert [td.text for td in table.iter("td")] == ["Demo", "Ann"]


@pytest.mark.slow
@needs_renderers
def test_a_broken_diagram_keeps_its_source_and_warns_at_its_line_with_the_library_message(cold):
    _, reporter, _ = cold
    broken = fence_lines(PROJECT / "02-broken.md")
    warned = {d.pos.line: d.message for d in reporter.diagnostics
              if d.code == Code.HACKMD_DIAGRAM and d.pos.path == "02-broken.md"}
    assert sorted(warned) == sorted(broken)
    for line, kind in broken.items():
        assert warned[line].startswith(f"{kind} diagram could not be drawn: "), warned[line]
        assert LIBRARY_WORDS[kind] in warned[line], (kind, warned[line])
    _, page = lesson_page(cold, "02-broken")
    assert list(page.iter("figure")) == [] and len(page.find_class("diagram")) == len(broken)
    labels = [p.text_content() for p in page.find_class("diagram-label")]
    assert len(labels) == len(broken) and labels[0] == "Mermaid diagram: source shown, not drawn"
    report = next(p for p in cold[0].values() if p.name.endswith("-report.txt")).read_text()
    assert all(f"02-broken.md:{line}: {kind} diagram shown as its source code" in report
               for line, kind in broken.items())
    # a drawn diagram is no loss: of the first lesson, only the fretboard is reported
    [loss] = [line for line in report.splitlines() if "01-drawn.md" in line and "diagram" in line]
    assert "fretboard diagram shown as its source code" in loss


@pytest.mark.slow
@needs_renderers
def test_fretboard_keeps_its_labelled_source_with_a_warning_saying_why(cold):
    _, reporter, _ = cold
    line = next(n for n, kind in fence_lines(PROJECT / "01-drawn.md").items() if kind == "fretboard")
    [warning] = [d for d in reporter.diagnostics if d.code == Code.HACKMD_DIAGRAM and d.pos.path == "01-drawn.md"]
    assert warning.pos.line == line and "no JavaScript library draws" in warning.message
    assert [d for d in reporter.diagnostics if d.code == Code.DIAGRAM_NO_RENDERER] == []


@pytest.mark.slow
@needs_renderers
def test_the_epub_carries_the_svg_files_and_epubcheck_finds_nothing(cold):
    epub = cold[0][".epub"]
    assert epubcheck_messages(epub) == []
    with zipfile.ZipFile(epub) as archive:
        svgs = [n for n in archive.namelist() if re.search(r"assets/diagram-\w+\.svg$", n)]
        chapter = next(archive.read(n).decode() for n in archive.namelist() if "01-drawn" in n)
    assert len(svgs) == len(LABELS)
    assert chapter.count('class="diagram"') == len(LABELS) and "<script" not in chapter


@pytest.mark.slow
@needs_renderers
def test_the_pdf_prints_the_same_drawings(cold):
    text = subprocess.run(["pdftotext", cold[0][".pdf"], "-"], capture_output=True, text=True, check=True).stdout
    for label in ("Qualified", "Customer", "Discovery call", "Signed", "Proposal sent", "Negotiation", "Won"):
        assert label in text, label


@pytest.mark.slow
@needs_renderers
def test_scorm_pages_show_the_svg_files_and_run_no_diagram_script(cold):
    with zipfile.ZipFile(cold[0][".zip"]) as package:
        names = package.namelist()
        pages = "".join(package.read(n).decode() for n in names if n.endswith(".html"))
        svgs = [package.read(n).decode() for n in names if re.search(r"diagram-\w+\.svg$", n)]
    assert len(svgs) == len(LABELS) and pages.count('class="diagram"') >= len(LABELS)
    assert not re.search(r"mermaid|vega|abcjs|raphael|https?://cdn", " ".join(re.findall(r"<script[^>]*>", pages)))
    for svg in svgs:  # the sanitizer policy: no script, no handlers, no foreign URLs
        assert not re.search(r"<script|\son\w+=|(?:xlink:)?href=\"(?!#|data:image/)", svg)


@pytest.mark.slow
@needs_renderers
def test_a_warm_rebuild_draws_nothing_again(cold, tmp_path, monkeypatch):
    """With no Chromium to start and no PlantUML on PATH, a rebuild on the warm cache shows every diagram as
    before: each came from the cache, none needed a browser or Java."""
    nowhere = tmp_path / "no-tools"
    nowhere.mkdir()
    monkeypatch.setattr(browser, "CHROMIUM", str(nowhere / "chromium"))
    written, reporter = _build(tmp_path / "out", cold[2], ("html",), PATH=str(nowhere))
    assert [d for d in reporter.diagnostics if d.code == Code.DIAGRAM_NO_RENDERER] == []
    folder = next(p for p in written if p.is_dir())
    cold_folder, _ = lesson_page(cold, "01-drawn")
    assert (folder / "l-01-drawn.html").read_bytes() == (cold_folder / "l-01-drawn.html").read_bytes()
    assert sorted(p.name for p in (folder / "assets").iterdir()) == \
        sorted(p.name for p in (cold_folder / "assets").iterdir())


def test_without_renderers_diagrams_keep_their_source_with_one_warning(tmp_path):
    nowhere = tmp_path / "no-tools"
    nowhere.mkdir()
    written, reporter = _build(tmp_path / "out", tmp_path / "cache", ("html",), EXPORTER_TOOLS=str(nowhere),
                               PATH=str(nowhere))
    [warning] = [d for d in reporter.diagnostics if d.code == Code.DIAGRAM_NO_RENDERER]
    assert "EXPORTER_TOOLS" in warning.message and "PlantUML is not installed" in warning.message
    assert warning.pos.path == "01-drawn.md" and warning.pos.line == min(fence_lines(PROJECT / "01-drawn.md"))
    page = (next(p for p in written if p.is_dir()) / "l-01-drawn.html").read_text(encoding="utf-8")
    assert "<figure" not in page and page.count('diagram"') >= len(LABELS)
    assert "<table class=\"csvpreview\">" in page  # needs no renderer


@needs_shared
@needs_renderers
@pytest.mark.slow
def test_the_acceptance_course_warns_only_about_diagrams_no_library_can_draw_offline(tmp_path):
    reporter = Reporter()
    build(BuildOptions(source=ACCEPTANCE, out=tmp_path / "out", formats=("html",), offline=True), reporter)
    left = Counter(d.message.split(" ", 1)[0] for d in reporter.diagnostics if d.code == Code.HACKMD_DIAGRAM)
    # fretboard: no library; vega: both specs read their data from a URL, which an offline build does not fetch
    assert left == {"fretboard": 2, "vega": 2}
    assert all("its data comes from https://" in d.message for d in reporter.diagnostics
               if d.code == Code.HACKMD_DIAGRAM and d.message.startswith("vega"))


# ---------------------------------------------------------------------------- the parts, without a browser


def test_a_library_svg_is_sanitized_titled_and_sized_to_the_page():
    evil = ('<svg width="1280" height="200" viewBox="0 0 1280 200" onload="alert(1)"><script>alert(2)</script>'
            '<a href="https://evil.example/"><text x="1" y="20" onclick="x()">Pipeline</text></a>'
            '<image href="https://evil.example/p.png"/><foreignObject><div>html</div></foreignObject></svg>')
    picture = picture_from_svg(evil, "Mermaid diagram: Pipeline")
    svg = picture.svg.decode()
    assert "Pipeline</text>" in svg and "<title>Mermaid diagram: Pipeline</title>" in svg
    assert not re.search(r"script|onload|onclick|evil\.example|foreignObject", svg)
    assert (picture.width, picture.height) == (640, 100)


def test_the_same_drawing_gives_the_same_bytes_whatever_ids_the_library_picked():
    """Raphaël names markers at random and mermaid counts across a page: ids are renumbered, references along."""
    def drawn(marker: str) -> bytes:
        return picture_from_svg(
            f'<svg width="10" height="10" aria-labelledby="t-{marker}"><title id="t-{marker}">x</title>'
            f'<style>#{marker} path {{ fill: red }}</style><marker id="{marker}"/>'
            f'<path marker-end="url(#{marker})" d="M0 0"/><use href="#{marker}"/></svg>', "Flowchart: x").svg
    assert drawn("raphael-marker-objbwvy3") == drawn("raphael-marker-obj4jk94")
    svg = drawn("raphael-marker-objbwvy3").decode()
    assert 'id="d2"' in svg and 'url(#d2)' in svg and 'href="#d2"' in svg and "#d2 path" in svg
    assert 'aria-labelledby="d1"' in svg


def test_csvpreview_reads_hackmd_options_and_reports_bad_csv():
    assert csv_table("a;b\n1;2", {"header": "true", "delimiter": ";"}) == (
        '<table class="csvpreview"><thead><tr><th scope="col">a</th><th scope="col">b</th></tr></thead>'
        "<tbody><tr><td>1</td><td>2</td></tr></tbody></table>")
    assert "<thead>" not in csv_table("a,b\n1,2", {}) and "<td>b</td>" in csv_table("a,b\n1,2", {})
    assert "<td>x|y</td>" not in csv_table("x|y\n1|2", {})  # the delimiter is guessed, as Papa Parse does
    with pytest.raises(CsvError, match="line 2"):
        csv_table('name,role\n"Ann,Buyer', {})


def test_the_text_alternative_is_the_kind_and_the_title_or_first_line():
    assert describe("mermaid", "---\ntitle: Funnel\n---\ngraph TD\n A-->B") == "Mermaid diagram: Funnel"
    assert describe("abc", "X:1\nT:Reel\nK:D") == "Music score: Reel"
    assert describe("graphviz", "\ndigraph { a -> b }") == "Graphviz diagram: digraph { a -> b }"
    assert describe("plantuml", "title Handover\nA -> B") == "PlantUML diagram: Handover"


GANTT = ("gantt\n    dateFormat YYYY-MM-DD\n    section Work\n    Plan :a1, 2014-01-01, 10d\n"
         "    Build :after a1, 20d\n")


def _today_x(svg: str) -> float:
    return float(re.search(r'<line[^>]*x1="([\d.]+)"[^>]*class="today"', svg).group(1))


@pytest.mark.slow
@needs_renderers
def test_a_gantt_chart_is_drawn_at_the_builds_date_not_the_clocks(monkeypatch):
    """mermaid marks "today" on a Gantt chart: drawn by the wall clock, two builds of the same course a day
    apart differed. The page's clock is the build's date (SOURCE_DATE_EPOCH), as for every date in the outputs."""
    drawn = {}
    for day, epoch in (("2014-01-05", 1388880000), ("2014-01-25", 1390608000)):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", str(epoch))
        first, again = browser.draw_in_browser([("mermaid", GANTT, "g1"), ("mermaid", GANTT, "g2")])
        assert first.error is None and first.svg.replace("g1", "g2") == again.svg  # the same drawing twice
        drawn[day] = _today_x(first.svg)
    # both inside the chart's 30 days and in order (the wall clock, twelve years on, lies far to the right)
    assert drawn["2014-01-05"] < drawn["2014-01-25"] < 2000
    keyed = browser.library_versions("mermaid")
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert browser.library_versions("mermaid") != keyed  # the date is part of a drawing's cache key
