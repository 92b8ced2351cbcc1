"""Neutral lesson HTML -> print HTML: embed cards, typeset math, open answers, answer lines, safe images."""
from __future__ import annotations

import base64
import re
from html import escape
from dataclasses import dataclass, field
from typing import Mapping

from lxml import etree
from lxml import html as lxml_html
from lxml.html import HtmlElement

from exporter.diagnostics import Code, Reporter
from exporter.cache import BuildCache
from exporter.embeds import PROVIDER_NAMES, qr_svg, qr_version
from exporter.fragments import fragment, has_class, inner_html, replace, source_pos, with_class
from exporter.model import AssetManifest, Lesson
from exporter.shape.images import replace_unshipped_images
from exporter.shape.links import Page, link_pages
from exporter.shape.notes import drop_back_links, note_calls, take_notes
from exporter.shape.quiz import printed_quizzes
from exporter.shape.toc import fill_lesson_toc
from exporter.theme import Theme

from exporter.exporters.pdf.math import mathjax_picture, typeset_math
from exporter.mathjax import Formula
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
    cache: BuildCache = field(default_factory=lambda: BuildCache(None))
    """Where QR codes are kept between builds (choosing a code's best mask costs 10 ms an embed)."""

    def qr_code(self, url: str) -> str:
        return self.cache.memo(self.cache.key("qr", qr_version(), url), lambda: qr_svg(url))


def prepare_lesson(lesson: Lesson, body: str, ctx: PrintContext,
                   math_svg: Mapping[Formula, str] | None = None) -> HtmlElement:
    """The lesson body made ready for print, in a <div> (still sanitized content plus our own markup);
    `math_svg`: MathJax's pictures of its formulas (`LessonHtml.math_svg`)."""
    root = fragment(body)
    _footnotes(root, lesson, ctx.reporter)
    replace_unshipped_images(root, {asset.key for asset in ctx.manifest.assets}, lesson, ctx.reporter, ctx.theme.ui)
    _embeds(root, ctx)
    _math(root, lesson, ctx.reporter, math_svg or {})
    _headings(root)
    fill_lesson_toc(root, lesson, page_number=pageref, ui=ctx.theme.ui)
    printed_quizzes(root, lesson, ctx.answer_key.entries if ctx.answer_key else None, ctx.theme.ui)
    _answers(root, lesson, ctx)
    _exercises(root)
    return root


def _footnotes(root, lesson: Lesson, reporter: Reporter) -> None:
    """Each footnote call becomes the note itself, floated to the foot of its page (CSS `float: footnote`)."""
    notes = take_notes(root)
    for call in note_calls(root):
        note = notes.get((call.get("href") or "").lstrip("#"))
        if note is None:
            reporter.warning(Code.PDF_RENDER, "a footnote call has no note; the PDF prints its number alone",
                             source_pos(lesson, call))
            continue
        replace(call, f'<span class="footnote">{_note_inline(note)}</span>')


def _note_inline(item) -> str:
    """A note's paragraphs run together as one inline text (a footnote is a line or two at the page
    foot), without pandoc's back-link."""
    drop_back_links(item)
    parts = []
    for child in item:
        inner = escape(child.text or "", quote=False) + "".join(lxml_html.tostring(c, encoding="unicode") for c in child)
        parts.append(inner if child.tag == "p" else lxml_html.tostring(child, encoding="unicode"))
    return " ".join(parts).strip()


def _data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _embeds(root, ctx: PrintContext) -> None:
    """Each embed becomes a card: thumbnail or placeholder, label, short link and a QR code of the canonical URL."""
    for div in with_class(root, "div", "embed"):
        url = div.get("data-url") or div.get("data-target") or ""
        thumb = div.get("data-thumb")
        card = ctx.theme.render(
            "pdf/embed.html", url=url, short=div.get("data-short") or url, label=div.get("data-label") or ctx.theme.ui.gettext("Embed"),
            name=PROVIDER_NAMES.get(div.get("data-provider") or "", div.get("data-provider") or ""),
            provider=div.get("data-provider") or "", qr=_data_uri(ctx.qr_code(url)) if url else "",
            thumb=thumb if thumb and ctx.manifest.get(thumb) else None,
            video=(div.get("data-provider") or "") in ("youtube", "vimeo"))
        replace(div, card)


def _math(root, lesson: Lesson, reporter: Reporter, math_svg: Mapping[Formula, str]) -> None:
    """MathML (and TeX pandoc could not convert) -> SVG pictures: WeasyPrint does not lay out MathML.
    MathJax's picture when the render stage made one, else ziamath's."""
    for node in list(root.iter("math")):
        display = node.get("display") == "block"
        tex = node.get("alttext") or "".join(node.xpath(".//annotation/text()")).strip()
        drawn = math_svg.get(Formula(tex, display))
        picture = mathjax_picture(drawn) if drawn else typeset_math(etree.tostring(node, encoding="unicode"),
                                                                    None, display)
        _put_math(node, picture, tex, display, lesson, reporter)
    for span in with_class(root, "span", "math"):
        tex = (span.text_content() or "").strip().strip("$").strip()
        display = "display" in span.get("class", "")
        _put_math(span, typeset_math(None, tex, display), tex, display, lesson, reporter)


def _put_math(node, picture, tex: str, display: bool, lesson: Lesson, reporter: Reporter) -> None:
    if picture is None:
        reporter.warning(Code.PDF_RENDER, "formula could not be typeset; its TeX source is printed instead",
                         source_pos(lesson, node))
        replace(node, f'<code class="math-source">{escape(tex)}</code>')
        return
    svg, width, height, baseline = picture
    klass = "math-block" if display else "math-inline"
    img = (f'<img class="{klass}" src="{_data_uri(svg)}" alt="{escape(tex or "formula")}" '
           f'style="width:{width:.2f}pt;height:{height:.2f}pt;vertical-align:{baseline:.2f}pt">')
    replace(node, f'<span class="math-wrap {klass}">{img}</span>')


def _headings(root) -> None:
    """Lesson headings become bookmarks under the lesson: the top two heading levels used in it."""
    levels = sorted({int(h.tag[1]) for h in root.iter("h1", "h2", "h3", "h4", "h5", "h6")})
    for heading in root.iter("h1", "h2", "h3", "h4", "h5", "h6"):
        rank = levels.index(int(heading.tag[1]))
        heading.set("class", (heading.get("class", "") + f" bm-{rank + 3 if rank < 2 else 'none'}").strip())


def _is_answer(div) -> bool:
    if has_class(div, "answer"):
        return True
    if not has_class(div, "spoiler"):
        return False
    inside_exercise = any(has_class(a, "exercise") for a in div.iterancestors("div"))
    return inside_exercise or bool(ANSWER_WORDS.search(div.get("data-summary") or ""))


def _answers(root, lesson: Lesson, ctx: PrintContext) -> None:
    """Spoilers print open (they are paper); answers go to the key at the back when it is switched on."""
    for div in list(root.iter("div")):
        if has_class(div, "spoiler"):
            div.set("open", "open")
        if ctx.answer_key is None or not _is_answer(div):
            continue
        anchor = ctx.answer_key.add(lesson, lxml_html.tostring(div, encoding="unicode"))
        replace(div, ctx.theme.render("pdf/answer_ref.html", anchor=anchor, pageref=pageref,
                                        number=len(ctx.answer_key.entries)))


def _exercises(root) -> None:
    for div in with_class(root, "div", "exercise"):
        wanted = div.get("data-lines") or ""
        count = int(wanted) if wanted.isascii() and wanted.isdigit() else EXERCISE_LINES
        div.append(lxml_html.fragment_fromstring(
                '<div class="answer-lines" aria-hidden="true">' + '<div class="rule"></div>' * count + "</div>"))


BOOK = "book"
"""The PDF is one document: every link target is an anchor in it."""


def link_lessons(prepared: list[tuple[Lesson, HtmlElement]], known: set[str],
                 reporter: Reporter) -> dict[str, tuple[str, ...]]:
    """Each lesson's print HTML as its top-level blocks (so a long lesson can be sliced), its links following
    the rules every format shares (`shape/links.py`): a heading or a lesson file becomes an in-book anchor; a
    link leading nowhere (a slide link '#/1/3', a HackMD path '/features') prints its text without a link."""
    link_pages([Page(BOOK, lesson, root) for lesson, root in prepared], reporter, extra_ids=known)
    return {lesson.slug: _blocks(root) for lesson, root in prepared}


def _blocks(root: HtmlElement) -> tuple[str, ...]:
    blocks = [lxml_html.tostring(child, encoding="unicode") for child in root]
    if (root.text or "").strip():
        blocks.insert(0, escape(root.text, quote=False))
    return tuple(blocks) or ("",)
