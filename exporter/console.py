"""How the command line shows a build's progress: rich bars on a terminal; nothing in a pipe, a log or under
--quiet, where only diagnostics and results are printed (the library only reports: exporter/progress.py)."""
from __future__ import annotations

import contextlib
import sys
from typing import TYPE_CHECKING, Iterator

from exporter.progress import SILENT, Progress

if TYPE_CHECKING:  # rich is imported only when bars are shown: 25 ms of every build in a pipe or a log
    from rich.progress import Progress as RichProgress
    from rich.progress import TaskID


class BarProgress(Progress):
    """One line per stage: a bar with a count when the stage counts its items, a spinner when it does not. A
    finished stage stays on screen, ticked, with its time, so the terminal shows where a long build spent it."""

    def __init__(self, bars: RichProgress) -> None:
        self.bars = bars
        self.current: TaskID | None = None

    def stage(self, name: str, total: int | None = None) -> None:
        self._finish()
        self.current = self.bars.add_task(name, total=total)

    def advance(self, done: int = 1) -> None:
        if self.current is not None:
            self.bars.advance(self.current, done)

    def _finish(self) -> None:
        if self.current is None:
            return
        task = self.bars.tasks[self.current]
        self.bars.update(self.current, total=task.total or 1, completed=task.total or 1)
        self.bars.stop_task(self.current)

    def close(self) -> None:
        self._finish()
        self.current = None


def columns() -> tuple:
    """A stage's line: spinner (a tick once done), name, bar, items done of its total, time."""
    from rich.progress import BarColumn, MofNCompleteColumn, SpinnerColumn, TextColumn, TimeElapsedColumn

    return (SpinnerColumn(finished_text="[green]✓"), TextColumn("{task.description}"), BarColumn(),
            MofNCompleteColumn(), TimeElapsedColumn())


@contextlib.contextmanager
def build_progress(quiet: bool = False) -> Iterator[Progress]:
    """Bars on stderr when it is a terminal (and not --quiet); otherwise SILENT."""
    if quiet or not sys.stderr.isatty():
        yield SILENT
        return
    from rich.console import Console
    from rich.progress import Progress as RichProgress

    with RichProgress(*columns(), console=Console(stderr=True), transient=False) as bars:
        progress = BarProgress(bars)
        try:
            yield progress
        finally:
            progress.close()
