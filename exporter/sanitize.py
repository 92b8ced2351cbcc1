"""Untrusted lesson HTML: balanced per block in normalize, reported where unsafe, cleaned by allow-list on output.

The allow-list (nh3, a binding of the Rust `ammonia` sanitizer) is the only gate: whatever a lesson
or pandoc writes passes through `clean_html` before any format sees it. No script, no event
handlers, no `javascript:` URLs, no iframes, no style attributes or <style> blocks.
"""
from __future__ import annotations

import re

import nh3

from exporter.diagnostics import Code, Reporter
from exporter.model import Block, SourcePos
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
}
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
            "data-summary", "data-lines", "open"},
    "code": {"data-start-from"}, "pre": {"data-start-from"},
    "math": {"display", "xmlns"}, "annotation": {"encoding"},
    "mo": {"stretchy", "fence", "separator", "form", "lspace", "rspace", "accent", "largeop", "movablelimits"},
    "mtable": {"columnalign", "rowspacing", "columnspacing"}, "mtd": {"columnalign"},
    "mstyle": {"displaystyle", "scriptlevel", "mathvariant"}, "mi": {"mathvariant"}, "mspace": {"width"},
    "mover": {"accent"}, "munder": {"accentunder"}, "mfrac": {"linethickness"}, "menclose": {"notation"},
}


def clean_html(fragment: str) -> str:
    """The allow-list pass every rendered lesson goes through."""
    return nh3.clean(fragment, tags=TAGS, attributes=ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                     link_rel=None, strip_comments=True, clean_content_tags={"script", "style", "noscript"})


def balance_raw_html(block: Block, pos: SourcePos, reporter: Reporter) -> Block:
    """Raw inline tags are closed within their own paragraph, so an unclosed `<i hidden>` cannot
    swallow the rest of the lesson; stray closers are dropped. Unsafe markup is reported here
    (with its line); it is removed by `clean_html` on output."""
    def visit(node: dict):
        if node["t"] in ("RawInline", "RawBlock") and node["c"][0] == "html":
            _report_unsafe(node["c"][1], pos, reporter)
        if node["t"] in ("Para", "Plain", "Header"):
            index = 2 if node["t"] == "Header" else None
            inlines = node["c"][index] if index else node["c"]
            balanced = _balance(inlines)
            if index:
                node["c"][index] = balanced
            else:
                node["c"] = balanced
        return None

    return ast.walk(block, visit)


def _report_unsafe(html: str, pos: SourcePos, reporter: Reporter) -> None:
    match = _UNSAFE.search(html)
    if match:
        reporter.warning(Code.HTML_REMOVED, f"unsafe HTML '{match.group(0).strip()}' removed: lessons cannot run "
                         "scripts, event handlers or embed foreign pages", pos)


def _balance(inlines: list) -> list:
    stack: list[str] = []
    out = []
    for node in inlines:
        if node.get("t") == "RawInline" and node["c"][0] == "html":
            tag = _TAG.fullmatch(node["c"][1].strip())
            if tag and not tag.group(3) and tag.group(2).lower() not in VOID:
                name = tag.group(2).lower()
                if tag.group(1):
                    if name not in stack:
                        continue  # a closer with no opener
                    while stack and stack[-1] != name:
                        out.append({"t": "RawInline", "c": ["html", f"</{stack.pop()}>"]})
                    stack.pop()
                else:
                    stack.append(name)
        out.append(node)
    out += [{"t": "RawInline", "c": ["html", f"</{name}>"]} for name in reversed(stack)]
    return out
