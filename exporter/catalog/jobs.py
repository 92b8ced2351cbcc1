"""What a Dask worker runs for a catalog: per course, a read job, one job per format, and a publish job.

    read(course) ──> format(course, pdf) ──┐
                 ──> format(course, epub) ─┼──> publish(course): every artifact into OUT/<folder>, or none
                 ──> ...                  ──┘
                     (the PDF job submits its book's parts as tasks of their own: parts.py)

Jobs are plain functions of plain data (pickled by Dask to any worker). They never raise for a broken
course: its diagnostics travel back in the result, and Dask's retries are kept for the machine (a worker
that dies mid-job has the job run again elsewhere). Each job is memoized in the shared build cache under a
key of everything that can change its result (the course folder's bytes, the options, the theme, exporter's
code and the versions of the tools it runs), so an unchanged course costs a folder hash and a cache read.
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import os
import shutil
import time
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from exporter import pipeline
from exporter._files import publish
from exporter.assets.remote import write_lockfile
from exporter.cache import BuildCache, cache_root, digest, open_cache
from exporter.catalog.parts import parts_on_the_cluster
from exporter.diagnostics import Diagnostic, Reporter
from exporter.errors import ExporterError
from exporter.model import Artifact, AssetManifest
from exporter.i18n import catalogs_fingerprint
from exporter.theme import load_theme

ENVIRONMENT = ("EXPORTER_CACHE", "EXPORTER_CACHE_SIZE", "SOURCE_DATE_EPOCH")
"""The client's variables that decide a build's bytes or where its cache is: each job runs under them,
whatever the worker's own environment says."""


@dataclass(frozen=True)
class CourseJob:
    """One course of the catalog with the run's options: everything a worker needs, as absolute paths on
    the file system every worker shares."""

    source: str
    out_dir: str
    formats: tuple[str, ...]
    options: pipeline.BuildOptions
    environment: tuple[tuple[str, str | None], ...]
    excluded: tuple[str, ...] = ()
    """Folders inside the course folder that are not its sources (the catalog's output folder)."""
    courses: int = 1
    """Courses in the run: the PDF's parts are cut for this course's share of the cluster (parts.py)."""

    def build_options(self, formats: tuple[str, ...]) -> pipeline.BuildOptions:
        return replace(self.options, source=Path(self.source), out=Path(self.out_dir), formats=formats)


@dataclass(frozen=True)
class JobResult:
    """What a read or format job found. `status`: built, cached or failed."""

    job: str
    status: str
    seconds: float
    diagnostics: tuple[Diagnostic, ...] = ()
    error: str = ""
    artifacts: tuple[Artifact, ...] = ()
    lock: tuple[tuple[str, str, str], ...] | None = None
    """The lockfile to write once the course is published (a fetch learned a new remote image)."""

    @property
    def ok(self) -> bool:
        return self.status != "failed"


@dataclass(frozen=True)
class CourseOutcome:
    """A course's end: one row per format, its diagnostics, and whether its files were written."""

    source: str
    out_dir: str
    jobs: tuple[tuple[str, str, float], ...]
    """(format, built|cached|failed, seconds)."""
    diagnostics: tuple[Diagnostic, ...] = ()
    errors: tuple[str, ...] = ()
    published: str = "not written"
    """written, unchanged (every file already held these bytes) or not written."""
    files: tuple[str, ...] = field(default=())
    read_seconds: float = 0.0
    """The read job's time: what every format of the course shares (read, check, render)."""

    @property
    def failed(self) -> bool:
        return bool(self.errors) or any(status == "failed" for _, status, _ in self.jobs)


def read_job(job: CourseJob) -> JobResult:
    """Read, check and render the course once, leaving it in the cache for its format jobs."""
    _adopt(job.environment)
    started = time.perf_counter()
    options = job.build_options(job.formats)
    cache = open_cache(options.cache)
    key = _job_key(cache, job, "read", job.formats)
    if key and cache.get(key) is not None:
        return JobResult("read", "cached", time.perf_counter() - started)
    reporter = Reporter()
    try:
        manifest = pipeline.render_checked(options, reporter, cache)
    except (ExporterError, OSError) as exc:
        return JobResult("read", "failed", time.perf_counter() - started, tuple(reporter.diagnostics), _say(exc))
    if _memoizable(manifest, job, key):
        cache.put(key, True)
    return JobResult("read", "built", time.perf_counter() - started, tuple(reporter.diagnostics),
                     lock=manifest.lock if manifest.lock_changed else None)


def format_job(job: CourseJob, name: str, read: JobResult) -> JobResult:
    """One format of the course, packaged in memory (with the loss report naming all the course's
    formats): from the cache when nothing it depends on changed."""
    if not read.ok:
        return JobResult(name, "failed", 0.0, error="not built: the course did not read")
    _adopt(job.environment)
    started = time.perf_counter()
    options = job.build_options((name,))
    cache = open_cache(options.cache)
    key = _job_key(cache, job, name, job.formats)
    found = cache.get(key) if key else None
    if found is not None:
        artifacts, diagnostics = found
        return JobResult(name, "cached", time.perf_counter() - started, diagnostics, artifacts=artifacts)
    reporter = Reporter()
    try:
        with parts_on_the_cluster(job.courses):
            assembled = pipeline.assemble(options, reporter, cache=cache, report_for=job.formats)
    except (ExporterError, OSError) as exc:
        return JobResult(name, "failed", time.perf_counter() - started, tuple(reporter.diagnostics), _say(exc))
    artifacts, diagnostics = tuple(assembled.artifacts), tuple(reporter.diagnostics)
    if _memoizable(assembled.manifest, job, key):
        cache.put(key, (artifacts, diagnostics))
    return JobResult(name, "built", time.perf_counter() - started, diagnostics, artifacts=artifacts)


def publish_job(job: CourseJob, read: JobResult, *formats: JobResult) -> CourseOutcome:
    """Every file of the course into its output folder at once, or none if any job failed; files that
    already hold these bytes are left alone (their times too), so a warm run rewrites nothing."""
    _adopt(job.environment)
    rows = tuple((result.job, result.status, result.seconds) for result in formats)
    errors = (read.error,) if not read.ok else tuple(result.error for result in formats if result.error)
    outcome = CourseOutcome(job.source, job.out_dir, rows, _merged(read, formats), errors,
                            read_seconds=read.seconds)
    if outcome.failed:
        return outcome
    artifacts = [result.artifacts[0] for result in formats] + [formats[0].artifacts[-1]]  # + the loss report
    out = Path(job.out_dir)
    try:
        published = "unchanged" if _holds(out, artifacts) else "written"
        if published == "written":
            _clear_leftovers(out, artifacts)
            publish(out, artifacts)
        if read.lock is not None:
            write_lockfile(Path(job.source), read.lock)
    except OSError as exc:
        return replace(outcome, errors=(f"cannot write the outputs into {out}: {exc.strerror or exc}; the "
                                        "course's earlier outputs are as they were",))
    return replace(outcome, published=published, files=tuple(str(out / a.name) for a in artifacts))


def _merged(read: JobResult, formats: tuple[JobResult, ...]) -> tuple[Diagnostic, ...]:
    """The course's diagnostics once each: every format job reads the course again and says its warnings
    again; what shaping a format adds comes after."""
    merged = dict.fromkeys(read.diagnostics)
    for result in formats:
        merged.update(dict.fromkeys(result.diagnostics))
    return tuple(merged)


def _holds(out: Path, artifacts: list[Artifact]) -> bool:
    """True when every artifact is a file in `out` with exactly these bytes."""
    for artifact in artifacts:
        target = out / artifact.name
        if artifact.data is None or not target.is_file() or target.stat().st_size != len(artifact.data):
            return False
        if target.read_bytes() != artifact.data:
            return False
    return True


def _clear_leftovers(out: Path, artifacts: list[Artifact]) -> None:
    """Temporary files of an earlier publish of these artifacts that was killed between writing and
    renaming (publish stages `.<name>.<random>` beside each target): never an artifact, only litter."""
    if not out.is_dir():
        return
    prefixes = tuple(f".{artifact.name}." for artifact in artifacts)
    for entry in out.iterdir():
        if entry.name.startswith(prefixes):
            shutil.rmtree(entry, ignore_errors=True) if entry.is_dir() else entry.unlink(missing_ok=True)


def _memoizable(manifest: AssetManifest, job: CourseJob, key: str | None) -> bool:
    """A result is stored only if it is a function of the course folder: not when a fetch learned a new
    remote image (the lockfile, part of the key, is only written after publishing), and not when the
    folder changed while the job ran (the key would name other sources)."""
    return bool(key) and not manifest.lock_changed and key.endswith(course_fingerprint(job))


def _job_key(cache: BuildCache, job: CourseJob, name: str, formats: tuple[str, ...]) -> str | None:
    """`<hash of the settings>.<hash of the course folder>`, or None without a cache."""
    if not cache.enabled:
        return None
    options = job.build_options(formats)
    settings = cache.key("catalog-job", name, ",".join(formats), repr(sorted(options.overrides.items())),
                         repr((options.strict, options.offline, options.skip_broken)),
                         os.environ.get("SOURCE_DATE_EPOCH", ""), theme_fingerprint(options.theme),
                         catalogs_fingerprint(), tool_versions())
    return f"{settings[:32]}{course_fingerprint(job)[:32]}"


def course_fingerprint(job: CourseJob) -> str:
    """SHA-256 over every file of the course folder (names and bytes), hidden ones included: the
    lockfile and course.yml are part of a course. Folders of a version control system are skipped."""
    root = Path(job.source)
    excluded = {Path(path) for path in job.excluded}
    parts: list[bytes] = []
    for directory, folders, files in os.walk(root):
        folders[:] = sorted(f for f in folders if f not in (".git", ".hg", ".svn")
                            and Path(directory, f) not in excluded)
        for name in sorted(files):
            path = Path(directory, name)
            parts += [path.relative_to(root).as_posix().encode("utf-8", "surrogateescape"), _read(path)]
    return digest(parts)[:32]


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:  # unreadable: the read job reports it; the key still differs from a readable file's
        return b"\0unreadable"


def theme_fingerprint(name: str) -> str:
    """`Theme.fingerprint`, read for every job: a worker lives longer than an edit of a theme folder."""
    return load_theme(name).fingerprint


@lru_cache(maxsize=1)
def tool_versions() -> str:
    """Every installed requirement of exporter with its version (pandoc's wheel, WeasyPrint, ebooklib...):
    another version may give other bytes."""
    names = sorted({_requirement_name(spec) for spec in importlib.metadata.requires("exporter") or []
                    if "extra ==" not in spec})
    return ";".join(f"{name}={_version(name)}" for name in names)


def _requirement_name(spec: str) -> str:
    return spec.split(";")[0].split("[")[0].split("=")[0].split("<")[0].split(">")[0].split("~")[0].strip()


def _version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "-"


def _adopt(environment: tuple[tuple[str, str | None], ...]) -> None:
    """Run under the client's settings (see ENVIRONMENT). Workers should run one job at a time
    (`--nthreads 1`): WeasyPrint holds the GIL, and the settings are the process's."""
    for name, value in environment:
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def client_environment() -> tuple[tuple[str, str | None], ...]:
    """The client's ENVIRONMENT, with the cache folder made absolute (workers start elsewhere)."""
    values: dict[str, Any] = {name: os.environ.get(name) for name in ENVIRONMENT}
    values["EXPORTER_CACHE"] = str(cache_root().resolve())
    return tuple(sorted(values.items()))


def _say(exc: BaseException) -> str:
    if isinstance(exc, OSError) and not isinstance(exc, ExporterError):
        return f"the machine refused a read or write: {exc.strerror or exc} ({exc.filename or ''})"
    return str(exc)
