"""Two lxml helpers the render stage and the exporters share: a lesson fragment in and out of a tree."""
from __future__ import annotations

from lxml import html as lxml_html
from lxml.html import HtmlElement


def fragment(html: str) -> HtmlElement:
    """`html` (any run of blocks and text) inside one <div>, so it can be walked and changed as a tree.

    lxml makes the <div> itself: wrapping the text in "<div>…</div>" first would let a stray `</div>`
    in the content close the wrapper, and lxml then refuses the leftovers ("Multiple elements found")."""
    if not html.strip():
        return lxml_html.Element("div")
    return lxml_html.fragment_fromstring(html, create_parent="div")


def inner_html(root: HtmlElement) -> str:
    """What `root` holds, as HTML text: the inverse of `fragment`."""
    return (root.text or "") + "".join(lxml_html.tostring(child, encoding="unicode") for child in root)
