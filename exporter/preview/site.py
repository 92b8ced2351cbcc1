"""What `preview` serves: the course as web pages, built in memory, rebuilt on each change. A build that
fails keeps the last good pages and says why; the PDF is built on request, in the background."""
from __future__ import annotations

import dataclasses
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from exporter import pipeline
from exporter.cache import BuildCache, open_cache
from exporter.diagnostics import Diagnostic, Reporter, Severity
from exporter.errors import BuildFailed, ExporterError
from exporter.model import Artifact


@dataclass(frozen=True)
class Snapshot:
    """One state of the site: the pages of the last good build and what the last build said."""

    generation: int
    """Counts builds; a page knows the generation it was served from and reloads when it is behind."""
    pages: dict[str, bytes] = field(default_factory=dict)
    """Member name -> bytes: index.html, one page per lesson, style.css, assets/..."""
    diagnostics: tuple[Diagnostic, ...] = ()
    failure: str | None = None
    """Why the last build failed (its pages are then those of an earlier build), or None."""
    seconds: float = 0.0

    def count(self, severity: Severity) -> int:
        return sum(1 for d in self.diagnostics if d.severity == severity)


class Site:
    """The current Snapshot, safe to read from the server's threads while the watcher rebuilds."""

    def __init__(self, options: pipeline.BuildOptions) -> None:
        self.options = dataclasses.replace(options, formats=("html",), strict=False)
        self.cache: BuildCache = open_cache(options.cache)
        """One cache for every rebuild and the PDF: an unchanged lesson is not rendered again."""
        self._changed = threading.Condition()
        self._snapshot = Snapshot(0)
        self.closed = False
        self.pdf = PdfMaker(dataclasses.replace(options, formats=("pdf",), strict=False), self.cache)

    @property
    def snapshot(self) -> Snapshot:
        with self._changed:
            return self._snapshot

    def rebuild(self) -> Snapshot:
        """Build the pages again; on failure keep the pages there were. Wakes every waiting event stream."""
        started = time.perf_counter()
        reporter = Reporter()
        pages, failure = self.snapshot.pages, None
        try:
            pages = dict(_members(build_in_memory(self.options, reporter, self.cache)))
        except BuildFailed as exc:
            failure = f"the course has {exc.errors} error(s): this page shows the last good build"
        except (ExporterError, OSError) as exc:
            failure = f"{exc}: this page shows the last good build"
        with self._changed:
            self._snapshot = Snapshot(self._snapshot.generation + 1, pages, tuple(reporter.diagnostics), failure,
                                      time.perf_counter() - started)
            self._changed.notify_all()
            return self._snapshot

    def wait_for(self, after: int, timeout: float) -> Snapshot | None:
        """The snapshot once its generation is past `after`; None after `timeout` s or once closed."""
        with self._changed:
            self._changed.wait_for(lambda: self.closed or self._snapshot.generation > after, timeout)
            return None if self.closed or self._snapshot.generation <= after else self._snapshot

    def close(self) -> None:
        """Ends every event stream (Ctrl-C): nothing waits on the site any more."""
        with self._changed:
            self.closed = True
            self._changed.notify_all()


class PdfMaker:
    """The course's PDF, built when first asked for after a change, in a thread of its own (the pages keep
    being served and rebuilt meanwhile); one build at a time, shared by every request for the same state."""

    def __init__(self, options: pipeline.BuildOptions, cache: BuildCache) -> None:
        self.options, self.cache = options, cache
        self._lock = threading.Lock()
        self._jobs: dict[int, _PdfJob] = {}

    def request(self, generation: int) -> "_PdfJob":
        """The build of the PDF for the site's `generation`, started if there is none yet."""
        with self._lock:
            job = self._jobs.get(generation)
            if job is None:
                self._jobs = {generation: (job := _PdfJob())}  # older states are of no use any more
                threading.Thread(target=job.run, args=(self._build,), daemon=True,
                                 name=f"preview-pdf-{generation}").start()
            return job

    def _build(self) -> tuple[str, bytes]:
        reporter = Reporter()
        try:
            artifact = next(a for a in build_in_memory(self.options, reporter, self.cache) if a.name.endswith(".pdf"))
        except BuildFailed as exc:
            lines = [d.format() for d in reporter.diagnostics if d.severity == Severity.ERROR]
            raise ExporterError("\n".join([f"the PDF was not built: {exc.errors} error(s)", *lines])) from exc
        return artifact.name, artifact.data or b""


@dataclass
class _PdfJob:
    done: threading.Event = field(default_factory=threading.Event)
    result: tuple[str, bytes] | None = None
    error: str | None = None

    def run(self, build: Callable[[], tuple[str, bytes]]) -> None:
        try:
            self.result = build()
        except (ExporterError, OSError) as exc:
            self.error = str(exc)
        except Exception as exc:  # noqa: BLE001 - a bug of ours must reach the page, not kill a thread silently
            self.error = f"exporter failed while building the PDF ({type(exc).__name__}: {exc}); please report it"
        finally:
            self.done.set()


def build_in_memory(options: pipeline.BuildOptions, reporter: Reporter, cache: BuildCache) -> list[Artifact]:
    return pipeline.assemble(options, reporter, cache=cache).artifacts


def _members(artifacts: list[Artifact]) -> list[tuple[str, bytes]]:
    """The pages: the members of the html artifact (the loss report is for builds)."""
    return [member for artifact in artifacts if artifact.members for member in artifact.members]
