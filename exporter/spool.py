"""Large outputs kept on disk, not in memory, between packaging and publishing.

A build publishes all its outputs at once, only after every format passed (nothing is written when one
fails), so each output waits for the others. Every EPUB, SCORM, cmi5 and xAPI package of a course holds all
of its figures: for 400 lessons that is six outputs of 120 MB or more each, which, held in memory until the
last was packaged, made most of the build's peak. So while a build runs (`spooling`), a zip whose members
come to SPOOL_BYTES or more is written straight into a temporary folder as it is packaged (`zip_artifact`),
its figures copied in from their files a piece at a time; any other output larger than that is moved there
once packaged (`spool`). Publishing moves them into the output folder. A 100-lesson course (outputs of
about 30 MB) spools nothing, so it pays nothing.
"""
from __future__ import annotations

import contextvars
import dataclasses
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterable, Iterator

from exporter._files import write_zip_to, zip_bytes
from exporter.model import Artifact

SPOOL_BYTES = 64 * 1024 * 1024


class _Folder:
    """The build's spool folder, made when the first output goes to it."""

    def __init__(self) -> None:
        self.path: Path | None = None

    def file_for(self, name: str) -> Path:
        self.path = self.path or Path(tempfile.mkdtemp(prefix="exporter-spool-"))
        return self.path / name


_CURRENT: contextvars.ContextVar[_Folder | None] = contextvars.ContextVar("spool_folder", default=None)


@contextmanager
def spooling() -> Iterator[Callable[[Artifact], Artifact]]:
    """Spooling on for the block; yields a function that moves a large in-memory artifact into the spool
    folder (removed on leaving, whether the build published the files or failed)."""
    folder = _Folder()
    token = _CURRENT.set(folder)

    def spool(artifact: Artifact) -> Artifact:
        if artifact.data is None or len(artifact.data) < SPOOL_BYTES:
            return artifact
        path = folder.file_for(artifact.name)
        path.write_bytes(artifact.data)
        return dataclasses.replace(artifact, data=None, spooled=path)

    try:
        yield spool
    finally:
        _CURRENT.reset(token)
        if folder.path is not None:
            shutil.rmtree(folder.path, ignore_errors=True)


def spool_file(name: str) -> Path | None:
    """Where output `name` may be written straight away while spooling (a PDF of a few hundred MB is saved
    there rather than built in memory), or None: then it is built in memory."""
    folder = _CURRENT.get()
    return folder.file_for(name) if folder is not None else None


def zip_artifact(name: str, members: Iterable[tuple[str, bytes | Path]], first: str | None = None) -> Artifact:
    """The zip of `members` (`_files.write_zip_to`) as output `name`: in memory, or, while spooling and
    when its members come to SPOOL_BYTES or more, written straight into the spool folder."""
    members = list(members)
    folder = _CURRENT.get()
    size = sum(data.stat().st_size if isinstance(data, Path) else len(data) for _, data in members)
    if folder is None or size < SPOOL_BYTES:
        return Artifact(name, zip_bytes(members, first))
    path = folder.file_for(name)
    with path.open("wb") as target:
        write_zip_to(target, members, first)
    return Artifact(name, spooled=path)
