"""Neutral lesson HTML -> print HTML: embed cards, typeset math, open answers, answer lines, safe images."""
from __future__ import annotations

import base64
import re
from html import escape
from dataclasses import dataclass, field

from lxml import etree
from lxml import html as lxml_html
from lxml.html import HtmlElement

from exporter.diagnostics import Code, Reporter
from exporter.embeds import qr_svg
from exporter.fragments import fragment
from exporter.exporters.links import LinkMap, rewrite_links
from exporter.model import AssetManifest, Lesson, SourcePos
from exporter.theme import Theme

from exporter.exporters.pdf.math import typeset_math
from exporter.exporters.pdf.units import pageref

ANSWER_WORDS = re.compile(r"\b(answers?|solutions?|model answer|antwort|lösung|respuesta|réponse|solución)\b", re.I)
"""A spoiler whose summary says this holds an answer goes to the answer key (when it is switched on)."""

EXERCISE_LINES = 5
"""Ruled answer lines printed under each `:::exercise`."""


@dataclass
class AnswerKey:
    """Answers lifted out of the lessons, in reading order, for the key at the back."""

    entries: list[tuple[Lesson, str, str]] = field(default_factory=list)
    """(lesson, anchor id, answer HTML)."""

    def add(self, lesson: Lesson, html: str) -> str:
        anchor = f"answer-{len(self.entries) + 1}"
        self.entries.append((lesson, anchor, html))
        return anchor


@dataclass(frozen=True)
class PrintContext:
    manifest: AssetManifest
    theme: Theme
    reporter: Reporter
    answer_key: AnswerKey | None
    """None: answers print in place."""


def prepare_lesson(lesson: Lesson, body: str, ctx: PrintContext) -> HtmlElement:
    """The lesson body made ready for print, in a <div> (still sanitized content plus our own markup)."""
    root = fragment(body)
    _footnotes(root, lesson, ctx.reporter)
    _images(root, lesson, ctx)
    _embeds(root, ctx)
    _math(root, lesson, ctx.reporter)
    _headings(root)
    _lesson_toc(root, lesson)
    _diagrams(root)
    _answers(root, lesson, ctx)
    _exercises(root)
    return root


def _pos(lesson: Lesson, element) -> SourcePos:
    line = element.get("data-line")
    return SourcePos(lesson.source, int(line) if line and line.isdigit() else 1)


def _replace(old, new_html: str) -> None:
    """Swap `old` for parsed `new_html`, keeping the text that followed `old`."""
    new = lxml_html.fragment_fromstring(new_html)
    new.tail = old.tail
    old.getparent().replace(old, new)


def _footnotes(root, lesson: Lesson, reporter: Reporter) -> None:
    """Each footnote call becomes the note itself, floated to the foot of its page (CSS `float: footnote`);
    the notes list the render stage put at the lesson's end goes."""
    notes = {}
    for aside in [el for el in root.iter("aside", "section") if "footnotes" in (el.get("class") or "").split()]:
        for item in aside.iter("li"):
            notes[item.get("id")] = _note_inline(item)
        aside.getparent().remove(aside)
    for call in [a for a in root.iter("a") if "footnote-ref" in (a.get("class") or "").split()]:
        note = notes.get((call.get("href") or "").lstrip("#"))
        if note is None:
            reporter.warning(Code.PDF_RENDER, "a footnote call has no note; the PDF prints its number alone",
                             _pos(lesson, call))
            continue
        _replace(call, f'<span class="footnote">{note}</span>')


def _note_inline(item) -> str:
    """A note's paragraphs run together as one inline text (a footnote is a line or two at the page
    foot), without pandoc's back-link."""
    for back in [a for a in item.iter("a") if "footnote-back" in (a.get("class") or "").split()]:
        _drop_keeping_tail(back)
    parts = []
    for child in item:
        inner = escape(child.text or "", quote=False) + "".join(lxml_html.tostring(c, encoding="unicode") for c in child)
        parts.append(inner if child.tag == "p" else lxml_html.tostring(child, encoding="unicode"))
    return " ".join(parts).strip()


def _drop_keeping_tail(element) -> None:
    parent, tail = element.getparent(), element.tail or ""
    previous = element.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(element)


def _images(root, lesson: Lesson, ctx: PrintContext) -> None:
    """Only manifest files print; anything else (a remote URL that slipped through) becomes the placeholder."""
    for img in list(root.iter("img")):
        src = img.get("src") or ""
        if ctx.manifest.get(src) is not None:
            continue
        alt = img.get("alt") or ""
        ctx.reporter.warning(Code.ASSET_MISSING, f"image '{src}' is not a local asset; the PDF shows its alt text "
                             "and address instead (build online once to cache it)", _pos(lesson, img))
        label = "Image not available" + (f": {alt}" if alt else "")
        _replace(img, ctx.theme.render("pdf/image_missing.html", label=label, url=src))


def _data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _embeds(root, ctx: PrintContext) -> None:
    """Each embed becomes a card: thumbnail or placeholder, label, short link and a QR code of the canonical URL."""
    for div in list(root.iter("div")):
        if "embed" not in (div.get("class") or "").split():
            continue
        url = div.get("data-url") or div.get("data-target") or ""
        thumb = div.get("data-thumb")
        card = ctx.theme.render(
            "pdf/embed.html", url=url, short=div.get("data-short") or url, label=div.get("data-label") or "Embed",
            provider=div.get("data-provider") or "", qr=_data_uri(qr_svg(url)) if url else "",
            thumb=thumb if thumb and ctx.manifest.get(thumb) else None,
            video=(div.get("data-provider") or "") in ("youtube", "vimeo"))
        _replace(div, card)


def _math(root, lesson: Lesson, reporter: Reporter) -> None:
    """MathML (and TeX pandoc could not convert) -> SVG pictures: WeasyPrint does not lay out MathML."""
    for node in list(root.iter("math")):
        display = node.get("display") == "block"
        source = etree.tostring(node, encoding="unicode")
        tex = "".join(node.xpath(".//annotation/text()")).strip()
        _put_math(node, typeset_math(source, None, display), tex, display, lesson, reporter)
    for span in list(root.iter("span")):
        if "math" in (span.get("class") or "").split():
            tex = (span.text_content() or "").strip().strip("$").strip()
            display = "display" in span.get("class", "")
            _put_math(span, typeset_math(None, tex, display), tex, display, lesson, reporter)


def _put_math(node, picture, tex: str, display: bool, lesson: Lesson, reporter: Reporter) -> None:
    if picture is None:
        reporter.warning(Code.PDF_RENDER, "formula could not be typeset; its TeX source is printed instead",
                         _pos(lesson, node))
        _replace(node, f'<code class="math-source">{_esc(tex)}</code>')
        return
    svg, width, height, baseline = picture
    klass = "math-block" if display else "math-inline"
    img = (f'<img class="{klass}" src="{_data_uri(svg)}" alt="{_esc(tex or "formula")}" '
           f'style="width:{width:.2f}pt;height:{height:.2f}pt;vertical-align:{baseline:.2f}pt">')
    _replace(node, f'<span class="math-wrap {klass}">{img}</span>')


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _headings(root) -> None:
    """Lesson headings become bookmarks under the lesson: the top two heading levels used in it."""
    levels = sorted({int(h.tag[1]) for h in root.iter("h1", "h2", "h3", "h4", "h5", "h6")})
    for heading in root.iter("h1", "h2", "h3", "h4", "h5", "h6"):
        rank = levels.index(int(heading.tag[1]))
        heading.set("class", (heading.get("class", "") + f" bm-{rank + 3 if rank < 2 else 'none'}").strip())


def _lesson_toc(root, lesson: Lesson) -> None:
    """HackMD's [TOC]: the lesson's own headings, with the page each starts on."""
    for div in list(root.iter("div")):
        if "toc" not in (div.get("class") or "").split():
            continue
        items = "".join(f'<li class="toc-h{h.level}"><a href="#{h.id}"><span class="toc-text">{_esc(h.text)}</span>'
                        f'{pageref(h.id)}</a></li>' for h in lesson.headings if h.level <= 3)
        _replace(div, f'<nav class="lesson-toc"><ul>{items}</ul></nav>' if items else '<span></span>')


def _diagrams(root) -> None:
    """No diagram renderer is bundled: the source prints under a visible label (normalize already warned)."""
    for pre in list(root.iter("pre")):
        classes = (pre.get("class") or "").split()
        if "diagram" not in classes:
            continue
        kind = next((c for c in classes if c not in ("diagram", "sourceCode", "numberSource", "numberLines")),
                    "diagram")
        label = lxml_html.fragment_fromstring(
            f'<p class="diagram-label">{_esc(kind.capitalize())} diagram: source shown, not drawn in print</p>')
        target = pre.getparent() if pre.getparent().get("class") == "sourceCode" else pre
        target.addprevious(label)


def _is_answer(div) -> bool:
    classes = (div.get("class") or "").split()
    if "answer" in classes:
        return True
    if "spoiler" not in classes:
        return False
    inside_exercise = any("exercise" in (a.get("class") or "").split() for a in div.iterancestors("div"))
    return inside_exercise or bool(ANSWER_WORDS.search(div.get("data-summary") or ""))


def _answers(root, lesson: Lesson, ctx: PrintContext) -> None:
    """Spoilers print open (they are paper); answers go to the key at the back when it is switched on."""
    for div in list(root.iter("div")):
        classes = (div.get("class") or "").split()
        if "spoiler" in classes:
            div.set("open", "open")
        if ctx.answer_key is None or not _is_answer(div):
            continue
        anchor = ctx.answer_key.add(lesson, lxml_html.tostring(div, encoding="unicode"))
        _replace(div, ctx.theme.render("pdf/answer_ref.html", anchor=anchor, pageref=pageref,
                                        number=len(ctx.answer_key.entries)))


def _exercises(root) -> None:
    for div in list(root.iter("div")):
        if "exercise" in (div.get("class") or "").split():
            wanted = div.get("data-lines") or ""
            count = int(wanted) if wanted.isdigit() else EXERCISE_LINES
            div.append(lxml_html.fragment_fromstring(
                '<div class="answer-lines" aria-hidden="true">' + '<div class="rule"></div>' * count + "</div>"))


BOOK = "book"
"""The PDF is one document: every link target is an anchor in it."""


def link_lessons(prepared: list[tuple[Lesson, HtmlElement]], known: set[str],
                 reporter: Reporter) -> dict[str, tuple[str, ...]]:
    """Each lesson's print HTML as its top-level blocks (so a long lesson can be sliced), its links following the rules every format shares (`exporters/links.py`):
    a heading or a lesson file becomes an in-book anchor; a link leading nowhere (a slide link '#/1/3',
    a HackMD path '/features') prints its text without a link."""
    ids = known | {el.get("id") for _, root in prepared for el in root.iter() if el.get("id")}
    links = LinkMap({ident: BOOK for ident in ids}, {lesson.source: f"{BOOK}#{lesson.slug}" for lesson, _ in prepared})
    for lesson, root in prepared:
        rewrite_links(root, BOOK, lesson, links, reporter)
    return {lesson.slug: _blocks(root) for lesson, root in prepared}


def _blocks(root: HtmlElement) -> tuple[str, ...]:
    blocks = [lxml_html.tostring(child, encoding="unicode") for child in root]
    if (root.text or "").strip():
        blocks.insert(0, escape(root.text, quote=False))
    return tuple(blocks) or ("",)
