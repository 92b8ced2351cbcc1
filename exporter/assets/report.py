"""The loss report: per build, what each format could not carry as written and what it did instead."""
from __future__ import annotations

from collections import Counter

from exporter.model import AssetManifest, Course
from exporter import ast

_INTERACTIVE = {"youtube", "vimeo"}
_SCORM_EMBEDS = ("click-to-load privacy-friendly player (youtube-nocookie, vimeo dnt) and a link for videos, "
                 "a link card for the rest")
_PER_FORMAT_EMBEDS = {
    "pdf": ("video", "card: thumbnail or placeholder, title, short link and QR code"),
    "epub": ("embed", "linked thumbnail or card (e-readers run no players)"),
    "scorm12": ("embed", _SCORM_EMBEDS),
    "scorm2004": ("embed", _SCORM_EMBEDS),
    "cmi5": ("embed", _SCORM_EMBEDS),
    "xapi": ("embed", _SCORM_EMBEDS),
    "html": ("embed", "link card"),
}
_SCORM_QUIZ = "form controls checked on the page; each answer an interaction, the score and pass/fail sent to the LMS"
_LRS_QUIZ = ("form controls checked on the page; each answer an `answered` statement (cmi.interaction), the score "
             "and passed/failed sent to the LRS")
_QUIZZES = {
    "pdf": "tick boxes or writing lines; right answers and explanations only in the answer key (pdf.answer_key)",
    "epub": "question and choices, no checking (readers run no scripts); answers in a section at the chapter's end",
    "scorm12": _SCORM_QUIZ, "scorm2004": _SCORM_QUIZ,
    "cmi5": _LRS_QUIZ, "xapi": _LRS_QUIZ,
}
"""What each format does with a `:::quiz` (docs/quiz.md)."""


def loss_report(course: Course, manifest: AssetManifest, formats: tuple[str, ...]) -> tuple[str, str]:
    """(summary line for the terminal, report text). Lines name the lesson and line of each loss. Built from
    facts the stages kept (each lesson's losses, the asset manifest's notes), not from diagnostics."""
    lines = [f"Loss report for {course.config.title} ({course.config.slug}); formats: {', '.join(formats)}", ""]
    every = _every_format(course, manifest)
    lines += ["All formats:"] + (every or ["  nothing lost"]) + [""]
    embeds = _embeds(course)
    quizzes = [(lesson.source, question.line, question.id) for lesson in course.lessons for question in lesson.questions]
    screen = [n for n in manifest.notes if n.kind in ("converted", "downscaled")]
    for name in formats:
        lines.append(f"{name}:")
        lines += _format_lines(name, embeds, screen, quizzes) or ["  nothing lost"]
        lines.append("")
    return _summary(course, manifest, embeds), "\n".join(lines).rstrip() + "\n"


def _every_format(course: Course, manifest: AssetManifest) -> list[str]:
    out = []
    for note in manifest.notes:
        if note.kind in ("missing", "invalid", "refused"):
            out.append(f"  {note.source}:{note.line}: image {note.kind} -> placeholder with alt text and address "
                       f"({note.detail})")
    out += [f"  {lesson.source}:{loss.line}: {loss.what}" for lesson in course.lessons for loss in lesson.losses]
    return out


_EMBED = ast.marks_of("embed")


def _embeds(course: Course) -> list[tuple[str, int, str, str]]:
    """(lesson, line, provider, target) of every embed in reading order."""
    found = []
    for lesson in course.lessons:
        for node in (n for block in lesson.body if ast.holds_any(block, _EMBED) for n in ast.iter_nodes(block)):
            if node["t"] == "Div" and "embed" in ast.classes(node):
                line = ast.line_of(node) or 1
                found.append((lesson.source, line, ast.attribute(node, "provider") or "?",
                              ast.attribute(node, "target") or ""))
    return found


def _format_lines(name: str, embeds: list, screen: list, quizzes: list) -> list[str]:
    kind, instead = _PER_FORMAT_EMBEDS.get(name, ("embed", "link"))
    out = [f"  {source}:{line}: {provider} {target} -> {instead}" for source, line, provider, target in embeds
           if kind == "embed" or provider in _INTERACTIVE]
    if name == "pdf":
        out += [f"  {source}:{line}: {provider} {target} -> link card with QR code"
                for source, line, provider, target in embeds if provider not in _INTERACTIVE]
    if name in ("epub", "scorm12", "scorm2004", "cmi5", "xapi"):
        out += [f"  {n.source}:{n.line}: {n.detail}" for n in screen]
    return out + [f"  {source}:{line}: quiz {ident} -> {_QUIZZES[name]}" for source, line, ident in quizzes
                  if name in _QUIZZES]


def _summary(course: Course, manifest: AssetManifest, embeds: list) -> str:
    kinds = Counter(n.kind for n in manifest.notes)
    missing = kinds["missing"] + kinds["invalid"] + kinds["refused"]
    parts = [f"{missing} image(s) as placeholders"]
    if embeds:
        parts.append(f"{len(embeds)} embed(s) as QR cards in print and link cards in EPUB")
    if kinds["downscaled"] or kinds["converted"]:
        parts.append(f"{kinds['downscaled'] + kinds['converted']} image(s) scaled/converted for screens")
    other = Counter(loss.what for lesson in course.lessons for loss in lesson.losses)
    parts += [f"{count} × {what}" for what, count in sorted(other.items())]
    return "loss report: " + ", ".join(parts)
