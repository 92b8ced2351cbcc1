"""`exporter preview`: the course as web pages on 127.0.0.1, rebuilt when a file of the course changes, the
open page reloaded by itself (server-sent events) at the same scroll position. As `mkdocs serve`,
`mdbook serve` and `quarto preview` do: an edit shows in the browser a moment after it is saved.

The main thread watches the folder and rebuilds; the server answers from its own threads, from memory."""
from __future__ import annotations

import errno
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import watchfiles

from exporter.config import load_config
from exporter.diagnostics import Reporter
from exporter.errors import ConfigError, UsageError
from exporter.i18n import Ui, ui_for
from exporter.pipeline import BuildOptions
from exporter.preview.server import PreviewServer, is_loopback
from exporter.preview.site import Site, Snapshot
from exporter.theme import load_theme

IGNORED_DIRS = ("build", ".cache")
"""Build output and caches kept in the course folder (the .gitignore of `exporter init` lists them): writing
them is not an edit of the course."""
DEBOUNCE_MS, STEP_MS = 400, 40
"""A save is seen 40 ms after the editor stops writing (editors write a file in several steps), and a burst
of changes (a `git checkout`) is taken as one after at most 400 ms."""


@dataclass(frozen=True)
class PreviewOptions:
    build: BuildOptions
    host: str = "127.0.0.1"
    port: int = 8000


class Say:
    """Where the preview talks: `out` for the address and progress, `err` for diagnostics (the CLI's echo)."""

    def __init__(self, out: Callable[[str], None], err: Callable[[str], None]) -> None:
        self.out, self.err = out, err


def serve(options: PreviewOptions, say: Say, ready: Callable[[str], None] | None = None) -> None:
    """Build, serve and watch until Ctrl-C (KeyboardInterrupt), then stop cleanly: the server closed, every
    event stream ended, the watcher stopped."""
    source = options.build.source
    if not source.is_dir():
        raise ConfigError(f"'{source}' is not a folder of lessons")
    site = Site(options.build)
    theme = load_theme(options.build.theme).localized(_course_ui(source))
    server = _start_server(options, site, theme, str(source).rstrip("/"))
    stop = threading.Event()
    try:
        _report(site.rebuild(), source, say, first=True)
        threading.Thread(target=server.serve_forever, name="preview-server", daemon=True).start()
        say.out(f"Serving {source} at {server.url} (Ctrl-C to stop)")
        if not is_loopback(options.host):
            say.err(f"warning: serving on {options.host}: anyone who can reach this machine on port "
                    f"{server.server_address[1]} can read the course")
        if ready is not None:
            ready(server.url)
        _watch(source, site, say, stop)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        site.close()
        server.shutdown()
        server.server_close()
        say.out("Stopped.")


def _course_ui(source: Path) -> Ui:
    """The preview's own words in the course's language, as course.yml says when the preview starts (its
    diagnostics are the builds')."""
    config = load_config(source, Reporter())
    return ui_for(config.language, config.ui)


def _start_server(options: PreviewOptions, site: Site, theme, source: str) -> PreviewServer:
    try:
        return PreviewServer((options.host, options.port), site, theme, source)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(f"port {options.port} on {options.host} is in use (another preview?): pass "
                             "--port with another number, or --port 0 for any free one") from exc
        raise UsageError(f"cannot listen on {options.host}:{options.port}: {exc.strerror or exc}") from exc


def _watch(source: Path, site: Site, say: Say, stop: threading.Event) -> None:
    ignored = tuple(str((source / name).resolve()) for name in IGNORED_DIRS)
    accept = watchfiles.DefaultFilter(ignore_paths=ignored)
    for changes in watchfiles.watch(source, watch_filter=accept, debounce=DEBOUNCE_MS, step=STEP_MS,
                                    stop_event=stop, raise_interrupt=True):
        names = sorted({_relative(path, source) for _, path in changes})
        say.err(f"changed: {', '.join(names[:5])}{' ...' if len(names) > 5 else ''}")
        _report(site.rebuild(), source, say)


def _report(snapshot: Snapshot, source: Path, say: Say, first: bool = False) -> None:
    """The build's diagnostics in the terminal, as `exporter build` prints them, then one line of outcome."""
    root = str(source).rstrip("/")
    for diagnostic in snapshot.diagnostics:
        say.err(diagnostic.format(root))
    pages = sum(1 for name in snapshot.pages if name.endswith(".html"))
    if snapshot.failure:
        say.err(f"error: {snapshot.failure}" if pages else "error: the course has errors; fix them and save")
    else:
        verb = "built" if first else "rebuilt"
        say.err(f"{verb} {pages} page(s) in {snapshot.seconds:.2f} s")


def _relative(path: str, source: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(source.resolve()))
    except ValueError:
        return path
