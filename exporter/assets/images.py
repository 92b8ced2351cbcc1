"""Image bytes -> what outputs ship: type sniffed from the bytes, checked, sized, converted and scaled.

The type comes from the content (Pillow, or an XML root for SVG), never from the URL or file name.
Print (PDF) keeps up to PRINT_MAX_SIDE pixels; screen formats (EPUB, SCORM) get a copy of at most
SCREEN_MAX_SIDE pixels in PNG, JPEG, GIF or SVG (WebP and other types are converted for older readers).
"""
from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

from exporter.assets.svg import SvgError, sanitize_svg

if TYPE_CHECKING:  # Pillow is imported where an image is decoded: a warm build finds every check in the cache
    from PIL import Image

PRINT_MAX_SIDE = 3000
"""Longest side kept for print: 3000 px is 250 dpi across a 30 cm page."""
SCREEN_MAX_SIDE = 1600
"""Longest side for EPUB/SCORM: sharp on a tablet, and under Apple Books' 4-megapixel advice."""
MAX_PIXELS = 60_000_000
"""Anything bigger is refused before decoding (decompression bombs)."""

EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp",
              "image/svg+xml": "svg"}
_PILLOW_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
SCREEN_TYPES = {"image/png", "image/jpeg", "image/gif", "image/svg+xml"}
"""Core media types every EPUB reader shows (WebP only joined in EPUB 3.3)."""


class InvalidImage(Exception):
    """The bytes are not a usable image; the message says why."""


@dataclass(frozen=True, slots=True)
class Rendition:
    data: bytes
    media_type: str
    width: int | None
    height: int | None

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.media_type]


@dataclass(frozen=True, slots=True)
class PreparedImage:
    print: Rendition
    """What the PDF embeds (and the asset every key points at)."""
    screen: Rendition | None
    """A smaller or converted copy for EPUB/SCORM, or None when `print` already suits screens."""
    notes: tuple[tuple[str, str], ...] = ()
    """(kind, detail) for the loss report: 'converted', 'downscaled'."""


def prepare_image(data: bytes) -> PreparedImage:
    """Check and shape one image; raises InvalidImage for corrupt, oversized or unsupported data."""
    if _looks_like_svg(data):
        try:
            clean, width, height = sanitize_svg(data)
        except SvgError as exc:
            raise InvalidImage(str(exc)) from exc
        return PreparedImage(Rendition(clean, "image/svg+xml", width, height), None)
    return _prepare_raster(data)


def _looks_like_svg(data: bytes) -> bool:
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<?xml", b"<svg", b"<!--", b"<!doctype svg")) and b"<svg" in data[:65536].lower()


def _prepare_raster(data: bytes) -> PreparedImage:
    image = _open_checked(data)
    fmt = image.format or ""
    notes: list[tuple[str, str]] = []
    animated = getattr(image, "is_animated", False)
    if fmt in _PILLOW_TYPES:
        base = Rendition(data, _PILLOW_TYPES[fmt], image.width, image.height)
    else:
        base = _encode(_flatten_mode(image), prefer="image/png")
        notes.append(("converted", f"{fmt or 'unknown'} image converted to PNG"))
    if not animated and max(image.size) > PRINT_MAX_SIDE:
        base = _encode(_scaled(image, PRINT_MAX_SIDE), prefer=base.media_type)
    screen = None
    if not animated and (max(image.size) > SCREEN_MAX_SIDE or base.media_type not in SCREEN_TYPES):
        screen = _encode(_scaled(image, SCREEN_MAX_SIDE), prefer=base.media_type)
        if max(image.size) > SCREEN_MAX_SIDE:
            notes.append(("downscaled", f"{image.width}×{image.height} px scaled to "
                                        f"{screen.width}×{screen.height} px for EPUB/SCORM"))
        if base.media_type not in SCREEN_TYPES:
            notes.append(("converted", f"{base.media_type} converted to {screen.media_type} for EPUB/SCORM"))
    elif animated and base.media_type not in SCREEN_TYPES:
        raise InvalidImage("animated WebP cannot be carried by e-readers; export it as a GIF or PNG")
    return PreparedImage(base, screen, tuple(notes))


def _open_checked(data: bytes) -> Image.Image:
    """Open and fully decode once, so truncated or corrupt files are caught here, not in an exporter."""
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            if probe.width * probe.height > MAX_PIXELS:
                raise InvalidImage(f"the image is {probe.width}×{probe.height} px, over the "
                                   f"{MAX_PIXELS // 1_000_000}-megapixel limit")
            probe.verify()
            image = Image.open(io.BytesIO(data))
            image.load()
    except InvalidImage:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise InvalidImage("not a PNG, JPEG, GIF, WebP or SVG image" if isinstance(exc, UnidentifiedImageError)
                           else "the image is too large to decode safely") from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise InvalidImage(f"the image file is corrupt or truncated ({exc})") from exc
    return image


def _flatten_mode(image: Image.Image) -> Image.Image:
    if image.mode in ("RGB", "RGBA", "L", "LA"):
        return image
    return image.convert("RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB")


def _scaled(image: Image.Image, side: int) -> Image.Image:
    from PIL import Image, ImageOps

    image = ImageOps.exif_transpose(_flatten_mode(image)) or image
    if max(image.size) <= side:
        return image
    copy = image.copy()
    copy.thumbnail((side, side), Image.Resampling.LANCZOS)
    return copy


def _encode(image: Image.Image, prefer: str) -> Rendition:
    """PNG or JPEG (JPEG for photos without transparency when the source was JPEG or WebP)."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    media = "image/jpeg" if prefer in ("image/jpeg", "image/webp") and not has_alpha else "image/png"
    if prefer == "image/gif" and image.mode == "P":
        media = "image/gif"
    buffer = io.BytesIO()
    if media == "image/jpeg":
        image.convert("RGB").save(buffer, "JPEG", quality=85, optimize=True)
    elif media == "image/gif":
        image.save(buffer, "GIF")
    else:
        image.save(buffer, "PNG", optimize=True)
    return Rendition(buffer.getvalue(), media, image.width, image.height)
