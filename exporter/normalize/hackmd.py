"""HackMD-only syntax -> pandoc-native Markdown, one small rule each, line count kept.

Every rule rewrites within a line (or blanks whole lines), so line N of the output is line N of the
lesson and pandoc's sourcepos points at the author's own line. Only unclosed containers and fences
add closing lines, at the very end. Nothing here touches the text inside code fences or inline code.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from exporter.diagnostics import Code, Reporter
from exporter.model import LessonSource, SourcePos

CALLOUT_KINDS = ("info", "success", "warning", "danger", "spoiler", "speaker-notes")
CALLOUT_ALIASES = {"tip": "success", "note": "info", "caution": "warning", "important": "warning", "alert": "danger"}
"""Names other Markdown tools use for the same boxes (HedgeDoc/VuePress `:::tip`)."""
OUR_CONTAINERS = ("exercise", "answer")
MAX_EXERCISE_LINES = 40
"""More answer lines than a page holds would only push the exercise apart."""
"""Containers of our own, for workbooks: `:::exercise` prints with answer lines; `:::answer` goes to the key."""
EMBED_PROVIDERS = ("youtube", "vimeo", "gist", "slideshare", "speakerdeck", "pdf", "figma", "hackmd")
DIAGRAM_LANGS = ("mermaid", "graphviz", "dot", "sequence", "flow", "abc", "plantuml", "vega", "fretboard",
                 "markmap", "csvpreview")


@dataclass
class Rewritten:
    """The pandoc-ready text of one lesson plus what the rewrite learned on the way."""

    text: str
    tags: list[str] = field(default_factory=list)
    abbreviations: dict[str, str] = field(default_factory=dict)
    note_prefix: str = ""
    """Prefix given to this lesson's footnote labels (see `note_prefix`)."""
    in_note: bool = False
    """The line being rewritten belongs to a footnote definition (lazy lines included)."""
    note_gap: bool = False
    """A blank line has been seen inside the footnote definition."""


@dataclass
class _Container:
    name: str
    colons: int
    line: int


def rewrite(source: LessonSource, reporter: Reporter) -> Rewritten:
    """Apply every HackMD rule to one lesson."""
    out = Rewritten(text="", note_prefix=note_prefix(source.path))
    pos = lambda line: SourcePos(source.path, source.original_line(line))  # noqa: E731
    lines = source.text.split("\n")
    lines = _drop_multiline(lines, "<!--", "-->", None, pos, reporter)
    lines = _drop_multiline(lines, "<style", "</style>", "style", pos, reporter)
    lines = _drop_multiline(lines, "<script", "</script>", "script", pos, reporter)
    containers: list[_Container] = []
    fence: tuple[str, int] | None = None
    slides = str(source.front_matter.get("type", "")).lower() == "slide"
    in_notes = False
    for index, line in enumerate(lines):
        number = index + 1
        if fence:
            if re.match(rf"^\s*{re.escape(fence[0][0])}{{{len(fence[0])},}}\s*$", line):
                fence = None
            continue
        if slides and in_notes and re.match(r"^-{3,4}\s*$", line):
            in_notes = _close_speaker_notes(lines, index)
            if lines[index] == NOTES_CLOSE:
                continue
        elif slides and line.startswith("Note:"):
            in_notes, line = _open_speaker_notes(lines, index)
            if line == NOTES_OPEN:
                lines[index] = line
                continue
        # CommonMark: a backtick fence's info string holds no backtick (else the line is inline code)
        opened = re.match(r"^(\s*)(`{3,}(?=[^`]*$)|~{3,})(.*)$", line)
        if opened:
            fence = (opened.group(2), number)
            lines[index] = opened.group(1) + opened.group(2) + _fence_info(opened.group(3), pos(number), reporter)
            continue
        lines[index] = _rewrite_line(line, containers, number, out, pos, reporter)
    _close_raw_html_blocks(lines, pos, reporter)
    while (fence or containers) and lines and not lines[-1].strip():
        lines.pop()  # closers go right after the last text, so no blank line joins the code block
    if fence:
        reporter.warning(Code.HACKMD_UNCLOSED_FENCE, f"code block opened at line {source.original_line(fence[1])} "
                         f"is never closed; it was closed at the end of the lesson. Add a line '{fence[0]}'",
                         pos(fence[1]))
        lines.append(fence[0])
    if in_notes:
        lines.append(NOTES_CLOSE)
    for container in reversed(containers):
        reporter.warning(Code.HACKMD_UNCLOSED_CONTAINER, f"':::{container.name}' opened at line "
                         f"{source.original_line(container.line)} is never closed; it was closed at the end of "
                         "the lesson. Add a line ':::' where it should end", pos(container.line))
        lines.append(":" * container.colons)
    out.text = "\n".join(lines)
    return out


# ---------------------------------------------------------------------------- whole-line rules

NOTES_OPEN, NOTES_CLOSE = "::: {.callout .speaker-notes}", ":::"


def _open_speaker_notes(lines: list[str], index: int) -> tuple[bool, str]:
    """Slide mode: `Note:` starts speaker notes, which run to the next slide separator. They are kept
    in a labelled box (a printed workbook is where a presenter's notes are useful). The opener takes
    the blank line above, so every line keeps its number; with no blank line there, the notes stay
    a labelled paragraph."""
    rest = lines[index][len("Note:"):].strip()
    if index and not lines[index - 1].strip():
        lines[index - 1] = NOTES_OPEN
        return True, rest
    if not rest:
        return True, NOTES_OPEN
    return False, f"**Speaker notes:** {rest}"


def _close_speaker_notes(lines: list[str], index: int) -> bool:
    """Close the notes box before the slide separator on line `index`: on the blank line above it,
    or, with none, in place of the separator."""
    if not lines[index - 1].strip():
        lines[index - 1] = NOTES_CLOSE
    else:
        lines[index] = NOTES_CLOSE
    return False


def _close_raw_html_blocks(lines: list[str], pos, reporter: Reporter) -> None:
    """A `<pre>`/`<textarea>` HTML block runs to its closing tag, past the end of the lesson into the
    next ones (pandoc reads the course as one text): close it at the end of the lesson instead."""
    text = "\n".join(lines)
    protected = _code_spans(text)
    for tag in ("pre", "textarea"):
        opens = [m for m in re.finditer(rf"^ {{0,3}}<{tag}(?=[\s>]|$)", text, re.M | re.I)
                 if not any(a <= m.start() < b for a, b in protected)]
        if opens and not re.search(rf"</{tag}>", text[opens[-1].start():], re.I):
            line = text.count("\n", 0, opens[-1].start()) + 1
            reporter.warning(Code.HACKMD_UNCLOSED_CONTAINER, f"<{tag}> opened at line {line} is never closed; "
                             f"it was closed at the end of the lesson. Add </{tag}> where it should end", pos(line))
            lines.append(f"</{tag}>")


def _drop_multiline(lines, start, end, kind, pos, reporter) -> list[str]:
    """Blank `start ... end` spans (comments, <style>, <script>) outside code, even across lines."""
    text = "\n".join(lines)
    pattern = re.compile(re.escape(start) + r".*?(?:" + re.escape(end) + r"|\Z)", re.S | re.I)
    protected = _code_spans(text)

    def blank(match: re.Match) -> str:
        if any(a <= match.start() < b for a, b in protected):
            return match.group(0)
        line = text.count("\n", 0, match.start()) + 1
        if kind == "style":
            if "ui-infobar" in match.group(0) or "ui-toc" in match.group(0):
                reporter.info(Code.HACKMD_STYLE_DROPPED, "HackMD page CSS (<style> hiding its UI) dropped", pos(line))
            else:
                reporter.warning(Code.HACKMD_STYLE_DROPPED, "<style> block dropped: page CSS does not travel into "
                                 "the outputs; use the theme for styling", pos(line))
        elif kind == "script":
            reporter.warning(Code.HTML_REMOVED, "<script> removed: lessons cannot run scripts in any output",
                             pos(line))
        return "\n" * match.group(0).count("\n")

    return pattern.sub(blank, text).split("\n")


def _code_spans(text: str) -> list[tuple[int, int]]:
    """Offsets of fenced code blocks, so whole-text rules leave examples of HTML in code alone."""
    spans, start, marker = [], None, None
    offset = 0
    for line in text.split("\n"):
        fence = re.match(r"^\s*(`{3,}|~{3,})", line)
        if marker is None and fence:
            start, marker = offset, fence.group(1)
        elif marker is not None and re.match(rf"^\s*{re.escape(marker)}\s*$", line):
            spans.append((start, offset + len(line)))
            marker = None
        offset += len(line) + 1
    if marker is not None:
        spans.append((start, len(text)))
    spans += [(m.start(), m.end()) for m in re.finditer(r"(`+)[^`\n]+?\1", text)]
    return spans


def _fence_info(info: str, pos: SourcePos, reporter: Reporter) -> str:
    """```js=  ```js=101  ```js=+  ```js!  -> pandoc attributes (.numberLines startFrom, .wrap)."""
    match = re.match(r"^\s*([\w+#.-]*)(=(\d+|\+)?)?(!)?\s*(.*)$", info)
    if not match or (not match.group(2) and not match.group(4) and match.group(1) not in DIAGRAM_LANGS):
        return info
    lang, numbered, start, wrap, rest = match.groups()
    classes = [f".{lang}"] if lang else []
    attrs = []
    if numbered:
        classes.append(".numberLines")
        if start == "+":
            classes.append(".continue")
        elif start:
            attrs.append(f'startFrom="{start}"')
    if wrap:
        classes.append(".wrap")
    if lang in DIAGRAM_LANGS:
        classes.append(".diagram")
    return " {" + " ".join(classes + attrs) + "}"


# ---------------------------------------------------------------------------- per-line rules


def _rewrite_line(line, containers, number, out, pos, reporter) -> str:
    stripped = line.strip()
    container = re.match(r"^\s*(:{3,})\s*(.*?)\s*$", line)
    if container:
        return _container_line(container.group(1), container.group(2), containers, number, pos, reporter)
    if re.match(r"^#{6}\s+tags\s*:", stripped, re.I):
        out.tags += re.findall(r"`([^`]+)`", stripped) or stripped.split(":", 1)[1].split()
        return ""
    abbreviation = re.match(r"^\*\[([^\]]+)\]:\s*(.*)$", stripped)
    if abbreviation:
        out.abbreviations[abbreviation.group(1)] = abbreviation.group(2)
        return ""
    if stripped == "[TOC]":
        return "[]{.toc}"
    if re.fullmatch(r"(?:&nbsp;|\s)+", stripped):
        return "[]{.spacer}"
    line = re.sub(r"^(\s*(?:[-*+]|\d+[.)])\s+)\[( |x|X)\](?=\s)",
                  lambda m: m.group(1) + ("[]{.task .done}" if m.group(2) != " " else "[]{.task}"), line)
    line = _footnote_line(line, out, pos(number), reporter)
    return _outside_code(line, lambda part: _inline_rules(part, pos(number), reporter))


_FOOTNOTE = re.compile(r"\[\^([^\]\s]+)\]")
_NOTE_DEFINITION = re.compile(r"^ {0,3}\[\^[^\]\s]+\]:")


def _footnote_line(line, out, pos, reporter) -> str:
    """Labels get the lesson's prefix. A reference inside a footnote's own text is removed: pandoc
    drops such notes, and one that refers to itself sends pandoc into an endless loop."""
    definition = _NOTE_DEFINITION.match(line)
    if definition:
        out.in_note, out.note_gap = True, False
    elif not line.strip():
        out.note_gap = out.in_note
    elif out.note_gap and not line.startswith(("    ", "\t")):
        out.in_note = False  # after a blank line only indented lines go on with the note
    head, body = (line[:definition.end()], line[definition.end():]) if definition else ("", line)
    if out.in_note and _FOOTNOTE.search(body):
        reporter.warning(Code.HACKMD_NESTED_FOOTNOTE,
                         "a footnote cannot point to another footnote; the reference inside it was removed "
                         "(put that text in the footnote itself)", pos)
        body = _outside_code(body, lambda part: _FOOTNOTE.sub("", part))
    return _outside_code(head + body, lambda part: _FOOTNOTE.sub(rf"[^{out.note_prefix}\1]", part))


def note_prefix(path: str) -> str:
    """Footnote labels are course-wide in pandoc's one read: each lesson's get a prefix of its own,
    or lesson B's `[^1]` would show lesson A's note."""
    return "n" + hashlib.sha1(path.encode("utf-8")).hexdigest()[:8] + "-"


def _container_line(colons, rest, containers, number, pos, reporter) -> str:
    if not rest:
        if not containers:
            reporter.warning(Code.HACKMD_STRAY_CLOSE, "':::' closes no open container; it was dropped", pos(number))
            return ""
        return ":" * containers.pop().colons
    if rest.startswith("{"):
        # Already pandoc's own fenced-div syntax: kept, but tracked so its closer pairs up and an
        # unclosed one is closed here instead of swallowing the next lessons of the course.
        containers.append(_Container(rest, len(colons), number))
        return colons + " " + rest
    name, _, title = rest.partition(" ")
    name = CALLOUT_ALIASES.get(name.lower(), name.lower())
    open_state = bool(re.search(r"\{\s*state\s*=\s*[\"']?open", rest))
    title = re.sub(r"\{[^}]*\}", "", title).strip()
    colons = ":" * max(3, len(colons), (containers[-1].colons + 1) if containers else 3)
    containers.append(_Container(name, len(colons), number))
    classes = ["callout", name] if name in CALLOUT_KINDS else [name]
    if name not in CALLOUT_KINDS + OUR_CONTAINERS:
        reporter.warning(Code.HACKMD_UNKNOWN_CONTAINER, f"':::{name}' is not a HackMD container (info, success, "
                         "warning, danger, spoiler) nor exercise/answer; it is shown as a plain box", pos(number))
        classes = ["callout", "note"]
    attrs = [f"summary={_quote(title)}"] if title else []
    if open_state:
        attrs.append('open="open"')
    lines = re.search(r"\{[^}]*\blines\s*=\s*[\"']?(\d+)", rest) if name == "exercise" else None
    if lines:  # `:::exercise Prompt {lines=8}`: how many answer lines the workbook prints
        attrs.append(f'lines="{min(int(lines.group(1)), MAX_EXERCISE_LINES)}"')
    return colons + " {" + " ".join([f".{c}" for c in classes] + attrs) + "}"


def _quote(value: str) -> str:
    value = re.sub(r"[*_`]", "", value)
    if '"' not in value:
        return f'"{value}"'
    if "'" not in value:
        return f"'{value}'"
    return '"' + value.replace('"', "\u201d") + '"'


def _outside_code(line: str, rule) -> str:
    """Apply `rule` to the parts of a line that are not inline code."""
    parts = re.split(r"(`+[^`]*?`+)", line)
    return "".join(part if i % 2 else rule(part) for i, part in enumerate(parts))


def _inline_rules(text: str, pos: SourcePos, reporter: Reporter) -> str:
    text = re.sub(r"\{%\s*(\w+)\s*(.*?)\s*%\}", lambda m: _embed(m.group(1), m.group(2), pos, reporter), text)
    text = re.sub(r"<iframe\b[^>]*>(?:\s*</iframe>)?", lambda m: _iframe(m.group(0), pos, reporter), text, flags=re.I)
    text = re.sub(r"(!\[[^\]]*\]\()\s*(\S+?)\s+=(\d*)x(\d*)\s*\)", _image_size, text)
    text = re.sub(r"(?<![+\w])\+\+(?=\S)(.+?)(?<=\S)\+\+(?!\+)", r"[\1]{.underline}", text)
    text = re.sub(r"(?<![=\w])==(?=[^\s=])(.+?)(?<=[^\s=])==(?!=)", r"[\1]{.mark}", text)
    text = re.sub(r"\{ruby\s+([^|}]+)\|([^}]+)\}", r"<ruby>\1<rt>\2</rt></ruby>", text)
    text = re.sub(r"<i\s+class=\"fa[^\"]*\"[^>]*>\s*</i>", "", text)
    text = re.sub(r"\[(name|time|color)=([^\]]*)\]",
                  lambda m: f"[— {m.group(2)}]{{.attribution}}" if m.group(1) == "name" and m.group(2) else "", text)
    return text


def _embed(provider: str, target: str, pos: SourcePos, reporter: Reporter) -> str:
    provider = provider.lower()
    target = target.strip().strip('"').strip().strip("<>")
    if provider == "hackmd" and (target.startswith("theme-") or target.startswith("@hackmd/theme")
                                 or "theme" in target.split("/")[-1]):
        reporter.info(Code.HACKMD_BAD_EMBED, f"HackMD theme embed '{target}' dropped: themes come from exporter",
                      pos)
        return ""
    if provider not in EMBED_PROVIDERS or not target or not re.fullmatch(r"[\w@:/?&=.%#~+,;-]+", target):
        reporter.warning(Code.HACKMD_BAD_EMBED, f"embed '{{%{provider} {target}%}}' is empty or unknown and was "
                         f"dropped; write it as {{%youtube VIDEO_ID %}} (known: {', '.join(EMBED_PROVIDERS)})", pos)
        return ""
    return f'[]{{.embed provider="{provider}" target="{target}"}}'


_TRUSTED_IFRAMES = {
    r"(?:youtube(?:-nocookie)?\.com/embed/|youtu\.be/)([\w-]{6,})": "youtube",
    r"player\.vimeo\.com/video/(\d+)": "vimeo",
    r"docs\.google\.com/.+|colab\.research\.google\.com/.+": None,
}


def _iframe(tag: str, pos: SourcePos, reporter: Reporter) -> str:
    """A raw iframe from a known video host becomes the matching embed; any other is removed."""
    src = re.search(r"src\s*=\s*[\"']([^\"']+)", tag)
    if src:
        for pattern, provider in _TRUSTED_IFRAMES.items():
            found = re.search(pattern, src.group(1))
            if found and provider:
                return f'[]{{.embed provider="{provider}" target="{found.group(1)}"}}'
            if found:
                return f"<{src.group(1)}>"
    reporter.warning(Code.HTML_REMOVED, "<iframe> removed: only YouTube and Vimeo players become embeds; "
                     "use a {%...%} embed or a link", pos)
    return ""


def _image_size(match: re.Match) -> str:
    head, url, width, height = match.groups()
    attrs = ([f"width={width}"] if width else []) + ([f"height={height}"] if height else [])
    return f"{head}{url}){{{' '.join(attrs)}}}" if attrs else f"{head}{url})"
