"""The formulas of the rendered lessons typeset by MathJax: pandoc's MathML (or the TeX it left as
`span.math`) becomes MathJax's MathML with the TeX as `alttext`, and the SVG of each formula travels with
its lesson for the formats that draw it (PDF pages, the EPUB's `altimg`). A formula MathJax rejects
becomes a labelled box showing its source, with a warning at its own line carrying MathJax's message.

Without Node or MathJax (an installed wheel has no tools/ folder) the lessons keep pandoc's MathML, the
PDF typesets it with ziamath as before, and one warning says so (docs/math.md)."""
from __future__ import annotations

from dataclasses import replace as with_fields
from html import escape
from typing import TYPE_CHECKING

from lxml.html import HtmlElement

from exporter.cache import BuildCache
from exporter.diagnostics import Code, Reporter
from exporter.fragments import fragment, inner_html, replace, source_pos, with_class
from exporter.mathjax import Formula, MathJaxUnavailable, Typeset, typeset_formulas
from exporter.model import Lesson, Loss

if TYPE_CHECKING:  # render/__init__.py imports this module
    from exporter.render import LessonHtml

PREVIEW = 60
"""Characters of a formula quoted in a warning."""


def typeset_lessons(lessons: tuple[LessonHtml, ...], reporter: Reporter | None,
                    cache: BuildCache) -> tuple[LessonHtml, ...]:
    """The lessons with every formula typeset by MathJax (one Node run at most for the whole course)."""
    reporter = reporter if reporter is not None else Reporter()
    found = [(item, root, _formulas(root)) for item, root in _parsed(lessons)]
    try:
        results = typeset_formulas((formula for _, _, pairs in found for _, formula in pairs), cache)
    except MathJaxUnavailable as why:
        _fall_back(found, str(why), reporter)
        return lessons
    typeset = {item.lesson.slug: _put(item, root, pairs, results, reporter) for item, root, pairs in found}
    return tuple(typeset.get(item.lesson.slug, item) for item in lessons)


def _parsed(lessons: tuple[LessonHtml, ...]) -> list[tuple[LessonHtml, HtmlElement]]:
    """The lessons that hold math, parsed (the others are left as they are, unparsed)."""
    return [(item, fragment(item.html)) for item in lessons
            if "<math" in item.html or 'class="math ' in item.html]


def _formulas(root: HtmlElement) -> list[tuple[HtmlElement, Formula]]:
    """Each formula pandoc wrote, in reading order: MathML carrying its TeX, or TeX it left as `span.math`."""
    pairs = []
    for element in root.iter("math", "span"):
        if element.tag == "math":
            tex = "".join(element.xpath(".//annotation[@encoding='application/x-tex']/text()"))
            if tex.strip():
                pairs.append((element, Formula(tex.strip(), element.get("display") == "block")))
        elif element.get("class") in ("math inline", "math display"):
            display = element.get("class") == "math display"
            pairs.append((element, Formula(_without_delimiters(element.text_content(), display), display)))
    return pairs


def _without_delimiters(text: str, display: bool) -> str:
    """pandoc keeps `$...$` / `$$...$$` around TeX it could not convert."""
    mark = "$$" if display else "$"
    text = text.strip()
    if text.startswith(mark) and text.endswith(mark) and len(text) >= 2 * len(mark):
        text = text[len(mark):-len(mark)]
    return text.strip()


def _put(item: LessonHtml, root: HtmlElement, pairs: list[tuple[HtmlElement, Formula]],
         results: dict[Formula, Typeset], reporter: Reporter) -> LessonHtml:
    """The lesson with MathJax's MathML in place, or a labelled box where MathJax said no (a warning at the
    formula's line, and a loss for the report)."""
    losses = []
    for element, formula in pairs:
        result = results[formula]
        if result.error:
            pos = source_pos(item.lesson, element)
            reporter.warning(Code.MATH_INVALID, f"formula '{_quoted(formula.tex)}' was rejected by MathJax "
                             f"({result.error}); its TeX source is shown in a box instead. Correct the TeX "
                             "(HackMD's preview shows the same error)", pos)
            losses.append(Loss(pos.line, f"formula shown as its TeX source ({result.error})"))
            replace(element, rejected_box(formula, item.ui.gettext("Formula not typeset:")))
        else:
            replace(element, result.mathml)
    pictures = {formula: results[formula].svg for _, formula in pairs if not results[formula].error}
    return with_fields(item, html=inner_html(root), math_svg=pictures, losses=item.losses + tuple(losses))


def rejected_box(formula: Formula, label: str) -> str:
    """The source of a formula that could not be typeset, in a box that says so (inline: a span that
    reads in the line; display: the same, shown as a block by the theme's CSS)."""
    kind = "math-rejected math-display" if formula.display else "math-rejected"
    return (f'<span class="{kind}" role="note"><span class="math-rejected-label">{escape(label)}</span> '
            f'<code class="math-source">{escape(formula.tex, quote=False)}</code></span>')


def _quoted(tex: str) -> str:
    """The formula on one line (a warning is one line), cut to PREVIEW characters."""
    flat = " ".join(tex.split())
    return flat if len(flat) <= PREVIEW else flat[:PREVIEW - 1] + "…"


def _fall_back(found: list[tuple[LessonHtml, HtmlElement, list]], why: str, reporter: Reporter) -> None:
    """MathJax cannot run: one warning for the build, then the per-formula warnings of pandoc's converter."""
    if not any(pairs for _, _, pairs in found):
        return
    reporter.warning(Code.MATH_NO_MATHJAX, f"formulas are converted by pandoc (screens) and ziamath (PDF) "
                     f"instead of MathJax, and some may show as TeX source: {why}")
    for item, root, _ in found:
        _report_unconverted(root, item.lesson, reporter)


def _report_unconverted(root: HtmlElement, lesson: Lesson, reporter: Reporter) -> None:
    """pandoc writes TeX it cannot turn into MathML as `span.math` with its delimiters."""
    for span in with_class(root, "span", "math"):
        tex = _without_delimiters(span.text_content(), "display" in (span.get("class") or ""))
        reporter.warning(Code.MATH_UNSUPPORTED, f"formula '{_quoted(tex)}' uses TeX that cannot become MathML; the "
                         "ebook and LMS pages show its source (the PDF typesets it if it can). Rewrite it with "
                         "standard LaTeX commands", source_pos(lesson, span))
