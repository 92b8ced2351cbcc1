"""`--theme DIR`: a folder of one's own overrides any template or static file of the default theme by the same
relative path (docs/themes.md); the brand sheet restyles every format."""
from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

import pytest

from exporter.errors import ConfigError
from exporter.theme import THEMES_DIR, load_theme

from conftest import invoke_cli

MINI = Path(__file__).resolve().parent / "projects" / "mini"
BRAND = "h1 { color: #7a1f5c; } /* brand-marker */\n"


def _own_theme(root: Path) -> Path:
    """A theme folder as an author makes it: no theme.yml, a brand sheet and one PDF template changed."""
    (root / "static" / "css").mkdir(parents=True)
    (root / "static" / "css" / "brand.css").write_text(BRAND, encoding="utf-8")
    (root / "templates" / "pdf").mkdir(parents=True)
    front = (THEMES_DIR / "default" / "templates" / "pdf" / "front.html").read_text(encoding="utf-8")
    marked = front.replace('<h1 class="cover-title">', '<p class="cover-kicker">Brandmarkus</p>\n  '
                           '<h1 class="cover-title">', 1)
    assert marked != front, "the default cover template changed: update this test's override"
    (root / "templates" / "pdf" / "front.html").write_text(marked, encoding="utf-8")
    return root


def test_a_folder_without_theme_yml_extends_the_default_theme_file_by_file(tmp_path):
    theme = load_theme(str(_own_theme(tmp_path / "mine")))
    assert theme.dirs == (tmp_path / "mine", THEMES_DIR / "default")
    assert theme.read_static("css/brand.css") == BRAND
    assert theme.static("css/content.css") == THEMES_DIR / "default" / "static" / "css" / "content.css"
    assert "Brandmarkus" in theme.env.get_template("pdf/front.html").render(
        config=type("C", (), {"organisation": "", "title": "T", "subtitle": "", "description": "", "author": "",
                              "version": "1", "date": ""})(), logo=None, parts=[], answers=[],
        pageref=lambda anchor: "")


def test_an_unknown_theme_name_is_a_clear_error():
    with pytest.raises(ConfigError, match="theme 'nope' not found: give a folder, or one of default"):
        load_theme("nope")


def test_theme_dir_restyles_every_format_and_replaces_one_template(tmp_path):
    theme = _own_theme(tmp_path / "mine")
    out = tmp_path / "out"
    result = invoke_cli("build", MINI, "--out", out, "--offline", "--theme", theme, "-f", "pdf", "-f", "epub",
                        "-f", "scorm12", "-f", "html", "--jobs", "1")
    assert result.exit_code == 0, result.output
    text = subprocess.run(["pdftotext", str(out / "mini-course.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Brandmarkus" in text
    with zipfile.ZipFile(out / "mini-course.epub") as epub:
        assert "brand-marker" in epub.read("EPUB/epub.css").decode()
    with zipfile.ZipFile(out / "mini-course-scorm12.zip") as scorm:
        assert "brand-marker" in scorm.read("scorm.css").decode()
    assert "brand-marker" in (out / "mini-course-html" / "style.css").read_text(encoding="utf-8")


def test_without_theme_dir_no_brand_is_applied(tmp_path):
    result = invoke_cli("build", MINI, "--out", tmp_path, "--offline", "-f", "epub")
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(tmp_path / "mini-course.epub") as epub:
        assert "brand-marker" not in epub.read("EPUB/epub.css").decode()
