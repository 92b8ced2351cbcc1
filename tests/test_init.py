"""`exporter init`: a course folder that builds as is, with no warning, in every format; course.yml explains
every key the loader reads; a folder that holds anything is refused unless --force."""
from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
import yaml

from conftest import invoke_cli as invoke
from exporter.config import CourseConfig, course_keys, load_config
from exporter.diagnostics import Reporter
from exporter.exporters import EXPORTERS
from exporter.scaffold import LESSONS, SKELETON


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("new") / "sales-basics"
    result = invoke("init", folder, "--author", "Ana Ruiz")
    assert result.exit_code == 0, result.output
    return folder


def test_init_writes_the_starter_files(course: Path) -> None:
    assert sorted(p.name for p in course.iterdir()) == [".gitignore", "01-welcome.md", "02-practice.md", "course.yml"]
    for name in LESSONS:  # the package's templates, copied unchanged
        assert (course / name).read_bytes() == (SKELETON / name).read_bytes()
    ignored = (course / ".gitignore").read_text().splitlines()
    assert "build/" in ignored and ".cache/" in ignored


def test_init_then_build_gives_no_warning_in_any_format(course: Path, tmp_path: Path) -> None:
    formats = [arg for name in EXPORTERS for arg in ("-f", name)]
    result = invoke("build", course, "--strict", "--out", tmp_path / "out", *formats)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[-1] == "0 error(s), 0 warning(s)"
    slug = "sales-basics"
    assert {f"{slug}.pdf", f"{slug}.epub", f"{slug}-scorm12.zip", f"{slug}-scorm2004.zip"} <= {
        p.name for p in (tmp_path / "out").iterdir()}
    checked = invoke("check", course, "--strict")
    assert checked.exit_code == 0 and "0 error(s), 0 warning(s)" in checked.stderr


def test_the_lessons_show_callouts_an_embed_and_an_exercise(course: Path) -> None:
    result = invoke("tree", course, "--blocks")
    for block in ("Callout(info)", "Callout(success)", "Callout(warning)", "Callout(danger)",
                  "Embed(youtube", "Exercise(lines=6)", "Callout(spoiler 'Model answer')"):
        assert block in result.stdout, block
    assert result.stdout.splitlines()[0] == "Sales Basics [sales-basics, en]"


def every_key() -> list[tuple[str, dataclasses.Field]]:
    """Every key course.yml may hold, as (indent, field): top-level keys and the keys of each section."""
    keys = []
    for spec in course_keys():
        keys.append(("", spec))
        if dataclasses.is_dataclass(spec.default):
            keys += [("  ", option) for option in course_keys(type(spec.default))]
    return keys


def test_course_yml_explains_every_key_with_its_help_text(course: Path) -> None:
    lines = (course / "course.yml").read_text().splitlines()
    for indent, spec in every_key():
        at = next(i for i, line in enumerate(lines) if re.match(rf"^{indent}(# )?{spec.name}:", line))
        comment = []
        for line in reversed(lines[:at]):  # the comment block right above the key
            if not line.startswith(f"{indent}# ") or re.match(rf"^{indent}# [a-z_]+:", line):
                break
            comment.insert(0, line[len(indent) + 2:])
        help_text = spec.metadata.get("help")
        assert help_text, f"course.yml key '{spec.name}' has no help text in exporter/config.py"
        assert " ".join(comment).startswith(help_text), (spec.name, comment)


def test_course_yml_sets_what_init_was_given(tmp_path: Path) -> None:
    folder = tmp_path / "cours"
    assert invoke("init", folder, "--title", "Prospection : le premier appel", "--language", "fr",
                  "--author", "Léa Martin").exit_code == 0
    reporter = Reporter()
    config = load_config(folder, reporter)
    assert reporter.diagnostics == []
    assert (config.title, config.language, config.author, config.slug) == (
        "Prospection : le premier appel", "fr", "Léa Martin", "prospection-le-premier-appel")
    assert [(m.title, m.lessons) for m in config.modules] == [("Getting started", LESSONS)]


def test_every_commented_example_is_a_valid_setting(course: Path, tmp_path: Path) -> None:
    """Uncommenting every `# key: value` line gives a course.yml the loader takes without a word."""
    text = (course / "course.yml").read_text()
    uncommented = re.sub(r"^(\s*)# ([a-z_]+: )", r"\1\2", text, flags=re.M)
    assert uncommented.count("\n") == text.count("\n") and uncommented != text
    folder = tmp_path / "all-keys"
    folder.mkdir()
    (folder / "course.yml").write_text(uncommented)
    reporter = Reporter()
    config = load_config(folder, reporter)
    assert reporter.diagnostics == []
    raw = yaml.safe_load(uncommented)
    assert set(raw) == {spec.name for indent, spec in every_key() if not indent}
    assert config.pdf.pdf_variant == "pdf/ua-1" and config.organisation == "Example Academy"


def test_a_folder_that_holds_anything_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me")
    result = invoke("init", folder)
    assert result.exit_code == 2
    assert f"'{folder}' is not empty" in result.stderr and "--force" in result.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]
    forced = invoke("init", folder, "--force")
    assert forced.exit_code == 0
    assert (folder / "notes.txt").read_text() == "keep me" and (folder / "course.yml").is_file()


@pytest.mark.parametrize("args, message", [
    (("--language", "French!"), "is not a language tag"),
    (("--language", ""), "is not a language tag"),
])
def test_bad_options_are_usage_errors(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    result = invoke("init", tmp_path / "c", *args)
    assert result.exit_code == 2 and message in result.stderr
    assert not (tmp_path / "c").exists()


def test_a_file_is_not_a_folder(tmp_path: Path) -> None:
    target = tmp_path / "course.md"
    target.write_text("# not a folder")
    result = invoke("init", target)
    assert result.exit_code == 2 and "is a file, not a folder" in result.stderr
