"""The rendered `div.quiz` (normalize/quiz.py) shaped per format: LMS form controls the runtime scores, an
ebook's question with its answer in an answers section, a workbook's tick boxes and writing lines."""
from __future__ import annotations

import json

from lxml import html as lxml_html
from lxml.html import HtmlElement

from exporter.fragments import with_class
from exporter.i18n import ENGLISH, Ui
from exporter.model import Lesson, Question

MAX_TEXT_ANSWER = 60
"""Characters a short text answer may have: it travels in suspend_data (4,096 characters in SCORM 1.2)."""
SUSPEND_HEAD = len("~1234567.10~")
"""What the runtime adds before the questions' states: '~', the questions' fingerprint (base 36), the quiz attempt
from the second on ('.10' at most), '~'."""
MAX_PATTERNS = 5
"""SCORM 2004 keeps at most 5 correct_responses for a fill-in interaction."""


def quiz_divs(root: HtmlElement, lesson: Lesson) -> list[tuple[HtmlElement, Question]]:
    """Each rendered quiz of the lesson with its Question (matched by the id only normalize writes)."""
    by_id = {question.element_id: question for question in lesson.questions}
    return [(div, by_id[div.get("id")]) for div in with_class(root, "div", "quiz") if div.get("id") in by_id]


def _part(div: HtmlElement, name: str) -> HtmlElement | None:
    return next(iter(with_class(div, "div", name)), None)


def _append_hidden(parent: HtmlElement, part: HtmlElement | None) -> None:
    """Feedback and explanations stay hidden until the learner checks the answer (the runtime shows them)."""
    if part is not None:
        part.set("hidden", "hidden")
        parent.append(part)


def _element(tag: str, attrs: dict[str, str] | None = None, text: str | None = None) -> HtmlElement:
    element = lxml_html.Element(tag, attrs or {})
    element.text = text
    return element


def _legend(div: HtmlElement, question: Question) -> HtmlElement:
    """The question's words as the group's name: a screen reader says them on entering the choices. A legend
    holds phrasing content only, so paragraphs become block spans; anything else stays a described prompt."""
    legend = _element("legend", {"class": "quiz-legend"})
    if question.title:
        legend.append(_element("span", {"class": "quiz-title"}, question.title))
    prompt = _part(div, "quiz-prompt")
    for paragraph in list(prompt) if prompt is not None else []:
        if paragraph.tag != "p":
            continue
        paragraph.tag = "span"
        paragraph.set("class", "quiz-prompt-line")
        legend.append(paragraph)
    return legend


def _leftover_prompt(div: HtmlElement) -> HtmlElement | None:
    prompt = _part(div, "quiz-prompt")
    if prompt is None or not len(prompt):
        return None
    prompt.set("class", "quiz-prompt")
    return prompt


# ---------------------------------------------------------------------------- LMS pages (SCORM, cmi5, xAPI)


def interactive_quizzes(root: HtmlElement, lesson: Lesson, ui: Ui = ENGLISH) -> None:
    """Each quiz as a fieldset of native controls and a Check button; runtime.js scores it and reports it."""
    for div, question in quiz_divs(root, lesson):
        div.getparent().replace(div, _interactive(div, question, ui))


def _interactive(div: HtmlElement, question: Question, ui: Ui) -> HtmlElement:
    box = _element("div", {"class": f"quiz quiz-kind-{question.kind}", "id": question.element_id,
                           "data-question": question.id, "data-kind": question.kind,
                           "data-weight": str(question.weight), "data-correct": ",".join(question.correct_keys),
                           "data-description": question.prompt[:250]})
    if question.kind == "fill-in":
        box.set("data-answers", json.dumps([_folded(a) for a in question.answers][:MAX_PATTERNS]
                                           or [""], ensure_ascii=False))
        box.set("data-patterns", json.dumps(list(question.answers[:MAX_PATTERNS]), ensure_ascii=False))
    fieldset = _element("fieldset")
    fieldset.append(_legend(div, question))
    prompt = _leftover_prompt(div)
    if prompt is not None:
        fieldset.append(prompt)
    fieldset.append(_text_input(question, ui) if question.kind == "fill-in" else _choice_inputs(div, question))
    actions = _element("div", {"class": "quiz-actions"})
    # a name of its own per question (it starts with the visible word): a screen reader's list of buttons, or a
    # test robot, tells the Check buttons of a page apart
    actions.append(_element("button", {"type": "button", "class": "quiz-check", "data-action": "check",
                                       "aria-label": ui.gettext("Check: %(question)s", question=question.prompt[:80])},
                                   ui.gettext("Check")))
    actions.append(_element("button", {"type": "button", "class": "quiz-retry", "data-action": "retry",
                                       "hidden": "hidden"}, ui.gettext("Try again")))
    fieldset.append(actions)
    fieldset.append(_element("p", {"class": "quiz-result", "role": "status", "aria-live": "polite"}))
    _append_hidden(fieldset, _part(div, "quiz-explanation"))
    box.append(fieldset)
    return box


def _folded(answer: str) -> str:
    """How the runtime compares a typed answer: case and runs of spaces do not count."""
    return " ".join(answer.split()).casefold()


def _choice_inputs(div: HtmlElement, question: Question) -> HtmlElement:
    kind = "checkbox" if question.kind == "multiple" else "radio"
    listing = _element("div", {"class": "quiz-choices"})
    for choice_div, choice in zip(with_class(div, "div", "quiz-choice"), question.choices):
        ident = f"{question.element_id}-{choice.key}"
        row = _element("div", {"class": "quiz-choice"})
        row.append(_element("input", {"type": kind, "name": question.id, "id": ident, "value": choice.key}))
        label = _element("label", {"for": ident})
        words = _part(choice_div, "quiz-label")
        label.text = words.text if words is not None else choice.text
        for child in list(words) if words is not None else []:
            label.append(child)
        row.append(label)
        _append_hidden(row, _part(choice_div, "quiz-choice-feedback"))
        listing.append(row)
    return listing


def _text_input(question: Question, ui: Ui) -> HtmlElement:
    field = _element("div", {"class": "quiz-text"})
    ident = f"{question.element_id}-text"
    field.append(_element("label", {"for": ident}, ui.gettext("Your answer")))
    field.append(_element("input", {"type": "text", "id": ident, "name": question.id, "maxlength": str(MAX_TEXT_ANSWER),
                                    "autocomplete": "off", "spellcheck": "false"}))
    return field


def suspend_worst_case(questions: tuple[Question, ...], attempts: int) -> int:
    """The longest questions' state runtime.js can append to suspend_data for one SCO: per question its
    interaction index (3 base-36 digits), checks used, and answer (every choice ticked, or a text of
    MAX_TEXT_ANSWER characters each escaped to 3), separated by ',' and ';'."""
    if not questions:
        return 0
    per = [3 + 1 + len(str(attempts)) + 1 + (3 * MAX_TEXT_ANSWER if q.kind == "fill-in" else len(q.choices))
           for q in questions]
    return SUSPEND_HEAD + sum(per) + len(per) - 1


# ---------------------------------------------------------------------------- EPUB


def ebook_quizzes(root: HtmlElement, lesson: Lesson, ui: Ui = ENGLISH) -> None:
    """Readers run no scripts: each question shows its choices and links to its answer, in an answers
    section at the end of the chapter that links back."""
    found = quiz_divs(root, lesson)
    if not found:
        return
    answers = _element("section", {"class": "quiz-answers", "id": f"exporter-answers-{lesson.slug}",
                                   "aria-label": ui.gettext("Answers")})
    answers.append(_element("h2", {"class": "quiz-answers-title"}, ui.gettext("Answers")))
    for number, (div, question) in enumerate(found, 1):
        _ebook_question(div, question, number, ui)
        answers.append(_answer_entry(div, question, number, ui))
    root.append(answers)


def _ebook_question(div: HtmlElement, question: Question, number: int, ui: Ui) -> None:
    heading = _element("p", {"class": "quiz-heading"}, _question_heading(question, number, ui))
    div.insert(0, heading)
    for choice_div, choice in zip(with_class(div, "div", "quiz-choice"), question.choices):
        for feedback in with_class(choice_div, "div", "quiz-choice-feedback"):
            feedback.getparent().remove(feedback)
        box = _element("span", {"class": "quiz-box", "aria-hidden": "true"}, "☐ " if question.kind == "multiple"
                       else "○ ")
        label = _part(choice_div, "quiz-label")
        if label is not None:
            box.tail = label.text
            label.text = None
            label.insert(0, box)
    if question.kind == "fill-in":
        div.append(_element("p", {"class": "quiz-write"}, ui.gettext("Your answer:") + " ______________"))
    for explanation in with_class(div, "div", "quiz-explanation"):
        explanation.getparent().remove(explanation)
    link = _element("p", {"class": "quiz-answer-link"})
    link.append(_element("a", {"href": f"#{question.element_id}-answer", "id": f"{question.element_id}-ask"},
                         ui.gettext("Answer to question %(number)s", number=number)))
    div.append(link)


def answer_text(question: Question) -> str:
    """The right answer in words: the ticked choices, or the accepted answers."""
    if question.kind == "fill-in":
        return " / ".join(question.answers)
    return "; ".join(f"{c.key}) {c.text}" if question.kind != "true-false" else c.text
                     for c in question.choices if c.correct)


def _answer_entry(div: HtmlElement, question: Question, number: int, ui: Ui) -> HtmlElement:
    entry = _element("div", {"class": "quiz-answer", "id": f"{question.element_id}-answer"})
    line = _element("p", {}, f"{number}. ")
    line.append(_element("strong", {}, answer_text(question)))
    entry.append(line)
    if question.explanation:
        entry.append(_element("p", {"class": "quiz-explanation"}, question.explanation))
    back = _element("p", {"class": "quiz-back"})
    back.append(_element("a", {"href": f"#{question.element_id}-ask"},
                         ui.gettext("Back to question %(number)s", number=number)))
    entry.append(back)
    return entry


# ---------------------------------------------------------------------------- PDF workbook


def printed_quizzes(root: HtmlElement, lesson: Lesson, key: list | None, ui: Ui = ENGLISH) -> None:
    """Tick boxes before each choice, writing lines for a short answer; with an answer key, each question's
    right answer and explanation go into `key` as (lesson, anchor, HTML) and the page gets a reference."""
    for number, (div, question) in enumerate(quiz_divs(root, lesson), 1):
        div.insert(0, _element("p", {"class": "quiz-heading"}, _question_heading(question, number, ui)))
        for choice_div, choice in zip(with_class(div, "div", "quiz-choice"), question.choices):
            for feedback in with_class(choice_div, "div", "quiz-choice-feedback"):
                feedback.getparent().remove(feedback)
            label = _part(choice_div, "quiz-label")
            if label is not None:
                box = _element("span", {"class": "quiz-box", "aria-hidden": "true"},
                               "☐" if question.kind == "multiple" else "○")
                box.tail = " " + (label.text or "")
                label.text = None
                label.insert(0, box)
        if question.kind == "fill-in":
            div.append(_element("div", {"class": "answer-lines", "aria-hidden": "true"}))
            div[-1].extend([_element("div", {"class": "rule"}) for _ in range(2)])
        for explanation in with_class(div, "div", "quiz-explanation"):
            explanation.getparent().remove(explanation)
        if key is not None:
            anchor = f"quiz-answer-{question.id}"
            entry = (f'<div class="quiz-key"><p><strong>{_escape(question.title or question.prompt[:80])}</strong>: '
                     f'{_escape(answer_text(question))}</p>'
                     + (f'<p class="quiz-explanation">{_escape(question.explanation)}</p>' if question.explanation
                        else "") + "</div>")
            key.append((lesson, anchor, entry))


def _question_heading(question: Question, number: int, ui: Ui) -> str:
    if question.title:
        return ui.gettext("Question %(number)s: %(title)s", number=number, title=question.title)
    return ui.gettext("Question %(number)s", number=number)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

