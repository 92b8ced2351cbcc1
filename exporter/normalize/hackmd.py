"""HackMD-only syntax -> pandoc-native Markdown, one small rule each, line count kept.

Every rule rewrites within a line (or blanks whole lines), so line N of the output is line N of the
lesson and pandoc's sourcepos points at the author's own line. Only unclosed containers and fences
add closing lines, at the very end. Nothing here touches the text inside code fences or inline code.
"""
from __future__ import annotations

import bisect
import hashlib
import re
from dataclasses import dataclass, field

from exporter.diagnostics import Code, Reporter
from exporter.embeds import valid_target
from exporter.model import LessonSource, Loss, SourcePos
from exporter.normalize.quiz import container_attributes

CALLOUT_KINDS = ("info", "success", "warning", "danger", "spoiler", "speaker-notes")
CALLOUT_ALIASES = {"tip": "success", "note": "info", "caution": "warning", "important": "warning", "alert": "danger"}
"""Names other Markdown tools use for the same boxes (HedgeDoc/VuePress `:::tip`)."""
OUR_CONTAINERS = ("exercise", "answer", "quiz")
MAX_EXERCISE_LINES = 40
"""More answer lines than a page holds would only push the exercise apart."""
"""Containers of our own, for workbooks: `:::exercise` prints with answer lines; `:::answer` goes to the key."""
EMBED_PROVIDERS = ("youtube", "vimeo", "gist", "slideshare", "speakerdeck", "pdf", "figma", "hackmd")
DIAGRAM_LANGS = ("mermaid", "graphviz", "dot", "sequence", "flow", "abc", "plantuml", "vega", "vega-lite",
                 "fretboard", "markmap", "csvpreview")
MAX_CONTAINER_DEPTH = 16
"""`:::` containers open at once. Real lessons nest two or three; a thousand nested openers (or one flattened
line of `::: info` repeated) would make a tree no stage can walk, so deeper openers are dropped."""
TOKEN_KEY = "data-exporter"
"""Attribute that marks the classes and attributes this module writes (`{.embed provider=… data-exporter=…}`).
Its value is the lesson's token (see `lesson_token`): normalize keeps `embed`, `callout`, `exercise`… only
on nodes that carry it, so a lesson cannot write them itself with pandoc's attribute syntax."""


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
    token: str = ""
    """This lesson's `TOKEN_KEY` value."""
    note_labels: frozenset[str] = frozenset()
    """Footnote labels the lesson defines (normalized): only references to these are footnotes."""
    losses: list[Loss] = field(default_factory=list)
    """What the rewrite dropped that no format will show (for the loss report)."""


@dataclass
class _Container:
    name: str
    colons: int
    line: int
    dropped: bool = False
    """Opened past MAX_CONTAINER_DEPTH: its opener and closer lines are blanked."""


def lesson_token(source: LessonSource) -> str:
    """A value the lesson cannot contain: a hash of its own text (a text holding the hash of itself
    cannot be written). The same text gives the same token, so the rewritten text stays reproducible."""
    digest = hashlib.sha256(f"exporter\0{source.path}\0{source.text}".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:24]


def ours(classes: list[str], attrs: list[str], token: str) -> str:
    """pandoc attribute text for a node of exporter's own vocabulary: `{.embed provider="x" data-exporter="…"}`."""
    return "{" + " ".join([f".{c}" for c in classes] + attrs + [f'{TOKEN_KEY}="{token}"']) + "}"


def rewrite(source: LessonSource, reporter: Reporter) -> Rewritten:
    """Apply every HackMD rule to one lesson."""
    out = Rewritten(text="", note_prefix=note_prefix(source.path), token=lesson_token(source),
                    note_labels=_defined_note_labels(source.text))
    pos = lambda line: SourcePos(source.path, source.original_line(line))  # noqa: E731
    lines = source.text.split("\n")
    lines = _drop_multiline(lines, "<!--", "-->", None, pos, reporter, out.losses)
    lines = _drop_multiline(lines, "<style", "</style>", "style", pos, reporter, out.losses)
    lines = _drop_multiline(lines, "<script", "</script>", "script", pos, reporter, out.losses)
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
            in_notes, line = _open_speaker_notes(lines, index, out.token)
            if line == notes_open(out.token):
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
    for container in reversed([c for c in containers if not c.dropped]):
        reporter.warning(Code.HACKMD_UNCLOSED_CONTAINER, f"':::{container.name}' opened at line "
                         f"{source.original_line(container.line)} is never closed; it was closed at the end of "
                         "the lesson. Add a line ':::' where it should end", pos(container.line))
        lines.append(":" * container.colons)
    out.text = "\n".join(lines)
    return out


# ---------------------------------------------------------------------------- whole-line rules

NOTES_CLOSE = ":::"


def notes_open(token: str) -> str:
    return "::: " + ours(["callout", "speaker-notes"], [], token)


def _open_speaker_notes(lines: list[str], index: int, token: str) -> tuple[bool, str]:
    """Slide mode: `Note:` starts speaker notes, which run to the next slide separator. They are kept
    in a labelled box (a printed workbook is where a presenter's notes are useful). The opener takes
    the blank line above, so every line keeps its number; with no blank line there, the notes stay
    a labelled paragraph."""
    rest = lines[index][len("Note:"):].strip()
    if index and not lines[index - 1].strip():
        lines[index - 1] = notes_open(token)
        return True, rest
    if not rest:
        return True, notes_open(token)
    return False, f"**Speaker notes:** {rest}"


def _close_speaker_notes(lines: list[str], index: int) -> bool:
    """Close the notes box before the slide separator on line `index`: on the blank line above it,
    or, with none, in place of the separator."""
    if not lines[index - 1].strip():
        lines[index - 1] = NOTES_CLOSE
    else:
        lines[index] = NOTES_CLOSE
    return False


_RAW_BLOCKS = (
    (r"<pre(?=[\s>]|$)", r"</pre>", "</pre>", "<pre>"),
    (r"<textarea(?=[\s>]|$)", r"</textarea>", "</textarea>", "<textarea>"),
    (r"<\?", r"\?>", "?>", "<?"),
    (r"<![A-Za-z]", r">", ">", "<!…"),
    (r"<!\[CDATA\[", r"\]\]>", "]]>", "<![CDATA["),
)
"""CommonMark HTML blocks that run to an end marker rather than to a blank line: (start, end, closer, name).
Comments, <script> and <style> are blanked before this runs."""


def _close_raw_html_blocks(lines: list[str], pos, reporter: Reporter) -> None:
    """An HTML block of `_RAW_BLOCKS` runs to its end marker, past the end of the lesson into the next
    ones (pandoc reads the course as one text): close it at the end of the lesson instead."""
    text = "\n".join(lines)
    protected = _code_spans(text)
    for start, end, closer, name in _RAW_BLOCKS:
        opens = [m for m in re.finditer(rf"^ {{0,3}}{start}", text, re.M | re.I) if not protected.holds(m.start())]
        if opens and not re.search(end, text[opens[-1].end():], re.I):
            line = text.count("\n", 0, opens[-1].start()) + 1
            reporter.warning(Code.HACKMD_UNCLOSED_CONTAINER, f"{name} opened at line {line} is never closed; "
                             f"it was closed at the end of the lesson. Add {closer} where it should end", pos(line))
            lines.append(closer)
            text += "\n" + closer


def _drop_multiline(lines, start, end, kind, pos, reporter, losses: list[Loss]) -> list[str]:
    """Blank `start ... end` spans (comments, <style>, <script>) outside code, even across lines."""
    text = "\n".join(lines)
    pattern = re.compile(re.escape(start) + r".*?(?:" + re.escape(end) + r"|\Z)", re.S | re.I)
    protected = _code_spans(text)

    def blank(match: re.Match) -> str:
        if protected.holds(match.start()):
            return match.group(0)
        line = text.count("\n", 0, match.start()) + 1
        if kind == "style":
            if "ui-infobar" in match.group(0) or "ui-toc" in match.group(0):
                reporter.info(Code.HACKMD_STYLE_DROPPED, "HackMD page CSS (<style> hiding its UI) dropped", pos(line))
            else:
                reporter.warning(Code.HACKMD_STYLE_DROPPED, "<style> block dropped: page CSS does not travel into "
                                 "the outputs; use the theme for styling", pos(line))
            losses.append(Loss(pos(line).line, "<style> block dropped"))
        elif kind == "script":
            reporter.warning(Code.HTML_REMOVED, "<script> removed: lessons cannot run scripts in any output",
                             pos(line))
            losses.append(Loss(pos(line).line, "unsafe HTML removed"))
        return "\n" * match.group(0).count("\n")

    return pattern.sub(blank, text).split("\n")


class _Spans:
    """Sorted, merged (start, end) offsets, asked in O(log n) whether they hold an offset."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        merged: list[list[int]] = []
        for start, end in sorted(spans):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self.starts = [start for start, _ in merged]
        self.ends = [end for _, end in merged]

    def holds(self, offset: int) -> bool:
        index = bisect.bisect_right(self.starts, offset) - 1
        return index >= 0 and offset < self.ends[index]


_INLINE_CODE = re.compile(r"(?<!`)(`++)[^`\n]++\1(?!`)")
"""A code span on one line: a whole run of backticks, text without any, the same run. Possessive and
anchored on whole runs, so a line of a million backticks is scanned once (the lazy form was quadratic)."""


def _code_spans(text: str) -> _Spans:
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
    spans += [(m.start(), m.end()) for m in _INLINE_CODE.finditer(text)]
    return _Spans(spans)


def _fence_info(info: str, pos: SourcePos, reporter: Reporter) -> str:
    """```js=  ```js=101  ```js=+  ```js!  -> pandoc attributes (.numberLines startFrom, .wrap)."""
    match = re.match(r"^\s*([\w+#.-]*)(=(\d{1,6}|\+)?)?(!)?\s*(.*)$", info)
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
        attrs += _diagram_options(rest)
    return " {" + " ".join(classes + attrs) + "}"


def _diagram_options(rest: str) -> list[str]:
    """HackMD's options after a diagram's name (```csvpreview {header="true" delimiter=";"}): kept as
    attributes for the diagram stage; anything else there is dropped, as before."""
    return [f'{key}="{value}"' for key, value in re.findall(r'\b(header|delimiter|title|type)="([^"\\]{0,40})"', rest)]


# ---------------------------------------------------------------------------- per-line rules


def _rewrite_line(line, containers, number, out, pos, reporter) -> str:
    stripped = line.strip()
    container = re.match(r"^\s*(:{3,})(.*)$", line)
    if container:
        return _container_line(container.group(1), container.group(2).strip(), containers, number, out.token,
                               pos, reporter)
    if re.match(r"^#{6}\s+tags\s*:", stripped, re.I):
        out.tags += re.findall(r"`([^`]+)`", stripped) or stripped.split(":", 1)[1].split()
        return ""
    abbreviation = re.match(r"^\*\[([^\]]+)\]:\s*(.*)$", stripped)
    if abbreviation:
        out.abbreviations[abbreviation.group(1)] = abbreviation.group(2)
        return ""
    if stripped == "[TOC]":
        return "[]" + ours(["toc"], [], out.token)
    if re.fullmatch(r"(?:&nbsp;|\s)+", stripped):
        return "[]" + ours(["spacer"], [], out.token)
    line = re.sub(r"^(\s*(?:[-*+]|\d+[.)])\s+)\[( |x|X)\](?=\s)",
                  lambda m: m.group(1) + ("[]{.task .done}" if m.group(2) != " " else "[]{.task}"), line)
    line = _footnote_line(line, out, pos(number), reporter)
    return _outside_code(line, lambda part: _inline_rules(part, out, pos(number), reporter))


_FOOTNOTE = re.compile(r"\[\^([^\]\n]{1,200})\]")
_NOTE_DEFINITION = re.compile(r"^(?:[ \t]*(?:>|(?:[-+*]|\d{1,9}[.)])(?=[ \t])))*[ \t]*\[\^([^\]\n]{1,200})\]:",
                              re.M)
"""A footnote definition, also inside block quotes and list items (`> [^a]: …`, `- [^a]: …`): pandoc
reads those too, and a note there that calls itself loops pandoc just the same."""


def _note_label(label: str) -> str:
    """Labels match as link labels do: case and runs of spaces do not count."""
    return " ".join(label.split()).casefold()


def _defined_note_labels(text: str) -> frozenset[str]:
    return frozenset(_note_label(m.group(1)) for m in _NOTE_DEFINITION.finditer(text)
                     ) if "[^" in text else frozenset()


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

    def prefixed(match: re.Match) -> str:  # an undefined `[^x]` is text (a regex, say): left as written
        label = match.group(1)
        return f"[^{out.note_prefix}{label}]" if _note_label(label) in out.note_labels else match.group(0)

    return _outside_code(head + body, lambda part: _FOOTNOTE.sub(prefixed, part))


def note_prefix(path: str) -> str:
    """Footnote labels are course-wide in pandoc's one read: each lesson's get a prefix of its own,
    or lesson B's `[^1]` would show lesson A's note."""
    return "n" + hashlib.sha1(path.encode("utf-8")).hexdigest()[:8] + "-"


def _container_line(colons, rest, containers, number, token, pos, reporter) -> str:
    if not rest:
        if not containers:
            reporter.warning(Code.HACKMD_STRAY_CLOSE, "':::' closes no open container; it was dropped", pos(number))
            return ""
        closed = containers.pop()
        return "" if closed.dropped else ":" * closed.colons
    if len(containers) >= MAX_CONTAINER_DEPTH:
        if not containers[-1].dropped:
            reporter.warning(Code.HACKMD_TOO_DEEP, f"containers nest more than {MAX_CONTAINER_DEPTH} levels deep "
                             "here; the deeper ':::' lines were dropped and their text kept in the box around "
                             "them. Close containers with ':::' or nest fewer", pos(number))
        containers.append(_Container(rest, len(colons), number, dropped=True))
        return ""
    if rest.startswith("{"):
        ours_named = _our_container_in(rest)
        if ours_named is None:
            # Already pandoc's own fenced-div syntax: kept, but tracked so its closer pairs up and an
            # unclosed one is closed here instead of swallowing the next lessons of the course.
            containers.append(_Container(rest, len(colons), number))
            return colons + " " + rest
        rest = f"{ours_named} {rest}"  # `::: {.exercise lines=8}` reads as `:::exercise {lines=8}`, checked alike
    name, _, title = rest.partition(" ")
    name = CALLOUT_ALIASES.get(name.lower(), name.lower())
    open_state = bool(re.search(r"\{\s*state\s*=\s*[\"']?open", rest))
    title = re.sub(r"\{[^{}]*\}", "", title).strip()
    colons = ":" * max(3, len(colons), (containers[-1].colons + 1) if containers else 3)
    containers.append(_Container(name, len(colons), number))
    classes = ["callout", name] if name in CALLOUT_KINDS else [name]
    if name not in CALLOUT_KINDS + OUR_CONTAINERS:
        reporter.warning(Code.HACKMD_UNKNOWN_CONTAINER, f"':::{name}' is not a HackMD container (info, success, "
                         "warning, danger, spoiler) nor exercise/answer/quiz; it is shown as a plain box", pos(number))
        classes = ["callout", "note"]
    attrs = [f"summary={_quote(title)}"] if title else []
    if open_state:
        attrs.append('open="open"')
    lines = re.search(r"\{[^{}]*\blines\s*=\s*[\"']?([0-9]{1,6})", rest) if name == "exercise" else None
    if lines:  # `:::exercise Prompt {lines=8}`: how many answer lines the workbook prints
        attrs.append(f'lines="{min(int(lines.group(1)), MAX_EXERCISE_LINES)}"')
    if name == "quiz":  # `:::quiz Title {id=x weight=2}`: read and checked in quiz.py
        attrs += container_attributes(rest)
    return colons + " " + ours(classes, attrs, token)


def _our_container_in(attributes: str) -> str | None:
    """The box of ours a pandoc fenced-div opener names (`::: {.callout .info}`, `::: {.exercise}`), if any."""
    classes = re.findall(r"(?<![\w-])\.([\w-]{1,40})", attributes.split("}", 1)[0])
    return next((c for c in classes if c in CALLOUT_KINDS + OUR_CONTAINERS), None)


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


# Every pattern below is bounded ({0,N}) or anchored on a run's start, so no line makes the scan quadratic:
# a lazy `.*?` that finds no end runs to the end of the line from every opener on it.
def _inline_rules(text: str, out: Rewritten, pos: SourcePos, reporter: Reporter) -> str:
    token = out.token
    text = re.sub(r"\{%\s*(\w{1,40})(.{0,1000}?)%\}", lambda m: _embed(m.group(1), m.group(2), token, pos, reporter),
                  text)
    text = re.sub(r"<iframe\b[^>]{0,4000}>(?:\s{0,200}</iframe>)?", lambda m: _iframe(m.group(0), out, pos, reporter),
                  text, flags=re.I)
    text = re.sub(r"(!\[[^\]]{0,2000}\]\()\s*(\S{1,4000}?)\s+=(\d{0,6})x(\d{0,6})\s*\)", _image_size, text)
    text = re.sub(r"(?<![+\w])\+\+(?=\S)(.{1,2000}?)(?<=\S)\+\+(?!\+)", r"[\1]{.underline}", text)
    text = re.sub(r"(?<![=\w])==(?=[^\s=])(.{1,2000}?)(?<=[^\s=])==(?!=)", r"[\1]{.mark}", text)
    text = re.sub(r"\{ruby\s+([^|{}]{1,200})\|([^{}]{1,200})\}", r"<ruby>\1<rt>\2</rt></ruby>", text)
    text = re.sub(r"<i\s+class=\"fa[^\"]{0,200}\"[^>]{0,400}>\s*</i>", "", text)
    text = re.sub(r"\[(name|time|color)=([^\]]{0,400})\]",
                  lambda m: f"[— {m.group(2)}]{{.attribution}}" if m.group(1) == "name" and m.group(2) else "", text)
    return text


def _embed(provider: str, target: str, token: str, pos: SourcePos, reporter: Reporter) -> str:
    provider = provider.lower()
    target = target.strip().strip('"').strip().strip("<>").strip()
    if provider == "hackmd" and (target.startswith("theme-") or target.startswith("@hackmd/theme")
                                 or "theme" in target.split("/")[-1]):
        reporter.info(Code.HACKMD_BAD_EMBED, f"HackMD theme embed '{target}' dropped: themes come from exporter",
                      pos)
        return ""
    if provider not in EMBED_PROVIDERS or not target or not valid_target(provider, target):
        shown = target if len(target) <= 80 else target[:80] + "…"
        reporter.warning(Code.HACKMD_BAD_EMBED, f"embed '{{%{provider} {shown}%}}' is empty, unknown or not an "
                         f"address exporter can link to, and was dropped; write it as {{%youtube VIDEO_ID %}} or "
                         f"{{%pdf https://… %}} (known: {', '.join(EMBED_PROVIDERS)})", pos)
        return ""
    return "[]" + ours(["embed"], [f'provider="{provider}"', f'target="{target}"'], token)


_TRUSTED_IFRAMES = {
    r"^https?://(?:www\.)?(?:youtube(?:-nocookie)?\.com/embed/|youtu\.be/)([\w-]{6,20})": "youtube",
    r"^https?://player\.vimeo\.com/video/(\d{1,12})": "vimeo",
    r"^https://(?:docs\.google\.com|colab\.research\.google\.com)/[^\s<>\"']+$": None,
}


def _iframe(tag: str, out: Rewritten, pos: SourcePos, reporter: Reporter) -> str:
    """A raw iframe from a known video host becomes the matching embed; any other is removed."""
    token = out.token
    src = re.search(r"src\s*=\s*[\"']([^\"']+)", tag)
    if src:
        for pattern, provider in _TRUSTED_IFRAMES.items():
            found = re.search(pattern, src.group(1))
            if found and provider:
                return "[]" + ours(["embed"], [f'provider="{provider}"', f'target="{found.group(1)}"'], token)
            if found:
                return f"<{src.group(1)}>"
    reporter.warning(Code.HTML_REMOVED, "<iframe> removed: only YouTube and Vimeo players become embeds; "
                     "use a {%...%} embed or a link", pos)
    out.losses.append(Loss(pos.line, "unsafe HTML removed"))
    return ""


def _image_size(match: re.Match) -> str:
    head, url, width, height = match.groups()
    attrs = ([f"width={width}"] if width else []) + ([f"height={height}"] if height else [])
    return f"{head}{url}){{{' '.join(attrs)}}}" if attrs else f"{head}{url})"
