"""Stage 1, load: files written in tmp_path (encodings, line ends, front matter, lost newlines) and the seeds."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import CONTENT
from exporter.config import CourseConfig, load_config
from exporter.diagnostics import Reporter, Severity
from exporter.load import discover_lessons, load_lessons, read_lesson
from exporter.normalize import normalize
from exporter.normalize.dump import dump_lesson

LF = "---\ntitle: Négociation\ntags: [Week 2]\n---\n\n# Heading\n\n:::info\nLine one\nLine two\n:::\n"
GOLDEN = Path(__file__).parent / "fixtures" / "seeds"


def _read(tmp_path: Path, data: bytes, name: str = "lesson.md"):
    (tmp_path / name).write_bytes(data)
    reporter = Reporter()
    return read_lesson(tmp_path / name, name, reporter), reporter


def _codes(reporter: Reporter) -> list[tuple[str, str, int]]:
    return [(d.code.value, d.severity.name.lower(), d.pos.line) for d in reporter.diagnostics]


@pytest.mark.parametrize("data", [
    LF.encode("utf-8"),
    b"\xef\xbb\xbf" + LF.encode("utf-8"),
    LF.replace("\n", "\r\n").encode("utf-8"),
    LF.replace("\n", "\r").encode("utf-8"),
    # mixed: every third line end CRLF, every other CR
    "".join(line + ("\r\n", "\r", "\n")[i % 3] for i, line in enumerate(LF.split("\n")[:-1])).encode("utf-8"),
], ids=["lf", "bom", "crlf", "cr", "mixed"])
def test_encodings_and_line_ends_read_the_same(tmp_path: Path, data: bytes) -> None:
    source, reporter = _read(tmp_path, data)
    expected, _ = _read(tmp_path, LF.encode("utf-8"), "reference.md")
    assert source.text == expected.text and "\ufeff" not in source.text and "\r" not in source.text
    assert source.front_matter == {"title": "Négociation", "tags": ["Week 2"]}
    assert source.text.split("\n")[5] == "# Heading"  # front matter blanked, lines kept
    assert reporter.diagnostics == []


def test_latin1_is_decoded_with_a_warning(tmp_path: Path) -> None:
    source, reporter = _read(tmp_path, "# Négociation\n\nPrix à négocier\n".encode("latin-1"))
    assert "Négociation" in source.text and "Prix à négocier" in source.text
    assert "\ufffd" not in source.text and "Ã" not in source.text
    assert _codes(reporter) == [("load.not_utf8", "warning", 1)]
    assert "lesson.md" in reporter.diagnostics[0].message


def test_latin1_warning_names_the_first_bad_line(tmp_path: Path) -> None:
    _, reporter = _read(tmp_path, "ok\nok\ncaf\xe9\n".encode("latin-1"))
    assert _codes(reporter) == [("load.not_utf8", "warning", 3)]


def test_binary_file_is_refused_naming_the_file(tmp_path: Path) -> None:
    source, reporter = _read(tmp_path, bytes(range(256)) * 8, "42-junk.md")
    assert source is None
    assert _codes(reporter) == [("load.binary", "error", 1)]
    assert "42-junk.md is not a UTF-8 text file" in reporter.diagnostics[0].message


def test_stacked_front_matter_first_block_wins(tmp_path: Path) -> None:
    text = ("---\n# System prepended metadata\n\ntitle: HackMD title\ntags: [Teaser]\n\n---\n\n"
            "---\ntitle: Author title\nlang: de\n---\n\nBody\n")
    source, reporter = _read(tmp_path, text.encode())
    assert source.front_matter == {"title": "HackMD title", "tags": ["Teaser"], "lang": "de"}
    lines = source.text.split("\n")
    assert lines[13] == "Body" and not "".join(lines[:13]).strip()
    assert reporter.diagnostics == []


def test_broken_yaml_names_the_line_and_spares_the_next_lesson(tmp_path: Path) -> None:
    (tmp_path / "35-broken.md").write_text("---\ntitle: Broken\ntags: [a, b\nlang: en\n---\n\n# Body\n\ntext\n")
    (tmp_path / "36-next.md").write_text("---\ntitle: Next lesson\n---\n\nNext body\n")
    reporter = Reporter()
    sources = load_lessons(tmp_path, ["35-broken.md", "36-next.md"], reporter)
    assert [(d.code.value, d.pos.path, d.pos.line) for d in reporter.diagnostics] == [
        ("front_matter.invalid", "35-broken.md", 4)]
    course = normalize(sources, CourseConfig(title="t", slug="t"), reporter)
    broken, following = course.lessons
    assert following.title == "Next lesson" and dump_lesson(following) == "Para @5: Next body"
    assert broken.title == "Body" and "text" in dump_lesson(broken)


def test_unclosed_front_matter_is_an_error_at_its_line(tmp_path: Path) -> None:
    source, reporter = _read(tmp_path, b"\n---\ntitle: x\n\n# Never closed\n")
    assert _codes(reporter) == [("front_matter.unclosed", "error", 2)]
    assert "never closed" in reporter.diagnostics[0].message


def test_front_matter_that_is_not_a_mapping(tmp_path: Path) -> None:
    _, reporter = _read(tmp_path, b"---\n- a\n- b\n---\nBody\n")
    assert _codes(reporter) == [("front_matter.invalid", "error", 2)]


def test_newline_lost_lesson_is_restored_with_a_warning(tmp_path: Path) -> None:
    one_line = ("--- tags: Week 3 --- # Cold calls ## Why call at all? Calls still open doors that email cannot. "
                "::: info **Three rules** 1. Research first, 2. ask open questions, 3. book the next step. ::: "
                "&nbsp; ## Objections The buyer says no twice before yes. {%youtube _Vn87bvG0eU %} "
                "<style> body > .ui-infobar { display: none !important; } </style>")
    source, reporter = _read(tmp_path, one_line.encode())
    assert _codes(reporter) == [("load.newlines_restored", "warning", 1)]
    assert source.front_matter == {"tags": "Week 3"}
    course = normalize([source], CourseConfig(title="t", slug="t"), reporter)
    lesson = course.lessons[0]
    assert lesson.title == "Cold calls" and lesson.tags == ("Week 3",)
    dump = dump_lesson(lesson)
    assert "Header(2 #lesson--why-call-at-all) @1: Why call at all?" in dump
    assert "Callout(info) @1" in dump and "OrderedList(start=1)" in dump
    assert "Embed(youtube _Vn87bvG0eU) @1" in dump
    for leak in (":::", "{%", "<style", "&nbsp;", "ui-infobar"):
        assert leak not in dump


def test_short_one_line_lesson_is_left_alone(tmp_path: Path) -> None:
    source, reporter = _read(tmp_path, b"# Just a title and a sentence.")
    assert reporter.diagnostics == [] and source.line_map is None


def test_discovery_natural_order_and_skips(tmp_path: Path) -> None:
    for name in ("lesson 10.md", "lesson 9.md", "README.md", "notes.txt", "x.png", ".hidden.md"):
        (tmp_path / name).write_text("x")
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "out.md").write_text("x")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.markdown").write_text("x")
    config = CourseConfig(title="t", slug="t")
    assert discover_lessons(tmp_path, config, Reporter()) == (["lesson 9.md", "lesson 10.md", "notes.txt",
                                                                "sub/a.markdown"], [])


def test_unreadable_file_is_an_error_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "locked.md"
    path.write_text("x")
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("running as root: permissions are not enforced")
        source, reporter = read_lesson(path, "locked.md", Reporter()), None
        assert source is None
    finally:
        path.chmod(0o644)


# ---------------------------------------------------------------------------- the seeds, golden


def _seed_course():
    reporter = Reporter()
    config = load_config(CONTENT, reporter)
    paths, _ = discover_lessons(CONTENT, config, reporter)
    course = normalize(load_lessons(CONTENT, paths, reporter), config, reporter)
    return course, reporter


def test_seeds_golden_tree() -> None:
    """Both seeds, the whole tree dump, as reviewed by eye (UPDATE_FIXTURES=1 regenerates)."""
    course, reporter = _seed_course()
    seeds = {lesson.source: lesson for lesson in course.lessons if lesson.source.startswith("00")}
    assert [lesson.title for lesson in seeds.values()] == ["Introduction to sales process", "The sales process"]
    for source, lesson in seeds.items():
        golden = GOLDEN / (source.rsplit(".", 1)[0] + ".dump")
        actual = f"title: {lesson.title}\ntags: {', '.join(lesson.tags)}\n{dump_lesson(lesson)}\n"
        if os.environ.get("UPDATE_FIXTURES"):
            golden.parent.mkdir(parents=True, exist_ok=True)
            golden.write_text(actual, encoding="utf-8")
        assert actual == golden.read_text(encoding="utf-8"), source
    restored = [d for d in reporter.diagnostics if d.code.value == "load.newlines_restored"]
    assert [(d.pos.path, d.pos.line) for d in restored] == [("000_ad9a500695f88cf7.txt", 1)]
    assert reporter.count(Severity.ERROR) == 0
