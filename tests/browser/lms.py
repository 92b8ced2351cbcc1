"""A tiny LMS for the real-browser SCORM test: the package and scorm-again served on 127.0.0.1."""
from __future__ import annotations

import functools
import http.server
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

HERE = Path(__file__).resolve().parent
SCORM_AGAIN = HERE.parents[1] / "tools" / "node_modules" / "scorm-again" / "dist" / "scorm-again.js"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]


class _Handler(http.server.SimpleHTTPRequestHandler):
    """/lms/ -> this folder (+ scorm-again.js), /pkg/ -> the unzipped package; nothing else."""

    package: Path = Path(".")

    def translate_path(self, path: str) -> str:
        path = path.split("?", 1)[0].split("#", 1)[0]
        if path == "/lms/scorm-again.js":
            return str(SCORM_AGAIN)
        if path.startswith("/lms/"):
            return str(HERE / path[len("/lms/"):])
        if path.startswith("/pkg/"):
            return str(self.package / path[len("/pkg/"):])
        return str(HERE / "missing")

    def log_message(self, *args) -> None:  # keep test output quiet
        pass


@contextmanager
def serve(package: Path) -> Iterator[str]:
    """Serve `package` under http://127.0.0.1:PORT/pkg/ with the LMS frame at /lms/lms.html."""
    handler = type("Handler", (_Handler,), {"package": package})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(HERE)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def launch(context, base: str, version: str, launch_page: str, initial: dict | None = None):
    """Open the LMS frame with one SCO; returns (page, sco frame) once the SCO has initialized."""
    page = context.new_page()
    page.add_init_script(f"window.__LMS = {{version: {version!r}, launch: '/pkg/{launch_page}', "
                         f"initial: {_json(initial or {})}}};")
    page.goto(f"{base}/lms/lms.html", wait_until="load")
    page.wait_for_function("() => window.__LMS_CALLS.some(c => /Initialize$/.test(c.fn))", timeout=10000)
    sco = next(f for f in page.frames if f.url.startswith(f"{base}/pkg/"))
    sco.wait_for_function("() => window.exporterScorm !== undefined", timeout=10000)
    return page, sco


def read_to_end(sco) -> None:
    """A learner scrolling to the bottom of what is on screen (in steps, as a wheel would)."""
    sco.evaluate("""async () => {
        const step = Math.max(200, window.innerHeight * 0.8);
        for (let y = 0; y < document.documentElement.scrollHeight; y += step) {
            window.scrollTo(0, y); await new Promise(r => requestAnimationFrame(r));
        }
        window.scrollTo(0, document.documentElement.scrollHeight);
        await new Promise(r => setTimeout(r, 50));
    }""")


def leave(page) -> None:
    """What an LMS does when the learner leaves: the SCO frame navigates away (pagehide fires, no unload needed)."""
    page.evaluate("() => { document.getElementById('sco').src = 'about:blank'; }")
    page.wait_for_function("() => document.getElementById('sco').contentWindow.location.href === 'about:blank'")
    page.wait_for_timeout(100)


def _json(value) -> str:
    import json
    return json.dumps(value)
