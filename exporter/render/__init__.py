"""Stage 4, render: the course tree -> sanitized HTML per lesson (one pandoc call), then per-format pages.

`render_lessons` is format-neutral and runs once per build; each exporter shapes those fragments
for its format (`exporters/<format>.py`) through the theme's templates.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Mapping

from exporter import pandoc
from exporter.assets.tree import IMAGE_MISSING
from exporter.cache import BuildCache
from exporter.diagnostics import Diagnostic, Reporter
from exporter.embeds import embed_links
from exporter.fragments import fragment, has_class, inner_html, with_class
from exporter.guard import lesson_guard
from exporter.i18n import ENGLISH, N_, Ui, ui_for
from exporter.mathjax import Formula
from exporter.model import Course, Lesson, Loss
from exporter.render.accessible import make_accessible
from exporter.render.highlight import prepare_code_blocks, restore_code_classes
from exporter import ast
from exporter.render.math import typeset_lessons
from exporter.sanitize import clean_html

CALLOUT_LABELS = {"info": N_("Info"), "success": N_("Tip"), "warning": N_("Warning"), "danger": N_("Danger"),
                  "spoiler": N_("Answer"), "note": N_("Note"), "speaker-notes": N_("Speaker notes"),
                  "exercise": N_("Exercise"), "answer": N_("Answer")}
"""The visible label of each box, so meaning never rests on colour alone (in the course's language)."""


@dataclass(frozen=True, slots=True)
class LessonHtml:
    lesson: Lesson
    html: str
    """Sanitized body fragment: callouts are `div.callout.KIND` with a `p.callout-label`, embeds are
    `div.embed[data-provider][data-target][data-url][data-short][data-label][data-player?]`, spacers `div.spacer`, the lesson TOC `div.toc`."""
    ui: Ui = ENGLISH
    """The words the labels are in (the course's language): shaping adds its own in the same."""
    losses: tuple[Loss, ...] = ()
    """What this lesson's HTML could not carry, found while rendering (a formula MathJax rejected)."""
    math_svg: Mapping[Formula, str] = field(default_factory=dict)
    """MathJax's SVG of each formula typeset in `html` (a `<math alttext=TeX display=...>`), for the
    formats that draw formulas (the PDF) or ship a picture beside the MathML (the EPUB's `altimg`)."""


def render_lessons(course: Course, reporter: Reporter | None = None, cache: BuildCache | None = None,
                   jobs: int | None = None) -> tuple[LessonHtml, ...]:
    """Every lesson body as sanitized HTML: those the cache holds from it, the rest written in one pandoc
    call, split per lesson and sanitized. Warnings found while rendering a lesson are kept with it in the
    cache and said again when it comes from there, so a warm build reports what a cold one does. Formulas
    are then typeset by MathJax (`render/math.py`), each cached on its own."""
    cache = cache or BuildCache(None)
    lessons = course.lessons
    ui = ui_for(course.config.language, course.config.ui)  # callout and embed labels are in the course's words
    course_lang = course.config.language or "en"
    keys = [cache.key("render", pandoc.version(), ui.fingerprint, lesson.source, lesson.slug,  # notes ids hold the slug
                      ast.tree_bytes(lesson.body), lesson.lang or "", course_lang)
            for lesson in lessons]
    rendered = {index: cache.get(key) for index, key in enumerate(keys)}
    missing = [index for index, found in rendered.items() if found is None]
    if missing:
        fresh = _render([lessons[index] for index in missing], ui, course_lang, cache, jobs or os.cpu_count() or 1)
        for index, result in zip(missing, fresh):
            cache.put(keys[index], result)
            rendered[index] = result
    out = []
    for index, lesson in enumerate(lessons):
        html, diagnostics = rendered[index]
        if reporter is not None:
            reporter.extend(diagnostics)
        out.append(LessonHtml(lesson=lesson, html=html, ui=ui))
    return typeset_lessons(tuple(out), reporter, cache)


def _render(lessons: list[Lesson], ui: Ui, course_lang: str, cache: BuildCache,
            jobs: int = 1) -> list[tuple[str, tuple[Diagnostic, ...]]]:
    """(sanitized HTML, diagnostics) of each lesson, from one pandoc write for all of them (split across
    `jobs` processes for a large course); `course_lang` is the language of a lesson that does not say its
    own."""
    # the walks go over the lessons' top-level blocks, not each lesson as one: most blocks need nothing
    bodies = [_with_labels(list(lesson.body), ui) for lesson in lessons]
    prepared = iter(prepare_code_blocks([block for body in bodies for block in body], cache))  # one lookup at most
    blocks = [ast.make_div(["exporter-lesson"], {}, [next(prepared) for _ in body], ident=f"exporter-{i}")
              for i, body in enumerate(bodies)]
    written = fragment(pandoc.write_html(blocks, jobs))
    restore_code_classes(written)
    fragments = _lesson_fragments(written)
    out = []
    for index, lesson in enumerate(lessons):
        with lesson_guard(lesson.source, "rendering"):
            element = fragments.get(f"exporter-{index}")
            found = Reporter()
            if element is not None:
                _number_notes(element, lesson)
                _number_code_blocks(element, lesson)
                make_accessible(element, lesson.lang or course_lang, course_lang)
            inner = "" if element is None else inner_html(element)
            out.append((clean_html(inner), tuple(found.diagnostics)))
    return out


def _number_notes(element, lesson: Lesson) -> None:
    """pandoc numbers notes across everything it writes at once; each lesson numbers its own from 1, with
    ids under the lesson's slug (`l-intro--fn1`), so a lesson's HTML does not depend on the lessons rendered
    with it (the cache renders a changed lesson alone) and ids stay unique across the course."""
    numbers: dict[str, int] = {}
    for item in [li for listing in with_class(element, "aside", "footnotes") for li in listing.iter("li")]:
        number = numbers[item.get("id") or ""] = len(numbers) + 1
        item.set("id", f"{lesson.slug}--fn{number}")
    for listing in with_class(element, "aside", "footnotes"):
        listing.attrib.pop("id", None)  # 'footnotes', 'footnotes-2'...: numbered across the whole write too
        for ordered in listing.iter("ol"):
            ordered.attrib.pop("start", None)
    for link in element.iter("a"):
        target = (link.get("href") or "").lstrip("#")
        if has_class(link, "footnote-ref") and target in numbers:
            number = numbers[target]
            link.set("href", f"#{lesson.slug}--fn{number}")
            link.set("id", f"{lesson.slug}--fnref{number}")
            for sup in link.iter("sup"):
                sup.text = str(number)
        elif has_class(link, "footnote-back") and target.startswith("fnref"):
            number = numbers.get("fn" + target.removeprefix("fnref"))
            if number is not None:
                link.set("href", f"#{lesson.slug}--fnref{number}")


_PANDOC_CODE_ID = re.compile(r"cb\d+")


def _number_code_blocks(element, lesson: Lesson) -> None:
    """pandoc numbers highlighted code blocks (`cb7`, their lines `cb7-1`) across everything it writes at
    once; each lesson numbers its own under its slug (`l-intro--cb1-1`), as it does its notes: a lesson
    rendered alone (a warm build) gets the ids a cold build gives it, and no two lessons share one."""
    count = 0
    for block in with_class(element, "div", "sourceCode"):
        old = block.get("id") or ""
        if not _PANDOC_CODE_ID.fullmatch(old):
            continue  # an id the author gave
        count += 1
        new = f"{lesson.slug}--cb{count}"
        block.set("id", new)
        for line in block.iter("span"):
            if (line.get("id") or "").startswith(old + "-"):
                line.set("id", new + line.get("id")[len(old):])
        for link in block.iter("a"):
            if (link.get("href") or "").startswith(f"#{old}-"):
                link.set("href", f"#{new}" + link.get("href")[len(old) + 1:])


def _lesson_fragments(root) -> dict:
    """Lesson div by id, with the footnotes pandoc set after it moved inside, at its end."""
    fragments, current = {}, None
    for element in list(root.iterchildren()):
        if element.get("class") == "exporter-lesson":
            current = fragments[element.get("id")] = element
        elif current is not None and has_class(element, "footnotes"):
            element.attrib.pop("id", None)  # 'footnotes', 'footnotes-2'...: meaningless once split per lesson
            current.append(element)
    return fragments


def _with_labels(blocks: list, ui: Ui) -> list:
    """Give each callout a visible label paragraph and embeds their data attributes."""
    def visit(node: dict):
        if node["t"] == "Span" and "image-missing-label" in ast.classes(node):
            node["c"][1] = [{"t": "Str", "c": ui.gettext(IMAGE_MISSING)}]
            return None
        if node["t"] != "Div":
            return None
        klass = ast.classes(node)
        attr = node["c"][0]
        if "callout" in klass or "exercise" in klass or "answer" in klass:
            kind = next((c for c in klass if c in CALLOUT_LABELS), "note")
            label = ui.gettext(CALLOUT_LABELS[kind])
            summary = ast.attribute(node, "summary")
            text = ui.gettext("%(label)s: %(summary)s", label=label, summary=summary) if summary else label
            node["c"][1] = [{"t": "Para", "c": [{"t": "Span", "c": [["", ["callout-label"], []],
                                                                    [{"t": "Str", "c": text}]]}]}] + node["c"][1]
            attr[2] = [[("data-summary" if k == "summary" else k), v] for k, v in attr[2]]
        if "embed" in klass:
            links = embed_links(ast.attribute(node, "provider") or "", ast.attribute(node, "target") or "", ui)
            extra = {"url": links.url, "short": links.short, "label": links.label, "player": links.player or ""}
            attr[2] = [[f"data-{k}" if not k.startswith("data-") else k, v] for k, v in attr[2]]
            attr[2] += [[f"data-{k}", v] for k, v in extra.items() if v]
        return None

    return ast.walk_holding(blocks, _LABELLED, visit)


_LABELLED = ast.marks_of("image-missing-label", "callout", "exercise", "answer", "embed")
"""The classes `_with_labels` acts on: a block holding none of them is kept as it is."""
