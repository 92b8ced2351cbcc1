"""TeX that HackMD's authors write and that a converter reads differently: `\\over`, which pandoc's
TeX-to-MathML converter does not know, and an accent over a command with its own argument."""
from __future__ import annotations

import re

_OVER = re.compile(r"\\over(?![A-Za-z])")
_ACCENTS = ("dot|ddot|dddot|hat|widehat|bar|overline|underline|vec|tilde|widetilde|acute|grave|breve|check|"
            "mathring|overrightarrow|overleftarrow")
_STYLED = _ACCENTS + "|mathbf|mathrm|mathit|mathsf|mathtt|mathcal|mathbb|mathfrak|mathscr|boldsymbol|bm|operatorname"
_ACCENT_OVER_COMMAND = re.compile(rf"\\({_ACCENTS})(?![A-Za-z])(?=\s*\\(?:{_STYLED})(?![A-Za-z]))")
_STYLED_WORD = re.compile(rf"\\(?:{_STYLED})$")


def mathjax_compatible(tex: str) -> str:
    """`{a \\over b}` -> `{\\frac{a}{b}}`, group by group (MathJax's classic sample formula uses it), and
    `\\dot \\mathbf{q}` -> `\\dot{\\mathbf{q}}`."""
    tex = _braced_accent_arguments(tex)
    if not _OVER.search(tex):
        return tex
    return _convert_group(tex)


def _braced_accent_arguments(tex: str) -> str:
    """`\\dot \\mathbf{q}`: TeX and KaTeX put the dot over the bold q; MathJax takes `\\mathbf` alone as the
    accent's argument and stops ("Missing argument for \\mathbf"). Bracing the pair means the same to all."""
    out, index = [], 0
    for match in _ACCENT_OVER_COMMAND.finditer(tex):
        if match.start() < index:
            continue  # inside an argument braced already (`\\hat\\dot\\mathbf{x}`)
        end = _argument_end(tex, match.end())
        if end is None:
            continue
        argument = tex[match.end():end]
        inner = argument[:len(argument) - len(argument.lstrip())] + _braced_accent_arguments(argument.lstrip())
        out.append(f"{tex[index:match.end()]}{{{inner.strip()}}}")
        index = end
    return "".join(out) + tex[index:]


def _argument_end(tex: str, start: int) -> int | None:
    """Where the argument starting at `start` (after spaces) ends: a balanced `{...}` group, one character,
    or a control word, with its own argument when it is an accent or a font command; None if unclosed."""
    while start < len(tex) and tex[start].isspace():
        start += 1
    if start >= len(tex):
        return None
    if tex[start] == "{":
        depth, index = 0, start
        while index < len(tex):
            char = tex[index]
            if char == "\\":
                index += 2  # an escaped brace is text
                continue
            depth += {"{": 1, "}": -1}.get(char, 0)
            if depth == 0:
                return index + 1
            index += 1
        return None
    word = re.match(r"\\[A-Za-z]+|\\.|.", tex[start:], re.S).group(0)
    if _STYLED_WORD.match(word):
        return _argument_end(tex, start + len(word))
    return start + len(word)


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
