"""What pandoc's HTML lacks for screen readers and reading systems, put right once for every format (issue 18):
code lines without empty focusable links, header cells that head something, and the language and direction
of every block and run written in another script than its lesson."""
from __future__ import annotations

from lxml import html as lxml_html
from lxml.html import HtmlElement

from exporter.fragments import classes
from exporter.language import (MIN_LETTERS, detect, dominant_script, is_rtl, same_script, script_of,
                               script_of_language, scripts)

TEXT_BLOCKS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "td", "th", "dt", "dd", "figcaption", "caption",
               "summary", "blockquote")
"""Elements whose text is read as one paragraph: each gets its own language and direction when it needs one."""
_NESTED_BLOCKS = set(TEXT_BLOCKS) | {"div", "ul", "ol", "dl", "table", "pre", "figure", "aside", "section", "details"}
_NOT_PROSE = {"pre", "code", "kbd", "samp", "math", "svg", "script", "style"}
"""Code and formulas are in no natural language: never tagged, never split."""


def make_accessible(root: HtmlElement, lang: str, course_lang: str) -> None:
    """Fix `root` (a lesson's rendered HTML) in place; `lang` is the lesson's language, `course_lang` the
    course's (what an untagged run of Latin letters in a lesson of another script is taken to be in)."""
    quiet_code_lines(root)
    head_cells_with_text(root)
    mark_languages(root, lang, course_lang)


def quiet_code_lines(root: HtmlElement) -> None:
    """pandoc starts each highlighted code line with an empty `<a href="#cb1-1">`: a focusable link without
    a name, hidden from screen readers (Ace and axe: aria-hidden-focus, link-name, thousands in a course).
    Plain blocks lose them; numbered blocks get an empty, hidden span with the line's number, which the
    stylesheet prints (`attr(data-line-number)`), so copying the code copies no numbers."""
    for pre in root.iter("pre"):
        numbered = "numberSource" in classes(pre)
        for line in (span for code in pre.iter("code") for span in code if span.tag == "span"):
            anchor = line[0] if len(line) else None
            if anchor is None or anchor.tag != "a" or line.text or anchor.text or len(anchor):
                continue
            if numbered:
                number = (line.get("id") or "").rpartition("-")[2]
                marker = lxml_html.Element("span", {"class": "ln", "aria-hidden": "true"})
                if number.isdigit():
                    marker.set("data-line-number", number)
                marker.tail = anchor.tail
                line.replace(anchor, marker)
            else:
                anchor.drop_tree()  # keeps the text after it


def head_cells_with_text(root: HtmlElement) -> None:
    """An empty `<th>` (a table whose first column has no heading) heads nothing: it becomes a data cell."""
    for cell in list(root.iter("th")):
        if not cell.text_content().strip() and next(cell.iter("img"), None) is None:
            cell.tag = "td"


def mark_languages(root: HtmlElement, lang: str, course_lang: str) -> None:
    """Every block whose letters are mostly in another script than its lesson's gets that language (`lang`)
    and, when its direction differs or it mixes directions, the `dir` of most of its letters: written out,
    not `dir="auto"`, which WeasyPrint does not know. Inside blocks, runs in another script get a `span`
    with their language, and a `dir` (which isolates them, Unicode's bidi isolation) when they run the other
    way, so each reads in its own order."""
    own = script_of_language(lang)
    labels = _label_language(root, lang, course_lang)
    for block in [b for b in root.iter(*TEXT_BLOCKS) if not _inside_code(b)]:
        if len(block) == 1 and block[0] in labels and not (block.text or "").strip():
            continue  # a box's label keeps the box's direction: it is read as part of the lesson's layout
        text = _prose(block)
        found = scripts(text)
        if not found:
            continue
        script = dominant_script(text)
        if len({is_rtl(s) for s in found}) > 1 and any(is_rtl(s) == is_rtl(own) for s in found):
            # Mixed directions with some of the lesson's own: the paragraph keeps the lesson's language and
            # direction (as its author set them), and the runs that go the other way are isolated in it.
            block.set("dir", block.get("dir") or ("rtl" if is_rtl(own) else "ltr"))
            _mark_runs(block, own, (lang, course_lang))
            continue
        if not same_script(own, script) and sum(found.values()) >= MIN_LETTERS:
            detected = _language_of(text, script, (lang, course_lang))
            if detected:
                block.set("lang", detected)
        block_script = script if block.get("lang") else own
        if len({is_rtl(s) for s in found}) > 1 or is_rtl(block_script) != is_rtl(own):
            block.set("dir", block.get("dir") or ("rtl" if is_rtl(script) else "ltr"))
        _mark_runs(block, block_script, (lang, course_lang))


def _label_language(root: HtmlElement, lang: str, course_lang: str) -> set[HtmlElement]:
    """The callout labels ("Info", "Answer") are exporter's words, in the course's language."""
    labels = {span for span in root.iter("span") if "callout-label" in classes(span)}
    if lang != course_lang:
        for span in labels:
            span.set("lang", course_lang)
    return labels


def _inside_code(element: HtmlElement) -> bool:
    return any(parent.tag in _NOT_PROSE for parent in element.iterancestors())


def _prose(block: HtmlElement) -> str:
    """The block's own text: not its code, not the blocks nested in it (they are judged on their own)."""
    parts = [block.text or ""]
    for child in block:
        if isinstance(child.tag, str) and child.tag not in _NOT_PROSE and child.tag not in _NESTED_BLOCKS:
            parts.append(_prose(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _mark_runs(block: HtmlElement, own: str, known: tuple[str, str]) -> None:
    """Wrap each run of another script in the block's own text (and its inline children's) in a span."""
    _wrap_text(block, None, own, known)
    for child in list(block):
        if isinstance(child.tag, str) and child.tag not in _NOT_PROSE and child.tag not in _NESTED_BLOCKS:
            if child.get("lang") is None:
                _mark_runs(child, own, known)
        _wrap_text(block, child, own, known)


def _wrap_text(parent: HtmlElement, after: HtmlElement | None, own: str, known: tuple[str, str]) -> None:
    """Split `parent.text` (after=None) or `after.tail` into plain text and spans for foreign runs."""
    pieces = _runs((parent.text if after is None else after.tail) or "", own)
    if all(script is None for _, script in pieces):
        return
    head, rest = (pieces[0][0], pieces[1:]) if pieces[0][1] is None else ("", pieces)
    if after is None:
        parent.text, index = head, 0
    else:
        after.tail, index = head, parent.index(after) + 1
    last = parent
    for run, script in rest:
        if script is None:  # plain text always follows a span
            last.tail = run
            continue
        last = _run_span(run, script, own, known)
        parent.insert(index, last)
        index += 1


def _run_span(run: str, script: str, own: str, known: tuple[str, str]) -> HtmlElement:
    span = lxml_html.Element("span")
    span.text = run
    lang = _language_of(run, script, known)
    if lang:
        span.set("lang", lang)
    if is_rtl(script) != is_rtl(own):
        span.set("dir", "rtl" if is_rtl(script) else "ltr")
    return span


def _language_of(text: str, script: str, known: tuple[str, str]) -> str | None:
    """Text in the script of the lesson's language, or else of the course's (English words in a Chinese
    lesson of an English course, Arabic words in an English paragraph of an Arabic lesson) is taken to be
    in that language; text in another script is detected."""
    return next((lang for lang in known if same_script(script_of_language(lang), script)), None) or detect(
        text, script)


def _runs(text: str, own: str) -> list[tuple[str, str | None]]:
    """`text` cut into pieces: (text, None) in the surrounding script, (run, script) for a run of at least
    MIN_LETTERS letters of another script. Spaces and punctuation between two letters of a run belong to it;
    at its ends they stay outside."""
    runs: list[list] = []  # [start, end, script, letters]
    current: list | None = None
    for index, char in enumerate(text):
        script = script_of(char)
        if script is None:
            continue
        if same_script(own, script):
            current = None
        elif current is not None and same_script(current[2], script):
            current[1], current[3] = index + 1, current[3] + 1
        else:
            current = [index, index + 1, script, 1]
            runs.append(current)
    pieces: list[tuple[str, str | None]] = []
    at = 0
    for start, end, script, letters in runs:
        if letters < MIN_LETTERS:
            continue
        if start > at:
            pieces.append((text[at:start], None))
        pieces.append((text[start:end], script))
        at = end
    if at < len(text) or not pieces:
        pieces.append((text[at:], None))
    return pieces
