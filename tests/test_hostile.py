"""Issue 17: what a fuzzer found, kept as regression tests, plus every saved fuzz finding replayed.

Each test names the finding it guards. The inputs are the fuzzer's (or smaller ones of the same shape);
the assertions are the diagnostics an author should see instead of a traceback, a hang or a leak.
"""
from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from exporter import pandoc
from exporter.cli import app
from exporter.config import CourseConfig
from exporter.diagnostics import Reporter, Severity
from exporter.model import LessonSource
from exporter.normalize import normalize
from exporter.normalize.dump import dump_lesson
from exporter.pipeline import BuildOptions, build, read_course
from fuzz.cases import CANARY, load_case, materialize
from fuzz.oracle import judge_artifact, judge_page, run_case

HOSTILE = Path(__file__).parent / "fixtures" / "hostile"
runner = CliRunner()


def make(tmp_path: Path, lessons: dict[str, str], course_yml: str | None = None,
         links: dict[str, str] | None = None) -> Path:
    """A course folder beside an `outside/` folder holding the canary (see fuzz/cases.py)."""
    files = [{"name": name, "text": text} for name, text in lessons.items()]
    files += [{"name": name, "symlink": target} for name, target in (links or {}).items()]
    return materialize({"course_yml": course_yml, "files": files}, tmp_path)


def codes(reporter: Reporter) -> list[tuple[str, str | None, int | None]]:
    return [(d.code.value, d.pos.path if d.pos else None, d.pos.line if d.pos else None) for d in reporter.diagnostics]


def tree_of(source: Path) -> tuple[Reporter, object]:
    reporter = Reporter()
    return reporter, read_course(source, reporter)


def build_formats(source: Path, out: Path, *formats: str, skip_broken: bool = False) -> tuple[list[Path], Reporter]:
    reporter = Reporter()
    written = build(BuildOptions(source=source, out=out, formats=formats, offline=True, skip_broken=skip_broken),
                    reporter)
    return written, reporter


def leaks(paths: list[Path]) -> list[str]:
    return [p.detail for path in paths for p in judge_artifact(path)]


# ------------------------------------------------------------------------------------------ security

def test_embed_vocabulary_written_by_a_lesson_never_reaches_a_package(tmp_path):
    """Finding: `<div class="embed" data-player="javascript:…">` and `[x]{.embed data-player=…}` put a
    javascript: URL or a foreign page into the SCORM video player."""
    source = make(tmp_path, {"01.md": '# T\n\n<div class="embed" data-player="javascript:alert(1)//">x</div>\n\n'
                                      '[x]{.embed data-player="https://evil.example"}\n\n'
                                      '[y]{.embed provider="youtube" target="https://evil.example/embed/abcdefg"}\n\n'
                                      "{%youtube _Vn87bvG0eU %}\n"})
    written, reporter = build_formats(source, tmp_path / "out", "scorm2004", "epub")
    assert leaks(written) == []
    page = zipfile.ZipFile(next(p for p in written if p.name.endswith("scorm2004.zip"))).read("index.html").decode()
    assert page.count("data-player=") == 1 and "evil" not in page and "javascript" not in page
    assert [(c, line) for c, _, line in codes(reporter) if c == "html.reserved"] == [
        ("html.reserved", 3), ("html.reserved", 5), ("html.reserved", 7)]


def test_embed_target_that_is_no_address_is_dropped(tmp_path):
    """`{%pdf javascript:alert%281%29 %}` would have become the card's link."""
    reporter, course = tree_of(make(tmp_path, {"01.md": "{%pdf javascript:alert%281%29 %}\n\n{%pdf https://e.example/a.pdf %}\n"}))
    assert dump_lesson(course.lessons[0]) == "Embed(pdf https://e.example/a.pdf) @3"
    assert codes(reporter) == [("hackmd.bad_embed", "01.md", 1)]


def test_a_lesson_that_links_outside_the_course_is_refused(tmp_path):
    """Finding: a lesson that is a symlink to /etc/passwd built with exit 0 and became an EPUB chapter."""
    source = make(tmp_path, {"01.md": "# A\n\nhi\n"}, links={"02.md": "{outside}/secret.md"})
    written, reporter = build_formats(source, tmp_path / "out", "epub", skip_broken=True)
    assert ("load.outside_root", "02.md", 1) in codes(reporter)
    assert "through a symbolic link" in reporter.errors_in("02.md")[0].message
    assert leaks(written) == [] and all(CANARY.encode() not in p.read_bytes() for p in written)


def test_course_yml_cannot_list_a_file_outside_the_course(tmp_path):
    """Finding: `../../../../etc/passwd` as a lesson in course.yml was published."""
    source = make(tmp_path, {"01.md": "# A\n\nhi\n"},
                  "title: X\nlessons: [01.md, ../outside/secret.md, /etc/passwd]\n")
    reporter, course = tree_of(source)
    assert [lesson.source for lesson in course.lessons] == ["01.md"]
    assert [c for c in codes(reporter)] == [("load.outside_root", "course.yml", 1)] * 2


def test_a_lesson_listed_twice_is_one_lesson(tmp_path):
    """Finding: `01.md` and `./01.md` in course.yml gave an EPUB with duplicate zip members."""
    source = make(tmp_path, {"01.md": "# T\n\nhi\n"}, "title: X\nauthor: A\nlessons: [01.md, ./01.md]\n")
    written, reporter = build_formats(source, tmp_path / "out", "epub")
    assert codes(reporter) == [("load.duplicate_lesson", "course.yml", 1)]
    assert "'./01.md' is the same file as '01.md'" in reporter.diagnostics[0].message
    assert leaks(written) == []


# ------------------------------------------------------------------------------ tracebacks -> diagnostics

def test_stray_closing_divs_do_not_break_the_lesson(tmp_path):
    """Finding: `</div></div>` raised lxml's ParserError "Multiple elements found" in fragments.py."""
    source = make(tmp_path, {"01.md": "x\n\n</div></div>\n\ny after\n", "02.md": "# Two\n\nsecond\n"})
    written, reporter = build_formats(source, tmp_path / "out", "epub")
    with zipfile.ZipFile(written[0]) as book:
        first = book.read("EPUB/l-01.xhtml").decode()
    assert "y after" in first and "second" not in first and leaks(written) == []


@pytest.mark.parametrize("lesson, course_yml, where", [
    ("# A\aB\n\nhi\n", None, ("01.md", 1)),
    ('---\ntitle: "A\\x01B"\n---\nhi\n', None, ("01.md", 2)),
    ('---\ntitle: "A\\ud800B"\n---\nhi\n', None, ("01.md", 2)),
    ("hi\n", 'title: "C\\x01D"\nauthor: "\\ud800"\n', ("course.yml", 1)),
], ids=["bell-in-heading", "x01-in-front-matter", "surrogate-in-front-matter", "course-yml"])
def test_control_characters_and_lone_surrogates_are_removed_at_load(tmp_path, lesson, course_yml, where):
    """Finding: `# A\\aB`, `\\x01` or `"\\ud800"` in a title: XMLSyntaxError / UnicodeEncodeError in the EPUB."""
    source = make(tmp_path, {"01.md": lesson}, course_yml)
    written, reporter = build_formats(source, tmp_path / "out", "epub", "scorm12")
    assert ("load.control_chars", *where) in codes(reporter)
    assert reporter.count(Severity.ERROR) == 0 and leaks(written) == []


def test_file_names_that_are_not_text_are_refused_by_name(tmp_path):
    """Findings: `caf\\xe9.md` (not UTF-8) raised UnicodeEncodeError; `a\\nb.md` split a diagnostic in two."""
    source = tmp_path / "course"
    source.mkdir()
    (source / "01.md").write_text("# A\n\nhi\n")
    with open(os.fsencode(source) + b"/caf\xe9.md", "wb") as handle:
        handle.write(b"# Cafe\n")
    (source / "a\nb.md").write_text("# N\n")
    result = runner.invoke(app, ["tree", str(source)])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    errors = [line for line in result.stderr.splitlines() if "load.bad_name" in line]
    assert [e.split(": error:")[0].rsplit("/", 1)[-1] for e in errors] == ["a\\nb.md:1", "caf\\xe9.md:1"]
    assert result.exit_code == 1


@pytest.mark.parametrize("yaml_text, problem", [
    ("x: !!int abc", "'abc' is not a valid int"),
    ("x: " + "9" * 5000, "is not a valid int"),
    ("x: " + "[" * 3000 + "]" * 3000, "nest more than 32 levels"),
    ("a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
     "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\ntitle: *e", "expands to more"),
], ids=["bad-int", "5000-digits", "3000-deep", "alias-bomb"])
def test_front_matter_values_that_raised_are_yaml_errors(tmp_path, yaml_text, problem):
    """Findings: ValueError from `!!int abc` and a 5,000-digit number, RecursionError from `[[[…` x 3000,
    and an alias bomb as the title (47 s, then a traceback)."""
    reporter, course = tree_of(make(tmp_path, {"01.md": f"---\n{yaml_text}\n---\nhi\n"}))
    assert [c for c, _, _ in codes(reporter)] == ["front_matter.invalid"]
    assert problem in reporter.diagnostics[0].message and reporter.diagnostics[0].pos.path == "01.md"


def test_course_yml_values_that_raised_are_errors(tmp_path):
    """Findings: `scorm: {lms: [moodle]}` (TypeError: unhashable), an alias bomb as the course title."""
    reporter, _ = tree_of(make(tmp_path, {"01.md": "hi\n"}, "title: X\nscorm: {lms: [moodle]}\npdf: {notes_lines: 99999}\n"))
    assert [d.message.split(";")[0] for d in reporter.diagnostics] == [
        "'notes_lines' must be a number from 0 to 60, not 99999", "'lms' must be text, not ['moodle']"]
    bomb = "a: &a [x,x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"{b}: &{b} [{', '.join(['*' + a] * 10)}]\n" for a, b in zip("abcdef", "bcdefg")) + "title: *g\n"
    reporter, course = tree_of(make(tmp_path / "bomb", {"01.md": "hi\n"}, bomb))
    assert codes(reporter) == [("config.invalid", "course.yml", 5)] and course.config.title == "Course"


def test_an_impossible_date_is_text(tmp_path):
    """Finding: `date: 2024-02-30` raised ValueError; a date is only text to exporter."""
    reporter, course = tree_of(make(tmp_path, {"01.md": "---\ndate: 2024-02-30\n---\nhi\n"}, "title: X\ndate: 2024-02-30\n"))
    assert codes(reporter) == [] and course.config.date == "2024-02-30"


@pytest.mark.parametrize("text", [">" * 200 + " deep\n", "".join("  " * i + "- x\n" for i in range(200))],
                         ids=["quotes", "lists"])
def test_nesting_past_the_cap_is_an_error_naming_the_lesson(tmp_path, text):
    """Finding: RecursionError in json.loads of pandoc's output for 200 nested `>` or list levels."""
    reporter, course = tree_of(make(tmp_path, {"01.md": "# Fine\n\nok\n", "02.md": text}))
    assert codes(reporter) == [("hackmd.too_deep", "02.md", 1)]
    assert dump_lesson(course.lessons[0]) == "Para @3: ok"


@pytest.mark.parametrize("text", ["\n".join([":::info"] * 200) + "\nx\n" + "\n".join([":::"] * 200) + "\n",
                                  "\n".join([":::info"] * 1000) + "\nx\n", " ::: info " * 20_000 + "\n"],
                         ids=["200-nested", "1000-unclosed", "20000-on-one-line"])
def test_containers_nest_at_most_sixteen_deep(tmp_path, text):
    """Findings: 200 nested :::info broke `tree`'s dump (RecursionError); 1,000 took 107 s; one flattened
    line of ` ::: info ` x 100,000 became 100,000 nested containers (20,000 here: as many levels)."""
    source = make(tmp_path, {"01.md": text})
    result = runner.invoke(app, ["tree", str(source), "--blocks"])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stdout.count("Callout(info)") == 16 and "hackmd.too_deep" in result.stderr


def test_attributes_that_are_not_numbers_are_dropped(tmp_path):
    """Findings: ```{.numberLines startFrom="abc"}```, `# H {data-line="x"}`, `data-line="³"` in raw HTML
    and `{.exercise lines="²"}` (passes isdigit()) each raised ValueError; the PDF is built to be sure."""
    source = make(tmp_path, {"01.md": '```{.numberLines startFrom="abc"}\nx\n```\n\n# H {data-line="x"}\n\n'
                                      '<div data-line="³">y</div>\n\n::: {.exercise lines="²"}\nDo it\n:::\n'},
                  "title: X\nauthor: A\n")
    written, reporter = build_formats(source, tmp_path / "out", "pdf", "epub")
    assert sorted(codes(reporter)) == [("hackmd.bad_attribute", "01.md", 1), ("html.reserved", "01.md", 5),
                                       ("html.reserved", "01.md", 7)]
    lesson = read_course(source, Reporter()).lessons[0]
    assert [h.line for h in lesson.headings] == [5] and "Exercise @9" in dump_lesson(lesson)


def test_an_image_path_too_long_for_the_file_system_is_missing(tmp_path):
    """Finding: an image path component over 255 characters raised OSError (ENAMETOOLONG)."""
    source = make(tmp_path, {"01.md": "![x](" + "a" * 300 + "/b.png)\n"}, "title: X\nauthor: A\n")
    written, reporter = build_formats(source, tmp_path / "out", "epub")
    assert codes(reporter) == [("asset.missing", "01.md", 1)] and "File name too long" in reporter.diagnostics[0].message


# ------------------------------------------------------------------------------------- hangs and blow-ups

def test_a_megabyte_of_backticks_is_read(tmp_path):
    """Finding: the code-span regex was quadratic (8,000 backticks took 1 s; 1 MB would take hours). The
    second lesson's 10,000 code spans once cost a count of the whole text each (also quadratic)."""
    reporter, course = tree_of(make(tmp_path, {"01.md": "`" * 1_000_000 + "\n", "02.md": "x `" * 20_000 + "\n"}))
    assert [c for c, _, _ in codes(reporter)] == ["hackmd.unclosed_fence"]


@pytest.mark.parametrize("text", ["x[^a]\n\n> [^a]: see [^a]\n", "x[^a]\n\n- [^a]: see [^a]\n",
                                  "x[^a b]\n\n[^a b]: see [^a b]\n", "x[^a]\n\n[^a]: y\n\n    more [^A]\n"],
                         ids=["in-quote", "in-list", "label-with-space", "indented-continuation"])
def test_self_referencing_footnotes_are_cut_wherever_they_are_defined(tmp_path, text):
    """Finding: footnotes that call themselves from inside `>`, a list item, or under a label with a
    space got past the guard and ran pandoc for two minutes to its 4 GB heap cap."""
    reporter, course = tree_of(make(tmp_path, {"01.md": text}))
    assert [c for c, _, _ in codes(reporter)] == ["hackmd.nested_footnote"]


def test_a_pandoc_blow_up_names_the_lesson_and_spares_the_others(tmp_path, monkeypatch):
    """Finding: pandoc's heap cap showed its own `+RTS -M<size>` advice and no lesson. The read is now
    bisected until the lesson is found; here a heap cap the big lesson cannot fit in stands in for a loop
    (pandoc is real; only its allowance is made small)."""
    monkeypatch.setattr(pandoc, "READ_LIMITS", pandoc.Limits(20, 0, 48, 0))
    lessons = {f"{n:02d}.md": f"# L{n}\n\nText {n}.\n" for n in range(7)}
    lessons["03.md"] = "".join(f"- item {i} *x* [l](u)\n" for i in range(60_000))
    reporter, course = tree_of(make(tmp_path, lessons))
    assert codes(reporter) == [("pandoc.failed", "03.md", 1)]
    assert "more than 48 MB" in reporter.diagnostics[0].message and "RTS" not in reporter.diagnostics[0].message
    assert [len(lesson.body) for lesson in course.lessons] == [1, 1, 1, 0, 1, 1, 1]


def test_a_list_left_open_cannot_take_the_next_lesson(tmp_path):
    """A list item left open at the end of one lesson took the next lesson's indented text into it (pandoc
    reads the course as one text). The paragraph normalize puts after each lesson (its canary) ends the list,
    so each lesson reads as it would alone, and there is nothing to tell the author."""
    reporter, course = tree_of(make(tmp_path, {"01.md": "- item\n", "02.md": "    indented\n\nB text\n"}))
    assert codes(reporter) == []
    assert "indented" not in dump_lesson(course.lessons[0]) and "indented" in dump_lesson(course.lessons[1])


def test_a_lesson_that_leaves_a_comment_open_is_read_alone(tmp_path):
    """A construct that runs to its own end marker (here a processing instruction) swallows the canary, and
    with it the lessons after it: that lesson is read on its own and named, whatever follows it."""
    reporter, course = tree_of(make(tmp_path, {"01.md": "A\n\n<?php echo 1;\n", "02.md": "B text\n"}))
    assert [(c, path) for c, path, _ in codes(reporter)] == [("hackmd.unclosed_container", "01.md")]
    assert "B text" not in dump_lesson(course.lessons[0]) and "B text" in dump_lesson(course.lessons[1])


# ------------------------------------------------------------------------------------ misleading diagnostics

def test_line_numbers_never_come_from_the_content(tmp_path):
    """Finding: `<div data-line="88888">` made a 13-line file report line 88888."""
    text = "# T\n\n" + "\n".join(f"Line {n}." for n in range(3, 12)) + '\n\n<div data-line="88888">x</div> ![i](nope.png)\n'
    source = make(tmp_path, {"01.md": text}, "title: X\nauthor: A\n")
    written, reporter = build_formats(source, tmp_path / "out", "epub")
    assert text.count("\n") == 13 and all(1 <= d.pos.line <= 13 for d in reporter.diagnostics)


def test_no_course_yml_means_no_course_yml_in_diagnostics(tmp_path):
    """Finding: `course.yml:1` warnings were printed for a course that has no course.yml."""
    written, reporter = build_formats(make(tmp_path, {"01.md": "# T\n\nhi\n"}), tmp_path / "out", "epub", "scorm12")
    assert [d.code.value for d in reporter.diagnostics] == ["epub.metadata"]
    assert all(d.pos is None for d in reporter.diagnostics)


# --------------------------------------------------------------------------------- the oracle can fail

def test_the_fuzz_oracle_sees_every_kind_of_leak():
    page = (b'<html><body><script>x()</script><iframe src="https://e"></iframe><a href=" jav\tascript:x">a</a>'
            b'<p onclick="x">p</p><button data-player="https://evil.example/x">b</button>'
            b'<img src="https://remote.example/i.png"></body></html>')
    found = {p.signature for p in judge_page("book.epub/EPUB/x.xhtml", page, ebook=True)}
    assert found == {"ill-formed xhtml", "script", "frame iframe", "dangerous url href", "event handler",
                     "foreign player", "remote image in ebook"}
    assert judge_page("pkg/index.html", b'<body><script src="runtime.js"></script></body>', ebook=False) == []


def test_the_fuzz_oracle_finds_a_file_from_outside_and_duplicate_members(tmp_path):
    path = tmp_path / "x.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.html", f"<body>{CANARY}</body>")
        archive.writestr("b.html", "<body></body>")
        with pytest.warns(UserWarning, match="Duplicate name"):
            archive.writestr("b.html", "<body></body>")
    assert {p.signature for p in judge_artifact(path)} == {"outside file", "duplicate zip members"}


# --------------------------------------------------------------------------- every saved fuzz finding

FINDINGS = sorted(HOSTILE.glob("*.json"))


@pytest.mark.parametrize("path", FINDINGS, ids=[p.stem for p in FINDINGS])
def test_fuzz_finding_stays_fixed(tmp_path, path):
    """A case `make fuzz` once caught (tests/fixtures/hostile/*.json), run as the fuzzer runs it."""
    case = load_case(path)
    outcome = run_case(case, tmp_path, tuple(f for f in case.get("formats", ("epub", "scorm2004")) if f != "pdf"))
    assert [p.detail for p in outcome.problems] == []


def test_normalize_survives_a_course_of_every_hostile_lesson():
    """Every hand-written hostile lesson of this file in one course (one pandoc call): the bisection
    and the per-lesson guards must not disturb each other."""
    texts = [">" * 200 + " deep\n", "x[^a b]\n\n[^a b]: see [^a b]\n", "</div></div>\n", "# A\aB\n", "ok\n"]
    sources = [LessonSource(path=f"{i}.md", text=t.replace("\a", ""), front_matter={}) for i, t in enumerate(texts)]
    reporter = Reporter()
    course = normalize(sources, CourseConfig(title="t", slug="t"), reporter)
    assert [lesson.title for lesson in course.lessons][-2:] == ["AB", "4"]
    assert [c for c, _, _ in codes(reporter)] == ["hackmd.nested_footnote", "hackmd.too_deep"]


# ------------------------------------------------------------------------------- found by `make fuzz`

def test_raw_html_nested_past_the_cap_is_flattened(tmp_path):
    """fuzz: `<details><summary>` 300 deep (and `<span>` 300 deep in a paragraph) made EPUB pages deeper than
    libxml2 reads ("Excessive depth in document: 256")."""
    source = make(tmp_path, {"01.md": "<details><summary>s</summary>" * 300 + "\n\ntext\n\n" + "<span>" * 300 + "x\n"},
                  "title: X\nauthor: A\n")
    written, reporter = build_formats(source, tmp_path / "out", "epub")
    assert leaks(written) == [] and [c for c, _, _ in codes(reporter)] == ["hackmd.too_deep"] * 2


def test_wrapper_attribute_on_a_link_or_code_is_no_sourcepos_wrapper(tmp_path):
    """fuzz: `{wrapper=1}` after a link or code span was unwrapped like pandoc's own wrapper Spans, and the
    code's text became a block (TypeError: string indices must be integers)."""
    reporter, course = tree_of(make(tmp_path, {"01.md": "a `x`{wrapper=1} [l](u){wrapper=1}\n"}))
    assert dump_lesson(course.lessons[0]) == "Para @1: a Code('x') Link(u 'l')"


# ------------------------------------------------------------------------------- the runtime's allow-list

@pytest.mark.slow
def test_runtime_plays_only_its_own_players(browser, tmp_path):
    """Whatever puts a `data-player` on a play button (the finding: a lesson could), the SCORM runtime loads
    only youtube-nocookie and Vimeo players into a frame; javascript: and foreign pages are never framed."""
    from browser.lms import launch, serve

    source = make(tmp_path, {"01.md": "# Video\n\n{%youtube _Vn87bvG0eU %}\n"}, "title: X\nauthor: A\n")
    written, _ = build_formats(source, tmp_path / "out", "scorm2004")
    package = tmp_path / "pkg"
    zipfile.ZipFile(written[0]).extractall(package)
    context = browser.new_context()
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("http://127.0.0.1:")
                  else route.abort())
    try:
        with serve(package) as base:
            page, sco = launch(context, base, "2004", "index.html")
            for player in ("javascript:parent.__FRAMED=1//", "https://evil.example/embed/abcdefgh",
                           "https://www.youtube-nocookie.com.evil.example/embed/abcdefgh"):
                sco.evaluate("""player => { const b = document.createElement('button');
                    b.setAttribute('data-action', 'play'); b.setAttribute('data-player', player);
                    b.className = 'forged'; document.body.appendChild(b); b.click(); }""", player)
            assert sco.locator("iframe").count() == 0 and sco.locator("button.forged").count() == 3
            sco.locator("button.embed-play").first.click()
            frame = sco.locator(".embed-frame iframe").first
            frame.wait_for(state="attached")
            assert frame.get_attribute("src") == "https://www.youtube-nocookie.com/embed/_Vn87bvG0eU?autoplay=1"
            assert page.evaluate("() => window.__FRAMED") is None
    finally:
        context.close()


def test_a_formula_with_line_breaks_is_quoted_on_one_diagnostic_line(tmp_path):
    """fuzz: an unconvertible display formula was quoted with its line breaks, splitting the warning."""
    source = make(tmp_path, {"01.md": "$$\n\\begin{aligîed}\nR &= q\n\\end{aligned}\n$$\n"}, "title: X\nauthor: A\n")
    result = runner.invoke(app, ["build", str(source), "--out", str(tmp_path / "out"), "-f", "epub", "--offline"])
    warnings = [line for line in result.stderr.splitlines() if "math." in line]
    assert len(warnings) == 1 and "aligîed} R &= q" in warnings[0] and warnings[0].startswith(str(source))


def test_a_lesson_too_large_to_be_one_is_refused_by_name(tmp_path):
    """A 7 MB lesson would need gigabytes in pandoc and in the tree; it is refused before it is read."""
    reporter, course = tree_of(make(tmp_path, {"01.md": "# A\n\nok\n", "02.md": "word " * 1_400_000}))
    assert codes(reporter) == [("load.too_large", "02.md", 1)] and len(course.lessons) == 1
