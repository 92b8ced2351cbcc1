"""Run one case the way a user does (`exporter tree`, `exporter build`, in-process) and judge what happened.

A problem is anything the issue-17 fuzzer counted: an exception that is not exporter's own exit (a
traceback), pandoc's own words on the terminal, a diagnostic that is not one compiler-style line or that
names a line its file does not have, `course.yml:N` for a course without one, and in what was written:
script (but our runtime), frames, event handlers, javascript:/vbscript:/data:text/html addresses, a
video player outside the allow-list, a remote image in the ebook, duplicate zip members, or any byte of a
file from outside the course. Hangs are the caller's to catch (`run.py` runs cases in a worker it can kill).
"""
from __future__ import annotations

import re
import traceback
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree
from lxml import html as lxml_html
from typer.testing import CliRunner

from exporter.cli import app
from fuzz.cases import CANARY, materialize

PLAYERS = (re.compile(r"https://www\.youtube-nocookie\.com/embed/[\w-]{6,20}"),
           re.compile(r"https://player\.vimeo\.com/video/\d{1,12}\?dnt=1"))
"""The players exporter writes; themes/default/static/scorm/runtime.js holds the same list."""
DANGEROUS_URL = re.compile(r"^(?:javascript|vbscript|data:text/html)", re.I)
FRAMES = ("iframe", "frame", "frameset", "object", "embed", "applet", "base", "form", "meta")
DIAGNOSTIC = re.compile(r"^(?P<path>.+?):(?P<line>\d+): (?:error|warning|info): .+ \[[a-z0-9_]+\.[a-z0-9_]+\]$")
OTHER_LINES = re.compile(r"^(?:\d+ error\(s\), \d+ warning\(s\)|error: .+|(?:error|warning|info): .+ \[[a-z_.]+\]|"
                         r"loss report: .*|wrote .*|… .*)$")


@dataclass
class Problem:
    kind: str
    """'traceback', 'pandoc-stderr', 'diagnostic', 'leak', 'outside-file', 'zip'."""
    detail: str
    signature: str
    """What makes two findings the same bug (kind + exception type + innermost exporter frame...)."""


@dataclass
class Outcome:
    problems: list[Problem] = field(default_factory=list)
    exit_codes: tuple[int, ...] = ()
    artifacts: int = 0


def run_case(case: dict, workdir: Path, formats: tuple[str, ...] = ("epub", "scorm12", "scorm2004")) -> Outcome:
    """`exporter tree` (--blocks or --json) and `exporter build --skip-broken --offline` on the case, judged."""
    course = materialize(case, workdir)
    out = workdir / "out"
    outcome = Outcome()
    runner = CliRunner()
    has_config = (course / "course.yml").is_file()
    codes = []
    tree = "--json" if len(str(case)) % 2 else "--blocks"  # both text dumps, one per case
    for args in (["tree", str(course), tree], ["build", str(course), "--out", str(out), "--offline", "--skip-broken",
                                             *[a for f in formats for a in ("-f", f)]]):
        result = runner.invoke(app, args, catch_exceptions=True)
        codes.append(result.exit_code)
        outcome.problems += _judge_run(args[0], result, course, has_config)
    outcome.exit_codes = tuple(codes)
    for artifact in sorted(out.glob("*")) if out.is_dir() else []:
        outcome.artifacts += 1
        outcome.problems += judge_artifact(artifact)
    return outcome


def _judge_run(command: str, result, course: Path, has_config: bool) -> list[Problem]:
    problems = []
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        exc = result.exception
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/exporter/" in f.filename]
        where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "?"
        problems.append(Problem("traceback", f"{command}: {type(exc).__name__}: {str(exc)[:300]} at {where}",
                                f"traceback {type(exc).__name__} {where}"))
    stderr = result.stderr if hasattr(result, "stderr") else result.output
    if "Traceback" in stderr or "+RTS" in stderr or re.search(r"^pandoc:", stderr, re.M):
        problems.append(Problem("pandoc-stderr", f"{command}: {stderr[-300:]}", f"raw output {command}"))
    for line in stderr.splitlines():
        problems += _judge_diagnostic(command, line, course, has_config)
    return problems


def _judge_diagnostic(command: str, line: str, course: Path, has_config: bool) -> list[Problem]:
    match = DIAGNOSTIC.match(line)
    if not match:
        if OTHER_LINES.match(line):
            return []
        return [Problem("diagnostic", f"{command}: not one diagnostic line: {line[:200]!r}", "diagnostic split")]
    path, number = match.group("path"), int(match.group("line"))
    prefix = str(course) + "/"
    relative = path[len(prefix):] if path.startswith(prefix) else path
    if relative == "course.yml" and not has_config:
        return [Problem("diagnostic", f"{command}: {line[:200]}", "course.yml named without one")]
    file = course / relative
    try:
        data = file.read_bytes() if file.is_file() else None
        lines = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").count(b"\n") + 1 if data is not None else None
    except OSError:
        lines = None
    if lines is not None and not 1 <= number <= lines:
        return [Problem("diagnostic", f"{command}: line {number} of a {lines}-line file: {line[:200]}",
                        f"line outside file {line.rsplit('[', 1)[-1]}")]
    return []


def judge_artifact(path: Path) -> list[Problem]:
    """Every page of an EPUB or SCORM zip (or a lone HTML file) checked for what must never be in one."""
    if path.suffix not in (".zip", ".epub"):
        found = CANARY.encode() in path.read_bytes()
        return [Problem("outside-file", f"{path.name} holds a file from outside the course", "outside file")] * found
    problems = []
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        if len(names) != len(set(names)):
            problems.append(Problem("zip", f"{path.name}: duplicate members", "duplicate zip members"))
        for name in names:
            member = archive.read(name)
            if CANARY.encode() in member:
                problems.append(Problem("outside-file", f"{path.name}/{name} holds a file from outside the "
                                        "course", "outside file"))
            if name.endswith((".html", ".xhtml", ".htm")):
                problems += judge_page(f"{path.name}/{name}", member, ebook=path.suffix == ".epub")
    return problems


def judge_page(where: str, data: bytes, ebook: bool) -> list[Problem]:
    problems = []
    if where.endswith(".xhtml"):
        try:
            etree.fromstring(data)
        except etree.XMLSyntaxError as exc:
            problems.append(Problem("leak", f"{where}: not well-formed XHTML: {exc}", "ill-formed xhtml"))
    root = lxml_html.document_fromstring(data) if data.strip() else None
    body = root.find(".//body") if root is not None else None  # the head has our own <meta>s
    for element in (body if body is not None else root).iter() if root is not None else ():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.rsplit("}", 1)[-1].lower()
        problems += _judge_element(where, tag, element, ebook)
    return problems


def _judge_element(where: str, tag: str, element, ebook: bool) -> list[Problem]:
    problems = []
    if tag == "script" and (ebook or not (element.get("src") or "").endswith("runtime.js")
                            or (element.text or "").strip()):
        problems.append(Problem("leak", f"{where}: <script {dict(element.attrib)}>", "script"))
    if tag in FRAMES:
        problems.append(Problem("leak", f"{where}: <{tag} {dict(element.attrib)}>", f"frame {tag}"))
    for name, value in element.attrib.items():
        name = name.rsplit("}", 1)[-1].lower()
        compact = re.sub(r"[\x00-\x20]+", "", value)
        if name.startswith("on"):
            problems.append(Problem("leak", f"{where}: {tag} {name}={value[:80]!r}", "event handler"))
        elif DANGEROUS_URL.match(compact):
            problems.append(Problem("leak", f"{where}: {tag} {name}={value[:80]!r}", f"dangerous url {name}"))
        elif name == "data-player" and not any(p.fullmatch(value) for p in PLAYERS):
            problems.append(Problem("leak", f"{where}: data-player={value[:80]!r}", "foreign player"))
        elif ebook and tag == "img" and name == "src" and re.match(r"^[a-z][a-z0-9+.-]*:|^//", compact, re.I):
            problems.append(Problem("leak", f"{where}: remote image {value[:80]!r}", "remote image in ebook"))
    return problems
