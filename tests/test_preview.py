"""`exporter preview`, run as an author runs it (a process on a free port): pages from memory, a reload event
and the new text soon after a save, a banner for a broken edit with the server still up, nothing served
from outside the build, the PDF on request, a clean stop on Ctrl-C."""
from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Iterator

import pytest

from exporter.scaffold import NewCourse, create_course

BROKEN = "---\ntitle: Broken\ntags: [a, b\n---\n\nBroken body\n"


class Preview:
    """A running `exporter preview` process and a way to talk to it."""

    def __init__(self, process: subprocess.Popen, url: str, stdout: list[str], stderr: list[str]) -> None:
        self.process, self.stdout, self.stderr = process, stdout, stderr
        self.host, self.port = re.match(r"http://([^:/]+):(\d+)/", url).groups()

    def get(self, path: str, host: str | None = None) -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection(self.host, int(self.port), timeout=120)
        connection.putrequest("GET", path, skip_host=True)  # the path as written: no client-side cleaning
        connection.putheader("Host", host or f"{self.host}:{self.port}")
        connection.endheaders()
        response = connection.getresponse()
        body = response.read()
        connection.close()
        return response.status, dict(response.getheaders()), body

    def page(self, path: str) -> str:
        status, _, body = self.get(path)
        assert status == 200, (path, status)
        return body.decode("utf-8")

    def events(self, generation: int) -> "EventStream":
        return EventStream(self.host, int(self.port), generation)


class EventStream:
    """The page's side of the server-sent events: reads `event:`/`data:` pairs as they come."""

    def __init__(self, host: str, port: int, generation: int) -> None:
        self.connection = http.client.HTTPConnection(host, port, timeout=10)
        self.connection.request("GET", f"/__preview/events?generation={generation}")
        self.response = self.connection.getresponse()
        assert self.response.status == 200
        assert self.response.getheader("Content-Type") == "text/event-stream"
        assert self.response.readline() == b"retry: 1000\n"

    def next_event(self) -> tuple[str, str]:
        name = ""
        while True:
            line = self.response.readline().decode().rstrip("\n")
            if line.startswith("event: "):
                name = line[len("event: "):]
            elif line.startswith("data: ") and name:
                return name, line[len("data: "):]

    def close(self) -> None:
        self.connection.close()


def _drain(stream, into: list[str], url_found: threading.Event | None = None) -> None:
    for line in stream:
        into.append(line.rstrip("\n"))
        if url_found is not None and "Serving " in line:
            url_found.set()


def start_preview(course: Path) -> Preview:
    process = subprocess.Popen([sys.executable, "-m", "exporter", "preview", str(course), "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ.copy())
    stdout: list[str] = []
    stderr: list[str] = []
    started = threading.Event()
    threading.Thread(target=_drain, args=(process.stdout, stdout, started), daemon=True).start()
    threading.Thread(target=_drain, args=(process.stderr, stderr), daemon=True).start()
    if not started.wait(120):
        process.kill()
        raise AssertionError(f"preview did not start: {stderr}")
    url = re.search(r"at (http://\S+) \(Ctrl-C", "\n".join(stdout)).group(1)
    return Preview(process, url, stdout, stderr)


@pytest.fixture
def course(tmp_path: Path) -> Path:
    return create_course(tmp_path / "course", NewCourse("Live Course", "en", "Ana"))[0].parent


@pytest.fixture
def preview(course: Path) -> Iterator[Preview]:
    """A preview of its own per test: tests run in any order, on any worker."""
    running = start_preview(course)
    yield running
    if running.process.poll() is None:
        running.process.kill()
        running.process.wait()


def generation_of(page: str) -> int:
    return int(re.search(r'<script src="/__preview/live\.js" data-generation="(\d+)"', page).group(1))


def save(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def next_event_after(preview: Preview, page: str, edit) -> tuple[str, str]:
    """Listen as the open `page` does, make `edit`, return the event that follows."""
    stream = preview.events(generation_of(page))
    try:
        edit()
        return stream.next_event()
    finally:
        stream.close()


def test_the_authors_loop(preview: Preview, course: Path) -> None:
    """Fetch a lesson, edit it: the reload event and the new text arrive soon; break it: a banner, the last
    good page, the server still up; mend it: the banner goes; Ctrl-C: a clean stop."""
    assert preview.host == "127.0.0.1"
    lesson = course / "01-welcome.md"
    good = lesson.read_text().replace("This is the first lesson", "This is the EDITED first lesson")
    page = preview.page("/l-01-welcome.html")
    assert "This is the first lesson" in page and "preview-banner" not in page

    name, data = next_event_after(preview, page, lambda: save(lesson, good))
    page = preview.page("/l-01-welcome.html")
    assert name == "reload" and '"failed": false' in data
    assert "This is the EDITED first lesson" in page
    assert any(line.startswith("changed: 01-welcome.md") for line in preview.stderr)

    name, data = next_event_after(preview, page, lambda: save(lesson, BROKEN))
    assert name == "reload" and '"failed": true' in data
    page = preview.page("/l-01-welcome.html")
    banner = re.search(r'<aside class="preview-banner preview-error" role="alert".*?</aside>', page, re.S).group(0)
    assert "the course has 1 error(s): this page shows the last good build" in banner
    assert f"{course}/01-welcome.md:" in banner and "[front_matter.invalid]" in banner
    assert "This is the EDITED first lesson" in page  # the last good build, still readable
    assert any("01-welcome.md:" in line and ": error: " in line for line in preview.stderr)  # and in the terminal
    assert preview.page("/").startswith("<!DOCTYPE html>") and preview.process.poll() is None

    assert next_event_after(preview, page, lambda: save(lesson, good))[0] == "reload"
    assert "preview-banner" not in preview.page("/l-01-welcome.html")

    stream = preview.events(10**6)  # an open tab: its stream must not keep the process alive
    try:
        preview.process.send_signal(signal.SIGINT)
        assert preview.process.wait(timeout=30) == 0
    finally:
        stream.close()
    time.sleep(0.2)  # the reader threads take the last lines
    assert preview.stdout[-1] == "Stopped."
    assert not any("Traceback" in line for line in preview.stderr)


def test_pages_come_with_the_theme_the_contents_and_a_strict_policy(preview: Preview) -> None:
    page = preview.page("/l-01-welcome.html")
    assert "<h1 id=\"l-01-welcome\">Welcome</h1>" in page and 'class="callout info"' in page
    assert '<nav class="contents" aria-label="Contents">' in page and 'aria-current="page">Welcome</a>' in page
    assert '<link rel="stylesheet" href="style.css">' in page and 'href="/__preview/pdf"' in page
    status, headers, css = preview.get("/style.css")
    assert status == 200 and headers["Content-Type"].startswith("text/css") and b".callout.info" in css
    status, headers, _ = preview.get("/")
    assert status == 200 and "script-src 'self'" in headers["Content-Security-Policy"]
    stream = preview.events(0)  # a page served before the latest build is told at once
    try:
        assert stream.next_event()[0] == "reload"
    finally:
        stream.close()


def test_nothing_outside_the_build_is_served_and_other_host_names_are_refused(preview: Preview) -> None:
    for path in ("/../course.yml", "/%2e%2e/course.yml", "/course.yml", "/01-welcome.md", "//etc/passwd",
                 "/assets/../../../etc/passwd", "/__preview/../course.yml", "/__preview/../../course.yml"):
        status, _, body = preview.get(path)
        assert status == 404 and b"title: Welcome" not in body and b"root:" not in body, path
    # A page on the web cannot point a name of its own at 127.0.0.1 and read the course (DNS rebinding).
    assert preview.get("/", host="attacker.example:80")[0] == 421
    assert preview.get("/", host=f"localhost:{preview.port}")[0] == 200


def test_the_pdf_downloads_from_the_page(preview: Preview) -> None:
    status, headers, body = preview.get("/__preview/pdf")
    assert status == 200 and headers["Content-Type"] == "application/pdf" and body.startswith(b"%PDF-")
    assert headers["Content-Disposition"] == 'attachment; filename="live-course.pdf"'
    assert preview.get("/__preview/pdf")[2] == body  # the same state: the same PDF, not built twice


def test_a_busy_port_is_a_clear_error(course: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "exporter", "preview", str(course), "--port", str(port)],
                                capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and f"port {port} on 127.0.0.1 is in use" in result.stderr
    assert "Traceback" not in result.stderr


# ----------------------------------------------------------------------------- in Chromium

@pytest.mark.slow
def test_the_open_page_reloads_where_it_was_and_the_banner_can_be_dismissed(preview: Preview, course: Path) -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    from exporter.lms import CHROMIUM, CHROMIUM_ARGS

    lesson = course / "01-welcome.md"
    good = lesson.read_text()
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 800, "height": 400})
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(f"http://{preview.host}:{preview.port}/l-01-welcome.html")
            page.evaluate("() => window.scrollTo(0, 600)")
            save(lesson, good.replace("## A video", "## A video, edited"))
            page.wait_for_selector("text=A video, edited", timeout=10000)
            page.wait_for_load_state("load")
            assert abs(page.evaluate("() => window.scrollY") - 600) <= 2

            save(lesson, BROKEN)
            page.wait_for_selector(".preview-banner.preview-error", timeout=10000)
            page.click(".preview-dismiss")
            assert page.is_hidden(".preview-banner")
            page.reload()  # the same diagnostics: it stays dismissed
            assert page.is_hidden(".preview-banner")
            assert errors == []
        finally:
            browser.close()
