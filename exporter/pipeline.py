"""The only place that knows the stage order: load -> normalize -> assets -> render -> export."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from exporter.assets import resolve_assets
from exporter.config import CourseConfig, load_config, with_overrides
from exporter.diagnostics import Code, Reporter, Severity
from exporter.errors import BuildFailed, ConfigError
from exporter.load import discover_lessons, load_lessons
from exporter.model import AssetManifest, Course
from exporter.normalize import normalize


@dataclass(frozen=True)
class BuildOptions:
    source: Path
    out: Path = Path("build")
    formats: tuple[str, ...] = ()
    """Empty: every format."""
    strict: bool = False
    offline: bool = False
    skip_broken: bool = False
    theme: str = "default"
    overrides: dict[str, Any] = field(default_factory=dict)
    """Command-line values for course.yml options (paper, mode, lms...); None means not given."""
    jobs: int | None = None
    """Worker processes for the PDF layout; None: the machine's cores."""


def read_course(source: Path, reporter: Reporter, overrides: dict[str, Any] | None = None) -> Course:
    """Load and normalize: everything `tree` and `check` need, nothing written."""
    if not source.is_dir():
        raise ConfigError(f"'{source}' is not a folder of lessons")
    config: CourseConfig = with_overrides(load_config(source, reporter), **(overrides or {}))
    paths = discover_lessons(source, config, reporter)
    sources = load_lessons(source, paths, reporter)
    return normalize(sources, config, reporter)


def prepare(options: BuildOptions, reporter: Reporter) -> tuple[Course, AssetManifest]:
    """All reading and checking, before any writing (MkDocs: gather everything, then write)."""
    course = read_course(options.source, reporter, options.overrides)
    course, manifest = resolve_assets(course, options.source, reporter, offline=options.offline)
    return _drop_or_stop(course, options, reporter), manifest


def build(options: BuildOptions, reporter: Reporter, progress: Callable[[str], None] = lambda _: None) -> list[Path]:
    """Build every requested format from one tree; return the artifacts written."""
    from exporter.exporters import DEFAULT_FORMATS, exporters
    from exporter.render import render_lessons
    from exporter.theme import load_theme

    available = exporters()
    formats = options.formats or tuple(f for f in DEFAULT_FORMATS if f in available) or ("html",)
    unknown = [f for f in formats if f not in available]
    if unknown:
        raise ConfigError(f"unknown format {', '.join(unknown)}; choose from {', '.join(sorted(available))}")
    theme = load_theme(options.theme)
    course, manifest = prepare(options, reporter)
    progress("rendering lessons")
    lessons = render_lessons(course, reporter)  # one pandoc call, shared by every format
    books = []
    for name in formats:
        progress(f"rendering {name}")
        # Only the PDF lays out in worker processes (until the pre-write layout step takes `jobs` itself).
        exporter = available[name](jobs=options.jobs) if name == "pdf" else available[name]()
        books.append((exporter, exporter.render(course, lessons, manifest, theme, reporter)))
    _stop_if_failed(options, reporter)
    written = []
    for exporter, book in books:
        progress(f"writing {exporter.name}")
        written.append(exporter.export(book, options.out, reporter))
    written.append(_write_loss_report(course, manifest, formats, options, reporter))
    if manifest.lock_changed:
        # Only after a build that wrote its outputs: `check` and failed builds leave the course folder as is.
        from exporter.assets.remote import write_lockfile
        written.append(write_lockfile(options.source, manifest.lock))
    return written


def _write_loss_report(course: Course, manifest: AssetManifest, formats: tuple[str, ...], options: BuildOptions,
                       reporter: Reporter) -> Path:
    """`<slug>-report.txt`: what each format could not carry; its first line is the terminal summary."""
    from exporter._files import atomic_write
    from exporter.assets.report import loss_report

    summary, text = loss_report(course, manifest, formats, reporter.diagnostics)
    path = options.out / f"{course.config.slug}-report.txt"
    atomic_write(path, f"{summary}\n\n{text}".encode("utf-8"))
    return path


def _drop_or_stop(course: Course, options: BuildOptions, reporter: Reporter) -> Course:
    """Errors stop the build before anything is written, unless --skip-broken leaves those lessons out."""
    broken = {d.pos.path for d in reporter.diagnostics if d.severity == Severity.ERROR and d.pos}
    if not broken:
        _stop_if_failed(options, reporter)
        return course
    if not options.skip_broken:
        raise BuildFailed(reporter.count(Severity.ERROR))
    for path in sorted(broken):
        reporter.warning(Code.LESSON_SKIPPED, f"{path} left out of the build because of the errors above "
                         "(--skip-broken)", None if path == "course.yml" else _pos(path))
    modules = tuple(dataclasses.replace(m, lessons=tuple(l for l in m.lessons if l.source not in broken))
                    for m in course.modules)
    return dataclasses.replace(course, modules=tuple(m for m in modules if m.lessons))


def _pos(path: str):
    from exporter.model import SourcePos
    return SourcePos(path, 1)


def _stop_if_failed(options: BuildOptions, reporter: Reporter) -> None:
    errors, warnings = reporter.count(Severity.ERROR), reporter.count(Severity.WARNING)
    if options.skip_broken:
        errors = 0  # reported, and the broken lessons are already out
    if errors or (options.strict and warnings):
        raise BuildFailed(errors, warnings, options.strict)
