"""Formulas as SVG pictures for the PDF (WeasyPrint has no MathML layout); glyphs are paths, so no font is
needed. MathJax drew them in the render stage (`render/math.py`); ziamath typesets MathML or TeX when
MathJax could not run (an installed wheel without the npm tools)."""
from __future__ import annotations

import re
import warnings

MATH_SIZE = 11.0
"""Formula size in points, matching the body text."""

Picture = tuple[str, float, float, float]
"""(SVG text, width pt, height pt, vertical-align pt: how far the baseline sits above the bottom, negated)."""


def mathjax_picture(svg: str) -> Picture:
    """MathJax's SVG placed at the body size: its viewBox is in thousandths of an em, baseline at y=0."""
    _, top, width, height = (float(n) for n in re.search(r'viewBox="([^"]+)"', svg).group(1).split())
    scale = MATH_SIZE / 1000
    return svg, width * scale, height * scale, -(top + height) * scale


def typeset_math(mathml: str | None, tex: str | None, display: bool) -> Picture | None:
    """ziamath's SVG for the formula, or None when neither the MathML nor the TeX can be typeset."""
    import ziamath

    size = MATH_SIZE * (1.1 if display else 1.0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ziamath warns about glyphs it substitutes; the picture is still right
            if mathml:
                math = ziamath.Math(_strip_annotation(mathml), size=size)
            elif tex:
                math = ziamath.Latex(tex, size=size, inline=not display)
            else:
                return None
            svg = math.svg()
    except Exception:  # ziamath raises many kinds on unsupported input; the caller prints the TeX instead
        return None
    return svg, *_geometry(svg)


def _strip_annotation(mathml: str) -> str:
    """ziamath lays out every child of <semantics>; the TeX annotation must not print beside the formula."""
    mathml = re.sub(r"<annotation\b.*?</annotation>", "", mathml, flags=re.S)
    return re.sub(r"</?semantics>", "", mathml)


def _geometry(svg: str) -> tuple[float, float, float]:
    width = float(re.search(r'width="([\d.]+)"', svg).group(1))
    height = float(re.search(r'height="([\d.]+)"', svg).group(1))
    top = float(re.search(r'viewBox="[-\d.]+ ([-\d.]+)', svg).group(1))
    below_baseline = height + top  # the baseline is y=0 in ziamath's viewBox
    return width, height, -below_baseline
