"""Stage 2, normalize: LessonSource[] -> Course, the one tree every format is exported from."""
from __future__ import annotations

from exporter import pandoc
from exporter.config import CourseConfig
from exporter.diagnostics import Code, Reporter
from exporter.model import Block, Course, LessonSource, SourcePos
from exporter.normalize.hackmd import rewrite
from exporter.normalize.outline import build_outline
from exporter.normalize.tree import build_lesson, split_by_input, swallowed_inputs

Parsed = dict[int, list[tuple[int, Block]]]


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


def _parse(sources: list[LessonSource], texts: list[str], indices: list[int], reporter: Reporter) -> Parsed:
    """Parse `indices` in one pandoc call (a well-formed course takes exactly one). A call that passes its
    time, memory or depth bound is bisected until the lesson(s) responsible are found and named; a lesson
    that swallowed the ones after it is read again on its own, and they are read again without it.
    A work list, not recursion: neither may depend on how many lessons misbehave."""
    result: Parsed = {}
    pending = [indices]
    while pending:
        batch = pending.pop()
        try:
            blocks = pandoc.read_lessons([texts[i] for i in batch])
        except pandoc.PandocFailed as failure:
            if len(batch) == 1:
                _report_unreadable(sources[batch[0]], failure, reporter)
                result[batch[0]] = []
            else:
                pending += [batch[len(batch) // 2:], batch[:len(batch) // 2]]
            continue
        parsed, again = _split(sources, texts, batch, blocks, reporter)
        result.update(parsed)
        pending += again
    return result


_WHY = {
    "time": "pandoc did not finish reading it in time",
    "memory": "pandoc ran out of its memory allowance reading it",
    "depth": "its quotes, lists or inline formatting nest deeper than exporter reads",
    "error": "pandoc could not read it",
}
_HINT = {
    "time": "look for a footnote that refers to itself or another footnote (also inside > quotes or lists)",
    "memory": "split a very large lesson, or look for a footnote that refers to itself or another footnote "
              "(also inside > quotes or lists)",
    "depth": "flatten the nesting (a few levels of > or list indentation are plenty)",
    "error": "please report this with the lesson attached",
}


def _report_unreadable(source: LessonSource, failure: pandoc.PandocFailed, reporter: Reporter) -> None:
    """One error naming the lesson; its body is left empty (and --skip-broken leaves it out)."""
    reporter.error(Code.HACKMD_TOO_DEEP if failure.kind == "depth" else Code.PANDOC_FAILED,
                   f"{source.path} cannot be read: {_WHY[failure.kind]} ({failure}); {_HINT[failure.kind]}",
                   SourcePos(source.path, 1))


def _split(sources: list[LessonSource], texts: list[str], batch: list[int], blocks: list[Block],
           reporter: Reporter) -> tuple[Parsed, list[list[int]]]:
    """Blocks per lesson, and the batches to read again. pandoc concatenates its inputs, so a construct
    left open in one lesson (a raw `<pre>`, say) swallows the lessons after it: the culprit is read on its
    own, the others without it, and the author is told."""
    per_lesson = split_by_input(blocks, len(batch))
    culprits, victims = swallowed_inputs(blocks)
    # A raw HTML block (`<pre>` never closed) swallows later lessons as text: they come back empty.
    for k in range(1, len(batch)):
        if not per_lesson[k] and texts[batch[k]].strip() and k not in victims:
            before = next((j for j in range(k - 1, -1, -1) if per_lesson[j]), None)
            if before is not None:
                culprits.add(before)
                victims.add(k)
    parsed = {batch[k]: per_lesson[k] for k in range(len(batch)) if k not in victims and k not in culprits}
    for k in sorted(culprits):
        source = sources[batch[k]]
        last = per_lesson[k][-1][0] if per_lesson[k] else 1  # closers hackmd.py added lie past the end
        line = source.original_line(min(last, source.text.count("\n") + 1))
        reporter.warning(Code.HACKMD_UNCLOSED_CONTAINER, f"something opened near line {line} of {source.path} is "
                         "never closed (raw HTML such as <pre> or <textarea>?); it would have swallowed the lessons "
                         "after it, so this lesson was read on its own. Close it", SourcePos(source.path, line))
    again = [[batch[k]] for k in sorted(culprits)]
    rest = [batch[k] for k in sorted(victims - culprits)]
    return parsed, again + ([rest] if rest else [])
