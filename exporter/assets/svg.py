"""SVG sanitizing by allow-list: drawing elements only; no script, handlers, foreign content or outside refs.

Parsed with lxml without entity expansion, DTD loading or network access. What leaves here can only
point inside itself (`#id`) or at embedded raster data (`data:image/png|jpeg|gif`).
"""
from __future__ import annotations

import re

from lxml import etree

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"

ELEMENTS = {
    "svg", "g", "defs", "symbol", "use", "title", "desc", "path", "rect", "circle", "ellipse", "line",
    "polyline", "polygon", "text", "tspan", "textPath", "linearGradient", "radialGradient", "stop",
    "clipPath", "mask", "pattern", "marker", "image", "style", "switch", "a", "filter", "feBlend",
    "feColorMatrix", "feComponentTransfer", "feComposite", "feFlood", "feGaussianBlur", "feMerge",
    "feMergeNode", "feOffset", "feFuncA", "feFuncR", "feFuncG", "feFuncB", "feMorphology", "feTile",
    "feTurbulence", "feDropShadow", "feDisplacementMap", "feSpecularLighting", "feDiffuseLighting",
    "fePointLight", "feDistantLight", "feSpotLight", "feConvolveMatrix",
}
"""Everything else (script, foreignObject, iframe, animate/set that can rewrite hrefs...) is removed."""
_SAFE_DATA = re.compile(r"^\s*data:image/(png|jpeg|gif)[;,]", re.I)
_CSS_URL = re.compile(r"url\(\s*['\"]?\s*(?!#)[^)]*\)|@import|expression\s*\(|javascript:", re.I)
MAX_SVG_BYTES = 5 * 1024 * 1024


class SvgError(Exception):
    """Not an SVG we can make safe; the message says why."""


def sanitize_svg(data: bytes) -> tuple[bytes, int | None, int | None]:
    """Return (clean SVG bytes, width, height); raises SvgError for unparsable or non-SVG input."""
    if len(data) > MAX_SVG_BYTES:
        raise SvgError(f"the SVG is over the {MAX_SVG_BYTES // (1024 * 1024)} MB limit")
    if b"<!ENTITY" in data.upper():
        raise SvgError("the SVG declares XML entities (refused: entity expansion attacks)")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                             remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise SvgError(f"the SVG is not well-formed XML ({exc})") from exc
    if root.tag != f"{{{SVG_NS}}}svg":
        raise SvgError("the file is XML but not SVG (root element is not <svg> in the SVG namespace)")
    _clean(root)
    etree.cleanup_namespaces(root, top_nsmap={None: SVG_NS, "xlink": XLINK_NS})
    width, height = _size(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8"), width, height


def _clean(element: etree._Element) -> None:
    for child in list(element):
        if not isinstance(child.tag, str) or not _allowed(child):
            _remove(child)
            continue
        _clean(child)
    _clean_attributes(element)
    if _local(element.tag) == "style" and element.text and _CSS_URL.search(element.text):
        element.text = _CSS_URL.sub("none", element.text)


def _allowed(element: etree._Element) -> bool:
    return element.tag.startswith(f"{{{SVG_NS}}}") and _local(element.tag) in ELEMENTS


def _remove(element: etree._Element) -> None:
    parent = element.getparent()
    if parent is not None:
        # Keep the text that followed the removed element (tail) attached to the document.
        if element.tail:
            previous = element.getprevious()
            if previous is not None:
                previous.tail = (previous.tail or "") + element.tail
            else:
                parent.text = (parent.text or "") + element.tail
        parent.remove(element)


def _clean_attributes(element: etree._Element) -> None:
    for name in list(element.attrib):
        value = element.attrib[name]
        namespace, local = _split(name)
        if local.lower().startswith("on") or namespace not in ("", XLINK_NS, XML_NS):
            del element.attrib[name]
        elif local == "href" and not _safe_reference(value, _local(element.tag)):
            del element.attrib[name]
        elif local == "style" and _CSS_URL.search(value):
            del element.attrib[name]
        elif _CSS_URL.search(value) and local not in ("d", "points"):
            del element.attrib[name]


def _safe_reference(value: str, tag: str) -> bool:
    value = value.strip()
    return value.startswith("#") or (tag == "image" and bool(_SAFE_DATA.match(value)))


def _size(root: etree._Element) -> tuple[int | None, int | None]:
    width, height = _length(root.get("width")), _length(root.get("height"))
    if (width is None or height is None) and root.get("viewBox"):
        parts = re.split(r"[\s,]+", root.get("viewBox", "").strip())
        if len(parts) == 4:
            try:
                width, height = width or round(float(parts[2])), height or round(float(parts[3]))
            except ValueError:
                pass
    return width, height


def _length(value: str | None) -> int | None:
    match = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*(px)?\s*", value or "")
    return round(float(match.group(1))) if match else None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _split(name: str) -> tuple[str, str]:
    if name.startswith("{"):
        namespace, local = name[1:].split("}", 1)
        return namespace, local
    return "", name
