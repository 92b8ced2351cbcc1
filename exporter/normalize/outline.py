"""Lessons -> modules: course.yml's outline when it has one, else `Week N` tags, else one module."""
from __future__ import annotations

import re

from exporter.config import CourseConfig, slugify
from exporter.model import Lesson, Module

_WEEK = re.compile(r"^\s*week\s*(\d+)\s*$", re.I)


def build_outline(lessons: list[Lesson], config: CourseConfig) -> tuple[Module, ...]:
    if config.modules:
        return _from_config(lessons, config)
    return _from_week_tags(lessons)


def _from_config(lessons: list[Lesson], config: CourseConfig) -> tuple[Module, ...]:
    by_source = {lesson.source: lesson for lesson in lessons}
    modules = []
    for index, spec in enumerate(config.modules, 1):
        members = tuple(by_source[path] for path in spec.lessons if path in by_source)
        if members:
            modules.append(Module(id=f"m{index}-{slugify(spec.title or 'lessons', 'module')}",
                                  title=spec.title, lessons=members))
    return tuple(modules)


def week_of(lesson: Lesson) -> int | None:
    for tag in lesson.tags:
        match = _WEEK.match(tag)
        if match:
            return int(match.group(1))
    return None


def _from_week_tags(lessons: list[Lesson]) -> tuple[Module, ...]:
    """Untagged lessons first (an introduction), then one module per week; file order within each."""
    weeks = sorted({w for w in map(week_of, lessons) if w is not None})
    if not weeks:
        return (Module(id="m-lessons", title="", lessons=tuple(lessons)),) if lessons else ()
    modules = []
    untagged = tuple(lesson for lesson in lessons if week_of(lesson) is None)
    if untagged:
        modules.append(Module(id="m-introduction", title="Introduction", lessons=untagged))
    for week in weeks:
        members = tuple(lesson for lesson in lessons if week_of(lesson) == week)
        modules.append(Module(id=f"m-week-{week}", title=f"Week {week}", lessons=members))
    return tuple(modules)
