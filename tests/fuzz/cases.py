"""A fuzz case: a course folder written as one JSON file, so a finding can be kept as a regression fixture.

{"about": "...", "course_yml": "..." | null,
 "files": [{"name": "01.md", "text": "..."},            text as UTF-8 (surrogates as \\udXXX escapes)
           {"name": "02.md", "b64": "..."},              raw bytes
           {"name": "03.md", "repeat": [["`", 9000]]},   long inputs without storing them
           {"name_b64": "Y2Fm6S5tZA==", "text": "..."},  a file name that is not UTF-8
           {"name": "04.md", "symlink": "{outside}/secret.md"}]}

`{outside}` is a folder beside the course holding files that must never reach an output: each holds
CANARY, and the oracle looks for it in everything written.
"""
from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any

CANARY = "EXPORTER-CANARY-7f3a"
OUTSIDE_FILES = {"secret.md": f"# Secret\n\n{CANARY} from outside the course\n",
                 "secret.png": CANARY, "notes.txt": f"{CANARY}\n"}


def materialize(case: dict[str, Any], where: Path) -> Path:
    """Write the case under `where` (course/ and outside/); return the course folder."""
    outside, course = where / "outside", where / "course"
    outside.mkdir(parents=True, exist_ok=True)
    course.mkdir(parents=True, exist_ok=True)
    for name, text in OUTSIDE_FILES.items():
        (outside / name).write_text(text, encoding="utf-8")
    if case.get("course_yml") is not None:
        (course / "course.yml").write_bytes(_encode(case["course_yml"]))
    for entry in case.get("files", []):
        _write_entry(course, outside, entry)
    return course


def _write_entry(course: Path, outside: Path, entry: dict[str, Any]) -> None:
    name = base64.b64decode(entry["name_b64"]) if "name_b64" in entry else os.fsencode(entry["name"])
    path = os.path.join(os.fsencode(course), name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if "symlink" in entry:
        target = entry["symlink"].replace("{outside}", str(outside)).replace("{course}", str(course))
        if not os.path.lexists(path):
            os.symlink(os.fsencode(target), path)
        return
    with open(path, "wb") as handle:
        handle.write(_content(entry))


def _content(entry: dict[str, Any]) -> bytes:
    if "b64" in entry:
        return base64.b64decode(entry["b64"])
    if "repeat" in entry:
        return b"".join(_encode(piece) * count for piece, count in entry["repeat"])
    return _encode(entry.get("text", ""))


def _encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def load_case(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def save_case(case: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(case, ensure_ascii=True, indent=1) + "\n", encoding="utf-8")


def case_size(case: dict[str, Any]) -> int:
    return sum(len(_content(e)) for e in case.get("files", []) if "symlink" not in e)
