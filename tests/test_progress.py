"""Progress of long builds: stages and counted work reported by the pipeline, rich bars on a terminal, nothing
but diagnostics and results in a pipe, and --quiet."""
from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console
from rich.progress import Progress as RichProgress

from exporter.console import BarProgress, columns
from exporter.diagnostics import Reporter
from exporter.pipeline import BuildOptions, build
from exporter.progress import Progress

from conftest import invoke_cli

MINI = Path(__file__).resolve().parent / "projects" / "mini"


class Recorded(Progress):
    """Every report, as ('stage', name, total) and ('advance', n)."""

    def __init__(self) -> None:
        self.events: list[tuple] = []

    def stage(self, name: str, total: int | None = None) -> None:
        self.events.append(("stage", name, total))

    def advance(self, done: int = 1) -> None:
        self.events.append(("advance", done))


def _counted(events: list[tuple], stage: str) -> tuple[int | None, int]:
    """(announced total, items advanced) of a stage."""
    start = next(i for i, event in enumerate(events) if event[:2] == ("stage", stage))
    end = next((i for i in range(start + 1, len(events)) if events[i][0] == "stage"), len(events))
    return events[start][2], sum(event[1] for event in events[start + 1:end])


def test_a_build_reports_its_stages_and_counts_its_lessons_and_parts(tmp_path):
    recorded = Recorded()
    build(BuildOptions(source=MINI, out=tmp_path, formats=("pdf", "scorm12"), offline=True, jobs=2, cache=False),
          Reporter(), recorded)
    stages = [event[1] for event in recorded.events if event[0] == "stage"]
    assert stages == ["reading lessons and images", "rendering lessons", "shaping pdf", "laying out PDF parts",
                      "packaging pdf", "shaping scorm12", "packaging scorm12", "writing"]
    lessons, rendered = _counted(recorded.events, "rendering lessons")
    assert lessons == rendered == 2
    parts, laid_out = _counted(recorded.events, "laying out PDF parts")
    assert parts == laid_out and parts >= 1


def test_bars_tick_each_finished_stage_and_count_the_counted_ones():
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=100, color_system=None)
    with RichProgress(*columns(), console=console) as bars:
        progress = BarProgress(bars)
        progress.stage("rendering lessons", 3)
        progress.advance(3)
        progress.stage("laying out PDF parts", 4)
        progress.advance()
        progress.advance()
        progress.stage("writing")
        progress.close()
        finished = [(task.description, task.completed, task.total, task.finished) for task in bars.tasks]
    assert finished == [("rendering lessons", 3, 3, True), ("laying out PDF parts", 4, 4, True),
                        ("writing", 1, 1, True)]
    assert "rendering lessons" in out.getvalue() and "3/3" in out.getvalue()


def test_in_a_pipe_a_build_prints_diagnostics_and_results_only(tmp_path):
    result = invoke_cli("build", MINI, "--out", tmp_path, "--offline", "-f", "epub")
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert [line for line in lines if line.startswith("wrote ")] == [f"wrote {tmp_path / 'mini-course.epub'}",
                                                                     f"wrote {tmp_path / 'mini-course-report.txt'}"]
    assert not any(word in result.output for word in ("rendering", "shaping", "…", "━"))


def test_quiet_prints_only_warnings_and_errors(tmp_path):
    course = tmp_path / "c"
    course.mkdir()
    (course / "01.md").write_text("# One\n\n![gone](missing.png)\n", encoding="utf-8")
    result = invoke_cli("build", course, "--out", tmp_path / "out", "--offline", "-f", "epub", "--quiet")
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines and all(line.startswith("warning: ") or ": warning: " in line for line in lines), lines
    assert any("[asset.missing]" in line for line in lines)
    assert (tmp_path / "out" / "c.epub").is_file()
