"""Between render and shape: HackMD's diagram blocks drawn once per build, for every format.

`pre.diagram` blocks of the rendered lessons become `figure.diagram` holding an `<img>` of a sanitized SVG
file that joins the asset manifest, so the PDF, the EPUB, the SCORM/cmi5/xAPI pages and the HTML preview ship
the same picture as a file of their own (never a script drawing in the reader's browser, never a CDN). The
JavaScript libraries HackMD uses run in one headless Chromium page for the whole build (`browser.py`),
PlantUML in one Java process (`plantuml.py`); csvpreview becomes an HTML table (`table.py`). Each drawing is
cached by content hash (kind, source, options, library versions), so a warm build starts no browser.

A diagram a library rejects keeps its source (the PDF labels it) with a warning at its own line carrying the
library's message; when the renderers are not installed, every diagram keeps its source and one warning says
what to install.
"""
from __future__ import annotations

import hashlib
import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from html import escape

from lxml import html as lxml_html

from exporter.cache import BuildCache, cache_root
from exporter.diagnostics import Code, Reporter
from exporter.diagrams import browser, plantuml
from exporter.diagrams.table import CsvError, csv_table
from exporter.diagrams.picture import Picture, describe, name_of, picture_from_svg
from exporter.fragments import classes, fragment, inner_html, replace as replace_element, source_line, with_class
from exporter.i18n import Ui
from exporter.model import Asset, AssetManifest, Loss, SourcePos
from exporter.render import LessonHtml
from exporter.sanitize import clean_html

NOT_KINDS = {"diagram", "sourceCode", "numberSource", "numberLines", "wrap", "continue"}
"""Classes of a `pre.diagram` that are not its kind."""
UNDRAWN = {"fretboard": "no JavaScript library draws HackMD's fretboard notation (HackMD draws it with code of "
                        "its own that is not published as a package)"}
"""Kinds no renderer draws, and why: they keep their source with a warning."""


@dataclass(frozen=True, slots=True)
class Block:
    """One diagram as written: what the renderers need and where to point a warning."""

    kind: str
    source: str
    options: tuple[tuple[str, str], ...]
    """HackMD's fence options, e.g. (('header', 'true'),) for ```csvpreview {header="true"}."""
    line: int


@dataclass(frozen=True, slots=True)
class Failure:
    """A library refused the diagram; `message` is its own words."""

    message: str


def draw_diagrams(lessons: tuple[LessonHtml, ...], manifest: AssetManifest, reporter: Reporter,
                  cache: BuildCache) -> tuple[tuple[LessonHtml, ...], AssetManifest]:
    """Every lesson with its diagrams drawn, and a loss for each diagram left as source (for the loss report);
    the manifest with the diagrams' SVG files."""
    parsed = {i: fragment(item.html) for i, item in enumerate(lessons) if "diagram" in item.html}
    found = {i: [(pre, _block(pre)) for pre in with_class(tree, "pre", "diagram")] for i, tree in parsed.items()}
    found = {i: pairs for i, pairs in found.items() if pairs}
    trees = {i: parsed[i] for i in found}  # a lesson that only mentions the word keeps its HTML as it was
    blocks = [block for pairs in found.values() for _, block in pairs]
    if not blocks:
        return lessons, manifest
    outcomes, unavailable = _outcomes(blocks, cache)
    assets: dict[str, Asset] = {}
    losses: dict[int, list[Loss]] = {}
    for index, pairs in found.items():
        for pre, block in pairs:
            outcome = outcomes.get(block)
            loss = _place(pre, block, outcome, lessons[index], assets, reporter)
            if loss is not None:
                losses.setdefault(index, []).append(loss)
    if unavailable:
        _say_unavailable(unavailable, lessons, found, reporter)
    new_lessons = list(lessons)
    for index, tree in trees.items():  # the losses join rendering's in the loss report (pipeline: with_losses)
        item = lessons[index]
        new_lessons[index] = replace(item, html=inner_html(tree), losses=item.losses + tuple(losses.get(index, ())))
    manifest = replace(manifest, assets=tuple(sorted({**{a.key: a for a in manifest.assets}, **assets}.values(),
                                                     key=lambda a: a.key)))
    return tuple(new_lessons), manifest


# ---------------------------------------------------------------------------- drawing, cached


def _outcomes(blocks: list[Block], cache: BuildCache) -> tuple[dict[Block, object], dict[str, str]]:
    """Block -> Picture, Failure or csv table HTML (str); and, per renderer that could not run, why. Blocks
    with the same kind, source and options are drawn once."""
    keys = {block: cache.key("diagram", block.kind, block.source, json.dumps(block.options), _versions(block.kind))
            for block in blocks}
    drawn: dict[str, object] = {}
    for block, key in keys.items():
        if block.kind == "csvpreview":
            drawn[key] = _table(block)
        elif block.kind not in UNDRAWN and key not in drawn and (hit := cache.get(key)) is not None:
            drawn[key] = hit
    missing = {key: block for block, key in keys.items() if key not in drawn and block.kind not in UNDRAWN}
    unavailable: dict[str, str] = {}
    # PlantUML's Java and the browser start at the same time: each spends seconds starting up.
    with ThreadPoolExecutor(max_workers=1) as java:
        plantuml_run = java.submit(_run, _draw_plantuml, _batch(missing, "plantuml"))
        runs = {"browser": _run(_draw_in_browser, _batch(missing, "browser")), "plantuml": plantuml_run.result()}
    for engine, (results, reason) in runs.items():
        if reason:
            unavailable[engine] = reason
        for key, outcome in results:
            drawn[key] = outcome
            cache.put(key, outcome)
    return {block: drawn[key] for block, key in keys.items() if key in drawn}, unavailable


def _batch(missing: dict[str, Block], engine: str) -> list[tuple[str, Block]]:
    """The blocks one renderer draws, in a fixed order (key order), so a cold build draws the same bytes."""
    return sorted(((k, b) for k, b in missing.items() if _engine(b.kind) == engine), key=lambda kb: kb[0])


def _run(draw, batch: list[tuple[str, Block]]) -> tuple[list[tuple[str, object]], str | None]:
    """(key, outcome) of each block of `batch`, or no outcome and why the renderer could not run."""
    if not batch:
        return [], None
    try:
        return list(zip([key for key, _ in batch], draw([block for _, block in batch]))), None
    except (browser.BrowserUnavailable, plantuml.PlantUmlUnavailable) as exc:
        return [], str(exc)


def _table(block: Block) -> str | Failure:
    try:
        return csv_table(block.source, dict(block.options))
    except CsvError as exc:
        return Failure(str(exc))


def _engine(kind: str) -> str:
    return "plantuml" if kind == "plantuml" else "browser"


def _versions(kind: str) -> str:
    if kind == "plantuml":
        return plantuml.version_stamp()
    if kind in browser.LIBRARIES:
        return browser.library_versions(kind)
    return ""


def _draw_in_browser(batch: list[Block]) -> list[object]:
    jobs = [(b.kind, b.source, _ident(b)) for b in batch]
    return [_outcome(b, d.svg, d.error) for b, d in zip(batch, browser.draw_in_browser(jobs))]


def _draw_plantuml(batch: list[Block]) -> list[object]:
    return [_outcome(b, svg, error) for b, (svg, error) in zip(batch, plantuml.draw([b.source for b in batch]))]


def _outcome(block: Block, svg: str | None, error: str | None) -> object:
    if svg is None:
        return Failure(error or "the library drew nothing")
    try:
        return picture_from_svg(svg, describe(block.kind, block.source))
    except ValueError as exc:
        return Failure(str(exc))


def _ident(block: Block) -> str:
    return hashlib.sha256(f"{block.kind}\n{block.source}".encode()).hexdigest()[:12]


# ---------------------------------------------------------------------------- the lesson's HTML


def _block(pre) -> Block:
    kind = next((c for c in classes(pre) if c not in NOT_KINDS), "diagram")
    holder = pre.getparent() if pre.getparent() is not None and "sourceCode" in classes(pre.getparent()) else pre
    options = tuple(sorted((name[len("data-"):], value) for element in (holder, pre)
                           for name, value in element.attrib.items()
                           if name.startswith("data-") and name not in ("data-line", "data-start-from")))
    return Block(kind, pre.text_content(), options, source_line(pre) or 1)


def _place(pre, block: Block, outcome: object, item: LessonHtml, assets: dict[str, Asset],
           reporter: Reporter) -> Loss | None:
    """Put the drawing where the block was; return the loss when the block keeps its source."""
    lesson = item.lesson
    target = pre.getparent() if "sourceCode" in classes(pre.getparent()) else pre
    pos = SourcePos(lesson.source, block.line)
    if isinstance(outcome, Picture):
        asset = _asset(outcome)
        assets[asset.key] = asset
        replace_element(target, outcome.figure(asset.key, block.kind, block.line))
        return None
    if isinstance(outcome, str):  # csvpreview: a table of the lesson's own text, through the sanitizer
        replace_element(target, clean_html(outcome))
        return None
    target.addprevious(_label(block.kind, item.ui))
    if isinstance(outcome, Failure):
        reporter.warning(Code.HACKMD_DIAGRAM, f"{block.kind} diagram could not be drawn: {outcome.message} (its "
                         "source is shown instead)", pos)
        return Loss(block.line, f"{block.kind} diagram shown as its source code (it could not be drawn)")
    if block.kind in UNDRAWN:
        reporter.warning(Code.HACKMD_DIAGRAM, f"{block.kind} diagram is shown as its source text: "
                         f"{UNDRAWN[block.kind]}; export it as an image and insert that instead", pos)
    return Loss(block.line, f"{block.kind} diagram shown as its source code")


def _label(kind: str, ui: Ui):
    """The visible label over a source left undrawn, in every format (a reader never sees the warning)."""
    text = ui.gettext("%(kind)s: source shown, not drawn", kind=name_of(kind))
    return lxml_html.fragment_fromstring(f'<p class="diagram-label">{escape(text)}</p>')


def _asset(picture: Picture) -> Asset:
    """The SVG as a content-addressed file beside the image cache (the manifest's assets are files)."""
    digest = hashlib.sha256(picture.svg).hexdigest()
    path = cache_root() / "diagrams" / f"{digest}.svg"
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{digest[:8]}.tmp")
        temporary.write_bytes(picture.svg)
        temporary.replace(path)
    return Asset(f"assets/diagram-{digest[:24]}.svg", path, "image/svg+xml", "generated",
                 picture.width, picture.height)


def _say_unavailable(unavailable: dict[str, str], lessons, found, reporter: Reporter) -> None:
    """One warning for all the diagrams a missing renderer left as source, at the first of them."""
    left = [(lessons[i].lesson.source, block) for i, pairs in found.items() for _, block in pairs
            if _engine(block.kind) in unavailable and block.kind not in UNDRAWN and block.kind != "csvpreview"]
    if not left:
        return
    source, first = left[0]
    kinds = ", ".join(sorted({block.kind for _, block in left}))
    reasons = "; ".join(unavailable.values())
    reporter.warning(Code.DIAGRAM_NO_RENDERER, f"{len(left)} diagram(s) ({kinds}) are shown as their source text: "
                     f"{reasons}. See docs/diagrams.md", SourcePos(source, first.line))
