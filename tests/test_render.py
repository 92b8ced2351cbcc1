"""render_lessons: one pandoc write for the course, sanitized HTML, labels and embed links in place."""
from __future__ import annotations

import subprocess
from pathlib import Path

from lxml import html as lxml_html

from exporter import pipeline
from exporter.diagnostics import Reporter
from exporter.render import render_lessons
from conftest import ACCEPTANCE, needs_shared

LESSON = """---
title: Render probe
---

:::warning
Check the **quote** first.
:::

{%youtube _Vn87bvG0eU %}

Hello <span onclick="alert(1)">there</span> <a href="javascript:alert(2)">x</a>
<script>alert(3)</script>

$E = mc^2$
"""


def _course(tmp_path: Path, lessons: dict[str, str]):
    for name, text in lessons.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    reporter = Reporter()
    return pipeline.read_course(tmp_path, reporter), reporter


def test_callout_gets_a_visible_label_and_embed_its_links(tmp_path):
    course, _ = _course(tmp_path, {"a.md": LESSON})
    (page,) = render_lessons(course)
    tree = lxml_html.fragment_fromstring(page.html, create_parent="div")
    (callout,) = tree.xpath('//div[contains(@class, "callout") and contains(@class, "warning")]')
    assert callout.xpath('.//*[@class="callout-label"]')[0].text_content() == "Warning"
    (embed,) = tree.xpath('//div[@class="embed"]')
    assert embed.get("data-url") == "https://www.youtube.com/watch?v=_Vn87bvG0eU"
    assert embed.get("data-player") == "https://www.youtube-nocookie.com/embed/_Vn87bvG0eU"
    assert tree.xpath("//math"), "math is written as MathML"


def test_lesson_html_cannot_carry_script(tmp_path):
    course, reporter = _course(tmp_path, {"a.md": LESSON})
    (page,) = render_lessons(course)
    lowered = page.html.lower()
    assert "<script" not in lowered and "onclick" not in lowered and "javascript:" not in lowered
    assert "alert(3)" not in page.html
    assert any(d.code.value == "html.removed" for d in reporter.diagnostics)


def test_table_spans_are_bounded(tmp_path):
    """`colspan=99999999` kept WeasyPrint busy for minutes: spans are cut to what a page can hold."""
    lesson = ('<table><tr><td colspan="99999999" rowspan="88888888">a</td><td colspan="2" rowspan="x">b</td>'
              '</tr></table>\n')
    course, _ = _course(tmp_path, {"a.md": lesson})
    (page,) = render_lessons(course)
    cells = lxml_html.fragment_fromstring(page.html, create_parent="div").xpath("//td")
    assert [(c.get("colspan"), c.get("rowspan")) for c in cells] == [("100", "1000"), ("2", None)]


def test_whole_course_is_written_in_one_pandoc_call(tmp_path, monkeypatch):
    course, _ = _course(tmp_path, {f"{i:02d}.md": f"# Lesson {i}\n\ntext {i}\n" for i in range(6)})
    calls = []
    real_run = subprocess.run

    def counting_run(args, *rest, **kwargs):
        calls.append(args)
        return real_run(args, *rest, **kwargs)

    monkeypatch.setattr(subprocess, "run", counting_run)
    pages = render_lessons(course)
    assert len(calls) == 1
    assert [p.lesson.title for p in pages] == [f"Lesson {i}" for i in range(6)]
    assert all(f"text {i}" in p.html for i, p in enumerate(pages))


def test_each_lesson_keeps_its_own_footnotes(tmp_path):
    """pandoc sets notes after the block that calls them; each lands at the end of its own lesson."""
    course, _ = _course(tmp_path, {"a.md": "# A\n\nFirst[^1] call.\n\n[^1]: Note of A.\n",
                                   "b.md": "# B\n\nNo notes here.\n",
                                   "c.md": "# C\n\nSecond[^1] call.\n\n[^1]: Note of C.\n"})
    a, b, c = render_lessons(course)
    assert "Note of A." in a.html and "Note of C." not in a.html
    assert "footnote" not in b.html
    tree = lxml_html.fragment_fromstring(c.html, create_parent="div")
    (call,) = tree.xpath("//a[contains(@class, 'footnote-ref')]")
    (note,) = tree.xpath("//aside[contains(@class, 'footnotes')]//li")
    assert call.get("href") == "#" + note.get("id") and "Note of C." in note.text_content()


CODE_BLOCKS = """# Code

```text
plain words
```

```sh
echo "a shell line"
```

```{.wrap .python .numberLines startFrom="5"}
x = 1
```

```{#named .txt data-note="kept"}
a file
```

```Python
print("upper case")
```

```{.numberLines .nosuch}
two
lines
```

```
no class at all
```
"""


def test_code_classes_pandoc_would_search_for_are_looked_up_once_and_the_html_is_pandocs(tmp_path):
    """`text`, `sh`, `txt`... make pandoc search every syntax (0.4 s a write); the cached lookup changes how
    long the write takes, not what it writes."""
    from lxml import html as lxml_html

    from exporter import ast, pandoc
    from exporter.cache import BuildCache
    from exporter.fragments import fragment
    from exporter.render.highlight import HIDDEN, prepare_code_blocks, restore_code_classes

    course, _ = _course(tmp_path, {"01.md": CODE_BLOCKS})
    blocks = [ast.make_div(["exporter-lesson"], {}, list(course.lessons[0].body), ident="exporter-0")]
    cache = BuildCache(tmp_path / "cache")
    shown = prepare_code_blocks(blocks, cache)
    shown_classes = [ast.classes(n) for n in ast.iter_nodes(shown) if n["t"] == "CodeBlock"]
    assert shown_classes == [[], ["bash"], ["python", "numberLines"], ["default"], ["Python"], ["numberLines"], []]

    ours = fragment(pandoc.write_html(shown))
    restore_code_classes(ours)
    theirs = fragment(pandoc.write_html(blocks))
    assert lxml_html.tostring(ours) == lxml_html.tostring(theirs)
    assert HIDDEN.encode() not in lxml_html.tostring(ours)
    assert b'<pre class="sourceCode sh"><code class="sourceCode bash">' in lxml_html.tostring(ours)

    found_again = BuildCache(tmp_path / "cache")
    prepare_code_blocks(blocks, found_again)
    # the names and text, sh, wrap, txt come from the shipped table; nosuch was looked up once, found again
    assert (found_again.hits, found_again.misses) == (1, 0)

    # without a cache, the table's answers are used and a class outside it is left for pandoc to search
    without = prepare_code_blocks(blocks, BuildCache(None))
    assert [ast.classes(n) for n in ast.iter_nodes(without) if n["t"] == "CodeBlock"] == [
        [], ["bash"], ["python", "numberLines"], ["default"], ["Python"], ["numberLines", "nosuch"], []]
    ours = fragment(pandoc.write_html(without))
    restore_code_classes(ours)
    assert lxml_html.tostring(ours) == lxml_html.tostring(theirs)


def test_the_shipped_highlight_table_is_what_the_pinned_pandoc_answers():
    """render/highlight-table.json spares a first build, and one without a cache, pandoc's search for
    `text`, `sh`... (0.4 s a write process): its answers must be pandoc's own."""
    import json

    from exporter import pandoc
    from exporter.render.highlight import TABLE

    table = json.loads(TABLE.read_text(encoding="utf-8"))
    assert table["pandoc"] == pandoc.version(), "written for another pandoc: run scripts/highlight_table.py"
    assert frozenset(table["languages"]) == pandoc.highlight_languages()
    assert pandoc.highlighter_names(sorted(table["classes"])) == table["classes"]
    assert {"text", "sh", "yml", "txt", "console"} <= set(table["classes"])


@needs_shared
def test_a_lesson_rendered_alone_is_the_lesson_rendered_with_the_course():
    """A warm build renders an edited lesson alone; a cold one renders every lesson in one pandoc write. The
    HTML must not tell them apart: whatever pandoc numbers across one write (notes, code blocks, note
    lists) is numbered per lesson. On the acceptance course: notes inside quotes and tables, numbered code."""
    from exporter.cache import BuildCache
    from exporter.i18n import ui_for
    from exporter.pipeline import BuildOptions, prepare
    from exporter.render import _render

    course, _ = prepare(BuildOptions(source=ACCEPTANCE, offline=True), Reporter(), BuildCache(None))
    ui, lang = ui_for(course.config.language, course.config.ui), course.config.language or "en"
    together = _render(list(course.lessons), ui, lang, BuildCache(None))
    alone = [_render([lesson], ui, lang, BuildCache(None))[0] for lesson in course.lessons]
    assert [html for html, _ in alone] == [html for html, _ in together]
    assert sum('--cb' in html for html, _ in together) >= 3 and sum("<aside" in html for html, _ in together) >= 4


def test_a_write_split_across_pandoc_processes_gives_the_html_of_one(tmp_path, monkeypatch):
    from exporter import pandoc

    lessons = {f"{i:02d}.md": f"# Lesson {i}\n\nA note[^n].\n\n[^n]: Note {i}.\n\n```python\nx = {i}\n```\n"
               for i in range(5)}
    course, _ = _course(tmp_path, lessons)
    one = render_lessons(course, jobs=1)
    calls = []
    real_popen = subprocess.Popen
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: calls.append(1) or real_popen(*a, **k))
    monkeypatch.setattr(pandoc, "PARALLEL_WRITE_BYTES", 0)
    split = render_lessons(course, jobs=2)
    assert len(calls) == 2  # two pandoc writes at once
    assert [item.html for item in split] == [item.html for item in one]
    assert all(f"Note {i}." in item.html and "--cb1" in item.html for i, item in enumerate(split))


def test_a_large_write_goes_in_runs_no_more_than_jobs_at_a_time(tmp_path, monkeypatch):
    """pandoc holds some 40 times its input while it writes: a large course is written in runs of at most
    WRITE_CHUNK_BYTES, `jobs` processes at a time, and gives the HTML of one write."""
    from exporter import pandoc

    lessons = {f"{i:02d}.md": f"# Lesson {i}\n\nA note[^n].\n\n[^n]: Note {i}.\n" for i in range(7)}
    course, _ = _course(tmp_path, lessons)
    one = render_lessons(course, jobs=1)
    running, most = [], []
    real_popen = subprocess.Popen

    class Counted(real_popen):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            running.append(self)
            most.append(sum(1 for p in running if p.poll() is None))

    monkeypatch.setattr(subprocess, "Popen", Counted)
    monkeypatch.setattr(pandoc, "PARALLEL_WRITE_BYTES", 0)
    monkeypatch.setattr(pandoc, "WRITE_CHUNK_BYTES", 1)  # a run per lesson
    chunked = render_lessons(course, jobs=2)
    assert len(running) == 7 and max(most) <= 2
    assert [item.html for item in chunked] == [item.html for item in one]
