"""A library's SVG made fit to ship: sanitized by the project's SVG policy, given a title, sized to the page."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from html import escape

from lxml import etree

from exporter.assets.svg import SVG_NS, SvgError, sanitize_svg

MAX_WIDTH = 640
"""CSS pixels: the text width of an A4 or Letter page at the theme's margins; wider drawings are scaled down
(every format also caps images at 100% of the column)."""
NAMES = {"mermaid": "Mermaid diagram", "graphviz": "Graphviz diagram", "dot": "Graphviz diagram",
         "sequence": "Sequence diagram", "flow": "Flowchart", "abc": "Music score", "vega": "Vega chart",
         "vega-lite": "Vega-Lite chart", "plantuml": "PlantUML diagram", "markmap": "Mind map",
         "csvpreview": "CSV table", "fretboard": "Fretboard diagram"}
_TITLES = {
    "mermaid": r"^\s*(?:title:?|accTitle:)\s*(.+)$", "sequence": r"^\s*title\s*:\s*(.+)$",
    "abc": r"^T:\s*(.+)$", "plantuml": r"^\s*title\s+(.+)$", "markmap": r"^#+\s+(.+)$",
    "flow": r"=>start:\s*(.+)$",
}
"""Where each kind writes its title, if it has one: the text alternative prefers it to the first line."""


@dataclass(frozen=True, slots=True)
class Picture:
    """A drawn diagram: clean SVG bytes, its size in CSS pixels, and its text alternative."""

    svg: bytes
    width: int
    height: int
    alt: str

    def figure(self, key: str, kind: str, line: int) -> str:
        """The HTML that takes the block's place: the SVG file as an image, with its text alternative."""
        return (f'<figure class="diagram diagram-{escape(kind)}" data-line="{line}">'
                f'<img class="diagram" src="{escape(key)}" alt="{escape(self.alt)}" width="{self.width}" '
                f'height="{self.height}"></figure>')


def name_of(kind: str) -> str:
    """What a reader calls a block of that kind: 'Sequence diagram', 'Mind map'."""
    return NAMES.get(kind, kind.capitalize() + " diagram")


def describe(kind: str, source: str) -> str:
    """'Mermaid diagram: Sales pipeline': the kind and the diagram's title, else its first line."""
    return f"{name_of(kind)}: {_title(kind, source)[:120]}".rstrip(": ")


def picture_from_svg(svg: str, alt: str) -> Picture:
    """Raises ValueError when the SVG cannot be made safe (the diagram then keeps its source)."""
    start = re.search(r"<svg\b[^>]*>", svg)
    if start and "xmlns=" not in start.group(0):
        svg = svg.replace("<svg", f'<svg xmlns="{SVG_NS}"', 1)  # a DOM's outerHTML leaves it out
    try:
        clean, width, height = sanitize_svg(svg.encode("utf-8"))
    except SvgError as exc:
        raise ValueError(f"its drawing was refused: {exc}") from exc
    if not width or not height:
        raise ValueError("the library drew an empty picture")
    root = etree.fromstring(clean)
    _fit(root, width, height)
    _renumber_ids(root)
    title = etree.Element(f"{{{SVG_NS}}}title")
    title.text = alt
    root.insert(0, title)
    scale = min(1.0, MAX_WIDTH / width)
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return Picture(data, round(width * scale), round(height * scale), alt)


def _fit(root: etree._Element, width: int, height: int) -> None:
    """A fixed size and a viewBox, so the picture scales as an image (mermaid writes width="100%" and a
    max-width style)."""
    if not root.get("viewBox"):
        root.set("viewBox", f"0 0 {width} {height}")
    root.set("width", str(width))
    root.set("height", str(height))
    root.attrib.pop("style", None)


_REFERENCE = re.compile(r"#([A-Za-z_][\w-]*)")
_ID_LISTS = ("aria-labelledby", "aria-describedby")


def _renumber_ids(root: etree._Element) -> None:
    """Ids numbered in order of appearance (d1, d2...), references along: Raphaël names its markers at random
    and mermaid counts across the diagrams of a page, so the same diagram would otherwise draw to different
    bytes from build to build (and an EPUB would not be byte-identical)."""
    ids = dict.fromkeys(el.get("id") for el in root.iter() if isinstance(el.tag, str) and el.get("id"))
    mapping = {old: f"d{number}" for number, old in enumerate(ids, start=1)}

    def references(text: str) -> str:
        return _REFERENCE.sub(lambda m: "#" + mapping.get(m.group(1), m.group(1)), text)

    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for name, value in element.attrib.items():
            if name == "id":
                element.set(name, mapping.get(value, value))
            elif name in _ID_LISTS:
                element.set(name, " ".join(mapping.get(token, token) for token in value.split()))
            elif "#" in value:
                element.set(name, references(value))
        if element.tag == f"{{{SVG_NS}}}style" and element.text:
            element.text = references(element.text)


def _title(kind: str, source: str) -> str:
    if kind in ("vega", "vega-lite"):
        found = _vega_title(source)
        if found:
            return found
    pattern = _TITLES.get(kind)
    for line in source.splitlines():
        match = re.match(pattern, line, re.I) if pattern else None
        if match:
            return match.group(1).strip().strip('"')
    return next((line.strip() for line in source.splitlines() if line.strip()), "")


def _vega_title(source: str) -> str:
    try:
        spec = json.loads(source)
    except ValueError:
        return ""
    title = spec.get("title") if isinstance(spec, dict) else None
    if isinstance(title, dict):
        title = title.get("text")
    described = spec.get("description") if isinstance(spec, dict) else None
    return str(title or described or "").strip()
