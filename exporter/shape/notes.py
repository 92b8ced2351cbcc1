"""Footnotes, collected once: pandoc puts a lesson's notes in a list at its end; each format places
them its own way (at the page foot in print, as EPUB 3 pop-up notes on screens)."""
from __future__ import annotations

from lxml.html import HtmlElement

from exporter.fragments import has_class


def take_notes(root: HtmlElement) -> dict[str, HtmlElement]:
    """Remove pandoc's note lists from `root`; return each note's `<li>` by its id ('fn1'...)."""
    notes: dict[str, HtmlElement] = {}
    for listing in [el for el in root.iter("aside", "section") if has_class(el, "footnotes")]:
        for item in listing.iter("li"):
            notes[item.get("id")] = item
        listing.getparent().remove(listing)
    return notes


def note_calls(root: HtmlElement) -> list[HtmlElement]:
    """The footnote calls (`a.footnote-ref`) in reading order."""
    return [a for a in root.iter("a") if has_class(a, "footnote-ref")]


def drop_back_links(item: HtmlElement) -> str | None:
    """Remove pandoc's '↩' links from a note; return the first one's target (the call's id)."""
    backs = [a for a in item.iter("a") if has_class(a, "footnote-back")]
    target = backs[0].get("href") if backs else None
    for back in backs:
        _drop_keeping_tail(back)
    return target


def _drop_keeping_tail(element: HtmlElement) -> None:
    parent, tail = element.getparent(), element.tail or ""
    previous = element.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(element)
