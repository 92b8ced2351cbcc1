"""The LMS side of cmi5 (and of a Tin Can launch) for the real-browser test, on 127.0.0.1.

It does what cmi5 section 8 asks of an LMS that launches an AU: serves the unzipped package, writes the
LMS.LaunchData state document (launch mode, mastery score, context template with the session id, returnURL),
answers the one-time `fetch` URL with an authorization token, and builds the launch URL. It is the AU's xAPI
endpoint: state documents live here (Ralph has no State API), statements are checked against the token and passed
through to Ralph under the LMS's own credentials, as an LMS in front of its LRS does."""
from __future__ import annotations

import base64
import functools
import http.server
import json
import secrets
import threading
import urllib.parse
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from browser.ralph import Lrs


@dataclass
class Launch:
    """One AU session the LMS started."""

    registration: str
    session_id: str
    token: str
    fetched: int = 0
    """How often the fetch URL was called (cmi5: once; later calls get an error)."""


@dataclass
class LmsState:
    package: Path
    lrs: Lrs
    documents: dict[tuple[str, str, str, str], bytes] = field(default_factory=dict)
    """(activityId, agent, registration, stateId) -> document: the State API."""
    launches: dict[str, Launch] = field(default_factory=dict)
    """fetch id -> launch."""
    relayed: list[dict] = field(default_factory=list)
    """Statements passed to Ralph, in the order they arrived, with Ralph's answer status."""
    lock: threading.Lock = field(default_factory=threading.Lock)


LEARNER = {"objectType": "Agent", "name": "Ada Learner", "account": {"homePage": "http://127.0.0.1", "name": "ada"}}


class _Handler(http.server.BaseHTTPRequestHandler):
    lms: LmsState

    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    # --- routing ---------------------------------------------------------------------------------------------
    def do_GET(self) -> None:
        path, query = self._split()
        if path.startswith("/pkg/"):
            return self._file(path[len("/pkg/"):])
        if path == "/xapi/activities/state" and self._authorized():
            return self._get_state(query)
        if path == "/xapi/agents/profile" and self._authorized():
            return self._send(404, b"")
        if path == "/returned":
            return self._send(200, b"<!doctype html><title>LMS</title><p>Back in the LMS.</p>", "text/html")
        self._send(404, b"")

    def do_PUT(self) -> None:
        path, query = self._split()
        if path == "/xapi/activities/state" and self._authorized():
            return self._put_state(query)
        self._send(404, b"")

    def do_POST(self) -> None:
        path, _ = self._split()
        if path.startswith("/fetch/"):
            return self._fetch(path[len("/fetch/"):])
        if path == "/xapi/statements" and self._authorized():
            return self._relay()
        self._send(404, b"")

    # --- the parts of an LMS ---------------------------------------------------------------------------------
    def _fetch(self, fetch_id: str) -> None:
        with self.lms.lock:
            launch = self.lms.launches.get(fetch_id)
            if launch:
                launch.fetched += 1
        if launch is None or launch.fetched > 1:  # cmi5 8.2.3: the token is handed out once
            return self._json(200, {"error-code": "1", "error-text": "this fetch URL was already used"})
        self._json(200, {"auth-token": launch.token})

    def _relay(self) -> None:
        body = self._body()
        status, answer = self.lms.lrs.post(body)
        statements = json.loads(body)
        with self.lms.lock:
            for statement in statements if isinstance(statements, list) else [statements]:
                self.lms.relayed.append({"statement": statement, "status": status})
        self._send(status, answer, "application/json")

    def _get_state(self, query: dict) -> None:
        document = self.lms.documents.get(_state_key(query))
        if document is None:
            return self._send(404, b"")
        self._send(200, document, "application/json")

    def _put_state(self, query: dict) -> None:
        with self.lms.lock:
            self.lms.documents[_state_key(query)] = self._body()
        self._send(204, b"")

    def _authorized(self) -> bool:
        """Only a token this LMS handed out through a fetch URL opens the xAPI endpoint."""
        header = self.headers.get("Authorization", "")
        tokens = {f"Basic {launch.token}" for launch in self.lms.launches.values() if launch.fetched == 1}
        if header in tokens:
            return True
        self._send(401, b'{"error": "unknown or missing token"}', "application/json")
        return False

    # --- plumbing ----------------------------------------------------------------------------------------------
    def _split(self) -> tuple[str, dict]:
        parts = urllib.parse.urlsplit(self.path)
        return parts.path, {k: v[0] for k, v in urllib.parse.parse_qs(parts.query).items()}

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _file(self, relative: str) -> None:
        target = (self.lms.package / urllib.parse.unquote(relative)).resolve()
        if self.lms.package.resolve() not in target.parents or not target.is_file():
            return self._send(404, b"")
        kinds = {".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml",
                 ".png": "image/png", ".jpg": "image/jpeg", ".webp": "image/webp"}
        self._send(200, target.read_bytes(), kinds.get(target.suffix, "application/octet-stream"))

    def _json(self, status: int, value: dict) -> None:
        self._send(status, json.dumps(value).encode(), "application/json")

    def _send(self, status: int, body: bytes, kind: str = "text/plain") -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Experience-API-Version", "1.0.3")
        self.end_headers()
        self.wfile.write(body)


def _state_key(query: dict) -> tuple[str, str, str, str]:
    agent = json.dumps(json.loads(query.get("agent", "{}")), sort_keys=True)
    return query.get("activityId", ""), agent, query.get("registration", ""), query.get("stateId", "")


class Lms:
    """The running launcher: `launch_url()` starts an AU session the way an LMS does."""

    def __init__(self, state: LmsState, base: str) -> None:
        self.state, self.base = state, base

    def launch_url(self, au_id: str, page: str = "index.html", registration: str | None = None,
                   launch_mode: str = "Normal", mastery_score: float | None = None,
                   return_url: str | None = None) -> tuple[str, Launch]:
        """cmi5 8.1: LMS.LaunchData written first, then the launch URL with the five parameters."""
        launch = Launch(registration or str(uuid.uuid4()), str(uuid.uuid4()),
                        base64.b64encode(secrets.token_bytes(18)).decode())
        fetch_id = secrets.token_hex(8)
        launch_data = {
            "contextTemplate": {
                "contextActivities": {"grouping": [{"id": au_id}]},
                "extensions": {"https://w3id.org/xapi/cmi5/context/extensions/sessionid": launch.session_id}},
            "launchMode": launch_mode, "launchMethod": "AnyWindow",
            "moveOn": "CompletedAndPassed" if mastery_score is not None else "Completed"}
        if mastery_score is not None:
            launch_data["masteryScore"] = mastery_score
        if return_url:
            launch_data["returnURL"] = return_url
        key = (au_id, json.dumps(LEARNER, sort_keys=True), launch.registration, "LMS.LaunchData")
        with self.state.lock:
            self.state.documents[key] = json.dumps(launch_data).encode()
            self.state.launches[fetch_id] = launch
        query = urllib.parse.urlencode({
            "endpoint": f"{self.base}/xapi/", "fetch": f"{self.base}/fetch/{fetch_id}",
            "actor": json.dumps(LEARNER), "registration": launch.registration, "activityId": au_id})
        return f"{self.base}/pkg/{page}?{query}", launch

    def tincan_url(self, activity_id: str, registration: str) -> tuple[str, Launch]:
        """A Tin Can launch: the credentials travel in the URL (`auth`), there is no launch data."""
        launch = Launch(registration, "", base64.b64encode(secrets.token_bytes(18)).decode(), fetched=1)
        with self.state.lock:
            self.state.launches[secrets.token_hex(8)] = launch
        query = urllib.parse.urlencode({
            "endpoint": f"{self.base}/xapi/", "auth": f"Basic {launch.token}", "actor": json.dumps(LEARNER),
            "registration": registration, "activity_id": activity_id})
        return f"{self.base}/pkg/index.html?{query}", launch

    def relayed_verbs(self, registration: str) -> list[str]:
        with self.state.lock:
            return [r["statement"]["verb"]["id"].rsplit("/", 1)[-1] for r in self.state.relayed
                    if r["statement"].get("context", {}).get("registration") == registration]


@contextmanager
def serve_lms(package: Path, lrs: Lrs) -> Iterator[Lms]:
    state = LmsState(package, lrs)
    handler = type("Handler", (_Handler,), {"lms": state})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Lms(state, f"http://127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
        server.server_close()
