"""Command line (typer): parse options, call the pipeline, print diagnostics, map outcomes to exit codes.

Exit codes: 0 success; 1 content errors (or warnings under --strict, or lessons skipped); 2 usage.
"""
from __future__ import annotations

import atexit
import contextlib
import enum
import gc
import json
import os
import sys
import time
from pathlib import Path
from typing import Iterator, Optional

import typer

from exporter import __version__, pipeline, scaffold, validate as validation
from exporter.config import folder_title
from exporter.console import build_progress
from exporter.diagnostics import Reporter, Severity
from exporter.errors import ExporterError, UsageError
from exporter.exporters import EXPORTERS
from exporter.exporters.scorm.profiles import PROFILES
from exporter.normalize.dump import course_outline, dump_lesson

HELP = """Turn a folder of HackMD lessons into a printable PDF workbook, an EPUB 3 ebook, SCORM 1.2 / 2004, cmi5
and xAPI packages for any LMS, all from one document tree.

\b
  exporter init my-course          a new course folder that builds as is
  exporter preview my-course       the lessons as web pages, reloaded as you save
  exporter build content/          every format into build/
  exporter validate build/*        judge built files (epubcheck, SCORM schemas, PDF structure)
  exporter check content/          every warning and error, nothing written
  exporter catalog CATALOG.yml     many courses as cached jobs on Dask (this machine or a cluster)
  exporter tree content/ --blocks  the course outline as exporter reads it

Diagnostics print as FILE:LINE: severity: message [code]. Exit codes: 0 done, 1 content errors (or any
warning under --strict), 2 usage errors."""

app = typer.Typer(no_args_is_help=True, help=HELP, rich_markup_mode=None)

Format = enum.Enum("Format", {name: name for name in EXPORTERS}, type=str)
Paper = enum.Enum("Paper", {"A4": "A4", "Letter": "Letter"}, type=str)
ScormMode = enum.Enum("ScormMode", {"single": "single", "multi": "multi"}, type=str)
Lms = enum.Enum("Lms", {name: name for name in PROFILES}, type=str)


def run() -> None:
    """The `exporter` command (the entry point). A finished command leaves without taking the interpreter
    apart: freeing a build's objects one by one took 0.07 s, a fifteenth of a warm rebuild, and the system
    frees them at once. Every file a command writes is closed by then; the exit handlers (temporary folders,
    logging) still run, through the interpreter's own runner, and the standard streams are flushed."""
    try:
        app()
        code: int | str | None = 0
    except SystemExit as done:
        code = done.code
    if isinstance(code, str):  # SystemExit("message"): Python prints it and exits with 1
        print(code, file=sys.stderr)
        code = 1
    if sys.getprofile() is not None or sys.gettrace() is not None:  # a profiler or coverage must see a normal end
        sys.exit(code)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code or 0)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"exporter {__version__}")
        raise typer.Exit()


@app.callback()
def main(version: bool = typer.Option(False, "--version", callback=_show_version, is_eager=True,
                                      help="Print the version and exit.")) -> None:
    """Turn HackMD lessons into a PDF workbook, an EPUB 3 ebook and SCORM packages."""

SourceArg = typer.Argument(Path("content"), help="Course folder (lessons + course.yml).")
StrictOpt = typer.Option(False, "--strict", help="Treat warnings as errors.")
VerboseOpt = typer.Option(False, "--verbose", "-v", help="Also show info diagnostics.")


def _print_diagnostics(reporter: Reporter, source: Path, verbose: bool) -> None:
    root = str(source).rstrip("/")
    for diagnostic in reporter.diagnostics:
        if diagnostic.severity >= Severity.WARNING or verbose:
            path = root if diagnostic.pos and diagnostic.pos.path != "course.yml" or diagnostic.pos else root
            typer.echo(diagnostic.format(path), err=True)


@contextlib.contextmanager
def _failures_reported(reporter: Reporter, source: Path, verbose: bool) -> Iterator[None]:
    """Expected failures end the command with the diagnostics so far and one `error:` line, never a
    traceback: usage errors exit 2; content errors and a machine that cannot read or write (a full disk,
    a missing folder) exit 1. Anything else is a bug and keeps its traceback."""
    try:
        yield
    except UsageError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2)
    except (ExporterError, OSError) as exc:
        _print_diagnostics(reporter, source, verbose)
        typer.echo(f"error: {_describe(exc)}", err=True)
        raise typer.Exit(1)


def _describe(exc: Exception) -> str:
    if isinstance(exc, OSError) and not isinstance(exc, ExporterError):
        where = f" ({exc.filename})" if exc.filename else ""
        return f"the machine refused a read or write: {exc.strerror or exc}{where}; nothing was written"
    return str(exc)


def _print_written(written: list[Path]) -> None:
    """One line per artifact written, on stdout (what a script reads); the loss summary on stderr."""
    for path in written:
        typer.echo(f"wrote {path}")
        if path.name.endswith("-report.txt"):  # its first line is the loss summary
            typer.echo(path.read_text("utf-8").split("\n", 1)[0], err=True)


def _summary(reporter: Reporter) -> str:
    errors, warnings = reporter.count(Severity.ERROR), reporter.count(Severity.WARNING)
    return f"{errors} error(s), {warnings} warning(s)"


def _exit_code(reporter: Reporter, strict: bool) -> int:
    if reporter.count(Severity.ERROR):
        return 1
    return 1 if strict and reporter.count(Severity.WARNING) else 0


@app.command()
def build(
    source: Path = SourceArg,
    out: Path = typer.Option(Path("build"), "--out", "-o", help="Output folder."),
    format: Optional[list[Format]] = typer.Option(None, "--format", "-f", help="Output format (repeatable; "
                                                   "default: pdf, epub, both SCORM versions, cmi5 and xapi)."),
    strict: bool = StrictOpt,
    offline: bool = typer.Option(False, "--offline", help="Never touch the network; use the image cache only."),
    skip_broken: bool = typer.Option(False, "--skip-broken", help="Leave broken lessons out and build the rest "
                                     "(exit 1)."),
    paper: Optional[Paper] = typer.Option(None, "--paper", help="PDF paper size (default: course.yml, else A4)."),
    scorm_mode: Optional[ScormMode] = typer.Option(None, "--scorm-mode", help="One SCO (or cmi5 AU) for the course, "
                                                   "or one per lesson (default: course.yml, else single)."),
    lms: Optional[Lms] = typer.Option(None, "--lms", help="The LMS the SCORM, cmi5 and xAPI packages are for: its "
                                      "known quirks are worked around, and a format it does not import is named "
                                      "(default: course.yml, else generic)."),
    theme: str = typer.Option("default", "--theme", help="Theme name or folder."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Neither read nor write the build cache (see "
                                  "docs/cache.md)."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1, help="Processes laying out the PDF in "
                                       "parts and reading a large course (default: the machine's cores)."),
    verbose: bool = VerboseOpt,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only warnings and errors: no progress, no "
                               "list of files written, no summary."),
) -> None:
    """Build the course into every requested format. Nothing is written unless the whole build passes. On a
    terminal, progress bars show each stage; in a pipe or a log, only diagnostics and results are printed."""
    gc.disable()  # the process ends with the build: the cycles it leaves need no collecting (0.1 s) (_gc.py)
    reporter = Reporter()
    options = pipeline.BuildOptions(source=source, out=out, formats=tuple(f.value for f in format or ()),
                                    strict=strict, offline=offline, skip_broken=skip_broken, theme=theme,
                                    cache=not no_cache, jobs=jobs,
                                    overrides={"paper": _value(paper), "mode": _value(scorm_mode),
                                               "lms": _value(lms)})
    with _failures_reported(reporter, source, verbose), build_progress(quiet) as progress:
        written = pipeline.build(options, reporter, progress)
    _print_diagnostics(reporter, source, verbose and not quiet)
    if not quiet:
        _print_written(written)
        typer.echo(_summary(reporter), err=True)
    code = 1 if skip_broken and reporter.count(Severity.ERROR) else _exit_code(reporter, strict)
    raise typer.Exit(code)


@app.command()
def tree(
    source: Path = SourceArg,
    as_json: bool = typer.Option(False, "--json", help="Machine-readable outline and blocks."),
    blocks: bool = typer.Option(False, "--blocks", help="Also list each lesson's blocks with their lines."),
    strict: bool = StrictOpt,
    verbose: bool = VerboseOpt,
) -> None:
    """Print the course outline as exporter reads it (modules, lessons, ids), with every diagnostic; writes
    nothing."""
    reporter = Reporter()
    with _failures_reported(reporter, source, verbose):
        course = pipeline.read_course(source, reporter)
    if as_json:
        outline = course_outline(course)
        outline["diagnostics"] = [d.format() for d in reporter.diagnostics]
        typer.echo(json.dumps(outline, ensure_ascii=False, indent=2))
    else:
        typer.echo(f"{course.config.title} [{course.config.slug}, {course.config.language}]")
        for module in course.modules:
            typer.echo(f"  {module.title or '(lessons)'}")
            for lesson in module.lessons:
                typer.echo(f"    {lesson.title}  <{lesson.source}>  #{lesson.slug}")
                if blocks:
                    for line in dump_lesson(lesson).splitlines():
                        typer.echo(f"      {line}")
    _print_diagnostics(reporter, source, verbose)
    typer.echo(_summary(reporter), err=True)
    raise typer.Exit(_exit_code(reporter, strict))


@app.command()
def check(source: Path = SourceArg, strict: bool = StrictOpt, verbose: bool = VerboseOpt,
          offline: bool = typer.Option(True, "--offline/--online", help="Check remote images too (--online).")) -> None:
    """Check the course: the warnings and errors a build of every format gives (but WeasyPrint's own, from
    laying out the PDF), nothing written."""
    reporter = Reporter()
    with _failures_reported(reporter, source, verbose):
        pipeline.check(pipeline.BuildOptions(source=source, offline=offline), reporter)
    _print_diagnostics(reporter, source, verbose)
    typer.echo(_summary(reporter), err=True)
    raise typer.Exit(_exit_code(reporter, strict))


def _value(choice: enum.Enum | None) -> str | None:
    return None if choice is None else choice.value


@app.command()
def init(
    folder: Path = typer.Argument(..., help="The new course folder (created if missing)."),
    title: Optional[str] = typer.Option(None, "--title", help="Course title (default: the folder's name)."),
    language: str = typer.Option("en", "--language", help="BCP 47 language of the course: en, fr, zh-Hans..."),
    author: Optional[str] = typer.Option(None, "--author", help="Who wrote it (default: git's user.name)."),
    force: bool = typer.Option(False, "--force", help="Write into a folder that is not empty (files of the same "
                               "names are replaced)."),
) -> None:
    """Start a course: course.yml with every key explained, two example lessons and a .gitignore. It builds
    as is, with no warning, in every format."""
    reporter = Reporter()
    course = scaffold.NewCourse(title or folder_title(folder), language, author or scaffold.default_author())
    with _failures_reported(reporter, folder, False):
        written = scaffold.create_course(folder, course, force)
    for path in written:
        typer.echo(f"wrote {path}")
    typer.echo(f"\nNext:\n  exporter preview {folder}   the lessons as web pages, reloaded as you save\n"
               f"  exporter build {folder}     the PDF, EPUB and SCORM files, into build/", err=True)


@app.command()
def validate(
    artifacts: list[Path] = typer.Argument(..., help="Built files (PDF, EPUB, SCORM zip), or folders of them."),
    runtime: bool = typer.Option(False, "--runtime", help="Also run each SCO in headless Chromium under "
                                 "scorm-again, as a learner would (needs exporter[browser])."),
    strict: bool = typer.Option(False, "--strict", help="Warnings make a file invalid too."),
) -> None:
    """Judge built files: EPUB with EPUBCheck; SCORM with the official schemas, the manifest's file list and
    launch pages (and --runtime); PDF for its pages, bookmarks, metadata, embedded fonts and tags. Prints
    FILE: severity: message [code]; exits 0 when every file is valid, 1 otherwise."""
    missing = [path for path in artifacts if not path.exists()]
    if missing:
        typer.echo(f"error: {missing[0]}: no such file or folder", err=True)
        raise typer.Exit(2)
    files = validation.artifacts_in(artifacts)
    if not files:
        typer.echo(f"error: no PDF, EPUB or zip file in {', '.join(map(str, artifacts))}", err=True)
        raise typer.Exit(2)
    invalid = 0
    for path in files:
        verdict = validation.validate(path, runtime)
        for finding in verdict.findings:
            typer.echo(finding.format(path), err=True)
        if verdict.valid(strict):
            typer.echo(f"{path}: valid: {verdict.facts}")
        else:
            invalid += 1
            typer.echo(f"{path}: invalid: {verdict.kind}, {verdict.count('error')} error(s), "
                       f"{verdict.count('warning')} warning(s)")
    typer.echo(f"{len(files)} file(s): {len(files) - invalid} valid, {invalid} invalid", err=True)
    raise typer.Exit(1 if invalid else 0)


@app.command()
def preview(
    source: Path = SourceArg,
    port: int = typer.Option(8000, "--port", "-p", min=0, max=65535, help="Port to serve on (0: any free one)."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (default: this machine only)."),
    offline: bool = typer.Option(False, "--offline", help="Never touch the network; use the image cache only."),
    theme: str = typer.Option("default", "--theme", help="Theme name or folder."),
) -> None:
    """Serve the course as web pages at http://127.0.0.1:8000/, rebuilt when a file changes; the open page
    reloads by itself where it was. Diagnostics print here and show on the page; the PDF downloads from the
    page. Ctrl-C stops it."""
    from exporter import preview as live  # watchfiles (and anyio) load only for this command

    options = live.PreviewOptions(pipeline.BuildOptions(source=source, offline=offline, theme=theme), host, port)
    say = live.Say(typer.echo, lambda line: typer.echo(line, err=True))
    with _failures_reported(Reporter(), source, False):
        live.serve(options, say)


@app.command()
def catalog(
    catalog_file: Path = typer.Argument(..., help="CATALOG.yml: `courses:` folders or globs, relative to it, with "
                                        "per-course formats, lms, language and out (docs/catalog.md)."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Output folder: OUT/<course-slug>/... (default: "
                                       "the catalog's `out:`, else build/catalog)."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="A Dask scheduler, e.g. tcp://host:8786 "
                                            "(default: a local cluster of worker processes)."),
    workers: Optional[int] = typer.Option(None, "--workers", "-w", min=1, help="Local worker processes (default: "
                                          "the cores); with --scheduler, wait for this many workers."),
    format: Optional[list[Format]] = typer.Option(None, "--format", "-f", help="Output format for every course "
                                                   "(repeatable; default: each course's, else build's default)."),
    strict: bool = StrictOpt,
    offline: bool = typer.Option(False, "--offline", help="Never touch the network; use the image cache only."),
    theme: str = typer.Option("default", "--theme", help="Theme name or folder."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Neither read nor write the build cache."),
    verbose: bool = VerboseOpt,
) -> None:
    """Build every course of a catalog as jobs on Dask: each course's formats in parallel, each job from the
    build cache when nothing it depends on changed. A broken course fails alone; each course's files are
    written all at once or not at all. Exit 1 if any course failed."""
    from exporter import catalog as catalogs  # dask loads only for this command

    from exporter.catalog import table

    with _failures_reported(Reporter(), catalog_file, verbose):
        spec = catalogs.load_catalog(catalog_file, tuple(f.value for f in format or ()))
        options = pipeline.BuildOptions(source=catalog_file, strict=strict, offline=offline, theme=theme,
                                        cache=not no_cache)
        settings = catalogs.RunSettings(out or spec.out or Path("build/catalog"), options, scheduler, workers)
        with table.live_progress() as progress:
            started = time.perf_counter()
            outcomes = catalogs.run_catalog(spec, settings, progress)
    table.print_diagnostics(outcomes, lambda line: typer.echo(line, err=True), verbose)
    table.print_table(outcomes, time.perf_counter() - started)
    raise typer.Exit(1 if any(outcome.failed for outcome in outcomes) else 0)
