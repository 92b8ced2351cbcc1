"""`mathvariant` spelled as Unicode's mathematical letters: `<mi mathvariant="double-struck">R</mi>` ->
`<mi>ℝ</mi>`. Browsers lay out MathML Core, which reads no `mathvariant` but "normal": without this, \\mathbb,
\\mathbf, \\mathcal and \\boldsymbol would all show as plain letters on screens (MathJax writes the attribute;
KaTeX and Temml write the characters, for the same reason)."""
from __future__ import annotations

import functools
import unicodedata

STYLES = {"bold": "BOLD", "italic": "ITALIC", "bold-italic": "BOLD ITALIC", "double-struck": "DOUBLE-STRUCK",
          "script": "SCRIPT", "bold-script": "BOLD SCRIPT", "fraktur": "FRAKTUR", "bold-fraktur": "BOLD FRAKTUR",
          "sans-serif": "SANS-SERIF", "bold-sans-serif": "SANS-SERIF BOLD",
          "sans-serif-italic": "SANS-SERIF ITALIC", "sans-serif-bold-italic": "SANS-SERIF BOLD ITALIC",
          "monospace": "MONOSPACE"}
"""MathML's mathvariant -> the style word in the names of Unicode's Mathematical Alphanumeric Symbols."""
TOKENS = ("mi", "mn", "mtext", "mo")


def spell_variants(root) -> None:
    """Every token under `root` (lxml elements) whose mathvariant Unicode can spell gets the characters
    instead of the attribute; a token with a character Unicode has no styled form for keeps the attribute."""
    for element in root.iter(*TOKENS):
        style = STYLES.get(element.get("mathvariant") or "")
        if style is None or len(element) or not element.text:
            continue
        styled = [styled_char(char, style) for char in element.text]
        if all(styled):
            element.text = "".join(styled)
            del element.attrib["mathvariant"]


@functools.lru_cache(maxsize=4096)
def styled_char(char: str, style: str) -> str | None:
    """`char` in `style` ("BOLD", "DOUBLE-STRUCK"...), or None when Unicode has no such character. Letters
    that Unicode had before the mathematical block (ℝ, ℬ, ℌ, ℎ) have older names: each is tried."""
    if char.isspace():
        return char
    try:
        name = unicodedata.name(char)
    except ValueError:
        return None
    words = name.split()
    if words[:1] in (["LATIN"], ["GREEK"]) and words[2:3] == ["LETTER"]:
        rest = f"{words[1]} {' '.join(words[3:])}"  # CAPITAL R, SMALL OMEGA
    elif words[0] == "DIGIT":
        rest = name
    else:
        return None
    candidates = [f"MATHEMATICAL {style} {rest}", f"{style} {rest}"]
    candidates += [f"BLACK-LETTER {rest}"] if style == "FRAKTUR" else []
    candidates += ["PLANCK CONSTANT"] if (style, rest) == ("ITALIC", "SMALL H") else []
    for candidate in candidates:
        try:
            return unicodedata.lookup(candidate)
        except KeyError:
            continue
    return None
