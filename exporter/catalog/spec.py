"""CATALOG.yml -> Catalog: which course folders to build, with which per-course overrides, into which folders.

    out: build/catalog            # optional; --out wins; relative to the catalog file
    defaults: {formats: [pdf, epub], lms: moodle}
    courses:
      - courses/*                 # a glob: every folder it matches
      - path: courses/intro-fr    # a folder matched again takes this entry's overrides (the last one wins)
        language: fr
        lms: canvas
        formats: [pdf, epub, scorm12]
        out: intro-fr             # the folder under OUT (default: the course's slug)

Paths are relative to the catalog file. Every course is written to OUT/<out or slug>/, with the names
`exporter build` gives its files.
"""
from __future__ import annotations

import glob
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from exporter.config import load_config, with_overrides
from exporter.diagnostics import Reporter
from exporter.errors import UsageError
from exporter.exporters import DEFAULT_FORMATS, EXPORTERS
from exporter.exporters.scorm.profiles import PROFILES
from exporter.safe_yaml import load_yaml, problem_of

OVERRIDE_KEYS = ("formats", "lms", "language")
ENTRY_KEYS = ("path", "out", *OVERRIDE_KEYS)
LANGUAGE = re.compile(r"[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*")
FOLDER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


class CatalogError(UsageError):
    """The catalog file is unusable: exit 2, like any usage error, before any job starts."""


@dataclass(frozen=True)
class CatalogCourse:
    source: Path
    """The course folder, absolute."""
    folder: str
    """Its output folder's name under OUT."""
    formats: tuple[str, ...]
    lms: str | None = None
    language: str | None = None

    @property
    def overrides(self) -> dict[str, str | None]:
        return {"lms": self.lms, "language": self.language}


@dataclass(frozen=True)
class Catalog:
    path: Path
    courses: tuple[CatalogCourse, ...]
    out: Path | None
    """`out:` of the file (absolute), if it names one."""


def load_catalog(path: Path, formats: tuple[str, ...] = ()) -> Catalog:
    """Read and check the catalog file; `formats` (the command line's --format) replaces every course's."""
    raw = _read(path)
    base = path.resolve().parent
    defaults = _overrides(raw.get("defaults") or {}, path, "defaults")
    entries = raw.get("courses")
    if not isinstance(entries, list) or not entries:
        raise CatalogError(f"{path}: 'courses' must be a list of course folders (globs allowed, e.g. courses/*)")
    chosen: dict[Path, dict[str, Any]] = {}
    for index, entry in enumerate(entries, 1):
        spec = _entry(entry, path, index)
        folders = _matches(base, spec["path"], path, index)
        for folder in folders:
            chosen[folder] = {**defaults, **{k: v for k, v in spec.items() if k != "path"}}
    courses = tuple(_course(folder, values, formats) for folder, values in chosen.items())
    _check_unique_folders(courses, path)
    out = raw.get("out")
    if out is not None and not isinstance(out, str):
        raise CatalogError(f"{path}: 'out' must be a folder path")
    return Catalog(path, courses, base / out if out else None)


def _read(path: Path) -> dict[str, Any]:
    try:
        data = load_yaml(path.read_text(encoding="utf-8-sig")).data
    except OSError as exc:
        raise CatalogError(f"{path}: cannot be read: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise CatalogError(f"{path}: is not UTF-8 text; save it as UTF-8") from exc
    except yaml.YAMLError as exc:
        problem, line = problem_of(exc)
        raise CatalogError(f"{path}:{line + 1}: not valid YAML: {problem}") from exc
    if not isinstance(data, dict):
        raise CatalogError(f"{path}: must be a mapping with a 'courses' list")
    unknown = sorted(set(data) - {"courses", "out", "defaults"})
    if unknown:
        raise CatalogError(f"{path}: unknown key '{unknown[0]}'; known: courses, out, defaults")
    return data


def _entry(entry: Any, path: Path, index: int) -> dict[str, Any]:
    """A course entry as a mapping: a plain string is its path."""
    if isinstance(entry, str):
        entry = {"path": entry}
    if not isinstance(entry, dict) or not isinstance(entry.get("path"), str) or not entry["path"].strip():
        raise CatalogError(f"{path}: course {index} must be a folder (or glob), or a mapping with a 'path'")
    unknown = sorted(set(entry) - set(ENTRY_KEYS))
    if unknown:
        raise CatalogError(f"{path}: course {index} ({entry['path']}): unknown key '{unknown[0]}'; known: "
                           f"{', '.join(ENTRY_KEYS)}")
    spec = {"path": entry["path"], **_overrides({k: v for k, v in entry.items() if k in OVERRIDE_KEYS}, path,
                                                 f"course {index} ({entry['path']})")}
    if "out" in entry:
        if not isinstance(entry["out"], str) or not FOLDER_NAME.fullmatch(entry["out"]):
            raise CatalogError(f"{path}: course {index} ({entry['path']}): 'out' must be one folder name "
                               "(letters, digits, '.', '_', '-')")
        spec["out"] = entry["out"]
    return spec


def _overrides(raw: Any, path: Path, where: str) -> dict[str, Any]:
    """The checked overrides of an entry (or of `defaults`)."""
    if not isinstance(raw, dict):
        raise CatalogError(f"{path}: {where} must be a mapping of {', '.join(OVERRIDE_KEYS)}")
    unknown = sorted(set(raw) - set(OVERRIDE_KEYS))
    if unknown:
        raise CatalogError(f"{path}: {where}: unknown key '{unknown[0]}'; known: {', '.join(OVERRIDE_KEYS)}")
    values: dict[str, Any] = {}
    if "formats" in raw:
        formats = raw["formats"]
        if not isinstance(formats, list) or not formats or not all(isinstance(f, str) for f in formats):
            raise CatalogError(f"{path}: {where}: 'formats' must be a list of format names")
        values["formats"] = tuple(dict.fromkeys(_known(formats, EXPORTERS, "format", path, where)))
    if "lms" in raw:
        values["lms"] = _known([raw["lms"]], PROFILES, "lms", path, where)[0]
    if "language" in raw:
        if not isinstance(raw["language"], str) or not LANGUAGE.fullmatch(raw["language"]):
            raise CatalogError(f"{path}: {where}: 'language' must be a BCP 47 tag such as fr or pt-BR, not "
                               f"{raw['language']!r:.40}")
        values["language"] = raw["language"]
    return values


def _known(names: list[Any], known: Any, what: str, path: Path, where: str) -> list[str]:
    for name in names:
        if name not in known:
            raise CatalogError(f"{path}: {where}: unknown {what} {name!r:.40}; choose from {', '.join(known)}")
    return names


def _matches(base: Path, pattern: str, path: Path, index: int) -> list[Path]:
    """The course folders an entry names, sorted (a glob's order must not depend on the file system)."""
    found = sorted(Path(match).resolve() for match in glob.glob(str(base / pattern)) if Path(match).is_dir())
    if not found:
        raise CatalogError(f"{path}: course {index}: '{pattern}' matches no folder (paths are relative to the "
                           "catalog file)")
    return found


def _course(folder: Path, values: dict[str, Any], formats: tuple[str, ...]) -> CatalogCourse:
    """A course with its output folder: `out`, else its slug (read as its build would: overrides applied)."""
    name = values.get("out")
    if name is None:
        # Problems of course.yml are the course job's to report, with the rest of its diagnostics.
        config = with_overrides(load_config(folder, Reporter()), language=values.get("language"))
        name = config.slug
    return CatalogCourse(folder, name, formats or values.get("formats") or DEFAULT_FORMATS,
                         values.get("lms"), values.get("language"))


def _check_unique_folders(courses: tuple[CatalogCourse, ...], path: Path) -> None:
    seen: dict[str, Path] = {}
    for course in courses:
        if course.folder in seen:
            raise CatalogError(f"{path}: {seen[course.folder]} and {course.source} would both be written to "
                               f"OUT/{course.folder}; give one of them 'out: NAME'")
        seen[course.folder] = course.source
