"""The preview's HTTP server: the standard library's ThreadingHTTPServer (a thread per connection, so an open
event stream never blocks a page), serving only what the Site holds in memory and the preview's own two
static files. No path maps to the disk, so nothing outside the course and its build can be reached."""
from __future__ import annotations

import hashlib
import html
import http.server
import ipaddress
import json
import mimetypes
import re
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from exporter.diagnostics import Severity
from exporter.preview.site import Site, Snapshot
from exporter.theme import Theme

PREFIX = "/__preview/"
"""The preview's own addresses; no lesson slug or asset key can start with it."""
STATIC = {"live.js": "text/javascript; charset=utf-8", "preview.css": "text/css; charset=utf-8"}
KEEPALIVE_S = 15.0
"""An idle event stream sends a comment this often: a closed tab is noticed and its thread ends."""
PDF_WAIT_S = 900.0
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
       "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
"""Pages run no script but the preview's own, load nothing from elsewhere, and cannot be framed."""
BANNER_LINES = 30
LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1"}


class PreviewServer(http.server.ThreadingHTTPServer):
    daemon_threads = True  # an open event stream must not keep Ctrl-C waiting

    def __init__(self, address: tuple[str, int], site: Site, theme: Theme, source: str) -> None:
        self.site, self.theme, self.source = site, theme, source
        super().__init__(address, PreviewHandler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        shown = f"[{host}]" if ":" in str(host) else host
        return f"http://{shown}:{port}/"


class PreviewHandler(http.server.BaseHTTPRequestHandler):
    server: PreviewServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._respond(head=False)

    def do_HEAD(self) -> None:  # noqa: N802
        self._respond(head=True)

    def _respond(self, head: bool) -> None:
        if not self._host_allowed():
            return self._send(421, b"this preview answers to 127.0.0.1 and localhost only", "text/plain", head)
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        if path == PREFIX + "events" and not head:
            return self._events(parse_qs(parts.query))
        if path == PREFIX + "pdf":
            return self._pdf(head)
        if path.startswith(PREFIX) and path[len(PREFIX):] in STATIC:
            name = path[len(PREFIX):]
            return self._send(200, self.server.theme.static(f"preview/{name}").read_bytes(), STATIC[name], head)
        snapshot = self.server.site.snapshot
        name = path.lstrip("/") or "index.html"
        data = snapshot.pages.get(name)
        if data is None:
            return self._send(404, self._page(snapshot, _not_found(name, bool(snapshot.pages))), "text/html", head)
        media = mimetypes.guess_type(name)[0] or "application/octet-stream"
        if media == "text/html":
            data = self._page(snapshot, data.decode("utf-8"))
        return self._send(200, data, media, head)

    def _host_allowed(self) -> bool:
        """Bound to loopback, answer only to loopback names: a web page elsewhere cannot point a name of
        its own at 127.0.0.1 (DNS rebinding) and read the course through the reader's browser."""
        bound = self.server.server_address[0]
        if not is_loopback(bound):
            return True
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0].strip("[]").lower()
        return host in LOOPBACK_NAMES or is_loopback(host)

    def _page(self, snapshot: Snapshot, page: str) -> bytes:
        """A page with the preview's chrome: its stylesheet, the diagnostics banner, the PDF link and the
        script that reloads it."""
        chrome = self.server.theme.render("preview/chrome.html", banner=_banner(snapshot, self.server.source),
                                          generation=snapshot.generation)
        page = page.replace("</head>", f'<link rel="stylesheet" href="{PREFIX}preview.css">\n</head>', 1)
        page = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + "\n" + chrome, page, count=1)
        return page.encode("utf-8")

    def _events(self, query: dict[str, list[str]]) -> None:
        """Server-sent events: `reload` each time the site has a generation past the page's."""
        try:
            seen = int((query.get("generation") or ["0"])[0])
        except ValueError:
            seen = 0
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        try:
            self.wfile.write(b"retry: 1000\n\n")
            self.wfile.flush()
            while not self.server.site.closed:
                changed = self.server.site.wait_for(seen, KEEPALIVE_S)
                if changed is None:
                    self.wfile.write(b": idle\n\n")
                else:
                    seen = changed.generation
                    data = json.dumps({"generation": seen, "errors": changed.count(Severity.ERROR),
                                       "warnings": changed.count(Severity.WARNING), "failed": bool(changed.failure)})
                    self.wfile.write(f"event: reload\ndata: {data}\n\n".encode())
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            return  # the tab went away

    def _pdf(self, head: bool) -> None:
        """The current PDF as a download, built now if the course changed since the last one."""
        job = self.server.site.pdf.request(self.server.site.snapshot.generation)
        if not job.done.wait(PDF_WAIT_S):
            return self._send(503, b"the PDF is still being built; try again in a moment", "text/plain", head)
        if job.result is None:
            return self._send(500, (job.error or "the PDF was not built").encode(), "text/plain", head)
        name, data = job.result
        extra = {"Content-Disposition": f'attachment; filename="{name}"'}
        return self._send(200, data, "application/pdf", head, extra)

    def _send(self, status: int, body: bytes, media: str, head: bool, extra: dict[str, str] | None = None) -> None:
        if media.startswith("text/") and "charset" not in media:
            media += "; charset=utf-8"
        self.send_response(status)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        if media.startswith("text/html"):
            self.send_header("Content-Security-Policy", CSP)
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the terminal is for diagnostics
        pass


def _banner(snapshot: Snapshot, source: str) -> dict | None:
    """What the banner says: the failure and every warning and error of the last build, or None."""
    shown = [d for d in snapshot.diagnostics if d.severity >= Severity.WARNING]
    if not shown and not snapshot.failure:
        return None
    errors, warnings = snapshot.count(Severity.ERROR), snapshot.count(Severity.WARNING)
    lines = [d.format(source) for d in shown]
    return {"kind": "error" if snapshot.failure or errors else "warning",
            "title": snapshot.failure or f"{_counted(errors, 'error', warnings, 'warning')} in the last build",
            "lines": lines[:BANNER_LINES], "more": max(0, len(lines) - BANNER_LINES),
            "key": hashlib.sha256(f"{snapshot.failure}|{'|'.join(lines)}".encode()).hexdigest()[:16]}


def _counted(*pairs: int | str) -> str:
    """'1 warning', '2 errors, 1 warning': the counts that are not zero."""
    said = [f"{n} {word}{'' if n == 1 else 's'}" for n, word in zip(pairs[::2], pairs[1::2]) if n]
    return ", ".join(said)


def _not_found(name: str, built: bool) -> str:
    what = "no such page in this course" if built else "the course has not built yet: see the message above"
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Not found</title></head><body>'
            f'<main class="preview-missing"><h1>{html.escape(name)}</h1><p>{what}.</p>'
            f'<p><a href="/">The course\'s contents</a></p></main></body></html>')


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
