"""cmi5 and xAPI (Tin Can) packages: schema-valid structures, stable ids, reproducible zips, and, in a real
browser against a real LRS (Ralph), statements that obey cmi5's rules."""
from __future__ import annotations

import json
import time
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from exporter.diagnostics import Code
from exporter.exporters.xapi.schemas import validate
from conftest import CONTENT, build_one, write_course

NS = {"c": "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd", "t": "http://projecttincan.com/tincan.xsd"}
COURSE_YML = ("title: Demo Course\nslug: demo-course\nlanguage: fr\norganisation: Acme\ndescription: Un petit cours.\n"
              "modules:\n  - title: Semaine 1\n    lessons: [01-a.md, 02-b.md]\n  - title: Semaine 2\n"
              "    lessons: [03-c.md]\n")
LESSONS = {"01-a.md": "# Premier\n\nTexte.\n", "02-b.md": "# Deuxième\n\nTexte.\n", "03-c.md": "# Troisième\n\nFin.\n"}


def course(root: Path, extra: str = "") -> Path:
    return write_course(root, COURSE_YML + extra, LESSONS)


def member(package: Path, name: str) -> bytes:
    with zipfile.ZipFile(package) as archive:
        return archive.read(name)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    source = course(tmp_path_factory.mktemp("course"), "quiz:\n  pass_mark: 75\n")
    out = tmp_path_factory.mktemp("out")
    return {"cmi5": build_one(source, out / "single", "cmi5", ".zip")[0],
            "multi": build_one(source, out / "multi", "cmi5", ".zip", mode="multi")[0],
            "xapi": build_one(source, out / "xapi", "xapi", ".zip")[0]}


@pytest.mark.parametrize("kind", ["cmi5", "multi"])
def test_cmi5_xml_is_schema_valid_and_first_in_the_zip(built, kind):
    with zipfile.ZipFile(built[kind]) as archive:
        assert archive.namelist()[0] == "cmi5.xml"
        assert validate(archive.read("cmi5.xml"), "cmi5") == []
        root = etree.fromstring(archive.read("cmi5.xml"))
        assert all(au.findtext("c:url", namespaces=NS) in archive.namelist() for au in root.iterfind(".//c:au", NS))


def test_tincan_xml_is_schema_valid_and_launches_the_course(built):
    with zipfile.ZipFile(built["xapi"]) as archive:
        assert archive.namelist()[0] == "tincan.xml"
        text = archive.read("tincan.xml")
        assert validate(text, "tincan") == []
        page = archive.read("index.html").decode()
    activity = etree.fromstring(text).find(".//t:activity", NS)
    assert activity.findtext("t:launch", namespaces=NS) == "index.html"
    assert activity.findtext("t:name", namespaces=NS) == "Demo Course"
    assert f'data-activity-id="{activity.get("id")}"' in page and 'data-launch="tincan"' in page


def test_one_au_carries_the_course_text_pass_mark_and_move_on(built):
    root = etree.fromstring(member(built["cmi5"], "cmi5.xml"))
    course_el = root.find("c:course", NS)
    assert course_el.findtext("c:title/c:langstring", namespaces=NS) == "Demo Course"
    assert course_el.find("c:description/c:langstring", NS).get("lang") == "fr"
    assert course_el.findtext("c:description/c:langstring", namespaces=NS) == "Un petit cours."
    (au,) = root.findall("c:au", NS)
    assert au.get("moveOn") == "CompletedAndPassed" and au.get("masteryScore") == "0.75"
    assert au.findtext("c:url", namespaces=NS) == "index.html"


def test_one_au_per_lesson_in_a_block_per_module(built):
    root = etree.fromstring(member(built["multi"], "cmi5.xml"))
    blocks = root.findall("c:block", NS)
    assert [b.findtext("c:title/c:langstring", namespaces=NS) for b in blocks] == ["Semaine 1", "Semaine 2"]
    assert [[au.findtext("c:title/c:langstring", namespaces=NS) for au in b.findall("c:au", NS)] for b in blocks] == \
        [["Premier", "Deuxième"], ["Troisième"]]
    ids = [e.get("id") for e in root.iter() if e.get("id")]
    assert len(ids) == len(set(ids)) == 6 and all(i.startswith("urn:uuid:") for i in ids)


def test_ids_are_stable_across_versions_and_distinct_across_organisations(tmp_path, built):
    def au_ids(package: Path) -> list[str]:
        return [au.get("id") for au in etree.fromstring(member(package, "cmi5.xml")).iter(f"{{{NS['c']}}}au")]

    edited = write_course(tmp_path / "v2", COURSE_YML.replace("Un petit cours.", "Nouvelle version."),
                          {**LESSONS, "01-a.md": "# Premier\n\nTexte réécrit.\n"})
    again, _ = build_one(edited, tmp_path / "out2", "cmi5", ".zip", mode="multi")
    assert au_ids(again) == au_ids(built["multi"]), "a new version keeps the learners' records"
    other = write_course(tmp_path / "other", COURSE_YML.replace("Acme", "Globex"), LESSONS)
    theirs, _ = build_one(other, tmp_path / "out3", "cmi5", ".zip", mode="multi")
    assert not set(au_ids(theirs)) & set(au_ids(built["multi"]))


@pytest.mark.parametrize("fmt", ["cmi5", "xapi"])
def test_rebuilds_are_byte_identical(tmp_path, fmt):
    source = course(tmp_path / "course")
    first, _ = build_one(source, tmp_path / "a", fmt, ".zip")
    second, _ = build_one(source, tmp_path / "b", fmt, ".zip")
    assert first.read_bytes() == second.read_bytes()


def test_without_a_pass_mark_completion_alone_satisfies(tmp_path):
    package, _ = build_one(course(tmp_path / "c"), tmp_path / "out", "cmi5", ".zip")
    au = etree.fromstring(member(package, "cmi5.xml")).find("c:au", NS)
    assert au.get("moveOn") == "Completed" and au.get("masteryScore") is None


def test_pass_mark_out_of_range_is_a_config_error(tmp_path):
    from exporter.errors import BuildFailed

    with pytest.raises(BuildFailed):
        build_one(course(tmp_path / "c", "quiz:\n  pass_mark: 180\n"), tmp_path / "out", "cmi5", ".zip")


def test_platform_that_does_not_take_the_format_is_named(tmp_path):
    _, reporter = build_one(course(tmp_path / "c"), tmp_path / "out", "cmi5", ".zip", lms="canvas")
    warned = [d.message for d in reporter.diagnostics if d.code is Code.CONFIG_INVALID]
    assert warned == ["Canvas does not import cmi5 packages; upload its SCORM 2004 package instead "
                      "(--format scorm2004)"]


def test_invalid_structures_are_refused_by_the_schemas(built):
    text = member(built["cmi5"], "cmi5.xml")
    assert validate(text.replace(b'moveOn="CompletedAndPassed"', b'moveOn="Finished"'), "cmi5")
    assert validate(text.replace(b'masteryScore="0.75"', b'masteryScore="1.5"'), "cmi5")
    assert validate(text.replace(b"<url>index.html</url>", b""), "cmi5")
    multi = member(built["multi"], "cmi5.xml")
    first_au = etree.fromstring(multi).find(".//c:au", NS).get("id").encode()
    second_au = etree.fromstring(multi).findall(".//c:au", NS)[1].get("id").encode()
    assert validate(multi.replace(second_au, first_au), "cmi5"), "AU ids are unique"
    assert validate(member(built["xapi"], "tincan.xml").replace(b"<name", b"<title").replace(b"</name>", b"</title>"),
                    "tincan")


def test_pages_load_the_launch_scripts_and_say_when_nothing_is_recorded(built):
    page = member(built["cmi5"], "index.html").decode()
    assert page.count("<script") == 3 and 'src="launch.js"' in page and 'src="runtime.js"' not in page
    assert 'class="launch-note"' in page and "rien n’est donc enregistré" in page  # a French course
    assert 'data-scorm-version="2004"' in page and 'data-pass-mark="0.75"' in page
    with zipfile.ZipFile(built["cmi5"]) as archive:
        assert {"runtime.js", "statements.js", "lrs.js", "launch.js", "course.css"} <= set(archive.namelist())


# ----------------------------------------------------------------------------- real browser, real LRS

CMI5_CATEGORY = "https://w3id.org/xapi/cmi5/context/categories/cmi5"
MOVEON_CATEGORY = "https://w3id.org/xapi/cmi5/context/categories/moveon"
SESSION_ID = "https://w3id.org/xapi/cmi5/context/extensions/sessionid"
MASTERY = "https://w3id.org/xapi/cmi5/context/extensions/masteryscore"


@pytest.fixture(scope="module")
def lrs(tmp_path_factory):
    from browser.ralph import running_ralph

    with running_ralph(tmp_path_factory.mktemp("ralph")) as running:
        yield running


@pytest.fixture(scope="module")
def seed(tmp_path_factory) -> dict[str, Path]:
    """The sample course as cmi5 and Tin Can packages, unzipped: what the LMS serves."""
    out = tmp_path_factory.mktemp("seed")
    unpacked = {}
    for fmt in ("cmi5", "xapi"):
        package, _ = build_one(CONTENT, out / fmt, fmt, ".zip")
        zipfile.ZipFile(package).extractall(out / f"{fmt}-pkg")
        unpacked[fmt] = out / f"{fmt}-pkg"
    return unpacked


def au_id(package: Path) -> str:
    return etree.parse(str(package / "cmi5.xml")).find(".//c:au", NS).get("id")


ANSWERS = {"l-000-ad9a500695f88cf7-q1": ["b"], "l-000-ad9a500695f88cf7-q2": ["a"],
           "l-001-abc0218c7ad68644-after-prospecting": ["b"], "l-001-abc0218c7ad68644-po": "Purchase  order",
           "l-001-abc0218c7ad68644-same-logic": ["true"]}
"""The learner's answers to the sample course's questions: right, wrong, right, right, wrong = 3 of 5 (0.6)."""
EXPECTED_ANSWERS = [
    # question, interactionType, correctResponsesPattern, response, success, choice ids
    ("l-000-ad9a500695f88cf7-q1", "choice", ["b"], "b", True, ["a", "b", "c"]),
    ("l-000-ad9a500695f88cf7-q2", "choice", ["a[,]b[,]d"], "a", False, ["a", "b", "c", "d"]),
    ("l-001-abc0218c7ad68644-after-prospecting", "choice", ["b"], "b", True, ["a", "b", "c"]),
    ("l-001-abc0218c7ad68644-po", "fill-in", ["{case_matters=false}purchase order",
                                              "{case_matters=false}a purchase order"], "Purchase  order", True, None),
    ("l-001-abc0218c7ad68644-same-logic", "true-false", ["false"], "true", False, ["true", "false"]),
]


def read_lessons(page, count: int) -> None:
    """A learner reading `count` lessons: scrolling each to its end (as a wheel would), answering its questions,
    then Next."""
    from browser.lms import answer_lesson

    for n in range(count):
        page.evaluate("""async () => {
            const step = Math.max(200, innerHeight * 0.8);
            for (let y = 0; y < document.documentElement.scrollHeight; y += step) {
                scrollTo(0, y); await new Promise(r => requestAnimationFrame(r));
            }
            scrollTo(0, document.documentElement.scrollHeight); await new Promise(r => setTimeout(r, 50));
        }""")
        answer_lesson(page, ANSWERS)
        if n + 1 < count:
            page.locator("nav.pager a.next").click()


def session(browser, url: str, lessons: int, finish: bool = False, pause_ms: int = 600):
    """Open the AU at `url`, read, then leave (the window goes elsewhere: pagehide) or press Finish."""
    context = browser.new_context(viewport={"width": 800, "height": 600})
    try:
        page = context.new_page()
        page.goto(url)
        page.wait_for_function("() => window.exporterScorm !== undefined", timeout=15000)
        state = page.evaluate("() => ({xapi: window.exporterXapi.session.status, current: "
                              "window.exporterScorm.state.current})")
        read_lessons(page, lessons)
        page.wait_for_timeout(pause_ms)
        if finish:
            launched = page.url
            page.locator("header .finish").click()
            # Finish leaves for the LMS's returnURL once the statements are sent: wait for that, not a while.
            page.wait_for_url(lambda address: address != launched, timeout=20000)
            state["after_finish"] = page.url
        else:
            page.goto("about:blank")
        return state
    finally:
        context.close()


def stored(lrs, lms, launch, verbs: int) -> list[dict]:
    """The session's statements as Ralph stored them, in the order they happened (their timestamps)."""
    deadline = time.monotonic() + 10
    while len(lms.relayed_verbs(launch.registration)) < verbs and time.monotonic() < deadline:
        time.sleep(0.1)
    found = lrs.statements(registration=launch.registration, limit="100")
    return sorted(found, key=lambda s: s["timestamp"])


def verbs_of(statements: list[dict], session_id: str | None = None) -> list[str]:
    return [s["verb"]["id"].rsplit("/", 1)[-1] for s in statements
            if session_id is None or s["context"]["extensions"][SESSION_ID] == session_id]


def assert_cmi5_rules(statements: list[dict], launch, activity: str) -> None:
    """Every statement: the launch's registration and session id; cmi5's own (defined) statements carry the cmi5
    category and the AU as object, `answered` (an allowed statement) a question of the AU without the category."""
    for statement in statements:
        context = statement["context"]
        assert context["registration"] == launch.registration
        assert context["extensions"][SESSION_ID] == launch.session_id
        assert statement["actor"]["account"]["name"] == "ada"
        if statement["verb"]["id"].endswith("/answered"):
            assert "category" not in context["contextActivities"]
            assert context["contextActivities"]["parent"] == [{"id": activity, "objectType": "Activity"}]
            assert statement["object"]["id"].startswith(activity + "/question/")
        else:
            assert {"id": CMI5_CATEGORY} in context["contextActivities"]["category"]
            assert statement["object"]["id"] == activity
    names = verbs_of(statements)
    assert names[0] == "initialized" and names[-1] == "terminated"
    assert names.count("passed") + names.count("failed") <= 1
    assert names.count("initialized") == names.count("terminated") == 1
    assert statements[-1]["result"]["duration"].startswith("PT")


def assert_answers(statements: list[dict], activity: str) -> None:
    """One `answered` per question, in the order answered, each a cmi.interaction with its type, correct responses
    and choices, and the learner's response and success."""
    answered = [s for s in statements if s["verb"]["id"] == "http://adlnet.gov/expapi/verbs/answered"]
    seen = []
    for statement in answered:
        definition, result = statement["object"]["definition"], statement["result"]
        assert definition["type"] == "http://adlnet.gov/expapi/activities/cmi.interaction"
        assert definition["name"]["en"] and result["duration"].startswith("PT")
        choices = [c["id"] for c in definition["choices"]] if "choices" in definition else None
        seen.append((statement["object"]["id"].removeprefix(activity + "/question/"), definition["interactionType"],
                     definition["correctResponsesPattern"], result["response"], result["success"], choices))
    assert seen == EXPECTED_ANSWERS


@pytest.mark.slow
def test_cmi5_learner_completes_passes_resumes_and_browse_records_nothing(browser, lrs, seed):
    from browser.cmi5_lms import serve_lms

    package = seed["cmi5"]
    activity = au_id(package)
    with serve_lms(package, lrs) as lms:
        # 1. A first session: both lessons read, their questions answered (3 of 5 right); the LMS set a pass mark
        #    of 0.5 in LMS.LaunchData: the questions' score passes it, once the last is answered.
        url, launch = lms.launch_url(activity, mastery_score=0.5)
        first = session(browser, url, lessons=2)
        assert first["xapi"] == "live" and first["current"] == 0
        statements = stored(lrs, lms, launch, 9)
        assert_cmi5_rules(statements, launch, activity)
        assert verbs_of(statements) == ["initialized", "answered", "answered", "completed", "answered", "answered",
                                        "answered", "passed", "terminated"]
        assert_answers(statements, activity)
        passed, completed = statements[7], statements[3]
        assert passed["result"]["success"] is True and passed["result"]["score"]["scaled"] == 0.6
        assert passed["context"]["extensions"][MASTERY] == 0.5
        assert completed["result"] == {"completion": True, "duration": completed["result"]["duration"]}
        assert {"id": MOVEON_CATEGORY} in completed["context"]["contextActivities"]["category"]
        assert all("score" not in s.get("result", {}) for s in statements if s is not passed)
        assert lms.relayed_verbs(launch.registration).count("answered") == 5
        assert lms.state.launches and all(l.fetched == 1 for l in lms.state.launches.values()), "token fetched once"

        # 2. Relaunch in the same registration: the bookmark is read back, nothing is completed or passed again.
        url, again = lms.launch_url(activity, registration=launch.registration, mastery_score=0.5)
        resumed = session(browser, url, lessons=0)
        assert resumed["current"] == 1, "opens the lesson the learner left"
        statements = stored(lrs, lms, again, 11)
        assert verbs_of(statements, again.session_id) == ["initialized", "terminated"]
        assert verbs_of(statements).count("completed") == verbs_of(statements).count("passed") == 1

        # 3. Browse mode: the learner reads everything, the LRS hears only that the session began and ended.
        url, browse = lms.launch_url(activity, launch_mode="Browse", mastery_score=0.5)
        session(browser, url, lessons=2)
        statements = stored(lrs, lms, browse, 2)
        assert_cmi5_rules(statements, browse, activity)
        assert verbs_of(statements) == ["initialized", "terminated"]


@pytest.mark.slow
def test_cmi5_finish_short_of_the_pass_mark_fails_then_returns_to_the_lms(browser, lrs, seed):
    from browser.cmi5_lms import serve_lms

    package = seed["cmi5"]
    activity = au_id(package)
    with serve_lms(package, lrs) as lms:
        back = f"{lms.base}/returned"
        url, launch = lms.launch_url(activity, mastery_score=1.0, return_url=back)
        state = session(browser, url, lessons=2, finish=True)
        assert state["after_finish"] == back, "Finish ends the session and returns to the LMS (returnURL)"
        statements = stored(lrs, lms, launch, 9)
        assert_cmi5_rules(statements, launch, activity)
        assert verbs_of(statements) == ["initialized", "answered", "answered", "completed", "answered", "answered",
                                        "answered", "failed", "terminated"]
        failed = statements[7]["result"]
        assert failed["success"] is False and failed["score"]["scaled"] == 0.6 and failed["duration"].startswith("PT")


@pytest.mark.slow
def test_cmi5_finish_with_questions_unanswered_is_not_failing(browser, lrs, seed):
    from browser.cmi5_lms import serve_lms

    package = seed["cmi5"]
    activity = au_id(package)
    with serve_lms(package, lrs) as lms:
        url, launch = lms.launch_url(activity, mastery_score=1.0, return_url=f"{lms.base}/returned")
        session(browser, url, lessons=1, finish=True)
        statements = stored(lrs, lms, launch, 4)
        assert verbs_of(statements) == ["initialized", "answered", "answered", "terminated"]


@pytest.mark.slow
def test_tincan_launch_reports_to_the_lrs(browser, lrs, seed):
    from browser.cmi5_lms import serve_lms

    package = seed["xapi"]
    activity = etree.parse(str(package / "tincan.xml")).find(".//t:activity", NS).get("id")
    with serve_lms(package, lrs) as lms:
        registration = "2b0b1b7e-5f0c-4f5e-9a34-0c4f1d4a7e21"
        url, launch = lms.tincan_url(activity, registration)
        assert session(browser, url, lessons=2)["xapi"] == "live"
        statements = stored(lrs, lms, launch, 8)
        assert verbs_of(statements) == ["initialized", "answered", "answered", "completed", "answered", "answered",
                                        "answered", "terminated"]
        assert_answers(statements, activity)
        assert all(s["object"]["id"] == activity for s in statements if not s["verb"]["id"].endswith("answered"))
        assert all(s["context"]["registration"] == registration for s in statements)
        assert all("category" not in s["context"].get("contextActivities", {}) for s in statements), \
            "no cmi5 category outside cmi5"
        assert len({s["context"]["extensions"][SESSION_ID] for s in statements}) == 1


@pytest.mark.slow
def test_opened_without_a_launch_the_page_says_so_and_still_reads(browser, seed):
    from browser.lms import serve

    context = browser.new_context(viewport={"width": 800, "height": 600})
    try:
        with serve(seed["cmi5"]) as base:
            page = context.new_page()
            page.goto(f"{base}/pkg/index.html")
            page.wait_for_function("() => window.exporterScorm !== undefined")
            note = page.locator(".launch-note")
            assert note.is_visible() and "nothing is recorded" in note.inner_text()
            assert page.evaluate("() => window.exporterXapi.session.status") == "preview"
            assert page.locator("section.lesson.current h1").inner_text()
            # a launch whose LMS cannot be reached: the page says progress is not recorded, and still reads
            page.goto(f"{base}/pkg/index.html?endpoint=http://127.0.0.1:9/xapi/&fetch=http://127.0.0.1:9/f"
                      f"&actor={json.dumps({'mbox': 'mailto:a@b.c'})}&registration=r&activityId=urn:x")
            page.wait_for_function("() => window.exporterScorm !== undefined", timeout=20000)
            assert page.evaluate("() => window.exporterXapi.session.status") == "failed"
            assert "not being recorded" in page.locator(".launch-note").inner_text()
    finally:
        context.close()
