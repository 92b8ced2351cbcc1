"""imsmanifest.xml: organization, resources and metadata for one package, from the theme's Jinja template."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from exporter.model import Course
from exporter.shape.lms import page_name
from exporter.theme import Theme


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    title: str
    resource: str | None = None
    children: tuple["Item", ...] = ()
    mastery: float | None = None
    """Pass mark (0-1) of a SCO that asks questions: 1.2 adlcp:masteryscore, 2004 imsss:minNormalizedMeasure."""


@dataclass(frozen=True, slots=True)
class Resource:
    id: str
    kind: str
    """'sco' or 'asset'."""
    href: str | None
    files: tuple[str, ...]
    dependencies: tuple[str, ...] = field(default=())


COMMON_ID = "RES-common"


def ncname(prefix: str, text: str) -> str:
    """An ASCII XML NCName that stays the same for the same `text` across builds."""
    return f"{prefix}-{re.sub(r'[^A-Za-z0-9_.-]+', '-', text).strip('-') or 'x'}"


def single_sco(course: Course, files: tuple[str, ...]) -> tuple[tuple[Item, ...], tuple[Resource, ...]]:
    """One SCO (`index.html`) holds the whole course with its own navigation."""
    slug = course.config.slug
    resource = Resource(ncname("RES", slug), "sco", "index.html", ("index.html", *files))
    mastery = _mastery(course, course.lessons)
    return (Item(ncname("ITEM", slug), course.config.title, resource.id, mastery=mastery),), (resource,)


def _mastery(course: Course, lessons) -> float | None:
    """The pass mark, for a SCO whose pages ask questions (a SCO without any is not judged)."""
    return course.config.pass_fraction if any(lesson.questions for lesson in lessons) else None


def multi_sco(course: Course, files: tuple[str, ...]) -> tuple[tuple[Item, ...], tuple[Resource, ...]]:
    """One SCO per lesson, grouped by module, all under one root item (Moodle's player needs it)."""
    modules = []
    for module in course.modules:
        lessons = tuple(Item(ncname("ITEM", l.slug), l.title, ncname("RES", l.slug), mastery=_mastery(course, (l,)))
                        for l in module.lessons)
        if module.title:
            modules.append(Item(ncname("MOD", module.id), module.title, None, lessons))
        else:
            modules.extend(lessons)
    root = Item(ncname("ITEM", course.config.slug), course.config.title, None, tuple(modules))
    resources = [Resource(ncname("RES", l.slug), "sco", page_name(l), (page_name(l),), (COMMON_ID,))
                 for l in course.lessons]
    resources.append(Resource(COMMON_ID, "asset", None, files))
    return (root,), tuple(resources)


def render_manifest(theme: Theme, course: Course, version: str, items: tuple[Item, ...],
                    resources: tuple[Resource, ...]) -> tuple[str, str | None]:
    """imsmanifest.xml text and, for SCORM 2004, the LOM metadata file it points at."""
    config = course.config
    meta = {"title": config.title, "language": config.language or "en", "version": config.version or "1.0",
            "description": config.description}
    ids = {"manifest": ncname("MANIFEST", config.slug), "organization": ncname("ORG", config.slug)}
    name = "scorm/manifest12.xml" if version == "1.2" else "scorm/manifest2004.xml"
    manifest = theme.render(name, meta=meta, ids=ids, items=items, resources=resources)
    metadata = theme.render("scorm/metadata2004.xml", meta=meta, ids=ids) if version == "2004" else None
    return manifest, metadata
