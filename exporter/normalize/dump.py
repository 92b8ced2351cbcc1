"""Readable dumps of the tree: `exporter tree --blocks`, and the expected side of the fixture tests.

One line per block, `Kind(details) @line: inline text`, children indented by two spaces. Inline
constructs that HackMD adds are spelled as calls (`Mark(x)`, `Sup(2)`, `Emoji(smile 😄)`) so a
fixture shows at a glance that no delimiter is left as text.
"""
from __future__ import annotations

from typing import Any

from exporter.model import Block, Course, Lesson
from exporter import ast

_WRAPPERS = {"Emph": "Emph", "Strong": "Strong", "Strikeout": "Del", "Superscript": "Sup", "Subscript": "Sub",
             "Underline": "Ins", "SmallCaps": "SmallCaps"}
_SPAN_NAMES = {"mark": "Mark", "underline": "Ins", "attribution": "Attribution"}


def inline_text(inlines: list, limit: int | None = None) -> str:
    """Inlines as one line of text with HackMD constructs spelled as calls."""
    text = "".join(_inline(node) for node in inlines).strip()
    if limit is not None and len(text) > limit:
        return text[: limit - 1] + "…"
    return text


def _inline(node: dict) -> str:
    kind, content = node["t"], node.get("c")
    if kind == "Str":
        return content
    if kind in ("Space", "SoftBreak"):
        return " "
    if kind == "LineBreak":
        return " ↵ "
    if kind in _WRAPPERS:
        return f"{_WRAPPERS[kind]}({inline_text(content)})"
    if kind == "Span":
        return _span(node)
    if kind == "Code":
        return f"Code({content[1]!r})"
    if kind == "Math":
        return f"Math({'display' if content[0]['t'] == 'DisplayMath' else 'inline'} {content[1]!r})"
    if kind == "Link":
        return f"Link({content[2][0]} {inline_text(content[1])!r})"
    if kind == "Image":
        size = "".join(f" {k}={v}" for k, v in content[0][2] if k in ("width", "height"))
        return f"Image({content[2][0]}{size} {inline_text(content[1])!r})"
    if kind == "RawInline":
        return f"Raw({content[0]} {content[1]!r})"
    if kind == "Note":
        return f"Note({' / '.join(_flat(b) for b in content)})"
    if kind == "Quoted":
        return f"“{inline_text(content[1])}”"
    if kind == "Cite":
        return inline_text(content[1])
    return kind


def _span(node: dict) -> str:
    klass = ast.classes(node)
    inner = inline_text(node["c"][1])
    if "emoji" in klass:
        return f"Emoji({ast.attribute(node, 'data-emoji')} {inner})"
    if "task" in klass:
        return f"Task({inner})"
    if "abbr" in klass:
        return f"Abbr({inner}={ast.attribute(node, 'title')})"
    for klass_name, name in _SPAN_NAMES.items():
        if klass_name in klass:
            return f"{name}({inner})"
    attrs = "".join(f" {k}={v}" for k, v in node["c"][0][2] if k != ast.LINE)
    if not klass and not attrs and [child["t"] for child in node["c"][1]] == ["Math"]:
        return inner  # the span that only carries a formula's line (normalize/tree.py `_holds_formula`)
    return f"Span({' '.join('.' + c for c in klass)}{attrs} {inner})"


def _flat(block: Block) -> str:
    """A block as one line (inside footnotes)."""
    if block["t"] in ("Para", "Plain"):
        return inline_text(block["c"])
    return describe(block)


def describe(block: Block) -> str:
    """`Callout(info)`, `Embed(youtube _Vn87bvG0eU)`, `Header(2 'Title')`, `Para`..."""
    kind = block["t"]
    klass = ast.classes(block)
    if kind == "Div":
        return _describe_div(block, klass)
    if kind == "Header":
        return f"Header({block['c'][0]} #{block['c'][1][0]})" if block["c"][1][0] else f"Header({block['c'][0]})"
    if kind == "CodeBlock":
        attrs = "".join(f" {k}={v}" for k, v in block["c"][0][2] if k != ast.LINE)
        return f"CodeBlock({' '.join(klass)}{attrs})"
    if kind == "RawBlock":
        return f"RawBlock({block['c'][0]} {block['c'][1][:60]!r})"
    if kind == "OrderedList":
        return f"OrderedList(start={block['c'][0][0]})"
    if kind == "Table":
        return _describe_table(block)
    return kind


def _describe_div(block: Block, klass: list[str]) -> str:
    if "callout" in klass:
        kinds = [c for c in klass if c != "callout"]
        summary = ast.attribute(block, "summary")
        state = " open" if ast.attribute(block, "open") else ""
        return f"Callout({' '.join(kinds)}{' ' + repr(summary) if summary else ''}{state})"
    if "embed" in klass:
        return f"Embed({ast.attribute(block, 'provider')} {ast.attribute(block, 'target')})"
    if "exercise" in klass and ast.attribute(block, "lines"):
        return f"Exercise(lines={ast.attribute(block, 'lines')})"
    for name in ("toc", "spacer", "exercise", "answer"):
        if name in klass:
            return name.capitalize()
    return f"Div({' '.join(klass)})"


def _describe_table(block: Block) -> str:
    aligns = {"AlignLeft": "L", "AlignRight": "R", "AlignCenter": "C", "AlignDefault": "-"}
    columns = "".join(aligns.get(spec[0]["t"], "?") for spec in block["c"][2])
    rows = sum(len(body[3]) for body in block["c"][4])
    return f"Table({len(block['c'][2])} cols {columns}, {rows} rows)"


def _text_of(block: Block) -> str | None:
    """The inline text printed after a block's head, if it has any."""
    kind = block["t"]
    if kind in ("Para", "Plain"):
        return inline_text(block["c"])
    if kind == "Header":
        return inline_text(block["c"][2])
    if kind == "CodeBlock":
        return repr(block["c"][1])
    return None


def children(block: Block) -> list[tuple[str, list[Block]]]:
    """Child block groups, each with the marker that prefixes its first block (list items, definitions)."""
    kind, content = block["t"], block.get("c")
    if kind == "Div":
        return [("", content[1])]
    if kind in ("BlockQuote", "Figure"):
        return [("", content if kind == "BlockQuote" else content[2])]
    if kind == "BulletList":
        return [("- ", item) for item in content]
    if kind == "OrderedList":
        return [("1. ", item) for item in content[1]]
    if kind == "DefinitionList":
        groups: list[tuple[str, list[Block]]] = []
        for term, definitions in content:
            groups.append(("", [{"t": "Plain", "c": [{"t": "Str", "c": "Term: "}, *term]}]))
            groups += [(": ", definition) for definition in definitions]
        return groups
    if kind == "Table":
        return [("", [{"t": "Plain", "c": _row_text(row)}]) for row in _table_rows(content)]
    return []


def _table_rows(content: list) -> list:
    head = content[3][1]
    bodies = [row for body in content[4] for row in body[3]]
    return head + bodies


def _row_text(row: list) -> list:
    cells = []
    for cell in row[1]:
        cells.append(inline_text([i for b in cell[4] for i in (b["c"] if b["t"] in ("Para", "Plain") else [])]))
    return [{"t": "Str", "c": "| " + " | ".join(cells) + " |"}]


def dump_blocks(blocks: list[Block], lines: list[int] | None = None, indent: str = "",
                limit: int | None = None) -> list[str]:
    """One line per block (with its line when known), children indented."""
    out = []
    for index, block in enumerate(blocks):
        out.append(_block_line(block, lines[index] if lines else None, indent, limit))
        for marker, group in children(block):
            inner = dump_blocks(group, None, indent + "  ", limit)
            if marker and inner:
                inner[0] = indent + "  " + marker + inner[0][len(indent) + 2:]
            out += inner
    return out


def _block_line(block: Block, line: Any, indent: str, limit: int | None) -> str:
    line = line or ast.line_of(block)
    text = _text_of(block)
    if text is not None and limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    head = describe(block) + (f" @{line}" if line else "")
    return f"{indent}{head}" + (f": {text}" if text else "")


def dump_lesson(lesson: Lesson, limit: int | None = None) -> str:
    """The whole body of a lesson, top-level blocks with their source lines."""
    return "\n".join(dump_blocks(list(lesson.body), list(lesson.block_lines), limit=limit))


def course_outline(course: Course) -> dict[str, Any]:
    """The tree as JSON-ready data (`exporter tree --json`)."""
    config = course.config
    return {
        "title": config.title, "slug": config.slug, "language": config.language,
        "modules": [{
            "id": module.id, "title": module.title,
            "lessons": [_lesson_outline(lesson) for lesson in module.lessons],
        } for module in course.modules],
    }


def _lesson_outline(lesson: Lesson) -> dict[str, Any]:
    return {
        "slug": lesson.slug, "title": lesson.title, "source": lesson.source, "tags": list(lesson.tags),
        "lang": lesson.lang, "dir": lesson.dir,
        "headings": [{"level": h.level, "text": h.text, "id": h.id, "line": h.line} for h in lesson.headings],
        "blocks": dump_lesson(lesson).splitlines(),
        "text": prose_text(list(lesson.body)),
    }


def prose_text(node: Any) -> str:
    """Every character a reader could see outside code, raw HTML included (leak checks look here)."""
    if isinstance(node, list):
        return "".join(prose_text(n) for n in node)
    if not isinstance(node, dict) or "t" not in node:
        return ""
    kind, content = node["t"], node.get("c")
    if kind == "Str":
        return content
    if kind in ("Space", "SoftBreak", "LineBreak"):
        return " "
    if kind in ("Code", "CodeBlock"):
        return " "
    if kind in ("RawInline", "RawBlock", "Math"):
        return content[1]
    if kind in ("Para", "Plain", "Header", "Div") or isinstance(content, list):
        return (" " + prose_text(content) + " ") if kind in ("Para", "Plain", "Header") else prose_text(content)
    return ""
