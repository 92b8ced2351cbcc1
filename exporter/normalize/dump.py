"""Readable dumps of the tree: `exporter tree`, and the expected side of the fixture tests."""
from __future__ import annotations

from typing import Any

from exporter.model import Block, Course, Lesson
from exporter.normalize import ast


def describe(block: Block) -> str:
    """`Callout(info)`, `Embed(youtube _Vn87bvG0eU)`, `Header(2 'Title')`, `Para`..."""
    kind = block["t"]
    klass = ast.classes(block)
    if kind == "Div":
        if "callout" in klass:
            kinds = [c for c in klass if c != "callout"]
            summary = ast.attribute(block, "summary")
            return f"Callout({' '.join(kinds)}{' ' + repr(summary) if summary else ''})"
        if "embed" in klass:
            return f"Embed({ast.attribute(block, 'provider')} {ast.attribute(block, 'target')})"
        for name in ("toc", "spacer", "exercise", "answer"):
            if name in klass:
                return name.capitalize()
        return f"Div({' '.join(klass)})"
    if kind == "Header":
        return f"Header({block['c'][0]} {ast.plain_text(block['c'][2]).strip()!r})"
    if kind == "CodeBlock":
        attrs = "".join(f" {k}={v}" for k, v in block["c"][0][2] if k != "data-line")
        return f"CodeBlock({' '.join(klass)}{attrs})"
    if kind == "RawBlock":
        return f"RawBlock({block['c'][0]})"
    return kind


def children(block: Block) -> list[Block]:
    if block["t"] in ("Div",):
        return block["c"][1]
    if block["t"] == "BlockQuote":
        return block["c"]
    return []


def dump_blocks(blocks: list[Block], lines: list[int] | None = None, indent: str = "") -> list[str]:
    out = []
    for index, block in enumerate(blocks):
        line = lines[index] if lines else ast.attribute(block, "data-line")
        out.append(f"{indent}{describe(block)}" + (f" @{line}" if line else ""))
        out += dump_blocks(children(block), None, indent + "  ")
    return out


def dump_lesson(lesson: Lesson) -> str:
    return "\n".join(dump_blocks(list(lesson.body), list(lesson.block_lines)))


def course_outline(course: Course) -> dict[str, Any]:
    config = course.config
    return {
        "title": config.title, "slug": config.slug, "language": config.language,
        "modules": [{
            "id": module.id, "title": module.title,
            "lessons": [{
                "slug": lesson.slug, "title": lesson.title, "source": lesson.source, "tags": list(lesson.tags),
                "lang": lesson.lang, "dir": lesson.dir,
                "headings": [{"level": h.level, "text": h.text, "id": h.id, "line": h.line} for h in lesson.headings],
                "blocks": dump_lesson(lesson).splitlines(),
                "text": ast.plain_text(list(lesson.body)),
            } for lesson in module.lessons],
        } for module in course.modules],
    }
