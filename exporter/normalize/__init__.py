"""Stage 2, normalize: LessonSource[] -> Course, the one tree every format is exported from."""
from __future__ import annotations

from exporter import pandoc
from exporter.config import CourseConfig
from exporter.diagnostics import Reporter
from exporter.model import Course, LessonSource
from exporter.normalize.hackmd import rewrite
from exporter.normalize.outline import build_outline
from exporter.normalize.tree import build_lesson, split_by_input


def normalize(sources: list[LessonSource], config: CourseConfig, reporter: Reporter) -> Course:
    """Rewrite HackMD syntax per lesson, parse the whole course in ONE pandoc call, build the tree."""
    rewritten = [rewrite(source, reporter) for source in sources]
    blocks = pandoc.read_lessons([r.text for r in rewritten])
    per_lesson = split_by_input(blocks, len(sources))
    lessons = []
    taken: set[str] = set()
    for source, extra, lesson_blocks in zip(sources, rewritten, per_lesson):
        lesson = build_lesson(source, extra, lesson_blocks, config, taken, reporter)
        taken.add(lesson.slug)
        lessons.append(lesson)
    return Course(config=config, modules=build_outline(lessons, config))
