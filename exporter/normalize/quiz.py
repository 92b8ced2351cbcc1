"""`:::quiz` containers -> typed questions: a `Question` per quiz on the lesson, and a canonical `div.quiz` in its body.

The author's form (docs/quiz.md) reads sensibly in HackMD itself:

    :::quiz Title {id=next-step weight=2}
    Which step comes right after lead generation?      <- the question: blocks before the task list
    - [ ] Closing
      > Closing comes last.                            <- feedback for that choice: a quote inside the item
    - [x] Discovery (qualification)
    Qualify before you demo.                           <- the explanation: blocks after the list
    :::

One ticked item: a single-choice question; several: multiple choice; two items True/False: true-false.
No task list but an `Answer: A | B` line: a short text answer. hackmd.py only marks the container (and
reads `id`/`weight` from its braces); everything else is read here, from pandoc's AST, after the
lesson's own markup was checked, so no part of a quiz can come from hand-written classes or HTML.
"""
from __future__ import annotations

import re
from typing import Any

from exporter import ast
from exporter.diagnostics import Code, Reporter
from exporter.model import Block, Choice, Question, SourcePos

QUIZ = "quiz"
_QUIZ_MARK = ast.marks_of(QUIZ)
PARTS = ("quiz-prompt", "quiz-choices", "quiz-choice", "quiz-label", "quiz-choice-feedback", "quiz-explanation")
"""Classes of the canonical quiz div's parts (reserved in the sanitizer: only this module writes them)."""
MAX_CHOICES = 26
MAX_WEIGHT = 100
TRUE_FALSE = ("true", "false")
ANSWER_LINE = re.compile(r"^\s*answers?\s*:\s*", re.I)
_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,39}")


def container_attributes(opener: str) -> list[str]:
    """pandoc attribute text for what `:::quiz Title {id=x weight=2}` sets in its braces (checked later)."""
    attrs = []
    for name in ("id", "weight"):
        found = re.search(rf"\{{[^{{}}]*(?<![\w-]){name}\s*=\s*[\"']?([^\"'\s}}]{{0,80}})", opener)
        if found:
            attrs.append(f'quiz-{name}="{found.group(1)}"')
    return attrs


def build_questions(blocks: list[Block], slug: str, path: str, reporter: Reporter
                    ) -> tuple[list[Block], tuple[Question, ...], bool]:
    """Every `div.quiz` of a lesson body made canonical, with its Question; (blocks, questions, any error)."""
    found: list[Question] = []
    errors = [False]

    def visit(node: dict) -> Any:
        if node["t"] != "Div" or QUIZ not in ast.classes(node):
            return None
        pos = SourcePos(path, ast.line_of(node) or 1)
        ident = _question_id(node, slug, len(found) + 1, {q.id for q in found}, pos, reporter)
        question, div = _read(node, ident, pos, reporter)
        if question is None:
            errors[0] = True
            return ast.make_div(["callout", "note"], {}, _contents(node))
        found.append(question)
        return div

    blocks = ast.walk_holding(blocks, _QUIZ_MARK, visit)
    return blocks, tuple(found), errors[0]


def _contents(node: dict) -> list[Block]:
    return node["c"][1]


def _question_id(node: dict, slug: str, position: int, taken: set[str], pos: SourcePos, reporter: Reporter) -> str:
    written = ast.attribute(node, "quiz-id")
    fallback = f"{slug}-q{position}"
    if written is None:
        return fallback if fallback not in taken else f"{fallback}-{len(taken) + 1}"
    if not _ID.fullmatch(written) or f"{slug}-{written}" in taken:
        reporter.warning(Code.QUIZ_DROPPED, f"quiz id '{written[:40]}' is not a letter followed by up to 39 "
                         "letters, digits, '-' or '_', or is used twice in this lesson; the question is "
                         f"'{fallback}' instead (ids keep learners' answers across editions)", pos)
        return fallback
    return f"{slug}-{written}"


def _weight(node: dict, pos: SourcePos, reporter: Reporter) -> int:
    written = ast.attribute(node, "quiz-weight")
    if written is None:
        return 1
    if written.isascii() and written.isdigit() and 0 < int(written) <= MAX_WEIGHT:
        return int(written)
    reporter.warning(Code.QUIZ_DROPPED, f"quiz weight '{written[:20]}' is not a whole number from 1 to "
                     f"{MAX_WEIGHT}; the question weighs 1", pos)
    return 1


def _read(node: dict, ident: str, pos: SourcePos, reporter: Reporter) -> tuple[Question | None, Block | None]:
    """The Question and canonical div of one quiz, or (None, None) after an error saying what to fix."""
    body = _contents(node)
    listing = next((i for i, b in enumerate(body) if b["t"] in ("BulletList", "OrderedList")), None)
    answers_at = [i for i, b in enumerate(body) if _answer_line(b) is not None]
    prompt = body[:listing] if listing is not None else [b for i, b in enumerate(body) if i not in answers_at]
    if listing is None and answers_at:
        prompt = body[:answers_at[0]]
    rest = body[listing + 1:] if listing is not None else body[answers_at[0] + 1:] if answers_at else []
    explanation = [b for b in rest if _answer_line(b) is None]
    common = dict(id=ident, prompt=ast.plain_text(prompt).strip(), line=pos.line,
                  title=ast.attribute(node, "summary") or "", weight=_weight(node, pos, reporter),
                  explanation=ast.plain_text(explanation).strip())
    if not ast.plain_text(prompt).strip():
        return _invalid("has no question: write the question on the lines between ':::quiz' and the answers",
                        pos, reporter), None
    if listing is None:
        if not answers_at:
            return _invalid("has no answers: list the choices as a task list ('- [ ] wrong', '- [x] right') "
                            "or write a line 'Answer: accepted | also accepted' for a short text answer",
                            pos, reporter), None
        answers = tuple(a for b in body if _answer_line(b) for a in _answer_line(b))
        question = Question(kind="fill-in", answers=answers, **common)
        return question, _canonical(ident, prompt, [], explanation)
    return _choice_question(body[listing], common, prompt, explanation, pos, reporter)


def _choice_question(listing: Block, common: dict, prompt: list[Block], explanation: list[Block],
                     pos: SourcePos, reporter: Reporter) -> tuple[Question | None, Block | None]:
    items = listing["c"] if listing["t"] == "BulletList" else listing["c"][1]
    items, explanation = _lazy_explanation(items, explanation)
    choices: list[tuple[Choice, list, list[Block]]] = []
    for number, item in enumerate(items, 1):
        read = _choice(item)
        if read is None:
            reporter.warning(Code.QUIZ_DROPPED, f"choice {number} has no box: write it '- [ ] text' (or '- [x] text' "
                             "when it is right); it was left out", pos)
            continue
        correct, label, feedback = read
        if not ast.plain_text(label).strip():
            reporter.warning(Code.QUIZ_DROPPED, f"choice {number} is empty; it was left out. Write its text after "
                             "the box", pos)
            continue
        choices.append((Choice(key="", text=ast.plain_text(label).strip(), correct=correct), label, feedback))
    if len(choices) < 2 or len(choices) > MAX_CHOICES:
        return _invalid(f"has {len(choices)} usable choices; a question needs 2 to {MAX_CHOICES} "
                        "('- [ ] wrong', '- [x] right')", pos, reporter), None
    if not any(choice.correct for choice, _, _ in choices):
        return _invalid("has no right answer: tick the right choice(s) with '- [x]'", pos, reporter), None
    texts = tuple(choice.text.lower().rstrip(".") for choice, _, _ in choices)
    true_false = sorted(texts) == sorted(TRUE_FALSE)
    keys = texts if true_false else tuple(chr(ord("a") + i) for i in range(len(choices)))
    final = tuple(Choice(key=key, text=choice.text, correct=choice.correct) for key, (choice, _, _) in zip(keys, choices))
    right = sum(choice.correct for choice in final)
    kind = "true-false" if true_false and right == 1 else "choice" if right == 1 else "multiple"
    question = Question(kind=kind, choices=final, **{**common, "explanation": ast.plain_text(explanation).strip()})
    parts = [(choice.key, label, feedback) for choice, (_, label, feedback) in zip(final, choices)]
    return question, _canonical(common["id"], prompt, parts, explanation)


def _lazy_explanation(items: list, explanation: list[Block]) -> tuple[list, list[Block]]:
    """Text written on the line right under the last choice joins that choice (Markdown's lazy continuation,
    in HackMD too); a choice's words never span lines, so that text is the explanation."""
    last = items[-1] if items else None
    first = last[0] if last and last[0]["t"] in ("Plain", "Para") else None
    breaks = [i for i, node in enumerate(first["c"]) if node["t"] in ("SoftBreak", "LineBreak")] if first else []
    if not breaks:
        return items, explanation
    label, extra = first["c"][:breaks[0]], first["c"][breaks[0] + 1:]
    last = [{"t": first["t"], "c": label}] + last[1:]
    return items[:-1] + [last], [{"t": "Para", "c": extra}] + explanation


def _invalid(problem: str, pos: SourcePos, reporter: Reporter) -> None:
    reporter.error(Code.QUIZ_INVALID, f"this quiz {problem}", pos)
    return None


def _answer_line(block: Block) -> tuple[str, ...] | None:
    """`Answer: BANT | B.A.N.T.` -> ('BANT', 'B.A.N.T.'); None for any other block."""
    if block["t"] not in ("Para", "Plain"):
        return None
    text = ast.plain_text(block)
    if not ANSWER_LINE.match(text):
        return None
    return tuple(a.strip() for a in ANSWER_LINE.sub("", text, count=1).split("|") if a.strip())


def _choice(item: list[Block]) -> tuple[bool, list, list[Block]] | None:
    """(ticked, label inlines, feedback blocks) of a task-list item; None when it has no box."""
    if not item or item[0]["t"] not in ("Plain", "Para"):
        return None
    inlines = item[0]["c"]
    box = inlines[0] if inlines else None
    if not box or box["t"] != "Span" or "task" not in ast.classes(box):
        return None
    label = list(inlines[1:])
    while label and label[0]["t"] in ("Space", "SoftBreak"):
        label.pop(0)
    feedback = [inner for block in item[1:] if block["t"] == "BlockQuote" for inner in block["c"]]
    label_blocks = [block for block in item[1:] if block["t"] != "BlockQuote"]
    if label_blocks:
        label = label + [{"t": "Space"}] + [{"t": "Str", "c": ast.plain_text(label_blocks).strip()}]
    return "done" in ast.classes(box), label, feedback


def _canonical(ident: str, prompt: list[Block], choices: list[tuple[str, list, list[Block]]],
               explanation: list[Block]) -> Block:
    """div.quiz#exporter-quiz-ID > prompt, choices (label + feedback each), explanation: what render writes and
    each format's shape step turns into its own form (controls, tick boxes, an answers section)."""
    element = f"exporter-quiz-{ident}"
    parts = [ast.make_div(["quiz-prompt"], {}, prompt)]
    if choices:
        parts.append(ast.make_div(["quiz-choices"], {}, [
            ast.make_div(["quiz-choice"], {}, [ast.make_div(["quiz-label"], {}, [{"t": "Plain", "c": label}])]
                         + ([ast.make_div(["quiz-choice-feedback"], {}, feedback)] if feedback else []),
                         ident=f"{element}-{key}")
            for key, label, feedback in choices]))
    if explanation:
        parts.append(ast.make_div(["quiz-explanation"], {}, explanation))
    return ast.make_div([QUIZ], {}, parts, ident=element)
