"""YAML from untrusted files (front matter, course.yml): bounded, and every failure a YAMLError with a line.

PyYAML's `safe_load` refuses code, but not work: an alias bomb (`&a [x,x,...]`, `&b [*a,*a,...]`...)
expands to millions of values, `[[[[...` three thousand deep overflows the composer's recursion, and
some values raise plain `ValueError`s (`date: 2024-02-30`, `!!int abc`, an integer of 5,000 digits).
`load_yaml` composes the document first, checks its size with aliases expanded and its depth, removes
the characters no output can carry (control characters, lone surrogates, U+FFFE/U+FFFF) from every
string and reports their lines, and only then builds Python values; dates stay the text they were.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

MAX_DEPTH = 32
"""Nesting levels of lists and mappings. Front matter uses two or three; course.yml four."""
MAX_NODES = 20_000
"""Values in a document counted with every alias expanded. course.yml for 400 lessons in modules holds
about 1,000; an alias bomb holds millions, and is refused before it is built."""

NOT_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters XML 1.0 cannot carry (EPUB and SCORM are XML): C0 controls but tab and line ends, lone
surrogates (YAML's `\"\\ud800\"`), and the two non-characters U+FFFE and U+FFFF."""


@dataclass(frozen=True, slots=True)
class Loaded:
    data: Any
    cleaned_lines: tuple[int, ...] = ()
    """1-based lines (of the YAML text) of strings that had characters removed."""


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader with a depth limit while composing and ValueErrors turned into ConstructorErrors."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise ComposerError(None, None, f"the values nest more than {MAX_DEPTH} levels deep",
                                    self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, KeyError, TypeError, OverflowError):
            # `!!int abc`, `!!bool maybe`, a 5,000-digit integer: a value of the wrong form, at its line
            kind = str(node.tag).rsplit(":", 1)[-1]
            raise ConstructorError(None, None, f"{_shown(node)} is not a valid {kind} (quote it to keep it "
                                   "as text)", node.start_mark) from None


# Dates stay text: `date: 2024-02-30` is the author's to fix in the output, not a reason to crash.
_BoundedLoader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)


def _shown(node: Node) -> str:
    if isinstance(node, ScalarNode):
        value = node.value if len(node.value) <= 40 else node.value[:40] + "…"
        return repr(value)
    return "here"


def load_yaml(text: str) -> Loaded:
    """Python values of one YAML document (None when empty); raises yaml.YAMLError with a mark."""
    loader = _BoundedLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return Loaded(None)
        _check_size(node)
        cleaned = _clean_strings(node)
        return Loaded(loader.construct_document(node), cleaned)
    finally:
        loader.dispose()


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _check_size(root: Node) -> None:
    """Count the values as if every alias were expanded (memoized per node, no recursion); refuse
    documents over MAX_NODES and ones that contain themselves."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in _children(node))
            if sizes[key] > MAX_NODES:
                raise ComposerError(None, None, f"the document expands to more than {MAX_NODES:,} values "
                                    "(aliases that repeat aliases?)", node.start_mark)
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise ComposerError(None, None, "an alias refers to the value that contains it", node.start_mark)
        on_path.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in sizes)


def _clean_strings(root: Node) -> tuple[int, ...]:
    """Remove NOT_XML_CHARS from every scalar (keys included), in place; the lines where it happened."""
    lines: set[int] = set()
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, ScalarNode) and NOT_XML_CHARS.search(node.value):
            node.value = NOT_XML_CHARS.sub("", node.value)
            lines.add(node.start_mark.line + 1)
        stack.extend(_children(node))
    return tuple(sorted(lines))


def problem_of(exc: yaml.YAMLError) -> tuple[str, int]:
    """(what is wrong, 0-based line within the YAML text) of a YAML error, for a diagnostic."""
    mark = getattr(exc, "problem_mark", None)
    problem = str(getattr(exc, "problem", None) or exc).split("\n")[0]
    if isinstance(exc, yaml.reader.ReaderError):
        problem = "it holds a control character YAML does not allow"
    return problem, mark.line if mark is not None else 0
