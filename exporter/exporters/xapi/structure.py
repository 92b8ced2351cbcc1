"""cmi5.xml and tincan.xml: what an LMS imports, with ids that stay the same for the same course."""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from exporter.config import CourseConfig
from exporter.model import Course, Lesson
from exporter.shape.lms import page_name
from exporter.theme import Theme

_NAMESPACE = uuid.UUID("6f1b1f3e-3c59-5b52-9d55-0c7d0f3a1e0b")
"""Fixed namespace of exporter's name-based UUIDs (any constant would do; changing it changes every id)."""


@dataclass(frozen=True, slots=True)
class Au:
    """One assignable unit: a launch page with the rules the LMS applies to it."""

    id: str
    title: str
    description: str
    url: str
    lang: str
    move_on: str
    mastery_score: str | None
    launch_method: str = "AnyWindow"
    """Our pages run in a frame, a popup or a whole window alike."""


@dataclass(frozen=True, slots=True)
class Block:
    """A module of the course grouping its lessons' AUs (one AU per lesson)."""

    id: str
    title: str
    description: str
    lang: str
    aus: tuple[Au, ...]


def course_iri(config: CourseConfig) -> str:
    """The course's IRI, a name-based UUID of its organisation and slug: a re-upload of a new version keeps the
    learners' records, and two organisations' courses with the same slug do not share them."""
    return f"urn:uuid:{_course_uuid(config)}"


def au_iri(config: CourseConfig, lesson: Lesson | None) -> str:
    """The IRI of the AU that shows `lesson`, or of the single AU for the whole course (None)."""
    return f"urn:uuid:{uuid.uuid5(_course_uuid(config), 'au:' + (lesson.slug if lesson else ':course'))}"


def _course_uuid(config: CourseConfig) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, f"course:{config.organisation}/{config.slug}")


def move_on(config: CourseConfig) -> str:
    """What satisfies an AU: reading it (the completion rule), and passing as well once a pass mark is set."""
    return "CompletedAndPassed" if config.pass_fraction is not None else "Completed"


def mastery_score(config: CourseConfig) -> str | None:
    """The pass mark as cmi5 writes it: a decimal from 0 to 1 with at most four places."""
    mark = config.pass_fraction
    return None if mark is None else (f"{mark:.4f}".rstrip("0").rstrip(".") or "0")


def course_text(course: Course) -> dict:
    """Title and description in the course language, in the author's own words (the description falls back to
    the title: cmi5 requires one, and exporter adds no words of its own)."""
    config = course.config
    return {"id": course_iri(config), "title": config.title, "lang": config.language or "en",
            "description": config.description or config.title}


def structure(course: Course, mode: str) -> tuple[Au | Block, ...]:
    """The AUs: one for the whole course, or one per lesson grouped in a block per titled module."""
    config = course.config
    lang = config.language or "en"
    if mode != "multi":
        text = course_text(course)
        return (Au(au_iri(config, None), text["title"], text["description"], "index.html", lang,
                   move_on(config), mastery_score(config)),)
    nodes: list[Au | Block] = []
    for module in course.modules:
        aus = tuple(_lesson_au(config, lesson, module.title) for lesson in module.lessons)
        if module.title:
            block_id = f"urn:uuid:{uuid.uuid5(_course_uuid(config), 'block:' + module.id)}"
            nodes.append(Block(block_id, module.title, " · ".join(au.title for au in aus), lang, aus))
        else:
            nodes.extend(aus)
    return tuple(nodes)


def _lesson_au(config: CourseConfig, lesson: Lesson, module_title: str) -> Au:
    description = f"{module_title}: {lesson.title}" if module_title else lesson.title
    return Au(au_iri(config, lesson), lesson.title, description, page_name(lesson), lesson.lang or config.language
              or "en", move_on(config), mastery_score(config))


def render_cmi5(theme: Theme, course: Course, nodes: tuple[Au | Block, ...]) -> str:
    return theme.render("xapi/cmi5.xml", course=course_text(course), nodes=nodes)


def render_tincan(theme: Theme, course: Course) -> str:
    return theme.render("xapi/tincan.xml", course=course_text(course))
