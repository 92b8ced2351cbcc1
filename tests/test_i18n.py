"""exporter's own words in the course's language: the catalogs, the choice of catalog, plural rules, course.yml
overrides, and builds whose PDF text, EPUB nav and SCORM pages are read back in four languages."""
from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from exporter.diagnostics import Code, Reporter
from exporter.i18n import (CATALOGS, LOCALE_DIR, catalog_for, check_language, direction_of, placeholders,
                           source_messages, ui_for, untranslated)
from exporter.i18n.css import css_content, folio_css
from exporter.i18n.runtime import runtime_words
from exporter.pipeline import BuildOptions, build, read_course

from conftest import write_course

ROOT = Path(__file__).resolve().parent.parent
COURSE = ROOT / "tests" / "projects" / "i18n"
SHIPPED = [c for c in CATALOGS if c != "en"]


# ------------------------------------------------------------------------------------ the catalogs


@pytest.mark.parametrize("tag,catalog", [
    ("fr", "fr"), ("fr-CA", "fr"), ("pt-BR", "pt"), ("de_AT", "de"), ("zh", "zh_Hans"), ("zh-CN", "zh_Hans"),
    ("zh-Hans-SG", "zh_Hans"), ("zh-TW", "zh_Hant"), ("zh-HK", "zh_Hant"), ("zh-Hant", "zh_Hant"),
    ("ZH-hant-cn", "zh_Hant"), ("ar-EG", "ar"), ("he", "he"), ("sw", None), ("", None), ("en-GB", "en")])
def test_a_language_tag_chooses_its_catalog_region_dropped_chinese_by_script(tag, catalog):
    assert catalog_for(tag) == catalog


def test_right_to_left_languages():
    assert [direction_of(tag) for tag in ("ar", "he-IL", "fa", "fr", "zh-Hant", "")] == \
        ["rtl", "rtl", "rtl", "ltr", "ltr", "ltr"]


@pytest.mark.parametrize("catalog", SHIPPED)
def test_every_catalog_translates_every_message_keeping_its_placeholders(catalog):
    assert untranslated(catalog) == ()
    with (LOCALE_DIR / catalog / "LC_MESSAGES" / "exporter.po").open("rb") as stream:
        po = read_po(stream)
    for message in po:
        if not message.id:
            continue
        if message.pluralizable:
            wanted = placeholders(message.id[0]) - {"num", "count"}  # a form may spell its number out
            for form in message.string:
                assert wanted <= placeholders(form), (catalog, message.id, form)
                assert placeholders(form) <= placeholders(message.id[1]), (catalog, message.id, form)
        else:
            assert placeholders(message.string) == placeholders(message.id), (catalog, message.id, message.string)
        assert not message.fuzzy, (catalog, message.id)


@pytest.mark.parametrize("catalog", SHIPPED)
def test_every_catalog_has_its_languages_plural_rule(catalog):
    """The Plural-Forms header is CLDR's rule for the language (Babel's), so counted words take the right form."""
    with (LOCALE_DIR / catalog / "LC_MESSAGES" / "exporter.po").open("rb") as stream:
        po = read_po(stream)
    expected = Catalog(locale=catalog)
    assert (po.num_plurals, po.plural_expr) == (expected.num_plurals, expected.plural_expr)


def test_the_template_holds_every_word_the_code_and_templates_mark(tmp_path):
    """What `scripts/i18n.sh` extracts now is what the catalogs were made from: a word wrapped in `_()` or
    `{% trans %}` and not in the template would show in English in every language."""
    pot = tmp_path / "now.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "N_",
                    "--no-location", "-o", str(pot), "."], cwd=ROOT, check=True, capture_output=True)
    with pot.open("rb") as stream:
        extracted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(stream) if m.id}
    assert extracted == set(source_messages())


@pytest.mark.parametrize("language,counts", [
    ("ru", {1: "1 урок", 3: "3 урока", 5: "5 уроков", 21: "21 урок", 112: "112 уроков"}),
    ("pl", {1: "1 lekcja", 4: "4 lekcje", 5: "5 lekcji", 22: "22 lekcje", 12: "12 lekcji"}),
    ("ar", {1: "درس واحد", 2: "درسان", 3: "3 دروس", 11: "11 درسًا", 100: "100 درس"}),
    ("fr", {0: "0 leçon", 1: "1 leçon", 2: "2 leçons"}),
    ("ja", {1: "全 1 レッスン", 7: "全 7 レッスン"}),
])
def test_counted_words_follow_the_languages_plural_rule(language, counts):
    ui = ui_for(language)
    assert {n: ui.ngettext("%(count)s lesson", "%(count)s lessons", n, count=n) for n in counts} == counts


def test_the_runtime_gets_the_retry_sentence_for_every_number_of_tries_left():
    words = runtime_words(ui_for("ru"))
    assert words["wrongRetry"][1].endswith("(осталась 1 попытка).")
    assert words["wrongRetry"][3].endswith("(остались 3 попытки).")
    assert words["wrongRetry"][5].endswith("(осталось 5 попыток).")
    assert words["progress"] == "Прочитано {read} из {total}"


def test_the_folio_is_css_content_in_the_languages_word_order():
    assert css_content(ui_for("zh-Hans").gettext("Page %(page)s of %(pages)s")) == \
        '"第 " counter(page) " 页，共 " counter(pages) " 页"'
    assert css_content('a "quoted" \\ %(pages)s') == r'"a \22 quoted\22  \5c  " counter(pages)'
    assert "direction: rtl" in folio_css(ui_for("he")) and "direction" not in folio_css(ui_for("de"))


# -------------------------------------------------------------------------- course.yml and warnings


def test_course_yml_ui_replaces_a_word_and_refuses_what_it_cannot_use(tmp_path):
    source = write_course(tmp_path / "c", 'language: fr\nui:\n  Notes: "Mes notes"\n  "Hello": "Bonjour"\n'
                          '  "Module %(number)s": "Partie"\n  Contents: [a, b]\n', {"01.md": "# Un\n\nTexte.\n"})
    reporter = Reporter()
    course = read_course(source, reporter)
    assert course.config.ui == (("Notes", "Mes notes"),)
    ui = ui_for(course.config.language, course.config.ui)
    assert (ui.gettext("Notes"), ui.gettext("Contents")) == ("Mes notes", "Sommaire")
    messages = [d.message for d in reporter.diagnostics if d.code is Code.CONFIG_INVALID]
    assert len(messages) == 3
    assert any("'Hello' is not one of exporter's own words" in m for m in messages)
    assert any("'Module %(number)s' must keep the placeholders %(number)s" in m for m in messages)
    assert any("'Contents' must be given a text" in m for m in messages)


def test_a_language_exporter_does_not_speak_gets_one_warning_and_english(tmp_path):
    source = write_course(tmp_path / "c", "language: sw\n", {"01.md": "# Moja\n\nMaandishi.\n"})
    reporter = Reporter()
    read_course(source, reporter)
    (warning,) = [d for d in reporter.diagnostics if d.code is Code.UI_LANGUAGE]
    assert "does not speak 'sw'" in warning.message and str(warning.pos) == "course.yml:1"
    assert ui_for("sw").gettext("Contents") == "Contents"


def test_a_catalog_missing_words_gets_one_warning_naming_them(tmp_path):
    """A catalog behind the code (a word added since it was translated): those words stay English, said once."""
    with (LOCALE_DIR / "de" / "LC_MESSAGES" / "exporter.po").open("rb") as stream:
        full = read_po(stream)
    partial = Catalog(locale="de")
    for message in full:
        if message.id and message.id not in ("Contents", "Finish"):
            partial.add(message.id, message.string)
    (tmp_path / "de" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "exporter.pot").write_bytes((LOCALE_DIR / "exporter.pot").read_bytes())
    with (tmp_path / "de" / "LC_MESSAGES" / "exporter.po").open("wb") as stream:
        write_po(stream, partial)
    reporter = Reporter()
    check_language("de-CH", reporter, None, tmp_path)
    (warning,) = reporter.diagnostics
    assert warning.code is Code.UI_UNTRANSLATED
    assert "2 of exporter's words" in warning.message and "'Contents'" in warning.message
    assert "'Finish'" in warning.message


# ------------------------------------------------------------------------ builds read back, per format

UI_PHRASES = [
    "Contents", "Notes", "Finish", "Next", "Previous", "Answer key", "This workbook belongs to:", "Authors",
    "Skip to the lesson", "Lesson navigation", "In this lesson", "Image not available", "Try again",
    "Scan the code or type the address into a browser.", "Tip", "Warning", "Exercise", "Start of content",
    "Cover", "Title page", "Landmarks", "Your answer", "Lessons read", "Correct.", "Video",
]
"""English words exporter adds to the outputs of the test course (its own text is Latin)."""
BIDI_MARKS = re.compile("[\u200e\u200f\u202a-\u202e]")


def _english_left(text: str, ui) -> list[str]:
    """The phrases of UI_PHRASES (and the folio, the video card) the course's catalog words differently,
    found in English in `text`."""
    phrases = [p for p in UI_PHRASES if ui.gettext(p) != p]
    found = [p for p in phrases if re.search(rf"(?<![\w]){re.escape(p)}(?![\w])", text, re.I)]
    found += re.findall(r"Page \d+ of \d+", text) + re.findall(r"Watch the YouTube video", text)
    found += re.findall(r"Module 1\b", text) if ui.gettext("Module %(number)s", number=1) != "Module 1" else []
    return found


@pytest.fixture(scope="module", params=["fr", "ar", pytest.param("de", marks=pytest.mark.slow),
                                        pytest.param("zh-Hans", marks=pytest.mark.slow)])
def built(request, tmp_path_factory):
    """The test course built as PDF, EPUB and SCORM 1.2 in one language: (language, PDF text, EPUB members,
    SCORM members)."""
    language = request.param
    out = tmp_path_factory.mktemp(f"i18n-{language}")
    reporter = Reporter()
    written = build(BuildOptions(source=COURSE, out=out, formats=("pdf", "epub", "scorm12"), offline=True, jobs=1,
                                 overrides={"language": language}), reporter)
    assert [d.code.value for d in reporter.diagnostics] == ["asset.missing"]  # nusquam.png, on purpose
    pdf = next(p for p in written if p.suffix == ".pdf")
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    members = {}
    for suffix in (".epub", ".zip"):
        with zipfile.ZipFile(next(p for p in written if p.suffix == suffix)) as archive:
            members[suffix] = {name: archive.read(name).decode("utf-8") for name in archive.namelist()
                               if name.endswith((".xhtml", ".html", ".opf"))}
    return language, BIDI_MARKS.sub("", text), members[".epub"], members[".zip"]


def test_the_pdf_speaks_the_course_language(built):
    language, text, _, _ = built
    ui = ui_for(language)
    assert _english_left(text, ui) == []
    # pdftotext gives Arabic in visual pieces (lam-alef split, a label's words on two lines): one word is checked
    for word in ("Contents",) if language == "ar" else ("Contents", "Answer key", "This workbook belongs to:"):
        assert ui.gettext(word).replace("\u00a0", " ") in text.replace("\u00a0", " ")
    if language != "ar":
        assert ui.gettext("Page %(page)s of %(pages)s", page=4, pages=8) in text


def test_the_epub_nav_and_chapters_speak_the_course_language(built):
    language, _, epub, _ = built
    ui = ui_for(language)
    nav = next(text for name, text in epub.items() if name.endswith("nav.xhtml"))
    assert f"<h2>{ui.gettext('Contents')}</h2>" in nav and f"<h2>{ui.gettext('Landmarks')}</h2>" in nav
    assert ui.gettext("Start of content") in nav
    visible = "\n".join(text for name, text in epub.items() if name.endswith(".xhtml"))
    assert _english_left(re.sub(r"<[^>]+>", " ", visible), ui) == []
    rtl = language == "ar"
    assert ('page-progression-direction="rtl"' in next(t for n, t in epub.items() if n.endswith(".opf"))) is rtl
    chapters = [text for name, text in epub.items() if name.endswith(".xhtml") and "nav" not in name]
    assert all(('dir="rtl"' in chapter) is rtl for chapter in chapters)


def test_the_scorm_page_speaks_the_course_language(built):
    language, _, _, scorm = built
    ui = ui_for(language)
    page = scorm["index.html"]
    assert f"<summary>{ui.gettext('Contents')}</summary>" in page
    assert ui.ngettext("%(count)s lesson", "%(count)s lessons", 2, count=2) in page
    text = re.sub(r"<[^>]+>", " ", re.sub(r"data-words='[^']*'", "", page))
    assert _english_left(text, ui) == []
    assert re.search(r'<html lang="[^"]+" dir="(\w+)"', page).group(1) == ("rtl" if language == "ar" else "ltr")


def test_the_runtime_words_reach_the_page_as_json(built):
    import html
    import json

    language, _, _, scorm = built
    words = json.loads(html.unescape(re.search(r"data-words='([^']*)'", scorm["index.html"]).group(1)))
    assert words == json.loads(json.dumps(runtime_words(ui_for(language))))


def test_an_english_course_is_unchanged_by_the_catalogs(tmp_path):
    out = tmp_path / "out"
    written = build(BuildOptions(source=COURSE, out=out, formats=("scorm12",), offline=True), Reporter())
    with zipfile.ZipFile(next(p for p in written if p.suffix == ".zip")) as archive:
        page = archive.read("index.html").decode("utf-8")
    assert "<summary>Contents</summary>" in page and ">Finish</button>" in page and 'dir="ltr"' in page
    assert "2 lessons" in page and 'data-words=\'{"chooseFirst": "Choose an answer first."' in page
