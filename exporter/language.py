"""Which language and which writing direction a run of text is in: its script from the Unicode data
(fontTools, which WeasyPrint already brings), its language from py3langid's classifier when the script
alone does not say it. Screen readers pick their voice from `lang`, and browsers, reading systems and the
PDF lay out mixed right-to-left and left-to-right text by `dir`, so both must be right on every lesson."""
from __future__ import annotations

import functools
from collections import Counter

from fontTools import unicodedata as ucd

LATIN = "Latn"
"""Script of a language we know nothing about: most lessons are in a Latin-script language."""

SCRIPT_LANGUAGES = {
    "Latn": ("en", "fr", "de", "es", "it", "pt", "nl", "pl", "sv", "da", "no", "fi", "cs", "tr", "ro", "hu", "id",
             "vi", "ca", "hr", "sk", "sl", "et", "lv", "lt", "ms", "sw", "af", "eu", "gl", "is", "ga", "cy", "sq"),
    "Hani": ("zh",), "Hira": ("ja",), "Kana": ("ja",), "Hang": ("ko",),
    "Arab": ("ar", "fa", "ur", "ps", "ug"), "Hebr": ("he",), "Cyrl": ("ru", "uk", "bg", "sr", "mk", "be", "kk", "mn", "ky"),
    "Grek": ("el",), "Thai": ("th",), "Deva": ("hi", "mr", "ne"), "Beng": ("bn", "as"), "Taml": ("ta",),
    "Telu": ("te",), "Knda": ("kn",), "Mlym": ("ml",), "Gujr": ("gu",), "Guru": ("pa",), "Geor": ("ka",),
    "Armn": ("hy",), "Ethi": ("am",), "Khmr": ("km",), "Laoo": ("lo",), "Mymr": ("my",), "Sinh": ("si",),
}
"""The languages py3langid tells apart, by the script they are written in; the first is taken when a run
is too short to classify. Japanese mixes Han with kana: kana anywhere makes Han text Japanese, and Han
without kana is Chinese."""

_LANGUAGE_SCRIPT = {lang: script for script, langs in SCRIPT_LANGUAGES.items() for lang in langs}
_RTL = {"Arab", "Hebr", "Syrc", "Thaa", "Nkoo", "Adlm", "Samr", "Mand"}

MIN_LETTERS = 2
"""A run shorter than this (a stray letter, a bullet-like symbol) is not given a language of its own."""


@functools.lru_cache(maxsize=8192)
def script_of(char: str) -> str | None:
    """The script of a letter (ISO 15924, Han/kana kept apart); None for digits, spaces, punctuation, marks and
    symbols, which take the direction and language of the text around them."""
    if not char.isalpha():
        return None
    script = ucd.script(char)
    return None if script in ("Zyyy", "Zinh", "Zzzz") else script


def scripts(text: str) -> Counter:
    """Letters per script."""
    if text.isascii():  # most text of most courses: decided without a look-up per character
        letters = sum(map(str.isalpha, text))
        return Counter({LATIN: letters} if letters else {})
    return Counter(script for script in map(script_of, text) if script)


def dominant_script(text: str) -> str | None:
    """The script most letters are in (kana make Han text Japanese); None when there are no letters."""
    counts = scripts(text)
    if not counts:
        return None
    if counts["Hira"] or counts["Kana"]:
        counts["Hira"] += counts.pop("Hani", 0) + counts.pop("Kana", 0)
    return counts.most_common(1)[0][0]


def script_of_language(lang: str | None) -> str:
    """The script a language tag is written in (`zh-TW` -> Han, `sr-Latn` -> Latin); Latin when unknown."""
    if not lang:
        return LATIN
    parts = lang.replace("_", "-").split("-")
    explicit = next((part.title() for part in parts[1:] if len(part) == 4 and part.isalpha()), None)
    if explicit:
        return {"Hans": "Hani", "Hant": "Hani", "Jpan": "Hira", "Kore": "Hang"}.get(explicit, explicit)
    base = parts[0].lower()
    return "Hani" if base == "zh" else _LANGUAGE_SCRIPT.get(base, LATIN)


def same_script(own: str | None, other: str | None) -> bool:
    """Is text in `other` written in the script `own` of its surroundings? Japanese is Han and kana, so in
    Japanese text a run of Han is Japanese too; in Chinese text a run with kana is not."""
    return own == other or (own in ("Hira", "Kana") and other in ("Hani", "Hira", "Kana"))


def is_rtl(script: str | None) -> bool:
    return script in _RTL


def detect(text: str, script: str) -> str | None:
    """The language of `text`, whose letters are mostly in `script`: py3langid's pick among the languages
    written in that script; the script's usual language when the text is too short to tell; None for a
    script we know no language of."""
    candidates = SCRIPT_LANGUAGES.get(script)
    if not candidates:
        return None
    if len(candidates) == 1 or sum(scripts(text).values()) < 12:
        return candidates[0]
    ranked = _classifier().rank(text)
    return next((lang for lang, _ in ranked if lang in candidates), candidates[0])


@functools.lru_cache(maxsize=1)
def _classifier():
    """py3langid's model, loaded once per process (decompressing it takes a second) and only when a text in
    a script of several languages needs it; its ranking is then read among that script's languages only,
    which makes short texts far more reliable."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE)


def lesson_language(text: str, course_language: str | None) -> str | None:
    """A lesson's language when its front matter gives none: detected when most of its letters are in
    another script than the course language's (a Chinese lesson in an English course), else None (the
    course's language applies). Detecting a language among those of one script is left to the course's
    own `lang:` settings: a short English lesson is easily taken for Dutch, never for Chinese."""
    script = dominant_script(text)
    if script is None or same_script(script_of_language(course_language), script):
        return None
    return detect(text, script)
