"""Launch pages for the LMS formats (SCORM, cmi5, xAPI): the same lesson pages, pager and reading runtime,
whichever protocol reports the learner's progress. One launch page holds the whole course (single mode) or
one lesson (multi mode)."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from exporter.diagnostics import Reporter
from exporter.fragments import inner_html
from exporter.guard import lesson_guard
from exporter.i18n.css import lms_css
from exporter.model import AssetManifest, Course, Lesson, RenderedDoc
from exporter.render import LessonHtml
from exporter.shape.links import Page, link_pages
from exporter.shape.quiz import interactive_quizzes
from exporter.shape.screen import screen_root
from exporter.theme import Theme


@dataclass(frozen=True, slots=True)
class PageKind:
    """What differs between the launch pages of two LMS formats; the lessons, chrome and reading runtime do not."""

    stylesheet: str
    """Name of the page's CSS inside the package."""
    scripts: tuple[str, ...]
    """Scripts the page loads, in order."""
    continue_button: bool = False
    """A 'Next lesson' button for an LMS that sequences one page per lesson (SCORM 2004)."""
    launch: dict | None = None
    """xAPI formats: what the launch script needs (protocol, messages); None for SCORM."""


def page_name(lesson: Lesson) -> str:
    """The launch page of a lesson (one SCO or AU per lesson)."""
    return f"{lesson.slug}.html"


def fingerprint(course: Course) -> str:
    """Six hex digits naming the lesson list: bookmarks from another course version are ignored, not misread."""
    return hashlib.sha256("\n".join(l.slug for l in course.lessons).encode()).hexdigest()[:6]


def runtime_options(course: Course, mode: str, version: str, commit_seconds: int = 0,
                    close_popup: bool = False) -> dict:
    """What the reading runtime is told on the page (body data attributes): the API version it talks to, the
    page mode, the completion rule, the bookmark fingerprint, the quiz pass mark (0-1, '' when unset), attempts and
    what a retry repeats,
    and the platform's quirks."""
    config = course.config
    return {"version": version, "mode": mode, "completion": config.scorm.completion,
            "fingerprint": fingerprint(course), "commit_seconds": commit_seconds, "close_popup": close_popup,
            "pass_mark": "" if config.pass_fraction is None else f"{config.pass_fraction:g}",
            "attempts": config.quiz.attempts, "retry": config.quiz.retry}


def screen_assets(manifest: AssetManifest) -> tuple[tuple[str, Path], ...]:
    """The images a launch page shows, as package members (their files: read when the package is written)."""
    return tuple((a.key, a.path) for a in manifest.files_for("screen"))


def linked_bodies(lessons: tuple[LessonHtml, ...], manifest: AssetManifest, mode: str,
                  reporter: Reporter, shared: dict | None = None) -> dict[str, str]:
    """Each lesson's page HTML, its links pointing into the page that shows it. One page for the course: every
    lesson is a section of index.html, so a link to a lesson opens its section. A page per lesson: a link may
    not leave its page (moving between pages is the LMS's job), so links to other lessons keep their text.
    `shared`: what the formats of one build share (`exporter_for`): the LMS formats show the same pages, so
    they are shaped once per mode (what shaping said, the reporter holds and would not say twice)."""
    if shared is None:
        return _linked_bodies(lessons, manifest, mode, reporter)
    if ("linked_bodies", mode) not in shared:
        shared["linked_bodies", mode] = _linked_bodies(lessons, manifest, mode, reporter)
    return shared["linked_bodies", mode]


def _linked_bodies(lessons: tuple[LessonHtml, ...], manifest: AssetManifest, mode: str,
                   reporter: Reporter) -> dict[str, str]:
    roots = {}
    for item in lessons:
        with lesson_guard(item.lesson.source, "shaping the LMS page of"):
            root = screen_root(item, manifest)
            interactive_quizzes(root, item.lesson, item.ui)
            _keyboard_scrolling(root)
            roots[item.lesson.slug] = (item.lesson, root)
    if mode == "single":
        link_pages([Page("index.html", lesson, root) for lesson, root in roots.values()], reporter)
    else:
        for lesson, root in roots.values():
            link_pages([Page(page_name(lesson), lesson, root)], reporter)
    return {slug: inner_html(root) for slug, (_, root) in roots.items()}


def _keyboard_scrolling(root) -> None:
    """Code and tables scroll sideways on a narrow screen (scorm.css): each can take the focus, so a keyboard
    can scroll it too (WCAG 2.1.1; axe-core: scrollable-region-focusable)."""
    for element in root.iter("pre", "table"):
        element.set("tabindex", "0")


def stylesheet(theme: Theme, *extra: str) -> bytes:
    """The lesson CSS, the LMS page CSS and any format's own additions, as one file."""
    parts = ["css/content.css", "css/mathml.css", "scorm/scorm.css", *extra, "css/brand.css"]
    sheet = "\n".join(theme.read_static(part) for part in parts) + lms_css(theme.ui)  # exporter's words last
    return sheet.encode("utf-8")


def launch_pages(theme: Theme, course: Course, mode: str, bodies: dict[str, str], runtime: dict,
                 kind: PageKind) -> tuple[RenderedDoc, ...]:
    """`index.html` for the whole course (single mode), or one page per lesson (multi mode)."""
    if mode == "multi":
        return tuple(launch_page(theme, course, (lesson,), bodies, runtime, page_name(lesson), kind)
                     for lesson in course.lessons)
    return (launch_page(theme, course, course.lessons, bodies, runtime, "index.html", kind),)


def launch_page(theme: Theme, course: Course, lessons: tuple, bodies: dict[str, str], runtime: dict, name: str,
                kind: PageKind) -> RenderedDoc:
    """One launch page: every lesson of the course (single mode) or just one (a page per lesson)."""
    modules = course.module_titles()
    sections = []
    for lesson in lessons:
        sections.append({
            "slug": lesson.slug, "title": lesson.title, "body": bodies[lesson.slug],
            "module": modules.get(lesson.slug, ""), "lang": lesson.lang, "dir": lesson.dir})
    single = len(lessons) > 1 or name == "index.html"
    nav = [{"title": m.title, "entries": m.lessons} for m in course.modules] if single else []
    title = course.config.title if single else f"{lessons[0].title} – {course.config.title}"
    page = {"title": title, "lang": (lessons[0].lang if not single else None) or course.config.language or "en",
            "dir": None if single else lessons[0].dir, "sections": sections, "nav": nav,
            "continue_button": not single and kind.continue_button, "stylesheet": kind.stylesheet,
            "scripts": kind.scripts, "launch": kind.launch}
    content = theme.render("scorm/page.html", page=page, runtime=runtime, course_title=course.config.title)
    return RenderedDoc(name, title, content)
