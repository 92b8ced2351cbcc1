"""HackMD's JavaScript diagram libraries (npm, in tools/node_modules), run in ONE headless Chromium page per build.

The page is served by playwright's request routing from an origin that does not exist: exporter's own page
script and the libraries' files are answered from disk, every other request is refused before it leaves the
browser (a spec that names a data URL fails with the library's message instead of fetching it). Chromium is
Debian's (`/usr/bin/chromium`, as for `validate --runtime`); playwright never downloads a browser.
"""
from __future__ import annotations

import datetime
import json
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from exporter import tools
from exporter._files import build_date_iso, build_datetime
from exporter.tools import CHROMIUM, CHROMIUM_ARGS

HERE = Path(__file__).resolve().parent
PAGE_SCRIPT = HERE / "page.js"
ORIGIN = "http://diagrams.exporter.invalid"
"""A folder holding `node_modules/` with the diagram libraries (for an exporter installed outside its repository)."""
LIBRARIES = {
    "mermaid": ("mermaid",), "graphviz": ("@viz-js/viz",), "dot": ("@viz-js/viz",),
    "sequence": ("@hackmd/js-sequence-diagrams", "raphael"), "flow": ("flowchart.js", "raphael"),
    "abc": ("abcjs",), "vega": ("vega", "vega-lite"), "vega-lite": ("vega", "vega-lite"),
    "markmap": ("markmap-lib", "markmap-view", "d3"),
}
"""Each kind the page draws -> the npm packages it loads (their versions are part of a diagram's cache key)."""
JOB_TIMEOUT_MS = 20000
"""A diagram a library has not drawn by then fails with a timeout (a huge or pathological graph)."""


class BrowserUnavailable(Exception):
    """The page cannot run here (no playwright, no Chromium, no libraries); the message says what to install."""


@dataclass(frozen=True, slots=True)
class Drawing:
    """What the page returned for one diagram: SVG text, or the library's error message."""

    svg: str | None = None
    error: str | None = None


def node_modules() -> Path | None:
    """`$EXPORTER_TOOLS/node_modules`, else the repository's `tools/node_modules` (a source checkout after
    `make setup`); None when neither holds the libraries."""
    modules = tools.node_modules()
    return modules if (modules / "mermaid" / "package.json").is_file() else None


def library_versions(kind: str) -> str:
    """'mermaid@12.3.0 ... clock:<date> page:<script>' for the packages `kind` uses, the date the page's clock
    is set to (the build's) and the page script's text (the page is not Python, so the cache's code
    fingerprint does not cover it): part of a diagram's cache key."""
    modules = node_modules()
    names = LIBRARIES.get(kind, ())
    versions = [f"{name}@{_version(modules, name)}" for name in names]
    return " ".join(versions) + f" clock:{build_date_iso()} page:" + PAGE_SCRIPT.read_text(encoding="utf-8")


def draw_in_browser(jobs: list[tuple[str, str, str]]) -> list[Drawing]:
    """[(kind, source, id)] -> one Drawing each, in order, from one browser page. Raises BrowserUnavailable."""
    modules = node_modules()
    if modules is None:
        raise BrowserUnavailable(f"the diagram libraries are not installed (run `make setup` in exporter's "
                                 f"repository, or set {tools.TOOLS_ENV} to a folder holding their node_modules)")
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        raise BrowserUnavailable("playwright is not installed (pip install 'exporter[browser]')") from exc
    if not Path(CHROMIUM).is_file():
        raise BrowserUnavailable(f"Chromium is not at {CHROMIUM} (Debian: apt-get install chromium)")
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page()
                # the page's clock stands at the build's date: a mermaid Gantt chart draws "today" (and dates
                # a task by it when it names none), which would make two builds of the same course differ
                page.clock.set_fixed_time(datetime.datetime(*build_datetime(), tzinfo=datetime.timezone.utc))
                page.route("**/*", lambda route: _answer(route, modules))
                page.goto(f"{ORIGIN}/page.html")
                results = page.evaluate("([jobs, limit]) => drawAll(jobs, limit)",
                                        [[{"kind": k, "source": s, "id": i} for k, s, i in jobs], JOB_TIMEOUT_MS])
            finally:
                browser.close()
    except PlaywrightError as exc:
        raise BrowserUnavailable(f"Chromium failed: {str(exc).splitlines()[0]}") from exc
    return [Drawing(svg=r.get("svg"), error=r.get("error")) for r in results]


ES_MODULES = "@hackmd/js-sequence-diagrams/dist"
"""The one library loaded as ES modules, written for a bundler: see `_import_map`."""


def _page(modules: Path) -> str:
    return ('<!DOCTYPE html><html><head><meta charset="utf-8"><style>body{font-family:sans-serif}</style>'
            f'<script type="importmap">{json.dumps(_import_map(modules))}</script>'
            '<script src="/page.js"></script></head><body></body></html>')


def _import_map(modules: Path) -> dict:
    """js-sequence-diagrams' modules import '@babel/polyfill' (a current browser needs none: an empty module)
    and folders by name (`./parser/model`, meaning its index.js), which only a bundler resolves: each such
    folder is mapped to its index.js, so the imports inside it still resolve from the folder."""
    root = modules / ES_MODULES
    folders = {f"/node_modules/{index.parent.relative_to(modules).as_posix()}": 
               f"/node_modules/{index.relative_to(modules).as_posix()}" for index in sorted(root.rglob("index.js"))}
    return {"imports": {"@babel/polyfill": "/empty.js", **folders}}


def _answer(route, modules: Path) -> None:
    """Serve the page, its script and files under /node_modules/; refuse everything else."""
    url = route.request.url
    if not url.startswith(ORIGIN + "/"):
        route.abort("blockedbyclient")
        return
    path = url[len(ORIGIN):].split("?", 1)[0].split("#", 1)[0]
    if path == "/page.html":
        route.fulfill(status=200, content_type="text/html", body=_page(modules))
    elif path == "/empty.js":
        route.fulfill(status=200, content_type="text/javascript", body="")
    elif path == "/page.js":
        route.fulfill(status=200, content_type="text/javascript", body=PAGE_SCRIPT.read_bytes())
    elif path.startswith("/node_modules/") and (found := _module_file(modules, path[len("/node_modules/"):])):
        body = found.read_bytes()
        if found == (modules / ES_MODULES / "parser" / "grammar.js").resolve():
            body = _commonjs_as_module(body, ("parser", "Parser", "parse"))
        route.fulfill(status=200, content_type=_media_type(found), body=body)
    else:
        route.fulfill(status=404, content_type="text/plain", body="not found")


def _commonjs_as_module(body: bytes, names: tuple[str, ...]) -> bytes:
    """js-sequence-diagrams' parser is jison's CommonJS output, imported by its ES modules as if it were one
    (a bundler papers over that): run it with an `exports` object and export what it put there."""
    head = b"const exports = {}, module = {exports}, require = () => ({});\n"
    tail = "".join(f"\nexport const {name} = exports.{name};" for name in names).encode()
    return head + body + tail


def _module_file(modules: Path, relative: str) -> Path | None:
    """A file inside node_modules (ES module imports may leave out `.js`), never outside it."""
    for candidate in (relative, relative + ".js"):
        path = (modules / candidate).resolve()
        if path.is_file() and path.is_relative_to(modules.resolve()):
            return path
    return None


def _media_type(path: Path) -> str:
    if path.suffix in (".js", ".mjs", ".cjs"):
        return "text/javascript"
    return mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def _version(modules: Path | None, name: str) -> str:
    if modules is None:
        return "absent"
    try:
        return json.loads((modules / name / "package.json").read_text(encoding="utf-8")).get("version", "?")
    except (OSError, ValueError):
        return "absent"
