"""Large outputs kept on disk, not in memory, between packaging and publishing.

A build publishes all its outputs at once, only after every format passed (nothing is written when one
fails), so each output waits for the others. Every EPUB, SCORM, cmi5 and xAPI package of a course holds all
of its figures: for 400 lessons that is six outputs of 120 MB or more each, which, held in memory until the
last was packaged, made most of the build's peak. So while a build runs (`spooling`), every zip is written
straight into a temporary folder as it is packaged (`zip_artifact`), its figures copied in from their files
a piece at a time; any other output of SPOOL_BYTES or more is moved there once packaged (`spool`).

The folder is made inside the output folder when that exists (a rebuild), so publishing renames each
spooled file into place instead of copying it: for a 100-lesson course that is 90 MB not written twice,
0.06 s of a one-second rebuild. A first build spools to the system's temporary folder and publishing copies.
Either way the folder goes when the build ends, published or failed.
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
from exporter.errors import ExportError
from exporter.model import Artifact

SPOOL_BYTES = 64 * 1024 * 1024


class _Folder:
    """The build's spool folder, made when the first output goes to it: inside `beside` if that folder
    exists, else in the system's temporary folder."""

    def __init__(self, beside: Path | None) -> None:
        self.beside = beside
        self.path: Path | None = None

    def file_for(self, name: str) -> Path:
        self.path = self.path or self._made()
        return self.path / name

    @contextmanager
    def writing(self) -> Iterator[None]:
        """A spooled output that cannot be written (a full disk) fails the build as publishing it would."""
        try:
            yield
        except OSError as exc:
            where = self.beside if self.path is not None and self.path.parent == self.beside else self.path
            raise ExportError(f"cannot write the outputs into {where}: {exc.strerror or exc}; nothing was "
                              "written and earlier outputs are as they were") from exc

    def _made(self) -> Path:
        if self.beside is not None and self.beside.is_dir():
            try:
                return Path(tempfile.mkdtemp(prefix=".exporter-spool-", dir=self.beside))
            except OSError:  # a read-only output folder fails later, when publishing, with its own message
                pass
        return Path(tempfile.mkdtemp(prefix="exporter-spool-"))


_CURRENT: contextvars.ContextVar[_Folder | None] = contextvars.ContextVar("spool_folder", default=None)


@contextmanager
def spooling(beside: Path | None = None) -> Iterator[Callable[[Artifact], Artifact]]:
    """Spooling on for the block, into a folder inside `beside` (the output folder) when it exists; yields
    a function that moves a large in-memory artifact into the spool folder (removed on leaving, whether the
    build published the files or failed)."""
    folder = _Folder(beside)
    token = _CURRENT.set(folder)

    def spool(artifact: Artifact) -> Artifact:
        if artifact.data is None or len(artifact.data) < SPOOL_BYTES:
            return artifact
        with folder.writing():
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
    """The zip of `members` (`_files.write_zip_to`) as output `name`: written straight into the spool
    folder while spooling, else in memory."""
    folder = _CURRENT.get()
    if folder is None:
        return Artifact(name, zip_bytes(members, first))
    with folder.writing():
        path = folder.file_for(name)
        with path.open("wb") as target:
            write_zip_to(target, members, first)
    return Artifact(name, spooled=path)
