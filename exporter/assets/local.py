"""Local image paths: resolved against the lesson's folder, never allowed to leave the content root.

The decision is made on the path alone (plus symlink resolution and, for absolute paths, whether
anything exists there); the bytes of a refused target are never opened.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from exporter._files import safe_join

_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")


@dataclass(frozen=True, slots=True)
class LocalImage:
    path: Path | None
    """The file to read, inside the content root; None when refused or missing."""
    problem: str | None = None
    """'outside' (refused: an error) or 'missing' (a warning), with `reason` for the message."""
    reason: str = ""


def is_local(src: str) -> bool:
    """Not a URL with a scheme we fetch (http, https, data): a path, or a file:/other-scheme URL."""
    return not re.match(r"^(https?:|data:|//)", src.strip(), re.I)


def resolve_local(root: Path, lesson: str, src: str) -> LocalImage:
    """`src` as written in `lesson` (content-relative path of the lesson) -> a file inside `root`."""
    try:
        return _resolve(root, lesson, src)
    except (OSError, RuntimeError, ValueError) as exc:  # a name over 255 bytes, a link loop, an odd character
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else "it cannot name a file"
        return LocalImage(None, "missing", f"the path cannot be used ({why}); give a shorter, plain path")


def _resolve(root: Path, lesson: str, src: str) -> LocalImage:
    raw = src.strip()
    if re.match(r"^[a-z][a-z0-9+.-]*:", raw, re.I) and not _WINDOWS_DRIVE.match(raw):
        if raw.lower().startswith("file:"):
            return LocalImage(None, "outside", "a file: URL names the building machine's disk")
        return LocalImage(None, "missing", f"the '{raw.split(':', 1)[0]}:' scheme is not supported")
    path = unquote(raw.split("#", 1)[0].split("?", 1)[0]).replace("\\", "/")
    if not path:
        return LocalImage(None, "missing", "the image has no path")
    if _WINDOWS_DRIVE.match(path):
        return LocalImage(None, "outside", "an absolute Windows path")
    if path.startswith("/"):
        return _absolute(root, path)
    relative = (PurePosixPath(lesson).parent / path).as_posix()
    target = safe_join(root, relative)
    if target is None:
        lexical = os.path.normpath(os.path.join(root.resolve(), relative))
        inside = lexical == str(root.resolve()) or lexical.startswith(str(root.resolve()) + os.sep)
        return LocalImage(None, "outside", "through a symbolic link" if inside else "")
    if not target.is_file():
        return LocalImage(None, "missing", f"no file at '{relative}' in the content folder")
    return LocalImage(target)


def _absolute(root: Path, path: str) -> LocalImage:
    """An absolute path is used only if it lies inside the content root. One that names something
    elsewhere on this machine (`/etc/passwd`) is refused as an error; one that names nothing here is
    usually a site-relative URL copied from HackMD (`/images/emoticon/…`) and is only missing."""
    base = root.resolve()
    target = Path(path).resolve()
    if target.is_relative_to(base) and target.is_file():
        return LocalImage(target)
    if os.path.lexists(path):
        return LocalImage(None, "outside", "an absolute path")
    return LocalImage(None, "missing", "it is an absolute path (a site-relative URL from HackMD?) and "
                                       "nothing is there; put the image in the course folder")
