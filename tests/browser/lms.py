"""The tests' side of the LMS in `exporter.lms` (one implementation, shared with `exporter validate --runtime`):
launching also waits for exporter's own runtime, which the tests then drive."""
from __future__ import annotations

from typing import Any

from exporter import lms
from exporter.lms import CHROMIUM, CHROMIUM_ARGS, leave, read_to_end, serve

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "answer_lesson", "launch", "leave", "read_to_end", "serve"]


def launch(context: Any, base: str, version: str, launch_page: str, initial: dict | None = None) -> tuple[Any, Any]:
    """Open the LMS frame with one of our SCOs; returns (page, sco frame) once our runtime is up."""
    page, sco = lms.launch(context, base, version, launch_page, initial)
    sco.wait_for_function("() => window.exporterScorm !== undefined", timeout=10000)
    return page, sco


def answer_lesson(frame: Any, answers: dict[str, Any] | None = None) -> None:
    """Answer and check each question of the lesson on screen, as a learner does before Next: `answers` maps a
    question id to the choice keys to tick or the text to type; any other question gets its first choice."""
    answers = answers or {}
    for box in frame.locator("section.lesson.current div.quiz[data-question], body[data-mode='multi'] "
                             "div.quiz[data-question]").all():
        if not box.locator("button.quiz-check").count():
            continue  # already checked
        given = answers.get(box.get_attribute("data-question"))
        if box.locator("input[type=text]").count():
            box.locator("input[type=text]").fill(given if isinstance(given, str) else "x")
        else:
            for key in given or [box.locator("input").first.get_attribute("value")]:
                box.locator(f"input[value='{key}']").check()
        box.locator("button.quiz-check").click()
