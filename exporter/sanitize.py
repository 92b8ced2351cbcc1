"""Untrusted lesson HTML: balanced per block in normalize, reported where unsafe, cleaned by allow-list on output.

The allow-list (nh3, a binding of the Rust `ammonia` sanitizer) is the only gate: whatever a lesson
or pandoc writes passes through `clean_html` before any format sees it. No script, no event
handlers, no `javascript:` URLs, no iframes, no style attributes or <style> blocks.
"""
from __future__ import annotations

import re

import nh3

from exporter.diagnostics import Code, Reporter
from exporter.model import Block, Loss, SourcePos
from exporter import ast

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)\b[^>]*?(/?)>")
_UNSAFE = re.compile(r"<\s*(script|object|embed|applet|iframe|frame|form|base|meta|link)\b|\son\w+\s*=|"
                     r"javascript\s*:|vbscript\s*:|data\s*:\s*text/html", re.I)

TAGS = {
    "a", "abbr", "article", "aside", "b", "bdi", "bdo", "blockquote", "br", "caption", "center", "cite", "code",
    "col", "colgroup", "dd", "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "footer",
    "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "i", "img", "input", "ins", "kbd", "li", "mark", "nav",
    "ol", "p", "pre", "q", "rp", "rt", "ruby", "s", "samp", "section", "small", "span", "strike", "strong", "sub",
    "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul", "var", "wbr",
    "font",
    # MathML from pandoc --mathml
    "math", "semantics", "annotation", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "msup", "msub",
    "msubsup", "mfrac", "msqrt", "mroot", "mtable", "mtr", "mtd", "mover", "munder", "munderover", "mstyle",
    "mpadded", "mphantom", "menclose", "mfenced", "merror",
    # and the rest of what MathJax writes (exporter/mathjax)
    "mmultiscripts", "mprescripts", "none", "mlabeledtr", "maction",
}
DIAGRAM_OPTIONS = {"data-header", "data-delimiter", "data-title", "data-type"}
"""HackMD's options of a diagram block (```csvpreview {header="true"}), read by exporter/diagrams/."""
_GENERIC = {"id", "class", "title", "lang", "dir", "role", "aria-label", "aria-hidden", "data-line"}
ATTRIBUTES = {
    "*": _GENERIC,
    "a": {"href", "rel"},
    "img": {"src", "alt", "width", "height"},
    "input": {"type", "checked", "disabled"},
    "td": {"colspan", "rowspan", "align"}, "th": {"colspan", "rowspan", "align", "scope"},
    "col": {"span", "width"}, "ol": {"start", "type", "reversed"}, "li": {"value"},
    "details": {"open"},
    "div": {"data-provider", "data-target", "data-url", "data-short", "data-label", "data-player", "data-thumb",
            "data-summary", "data-lines", "open", *DIAGRAM_OPTIONS},
    "code": {"data-start-from"}, "pre": {"data-start-from", *DIAGRAM_OPTIONS},
    "span": {"data-line-number"},  # a code line's number, printed by the stylesheet (render/accessible.py)
    "math": {"display", "xmlns", "alttext"}, "annotation": {"encoding"},
    "mo": {"stretchy", "fence", "separator", "form", "lspace", "rspace", "accent", "largeop", "movablelimits",
           "minsize", "maxsize", "symmetric", "mathvariant", "mathcolor"},
    "mtable": {"columnalign", "rowspacing", "columnspacing", "displaystyle", "rowalign", "columnlines",
               "rowlines", "frame", "framespacing", "width", "equalrows", "equalcolumns", "side", "align"},
    "mtd": {"columnalign", "rowalign", "columnspan", "rowspan"}, "mtr": {"columnalign", "rowalign"},
    "mstyle": {"displaystyle", "scriptlevel", "mathvariant", "mathcolor", "mathbackground", "mathsize"},
    "mi": {"mathvariant", "mathcolor"}, "mn": {"mathvariant", "mathcolor"}, "mtext": {"mathvariant", "mathcolor"},
    "mspace": {"width", "height", "depth", "linebreak"},
    "mpadded": {"width", "height", "depth", "lspace", "voffset", "mathbackground"},
    "mover": {"accent"}, "munder": {"accentunder"}, "munderover": {"accent", "accentunder"},
    "mfrac": {"linethickness", "bevelled", "numalign", "denomalign"}, "menclose": {"notation"},
    "mrow": {"mathcolor"},
}


SPAN_LIMITS = {"colspan": 100, "rowspan": 1000}
"""Table spans beyond these are cut to them: `<td colspan=99999999>` kept WeasyPrint busy for minutes (found
by hand, beside the fuzzer), and no printed table spans more."""


def clean_html(fragment: str) -> str:
    """The allow-list pass every rendered lesson goes through."""
    return nh3.clean(fragment, tags=TAGS, attributes=ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                     link_rel=None, strip_comments=True, clean_content_tags={"script", "style", "noscript"},
                     attribute_filter=_bounded_spans)


def _bounded_spans(element: str, attribute: str, value: str) -> str | None:
    limit = SPAN_LIMITS.get(attribute)
    if limit is None:
        return value
    digits = value.strip()
    if not (digits.isascii() and digits.isdigit()):
        return None  # not a number: the browser's default span of 1
    return str(min(int(digits[:9]), limit))


_RAW_HTML = ast.marks_of("RawInline", "RawBlock")


def balance_raw_html(block: Block, pos: SourcePos, reporter: Reporter, losses: list[Loss]) -> Block:
    """Raw inline tags are closed within their own paragraph, so an unclosed `<i hidden>` cannot
    swallow the rest of the lesson; stray closers are dropped. Unsafe markup is reported here
    (with its line); it is removed by `clean_html` on output."""
    if not ast.holds_any(block, _RAW_HTML):
        return block  # no raw HTML, nothing to balance or report: most blocks, found by a scan in C, not a walk

    def visit(node: dict):
        if node["t"] in ("RawInline", "RawBlock") and node["c"][0] == "html":
            if _report_unsafe(node["c"][1], pos, reporter):
                losses.append(Loss(pos.line, "unsafe HTML removed"))
        if node["t"] in ("Para", "Plain", "Header"):
            index = 2 if node["t"] == "Header" else None
            inlines = node["c"][index] if index else node["c"]
            balancer = _Balancer()
            balanced = _balance(inlines, balancer)
            if balancer.too_deep:
                _report_too_deep(pos, reporter)
            if index:
                node["c"][index] = balanced
            else:
                node["c"] = balanced
        return None

    return ast.walk(block, visit)


def _report_unsafe(html: str, pos: SourcePos, reporter: Reporter) -> bool:
    """Say so when `html` holds something the sanitizer will remove; True if it does."""
    match = _UNSAFE.search(html)
    if match:
        reporter.warning(Code.HTML_REMOVED, f"unsafe HTML '{match.group(0).strip()}' removed: lessons cannot run "
                         "scripts, event handlers or embed foreign pages", pos)
    return match is not None


def _report_too_deep(pos: SourcePos, reporter: Reporter) -> None:
    reporter.warning(Code.HACKMD_TOO_DEEP, f"raw HTML tags nest more than {MAX_RAW_DEPTH} deep; the deeper ones "
                     "were dropped (their text is kept)", pos)


MAX_RAW_DEPTH = 32
"""Raw HTML elements open at once in one scope (a paragraph, or a lesson's or a box's blocks). The pages
nest them inside exporter's own elements, and libxml2 reads no page deeper than 256."""


class _Balancer:
    """The open raw tags of one scope, as HTML would pair them: a closer closes the nearest open tag of
    its name (and those inside it); one with no opener is dropped; an opener past `room` is dropped with
    its closer."""

    def __init__(self, room: int = MAX_RAW_DEPTH) -> None:
        self.stack: list[str] = []
        self.room = room
        self.dropped: dict[str, int] = {}
        self.too_deep = False

    def open(self, name: str) -> bool:
        if len(self.stack) >= self.room:
            self.dropped[name] = self.dropped.get(name, 0) + 1
            self.too_deep = True
            return False
        self.stack.append(name)
        return True

    def close(self, name: str) -> list[str] | None:
        """Closers to write before this one (tags it closes implicitly), or None to drop it."""
        if self.dropped.get(name):
            self.dropped[name] -= 1
            return None
        if name not in self.stack:
            return None
        implied = []
        while self.stack[-1] != name:
            implied.append(self.stack.pop())
        self.stack.pop()
        return implied

    def closers(self) -> list[str]:
        return list(reversed(self.stack))


def _balance(inlines: list, balancer: _Balancer) -> list:
    out = []
    for node in inlines:
        if node.get("t") == "RawInline" and node["c"][0] == "html":
            tag = _TAG.fullmatch(node["c"][1].strip())
            name = tag.group(2).lower() if tag else ""
            if tag and name not in VOID and tag.group(1):
                implied = balancer.close(name)
                if implied is None:
                    continue  # a closer with no opener
                out += [{"t": "RawInline", "c": ["html", f"</{n}>"]} for n in implied]
            elif tag and name not in VOID:
                if not balancer.open(name):
                    continue
                if tag.group(3):  # `<span/>`: HTML ignores the slash (an opener), lxml does not; say it plainly
                    balancer.close(name)
                    node = {"t": "RawInline", "c": ["html", node["c"][1].strip()[:-2].rstrip() + f"></{name}>"]}
        out.append(node)
    out += [{"t": "RawInline", "c": ["html", f"</{name}>"]} for name in balancer.closers()]
    return out


# ---------------------------------------------------------------------------- exporter's own vocabulary

RESERVED_CLASSES = frozenset({
    "embed", "callout", "exercise", "answer", "toc", "spacer", "speaker-notes", "callout-label", "exporter-lesson",
    "math", "footnotes", "footnote-ref", "footnote-back", "image-missing", "image-missing-label",
    "image-missing-url", "embed-play", "embed-frame", "lesson", "lesson-end", "answer-lines", "answer-ref",
    "quiz", "quiz-prompt", "quiz-choices", "quiz-choice", "quiz-label", "quiz-choice-feedback", "quiz-explanation",
})
"""Classes the render stage, the exporters or the SCORM runtime act on. Only nodes normalize made from
HackMD syntax may carry them; a lesson writing one (in raw HTML or with pandoc attributes) loses it."""
RESERVED_ID_PREFIX = "exporter-"
"""Ids the render stage gives its own wrappers."""
_PROBE = '<i data-exporter-probe="1"></i>'


def neutralize_raw_html(node: dict, pos: SourcePos, reporter: Reporter) -> dict | None:
    """A raw HTML node as the final sanitizer's own parser (html5ever, through nh3) reads it: when it
    gives an element a reserved class, an `exporter-` id or any data-* attribute, or leaves the parser
    inside a tag, a comment or a text-only element (so that what follows it in the page would be read
    as part of it), the node is replaced by its cleaned, complete form; else it is kept as written."""
    html = node["c"][1]
    seen = _attributes_seen(html + _PROBE)
    reserved = sorted({name for name in seen if name != "data-exporter-probe"})
    finished = "data-exporter-probe" in seen
    if finished and not reserved:
        return None
    if reserved:
        reporter.warning(Code.HTML_RESERVED, f"{', '.join(reserved)} removed from raw HTML: only exporter sets "
                         "these (write {%youtube ID%} for a video, :::info for a box)", pos)
    if not finished:
        reporter.warning(Code.HTML_REMOVED, "unfinished HTML (a tag, comment or <textarea> left open) was closed "
                         "where its block ends; finish it", pos)
    return {"t": node["t"], "c": [node["c"][0], _without_reserved(html)]}


def _reserved(attribute: str, value: str) -> str | None:
    """What of `attribute="value"` only exporter may write (a description), or None."""
    if attribute.startswith("data-"):
        return attribute
    if attribute == "class":
        taken = [c for c in value.split() if c in RESERVED_CLASSES]
        return "class " + " ".join(taken) if taken else None
    if attribute == "id" and value.startswith(RESERVED_ID_PREFIX):
        return f"id {value}"
    return None


def _attributes_seen(html: str) -> set[str]:
    found: set[str] = set()

    def spy(element: str, attribute: str, value: str) -> str:
        if element == "i" and attribute == "data-exporter-probe":
            found.add(attribute)
        elif _reserved(attribute, value):
            found.add(_reserved(attribute, value))
        return value

    nh3.clean(html, tags=TAGS, attributes={"*": {"class", "id"}}, generic_attribute_prefixes={"data-"},
              attribute_filter=spy, link_rel=None, strip_comments=True, clean_content_tags={"script", "style"})
    return found


def _without_reserved(html: str) -> str:
    def keep(element: str, attribute: str, value: str) -> str | None:
        if attribute == "class":
            return " ".join(c for c in value.split() if c not in RESERVED_CLASSES) or None
        return None if _reserved(attribute, value) else value

    return nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                     link_rel=None, strip_comments=True, clean_content_tags={"script", "style", "noscript"},
                     attribute_filter=keep)


# ---------------------------------------------------------------------------- raw block tags, per scope

_BLOCK_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)([^<>]*?)(/?)>")
"""A tag, roughly: no `<` or `>` inside, so every start scans only to the next bracket (linear)."""


def balance_raw_blocks(blocks: list, pos: SourcePos, reporter: Reporter) -> list:
    """Tags opened in raw HTML blocks are closed in the same scope (the lesson, a box, a list item, a
    quote), and closers with no opener there are dropped. Otherwise a stray `</div>` closes the element
    around it, up to the wrapper each lesson is written in, and the lesson's text lands outside it."""
    too_deep: list[bool] = []
    balanced = _balance_scope(blocks, MAX_RAW_DEPTH, too_deep)
    if too_deep:
        _report_too_deep(pos, reporter)
    return balanced


def _balance_scope(blocks: list, room: int, too_deep: list[bool]) -> list:
    balancer = _Balancer(room)
    out = []
    for block in blocks:
        if block.get("t") == "RawBlock" and block["c"][0] == "html":
            block = {"t": "RawBlock", "c": ["html", _balance_text(block["c"][1], balancer)]}
        else:  # a box opened inside raw tags has that much less room
            _balance_children(block, max(0, room - len(balancer.stack) - 1), too_deep)
        out.append(block)
    if balancer.too_deep:
        too_deep.append(True)
    if balancer.stack:
        out.append({"t": "RawBlock", "c": ["html", "".join(f"</{name}>" for name in balancer.closers())]})
    return out


def _balance_children(block: dict, room: int, too_deep: list[bool]) -> None:
    """Each block list inside `block` is a scope of its own (balanced in place)."""
    kind, content = block.get("t"), block.get("c")
    scope = lambda blocks: _balance_scope(blocks, room, too_deep)  # noqa: E731
    if kind == "Div":
        content[1] = scope(content[1])
    elif kind == "BlockQuote":
        block["c"] = scope(content)
    elif kind == "Figure":
        content[2] = scope(content[2])
    elif kind in ("BulletList", "OrderedList"):
        items = content if kind == "BulletList" else content[1]
        items[:] = [scope(item) for item in items]
    elif kind == "DefinitionList":
        for _, definitions in content:
            definitions[:] = [scope(d) for d in definitions]


def _balance_text(html: str, balancer: _Balancer) -> str:
    """One raw block's text with stray closers dropped and `<div/>` written `<div></div>` (HTML ignores
    the slash on elements that are not void; lxml would not)."""
    def fix(match: re.Match) -> str:
        closing, name, self_closing = match.group(1), match.group(2).lower(), match.group(4)
        if name in VOID:
            return match.group(0)
        if closing:
            implied = balancer.close(name)
            return "" if implied is None else "".join(f"</{n}>" for n in implied) + match.group(0)
        if not balancer.open(name):
            return ""
        if self_closing:
            balancer.close(name)
            return f"<{match.group(2)}{match.group(3)}></{match.group(2)}>"
        return match.group(0)

    return _BLOCK_TAG.sub(fix, html)
