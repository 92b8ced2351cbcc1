"""Images no format can ship: the one placeholder every format shows (alt text and address stay visible)."""
from __future__ import annotations

from lxml.html import HtmlElement

from exporter.assets.tree import IMAGE_MISSING, placeholder_html
from exporter.diagnostics import Code, Reporter
from exporter.fragments import replace, source_pos
from exporter.i18n import ENGLISH, Ui
from exporter.model import Lesson


def replace_unshipped_images(root: HtmlElement, shipped: set[str], lesson: Lesson,
                             reporter: Reporter | None, ui: Ui = ENGLISH) -> None:
    """Any `<img>` whose file the output does not carry becomes the placeholder. The assets stage already
    replaced every image it could not resolve (and said so); what reaches here is a file another profile
    carries, so a reporter is given only where that is news to the author."""
    for img in list(root.iter("img")):
        src = img.get("src") or ""
        if src in shipped:
            continue
        pos = source_pos(lesson, img)
        if reporter is not None:
            reporter.warning(Code.ASSET_MISSING, f"image '{src}' is not a local asset; its alt text and address "
                             "are shown instead (build online once to cache it)", pos)
        replace(img, placeholder_html(img.get("alt") or "", src, pos.line, "not a file of this output",
                                      ui.gettext(IMAGE_MISSING)))
