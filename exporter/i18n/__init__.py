"""exporter's own words (contents, notes, page X of Y, navigation, quiz feedback...) in the course's language.

The words live in gettext catalogs, one `locale/<catalog>/LC_MESSAGES/exporter.po` per language, extracted
from the code and templates by Babel (`scripts/i18n.sh`; the template is `locale/exporter.pot`). The `.po`
files are read as they are, at build time (Babel parses one in about 20 ms of CPU, once per process and
language): there is no compiled `.mo` that could go stale beside its `.po`, nothing for set-up to compile,
and a wheel carries exactly the files under review. `course.yml` chooses the catalog with `language`
(fr-CA -> fr, zh-TW -> zh-Hant) and may replace any string with `ui: {"English text": "own text"}`.
"""
from __future__ import annotations

import functools
import gettext
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from exporter.diagnostics import Code, Reporter
from exporter.model import SourcePos

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
"""The shipped catalogs and their template, inside the package so that an installed exporter has them."""
DOMAIN = "exporter"

CATALOGS = ("en", "fr", "de", "es", "it", "pt", "nl", "pl", "ru", "zh_Hans", "zh_Hant", "ja", "ko", "ar", "he")
"""Languages exporter speaks. `en` is the source language: its catalog only states English's plural rule."""

RTL_LANGUAGES = frozenset({"ar", "he", "fa", "ur", "yi", "ps", "sd", "ug", "dv", "ckb"})
"""Written right to left: the page chrome of every format turns round (`dir="rtl"`)."""

_TRADITIONAL_REGIONS = frozenset({"tw", "hk", "mo"})
"""Chinese of these regions is written in traditional characters when the tag names no script."""
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def N_(message: str) -> str:
    """Marks `message` for the catalogs where it is written; it is translated where it is shown (ui.gettext)."""
    return message


def catalog_for(language: str) -> str | None:
    """The shipped catalog for a BCP 47 tag: the tag's language with a region dropped (fr-CA -> fr, pt-BR -> pt);
    Chinese by script, else by region (zh-TW, zh-Hant-HK -> zh_Hant; zh, zh-CN, zh-SG -> zh_Hans). None when
    exporter does not speak the language."""
    subtags = [part.lower() for part in re.split(r"[-_]", language.strip()) if part]
    if not subtags:
        return None
    if subtags[0] == "zh":
        traditional = "hant" in subtags or (bool(_TRADITIONAL_REGIONS & set(subtags)) and "hans" not in subtags)
        return "zh_Hant" if traditional else "zh_Hans"
    return subtags[0] if subtags[0] in CATALOGS else None


def direction_of(language: str) -> str:
    """'rtl' for a language written right to left, else 'ltr'."""
    primary = re.split(r"[-_]", language.strip().lower() or "en")[0]
    return "rtl" if primary in RTL_LANGUAGES else "ltr"


@dataclass(frozen=True)
class Ui:
    """exporter's own words for one course: its catalog, with the course's own replacements on top."""

    language: str
    """The course's BCP 47 tag, as course.yml gives it."""
    catalog: str
    """The catalog in use ('en' when exporter does not speak the language)."""
    overrides: tuple[tuple[str, str], ...] = ()
    """(English text, the course's text) from course.yml `ui:`."""
    translations: gettext.NullTranslations = field(default_factory=gettext.NullTranslations, compare=False,
                                                   repr=False)

    @property
    def direction(self) -> str:
        """'rtl' or 'ltr': the direction of the page chrome, from the course's language."""
        return direction_of(self.language)

    @property
    def fingerprint(self) -> str:
        """Names these words for cache keys: the catalog's text and the overrides."""
        text = _catalog_text(self.catalog) + repr(self.overrides)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

    def __reduce__(self):  # to worker processes: the catalog is read again there, not pickled
        return ui_for, (self.language, self.overrides)

    def text(self, message: str) -> str:
        """`message` (English) in the course's language, placeholders left as they are."""
        return dict(self.overrides).get(message) or self.translations.gettext(message)

    def plural_text(self, singular: str, plural: str, n: int) -> str:
        """The form of a counted message the course's language uses for `n`, placeholders left as they are."""
        return dict(self.overrides).get(singular) or self.translations.ngettext(singular, plural, n)

    def gettext(self, message: str, **values: object) -> str:
        """`message` (English, with `%(name)s` placeholders) in the course's language, `values` put in."""
        return self.text(message) % values if values else self.text(message)

    def ngettext(self, singular: str, plural: str, n: int, **values: object) -> str:
        """A counted message in the course's language, `%(num)s` being the count `n`."""
        return self.plural_text(singular, plural, n) % {"num": n, **values}


ENGLISH = Ui("en", "en")
"""exporter's words as written in the code: for callers that have no course (tests, tools)."""


def ui_for(language: str, overrides: tuple[tuple[str, str], ...] = ()) -> Ui:
    """The words of a course written in `language`, its `overrides` on top."""
    catalog = catalog_for(language) or "en"
    return Ui(language, catalog, overrides, _translations(catalog))


def check_language(language: str, reporter: Reporter, pos: SourcePos | None,
                   locale_dir: Path = LOCALE_DIR) -> None:
    """One warning when the course's words cannot all be in its language: no catalog, or strings it lacks."""
    catalog = catalog_for(language)
    if catalog is None:
        reporter.warning(Code.UI_LANGUAGE, f"exporter does not speak '{language}': its own words (Contents, Notes, "
                         f"Next...) stay in English; it speaks {', '.join(c.replace('_', '-') for c in CATALOGS)}; "
                         "course.yml `ui:` can replace any of them", pos)
        return
    missing = untranslated(catalog, locale_dir)
    if missing:
        shown = "; ".join(f"'{message}'" for message in missing[:5]) + ("; ..." if len(missing) > 5 else "")
        reporter.warning(Code.UI_UNTRANSLATED, f"{len(missing)} of exporter's words have no translation in its "
                         f"'{catalog}' catalog and stay in English: {shown}; course.yml `ui:` can give them", pos)


def catalogs_fingerprint() -> str:
    """Names the text of every shipped catalog: they change outputs but are not Python, so a key made of
    exporter's code and versions does not cover them (the catalog's job cache)."""
    text = "".join(_po_path(catalog).read_text("utf-8") for catalog in CATALOGS if catalog != "en")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def placeholders(message: str) -> set[str]:
    """The `%(name)s` names a message's text must keep."""
    return set(_PLACEHOLDER.findall(message))


def source_messages() -> dict[str, str | None]:
    """Every message of the template: English text -> its plural, or None for a message that is not counted."""
    catalog = _read(LOCALE_DIR / f"{DOMAIN}.pot")
    return {_singular(m.id): (m.id[1] if m.pluralizable else None) for m in catalog if m.id}


@functools.lru_cache(maxsize=None)
def untranslated(catalog: str, locale_dir: Path = LOCALE_DIR) -> tuple[str, ...]:
    """Messages of the template the catalog lacks (they show in English), in template order. Once per process:
    a preview checks the course at every rebuild."""
    if catalog == "en":
        return ()
    translated = {_singular(m.id) for m in _read(_po_path(catalog, locale_dir)) if m.id and _complete(m.string)}
    return tuple(message for message in source_messages() if message not in translated)


def _singular(message_id: str | tuple[str, ...]) -> str:
    return message_id[0] if isinstance(message_id, (tuple, list)) else message_id


def _complete(string: str | tuple[str, ...]) -> bool:
    return all(string) if isinstance(string, (tuple, list)) else bool(string)


def _po_path(catalog: str, locale_dir: Path = LOCALE_DIR) -> Path:
    return locale_dir / catalog / "LC_MESSAGES" / f"{DOMAIN}.po"


def _read(path: Path):
    with path.open("rb") as stream:
        return read_po(stream, abort_invalid=True)


@functools.lru_cache(maxsize=None)
def _catalog_text(catalog: str) -> str:
    return _po_path(catalog).read_text("utf-8") if catalog != "en" else ""


@functools.lru_cache(maxsize=None)
def _translations(catalog: str) -> gettext.NullTranslations:
    """The catalog as gettext translations (plural rule included), made in memory from its `.po`. Fuzzy
    entries are left out, as msgfmt does."""
    if catalog == "en":
        return gettext.NullTranslations()
    buffer = io.BytesIO()
    write_mo(buffer, _read(_po_path(catalog)), use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)
