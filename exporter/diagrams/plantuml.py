"""```plantuml blocks through Debian's PlantUML (Java, offline): ONE process per build for all of them."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

DELIMITER = "--exporter-plantuml-next--"
JAR = Path("/usr/share/plantuml/plantuml.jar")
"""Where Debian's package puts PlantUML; its size and date stand for its version in cache keys (asking
PlantUML its version would start Java on every build, even a warm one)."""
TIMEOUT = 300
_ERROR_LINE = re.compile(r"\[From string \(line (\d+)\)")
_TEXT = re.compile(r"<text[^>]*>([^<]*)</text>")


class PlantUmlUnavailable(Exception):
    """PlantUML (or Java) is not installed, or did not run; the message says what to install."""


def version_stamp() -> str:
    """Stands for PlantUML's version in a diagram's cache key, without starting Java."""
    found = JAR if JAR.is_file() else Path(shutil.which("plantuml") or "/nonexistent")
    try:
        stat = found.stat()
    except OSError:
        return "absent"
    return f"plantuml {stat.st_size} {stat.st_mtime_ns}"


def draw(sources: list[str]) -> list[tuple[str | None, str | None]]:
    """(SVG, None) or (None, PlantUML's error) per source, in order. Raises PlantUmlUnavailable."""
    command = shutil.which("plantuml")
    if command is None:
        raise PlantUmlUnavailable("PlantUML is not installed (Debian: apt-get install plantuml)")
    text = "\n".join(_wrapped(source) for source in sources)
    try:
        run = subprocess.run([command, "-tsvg", "-pipe", "-charset", "UTF-8", "-pipedelimitor", DELIMITER],
                             input=text.encode("utf-8"), capture_output=True, timeout=TIMEOUT,
                             env={**os.environ, "JAVA_TOOL_OPTIONS": "-Djava.awt.headless=true"})
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PlantUmlUnavailable(f"PlantUML did not run: {exc}") from exc
    outputs = run.stdout.decode("utf-8", "replace").split(DELIMITER)
    if len(outputs) < len(sources):
        detail = run.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
        raise PlantUmlUnavailable(f"PlantUML failed: {detail[0]}")
    return [_result(output.strip(), source) for output, source in zip(outputs, sources)]


def _wrapped(source: str) -> str:
    """HackMD adds @startuml/@enduml around a block that has none."""
    if re.search(r"^\s*@start\w+", source, re.M):
        return source.strip("\n")
    return f"@startuml\n{source.strip(chr(10))}\n@enduml"


def _result(svg: str, source: str) -> tuple[str | None, str | None]:
    """PlantUML draws its errors as a picture: one that carries its error marks is a failure."""
    error_line = _ERROR_LINE.search(svg)
    texts = [t.strip() for t in _TEXT.findall(svg)]
    if error_line or "Syntax Error?" in texts:
        offset = 0 if re.search(r"^\s*@start\w+", source, re.M) else 1
        where = f" at line {int(error_line.group(1)) - offset} of the diagram" if error_line else ""
        reason = next((t for t in texts if "Error" in t), "syntax error")
        return None, f"PlantUML: {reason}{where}"
    if not svg.startswith("<") or "<svg" not in svg:
        return None, "PlantUML drew nothing"
    return svg[svg.index("<svg"):], None
