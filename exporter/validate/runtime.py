"""`validate --runtime`: each SCO launched in headless Chromium inside the LMS frame of `exporter.lms` (scorm-again
as the LMS), read to its end by a scrolling learner, then left; what reached the LMS is judged."""
from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from exporter import lms
from exporter.errors import ExporterError
from exporter.validate import Finding, error, warning

if TYPE_CHECKING:
    from exporter.validate.scorm import Sco

LAUNCH_TIMEOUT_MS = 15000
"""How long a SCO may take to call Initialize: an LMS shows a learner a blank frame meanwhile."""
CALLS = {"1.2": {"start": "LMSInitialize", "end": "LMSFinish", "set": "LMSSetValue", "commit": "LMSCommit",
                 "status": ("cmi.core.lesson_status",)},
         "2004": {"start": "Initialize", "end": "Terminate", "set": "SetValue", "commit": "Commit",
                  "status": ("cmi.completion_status", "cmi.success_status")}}


def run_scos(archive: zipfile.ZipFile, version: str, scos: list[Sco]) -> list[Finding]:
    """Launch every SCO of the package once; the findings of all sessions."""
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        return [error("validate.no_browser", "--runtime needs playwright: pip install 'exporter[browser]'")]
    if not Path(lms.CHROMIUM).is_file():
        return [error("validate.no_browser", f"--runtime needs Chromium at {lms.CHROMIUM} (Debian: apt-get install "
                      "chromium; `make setup` does it)")]
    findings: list[Finding] = []
    with tempfile.TemporaryDirectory(prefix="exporter-validate-") as folder:
        archive.extractall(folder)  # zipfile drops absolute parts and '..': nothing lands outside the folder
        try:
            with lms.serve(Path(folder)) as base, sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=lms.CHROMIUM, headless=True,
                                                     args=lms.CHROMIUM_ARGS)
                try:
                    for sco in scos:
                        findings += _session(browser, base, version, sco, PlaywrightError)
                finally:
                    browser.close()
        except ExporterError as exc:
            findings.append(error("validate.no_browser", str(exc)))
    return findings


def _session(browser: Any, base: str, version: str, sco: Sco, failure: type[Exception]) -> list[Finding]:
    """One learner: open the SCO, scroll to its end, leave; then what the LMS saw."""
    context = browser.new_context(viewport={"width": 1000, "height": 700})
    script_errors: list[str] = []
    try:
        try:
            page, frame = _open(context, base, version, sco, script_errors)
        except failure:
            return _script_findings(script_errors, sco) + [error(
                "scorm.runtime", f"'{sco.href}' never called {CALLS[version]['start']} within "
                f"{LAUNCH_TIMEOUT_MS // 1000} s: an LMS records nothing of this SCO", sco.item)]
        lms.read_to_end(frame)
        page.wait_for_timeout(200)
        lms.leave(page)
        calls = page.evaluate("() => window.__LMS_CALLS")
    finally:
        context.close()
    return _script_findings(script_errors, sco) + _judge_calls(calls, version, sco)


def _script_findings(script_errors: list[str], sco: Sco) -> list[Finding]:
    return [error("scorm.script_error", f"script error in '{sco.href}': {text}", sco.item)
            for text in dict.fromkeys(script_errors)]


def _open(context: Any, base: str, version: str, sco: Sco, script_errors: list[str]) -> tuple[Any, Any]:
    """lms.launch opens the page: listen on the context, so errors from its first moment are heard."""
    context.on("page", lambda opened: opened.on("pageerror",
                                                lambda exc: script_errors.append(str(exc).splitlines()[0])))
    return lms.launch(context, base, version, sco.href, timeout_ms=LAUNCH_TIMEOUT_MS)


def _judge_calls(calls: list[dict], version: str, sco: Sco) -> list[Finding]:
    """The API calls the SCO made, as the LMS logged them: each must succeed, and the session must end."""
    names = CALLS[version]
    findings = []
    for call in calls:
        failed = call["fn"] in (names["start"], names["end"], names["set"], names["commit"]) and (
            call["ret"] == "false" or call.get("err", "0") not in ("0", ""))
        if failed:
            shown = f"{call['fn']}({', '.join(repr(a) for a in call['args'])})"
            findings.append(error("scorm.api_error", f"{shown} failed with SCORM error {call.get('err')} in "
                                  f"'{sco.href}': the LMS refused it", sco.item))
    called = {call["fn"] for call in calls}
    if names["end"] not in called:
        findings.append(error("scorm.no_finish", f"'{sco.href}' never called {names['end']} when the learner left: "
                              "an LMS may lose the session", sco.item))
    statuses = {call["args"][0] for call in calls if call["fn"] == names["set"] and call["args"]}
    if not statuses & set(names["status"]):
        findings.append(warning("scorm.no_status", f"'{sco.href}' set no {' or '.join(names['status'])} in a session "
                                "read to its end: the LMS cannot show progress", sco.item))
    return findings
