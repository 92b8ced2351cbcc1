"""What each embed provider needs in every format: canonical URL, privacy-friendly player, short link, QR."""
from __future__ import annotations

import io
import re
from dataclasses import dataclass

import segno

PROVIDER_NAMES = {"youtube": "YouTube", "vimeo": "Vimeo", "gist": "GitHub Gist", "slideshare": "SlideShare",
                  "speakerdeck": "Speaker Deck", "pdf": "PDF", "figma": "Figma", "hackmd": "HackMD note"}


@dataclass(frozen=True, slots=True)
class EmbedLinks:
    provider: str
    target: str
    url: str
    """Canonical page a reader opens (watch URL for videos)."""
    player: str | None
    """Privacy-friendly iframe URL (youtube-nocookie, vimeo dnt=1), or None where no player exists."""
    short: str
    """The URL without scheme and 'www.', for print."""
    label: str
    """'YouTube video', 'Figma file'..."""


def embed_links(provider: str, target: str) -> EmbedLinks:
    provider = provider.lower()
    url, player = _urls(provider, target)
    short = re.sub(r"^https?://(www\.)?", "", url).rstrip("/")
    kind = "video" if provider in ("youtube", "vimeo") else "document"
    return EmbedLinks(provider, target, url, player, short, f"{PROVIDER_NAMES.get(provider, provider)} {kind}")


def _urls(provider: str, target: str) -> tuple[str, str | None]:
    if target.startswith(("http://", "https://")):
        video = re.search(r"(?:v=|youtu\.be/|embed/)([\w-]{6,})", target) if provider == "youtube" else None
        if video:
            target = video.group(1)
        else:
            return target, None
    if provider == "youtube":
        return (f"https://www.youtube.com/watch?v={target}",
                f"https://www.youtube-nocookie.com/embed/{target}")
    if provider == "vimeo":
        return f"https://vimeo.com/{target}", f"https://player.vimeo.com/video/{target}?dnt=1"
    if provider == "gist":
        return f"https://gist.github.com/{target}", None
    if provider == "slideshare":
        return f"https://www.slideshare.net/{target}", None
    if provider == "speakerdeck":
        return f"https://speakerdeck.com/{target}", None
    if provider == "hackmd":
        return f"https://hackmd.io/{target}", None
    return target, None


def qr_svg(url: str, scale: int = 3) -> str:
    """A QR code for `url` as standalone SVG text (deterministic for the same URL)."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=scale, border=2, xmldecl=False, svgns=True,
                                     title=None, desc=None, svgclass=None, lineclass=None)
    return buffer.getvalue().decode("ascii")
