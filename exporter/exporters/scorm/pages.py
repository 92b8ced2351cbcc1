"""Lesson HTML for SCORM pages: packaged images only, privacy-friendly video iframes, spoilers as <details>."""
from __future__ import annotations

from lxml import html as lxml_html
from lxml.html import HtmlElement

from exporter.assets import for_profile
from exporter.model import AssetManifest

_ROLES = {"danger": "alert"}


def lesson_body(html: str, manifest: AssetManifest) -> str:
    """The neutral lesson fragment, shaped for an LMS page; nothing in it loads from the network but videos."""
    shipped = {asset.key for asset in manifest.files_for("screen")}
    root = lxml_html.fragment_fromstring(f"<div>{for_profile(html, manifest, 'screen')}</div>")
    for img in list(root.iter("img")):
        if img.get("src") not in shipped:
            _replace(img, _missing_image(img.get("alt") or "", img.get("src") or ""))
    for element in list(root.iter("div")):
        classes = (element.get("class") or "").split()
        if "embed" in classes:
            _replace(element, _embed(element, shipped))
        elif "callout" in classes and "spoiler" in classes:
            _spoiler_to_details(element)
        elif "callout" in classes:
            element.set("role", _ROLES.get(next((c for c in classes if c in _ROLES), ""), "note"))
    return (root.text or "") + "".join(lxml_html.tostring(child, encoding="unicode") for child in root)


def _replace(old: HtmlElement, new: HtmlElement) -> None:
    new.tail = old.tail
    old.getparent().replace(old, new)


def _missing_image(alt: str, src: str) -> HtmlElement:
    """The same placeholder the assets stage makes: alt text and address stay visible."""
    span = lxml_html.Element("span", {"class": "image-missing"})
    label = lxml_html.Element("span", {"class": "image-missing-label"})
    label.text = "Image not available"
    label.tail = f": {alt} (" if alt.strip() else " ("
    url = lxml_html.Element("span", {"class": "image-missing-url"})
    url.text = src
    url.tail = ")"
    span.extend([label, url])
    return span


def _embed(div: HtmlElement, shipped: set[str]) -> HtmlElement:
    """A video player iframe (youtube-nocookie / vimeo dnt) plus a plain link; other embeds become a link card."""
    url, label = div.get("data-url") or "", div.get("data-label") or "Embedded content"
    player, thumb = div.get("data-player"), div.get("data-thumb")
    figure = lxml_html.Element("figure", {"class": f"embed embed-{div.get('data-provider') or 'link'}"})
    if player:
        frame = lxml_html.Element("div", {"class": "embed-frame"})
        frame.append(lxml_html.Element("iframe", {
            "src": player, "title": label, "loading": "lazy", "allowfullscreen": "allowfullscreen",
            "referrerpolicy": "strict-origin-when-cross-origin",
            "allow": "encrypted-media; picture-in-picture; fullscreen"}))
        figure.append(frame)
    elif thumb in shipped:
        link = lxml_html.Element("a", {"href": url, "target": "_blank", "rel": "noopener", "class": "embed-thumb"})
        link.append(lxml_html.Element("img", {"src": thumb, "alt": label}))
        figure.append(link)
    caption = lxml_html.Element("figcaption")
    caption.text = f"{label}: "
    link = lxml_html.Element("a", {"href": url, "target": "_blank", "rel": "noopener"})
    link.text = div.get("data-short") or url
    caption.append(link)
    figure.append(caption)
    return figure


def _spoiler_to_details(div: HtmlElement) -> None:
    """`div.callout.spoiler` -> `<details>` (closed unless HackMD said state=open), its label as `<summary>`."""
    div.tag = "details"
    first = div[0] if len(div) else None
    label = first.find("span") if first is not None and first.tag == "p" else None
    if label is not None and "callout-label" in (label.get("class") or ""):
        summary = lxml_html.Element("summary", {"class": "callout-label"})
        summary.text = label.text_content()
        summary.tail = first.tail
        div.replace(first, summary)
    if div.get("open") is None:
        div.attrib.pop("open", None)
