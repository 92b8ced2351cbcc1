"""TeX that MathJax (and so HackMD) reads but pandoc's TeX-to-MathML converter does not."""
from __future__ import annotations

import re

_OVER = re.compile(r"\\over(?![A-Za-z])")


def mathjax_compatible(tex: str) -> str:
    """`{a \\over b}` -> `{\\frac{a}{b}}`, group by group (MathJax's classic sample formula uses it)."""
    if not _OVER.search(tex):
        return tex
    return _convert_group(tex)


def _convert_group(text: str) -> str:
    """Convert the `\\over` at this group's top level (one only, as in TeX), after its subgroups."""
    pieces, depth, start, over_at = [], 0, 0, None
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text) and text[index + 1] in "{}":
            index += 2  # an escaped brace is text
            continue
        if char == "{":
            if depth == 0:
                pieces.append(text[start:index + 1])
                start = index + 1
            depth += 1
        elif char == "}" and depth > 0:
            depth -= 1
            if depth == 0:
                pieces.append(_convert_group(text[start:index]))
                start = index
        elif depth == 0 and over_at is None and _OVER.match(text, index):
            pieces.append(text[start:index])
            over_at = len(pieces)
            start = index + len("\\over")
        index += 1
    pieces.append(text[start:])
    if over_at is None:
        return "".join(pieces)
    numerator, denominator = "".join(pieces[:over_at]), "".join(pieces[over_at:])
    return f"\\frac{{{numerator.strip()}}}{{{denominator.strip()}}}"
