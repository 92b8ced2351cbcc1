"""How far a build is, for whoever shows it: stages start (with their count of items when known), items finish.

Library code only reports; the command line decides how it shows (exporter/console.py: rich bars on a
terminal, nothing in a pipe or under --quiet). The base class shows nothing: tests, preview and catalog jobs
build without a word.
"""
from __future__ import annotations


class Progress:
    """Says nothing; subclasses show it."""

    def stage(self, name: str, total: int | None = None) -> None:
        """A stage starts; `total` items are to be done in it (None: not counted)."""

    def advance(self, done: int = 1) -> None:
        """`done` more items of the current stage are finished."""


SILENT = Progress()
