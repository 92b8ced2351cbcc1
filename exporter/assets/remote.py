"""Remote images: a bounded HTTP fetch, a content-addressed cache and the course lockfile (URL -> sha256).

A build never hangs: connecting, each read and the whole download have their own limits, a host
that failed once in a build is not tried again, and `--offline` never opens a socket.
"""
from __future__ import annotations

import hashlib
import ipaddress
import json
import os
import socket
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from exporter.cache import cache_root
from exporter._files import atomic_write

if TYPE_CHECKING:  # http.client and ssl are imported when a download starts: an offline build needs neither
    import http.client

LOCKFILE = "exporter.lock.json"
"""Lives in the course folder beside course.yml; commit it so other machines build the same bytes."""
MAX_BYTES = 15_000_000
"""Size cap per remote image: bigger downloads are cut off and refused."""
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 10.0
TOTAL_TIMEOUT = 30.0
"""Seconds for one whole download (a server that drips one byte a second must not hold a build)."""
MAX_REDIRECTS = 5
WORKERS = 8
USER_AGENT = "exporter/0.1 (course builder; images only)"


class FetchError(Exception):
    """A remote image could not be had; the message says why, for the author."""


@dataclass(frozen=True, slots=True)
class FetchLimits:
    connect_timeout: float = CONNECT_TIMEOUT
    read_timeout: float = READ_TIMEOUT
    total_timeout: float = TOTAL_TIMEOUT
    max_bytes: int = MAX_BYTES

    @classmethod
    def from_env(cls) -> "FetchLimits":
        """`EXPORTER_FETCH_TIMEOUT` (seconds) lowers the read timeout, e.g. on a slow CI network."""
        value = os.environ.get("EXPORTER_FETCH_TIMEOUT", "")
        try:
            read = float(value) if value else READ_TIMEOUT
        except ValueError:
            read = READ_TIMEOUT
        return cls(connect_timeout=min(CONNECT_TIMEOUT, read), read_timeout=read,
                   total_timeout=max(read, min(TOTAL_TIMEOUT, 3 * read)))


class Cache:
    """Content-addressed store: objects/<sha[:2]>/<sha> holds bytes, urls/<sha(url)> names the object."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def object_path(self, digest: str) -> Path:
        return self.root / "objects" / digest[:2] / digest

    def get(self, digest: str) -> bytes | None:
        path = self.object_path(digest)
        if not path.is_file():
            return None
        data = path.read_bytes()
        # A damaged cache entry is a miss, never a wrong image.
        return data if hashlib.sha256(data).hexdigest() == digest else None

    def put(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        path = self.object_path(digest)
        if not path.is_file():
            atomic_write(path, data)
        return digest

    def digest_for_url(self, url: str) -> str | None:
        path = self._url_path(url)
        try:
            return json.loads(path.read_text("utf-8"))["sha256"]
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def remember_url(self, url: str, digest: str) -> None:
        atomic_write(self._url_path(url), json.dumps({"url": url, "sha256": digest}).encode())

    def derived_path(self, name: str) -> Path:
        """Where converted/sanitized files live (name is content-addressed by the caller)."""
        return self.root / "derived" / name

    def _url_path(self, url: str) -> Path:
        return self.root / "urls" / hashlib.sha256(url.encode()).hexdigest()


def open_cache() -> Cache:
    """The user's cache, or a private temp folder when it cannot be written (read-only home)."""
    root = cache_root()
    try:
        root.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=root, prefix=".probe-")
        probe.close()
    except OSError:
        root = Path(tempfile.gettempdir()) / f"exporter-cache-{os.getuid() if hasattr(os, 'getuid') else 0}"
        root.mkdir(parents=True, exist_ok=True)
    return Cache(root)


# ---------------------------------------------------------------- lockfile

def read_lockfile(course_root: Path) -> dict[str, tuple[str, str]]:
    """URL -> (sha256, media type) from the course's lockfile; empty when absent or unreadable."""
    try:
        data = json.loads((course_root / LOCKFILE).read_text("utf-8"))
        return {url: (entry["sha256"], entry.get("media_type", "")) for url, entry in data["images"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def lockfile_bytes(entries: tuple[tuple[str, str, str], ...]) -> bytes:
    """Sorted, indented JSON: the same images give the same bytes, and diffs read well in review."""
    images = {url: {"sha256": digest, "media_type": media} for url, digest, media in sorted(entries)}
    text = json.dumps({"version": 1, "images": images}, indent=2, sort_keys=True, ensure_ascii=False)
    return (text + "\n").encode("utf-8")


def write_lockfile(course_root: Path, entries: tuple[tuple[str, str, str], ...]) -> Path:
    path = course_root / LOCKFILE
    atomic_write(path, lockfile_bytes(entries))
    return path


# ---------------------------------------------------------------- fetching

def url_rewrites() -> list[tuple[str, str]]:
    """TEST ONLY: `EXPORTER_TEST_URL_MAP='https://i.imgur.com/=http://127.0.0.1:8123/;…'` sends
    requests for one URL prefix to another host. The manifest, lockfile and cache still record the
    URL the author wrote; only where the bytes come from changes. This machine has no internet, so
    the tests stand a local server in for the image hosts this way."""
    pairs = []
    for item in os.environ.get("EXPORTER_TEST_URL_MAP", "").split(";"):
        if "=" in item:
            prefix, _, target = item.partition("=")
            pairs.append((prefix.strip(), target.strip()))
    return pairs


class Fetcher:
    """Downloads remote images in parallel within `limits`; remembers hosts that failed."""

    def __init__(self, limits: FetchLimits | None = None) -> None:
        self.limits = limits or FetchLimits.from_env()
        self.rewrites = url_rewrites()
        self._dead_hosts: dict[str, str] = {}
        self._lock = threading.Lock()

    def fetch_all(self, urls: list[str]) -> dict[str, bytes | FetchError]:
        if not urls:
            return {}
        with ThreadPoolExecutor(max_workers=min(WORKERS, len(urls))) as pool:
            results = list(pool.map(self._fetch_or_error, urls))
        return dict(zip(urls, results))

    def fetch(self, url: str) -> bytes:
        target = self._rewrite(url)
        rewritten = target != url
        deadline = time.monotonic() + self.limits.total_timeout
        for _ in range(MAX_REDIRECTS + 1):
            parts = urlsplit(target)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise FetchError(f"unsupported address '{target}'")
            if not rewritten and _is_private_host(parts.hostname):
                raise FetchError("refusing to fetch from a local or private network address")
            location, body = self._request(parts, deadline)
            if location is None:
                return body
            target = urljoin(target, location)
        raise FetchError(f"more than {MAX_REDIRECTS} redirects")

    def _fetch_or_error(self, url: str) -> bytes | FetchError:
        try:
            return self.fetch(url)
        except FetchError as exc:
            return exc

    def _rewrite(self, url: str) -> str:
        for prefix, target in self.rewrites:
            if url.startswith(prefix):
                return target + url[len(prefix):]
        return url

    def _request(self, parts, deadline: float) -> tuple[str | None, bytes]:
        import http.client

        host = f"{parts.hostname}:{parts.port or ''}"
        with self._lock:
            if host in self._dead_hosts:
                raise FetchError(f"{self._dead_hosts[host]} (host failed earlier in this build)")
        conn = self._connect(parts, host)
        try:
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            conn.request("GET", path, headers={"User-Agent": USER_AGENT, "Accept": "image/*,*/*;q=0.5",
                                               "Accept-Encoding": "identity", "Connection": "close"})
            response = conn.getresponse()
            if response.status in (301, 302, 303, 307, 308) and response.getheader("Location"):
                return response.getheader("Location"), b""
            if response.status != 200:
                raise FetchError(f"the server answered HTTP {response.status} {response.reason}".rstrip())
            return None, self._read_body(response, deadline)
        except (socket.timeout, TimeoutError) as exc:
            self._mark_dead(host, f"no answer within {self.limits.read_timeout:g} s")
            raise FetchError(f"no answer within {self.limits.read_timeout:g} s") from exc
        except (OSError, http.client.HTTPException) as exc:
            raise FetchError(f"download failed ({exc.__class__.__name__}: {exc})") from exc
        finally:
            conn.close()

    def _connect(self, parts, host: str) -> http.client.HTTPConnection:
        import http.client
        import ssl

        port = parts.port
        if parts.scheme == "https":
            conn: http.client.HTTPConnection = http.client.HTTPSConnection(
                parts.hostname, port, timeout=self.limits.connect_timeout, context=ssl.create_default_context())
        else:
            conn = http.client.HTTPConnection(parts.hostname, port, timeout=self.limits.connect_timeout)
        try:
            conn.connect()
        except (socket.timeout, TimeoutError) as exc:
            self._mark_dead(host, f"could not connect within {self.limits.connect_timeout:g} s")
            raise FetchError(f"could not connect within {self.limits.connect_timeout:g} s") from exc
        except OSError as exc:
            reason = f"could not connect to {parts.hostname} ({exc.strerror or exc})"
            self._mark_dead(host, reason)
            raise FetchError(reason) from exc
        conn.sock.settimeout(self.limits.read_timeout)
        return conn

    def _read_body(self, response: http.client.HTTPResponse, deadline: float) -> bytes:
        cap = self.limits.max_bytes
        declared = response.getheader("Content-Length")
        if declared and declared.isdigit() and int(declared) > cap:
            raise FetchError(f"the image is {int(declared) / 1e6:.1f} MB, over the {cap / 1e6:g} MB limit")
        chunks, size = [], 0
        while True:
            if time.monotonic() > deadline:
                raise FetchError(f"download took longer than {self.limits.total_timeout:g} s")
            chunk = response.read1(64 * 1024) if hasattr(response, "read1") else response.read(64 * 1024)
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > cap:
                raise FetchError(f"the image is over the {cap / 1e6:g} MB limit")
            chunks.append(chunk)

    def _mark_dead(self, host: str, reason: str) -> None:
        with self._lock:
            self._dead_hosts.setdefault(host, reason)


def _is_private_host(hostname: str) -> bool:
    """Literal loopback/private addresses in lesson URLs are refused: content must not probe the
    builder's own network. (Names are not resolved here; that would cost a lookup per image.)"""
    if hostname.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        address = ipaddress.ip_address(hostname.strip("[]"))
    except ValueError:
        return False
    return address.is_private or address.is_loopback or address.is_link_local or address.is_reserved
