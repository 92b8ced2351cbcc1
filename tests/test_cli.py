"""The command line through typer's runner: tree, check, build, exit codes, --strict, --skip-broken; acceptance."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import ACCEPTANCE, CONTENT, SHARED, needs_shared
from exporter.cli import app

MINI = Path(__file__).parent / "projects" / "mini"
LEAKS = (":::", "{%", "<style", "&nbsp;", "ui-infobar", "[TOC]", "<!--")
runner = CliRunner()


def invoke(*args: str):
    result = runner.invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    """The mini course plus a binary file and a lesson with broken YAML (no course.yml: every file counts)."""
    root = tmp_path / "broken"
    shutil.copytree(MINI, root)
    (root / "course.yml").unlink()
    (root / "03-junk.md").write_bytes(b"\x00\x01\x02\x03binary\xff" * 20)
    (root / "04-broken.md").write_text("---\ntitle: Broken\ntags: [a, b\n---\n\nBody of a broken lesson\n")
    return root


def test_tree_prints_the_outline() -> None:
    result = invoke("tree", MINI)
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "Mini course [mini-course, en]",
        "  Week 1: Basics",
        "    Welcome  <01-welcome.md>  #l-01-welcome",
        "    Pipeline stages  <02-pipeline.md>  #l-02-pipeline",
    ]
    assert "0 error(s), 0 warning(s)" in result.stderr


def test_tree_blocks_lists_blocks_with_lines() -> None:
    result = invoke("tree", MINI, "--blocks")
    assert "      Callout(info) @6" in result.stdout
    assert "      Embed(youtube _Vn87bvG0eU) @10" in result.stdout
    assert "      Para @7: Deals move Mark(left to right)." in result.stdout


def test_tree_json() -> None:
    result = invoke("tree", MINI, "--json")
    data = json.loads(result.stdout)
    assert data["slug"] == "mini-course" and data["diagnostics"] == []
    [module] = data["modules"]
    assert [lesson["title"] for lesson in module["lessons"]] == ["Welcome", "Pipeline stages"]
    assert module["lessons"][0]["tags"] == ["Week 1"]


def test_missing_folder_is_a_clean_error(tmp_path: Path) -> None:
    result = invoke("tree", tmp_path / "nope")
    assert result.exit_code == 1 and "is not a folder of lessons" in result.stderr


def test_usage_error_exits_2() -> None:
    assert invoke("tree", MINI, "--no-such-option").exit_code == 2
    assert invoke("frobnicate").exit_code == 2


def test_check_clean_and_strict(tmp_path: Path) -> None:
    assert invoke("check", MINI).exit_code == 0
    root = tmp_path / "warned"
    shutil.copytree(MINI, root)
    (root / "02-pipeline.md").write_text("# Pipeline\n\n:::info\nnever closed\n")
    relaxed, strict = invoke("check", root), invoke("check", root, "--strict")
    assert relaxed.exit_code == 0 and strict.exit_code == 1
    assert f"{root}/02-pipeline.md:3: warning: ':::info' opened at line 3 is never closed" in strict.stderr


def test_check_lists_every_error(broken: Path) -> None:
    result = invoke("check", broken)
    assert result.exit_code == 1
    assert f"{broken}/03-junk.md:1: error: 03-junk.md is not a UTF-8 text file" in result.stderr
    assert f"{broken}/04-broken.md:3: error: front matter is not valid YAML" in result.stderr


def test_build_html(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = invoke("build", MINI, "--format", "html", "--offline", "--out", out)
    assert result.exit_code == 0, result.output
    pages = sorted(p.name for p in out.rglob("*.html"))
    assert len(pages) >= 3, pages  # a contents page and one page per lesson
    text = "".join(p.read_text("utf-8") for p in out.rglob("*.html"))
    assert "A pipeline is a list of open deals." in text and "left to right" in text
    assert ":::" not in text and "{%" not in text


def test_build_with_broken_lessons_writes_nothing(broken: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = invoke("build", broken, "--format", "html", "--offline", "--out", out)
    assert result.exit_code == 1
    assert "03-junk.md" in result.stderr and "04-broken.md:3" in result.stderr
    assert "nothing was written" in result.stderr
    assert not out.exists()


def test_build_skip_broken_builds_the_rest(broken: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = invoke("build", broken, "--format", "html", "--offline", "--out", out, "--skip-broken")
    assert result.exit_code == 1
    for name in ("03-junk.md", "04-broken.md"):
        assert f"{broken}/{name}:1: warning: {name} left out of the build" in result.stderr
    text = "".join(p.read_text("utf-8") for p in out.rglob("*.html"))
    assert "A pipeline is a list of open deals." in text and "Pipeline stages" in text
    assert "Body of a broken lesson" not in text


def test_unknown_format_is_a_usage_error(tmp_path: Path) -> None:
    result = invoke("build", MINI, "--format", "docx", "--out", tmp_path / "o")
    assert result.exit_code == 2 and "'docx' is not one of 'pdf', 'epub'" in result.stderr
    assert not (tmp_path / "o").exists()


# ---------------------------------------------------------------------------- acceptance


def _lessons(result) -> list[dict]:
    data = json.loads(result.stdout)
    return [lesson for module in data["modules"] for lesson in module["lessons"]]


def _leaks(text: str) -> list[str]:
    found = [leak for leak in LEAKS if leak in text]
    return found + re.findall(r"==[^\s=][^=]*==", text)


def test_sample_content_tree() -> None:
    result = invoke("tree", CONTENT, "--json")
    assert result.exit_code == 0, result.stderr
    lessons = _lessons(result)
    assert [lesson["title"] for lesson in lessons][:2] == ["Introduction to sales process", "The sales process"]
    assert all(not _leaks(lesson["text"]) for lesson in lessons), [_leaks(lesson["text"]) for lesson in lessons]
    diagnostics = json.loads(result.stdout)["diagnostics"]
    assert any(d.startswith("000_ad9a500695f88cf7.txt:1: warning:") and "load.newlines_restored" in d
               for d in diagnostics)


@needs_shared
def test_acceptance_course_tree() -> None:
    result = invoke("tree", ACCEPTANCE, "--json")
    assert result.exit_code == 0, result.stderr
    expected = json.loads((SHARED / "acceptance" / "expectations.json").read_text("utf-8"))["lessons"]
    lessons = _lessons(result)
    assert [lesson["source"] for lesson in lessons] == sorted(p.name for p in ACCEPTANCE.glob("*.md"))
    for lesson in lessons:
        want = expected[lesson["source"]]
        assert lesson["title"] in [want["title"], *want.get("title_alternatives", [])], lesson["source"]
        assert not _leaks(lesson["text"]), (lesson["source"], _leaks(lesson["text"]))
    assert "Traceback" not in result.stderr


def test_check_says_what_shaping_says(tmp_path: Path) -> None:
    """A link that leads nowhere is found while the formats are shaped: `check` says it as `build` does,
    at its line, and writes nothing (no output folder, no lockfile)."""
    root = tmp_path / "linked"
    shutil.copytree(MINI, root)
    (root / "02-pipeline.md").write_text("# Pipeline\n\nSee [the features](/features) first.\n")
    before = sorted(p.name for p in root.iterdir())
    result = invoke("check", root, "--strict")
    assert result.exit_code == 1
    assert f"{root}/02-pipeline.md:3: warning: link to '/features' leads to nothing in the course" in result.stderr
    assert sorted(p.name for p in root.iterdir()) == before and not (tmp_path / "build").exists()
