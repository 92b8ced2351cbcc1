"""Heading levels inside a lesson, re-levelled under the lesson's title: the title is the lesson's only H1
in every format, so a body `# Heading` becomes an H2, and no level is skipped (`##` then `####` reads as
H2 then H3). Screen readers list and jump by these levels; the EPUB nav and the PDF outline are built
from the same levels (issue 18)."""
from __future__ import annotations

from exporter import ast
from exporter.model import Block

HEADER = ast.marks_of("Header")
"""What `ast.holds_any` finds in a block that may hold a heading."""
BODY_TOP = 2
"""The level of a lesson's top body headings: one below the title."""


def shift_headings(pairs: list[tuple[int, Block]]) -> list[tuple[int, Block]]:
    """(line, block) pairs with every heading, in document order, at most one level below the nearest
    heading above it of a higher written level, and never above H2; H6 stays the deepest."""
    open_levels: list[tuple[int, int]] = []  # (written level, new level) of the headings still "open"

    def visit(node: dict) -> None:
        if node["t"] != "Header":
            return None
        written = node["c"][0]
        while open_levels and open_levels[-1][0] >= written:
            open_levels.pop()
        level = min(6, open_levels[-1][1] + 1 if open_levels else BODY_TOP)
        open_levels.append((written, level))
        node["c"][0] = level
        return None

    lines, blocks = [line for line, _ in pairs], [block for _, block in pairs]
    return list(zip(lines, ast.walk_holding(blocks, HEADER, visit)))
