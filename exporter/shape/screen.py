"""Lesson HTML for the screen formats (EPUB, SCORM): packaged images only, embeds as cards (with a
privacy-friendly player where the format may play video), spoilers as <details>."""
from __future__ import annotations

from urllib.parse import urlsplit

from lxml import html as lxml_html
from lxml.html import HtmlElement

from exporter.assets import for_profile
from exporter.i18n import Ui
from exporter.fragments import classes, fragment, has_class, replace, with_class
from exporter.model import AssetManifest
from exporter.render import LessonHtml
from exporter.shape.images import replace_unshipped_images
from exporter.shape.toc import fill_lesson_toc

_ROLES = {"danger": "alert"}


def screen_root(item: LessonHtml, manifest: AssetManifest, players: bool = True, fold: bool = True) -> HtmlElement:
    """The neutral lesson fragment shaped for a screen, in a <div>: nothing in it loads from the network
    but the video players, and those only with `players` (an LMS page may play video, an ebook may not).
    `fold`: spoilers become closed <details>; without it (the ebook) they stay labelled boxes, since reading
    systems without scripts or <details> (calibre) would hide their text for good."""
    shipped = {asset.key for asset in manifest.files_for("screen")}
    root = fragment(for_profile(item.html, manifest, "screen"))
    replace_unshipped_images(root, shipped, item.lesson, None, item.ui)  # the assets stage told the author
    fill_lesson_toc(root, item.lesson, ui=item.ui)
    for span in with_class(root, "span", "math"):
        replace(span, _math_source(span))  # TeX pandoc could not convert (render warned)
    for element in list(root.iter("div")):
        kinds = classes(element)
        if "embed" in kinds:
            replace(element, _embed(element, shipped, players, item.ui))
        elif "callout" in kinds and "spoiler" in kinds and fold:
            _spoiler_to_details(element)
        elif "callout" in kinds:
            element.attrib.pop("open", None)  # an unfolded spoiler (the ebook's) is open anyway
            element.set("role", _ROLES.get(next((c for c in kinds if c in _ROLES), ""), "note"))
    return root


def _math_source(span: HtmlElement) -> HtmlElement:
    """The formula's TeX without its `$`/`$$` delimiters, set as code."""
    code = lxml_html.Element("code", {"class": "math-source"})
    code.text = span.text_content().strip().strip("$").strip()
    return code


def _embed(div: HtmlElement, shipped: set[str], players: bool, ui: Ui) -> HtmlElement:
    """A click-to-load video player plus a plain link; without players, or for other embeds, a card:
    the cached thumbnail (or the provider's name) linking out, and the link.

    The player is a button until the learner presses it; only then does the runtime put in the iframe
    (youtube-nocookie / vimeo dnt). So opening a lesson contacts no one outside the package: LMSes and
    firewalls that block third parties show a working page, and nobody's video host sees a learner who
    did not ask to watch."""
    url, label = div.get("data-url") or "", div.get("data-label") or ui.gettext("Embedded content")
    player, thumb = div.get("data-player") if players else None, div.get("data-thumb")
    figure = lxml_html.Element("figure", {"class": f"embed embed-{div.get('data-provider') or 'link'}"})
    if player:
        frame = lxml_html.Element("div", {"class": "embed-frame"})
        frame.append(_play_button(player, label, thumb if thumb in shipped else None, ui))
        figure.append(frame)
    elif thumb in shipped:
        link = lxml_html.Element("a", {"href": url, "target": "_blank", "rel": "noopener", "class": "embed-thumb"})
        link.append(lxml_html.Element("img", {"src": thumb, "alt": label}))
        figure.append(link)
    else:  # no player, no thumbnail: a neutral card naming what is behind the link
        card = lxml_html.Element("a", {"href": url, "class": "embed-card"})
        card.text = label
        figure.append(card)
    caption = lxml_html.Element("figcaption")
    caption.text = f"{label}: "
    link = lxml_html.Element("a", {"href": url, "target": "_blank", "rel": "noopener"})
    link.text = div.get("data-short") or url
    caption.append(link)
    figure.append(caption)
    return figure


def _play_button(player: str, label: str, thumb: str | None, ui: Ui) -> HtmlElement:
    """The facade the runtime swaps for the player iframe: the thumbnail if shipped, and a label that
    says where the video will load from."""
    button = lxml_html.Element("button", {"type": "button", "class": "embed-play", "data-action": "play",
                                          "data-player": player, "data-title": label})
    if thumb:
        button.append(lxml_html.Element("img", {"src": thumb, "alt": ""}))
    text = lxml_html.Element("span", {"class": "embed-play-label"})
    text.text = "▶ " + ui.gettext("Play: %(label)s", label=label)
    host = lxml_html.Element("span", {"class": "embed-play-host"})
    host.text = ui.gettext("loads from %(host)s", host=urlsplit(player).hostname)
    button.extend([text, host])
    return button


def _spoiler_to_details(div: HtmlElement) -> None:
    """`div.callout.spoiler` -> `<details>` (closed unless HackMD said state=open), its label as `<summary>`."""
    div.tag = "details"
    first = div[0] if len(div) else None
    label = first.find("span") if first is not None and first.tag == "p" else None
    if label is not None and has_class(label, "callout-label"):
        summary = lxml_html.Element("summary", {"class": "callout-label"})
        summary.text = label.text_content()
        summary.tail = first.tail
        div.replace(first, summary)
    if div.get("open") is None:
        div.attrib.pop("open", None)
