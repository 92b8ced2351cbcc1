"""The guard around each lesson's share of a stage. An unexpected exception there is a bug of ours that
one lesson triggers; it becomes one error naming that lesson (not a traceback), so the author knows where
to look and `--skip-broken` can build the rest of the course."""
from __future__ import annotations

import contextlib
from typing import Iterator

from exporter.errors import ExporterError


class LessonFailed(ExporterError):
    """A stage failed on one lesson for a reason that is not the author's to fix."""

    def __init__(self, source: str, stage: str, cause: BaseException) -> None:
        self.source, self.stage = source, stage
        what = f"{type(cause).__name__}: {cause}".strip().rstrip(":")
        super().__init__(f"exporter failed while {stage} this lesson ({what[:300]}). This is a bug in exporter, "
                         "not in the lesson: please report it with the lesson attached; --skip-broken builds "
                         "the rest of the course meanwhile")


@contextlib.contextmanager
def lesson_guard(source: str, stage: str) -> Iterator[None]:
    """Run a lesson's share of `stage` ('normalizing', 'rendering', 'shaping the EPUB for'...); turn an
    unexpected exception into LessonFailed. Our own expected errors pass through unchanged."""
    try:
        yield
    except ExporterError:
        raise
    except (Exception, RecursionError) as exc:  # noqa: BLE001 - this is the one place that catches them all
        raise LessonFailed(source, stage, exc) from exc
