"""Stage 2, normalize: every HackMD construct as a fixture case (input -> tree dump with lines + diagnostics).

All fixture cases are lessons of ONE course, normalized once (one pandoc process), then compared case by case.
Regenerate the expected sections with `UPDATE_FIXTURES=1 pytest tests/test_normalize.py` and review the diff.
"""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from exporter.config import CourseConfig
from exporter.diagnostics import Reporter
from exporter.load import load_lessons
from exporter.model import LessonSource
from exporter.normalize import normalize
from exporter.normalize.dump import dump_lesson
from fixture_files import Case, read_fixture_file, write_fixture_file

FIXTURES = Path(__file__).parent / "fixtures" / "hackmd"
FILES = sorted(FIXTURES.glob("*.md"))
CASES = [case for path in FILES for case in read_fixture_file(path)]
CONFIG = CourseConfig(title="Fixtures", slug="fixtures")


def _name(index: int) -> str:
    return f"case-{index:03d}.md"


def _head(lesson, index: int) -> str:
    """A first line only when the case sets a title or tags (file-name titles are noise)."""
    if lesson.title == f"Case {index:03d}" and not lesson.tags:
        return ""
    return f"Lesson({lesson.title!r}{' tags=' + ','.join(lesson.tags) if lesson.tags else ''})\n"


def render_case(lesson_dump: str, diagnostics: list[str]) -> str:
    return "\n".join([line for line in lesson_dump.split("\n") if line] + diagnostics)


@pytest.fixture(scope="module")
def actual(tmp_path_factory) -> dict[str, str]:
    """Every case as a lesson file of one course, loaded and normalized once."""
    root = tmp_path_factory.mktemp("fixtures")
    names = []
    for index, case in enumerate(CASES):
        (root / _name(index)).write_text(case.input + "\n", encoding="utf-8")
        names.append(_name(index))
    reporter = Reporter()
    course = normalize(load_lessons(root, names, reporter), CONFIG, reporter)
    by_source = {lesson.source: lesson for lesson in course.lessons}
    results = {}
    for index, case in enumerate(CASES):
        diagnostics = [f"! {d.severity.name.lower()} {d.code.value} @{d.pos.line}"
                       for d in reporter.diagnostics if d.pos and d.pos.path == _name(index)]
        results[case.id] = render_case(_head(by_source[_name(index)], index) + dump_lesson(by_source[_name(index)]),
                                       diagnostics)
    if os.environ.get("UPDATE_FIXTURES"):
        for path in FILES:
            write_fixture_file(path, [c for c in CASES if c.file == path], results)
    return results


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_fixture(case: Case, actual: dict[str, str]) -> None:
    assert actual[case.id] == case.expected, f"{case.file.name}:{case.line} {case.title}"


def test_every_fixture_case_expects_something() -> None:
    """An empty expected section would pass for any empty output: each case must show a tree."""
    empty = [case.id for case in CASES if not case.expected.strip()]
    assert not empty


def test_whole_course_is_one_pandoc_process(monkeypatch) -> None:
    """Parsing many lessons runs pandoc once, and pandoc really runs."""
    calls = []
    real_run = subprocess.run

    def counting_run(*args, **kwargs):
        calls.append(args[0])
        return real_run(*args, **kwargs)

    monkeypatch.setattr(subprocess, "run", counting_run)
    sources = [LessonSource(path=f"l{i}.md", text=f"# Lesson {i}\n\n:::info\nbox {i}\n:::\n", front_matter={})
               for i in range(12)]
    course = normalize(sources, CONFIG, Reporter())
    assert len(calls) == 1 and "pandoc" in Path(calls[0][0]).name
    assert [lesson.title for lesson in course.lessons] == [f"Lesson {i}" for i in range(12)]
    assert all("Callout(info)" in dump_lesson(lesson) for lesson in course.lessons)


def test_a_course_read_in_chunks_is_the_course_read_at_once(monkeypatch) -> None:
    """A large course is read and built a chunk at a time (its pandoc tree is never held whole): the tree
    and the diagnostics are those of one read."""
    import exporter.normalize as normalize_stage

    sources = [LessonSource(path=f"l{i}.md", text=f"# Lesson {i}\n\n:::info\nbox {i}\n:::\n\n[x](#nowhere)\n"
                            + ("\n:::warning\nnever closed\n" if i == 3 else ""), front_matter={}) for i in range(7)]
    whole_said = Reporter()
    at_once = normalize(sources, CONFIG, whole_said)
    calls = []
    real_run = subprocess.run
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: calls.append(1) or real_run(*a, **k))
    monkeypatch.setattr(normalize_stage, "READ_CHUNK_BYTES", 100)  # two lessons a chunk
    chunked_said = Reporter()
    chunked = normalize(sources, CONFIG, chunked_said)
    assert len(calls) == len(normalize_stage._chunks(sources)) == 5  # one pandoc read a chunk (l3 is longer)
    assert chunked == at_once
    assert chunked_said.diagnostics == whole_said.diagnostics
    assert any(d.pos.path == "l3.md" for d in chunked_said.diagnostics)


def test_lesson_left_open_cannot_swallow_the_next(monkeypatch) -> None:
    """An HTML block pandoc never ends (`<?php` without `?>`) is closed at the end of its lesson; the next stays whole."""
    calls = []
    real_run = subprocess.run
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: calls.append(1) or real_run(*a, **k))
    sources = [LessonSource(path="a.md", text="# A\n\nIntro\n\n<?php\necho 1;\n", front_matter={}),
               LessonSource(path="b.md", text="# B\n\n:::info\nStill here\n:::\n", front_matter={}),
               LessonSource(path="c.md", text="# C\n\nThird\n", front_matter={})]
    reporter = Reporter()
    course = normalize(sources, CONFIG, reporter)
    assert [lesson.title for lesson in course.lessons] == ["A", "B", "C"]
    b, c = course.lessons[1], course.lessons[2]
    assert dump_lesson(b) == "Callout(info) @3\n  Para: Still here"
    assert dump_lesson(c) == "Para @3: Third"
    assert "echo 1" not in dump_lesson(c) and "Still here" not in dump_lesson(course.lessons[0])
    assert [(d.code.value, d.pos.path) for d in reporter.diagnostics] == [("hackmd.unclosed_container", "a.md")]
    assert len(calls) == 1  # the `<?` block is closed at the end of a.md before pandoc reads the course
