"""Large outputs kept on disk, not in memory, between packaging and publishing.

A build publishes all its outputs at once, only after every format passed (nothing is written when one
fails), so each output waits for the others. Every EPUB, SCORM, cmi5 and xAPI package of a course holds all
of its figures: for 400 lessons that is six outputs of 120 MB or more each, which, held in memory until the
last was packaged, made most of the build's peak. An output larger than SPOOL_BYTES is written to a
temporary file as soon as it is packaged, and moved into the output folder when the build publishes; a
100-lesson course (outputs of about 30 MB) spools nothing, so it pays nothing.
"""
from __future__ import annotations

import dataclasses
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from exporter.model import Artifact

SPOOL_BYTES = 64 * 1024 * 1024


@contextmanager
def spooling() -> Iterator[Callable[[Artifact], Artifact]]:
    """A function that spools a large artifact into a temporary folder (removed on leaving, whether the
    build published the files or failed) and returns it as spooled; small ones are returned as they are."""
    folder: Path | None = None

    def spool(artifact: Artifact) -> Artifact:
        nonlocal folder
        if artifact.data is None or len(artifact.data) < SPOOL_BYTES:
            return artifact
        folder = folder or Path(tempfile.mkdtemp(prefix="exporter-spool-"))
        path = folder / artifact.name
        path.write_bytes(artifact.data)
        return dataclasses.replace(artifact, data=None, spooled=path)

    try:
        yield spool
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
