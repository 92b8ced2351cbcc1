"""A cover image drawn from the course metadata, for when course.yml names none.

Reading systems show the cover in the library grid: it must be a raster image with the title
legible at thumbnail size. Colours come from the theme (theme.yml `cover:`), fonts from fontconfig
so a title in any script the machine has fonts for is drawn in that script.
"""
from __future__ import annotations

import io
import subprocess
from functools import lru_cache
from typing import TYPE_CHECKING

from PIL import __version__ as PIL_VERSION  # PIL's own package: its drawing modules are imported to draw

from exporter.config import CourseConfig
from exporter.i18n import ui_for

if TYPE_CHECKING:
    from PIL import ImageDraw

SIZE = (1600, 2400)
"""2:3, the shape most stores and readers expect; large enough for high-density screens."""
MARGIN = 140
DEFAULT_COLOURS = {"background": "#1f3b57", "band": "#f2b134", "text": "#ffffff", "muted": "#c9d6e3"}


def cover_inputs(config: CourseConfig, colours: dict[str, str] | None = None) -> tuple[str, ...]:
    """Everything the drawn cover depends on, for a cache key: the words on it, the colours, the font files
    fontconfig picks and Pillow's version (its PNG encoder)."""
    words = (config.title, config.subtitle or "", config.author or "", config.organisation or "",
             config.version or "", config.language or "", repr(sorted((config.ui or {}).items())))
    fonts = (_font_file(config.language, True) or "", _font_file(config.language, False) or "")
    return (*words, repr(sorted({**DEFAULT_COLOURS, **(colours or {})}.items())), *fonts, PIL_VERSION)


def draw_cover(config: CourseConfig, colours: dict[str, str] | None = None) -> bytes:
    """PNG bytes; the same metadata and theme give the same bytes."""
    colour = {**DEFAULT_COLOURS, **(colours or {})}
    from PIL import Image, ImageDraw

    image = Image.new("RGB", SIZE, colour["background"])
    draw = ImageDraw.Draw(image)
    width = SIZE[0] - 2 * MARGIN
    draw.rectangle((0, 560, SIZE[0], 600), fill=colour["band"])
    y = 700
    title_font = _font(config.language, bold=True, size=_title_size(config.title))
    y = _paragraph(draw, config.title, title_font, y, width, colour["text"], spacing=1.15)
    if config.subtitle:
        y = _paragraph(draw, config.subtitle, _font(config.language, False, 72), y + 60, width, colour["muted"])
    footer = [part for part in (config.author, config.organisation) if part]
    bottom = SIZE[1] - MARGIN
    if config.version:
        version = ui_for(config.language, config.ui).gettext("Version %(version)s", version=config.version)
        bottom = _footer_line(draw, version, _font(config.language, False, 48), bottom,
                              colour["muted"])
    for line in reversed(footer):
        bottom = _footer_line(draw, line, _font(config.language, True, 60), bottom - 20, colour["text"])
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def _title_size(title: str) -> int:
    return 150 if len(title) <= 30 else 120 if len(title) <= 60 else 96


def _paragraph(draw: ImageDraw.ImageDraw, text: str, font, y: int, width: int, fill: str,
               spacing: float = 1.25) -> int:
    """Draw `text` wrapped to `width` from `y`; returns the y below it."""
    line_height = int(font.size * spacing)
    for line in _wrap(draw, text, font, width):
        draw.text((MARGIN, y), line, font=font, fill=fill)
        y += line_height
    return y


def _footer_line(draw: ImageDraw.ImageDraw, text: str, font, bottom: int, fill: str) -> int:
    """Draw one line whose foot is at `bottom`; returns the top of it."""
    top = bottom - int(font.size * 1.3)
    draw.text((MARGIN, top), text, font=font, fill=fill)
    return top


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int) -> list[str]:
    """Greedy wrap on spaces; a word (or a script without spaces) wider than a line is cut by character."""
    lines: list[str] = []
    for word in text.split() or [""]:
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and draw.textlength(candidate, font=font) <= width:
            lines[-1] = candidate
            continue
        while draw.textlength(word, font=font) > width and len(word) > 1:
            cut = next(i for i in range(len(word), 0, -1) if draw.textlength(word[:i], font=font) <= width)
            lines.append(word[:cut])
            word = word[cut:]
        lines.append(word)
    return lines


@lru_cache(maxsize=None)
def _font(language: str, bold: bool, size: int):
    from PIL import ImageFont

    path = _font_file(language, bold)
    if path:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            pass
    return ImageFont.load_default(size)


@lru_cache(maxsize=None)
def _font_file(language: str, bold: bool) -> str | None:
    """fontconfig's sans-serif for the course language (Noto from set-up), or None without fontconfig."""
    pattern = f"sans-serif:lang={language or 'en'}" + (":bold" if bold else "")
    try:
        found = subprocess.run(["fc-match", "-f", "%{file}", pattern], capture_output=True, text=True,
                               timeout=10, check=False).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return None
    return found or None
