"""The shortcuts the build takes for speed give exactly what the long way gives (issue 12). Timing lives in
benchmarks/, never here."""
from __future__ import annotations

import json
import re

from exporter import pandoc
from exporter.normalize.tree import _strip_positions

LESSON = """# Title with *emphasis* and `code`

A paragraph with a [link](https://example.org){.x}, a line
break, "quotes", an escaped \\" quote, a backslash \\\\ and é, 😀.

- item [span]{wrapper=1 data-pos=L00000-forged.md@1:1-1:2}
- `x`{wrapper=1} and [l](u){wrapper=1}

> quote with $x^2$ and a footnote[^1]

[^1]: The note.
"""


def test_wrappers_unwrapped_in_the_json_text_give_the_tree_the_walk_gives(monkeypatch) -> None:
    texts = [LESSON, "Second lesson, one *line*.\n", LESSON.replace("é", "\\u00e9")]
    fast = pandoc.read_lessons(texts)
    monkeypatch.setattr(pandoc, "_LEAF_WRAPPER", re.compile("(?!)(.)"))  # never matches: every wrapper kept
    slow = pandoc.read_lessons(texts)
    assert len(json.dumps(fast)) < len(json.dumps(slow)) / 2  # the shortcut took most of them
    assert _strip_positions(fast) == _strip_positions(slow)


def test_a_lessons_own_wrapper_attributes_are_not_taken_for_pandocs() -> None:
    """A span the lesson marks `{wrapper=1 data-pos=…}` holds pandoc's wrapped words: it is no leaf wrapper."""
    fast = json.dumps(pandoc.read_lessons([LESSON]))
    assert "L00000-forged.md" in fast and fast.count('"wrapper"') >= 3


def test_spooled_outputs_are_published_as_the_bytes_held_in_memory(tmp_path, monkeypatch) -> None:
    """A build whose every output is spooled to disk writes what a build holding them in memory writes,
    and leaves no spool behind."""
    import tempfile
    from pathlib import Path

    from exporter import spool
    from exporter.diagnostics import Reporter
    from exporter.pipeline import BuildOptions, build

    mini = Path(__file__).parent / "projects" / "mini"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    formats = ("epub", "scorm12", "xapi")
    build(BuildOptions(source=mini, out=tmp_path / "held", formats=formats, offline=True, cache=False), Reporter())
    monkeypatch.setattr(spool, "SPOOL_BYTES", 1)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    made, mkdtemp = [], tempfile.mkdtemp

    def recorded(*args, **kwargs):
        made.append(mkdtemp(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(tempfile, "mkdtemp", recorded)
    written = build(BuildOptions(source=mini, out=tmp_path / "spooled", formats=formats, offline=True, cache=False),
                    Reporter())
    assert len(written) == 4  # three packages and the loss report
    for path in (tmp_path / "held").iterdir():
        assert (tmp_path / "spooled" / path.name).read_bytes() == path.read_bytes()
    assert any("exporter-spool-" in path for path in made)  # spooled...
    assert not list((tmp_path / "tmp").iterdir())  # ... and cleared


def test_a_read_split_across_processes_gives_the_blocks_of_one_read(monkeypatch) -> None:
    texts = [LESSON, "Second lesson, one *line*.\n", "# Third\n\n```python\nx = 1\n```\n", LESSON]
    whole = pandoc.read_lessons(texts, jobs=1)
    monkeypatch.setattr(pandoc, "PARALLEL_READ_BYTES", 1)
    calls = []
    run_at_once = pandoc._run_at_once
    monkeypatch.setattr(pandoc, "_run_at_once", lambda c, cwd: calls.append(len(c)) or run_at_once(c, cwd))
    assert pandoc.read_lessons(texts, jobs=2) == whole
    assert calls == [2]


def test_a_lesson_pandoc_cannot_read_is_named_when_the_read_is_split(monkeypatch) -> None:
    from exporter.config import CourseConfig
    from exporter.diagnostics import Reporter
    from exporter.model import LessonSource
    from exporter.normalize import normalize

    monkeypatch.setattr(pandoc, "PARALLEL_READ_BYTES", 1)
    sources = [LessonSource(path=f"{n}.md", text=f"# Lesson {n}\n\nSome text.\n", front_matter={}) for n in range(4)]
    sources[2] = LessonSource(path="2.md", text="> " * 400 + "deep\n", front_matter={})
    reporter = Reporter()
    course = normalize(sources, CourseConfig(title="Split", slug="split"), reporter, jobs=2)
    assert list(course.broken) == ["2.md"]
    assert [d.pos.path for d in reporter.diagnostics if d.severity.name == "ERROR"] == ["2.md"]
    assert [lesson.title for lesson in course.lessons if lesson.source != "2.md"] == ["Lesson 0", "Lesson 1", "Lesson 3"]
