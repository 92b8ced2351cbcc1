"""`exporter init`: a new course folder that builds as is (as `mkdocs new`, `mdbook init`, `quarto create`).

The lessons and the .gitignore are files in `exporter/skeleton/`, copied unchanged; course.yml is written
from CourseConfig's own field metadata (help text, defaults, examples), so its comments cannot drift from
what the loader accepts.
"""
from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from exporter.config import CONFIG_NAME, CourseConfig, course_keys, slugify
from exporter.errors import UsageError

SKELETON = Path(__file__).resolve().parent / "skeleton"
"""The starter files, package data. `gitignore` is stored without its dot, which packaging tools skip."""

LESSONS = ("01-welcome.md", "02-practice.md")
FIRST_MODULE = "Getting started"
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
"""A BCP 47 tag as course.yml needs it: a language, then optional script/region/variant subtags."""

HEADER = """\
# course.yml: the settings of this course. Every key exporter reads is listed below with what it does.
# A line such as `# subtitle: Week 1 workbook` shows an example or the default: remove the `# ` to use it.
"""


@dataclass(frozen=True)
class NewCourse:
    title: str
    language: str = "en"
    author: str = ""


def create_course(folder: Path, course: NewCourse, force: bool = False) -> list[Path]:
    """Write a course into `folder` (created if missing); return the files written. A folder that holds
    anything is refused unless `force`, and then only files of the same names are replaced."""
    if not LANGUAGE_TAG.match(course.language):
        raise UsageError(f"'{course.language}' is not a language tag; use one such as en, fr, pt-BR or zh-Hans")
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"'{folder}' is a file, not a folder")
    if folder.is_dir() and any(folder.iterdir()) and not force:
        raise UsageError(f"'{folder}' is not empty; choose a new folder, or pass --force to write the starter "
                         "files into it (files of the same names are replaced)")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / CONFIG_NAME).write_text(course_yml(course, LESSONS), encoding="utf-8")
    written = [folder / CONFIG_NAME]
    for name in LESSONS:
        written.append(Path(shutil.copyfile(SKELETON / name, folder / name)))
    written.append(Path(shutil.copyfile(SKELETON / "gitignore", folder / ".gitignore")))
    return written


def default_author() -> str:
    """The name git knows the author by (as mdBook does), else a placeholder the author will see."""
    try:
        name = subprocess.run(["git", "config", "user.name"], capture_output=True, text=True, timeout=5).stdout
    except (OSError, subprocess.SubprocessError):
        name = ""
    return name.strip() or "Course author"


def course_yml(course: NewCourse, lessons: tuple[str, ...]) -> str:
    """course.yml text: the values set for this course, every other key commented out with its example or
    default, and each key preceded by its help text."""
    values: dict[str, Any] = {
        "title": course.title, "slug": slugify(course.title), "language": course.language,
        "author": course.author,
        "modules": [{"title": FIRST_MODULE, "lessons": list(lessons)}],
    }
    parts = [HEADER]
    for spec in course_keys():
        parts.append(_entry(spec, values))
    return "\n".join(parts)


def _entry(spec: dataclasses.Field, values: dict[str, Any]) -> str:
    """One top-level key: its help, then the key set or commented out; a section lists its own keys."""
    lines = _help(spec, "")
    if dataclasses.is_dataclass(spec.default):
        lines.append(f"{spec.name}:")
        for option in course_keys(type(spec.default)):
            lines += _help(option, "  ")
            lines += _commented(_example(option), "  ")
        return "\n".join(lines) + "\n"
    if spec.name in values:
        lines.append(_dump({spec.name: values[spec.name]}).rstrip("\n"))
    else:
        lines += _commented(_example(spec), "")
    return "\n".join(lines) + "\n"


def _commented(text: str, indent: str) -> list[str]:
    """Every line of a YAML snippet commented out (an example may be a mapping over several lines)."""
    return [f"{indent}# {line}" for line in text.rstrip("\n").splitlines()]


def _help(spec: dataclasses.Field, indent: str) -> list[str]:
    text = spec.metadata.get("help") or spec.name.replace("_", " ")
    choices = spec.metadata.get("choices")
    if choices and not all(choice in text for choice in choices):
        text += f" (one of: {', '.join(choices)})"
    return [f"{indent}# {line}" for line in _wrap(text, 110 - len(indent))]


def _shown(spec: dataclasses.Field) -> Any:
    """What a commented-out key shows: its example, else its default."""
    if "example" in spec.metadata:
        return spec.metadata["example"]
    return spec.default


def _dump(mapping: dict[str, Any]) -> str:
    return yaml.safe_dump(mapping, allow_unicode=True, sort_keys=False, default_flow_style=False, width=1000)


def _example(spec: dataclasses.Field) -> str:
    """`key: value` of a commented-out key; a mapping or list value on the key's line (`ui: {a: b}`), so that
    removing one `# ` uses it."""
    value = _shown(spec)
    if isinstance(value, (dict, list)):
        return f"{spec.name}: " + yaml.safe_dump(value, allow_unicode=True, sort_keys=False, default_flow_style=True,
                                                 width=1000).strip()
    return _dump({spec.name: value})


def _wrap(text: str, width: int) -> list[str]:
    # break_on_hyphens off: a choice such as all-lessons-and-quiz-passed stays whole on one line
    return textwrap.wrap(text, width, break_on_hyphens=False) or [""]
