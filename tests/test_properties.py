"""hypothesis: normalize never crashes, lines stay inside their files, same input same tree, ids are NCNames.

Each example is a whole course of generated lessons, normalized in one pandoc call, to keep the run short.
"""
from __future__ import annotations

import re
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import examples

from exporter._files import safe_join
from exporter.config import CourseConfig
from exporter.diagnostics import Reporter
from exporter.load import read_lesson
from exporter.model import LessonSource
from exporter import ast
from exporter.normalize import normalize
from exporter.normalize.dump import dump_lesson

CONFIG = CourseConfig(title="Props", slug="props")
NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9._-]*$")

# HackMD fragments, so generated text hits the rules rather than only plain prose.
PIECES = [":::info", ":::spoiler {state=\"open\"} T", "::::warning", ":::", "::: success", "```js=", "```",
          "{%youtube abc %}", "{%hackmd theme-dark %}", "{%pdf %}", "==m==", "++i++", "^s^", "~b~", "[TOC]",
          "&nbsp;", "<!--", "-->", "<style>", "</style># H", "<i hidden>", "</i>", "<pre>", "<?php", "[^1]",
          "[^1]: n", "*[A]: b", "- [ ] t", "# T", "## S", "---", "$x$", "$$", "<iframe src=x>", "| a | b |",
          "|---|---|", "Term", ": def", "###### tags: `Week 2`", "> q [name=A]", "{ruby a|b}", "\t", "\r\n", "\r"]
LINES = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=20)), max_size=12).map(" ".join)
LESSON = st.lists(LINES, max_size=15).map("\n".join)
COURSE = st.lists(LESSON, min_size=1, max_size=6)
SETTINGS = settings(max_examples=examples(12), suppress_health_check=[HealthCheck.too_slow])


def _course(texts: list[str]):
    sources = [LessonSource(path=f"l{i}.md", text=text.replace("\r\n", "\n").replace("\r", "\n"), front_matter={})
               for i, text in enumerate(texts)]
    reporter = Reporter()
    return normalize(sources, CONFIG, reporter), reporter, sources


@SETTINGS
@given(COURSE)
@example([':::info\n```js=\n:::\n:::info :::info', ':::info'])  # a warning pointed at line 5 of 4 (issue 11)
def test_normalize_never_crashes_and_lines_stay_inside(texts: list[str]) -> None:
    course, reporter, sources = _course(texts)
    assert len(course.lessons) == len(texts)
    sizes = {s.path: s.text.count("\n") + 1 for s in sources}
    for lesson in course.lessons:
        for line in lesson.block_lines:
            assert 1 <= line <= sizes[lesson.source]
        for node in ast.iter_nodes(list(lesson.body)):
            line = ast.attribute(node, "data-line") if ast.attr_of(node) is not None else None
            assert line is None or 1 <= int(line) <= sizes[lesson.source]
    for diagnostic in reporter.diagnostics:
        assert diagnostic.pos.path in sizes and 1 <= diagnostic.pos.line <= sizes[diagnostic.pos.path]


@SETTINGS
@given(COURSE)
def test_same_input_same_tree(texts: list[str]) -> None:
    first, second = _course(texts)[0], _course(texts)[0]
    assert [dump_lesson(l) for l in first.lessons] == [dump_lesson(l) for l in second.lessons]
    assert first.lessons == second.lessons


@SETTINGS
@given(st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=8), COURSE)
def test_slugs_and_ids_are_unique_ncnames(names: list[str], texts: list[str]) -> None:
    sources = [LessonSource(path=f"{name}.md", text=texts[i % len(texts)], front_matter={})
               for i, name in enumerate(names)]
    course = normalize(sources, CONFIG, Reporter())
    ids = [lesson.slug for lesson in course.lessons] + [h.id for l in course.lessons for h in l.headings]
    assert len(ids) == len(set(ids))
    assert all(NCNAME.match(i) for i in ids), ids


@settings(max_examples=examples(60))
@given(st.binary(max_size=300))
def test_load_never_crashes_on_bytes(tmp_path_factory, data: bytes) -> None:
    root = tmp_path_factory.mktemp("bytes")
    (root / "x.md").write_bytes(data)
    reporter = Reporter()
    source = read_lesson(root / "x.md", "x.md", reporter)
    if source is None:  # refused: then with an error naming the file
        assert [d.code.value for d in reporter.diagnostics] == ["load.binary"]
        assert "x.md" in reporter.diagnostics[0].message
    else:
        assert "\r" not in source.text and not source.text.startswith("\ufeff")


@settings(max_examples=examples(80))
@given(st.text(max_size=40))
def test_safe_join_never_leaves_the_root(tmp_path_factory, rel: str) -> None:
    root = Path(tmp_path_factory.getbasetemp()).resolve()
    joined = safe_join(root, rel)  # None = refused, which is fine; escaping is not
    assert joined is None or joined.resolve().is_relative_to(root)
