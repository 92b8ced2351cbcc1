"""The only place that knows the stage order: load -> normalize -> assets -> render -> shape -> package -> publish."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from exporter._files import publish
from exporter._gc import collector_paused
from exporter.assets import resolve_assets
from exporter.assets.remote import write_lockfile
from exporter.assets.report import loss_report
from exporter.cache import BuildCache, open_cache
from exporter.config import CourseConfig, config_pos, load_config, with_overrides
from exporter.diagrams import draw_diagrams
from exporter.diagnostics import Code, Reporter, Severity
from exporter.errors import BuildFailed, ConfigError, ExportError, UsageError
from exporter.exporters import DEFAULT_FORMATS, EXPORTERS, exporter_for
from exporter.guard import LessonFailed
from exporter.i18n import check_language, ui_for
from exporter.load import discover_lessons, load_lessons
from exporter.model import Artifact, AssetManifest, Course, SourcePos
from exporter.normalize import normalize
from exporter.progress import SILENT, Progress
from exporter.render import render_lessons
from exporter.spool import spooling
from exporter.theme import Theme, load_theme


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
    cache: bool = True
    """False (`--no-cache`): the build cache is neither read nor written."""
    overrides: dict[str, Any] = field(default_factory=dict)
    """Command-line values for course.yml options (paper, mode, lms...); None means not given."""
    jobs: int | None = None
    """Worker processes for the PDF layout and pandoc processes for a large course's read; None: the
    machine's cores."""


def read_course(source: Path, reporter: Reporter, overrides: dict[str, Any] | None = None,
                cache: BuildCache | None = None, jobs: int | None = None) -> Course:
    """Load and normalize: everything `tree` and `check` need, nothing written but the build cache."""
    if not source.is_dir():
        raise ConfigError(f"'{source}' is not a folder of lessons")
    config: CourseConfig = with_overrides(load_config(source, reporter), **(overrides or {}))
    check_language(config.language, reporter, config_pos(config))
    paths, refused = discover_lessons(source, config, reporter)
    cache = cache or open_cache()
    sources = load_lessons(source, paths, reporter, cache)
    unreadable = set(paths) - {s.path for s in sources}
    course = normalize(sources, config, reporter, cache, jobs)
    return course.with_broken([*refused, *unreadable])


def prepare(options: BuildOptions, reporter: Reporter,
            cache: BuildCache | None = None) -> tuple[Course, AssetManifest]:
    """All reading and checking, before any writing (MkDocs: gather everything, then write)."""
    cache = cache or open_cache(options.cache)
    course = read_course(options.source, reporter, options.overrides, cache, options.jobs)
    course, manifest = resolve_assets(course, options.source, reporter, offline=options.offline, builds=cache)
    # An image that leads outside the content folder is an error of its lesson.
    return course.with_broken(note.source for note in manifest.notes if note.kind == "refused"), manifest


@dataclass(frozen=True)
class Assembled:
    """A build in memory: what `build` writes, and the assets it took them from."""

    artifacts: list[Artifact]
    manifest: AssetManifest


def assemble(options: BuildOptions, reporter: Reporter, progress: Progress = SILENT,
             cache: BuildCache | None = None, report_for: tuple[str, ...] = (),
             keep: Callable[[Artifact], Artifact] = lambda artifact: artifact) -> Assembled:
    """Every requested format, shaped and packaged in memory; raises BuildFailed as `build` does. `preview`
    serves these without writing them; it passes one cache for all its rebuilds. `report_for`: the formats
    the loss report names (default: those built); a catalog builds each format of a course as its own job
    and publishes one report naming them all. `keep(artifact)`: what is held of each output until the last
    is packaged (`build` spools large ones to disk)."""
    names = _formats(options)
    cache = cache or open_cache(options.cache)
    theme = load_theme(options.theme, compiled=cache.beside("templates"))
    with collector_paused():  # the course tree holds no cycles worth the collector's passes (_gc.py)
        progress.stage("reading lessons and images")
        course, manifest = prepare(options, reporter, cache)
        course = _drop_or_stop(course, options, reporter)
        course, packaged = _render_and_shape(course, manifest, names, theme, options, cache, reporter, progress,
                                             keep)
        report = _loss_report(course, manifest, report_for or names)
        _stop_if_failed(options, reporter)
        return Assembled([*packaged, report], manifest)


def render_checked(options: BuildOptions, reporter: Reporter, cache: BuildCache) -> AssetManifest:
    """What every format of a build shares, checked and left in the cache: read, assets, the gate, render.
    A catalog runs it once per course before the course's format jobs, which then find it in the cache
    instead of each doing it at the same time; a broken course stops here. Raises BuildFailed as `build`."""
    with collector_paused():
        course, manifest = prepare(options, reporter, cache)
        course = _drop_or_stop(course, options, reporter)
        _render_and_shape(course, manifest, (), load_theme(options.theme), options, cache, reporter, SILENT)
    _stop_if_failed(options, reporter)
    return manifest


def check(options: BuildOptions, reporter: Reporter) -> None:
    """`exporter check`: every stage of a build of every requested format, in memory and written nowhere,
    but for packaging and the PDF's layout (most of a build's time; it adds only WeasyPrint's own words):
    the diagnostics a build gives. Lessons with errors stop it after reading, as they stop a build."""
    cache = open_cache(options.cache)
    theme = load_theme(options.theme, compiled=cache.beside("templates"))
    with collector_paused():
        course, manifest = prepare(options, reporter, cache)
        if reporter.count(Severity.ERROR):
            return  # a build stops here too: what reading found is the answer
        _render_and_shape(course, manifest, _formats(options), theme, options, cache, reporter, SILENT,
                          checking=True)


def build(options: BuildOptions, reporter: Reporter, progress: Progress = SILENT) -> list[Path]:
    """Build every requested format from one tree; return the files written. Nothing is written unless the
    whole build passes: every diagnostic is raised while shaping, before the gate, and the artifacts are
    then published all at once."""
    cache = open_cache(options.cache)
    with spooling(beside=options.out) as spool:
        assembled = assemble(options, reporter, progress, cache, keep=spool)
        progress.stage("writing")
        written = _publish(options.out, assembled.artifacts)
    if assembled.manifest.lock_changed:
        # Only after a build that wrote its outputs: `check` and failed builds leave the course folder as is.
        written.append(write_lockfile(options.source, assembled.manifest.lock))
    cache.prune()
    return written


def _render_and_shape(course: Course, manifest: AssetManifest, names: tuple[str, ...], theme: Theme,
                      options: BuildOptions, cache: BuildCache, reporter: Reporter, progress: Progress,
                      keep: Callable[[Artifact], Artifact] = lambda artifact: artifact, checking: bool = False
                      ) -> tuple[Course, list[Artifact]]:
    """Render once, shape and package every format. A lesson that makes a stage fail (a bug of ours) is
    named in an error; under --skip-broken the course is rendered and shaped again without it. Each format
    is packaged as soon as it is shaped (packaging reports nothing, so the gate still comes before any
    writing): one shaped book at a time is held, not every format's copy of the figures at once.
    `checking` (`exporter check`): each format is checked (`Exporter.check`), not shaped whole nor packaged."""
    theme = theme.localized(ui_for(course.config.language, course.config.ui))  # exporter's words: the course's
    while True:
        try:
            progress.stage("rendering lessons", len(course.lessons))
            lessons = render_lessons(course, reporter, cache, options.jobs)  # one pandoc write, shared by every format
            # one browser and one PlantUML at most, for every format; a warm build starts neither
            lessons, manifest = draw_diagrams(lessons, manifest, reporter, cache)
            progress.advance(len(lessons))
            packaged, shared = [], {}
            for name in names:
                progress.stage(f"shaping {name}")
                exporter = exporter_for(name, jobs=options.jobs, cache=cache, progress=progress, shared=shared)
                if checking:
                    getattr(exporter, "check", exporter.shape)(course, lessons, manifest, theme, reporter)
                    continue
                book = exporter.shape(course, lessons, manifest, theme, reporter)
                progress.stage(f"packaging {name}")
                packaged.append(keep(exporter.package(book)))
            # what rendering could not carry joins the loss report (the formats were shaped from `course`)
            return course.with_losses({item.lesson.source: item.losses for item in lessons if item.losses}), packaged
        except LessonFailed as failure:
            reporter.error(Code.LESSON_FAILED, str(failure), SourcePos(failure.source, 1))
            if not options.skip_broken:
                raise BuildFailed(reporter.count(Severity.ERROR)) from failure
            _say_left_out(failure.source, reporter)
            course = course.without({failure.source})


def _formats(options: BuildOptions) -> tuple[str, ...]:
    unknown = [name for name in options.formats if name not in EXPORTERS]
    if unknown:
        raise UsageError(f"unknown format {', '.join(unknown)}; choose from {', '.join(EXPORTERS)}")
    return tuple(dict.fromkeys(options.formats or DEFAULT_FORMATS))


def _loss_report(course: Course, manifest: AssetManifest, formats: tuple[str, ...]) -> Artifact:
    """`<slug>-report.txt`: what each format could not carry; its first line is the terminal summary."""
    summary, text = loss_report(course, manifest, formats)
    return Artifact(f"{course.config.slug}-report.txt", f"{summary}\n\n{text}".encode("utf-8"))


def _publish(out: Path, artifacts: list[Artifact]) -> list[Path]:
    try:
        return publish(out, artifacts)
    except OSError as exc:
        where = exc.filename or out
        raise ExportError(f"cannot write the outputs into {out}: {exc.strerror or exc} ({where}); nothing was "
                          "written and earlier outputs are as they were") from exc


def _drop_or_stop(course: Course, options: BuildOptions, reporter: Reporter) -> Course:
    """Errors stop the build before anything is written, unless --skip-broken leaves the broken lessons out
    and builds the rest (the exit code still says something was wrong)."""
    if course.broken and options.skip_broken:
        for path in course.broken:  # a listed file that does not exist gives no place to point at
            _say_left_out(path, reporter, located=(options.source / path).is_file())
        course = course.without(set(course.broken))
    _stop_if_failed(options, reporter)
    return course


def _say_left_out(path: str, reporter: Reporter, located: bool = True) -> None:
    """`located`: the lesson's file exists, so the message can point into it."""
    reporter.warning(Code.LESSON_SKIPPED, f"{path} left out of the build because of the errors above "
                     "(--skip-broken)", SourcePos(path, 1) if located else None)


def _stop_if_failed(options: BuildOptions, reporter: Reporter) -> None:
    """The gate. Under --skip-broken errors were reported and their lessons left out: they do not stop it."""
    errors = 0 if options.skip_broken else reporter.count(Severity.ERROR)
    warnings = reporter.count(Severity.WARNING)
    if errors or (options.strict and warnings):
        raise BuildFailed(errors, warnings, options.strict)
