"""Small helpers over pandoc's JSON AST (pandoc-types 1.23), at the bottom of the package: every stage uses them, they import nothing of ours but the model."""
from __future__ import annotations

import marshal
import re
from typing import Any, Callable, Iterator

from exporter.model import Block

# Where each node kind keeps its Attr ([id, [classes], [[key, value], ...]]) inside "c".
ATTR_INDEX = {"CodeBlock": 0, "Header": 1, "Div": 0, "Table": 0, "Figure": 0,
              "Code": 0, "Link": 0, "Image": 0, "Span": 0}


def attr_of(node: dict) -> list | None:
    index = ATTR_INDEX.get(node.get("t", ""))
    return None if index is None else node["c"][index]


def classes(node: dict) -> list[str]:
    attr = attr_of(node)
    return attr[1] if attr else []


def attribute(node: dict, key: str, default: str | None = None) -> str | None:
    attr = attr_of(node)
    for k, v in attr[2] if attr else []:
        if k == key:
            return v
    return default


LINE = "data-line"
"""The attribute normalize sets on every node that has attributes: the source line it starts at, from
pandoc's sourcepos (never from the content, whose own data-* attributes are removed first)."""


def line_of(node: dict) -> int | None:
    """The source line `node` starts at, if it carries one: the one way to ask."""
    value = attribute(node, LINE) if node.get("t") in ATTR_INDEX else None
    return int(value) if value and value.isascii() and value.isdigit() and len(value) <= 7 else None


def make_div(klass: list[str], attrs: dict[str, str], blocks: list[Block], ident: str = "") -> Block:
    return {"t": "Div", "c": [[ident, klass, [[k, v] for k, v in attrs.items()]], blocks]}


def plain_text(node: Any) -> str:
    """The readable text of a node or list of nodes (for titles, ids, outlines)."""
    if isinstance(node, list):
        return "".join(plain_text(n) for n in node)
    if not isinstance(node, dict):
        return ""
    kind = node.get("t")
    if kind == "Str":
        return node["c"]
    if kind in ("Space", "SoftBreak", "LineBreak"):
        return " "
    if kind in ("Code", "Math"):
        return node["c"][1]
    if kind in ("RawInline", "RawBlock", "Note"):
        return ""
    content = node.get("c")
    if kind in ("Link", "Image", "Span"):
        return plain_text(content[1])
    if kind == "Header":
        return plain_text(content[2])
    if kind == "Quoted":
        return "\u201c" + plain_text(content[1]) + "\u201d"
    if kind == "Cite":
        return plain_text(content[1])
    return plain_text(content) if isinstance(content, list) else ""


def walk(node: Any, visit: Callable[[dict], Any]) -> Any:
    """Rebuild `node` bottom-up; `visit(element)` returns a replacement element, a list to splice, or None to keep.

    Every stage walks whole courses (hundreds of thousands of nodes), so the common cases (a text node, a
    string, a number) are decided inline rather than by another call."""
    if type(node) is list:
        return _walk_list(node, visit)
    if type(node) is dict:
        return _walk_node(node, visit)
    return node


def _walk_list(nodes: list, visit: Callable[[dict], Any]) -> list:
    result: list = []
    for item in nodes:
        kind = type(item)
        if kind is dict:
            new = _walk_node(item, visit)
            if type(new) is list and "t" in item:
                result.extend(new)
            else:
                result.append(new)
        elif kind is list:
            result.append(_walk_list(item, visit))
        else:
            result.append(item)
    return result


def _walk_node(node: dict, visit: Callable[[dict], Any]) -> Any:
    if "t" not in node:
        return node
    rebuilt = dict(node)
    content = node.get("c")
    if type(content) is list:
        rebuilt["c"] = _walk_list(content, visit)
    replacement = visit(rebuilt)
    return rebuilt if replacement is None else replacement


def tree_bytes(node: Any) -> bytes:
    """`node` as bytes for a cache key, seven times faster than JSON. Equal trees give equal bytes whatever
    made them (pandoc's JSON, the cache's pickle): marshal's format 0 writes no back-references and marks no
    interned strings, the two things that depend on how the objects were built, not on their values."""
    return marshal.dumps(node, 0)


def marks_of(*strings: str) -> tuple[bytes, ...]:
    """What `holds_any` looks for: each string as `tree_bytes` writes it inside a tree (type, length, UTF-8)."""
    return tuple(tree_bytes(string) for string in strings)


def holds_any(node: Any, marks: tuple[bytes, ...]) -> bool:
    """Whether `node` may hold, as a node kind, a class or any other string, one of the strings `marks` were
    made of (`marks_of`). One pass in C over the tree's bytes, ten times cheaper than a walk of its nodes in
    Python: a quick no before a walk. A yes may be a string in another role (a class named "Image")."""
    data = tree_bytes(node)
    return any(mark in data for mark in marks)


def walk_holding(blocks: list, marks: tuple[bytes, ...], visit: Callable[[dict], Any]) -> list:
    """`walk` of each of `blocks` that may hold one of the strings `marks` were made of (`holds_any`); the
    others are kept as they are, not rebuilt: a walk that acts on a few kinds of node skips most blocks."""
    return [walk(block, visit) if holds_any(block, marks) else block for block in blocks]


MEDIA = marks_of("Image", "RawInline", "RawBlock", "embed")
"""What the assets stage reads or rewrites: images, raw HTML (for its `<img>` tags) and embeds (Divs of class
`embed`)."""


def may_hold_media(block: Any) -> bool:
    """Whether `block` may hold a node the assets stage reads or rewrites (`MEDIA`)."""
    return holds_any(block, MEDIA)


def iter_nodes(node: Any) -> Iterator[dict]:
    """Every element of `node` in document order (parents before children), without recursion."""
    stack = [node]
    while stack:
        current = stack.pop()
        kind = type(current)
        if kind is list:
            stack.extend(reversed(current))
        elif kind is dict and "t" in current:
            yield current
            content = current.get("c")
            if type(content) is list:
                stack.append(content)


_ID_CHARS = re.compile(r"[^a-z0-9]+")


def slug_id(text: str) -> str:
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return _ID_CHARS.sub("-", ascii_text).strip("-")
