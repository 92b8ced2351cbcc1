"""HTML elements (lxml.html, no namespaces) -> XHTML elements for an EPUB content document.

The render stage writes HTML5; an EPUB needs XML: XHTML, MathML and SVG each in their namespace,
`epub:type` as a namespaced attribute, and no character XML 1.0 forbids.
"""
from __future__ import annotations

import re

from lxml import etree

XHTML = "http://www.w3.org/1999/xhtml"
MATHML = "http://www.w3.org/1998/Math/MathML"
SVG = "http://www.w3.org/2000/svg"
OPS = "http://www.idpf.org/2007/ops"
EPUB_TYPE = "data-epub-type"
"""Set on HTML elements while shaping them; becomes `epub:type` in the XHTML."""

_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_NAME = re.compile(r"^[A-Za-z_][\w.-]*$")


def xml_text(text: str | None) -> str | None:
    """Text with the characters XML 1.0 cannot carry (control characters, lone surrogates) removed."""
    return _NOT_XML.sub("", text) if text else text


def to_xhtml(element, parent: etree._Element, namespace: str = XHTML) -> None:
    """Append an XHTML copy of the HTML `element` (and its tail) to `parent`."""
    if not isinstance(element.tag, str):  # comment or processing instruction: not content
        _append_text(parent, element.tail)
        return
    tag = element.tag.lower()
    switch = {"math": MATHML, "svg": SVG}.get(tag)
    namespace = switch or namespace
    # a MathML or SVG island declares its namespace as the default, so it reads `<math xmlns=...>`
    copy = etree.SubElement(parent, f"{{{namespace}}}{tag}", nsmap={None: namespace} if switch else None)
    for name, value in element.attrib.items():
        if name == EPUB_TYPE:
            copy.set(f"{{{OPS}}}type", value)
        elif name != "xmlns" and _NAME.match(name):
            copy.set(name, xml_text(value) or "")
    copy.text = xml_text(element.text)
    for child in element:
        to_xhtml(child, copy, namespace)
    copy.tail = xml_text(element.tail)


def _append_text(parent: etree._Element, text: str | None) -> None:
    text = xml_text(text)
    if not text:
        return
    if len(parent):
        parent[-1].tail = (parent[-1].tail or "") + text
    else:
        parent.text = (parent.text or "") + text
