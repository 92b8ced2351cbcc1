"""Themes: `exporter/themes/<name>/` (or any folder given with --theme) holds templates per format and static files; code decides what, themes how."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import yaml

from exporter.errors import ConfigError

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

    def render(self, template: str, **context: Any) -> str:
        return self.env.get_template(template).render(**context)

    def static(self, relative: str) -> Path:
        """A static file (CSS, fonts, JS) from the most specific theme that has it."""
        for folder in self.dirs:
            candidate = folder / "static" / relative
            if candidate.is_file():
                return candidate
        raise ConfigError(f"theme '{self.name}' has no static file '{relative}'")

    def read_static(self, relative: str) -> str:
        return self.static(relative).read_text(encoding="utf-8")


def load_theme(name: str = "default", search: Path = THEMES_DIR) -> Theme:
    """A theme by name (or path); `extends:` in theme.yml chains to a parent theme."""
    dirs: list[Path] = []
    specs: list[dict[str, Any]] = []
    current: str | None = name
    while current:
        folder = Path(current) if Path(current).is_dir() else search / current
        if not (folder / "theme.yml").is_file():
            raise ConfigError(f"theme '{current}' not found (looked for {folder}/theme.yml)")
        dirs.append(folder)
        spec = yaml.safe_load((folder / "theme.yml").read_text(encoding="utf-8")) or {}
        specs.append(spec)
        current = spec.get("extends")
        if current and len(dirs) > 5:
            raise ConfigError(f"theme '{name}' extends itself")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d / "templates") for d in dirs]),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(["html", "xhtml", "xml"]),
        keep_trailing_newline=True,
    )
    settings: dict[str, Any] = {}
    for spec in reversed(specs):
        settings.update(spec)
    return Theme(name=name, dirs=tuple(dirs), env=env, settings=settings)
