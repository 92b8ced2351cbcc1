"""Themes: `exporter/themes/<name>/` (or any folder given with --theme) holds templates per format and static files; code decides what, themes how."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import jinja2
import yaml

from exporter.cache import digest
from exporter.errors import ConfigError
from exporter.i18n import ENGLISH, Ui
from exporter.i18n.runtime import runtime_words

THEMES_DIR = Path(__file__).resolve().parent / "themes"
"""The bundled themes, inside the package (as Sphinx and MkDocs ship theirs) so that an installed exporter has them."""


@dataclass(frozen=True)
class Theme:
    name: str
    dirs: tuple[Path, ...]
    """Theme folders, most specific first (a theme, then the theme it extends)."""
    env: jinja2.Environment
    settings: dict[str, Any] = field(default_factory=dict)
    """theme.yml values (colours...), a theme's own over those of the theme it extends."""
    ui: Ui = ENGLISH
    """exporter's own words in the course's language: what `_()` and `{% trans %}` give in the templates."""
    compiled: Path | None = None
    """Where Jinja keeps its templates compiled (`load_theme`), or None."""

    def localized(self, ui: Ui) -> Theme:
        """The same theme speaking the course's language: templates from the same folders, in an environment
        of their own (Jinja's overlays share their globals, where the words are installed)."""
        return dataclasses.replace(self, env=_environment(self.dirs, ui, self.compiled), ui=ui)

    def render(self, template: str, **context: Any) -> str:
        return self.env.get_template(template).render(**context)

    @cached_property
    def fingerprint(self) -> str:
        """A hash of every file of the theme's folders (names and bytes): templates and CSS change outputs
        but are not Python, so exporter's code hash does not cover them (a theme is a few hundred KB)."""
        parts: list[bytes] = []
        for folder in self.dirs:
            for path in sorted(p for p in Path(folder).rglob("*") if p.is_file()):
                parts += [path.relative_to(folder).as_posix().encode(), path.read_bytes()]
        return digest(parts)

    def static(self, relative: str) -> Path:
        """A static file (CSS, fonts, JS) from the most specific theme that has it."""
        for folder in self.dirs:
            candidate = folder / "static" / relative
            if candidate.is_file():
                return candidate
        raise ConfigError(f"theme '{self.name}' has no static file '{relative}'")

    def read_static(self, relative: str) -> str:
        return self.static(relative).read_text(encoding="utf-8")


def load_theme(name: str = "default", search: Path = THEMES_DIR, compiled: Path | None = None) -> Theme:
    """A theme by name, or a folder: a folder of one's own extends the default theme (any template or static file
    it holds replaces the default's of the same relative path) unless its theme.yml names another `extends:`.
    `compiled`: a folder where Jinja keeps the templates compiled (keyed by their source), so that a build
    does not parse them again: 0.09 s of every build (`BuildCache.beside`)."""
    dirs: list[Path] = []
    specs: list[dict[str, Any]] = []
    current: str | None = name
    while current:
        folder = Path(current) if Path(current).is_dir() else search / current
        own = folder.resolve().parent != search.resolve()
        if not own and not (folder / "theme.yml").is_file():
            raise ConfigError(f"theme '{current}' not found: give a folder, or one of "
                              f"{', '.join(sorted(p.name for p in search.iterdir() if p.is_dir()))}")
        dirs.append(folder)
        spec = _spec(folder)
        specs.append(spec)
        # A folder of one's own overrides the default theme file by file unless its theme.yml says otherwise.
        current = spec.get("extends", "default" if own else None)
        if current and len(dirs) > 5:
            raise ConfigError(f"theme '{name}' extends itself")
    settings: dict[str, Any] = {}
    for spec in reversed(specs):
        settings.update(spec)
    return Theme(name=name, dirs=tuple(dirs), env=_environment(tuple(dirs), ENGLISH, compiled), settings=settings,
                 compiled=compiled)


def _spec(folder: Path) -> dict[str, Any]:
    """theme.yml of a theme folder (optional in a folder of one's own)."""
    path = folder / "theme.yml"
    if not path.is_file():
        return {}
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path} is not valid YAML: {exc}") from exc
    if not isinstance(spec, dict):
        raise ConfigError(f"{path} must be a mapping of keys to values")
    return spec


def _environment(dirs: tuple[Path, ...], ui: Ui, compiled: Path | None) -> jinja2.Environment:
    env = jinja2.Environment(
        bytecode_cache=jinja2.FileSystemBytecodeCache(str(compiled)) if compiled is not None else None,
        loader=jinja2.FileSystemLoader([str(d / "templates") for d in dirs]),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(["html", "xhtml", "xml"]),
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],  # exporter's own words: `_()` and `{% trans %}` (exporter/i18n)
    )
    env.install_gettext_callables(ui.text, ui.plural_text, newstyle=True)
    # the direction of the page chrome and the runtime's words, for every template (docs/themes.md)
    env.globals.update(ui_dir=ui.direction, ui_words=runtime_words(ui))
    return env
