"""Command line (typer): parse options, call the pipeline, print diagnostics, map outcomes to exit codes.

Exit codes: 0 success; 1 content errors (or warnings under --strict, or lessons skipped); 2 usage.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

from exporter import pipeline
from exporter.diagnostics import Reporter, Severity
from exporter.errors import ExporterError
from exporter.normalize.dump import course_outline, dump_lesson

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__.split("\n")[0])

SourceArg = typer.Argument(Path("content"), help="Course folder (lessons + course.yml).")
StrictOpt = typer.Option(False, "--strict", help="Treat warnings as errors.")
VerboseOpt = typer.Option(False, "--verbose", "-v", help="Also show info diagnostics.")


def _print_diagnostics(reporter: Reporter, source: Path, verbose: bool) -> None:
    root = str(source).rstrip("/")
    for diagnostic in reporter.diagnostics:
        if diagnostic.severity >= Severity.WARNING or verbose:
            path = root if diagnostic.pos and diagnostic.pos.path != "course.yml" or diagnostic.pos else root
            typer.echo(diagnostic.format(path), err=True)


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
    format: Optional[list[str]] = typer.Option(None, "--format", "-f", help="pdf, epub, scorm12, scorm2004, html "
                                                "(repeatable; default: pdf, epub and both SCORM versions)."),
    strict: bool = StrictOpt,
    offline: bool = typer.Option(False, "--offline", help="Never touch the network; use the image cache only."),
    skip_broken: bool = typer.Option(False, "--skip-broken", help="Leave broken lessons out and build the rest "
                                     "(exit 1)."),
    paper: Optional[str] = typer.Option(None, "--paper", help="PDF paper size: A4 or Letter."),
    scorm_mode: Optional[str] = typer.Option(None, "--scorm-mode", help="single (one SCO) or multi (one per lesson)."),
    lms: Optional[str] = typer.Option(None, "--lms", help="LMS profile: moodle, canvas, blackboard, talentlms, "
                                      "docebo, cornerstone, openedx, generic."),
    theme: str = typer.Option("default", "--theme", help="Theme name or folder."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1, help="Processes laying out the PDF in "
                                       "parts (default: the machine's cores)."),
    verbose: bool = VerboseOpt,
) -> None:
    """Build the course into every requested format."""
    reporter = Reporter()
    options = pipeline.BuildOptions(source=source, out=out, formats=tuple(format or ()), strict=strict,
                                    offline=offline, skip_broken=skip_broken, theme=theme, jobs=jobs,
                                    overrides={"paper": paper, "mode": scorm_mode, "lms": lms})
    progress = (lambda step: typer.echo(f"… {step}", err=True)) if sys.stderr.isatty() else (lambda _: None)
    try:
        written = pipeline.build(options, reporter, progress)
    except ExporterError as exc:
        _print_diagnostics(reporter, source, verbose)
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1)
    _print_diagnostics(reporter, source, verbose)
    for path in written:
        typer.echo(f"wrote {path}")
        if path.name.endswith("-report.txt"):  # its first line is the loss summary
            typer.echo(path.read_text("utf-8").split("\n", 1)[0], err=True)
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
    """Print the normalized outline (and diagnostics); writes nothing."""
    reporter = Reporter()
    try:
        course = pipeline.read_course(source, reporter)
    except ExporterError as exc:
        _print_diagnostics(reporter, source, verbose)
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1)
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
    """Lint the course: every diagnostic, nothing written."""
    reporter = Reporter()
    try:
        pipeline.prepare(pipeline.BuildOptions(source=source, offline=offline, skip_broken=True), reporter)
    except ExporterError as exc:
        _print_diagnostics(reporter, source, verbose)
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1)
    _print_diagnostics(reporter, source, verbose)
    typer.echo(_summary(reporter), err=True)
    raise typer.Exit(_exit_code(reporter, strict))


def main() -> None:  # pragma: no cover
    app()
