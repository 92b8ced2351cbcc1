"""Stage 2, normalize: LessonSource[] -> Course, the one tree every format is exported from."""
from __future__ import annotations

from exporter import pandoc
from exporter.config import CourseConfig
from exporter.diagnostics import Code, Reporter
from exporter.model import Block, Course, LessonSource, SourcePos
from exporter.normalize.hackmd import rewrite
from exporter.normalize.outline import build_outline
from exporter.normalize.tree import build_lesson, split_by_input, swallowed_inputs


def normalize(sources: list[LessonSource], config: CourseConfig, reporter: Reporter) -> Course:
    """Rewrite HackMD syntax per lesson, parse the whole course in ONE pandoc call, build the tree."""
    rewritten = [rewrite(source, reporter) for source in sources]
    parsed = _parse(sources, [r.text for r in rewritten], list(range(len(sources))), reporter)
    lessons = []
    taken: set[str] = set()
    for index, (source, extra) in enumerate(zip(sources, rewritten)):
        lesson = build_lesson(source, extra, parsed[index], config, taken, reporter)
        taken.add(lesson.slug)
        lessons.append(lesson)
    return Course(config=config, modules=build_outline(lessons, config))


def _parse(sources: list[LessonSource], texts: list[str], indices: list[int],
           reporter: Reporter) -> dict[int, list[tuple[int, Block]]]:
    """Parse `indices` in one pandoc call. pandoc concatenates its inputs, so a construct left open in
    one lesson (a raw `<pre>`, say) would swallow the lessons after it: those are parsed again, the
    culprit on its own, and the author is told. A well-formed course takes exactly one call."""
    blocks = pandoc.read_lessons([texts[i] for i in indices])
    per_lesson = split_by_input(blocks, len(indices))
    culprits, victims = swallowed_inputs(blocks)
    # A raw HTML block (`<pre>` never closed) swallows later lessons as text: they come back empty.
    for k in range(1, len(indices)):
        if not per_lesson[k] and texts[indices[k]].strip() and k not in victims:
            before = next((j for j in range(k - 1, -1, -1) if per_lesson[j]), None)
            if before is not None:
                culprits.add(before)
                victims.add(k)
    result = {indices[k]: per_lesson[k] for k in range(len(indices)) if k not in victims and k not in culprits}
    for k in sorted(culprits):
        source = sources[indices[k]]
        line = per_lesson[k][-1][0] if per_lesson[k] else 1
        reporter.warning(Code.HACKMD_UNCLOSED_CONTAINER, f"something opened near line "
                         f"{source.original_line(line)} of {source.path} is never closed (raw HTML such as "
                         "<pre> or <textarea>?); it would have swallowed the lessons after it, so this lesson "
                         "was read on its own. Close it", SourcePos(source.path, source.original_line(line)))
        result[indices[k]] = split_by_input(pandoc.read_lessons([texts[indices[k]]]), 1)[0]
    rest = [indices[k] for k in sorted(victims - culprits)]
    if rest:
        result.update(_parse(sources, texts, rest, reporter))
    return result
