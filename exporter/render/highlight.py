"""Code blocks handed to pandoc's highlighter without the class names it would search every syntax for.

pandoc looks each class of a code block up as a language name, then as a file extension; the second search
reads every syntax definition it has, about 0.4 s of a write (`text`, `sh`, `txt`, `wrap`...). A class it
does not know by name is therefore looked up once, by `pandoc.highlighter_names`, and the answer kept in the
build cache; before the write, such a class is replaced by the name it resolves to, or hidden when it
resolves to none, and after the write the block gets its own classes back. The HTML is what pandoc writes for
the block as the author gave it (`tests/test_render.py` compares the two), so this only changes how long the
write takes: a warm build that renders one lesson again no longer pays the search.

For the pinned pandoc, its language names and the answers for classes authors often write (`text`, `sh`,
`yml`...) ship with exporter (`highlight-table.json`, written by scripts/highlight_table.py and checked
against pandoc by the suite): a first build, or one with `--no-cache`, looks none of those up either. A
class outside the table, without a cache to keep its answer, is left for pandoc to search.
"""
from __future__ import annotations

import functools
import json
from pathlib import Path

from lxml.html import HtmlElement

from exporter import ast, pandoc
from exporter.cache import BuildCache

HIDDEN = "data-exporter-classes"
"""The author's classes of a block whose classes were changed for the write, restored after it."""
PANDOC_CLASSES = frozenset({"numberLines", "number-lines", "numberlines"})
"""Classes that tell pandoc's writer something besides the language: always left in sight."""
_CODE_BLOCK = ast.marks_of("CodeBlock")
_NONE = ""
"""A class that names no syntax, as the cache keeps it (a stored None would read as a miss)."""
TABLE = Path(__file__).with_name("highlight-table.json")
"""The pinned pandoc's language names and its answers for common classes (scripts/highlight_table.py)."""


def prepare_code_blocks(blocks: list, cache: BuildCache) -> list:
    """`blocks` with every code block's classes in the form pandoc finds at once, where the answer is known:
    from the shipped table, or from the cache (a lookup costs what pandoc's own search does, so without a
    cache a class outside the table is left for pandoc to search)."""
    shipped = _shipped()
    if shipped is None and not cache.enabled:
        return blocks
    # pandoc's list of names costs what one search does: it is kept too
    known = shipped[0] if shipped else cache.memo(cache.key("highlight-languages", pandoc.version()),
                                                  pandoc.highlight_languages)
    unknown = [{name for node in ast.iter_nodes(block) if node["t"] == "CodeBlock"
                for name in ast.classes(node) if _needs_lookup(name, known)}
               if ast.holds_any(block, _CODE_BLOCK) else set() for block in blocks]
    if not any(unknown):
        return blocks
    names = sorted(set().union(*unknown))
    resolved = {name: shipped[1][name] for name in names if shipped and name in shipped[1]}
    rest = [name for name in names if name not in resolved]
    if rest and cache.enabled:
        resolved.update(_resolved(rest, cache))

    def visit(node: dict):
        if node["t"] != "CodeBlock":
            return None
        lookups = [name for name in ast.classes(node) if _needs_lookup(name, known)]
        if not lookups or any(name not in resolved for name in lookups):
            return None  # nothing to look up, or an answer only pandoc's own search has
        return _shown_to_pandoc(node, resolved, known)

    return [ast.walk(block, visit) if names else block for block, names in zip(blocks, unknown)]


@functools.lru_cache(maxsize=1)
def _shipped() -> tuple[frozenset[str], dict[str, str | None]] | None:
    """The table's language names and class answers, or None when it was written for another pandoc."""
    try:
        table = json.loads(TABLE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if table.get("pandoc") != pandoc.version():
        return None
    return frozenset(table["languages"]), dict(table["classes"])


def restore_code_classes(root: HtmlElement) -> None:
    """Put back the author's classes on each block `prepare_code_blocks` changed, as pandoc writes them: on
    the `pre`, after pandoc's own `sourceCode` and `numberSource` when the block was highlighted."""
    for element in list(root.iter()):
        original = element.attrib.pop(HIDDEN, None)
        if original is None:
            continue
        pre = element if element.tag == "pre" else next(element.iter("pre"), None)
        if pre is None:
            continue
        ours = [name for name in (pre.get("class") or "").split() if name in ("sourceCode", "numberSource")]
        _set_class(pre, " ".join([*ours, *original.split()]))


def _needs_lookup(name: str, known: frozenset[str]) -> bool:
    return name not in PANDOC_CLASSES and name.lower() not in known


def _resolved(names: list[str], cache: BuildCache) -> dict[str, str | None]:
    """Each class name's syntax (None: no syntax), from the cache or from one pandoc lookup for the rest."""
    keys = {name: cache.key("highlight-class", pandoc.version(), name) for name in names}
    found = {name: cache.get(key) for name, key in keys.items()}
    missing = [name for name, value in found.items() if value is None]
    if missing:
        for name, syntax in pandoc.highlighter_names(missing).items():
            cache.put(keys[name], syntax or _NONE)
            found[name] = syntax or _NONE
    return {name: value or None for name, value in found.items()}


def _shown_to_pandoc(node: dict, resolved: dict[str, str | None], known: frozenset[str]) -> dict:
    """The block with the first class that names a syntax replaced by that syntax's own name, the classes
    that name none hidden, and the author's classes kept aside."""
    identifier, names, pairs = node["c"][0]
    language = next((resolved.get(name) or name for name in names
                     if name not in PANDOC_CLASSES and (not _needs_lookup(name, known) or resolved.get(name))), None)
    shown = ([language] if language else []) + [name for name in names if name in PANDOC_CLASSES]
    return {"t": "CodeBlock", "c": [[identifier, shown, [*pairs, [HIDDEN, " ".join(names)]]], node["c"][1]]}


def _set_class(element: HtmlElement, value: str) -> None:
    """`class` where pandoc writes it on a `pre`: after the id, before every other attribute."""
    others = [(key, val) for key, val in element.attrib.items() if key not in ("id", "class")]
    identifier = element.get("id")
    element.attrib.clear()
    if identifier is not None:
        element.set("id", identifier)
    if value:
        element.set("class", value)
    for key, val in others:
        element.set(key, val)
