"""The end of a catalog run for people: every course's diagnostics (compiler-style, paths as typed) and one
table, per course and format: built / cached / failed, the time, and whether the files were written."""
from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Callable, Iterator

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress
from rich.table import Table

from exporter.catalog.run import Progress

from exporter.catalog.jobs import CourseOutcome
from exporter.diagnostics import Severity

STYLES = {"built": "green", "cached": "cyan", "failed": "bold red"}


def print_diagnostics(outcomes: list[CourseOutcome], say: Callable[[str], None], verbose: bool = False) -> None:
    """`courses/intro/02-x.md:7: error: ... [code]`, then one `error:` line per failed course."""
    for outcome in outcomes:
        root = _shown(outcome.source)
        for diagnostic in outcome.diagnostics:
            if diagnostic.severity >= Severity.WARNING or verbose:
                say(diagnostic.format(root))
        for error in dict.fromkeys(outcome.errors):
            say(f"error: {root}: {error}")


def outcome_table(outcomes: list[CourseOutcome], wall_seconds: float) -> Table:
    failed = sum(outcome.failed for outcome in outcomes)
    table = Table(title=f"catalog: {len(outcomes)} course(s), {failed} failed, {wall_seconds:.1f} s",
                  title_justify="left")
    for column in ("course", "format", "status", "seconds", "files"):
        table.add_column(column, justify="right" if column == "seconds" else "left")
    for outcome in outcomes:
        files = f"{_shown(outcome.out_dir)}: {outcome.published}"
        for index, (fmt, status, seconds) in enumerate(outcome.jobs):
            table.add_row(_shown(outcome.source) if index == 0 else "", fmt, f"[{STYLES[status]}]{status}[/]",
                          f"{seconds:.2f}", files if index == 0 else "")
        table.add_section()
    return table


def print_table(outcomes: list[CourseOutcome], wall_seconds: float) -> None:
    """On stdout; a pipe or a log gets the whole table, not one cut to 80 columns."""
    console = Console(width=None if sys.stdout.isatty() else 200)
    console.print(outcome_table(outcomes, wall_seconds))


def _shown(path: str) -> str:
    """A path as the user would type it: relative to where they are when it is below it."""
    try:
        return str(Path(path).relative_to(Path(os.getcwd())))
    except ValueError:
        return path


@contextlib.contextmanager
def live_progress() -> Iterator[Progress]:
    """A rich progress bar of the catalog's jobs on stderr, with the dashboard's address when there is one."""
    console = Console(stderr=True)
    with RichProgress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=console, transient=False) as bar:
        task = bar.add_task("catalog", total=None)

        def started(total: int, dashboard: str | None) -> None:
            if dashboard:
                console.print(f"Dask dashboard: {dashboard}")
            bar.update(task, total=total, description=f"catalog: {total} jobs")

        yield Progress(started, lambda key: bar.advance(task))
