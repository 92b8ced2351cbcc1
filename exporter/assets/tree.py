"""Finding and rewriting images in lesson ASTs: Image nodes, raw HTML `<img>` tags and embed Divs.

Every visitor gets the source line of the nearest node that carries one (`data-line`), so a
message about an image names its own line, not the paragraph's.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any, Callable

from lxml import html as lxml_html

from exporter.i18n import N_
from exporter.model import Block, Lesson
from exporter import ast

_IMG_TAG = re.compile(r"<img\b[^>]*>", re.I)

Visit = Callable[[dict, int], Any]


@dataclass(frozen=True, slots=True)
class ImageRef:
    lesson: str
    line: int
    src: str
    alt: str


def map_lesson(lesson: Lesson, visit: Visit) -> tuple[Block, ...]:
    """Rebuild the lesson body bottom-up; `visit(node, line)` returns a replacement, a list, or None. `visit`
    sees only the nodes of blocks that may hold an image, raw HTML or an embed (`Lesson.media_blocks`, else
    `ast.may_hold_media`); the others are kept as they are (most blocks hold no image: looking is much
    cheaper than rebuilding)."""
    lines = lesson.block_lines or (1,) * len(lesson.body)
    media = (set(lesson.media_blocks) if lesson.media_blocks is not None
             else {index for index, block in enumerate(lesson.body) if ast.may_hold_media(block)})
    return tuple(_map(block, line, visit) if index in media else block
                 for index, (block, line) in enumerate(zip(lesson.body, lines)))


def _map(node: Any, line: int, visit: Visit) -> Any:
    if isinstance(node, list):
        out: list = []
        for item in node:
            new = _map(item, line, visit)
            if isinstance(item, dict) and "t" in item and isinstance(new, list):
                out.extend(new)
            else:
                out.append(new)
        return out
    if isinstance(node, dict) and "t" in node:
        here = ast.line_of(node) or line
        rebuilt = dict(node)
        if "c" in node:
            rebuilt["c"] = _map(node["c"], here, visit)
        replacement = visit(rebuilt, here)
        return rebuilt if replacement is None else replacement
    return node




def image_src(node: dict) -> str:
    return node["c"][2][0]


def raw_img_tags(raw: str) -> list[tuple[str, dict[str, str]]]:
    """Each `<img …>` tag in raw HTML with its attributes (lower-cased names)."""
    found = []
    for match in _IMG_TAG.finditer(raw):
        try:
            element = lxml_html.fragment_fromstring(match.group(0))
        except Exception:  # lxml raises several types for junk markup; an unparsable tag has no src
            continue
        found.append((match.group(0), {k.lower(): v for k, v in element.attrib.items()}))
    return found


def replace_raw_imgs(raw: str, replace: Callable[[dict[str, str]], str]) -> str:
    """Raw HTML with every `<img>` tag replaced by `replace(attributes)` (which returns HTML)."""
    tags = dict(raw_img_tags(raw))
    return _IMG_TAG.sub(lambda m: replace(tags[m.group(0)]) if m.group(0) in tags else "", raw)


# ---------------------------------------------------------------- what replaces an image

def shown_address(src: str, most: int = 160) -> str:
    """An address as a placeholder prints it: whole when short, else its start and its file name. (A
    4,000-character path set with `word-break: break-all` takes WeasyPrint minutes to lay out.)"""
    return src if len(src) <= most else src[: most - 41] + "…" + src[-40:]


IMAGE_MISSING = N_("Image not available")
"""The placeholder's label; the render stage puts it in the course's words (the tree stays language-neutral)."""


def placeholder_span(alt: list, src: str, line: int, reason: str) -> dict:
    """`span.image-missing`: the alt text and the address stay visible in every format."""
    label = {"t": "Span", "c": [["", ["image-missing-label"], []], [{"t": "Str", "c": IMAGE_MISSING}]]}
    parts: list = [label]
    if ast.plain_text(alt).strip():
        parts += [{"t": "Str", "c": ":"}, {"t": "Space"}, *alt]
    url = {"t": "Span", "c": [["", ["image-missing-url"], []], [{"t": "Str", "c": shown_address(src)}]]}
    parts += [{"t": "Space"}, {"t": "Str", "c": "("}, url, {"t": "Str", "c": ")"}]
    attrs = [[ast.LINE, str(line)], ["title", reason]]
    return {"t": "Span", "c": [["", ["image-missing"], attrs], parts]}


def placeholder_html(alt: str, src: str, line: int, reason: str, label: str = IMAGE_MISSING) -> str:
    """The placeholder of `placeholder_span` as HTML, for shaping; `label` in the course's words."""
    alt_part = f": {html.escape(alt)}" if alt.strip() else ""
    return (f'<span class="image-missing" data-line="{line}" title="{html.escape(reason)}">'
            f'<span class="image-missing-label">{html.escape(label)}</span>{alt_part} '
            f'(<span class="image-missing-url">{html.escape(shown_address(src))}</span>)</span>')


def img_html(key: str, attrs: dict[str, str]) -> str:
    """A raw `<img>` again, pointing at the manifest key, keeping only attributes outputs allow."""
    kept = [("src", key)] + [(k, attrs[k]) for k in ("alt", "width", "height", "title") if k in attrs]
    return "<img " + " ".join(f'{k}="{html.escape(v)}"' for k, v in kept) + ">"
