"""Assets stage: local paths that stay inside the course, remote images through a real local HTTP server,
the cache and lockfile, placeholders, SVG sanitizing, size and format handling.

This machine has no internet: a `http.server` on 127.0.0.1 stands in for image hosts, reached through the
test-only `EXPORTER_TEST_URL_MAP` rewrite (the lockfile and manifest still record the author's URLs).
"""
from __future__ import annotations

import hashlib
import http.server
import io
import json
import os
import re
import shutil
import socket
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from conftest import ACCEPTANCE, CONTENT, needs_shared
from exporter.assets import for_profile, resolve_assets
from exporter.assets.remote import LOCKFILE, Cache, FetchError, Fetcher, FetchLimits
from exporter.cli import app
from exporter.diagnostics import Code, Reporter, Severity
from exporter import ast
from exporter.pipeline import read_course

SEED_IMAGES = {("000_ad9a500695f88cf7.txt", 1, "https://i.imgur.com/zWt1Cvi.png"),
               ("000_ad9a500695f88cf7.txt", 1, "https://i.imgur.com/ywcGmxY.png"),
               ("001_abc0218c7ad68644.txt", 23, "https://i.imgur.com/jHirVWa.png"),
               ("001_abc0218c7ad68644.txt", 44, "https://i.imgur.com/zWt1Cvi.png"),
               ("001_abc0218c7ad68644.txt", 45, "https://i.imgur.com/ywcGmxY.png")}


# ---------------------------------------------------------------- helpers

def png(width: int = 40, height: int = 30, colour=(200, 40, 40), fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, fmt)
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch) -> Path:
    """Every test gets an empty cache of its own, and no URL rewrites unless it asks for them."""
    root = tmp_path / "cache"
    monkeypatch.setenv("EXPORTER_CACHE", str(root))
    monkeypatch.delenv("EXPORTER_TEST_URL_MAP", raising=False)
    monkeypatch.delenv("EXPORTER_FETCH_TIMEOUT", raising=False)
    return root


def make_course(root: Path, lessons: dict[str, str], files: dict[str, bytes] | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "course.yml").write_text("title: Test course\nslug: test-course\nlanguage: en\n")
    for name, text in lessons.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    for name, data in (files or {}).items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return root


def resolve(root: Path, offline: bool = False):
    reporter = Reporter()
    course = read_course(root, reporter)
    course, manifest = resolve_assets(course, root, reporter, offline=offline)
    return course, manifest, reporter


def images_of(course) -> list[dict]:
    return [n for lesson in course.lessons for n in ast.iter_nodes(list(lesson.body)) if n["t"] == "Image"]


def placeholders_of(course) -> list[dict]:
    return [n for lesson in course.lessons for n in ast.iter_nodes(list(lesson.body))
            if n["t"] == "Span" and "image-missing" in ast.classes(n)]


def build_html(source: Path, out: Path, *extra: str):
    result = CliRunner().invoke(app, ["build", str(source), "--out", str(out), "--format", "html", *extra])
    return result


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: dict[str, tuple[int, bytes, str]] = {}
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.hits.append(self.path)
        status, body, media = self.routes.get(self.path, (404, b"not found", "text/plain"))
        self.send_response(status)
        self.send_header("Content-Type", media)
        if not media.endswith("no-length"):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@contextmanager
def image_server(routes: dict[str, tuple[int, bytes, str]]):
    """A real HTTP server on 127.0.0.1 in a thread; yields its base URL and the list of paths requested."""
    handler = type("Handler", (_Handler,), {"routes": routes, "hits": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler.hits
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@contextmanager
def silent_server():
    """Accepts TCP connections (kernel backlog) and never answers a byte."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        sock.close()


# ---------------------------------------------------------------- local paths and traversal

@pytest.fixture
def outside_secret(tmp_path) -> Path:
    """A file outside the course, as a FIFO: if anything ever opened it for reading, the test would hang."""
    fifo = tmp_path / "outside" / "secret.png"
    fifo.parent.mkdir()
    os.mkfifo(fifo)
    return fifo


@pytest.mark.parametrize("src", ["../../etc/passwd", "../outside/secret.png", "img/../../outside/secret.png",
                                 "/etc/passwd", "file:///etc/passwd", "link.png", "linkdir/secret.png",
                                 "C:\\Windows\\win.ini"])
def test_paths_leaving_the_content_root_are_errors_and_never_read(tmp_path, outside_secret, src):
    root = make_course(tmp_path / "course", {"40-x.md": f"# X\n\nText\n\n![secret]({src})\n"})
    (root / "link.png").symlink_to(outside_secret)
    (root / "linkdir").symlink_to(outside_secret.parent, target_is_directory=True)
    done: list = []
    worker = threading.Thread(target=lambda: done.append(resolve(root)), daemon=True)
    worker.start()
    worker.join(20)
    assert done, "resolving blocked: the FIFO outside the course was opened"
    course, manifest, reporter = done[0]
    errors = [d for d in reporter.diagnostics if d.severity == Severity.ERROR]
    assert [(d.code, d.pos.path, d.pos.line) for d in errors] == [(Code.ASSET_OUTSIDE_ROOT, "40-x.md", 5)]
    assert f"image '{src}' resolves outside the content folder" in errors[0].message
    assert manifest.assets == () and images_of(course) == []
    assert len(placeholders_of(course)) == 1


def test_traversal_stops_the_cli_build_with_a_message_naming_file_line_and_path(tmp_path):
    root = make_course(tmp_path / "course", {"40-x.md": "# X\n\n" + "para\n\n" * 3 + "![p](../../etc/passwd)\n"})
    result = build_html(root, tmp_path / "out")
    assert result.exit_code == 1
    assert (f"{root}/40-x.md:9: error: image '../../etc/passwd' resolves outside the content folder"
            in result.output)
    assert not (tmp_path / "out").exists() or "root:x:0:0" not in "".join(
        p.read_text(errors="replace") for p in (tmp_path / "out").rglob("*") if p.is_file())


def test_site_relative_path_that_names_nothing_is_a_missing_image_not_an_error(tmp_path):
    root = make_course(tmp_path / "course", {"a.md": "# A\n\n![smile](/images/emoticon/emoticon16.gif)\n"})
    course, manifest, reporter = resolve(root)
    assert [(d.code, d.severity, d.pos.line) for d in reporter.diagnostics] == [
        (Code.ASSET_MISSING, Severity.WARNING, 3)]
    assert len(placeholders_of(course)) == 1


def test_local_images_resolve_relative_to_the_lesson_folder(tmp_path):
    data = png()
    root = make_course(tmp_path / "course", {"week1/a.md": "# A\n\n![chart](img/c.png =200x)\n\n"
                                             "<img src='img/c.png' alt='again' onerror='x()'>\n"},
                       {"week1/img/c.png": data})
    course, manifest, reporter = resolve(root)
    assert [d.code for d in reporter.diagnostics] == [Code.HTML_REMOVED]  # onerror, reported by normalize
    key = f"assets/{hashlib.sha256(data).hexdigest()[:16]}.png"
    (image,) = images_of(course)
    assert image["c"][2][0] == key and ast.attribute(image, "width") == "200"
    asset = manifest.get(key)
    assert asset.path.read_bytes() == data and (asset.width, asset.height) == (40, 30)
    assert asset.origin == "week1/img/c.png" and asset.media_type == "image/png"
    raw = [n["c"][1] for n in ast.iter_nodes(list(course.lessons[0].body)) if n["t"] == "RawBlock"]
    assert raw == [f'<img src="{key}" alt="again">\n']


def test_missing_local_image_warns_with_line_and_keeps_alt_text(tmp_path):
    root = make_course(tmp_path / "course", {"a.md": "# A\n\nSee ![the *loop* diagram](img/none.png)\n"})
    course, _, reporter = resolve(root)
    (d,) = reporter.diagnostics
    assert (d.code, d.pos.path, d.pos.line) == (Code.ASSET_MISSING, "a.md", 3)
    assert "img/none.png" in d.message
    (span,) = placeholders_of(course)
    assert ast.plain_text(span) == "Image not available: the loop diagram (img/none.png)"


# ---------------------------------------------------------------- image content

def test_corrupt_image_becomes_a_placeholder_with_a_warning(tmp_path):
    root = make_course(tmp_path / "course", {"a.md": "# A\n\n![broken](b.png)\n"}, {"b.png": png()[:60]})
    course, manifest, reporter = resolve(root)
    assert [(d.code, d.pos.line) for d in reporter.diagnostics] == [(Code.ASSET_INVALID, 3)]
    assert "corrupt" in reporter.diagnostics[0].message and manifest.assets == ()
    assert len(placeholders_of(course)) == 1


def test_svg_is_sanitized(tmp_path):
    svg = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" '
           b'xmlns:xlink="http://www.w3.org/1999/xlink" width="120" height="80" onload="alert(1)">'
           b'<script>alert("x")</script><rect id="r" width="10" height="10" onclick="steal()" '
           b'style="fill:url(http://evil.test/x)"/><use xlink:href="#r"/><use xlink:href="http://evil.test/s.svg#a"/>'
           b'<image href="https://evil.test/track.png"/><foreignObject><p xmlns="http://www.w3.org/1999/xhtml">'
           b'hi</p></foreignObject><style>@import url(http://evil.test/a.css); rect{fill:red}</style>'
           b'<a href="javascript:alert(1)"><text>t</text></a></svg>')
    root = make_course(tmp_path / "course", {"a.md": "# A\n\n![logo](logo.svg)\n"}, {"logo.svg": svg})
    course, manifest, reporter = resolve(root)
    assert reporter.diagnostics == []
    (asset,) = manifest.assets
    clean = asset.path.read_text()
    assert asset.media_type == "image/svg+xml" and (asset.width, asset.height) == (120, 80)
    for bad in ("script", "alert", "onload", "onclick", "evil.test", "foreignObject", "javascript", "@import"):
        assert bad not in clean, bad
    assert '<rect id="r"' in clean and 'href="#r"' in clean and "<text>t</text>" in clean
    assert asset.key.endswith(".svg") and asset.key == f"assets/{hashlib.sha256(clean.encode()).hexdigest()[:16]}.svg"


def test_svg_with_entities_is_refused(tmp_path):
    svg = (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           b'<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>')
    root = make_course(tmp_path / "course", {"a.md": "# A\n\n![x](x.svg)\n"}, {"x.svg": svg})
    _, manifest, reporter = resolve(root)
    assert [d.code for d in reporter.diagnostics] == [Code.ASSET_INVALID] and manifest.assets == ()


def test_big_and_webp_images_get_screen_variants_and_print_keeps_resolution(tmp_path):
    big, webp = png(2400, 1200), png(300, 200, fmt="WEBP")
    root = make_course(tmp_path / "course", {"a.md": "# A\n\n![big](big.png)\n\n![w](w.webp)\n"},
                       {"big.png": big, "w.webp": webp})
    course, manifest, reporter = resolve(root)
    assert reporter.diagnostics == []
    keys = [n["c"][2][0] for n in images_of(course)]
    big_asset, webp_asset = manifest.get(keys[0]), manifest.get(keys[1])
    assert (big_asset.width, big_asset.height) == (2400, 1200) and big_asset.path.read_bytes() == big
    screen = manifest.for_profile(keys[0], "screen")
    assert (screen.width, screen.height) == (1600, 800) and Image.open(screen.path).size == (1600, 800)
    assert webp_asset.media_type == "image/webp"
    assert manifest.for_profile(keys[1], "screen").media_type in ("image/png", "image/jpeg")
    html = f'<img src="{keys[0]}"><img src="{keys[1]}">'
    assert for_profile(html, manifest, "screen") == (f'<img src="{screen.key}">'
                                                     f'<img src="{manifest.for_profile(keys[1], "screen").key}">')
    assert {a.key for a in manifest.files_for("screen")} == {screen.key, manifest.for_profile(keys[1], "screen").key}
    assert {a.key for a in manifest.files_for("print")} == set(keys)
    assert {n.kind for n in manifest.notes} == {"downscaled", "converted"}


# ---------------------------------------------------------------- remote images

def test_fetcher_refuses_images_over_the_size_cap(monkeypatch):
    body = b"\x89PNG" + b"x" * 200_000
    routes = {"/big.png": (200, body, "image/png"), "/big-chunked.png": (200, body, "image/png; no-length"),
              "/ok.png": (200, png(), "image/png")}
    with image_server(routes) as (base, _):
        monkeypatch.setenv("EXPORTER_TEST_URL_MAP", f"https://img.test/={base}/")
        fetcher = Fetcher(FetchLimits(max_bytes=100_000))
        with pytest.raises(FetchError, match=r"the image is 0.2 MB, over the 0.1 MB limit"):
            fetcher.fetch("https://img.test/big.png")  # refused from Content-Length, before reading
        with pytest.raises(FetchError, match=r"the image is over the 0.1 MB limit"):
            fetcher.fetch("https://img.test/big-chunked.png")  # no length given: cut off while reading
        assert fetcher.fetch("https://img.test/ok.png") == png()


def test_image_over_the_size_cap_in_a_build_becomes_a_placeholder(tmp_path, monkeypatch):
    with image_server({"/huge.png": (200, b"x" * (16 * 1024 * 1024), "image/png")}) as (base, _):
        monkeypatch.setenv("EXPORTER_TEST_URL_MAP", f"https://img.test/={base}/")
        root = make_course(tmp_path / "course", {"a.md": "# A\n\n![huge](https://img.test/huge.png)\n"})
        course, manifest, reporter = resolve(root)
    assert [(d.code, d.pos.line) for d in reporter.diagnostics] == [(Code.ASSET_MISSING, 3)]
    assert "the image is 16.8 MB, over the 15 MB limit" in reporter.diagnostics[0].message
    assert manifest.assets == () and len(placeholders_of(course)) == 1


def test_a_server_that_never_answers_cannot_hang_the_build(tmp_path, monkeypatch):
    with silent_server() as base:
        monkeypatch.setenv("EXPORTER_TEST_URL_MAP", f"https://slow.test/={base}/")
        monkeypatch.setenv("EXPORTER_FETCH_TIMEOUT", "1")
        lessons = {"a.md": "# A\n\n" + "\n\n".join(f"![{i}](https://slow.test/{i}.png)" for i in range(12)) + "\n"}
        root = make_course(tmp_path / "course", lessons)
        started = time.monotonic()
        result = build_html(root, tmp_path / "out")
        elapsed = time.monotonic() - started
    assert result.exit_code == 0, result.output
    assert elapsed < 8, f"build took {elapsed:.1f} s"
    assert result.output.count("[asset.missing]") == 12 and "no answer within 1 s" in result.output


def test_http_errors_and_literal_private_addresses(tmp_path, monkeypatch):
    with image_server({}) as (base, hits):
        monkeypatch.setenv("EXPORTER_TEST_URL_MAP", f"https://img.test/={base}/")
        root = make_course(tmp_path / "course", {"a.md": f"# A\n\n![gone](https://img.test/gone.png)\n\n"
                                                          f"![inside]({base}/x.png)\n"})
        course, manifest, reporter = resolve(root)
    messages = [(d.pos.line, d.message) for d in reporter.diagnostics]
    assert "HTTP 404" in messages[0][1] and messages[0][0] == 3
    assert "private network" in messages[1][1] and messages[1][0] == 5
    assert hits == ["/gone.png"]  # the literal 127.0.0.1 URL from the lesson was never requested


def test_offline_build_never_opens_a_socket(tmp_path, monkeypatch):
    with image_server({"/a.png": (200, png(), "image/png")}) as (base, hits):
        monkeypatch.setenv("EXPORTER_TEST_URL_MAP", f"https://img.test/={base}/")
        root = make_course(tmp_path / "course", {"a.md": "# A\n\n![a](https://img.test/a.png)\n"})
        result = build_html(root, tmp_path / "out", "--offline")
        assert hits == []
    assert result.exit_code == 0
    assert "not in the image cache and --offline is on" in result.output
    assert build_html(root, tmp_path / "out2", "--offline", "--strict").exit_code == 1


def _seed_routes() -> dict[str, tuple[int, bytes, str]]:
    colours = {"zWt1Cvi": (30, 90, 200), "ywcGmxY": (20, 160, 60), "jHirVWa": (220, 120, 20)}
    return {f"/{name}.png": (200, png(320, 180, colour), "image/png") for name, colour in colours.items()}


def test_seed_course_offline_gives_one_placeholder_and_warning_per_imgur_image(tmp_path):
    source = tmp_path / "content"
    shutil.copytree(CONTENT, source)
    result = build_html(source, tmp_path / "out", "--offline")
    assert result.exit_code == 0, result.output
    found = set(re.findall(rf"{re.escape(str(source))}/(\S+):(\d+): warning: image '(\S+)' is not available",
                           result.output))
    assert found == {(lesson, str(line), url) for lesson, line, url in SEED_IMAGES}
    pages = "".join(p.read_text() for p in (tmp_path / "out").rglob("*.html"))
    assert pages.count('class="image-missing"') == 5 and "<img" not in pages
    assert "loss report: 5 image(s) as placeholders" in result.output
    report = (tmp_path / "out" / "b2b-sales-foundations-report.txt").read_text()
    assert "001_abc0218c7ad68644.txt:23: image missing -> placeholder" in report and "html:" in report
    assert not (source / LOCKFILE).exists()


_IMAGE_TROUBLE = re.compile(r"\[asset\.(?!undescribed\])")
"""An asset diagnostic other than `asset.undescribed`: an image that could not be had or used."""


def test_seed_course_with_a_stand_in_host_embeds_bytes_writes_lockfile_then_builds_from_cache(tmp_path, monkeypatch):
    source = tmp_path / "content"
    shutil.copytree(CONTENT, source)
    lessons_before = {p.name: p.read_bytes() for p in source.iterdir()}
    routes = _seed_routes()
    with image_server(routes) as (base, hits):
        monkeypatch.setenv("EXPORTER_TEST_URL_MAP", f"https://i.imgur.com/={base}/")
        first = build_html(source, tmp_path / "online")
    assert first.exit_code == 0, first.output
    # every image came (each URL fetched once); the seed lessons describe none of them, and are told so
    assert not _IMAGE_TROUBLE.search(first.output) and sorted(hits) == sorted(routes)
    assert first.output.count("[asset.undescribed]") == 5
    lock = json.loads((source / LOCKFILE).read_text())["images"]
    assert {url: entry["sha256"] for url, entry in lock.items()} == {
        f"https://i.imgur.com{path}": hashlib.sha256(body).hexdigest() for path, (_, body, _) in routes.items()}
    assert {p.name: p.read_bytes() for p in source.iterdir() if p.name != LOCKFILE} == lessons_before
    out = tmp_path / "online" / "b2b-sales-foundations-html"
    pages = "".join(p.read_text() for p in out.glob("*.html"))
    assert not re.search(r'<img[^>]+src="(https?:)?//', pages) and 'class="image-missing"' not in pages
    srcs = re.findall(r'<img src="([^"]+)"', pages)
    assert len(srcs) == 5 and all(s.startswith("assets/") for s in srcs)
    assert {(out / s).read_bytes() for s in srcs} == {body for _, body, _ in routes.values()}
    lock_bytes = (source / LOCKFILE).read_bytes()
    # The server is gone: an online build (DNS fails here) and an offline one both use the cache.
    monkeypatch.delenv("EXPORTER_TEST_URL_MAP")
    for name, extra in (("cached", ()), ("offline", ("--offline",))):
        again = build_html(source, tmp_path / name, *extra)
        assert again.exit_code == 0 and not _IMAGE_TROUBLE.search(again.output), again.output
        assert _tree(tmp_path / name / "b2b-sales-foundations-html") == _tree(out)
    assert (source / LOCKFILE).read_bytes() == lock_bytes


def test_lockfile_and_cache_work_on_another_machine_with_only_the_cache_copied(tmp_path, monkeypatch, cache):
    """A lockfile names hashes; a cache object with the right hash is used even without the URL index."""
    data = png(50, 50)
    root = make_course(tmp_path / "course", {"a.md": "# A\n\n![a](https://img.test/a.png)\n"})
    digest = Cache(cache).put(data)
    (root / LOCKFILE).write_text(json.dumps({"version": 1, "images": {
        "https://img.test/a.png": {"sha256": digest, "media_type": "image/png"}}}))
    course, manifest, reporter = resolve(root, offline=True)
    assert reporter.diagnostics == [] and manifest.get(images_of(course)[0]["c"][2][0]).path.read_bytes() == data
    # A damaged cache object is a miss, never a wrong picture.
    Cache(cache).object_path(digest).write_bytes(b"tampered")
    _, manifest, reporter = resolve(root, offline=True)
    assert manifest.assets == () and [d.code for d in reporter.diagnostics] == [Code.ASSET_MISSING]


def test_youtube_embeds_get_a_cached_thumbnail_and_offline_none(tmp_path, monkeypatch):
    thumb = png(480, 360, fmt="JPEG")
    root = make_course(tmp_path / "course", {"a.md": "# A\n\n{%youtube aqz-KE-bpKQ %}\n\n{%vimeo 124148255 %}\n"})
    _, manifest, _ = resolve(root, offline=True)
    assert manifest.assets == () and [n.kind for n in manifest.notes] == ["no-thumbnail", "no-thumbnail"]
    with image_server({"/vi/aqz-KE-bpKQ/hqdefault.jpg": (200, thumb, "image/jpeg")}) as (base, _):
        monkeypatch.setenv("EXPORTER_TEST_URL_MAP", f"https://img.youtube.com/={base}/")
        course, manifest, reporter = resolve(root)
    assert reporter.diagnostics == []
    embeds = [n for n in ast.iter_nodes(list(course.lessons[0].body)) if "embed" in ast.classes(n)]
    key = ast.attribute(embeds[0], "data-thumb")
    assert manifest.get(key).path.read_bytes() == thumb and ast.attribute(embeds[1], "data-thumb") is None
    result = build_html(root, tmp_path / "out", "--offline")  # from the cache now, no server
    page = (tmp_path / "out" / "test-course-html" / "a.html").read_text()
    assert re.search(rf'<a href="https://www\.youtube\.com/watch\?v=aqz-KE-bpKQ"[^>]*class="embed-thumb"><img src="{key}"', page)
    assert (tmp_path / "out" / "test-course-html" / key).read_bytes() == thumb


# ---------------------------------------------------------------- the acceptance course

@needs_shared
@pytest.mark.slow
def test_acceptance_course_offline_has_no_errors_and_no_remote_img(tmp_path):
    started = time.monotonic()
    result = build_html(ACCEPTANCE, tmp_path / "out", "--offline")
    elapsed = time.monotonic() - started
    assert result.exit_code == 0, result.output[-2000:]
    assert "[asset.outside_root]" not in result.output and "Traceback" not in result.output
    pages = "".join(p.read_text() for p in (tmp_path / "out").rglob("*.html"))
    assert not re.search(r'<img[^>]+src="(https?:)?//', pages)
    assert "https://i.imgur.com/9cgQVqD.png" in pages  # visible in its placeholder
    assert elapsed < 120


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_images_checked_ahead_in_threads_give_what_checking_in_order_gives(tmp_path, monkeypatch):
    """The stage checks a course's image files in threads before it goes through the lessons: the course,
    the manifest and the notes are those of checking each image when its lesson comes."""
    from exporter import assets as stage
    from exporter.cache import BuildCache
    from exporter.diagnostics import Reporter
    from exporter.pipeline import read_course

    (tmp_path / "img").mkdir()
    for name, size in (("small.png", (40, 30)), ("big.png", (2400, 300)), ("other.png", (50, 50))):
        buffer = io.BytesIO()
        Image.new("RGB", size, (200, 20, 20)).save(buffer, "PNG")
        (tmp_path / "img" / name).write_bytes(buffer.getvalue())
    (tmp_path / "img" / "broken.png").write_bytes((tmp_path / "img" / "small.png").read_bytes()[:60])
    (tmp_path / "a.md").write_text("# A\n\n![s](img/small.png) ![b](img/big.png)\n\n![x](img/broken.png)\n")
    (tmp_path / "b.md").write_text("# B\n\n![o](img/other.png) ![s again](img/small.png)\n")

    def resolved(ahead: bool):
        if not ahead:
            monkeypatch.setattr(stage._Resolver, "check_local_ahead", lambda self, refs: None)
        reporter = Reporter()
        course = read_course(tmp_path, reporter, cache=BuildCache(None))
        checked = stage.resolve_assets(course, tmp_path, reporter, offline=True, builds=BuildCache(None))
        return checked, [d.format() for d in reporter.diagnostics]

    checked_files = []
    real_check = stage._Resolver._check_file
    monkeypatch.setattr(stage._Resolver, "_check_file", lambda self, path: checked_files.append(path.name)
                        or real_check(self, path))
    monkeypatch.setattr(stage.os, "cpu_count", lambda: 2)  # threads even on a one-core machine
    ahead = resolved(True)
    assert sorted(checked_files) == ["big.png", "broken.png", "other.png", "small.png"]
    in_order = resolved(False)
    assert ahead == in_order
    (course, manifest), said = ahead
    assert len(manifest.assets) == 4  # small, big, big's screen copy, other
    assert any("broken.png" in line for line in said)
