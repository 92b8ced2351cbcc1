"""A tiny LMS on 127.0.0.1: the LMS frame page with scorm-again (the LMS side of the SCORM API) and one
unzipped package. `exporter validate --runtime` and the real-browser tests share it.

scorm-again (npm, MIT) is package data: scripts/setup.sh copies its built file here from tools/, as it
copies the SCORM XSDs, so an installed exporter has it."""
from __future__ import annotations

import functools
import http.server
import json
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from exporter.errors import ExporterError
from exporter.tools import CHROMIUM, CHROMIUM_ARGS  # noqa: F401  (validate --runtime and the tests read them here)

HERE = Path(__file__).resolve().parent
SCORM_AGAIN = HERE / "scorm-again.min.js"


class _Handler(http.server.SimpleHTTPRequestHandler):
    """/lms/ -> the frame page and scorm-again, /pkg/ -> the unzipped package; nothing else."""

    package: Path = Path(".")

    def translate_path(self, path: str) -> str:
        path = path.split("?", 1)[0].split("#", 1)[0]
        if path == "/lms/lms.html":
            return str(HERE / "lms.html")
        if path == "/lms/scorm-again.min.js":
            return str(SCORM_AGAIN)
        if path.startswith("/pkg/"):
            # SimpleHTTPRequestHandler drops '..' and absolute parts: nothing above the package is reachable.
            return super().translate_path(path[len("/pkg"):])
        return str(HERE / "missing")

    def log_message(self, *args: Any) -> None:  # a test or a validation run prints its own findings
        pass


@contextmanager
def serve(package: Path) -> Iterator[str]:
    """Serve `package` under http://127.0.0.1:PORT/pkg/ with the LMS frame at /lms/lms.html."""
    if not SCORM_AGAIN.is_file():
        raise ExporterError(f"scorm-again is missing from {HERE}: run `bash scripts/setup.sh` in exporter's "
                            "repository, then install it again")
    handler = functools.partial(type("Handler", (_Handler,), {"package": package}), directory=str(package))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def launch(context: Any, base: str, version: str, launch_page: str, initial: dict | None = None,
           timeout_ms: int = 10000) -> tuple[Any, Any]:
    """Open the LMS frame with one SCO; returns (page, sco frame) once the SCO has initialized."""
    page = context.new_page()
    page.add_init_script(f"window.__LMS = {{version: {version!r}, launch: {json.dumps('/pkg/' + launch_page)}, "
                         f"initial: {json.dumps(initial or {})}}};")
    page.goto(f"{base}/lms/lms.html", wait_until="load")
    page.wait_for_function("() => window.__LMS_CALLS.some(c => /Initialize$/.test(c.fn))", timeout=timeout_ms)
    sco = next(f for f in page.frames if f.url.startswith(f"{base}/pkg/"))
    return page, sco


def read_to_end(sco: Any) -> None:
    """A learner scrolling to the bottom of what is on screen (in steps, as a wheel would)."""
    sco.evaluate("""async () => {
        const step = Math.max(200, window.innerHeight * 0.8);
        for (let y = 0; y < document.documentElement.scrollHeight; y += step) {
            window.scrollTo(0, y); await new Promise(r => requestAnimationFrame(r));
        }
        window.scrollTo(0, document.documentElement.scrollHeight);
        await new Promise(r => setTimeout(r, 50));
    }""")


def leave(page: Any) -> None:
    """What an LMS does when the learner leaves: the SCO frame navigates away (pagehide fires, no unload needed)."""
    page.evaluate("() => { document.getElementById('sco').src = 'about:blank'; }")
    page.wait_for_function("() => document.getElementById('sco').contentWindow.location.href === 'about:blank'")
    page.wait_for_timeout(100)
