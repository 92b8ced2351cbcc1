"""MathJax's pictures of the formulas shipped beside their MathML: `<math altimg="math/….svg">`, the
fallback the EPUB 3 specification names for reading systems that cannot lay out MathML."""
from __future__ import annotations

from typing import Iterable, Mapping

from lxml.html import HtmlElement

from exporter.mathjax import Formula, picture_name


def point_to_pictures(root: HtmlElement, math_svg: Mapping[Formula, str]) -> None:
    """Give each formula MathJax drew an `altimg` naming its picture (`math_pictures` ships it)."""
    for node in root.iter("math"):
        formula = Formula(node.get("alttext") or "", node.get("display") == "block")
        if formula in math_svg:
            node.set("altimg", picture_name(formula))


def math_pictures(pictures: Iterable[Mapping[Formula, str]], used: str) -> tuple[tuple[str, bytes], ...]:
    """(file name, SVG bytes) of every picture an `altimg` in `used` (the chapters' text) names, sorted."""
    named = {picture_name(formula): svg for mapping in pictures for formula, svg in mapping.items()}
    return tuple(sorted((name, svg.encode("utf-8")) for name, svg in named.items() if f'altimg="{name}"' in used))
