"""TeX -> MathML and SVG through MathJax, the engine HackMD typesets with, run by Node offline.

One Node process per build types every formula the build cache does not hold (a batch over stdin/stdout
JSON: Node and MathJax start once, not once per formula); each result is cached by content hash, so a warm
rebuild of unchanged formulas starts no Node at all. The results are cleaned before they are stored: the
MathML through the same allow-list as every lesson (`sanitize.clean_html`), the SVG down to the shapes
that draw it, since a formula is lesson text (`\\href`, `\\style` and `\\class` put attributes into both).

Where the tools are: Node is `EXPORTER_NODE`, else `node` on PATH; MathJax (npm `mathjax-full`, pinned in
tools/package.json) is looked up in `EXPORTER_TOOLS/node_modules`, else in the repository's
tools/node_modules (scripts/setup.sh installs it there). An installed wheel has no tools/ folder: then
`find_engine` says why and the caller falls back (docs/math.md).
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from lxml import etree
from lxml import html as lxml_html

from exporter import tools
from exporter.cache import BuildCache
from exporter.mathjax.variants import spell_variants
from exporter.sanitize import clean_html

SCRIPT = Path(__file__).with_name("typeset.cjs")
PACKAGE = "mathjax-full"

SECONDS_BASE, SECONDS_PER_FORMULA = 60.0, 1.0
"""Wall-clock bound of the Node run: about 15 ms of CPU per formula measured, so a wide margin for a busy
machine; a run that passes it counts as MathJax unavailable (the build goes on with the fallback)."""


@dataclass(frozen=True, slots=True)
class Formula:
    tex: str
    """The TeX between the delimiters, as written."""
    display: bool
    """`$$...$$` (a block of its own) rather than `$...$`."""


@dataclass(frozen=True, slots=True)
class Typeset:
    """MathJax's answer for one formula: MathML and SVG, or its error message."""

    mathml: str = ""
    """`<math alttext="TeX" ...>` (display="block" for display math), sanitized."""
    svg: str = ""
    """A standalone SVG; its viewBox is in thousandths of an em, baseline at y=0."""
    error: str = ""
    """MathJax's own message when it rejects the formula (then mathml and svg are empty)."""


@dataclass(frozen=True, slots=True)
class Engine:
    """A Node and a MathJax that can run `typeset.cjs`."""

    node: str
    modules: Path
    """The node_modules folder that holds mathjax-full."""
    version: str
    """mathjax-full's version: part of every cache key."""


class MathJaxUnavailable(Exception):
    """Node or MathJax is missing, or the Node run failed; the message says which and what to do."""


def find_engine() -> Engine:
    """The Node and MathJax to use, or MathJaxUnavailable saying what is missing."""
    node = os.environ.get("EXPORTER_NODE") or shutil.which("node")
    if not node or not Path(node).is_file():
        raise MathJaxUnavailable("Node.js was not found (install it, or set EXPORTER_NODE to its path)")
    modules = _modules()
    version = _version(modules)
    if version is None:
        raise MathJaxUnavailable(f"MathJax was not found in {modules} (run scripts/setup.sh in the repository, "
                                 f"or set EXPORTER_TOOLS to a folder where `npm install {PACKAGE}` was run)")
    return Engine(node, modules, version)


def _modules() -> Path:
    return tools.node_modules()


def _version(modules: Path) -> str | None:
    """mathjax-full's version from its package.json (read, never run: a warm build needs no Node)."""
    try:
        return str(json.loads((modules / PACKAGE / "package.json").read_text(encoding="utf-8"))["version"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def typeset_formulas(formulas: Iterable[Formula], cache: BuildCache) -> dict[Formula, Typeset]:
    """Every formula typeset: those the cache holds from it, the rest by one Node run (then cached).
    Raises MathJaxUnavailable when some formula is not cached and MathJax cannot run."""
    wanted = list(dict.fromkeys(formulas))
    if not wanted:
        return {}
    # MathJax's version and this script are part of each key: an upgrade of either is a new key.
    tools = f"{_version(_modules()) or ''}:{_script_fingerprint()}"
    keys = {formula: cache.key("mathjax", tools, formula.tex, "display" if formula.display else "inline")
            for formula in wanted}
    found = {formula: cache.get(keys[formula]) for formula in wanted}
    missing = [formula for formula, result in found.items() if result is None]
    if missing:
        for formula, result in zip(missing, _run(find_engine(), missing)):
            cache.put(keys[formula], result)
            found[formula] = result
    return found


@functools.lru_cache(maxsize=1)
def _script_fingerprint() -> str:
    return hashlib.sha256(SCRIPT.read_bytes()).hexdigest()


def _run(engine: Engine, formulas: list[Formula]) -> list[Typeset]:
    """One Node process for all `formulas`; results in the same order."""
    request = json.dumps({"formulas": [{"tex": f.tex, "display": f.display} for f in formulas]})
    env = {**os.environ, "NODE_PATH": str(engine.modules)}
    seconds = SECONDS_BASE + SECONDS_PER_FORMULA * len(formulas)
    try:
        done = subprocess.run([engine.node, str(SCRIPT)], input=request, capture_output=True, text=True,
                              encoding="utf-8", env=env, timeout=seconds, check=False)
    except subprocess.TimeoutExpired:
        raise MathJaxUnavailable(f"MathJax did not finish within {seconds:.0f} s") from None
    except OSError as exc:
        raise MathJaxUnavailable(f"Node.js could not be started ({exc.strerror})") from None
    try:
        answers = json.loads(done.stdout) if done.returncode == 0 else None
    except ValueError:
        answers = None
    if not isinstance(answers, list) or len(answers) != len(formulas):
        last = (done.stderr.strip().splitlines() or ["no output"])[-1][:200]
        raise MathJaxUnavailable(f"MathJax stopped with exit code {done.returncode} ({last})")
    return [_result(formula, answer) for formula, answer in zip(formulas, answers)]


def _result(formula: Formula, answer: dict) -> Typeset:
    if answer.get("error") or not answer.get("mathml") or not answer.get("svg"):
        return Typeset(error=str(answer.get("error") or "MathJax returned nothing"))
    svg = clean_svg(answer["svg"])
    if svg is None:
        return Typeset(error="MathJax's picture of it could not be read")
    return Typeset(mathml=_mathml(answer["mathml"], formula), svg=svg)


def _mathml(mathml: str, formula: Formula) -> str:
    """MathJax's MathML, compact, through the lesson allow-list, with the TeX as `alttext` (what screen
    readers and reading systems without MathML fall back to)."""
    compact = re.sub(r">\s*\n\s*<", "><", mathml.strip())
    root = lxml_html.fragment_fromstring(clean_html(compact))
    for element in root.iter():
        for name in [n for n in element.attrib if n in ("id", "class") or n in _PAINTED]:
            # \cssId and \class would reach the page's ids and styles; a colour is a colour, never url(...)
            if name not in _PAINTED or not _PAINT.match(element.get(name)):
                del element.attrib[name]
    spell_variants(root)
    root.set("alttext", formula.tex.strip())
    return lxml_html.tostring(root, encoding="unicode")


# --------------------------------------------------------------------------- SVG allow-list

SVG_NS = "http://www.w3.org/2000/svg"
_SVG_TAGS = {"svg", "g", "path", "rect", "line", "polyline", "polygon", "text", "title", "desc", "defs"}
_SVG_RENAMED = {"a": "g"}
"""`\\href` makes a link: the picture keeps what it draws, not where it leads."""
_SVG_ATTRIBUTES = {"width", "height", "viewBox", "d", "x", "y", "x1", "y1", "x2", "y2", "points", "rx", "ry",
                   "transform", "fill", "stroke", "stroke-width", "stroke-dasharray", "stroke-linecap",
                   "font-family", "font-size", "font-style", "font-weight", "role", "focusable", "aria-hidden",
                   "text-anchor", "opacity", "fill-opacity", "stroke-opacity"}
_PAINT = re.compile(r"^(#[0-9a-fA-F]{3,8}|[a-zA-Z]+|rgba?\([0-9.,% ]+\))$")
"""A colour (`\\color` sets one): never `url(...)`, which would reach for something outside the picture."""
_PAINTED = ("mathcolor", "mathbackground")


def clean_svg(svg: str) -> str | None:
    """MathJax's SVG reduced to what draws the formula (elements and attributes on an allow-list, plain
    colours only), as standalone XML; None if it does not parse."""
    try:
        root = etree.fromstring(svg.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return None
    if etree.QName(root).localname != "svg":
        return None
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            element.getparent().remove(element)
            continue
        name = etree.QName(element).localname
        name = _SVG_RENAMED.get(name, name)
        if name not in _SVG_TAGS:
            element.getparent().remove(element)
            continue
        element.tag = f"{{{SVG_NS}}}{name}"
        for attribute, value in list(element.attrib.items()):
            if attribute not in _SVG_ATTRIBUTES or (attribute in ("fill", "stroke") and not _PAINT.match(value)):
                del element.attrib[attribute]
    etree.cleanup_namespaces(root)
    return etree.tostring(root, encoding="unicode")


def picture_name(formula: Formula) -> str:
    """A file name for the formula's SVG, the same in every build: `math/<hash>.svg`."""
    digest = hashlib.sha256(f"{int(formula.display)}{formula.tex}".encode("utf-8", "surrogatepass")).hexdigest()
    return f"math/{digest[:20]}.svg"
