"""Lessons -> modules: course.yml's outline when it has one, else `Week N` tags, else one module."""
from __future__ import annotations

import re

from exporter.config import CourseConfig, slugify
from exporter.i18n import Ui, ui_for
from exporter.model import Lesson, Module

_WEEK = re.compile(r"^\s*week\s*(\d+)\s*$", re.I)


def build_outline(lessons: list[Lesson], config: CourseConfig) -> tuple[Module, ...]:
    if config.modules:
        return _from_config(lessons, config)
    return _from_week_tags(lessons, ui_for(config.language, config.ui))


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


def _from_week_tags(lessons: list[Lesson], ui: Ui) -> tuple[Module, ...]:
    """Lessons in file order; a new module starts where the `Week N` tag changes. An untagged lesson
    stays with the lesson before it (or opens an Introduction), so the file order is never broken."""
    if not any(week_of(lesson) is not None for lesson in lessons):
        return (Module(id="m-lessons", title="", lessons=tuple(lessons)),) if lessons else ()
    groups: list[tuple[int | None, list[Lesson]]] = []
    for lesson in lessons:
        week = week_of(lesson)
        if not groups or (week is not None and week != groups[-1][0]):
            groups.append((week, [lesson]))
        else:
            groups[-1][1].append(lesson)
    modules, seen = [], set()
    for week, members in groups:
        base = "m-introduction" if week is None else f"m-week-{week}"
        ident, n = base, 2
        while ident in seen:  # Week 2 again after Week 3: a second module, still unique
            ident, n = f"{base}-{n}", n + 1
        seen.add(ident)
        title = ui.gettext("Introduction") if week is None else ui.gettext("Week %(number)s", number=week)
        modules.append(Module(id=ident, title=title,
                              lessons=tuple(members)))
    return tuple(modules)
