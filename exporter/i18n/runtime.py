"""The words the LMS pages' runtime (scorm/runtime.js) shows, in the course's language, for the page to carry."""
from __future__ import annotations

from exporter.i18n import Ui

MAX_TRIES = 10
"""quiz.attempts is at most 10: the runtime gets the "N more tries" sentence for every N it can meet."""


def runtime_words(ui: Ui) -> dict[str, object]:
    """What runtime.js says, by key; `{read}` and `{total}` are filled in by the runtime. The sentence after a
    wrong answer comes ready for each number of tries left (the plural rule is the language's, not English's)."""
    return {
        "progress": ui.gettext("%(read)s of %(total)s read", read="{read}", total="{total}"),
        "typeFirst": ui.gettext("Type an answer first."),
        "chooseFirst": ui.gettext("Choose an answer first."),
        "correct": ui.gettext("Correct."),
        "wrongFinal": ui.gettext("Not quite: the right answer is marked."),
        "wrongRetry": [ui.ngettext("Not quite. You can try again (%(num)s more try).",
                                   "Not quite. You can try again (%(num)s more tries).", left)
                       for left in range(MAX_TRIES + 1)],
        "wrong": ui.gettext("Not quite."),
        "retake": ui.gettext("Retry the quiz"),
        "score": ui.gettext("Your score: %(score)s %%.", score="{score}"),
        "passed": ui.gettext("Pass mark %(mark)s %%: passed.", mark="{mark}"),
        "notPassed": ui.gettext("Pass mark %(mark)s %%: not passed.", mark="{mark}"),
        "retakeLeft": [ui.ngettext("You can retry the quiz (%(num)s more attempt).",
                                   "You can retry the quiz (%(num)s more attempts).", left)
                       for left in range(MAX_TRIES + 1)],
        "gateTitle": ui.gettext("Answer the questions before this lesson first"),
        "gateNote": ui.gettext("Answer and check each question first: the next lessons open once they are answered."),
        "video": ui.gettext("Video"),
        "saved": ui.gettext("Your progress is saved. You can close this window."),
        "untracked": ui.gettext("Preview: no LMS is tracking this session."),
    }
