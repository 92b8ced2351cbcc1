"""Ralph, a real Learning Record Store (PyPI ralph-malph), run on 127.0.0.1 with its file-system backend."""
from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

RALPH = Path(sys.executable).with_name("ralph")
HERE = Path(__file__).resolve().parent
USER, PASSWORD = "lms", "lms-test-password"


@dataclass(frozen=True)
class Lrs:
    url: str
    """The xAPI endpoint, e.g. http://127.0.0.1:PORT/xAPI/."""
    authorization: str
    """The LMS's own credentials, as an HTTP Basic Authorization value."""

    def statements(self, **query: str) -> list[dict]:
        """Every statement matching `query` (xAPI GET /statements filters), following `more` links."""
        found, url = [], f"{self.url}statements?{urllib.parse.urlencode(query)}"
        while url:
            page = json.loads(self._get(url))
            found += page["statements"]
            url = urllib.parse.urljoin(self.url, page["more"]) if page.get("more") else ""
        return found

    def post(self, body: bytes) -> tuple[int, bytes]:
        request = urllib.request.Request(f"{self.url}statements", data=body, method="POST", headers={
            "Authorization": self.authorization, "X-Experience-API-Version": "1.0.3",
            "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=20) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def _get(self, url: str) -> bytes:
        request = urllib.request.Request(url, headers={"Authorization": self.authorization,
                                                       "X-Experience-API-Version": "1.0.3"})
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.read()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_ralph(folder: Path) -> Iterator[Lrs]:
    """Ralph LRS with one user (the LMS), its statements stored under `folder`; stopped on exit."""
    env = dict(os.environ, RALPH_APP_DIR=str(folder / "app"), RALPH_AUTH_FILE=str(folder / "auth.json"),
               RALPH_RUNSERVER_BACKEND="fs", RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH=str(folder / "data"))
    (folder / "data").mkdir(parents=True, exist_ok=True)
    subprocess.run([RALPH, "auth", "-u", USER, "-p", PASSWORD, "-s", "all", "-A", USER, "http://127.0.0.1",
                    "--write-to-disk"], env=env, check=True, capture_output=True, timeout=120)
    port = _free_port()
    log = (folder / "ralph.log").open("wb")
    # `ralph runserver -b fs -h 127.0.0.1 -p PORT`, through browser/ralph_server.py (it says why)
    server = subprocess.Popen([sys.executable, "-m", "browser.ralph_server", str(port)], env=env, cwd=HERE.parent,
                              stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_until_up(port, server, folder / "ralph.log")
        token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        yield Lrs(f"http://127.0.0.1:{port}/xAPI/", f"Basic {token}")
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def _wait_until_up(port: int, server: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"ralph runserver exited with {server.returncode}: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/__heartbeat__", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"ralph did not answer on port {port} within {seconds} s: {log.read_text()[-2000:]}")
