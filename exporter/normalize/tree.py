"""pandoc JSON -> Lesson: source positions moved onto blocks, HackMD placeholders made into typed nodes."""
from __future__ import annotations

import re
from typing import Any

from exporter.config import CourseConfig, slugify
from exporter.diagnostics import Code, Reporter
from exporter.model import Block, Heading, Lesson, LessonSource, Loss, SourcePos
from exporter import ast
from exporter.language import lesson_language
from exporter.normalize.headings import HEADER, shift_headings
from exporter.normalize.hackmd import TOKEN_KEY, Rewritten
from exporter.normalize.quiz import build_questions
from exporter.normalize.tex import mathjax_compatible
from exporter.pandoc import POSITION
from exporter.sanitize import (RESERVED_CLASSES, RESERVED_ID_PREFIX, balance_raw_blocks, balance_raw_html,
                               neutralize_raw_html)

DROPPED_KEY = "exporter-dropped"
"""Set by `_strip_positions` on a node whose author-written data-* attributes it removed (their names), so
the lesson's pass can report them with the lesson's name."""
RTL_LANGUAGES = ("ar", "he", "fa", "ur", "yi", "ps", "sd", "ug", "dv")
TASK_OPEN, TASK_DONE = "\u2610", "\u2611"


def _pandoc_pos(pairs: list) -> str | None:
    """The `data-pos` pandoc wrote (a lesson may write its own; only pandoc's holds this run's input name)."""
    return next((v for k, v in pairs if k == "data-pos" and POSITION.match(v)), None)


def _parse_pos(node: dict) -> tuple[int, int] | None:
    """(input index, line) from pandoc's sourcepos `data-pos`, or None."""
    attr = ast.attr_of(node)
    match = POSITION.match(_pandoc_pos(attr[2]) or "") if attr else None
    return (int(match.group(1)), int(match.group(2))) if match else None


def split_by_input(blocks: list[Block], count: int) -> list[list[tuple[int, Block]]]:
    """Group the course's top-level blocks by the lesson file they came from, each with its line."""
    lessons: list[list[tuple[int, Block]]] = [[] for _ in range(count)]
    current, line = 0, 1
    for block in blocks:
        found = _parse_pos(block) if ast.attr_of(block) is not None else None
        if found:
            current, line = found
        for inner in _strip_positions([block]):
            lessons[current].append((line, inner))
    return lessons


_KEPT_DATA = (TOKEN_KEY, "data-emoji")
"""data-* keys that survive `_strip_positions`: the token (checked per lesson) and the emoji name pandoc's
own `emoji` extension sets (harmless: the sanitizer drops it from the HTML)."""


def _is_wrapper(node: dict, attr: list) -> bool:
    """pandoc's sourcepos wrapper: a bare Div or Span holding only `wrapper=1` and its `data-pos`. A lesson
    can write `{wrapper=1}` on a link or a code span too; those are not unwrapped."""
    pairs = attr[2]
    return (node["t"] in ("Div", "Span") and not attr[0] and not attr[1] and len(pairs) == 2
            and pairs[0] == ["wrapper", "1"] and pairs[1][0] == "data-pos"
            and (pairs[1][1] == "" or bool(POSITION.match(pairs[1][1]))))  # a line break's wrapper has no position


def _strip_positions(nodes: list) -> list:
    """Unwrap sourcepos wrapper Divs/Spans; keep a compact `data-line` (from pandoc's `data-pos` only) on
    nodes that have attributes. data-* attributes the lesson wrote are removed here, before anything
    reads them: a line number or a `data-player` never comes from the content."""
    def visit(node: dict) -> Any:
        attr = ast.attr_of(node)
        if attr is None:
            return None
        pairs = attr[2]
        if _is_wrapper(node, attr) and not _holds_formula(node):
            return node["c"][1]
        # pandoc gives a code block inside a list item two positions (the item's, then its own): all of
        # pandoc's go, the last (the node's own) gives the line
        ours = [i for i, (k, v) in enumerate(pairs) if k == "data-pos" and POSITION.match(v)]
        match = POSITION.match(pairs[ours[-1]][1]) if ours else None
        authors = [p for i, p in enumerate(pairs) if i not in ours and p[0] != DROPPED_KEY]
        dropped = sorted({k for k, _ in authors if k.startswith("data-") and k not in _KEPT_DATA})
        authors = [p for p in authors if p[0] != "wrapper"] if _holds_formula(node) else authors
        attr[2] = ([p for p in authors if not p[0].startswith("data-") or p[0] in _KEPT_DATA]
                   + ([[DROPPED_KEY, " ".join(dropped)]] if dropped else [])
                   + ([[ast.LINE, match.group(2)]] if match else []))
        return None

    return ast.walk(nodes, visit)


def _holds_formula(node: dict) -> bool:
    """A formula's sourcepos wrapper is kept as a bare span with the formula's own line: a formula MathJax
    rejects is reported there, not at the first line of its paragraph."""
    inner = node["c"][1] if node["t"] == "Span" else None
    return bool(inner) and len(inner) == 1 and inner[0]["t"] == "Math" and _is_wrapper(node, node["c"][0])


def build_lesson(source: LessonSource, extra: Rewritten, blocks: list[tuple[int, Block]],
                 config: CourseConfig, taken: set[str], reporter: Reporter) -> Lesson:
    """One Lesson: title, slug, language, and a body of typed blocks with their source lines."""
    pos = lambda line: SourcePos(source.path, line)  # noqa: E731  (lines below are the file's own)
    file_line = _file_lines(source)
    pairs = [(file_line(line), block) for line, block in blocks]
    pairs = [(line, _trusted(block, extra.token, pos(line), reporter, file_line)) for line, block in pairs]
    losses = list(extra.losses)
    pairs = _typed_blocks(pairs, extra, pos, reporter, losses)
    pairs = _balanced(pairs, pos(1), reporter)
    front = source.front_matter
    title, pairs = _title(front, pairs, source.path)
    slug = unique_slug(source.path, taken, reporter)
    pairs, questions, bad_quiz = _questions(pairs, slug, source.path, reporter)
    pairs, headings = _heading_ids(shift_headings(pairs), slug)
    if not pairs and not title:
        reporter.warning(Code.LOAD_EMPTY, f"{source.path} has no content", SourcePos(source.path, 1))
    lang = str(front["lang"]) if front.get("lang") else lesson_language(_prose(pairs), config.language)
    direction = str(front.get("dir") or "").lower() or None
    if direction not in (None, "rtl", "ltr"):
        direction = None
    if direction is None and lang and lang.split("-")[0].lower() in RTL_LANGUAGES:
        direction = "rtl"
    meta = {k: v for k, v in front.items() if k in ("description", "author", "image")}
    return Lesson(slug=slug, title=title, source=source.path, body=tuple(b for _, b in pairs),
                  block_lines=tuple(line for line, _ in pairs), headings=headings,
                  tags=tuple(_tags(front.get("tags")) + extra.tags), lang=lang, dir=direction, meta=meta,
                  broken=source.broken or bad_quiz, questions=questions,
                  losses=tuple(sorted(losses, key=lambda loss: loss.line)),
                  media_blocks=tuple(index for index, (_, block) in enumerate(pairs) if ast.may_hold_media(block)))


def _prose(pairs) -> str:
    """The words of a lesson's body, without its code (whose keywords are in no one's language)."""
    return " ".join(node["c"] for _, block in pairs for node in ast.iter_nodes(block) if node.get("t") == "Str")


def _questions(pairs, slug: str, path: str, reporter: Reporter):
    """`:::quiz` divs made typed questions (quiz.py), each block keeping its line."""
    blocks, questions, bad = build_questions([block for _, block in pairs], slug, path, reporter)
    return list(zip([line for line, _ in pairs], blocks)), questions, bad


def _file_lines(source: LessonSource):
    """line of the rewritten text -> line of the file. Closers that hackmd.py appends for an unclosed
    fence or container lie past the end: they count as the file's last line. (The count is taken once:
    per node it made a lesson of 50,000 code spans quadratic.)"""
    last = source.text.count("\n") + 1
    return lambda line: source.original_line(min(line, last))


def _trusted(block: Block, token: str, pos: SourcePos, reporter: Reporter, file_line) -> Block:
    """exporter's own vocabulary (`embed`, `callout`, `exercise`, `toc`... and every data-* attribute) stays
    only on nodes hackmd.py wrote, which carry the lesson's token; the same words written by the lesson
    with pandoc's attribute syntax (`[x]{.embed data-player=…}`) are removed and reported. Raw HTML gets
    the same treatment in `neutralize_raw_html`. In the same walk, `data-line` values (lines of the
    rewritten text) become the file's own lines (`file_line`), before a message reads them."""
    def visit(node: dict) -> Any:
        if node["t"] in ("RawInline", "RawBlock") and node["c"][0] == "html":
            return neutralize_raw_html(node, _line_pos(node, pos), reporter)
        attr = ast.attr_of(node)
        if attr is None:
            return None
        for pair in attr[2]:
            if pair[0] == ast.LINE:
                pair[1] = str(file_line(int(pair[1])))
        mine = [TOKEN_KEY, token] in attr[2]
        removed = next((v for k, v in attr[2] if k == DROPPED_KEY), "").split()
        attr[2] = [p for p in attr[2] if p[0] not in (TOKEN_KEY, DROPPED_KEY)]
        if not mine:
            removed += [f".{c}" for c in attr[1] if c in RESERVED_CLASSES]
            attr[1] = [c for c in attr[1] if c not in RESERVED_CLASSES]
            if attr[0].startswith(RESERVED_ID_PREFIX):
                removed.append(f"#{attr[0]}")
                attr[0] = ""
        if removed:
            reporter.warning(Code.HTML_RESERVED, f"{', '.join(removed)} removed: only exporter sets these "
                             "(write {%youtube ID%} for a video, :::info for a box, [TOC] for contents)",
                             _line_pos(node, pos))
        return None

    return ast.walk(block, visit)


def _balanced(pairs: list[tuple[int, Block]], pos: SourcePos, reporter: Reporter) -> list[tuple[int, Block]]:
    """`balance_raw_blocks` over the lesson body, keeping each block's line (closers added at the end
    take the last one)."""
    blocks = balance_raw_blocks([block for _, block in pairs], pos, reporter)
    lines = [line for line, _ in pairs]
    return list(zip(lines + [lines[-1] if lines else 1] * (len(blocks) - len(lines)), blocks))


def _line_pos(node: dict, pos: SourcePos) -> SourcePos:
    line = ast.line_of(node)
    return SourcePos(pos.path, line) if line else pos


def _tags(raw: Any) -> list[str]:
    if isinstance(raw, list):
        return [str(t).strip() for t in raw if str(t).strip()]
    if isinstance(raw, str):
        return [t.strip() for t in raw.split(",") if t.strip()]
    return []


def unique_slug(path: str, taken: set[str], reporter: Reporter) -> str:
    stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    base = slugify(path.rsplit(".", 1)[0].replace("/", "-"), fallback="lesson") if stem else "lesson"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    if slug != base:
        reporter.warning(Code.LESSON_DUPLICATE_SLUG, f"{path} would share the id '{base}' with another lesson; "
                         f"it is '{slug}' instead. Rename one file so ids stay stable", SourcePos(path, 1))
    return slug


def _title(front: dict, pairs: list[tuple[int, Block]], path: str) -> tuple[str, list[tuple[int, Block]]]:
    """Front matter title, else the first H1 (then removed from the body), else the file name."""
    first_h1 = next((i for i, (_, b) in enumerate(pairs) if b["t"] == "Header" and b["c"][0] == 1), None)
    if front.get("title"):
        title = str(front["title"]).strip()
        # Drop the H1 that merely repeats the title at the top, so it is not printed twice.
        if first_h1 is not None and first_h1 <= 1 and _same(ast.plain_text(pairs[first_h1][1]), title):
            pairs = pairs[:first_h1] + pairs[first_h1 + 1:]
        return title, pairs
    if first_h1 is not None:
        title = ast.plain_text(pairs[first_h1][1]).strip()
        if first_h1 == 0:  # the H1 opening the lesson is its title; a later one stays where it is
            pairs = pairs[1:]
        return title, pairs
    stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return re.sub(r"^[\d_-]+", "", stem).replace("-", " ").replace("_", " ").strip().capitalize() or stem, pairs


def _same(a: str, b: str) -> bool:
    return re.sub(r"\W+", "", a).lower() == re.sub(r"\W+", "", b).lower()


def _heading_ids(pairs, slug: str):
    """Ids `slug--heading-text`, unique within the lesson, hence across the course."""
    seen: set[str] = set()
    headings = []

    def visit(node: dict) -> None:
        if node["t"] != "Header":
            return None
        attr = node["c"][1]
        text = ast.plain_text(node["c"][2]).strip()
        base = f"{slug}--{ast.slug_id(text) or 'section'}"
        ident, n = base, 2
        while ident in seen:
            ident, n = f"{base}-{n}", n + 1
        seen.add(ident)
        attr[0] = ident
        line = ast.line_of(node) or 0
        headings.append(Heading(level=node["c"][0], text=text, id=ident, line=line))
        return None

    # most blocks hold no heading: a scan of their bytes in C decides, instead of a walk
    lines, blocks = [line for line, _ in pairs], ast.walk_holding([block for _, block in pairs], HEADER, visit)
    return list(zip(lines, blocks)), tuple(headings)


# ---------------------------------------------------------------------------- typed blocks


def _typed_blocks(pairs, extra: Rewritten, pos, reporter, losses: list[Loss]) -> list[tuple[int, Block]]:
    """Placeholder spans from hackmd.py -> typed Divs; tasks, abbreviations, diagrams, raw HTML."""
    out: list[tuple[int, Block]] = []
    numbering = {"next": 1}
    typed = None if extra.abbreviations else _TYPED  # an abbreviation may be any word: every block is walked
    for line, block in pairs:
        data = ast.tree_bytes(block)  # what the block may hold, scanned once in C for both walks below
        if typed is None or any(mark in data for mark in typed):
            # one walk for both: code blocks and the inline nodes _inline_node acts on are disjoint
            block = ast.walk(block, lambda n: _code_block(n, numbering, pos, reporter, losses)
                             if n["t"] == "CodeBlock" else _inline_node(n, extra.abbreviations))
        block = balance_raw_html(block, pos(line), reporter, losses)
        promoted = any(mark in data for mark in _PROMOTED)  # neither walk above makes such a placeholder
        for piece in ast.walk([block], _promote_paragraphs) if promoted else [block]:
            if piece["t"] == "Div" and "spacer" in ast.classes(piece) and out and "spacer" in ast.classes(out[-1][1]):
                continue  # several &nbsp; lines in a row are one space
            # an embed promoted out of a paragraph keeps its own line
            out.append((ast.line_of(piece) or line, piece))
    while out and "spacer" in ast.classes(out[-1][1]):
        out.pop()
    while out and "spacer" in ast.classes(out[0][1]):
        out.pop(0)
    return out


def _inline_node(node: dict, abbreviations: dict[str, str]) -> Any:
    if node["t"] == "Math":
        node["c"][1] = mathjax_compatible(node["c"][1])
        return None
    if node["t"] == "Span" and "task" in ast.classes(node):
        glyph = TASK_DONE if "done" in ast.classes(node) else TASK_OPEN
        node["c"][1] = [{"t": "Str", "c": glyph}]
        return None
    if node["t"] == "Str" and abbreviations:
        word = node["c"].strip(".,;:!?()")
        if word in abbreviations:
            span = {"t": "Span", "c": [["", ["abbr"], [["title", abbreviations[word]]]], [{"t": "Str", "c": word}]]}
            before, _, after = node["c"].partition(word)
            return [x for x in ({"t": "Str", "c": before} if before else None, span,
                                {"t": "Str", "c": after} if after else None) if x]
    return None


_SINGLE = ("embed", "toc", "spacer")
_PROMOTED = ast.marks_of(*_SINGLE)
_TYPED = ast.marks_of("CodeBlock", "Math", "task")
"""What `_code_block` and `_inline_node` act on (but for abbreviations, which can be any word)."""


def _promote_paragraphs(node: dict) -> Any:
    """A paragraph holding an embed/toc/spacer placeholder is split so the placeholder stands alone."""
    if node["t"] not in ("Para", "Plain"):
        return None
    inlines = node["c"]
    if not any(n["t"] == "Span" and set(ast.classes(n)) & set(_SINGLE) for n in inlines):
        return None
    blocks: list[Block] = []
    run: list = []

    def flush() -> None:
        while run and run[0]["t"] in ("Space", "SoftBreak", "LineBreak"):
            run.pop(0)
        while run and run[-1]["t"] in ("Space", "SoftBreak", "LineBreak"):
            run.pop()
        if run:
            blocks.append({"t": node["t"], "c": list(run)})
        run.clear()

    for inline in inlines:
        kinds = set(ast.classes(inline)) & set(_SINGLE) if inline["t"] == "Span" else set()
        if kinds:
            flush()
            kind = kinds.pop()
            attrs = {k: v for k, v in ast.attr_of(inline)[2]}
            blocks.append(ast.make_div([kind], attrs, []))
        else:
            run.append(inline)
    flush()
    return blocks


def _code_block(node: dict, numbering: dict, pos, reporter, losses: list[Loss]) -> Any:
    if node["t"] != "CodeBlock":
        return None
    klass = ast.classes(node)
    pairs = node["c"][0][2]
    lines = node["c"][1].count("\n") + 1
    if "numberLines" in klass:
        start = _start_from(node, pairs, pos, reporter)
        if "continue" in klass:
            start = numbering["next"]
            pairs[:] = [p for p in pairs if p[0] != "startFrom"] + [["startFrom", str(start)]]
        numbering["next"] = start + lines
    # Diagram blocks (class `diagram`) are drawn, or reported, after rendering: exporter/diagrams/.
    return None


def _start_from(node: dict, pairs: list, pos, reporter: Reporter) -> int:
    """The first line number of a numbered code block; a value that is no small whole number is dropped."""
    written = ast.attribute(node, "startFrom")
    start = _whole_number(written) if written is not None else 1
    if start is None:
        reporter.warning(Code.HACKMD_BAD_ATTRIBUTE, f"startFrom=\"{written[:20]}\" is not a line number; the "
                         "block is numbered from 1 (write ```js=101 or startFrom=\"101\")",
                         pos(ast.line_of(node) or 1))
        pairs[:] = [p for p in pairs if p[0] != "startFrom"]
        start = 1
    return start


def _whole_number(text: str | None, most: int = 10**6) -> int | None:
    """ASCII digits only (`"³".isdigit()` is True, and `int("³")` raises), and not absurdly large."""
    if text and text.isascii() and text.isdigit() and len(text) <= 7 and int(text) <= most:
        return int(text)
    return None
