"""Fixture files in markdown-it-py's format: `title / . / input / . / expected / .`, one case after another."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Case:
    file: Path
    line: int
    """Line of the title in the fixture file (pytest ids and failure messages)."""
    title: str
    input: str
    expected: str

    @property
    def id(self) -> str:
        return f"{self.file.stem}:{self.line}:{self.title}"


def read_fixture_file(path: Path) -> list[Case]:
    """Parse every case; a line holding a single '.' separates title, input and expected output."""
    lines = path.read_text(encoding="utf-8").split("\n")
    cases, index = [], 0
    while index < len(lines):
        if not lines[index].strip():
            index += 1
            continue
        title_line = index
        sections: list[list[str]] = []
        index += 1
        if index >= len(lines) or lines[index] != ".":
            raise ValueError(f"{path}:{index + 1}: expected '.' after the title {lines[title_line]!r}")
        index += 1
        for _ in range(2):
            section = []
            while index < len(lines) and lines[index] != ".":
                section.append(lines[index])
                index += 1
            if index >= len(lines):
                raise ValueError(f"{path}:{title_line + 1}: case {lines[title_line]!r} is not closed by '.'")
            sections.append(section)
            index += 1
        cases.append(Case(path, title_line + 1, lines[title_line], "\n".join(sections[0]), "\n".join(sections[1])))
    return cases


def write_fixture_file(path: Path, cases: list[Case], actual: dict[str, str]) -> None:
    """Rewrite a fixture file with new expected sections (UPDATE_FIXTURES=1); review the diff by eye."""
    chunks = []
    for case in cases:
        expected = actual.get(case.id, case.expected)
        chunks.append(f"{case.title}\n.\n{case.input}\n.\n{expected}\n.\n" if expected else
                      f"{case.title}\n.\n{case.input}\n.\n.\n")
    path.write_text("\n".join(chunks), encoding="utf-8")
