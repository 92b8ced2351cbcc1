"""What each embed provider needs in every format: canonical URL, privacy-friendly player, short link, QR."""
from __future__ import annotations

import functools
import io
import re
from dataclasses import dataclass

from exporter.i18n import ENGLISH, N_, Ui

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


_URL = re.compile(r"https?://[A-Za-z0-9.-]+(?::\d{1,5})?(?:[/?#][\w@:/?&=.%#~+,;!*'()$-]*)?")
"""An http(s) address with a plain host name: the only kind a reader is ever sent to from an embed."""
_IDS = {
    "youtube": r"[\w-]{6,20}",
    "vimeo": r"\d{1,12}",
    "gist": r"[\w.-]{1,100}(?:/[0-9A-Fa-f]{1,64})?",
    "slideshare": r"[\w.-]{1,100}(?:/[\w.%-]{1,200})?",
    "speakerdeck": r"[\w.-]{1,100}(?:/[\w.%-]{1,200})?",
    "hackmd": r"@?[\w.-]{1,100}(?:/[\w.%-]{1,200})?",
}
"""What each provider's short form looks like (`{%youtube _Vn87bvG0eU %}`); pdf and figma take only addresses."""
_VIDEO_IDS = {"youtube": re.compile(r"(?:[?&]v=|youtu\.be/|/embed/)([\w-]{6,20})"),
              "vimeo": re.compile(r"vimeo\.com/(?:video/)?(\d{1,12})(?:[/?#]|$)")}


def valid_target(provider: str, target: str) -> bool:
    """Whether `{%provider target %}` names something exporter can link to (and, for videos, play)."""
    provider = provider.lower()
    if _URL.fullmatch(target):
        video = _VIDEO_IDS.get(provider)
        return video is None or video.search(target) is not None
    pattern = _IDS.get(provider)
    return pattern is not None and re.fullmatch(pattern, target) is not None


def embed_links(provider: str, target: str, ui: Ui = ENGLISH) -> EmbedLinks:
    """Every address of an embed, from exporter's own templates. A target `valid_target` refuses (the
    normalize stage never lets one through) gets no address at all rather than the author's text."""
    provider = provider.lower()
    url, player = _urls(provider, target) if valid_target(provider, target) else ("", None)
    short = re.sub(r"^https?://(www\.)?", "", url).rstrip("/")
    kind = N_("%(provider)s video") if provider in ("youtube", "vimeo") else N_("%(provider)s document")
    return EmbedLinks(provider, target, url, player, short,
                      ui.gettext(kind, provider=PROVIDER_NAMES.get(provider, provider)))


def _urls(provider: str, target: str) -> tuple[str, str | None]:
    if _URL.fullmatch(target):
        video = _VIDEO_IDS.get(provider)
        if video is None:
            return target, None
        target = video.search(target).group(1)
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
    return "", None  # pdf and figma embeds are addresses, handled above


@functools.lru_cache(maxsize=1)
def qr_version() -> str:
    """segno's version: part of a cached QR code's key."""
    import importlib.metadata

    return importlib.metadata.version("segno")


def qr_svg(url: str, scale: int = 3) -> str:
    """A QR code for `url` as standalone SVG text (deterministic for the same URL). segno is imported here:
    it pulls in urllib and http.client, which only the PDF's video cards need."""
    import segno

    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=scale, border=2, xmldecl=False, svgns=True,
                                     title=None, desc=None, svgclass=None, lineclass=None)
    return buffer.getvalue().decode("ascii")
