"""Stage 1, load: content/ -> LessonSource[] (encoding, BOM, line ends, stacked front matter, lost newlines)."""
from __future__ import annotations

import os
import posixpath
import re
import unicodedata
from pathlib import Path
from typing import Any

import yaml

from exporter.cache import BuildCache
from exporter.config import CourseConfig
from exporter.diagnostics import Code, Reporter
from exporter.model import LessonSource, SourcePos
from exporter.safe_yaml import NOT_XML_CHARS, load_yaml, problem_of

LESSON_SUFFIXES = (".md", ".markdown", ".txt")
NOT_LESSONS = {"readme", "license", "licence", "sources", "changelog"}
SKIPPED_DIRS = {"build", "node_modules", "__pycache__"}

# HackMD's own front-matter keys, used to split a flattened block back into lines.
KNOWN_KEYS = ("title", "tags", "description", "lang", "dir", "robots", "breaks", "GA", "disqus", "type",
              "slideOptions", "image", "author", "langs", "license", "opengraph")


def discover_lessons(root: Path, config: CourseConfig, reporter: Reporter) -> tuple[list[str], list[str]]:
    """(lessons, refused): relative paths of the lessons to build (course.yml's list, else every lesson file
    in natural order), and those named but refused with an error (they are broken lessons).

    Every path is checked before anything is read: it must name a file inside the content folder once
    symbolic links are followed (a lesson that is a link to /etc/passwd, or `../../etc/passwd` in
    course.yml, is refused as images are), its name must print as one line of text, and a file
    listed twice (`01.md`, `./01.md`) is one lesson."""
    if config.listed_lessons:
        candidates = [(rel, True) for rel in config.listed_lessons]
    else:
        candidates = [(rel, False) for rel in _lesson_files(root)]
    found: list[str] = []
    refused: list[str] = []
    first_of: dict[Path, str] = {}
    for rel, listed in candidates:
        path = _checked_lesson_path(root, rel, listed, reporter)
        if path is None:
            refused.append(printable_path(rel))
            continue
        shown = posixpath.normpath(rel)
        if path in first_of:
            where = CONFIG_POS if listed else SourcePos(shown, 1)
            reporter.warning(Code.LOAD_DUPLICATE_LESSON, f"'{rel}' is the same file as '{first_of[path]}'; it "
                             "is built once, where it first appears" + ("; remove the second entry from course.yml"
                                                                        if listed else ""), where)
            continue
        first_of[path] = rel
        found.append(shown)
    return found, refused


CONFIG_POS = SourcePos("course.yml", 1)


def _lesson_files(root: Path) -> list[str]:
    """Every lesson-like file under `root` (hidden and build folders skipped), in natural order."""
    paths = [
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.suffix.lower() in LESSON_SUFFIXES and p.stem.lower() not in NOT_LESSONS
        and not any(part.startswith(".") or part in SKIPPED_DIRS for part in p.relative_to(root).parts[:-1])
        and not p.name.startswith(".") and p.is_file()
    ]
    return sorted(paths, key=natural_key)


def _checked_lesson_path(root: Path, rel: str, listed: bool, reporter: Reporter) -> Path | None:
    """The resolved file of lesson `rel`, or None after an error saying why it cannot be one."""
    shown = printable_path(rel)
    where = CONFIG_POS if listed else SourcePos(shown, 1)
    if shown != rel:
        reporter.error(Code.LOAD_BAD_NAME, f"the file name '{shown}' is not plain UTF-8 text (undecodable bytes "
                       "or control characters such as a line break); rename the file", where)
        return None
    target = _resolve_inside(root, rel)
    if target is None:
        how = "through a symbolic link" if _lexically_inside(root, rel) else "by its path"
        reporter.error(Code.LOAD_OUTSIDE_ROOT, f"lesson '{rel}' leads outside the content folder ({how}) and was "
                       "refused: only files inside the course folder are published; copy it in", where)
        return None
    if not _is_file(target):
        if listed:
            reporter.error(Code.CONFIG_UNKNOWN_LESSON, f"course.yml lists '{rel}', which does not exist; "
                           "fix the name or remove the entry", where)
        return None
    return target


def _resolve_inside(root: Path, rel: str) -> Path | None:
    """`root/rel` with symbolic links followed, or None when that leaves `root` (or cannot be resolved:
    a link loop). Unlike images, a lesson name may hold a colon: it is never a URL."""
    if not rel.strip() or "\0" in rel or os.path.isabs(rel):
        return None
    base = root.resolve()
    try:
        target = (base / rel).resolve()
    except (OSError, RuntimeError):  # RuntimeError: a symbolic link loop (Python 3.11)
        return None
    return target if target == base or base in target.parents else None


def _lexically_inside(root: Path, rel: str) -> bool:
    base = os.path.abspath(root)
    lexical = os.path.normpath(os.path.join(base, rel))
    return lexical.startswith(base + os.sep)


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # a name too long for the file system, say
        return False


def printable_path(rel: str) -> str:
    """`rel` as one line of text: undecodable bytes as \\xNN, control characters as \\n, \\x01..."""
    try:
        raw = os.fsencode(rel).decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a lone surrogate that is no escaped byte
        raw = rel.encode("utf-8", "backslashreplace").decode("utf-8")
    return "".join(ch.encode("unicode_escape").decode("ascii") if unicodedata.category(ch) in _UNPRINTABLE else ch
                   for ch in raw)


_UNPRINTABLE = ("Cc", "Cs", "Zl", "Zp")
"""Controls, surrogates, line and paragraph separators: what would break a diagnostic's one line."""


def natural_key(path: str) -> list:
    """'lesson 10' sorts after 'lesson 9'."""
    return [int(part) if part.isascii() and part.isdigit() else part.lower() for part in re.split(r"(\d+)", path)]


def load_lessons(root: Path, paths: list[str], reporter: Reporter,
                 cache: BuildCache | None = None) -> list[LessonSource]:
    """Read every lesson; a file that cannot be read is reported and left out of the list (so the lessons
    missing from it are broken ones). `cache`: what a file's bytes were read as (decoding, front matter)."""
    sources = []
    for rel in paths:
        path = _resolve_inside(root, rel)
        if path is None:  # discover_lessons refuses these with an error; never read one
            continue
        source = read_lesson(path, rel, reporter, cache)
        if source is not None:
            sources.append(source)
    return sources


MAX_LESSON_BYTES = 6_000_000
"""The longest lesson of the acceptance course is 82 KB; issue 12 asks that one of 5 MB (a whole book, about
1,800 printed pages) still builds, its layout cut into slices like any other part. Past 6 MB a single lesson
needs gigabytes in pandoc and in the tree (4.8 MB: 28 s and 1.6 GB to read and check), so it is refused up
front, by name."""


def read_lesson(path: Path, rel: str, reporter: Reporter, cache: BuildCache | None = None) -> LessonSource | None:
    """The lesson file `path` (`rel` inside the content folder), read and checked. With a `cache`, what its
    bytes were read as is kept under them, with what reading them said: parsing the front matter's YAML in
    pure Python is a millisecond a lesson, a tenth of a second of every build of a hundred."""
    try:
        if path.stat().st_size > MAX_LESSON_BYTES:
            reporter.error(Code.LOAD_TOO_LARGE, f"{rel} is {path.stat().st_size / 1e6:.1f} MB; a lesson may be at "
                           f"most {MAX_LESSON_BYTES / 1e6:g} MB. Split it into several lessons", SourcePos(rel, 1))
            return None
        raw = path.read_bytes()
    except OSError as exc:
        reporter.error(Code.LOAD_BINARY, f"cannot read {rel}: {exc.strerror}", SourcePos(rel, 1))
        return None
    if cache is None or not cache.enabled:
        return _read(raw, rel, reporter)
    key = cache.key("lesson-file", rel, raw)
    found = cache.get(key)
    if found is None:
        said = Reporter()
        found = (_read(raw, rel, said), tuple(said.diagnostics))
        cache.put(key, found)
    source, diagnostics = found
    reporter.extend(diagnostics)
    return source


def _read(raw: bytes, rel: str, reporter: Reporter) -> LessonSource | None:
    """A lesson file's bytes as text (line breaks, control characters and front matter dealt with)."""
    text = decode(raw, rel, reporter)
    if text is None:
        return None
    text = _without_control_characters(text.replace("\r\n", "\n").replace("\r", "\n"), rel, reporter)
    line_map = None
    if looks_newline_lost(text):
        text, line_map = restore_newlines(text), ()
        reporter.warning(Code.LOAD_NEWLINES_RESTORED, f"{rel} is one long line: its line breaks were lost "
                         "(a copy-paste or export problem); block structure was restored by heuristics. "
                         "Check the result with `exporter tree` and fix the file's line breaks",
                         SourcePos(rel, 1))
    body, front, valid = split_front_matter(text, rel, reporter, restored=line_map is not None)
    return LessonSource(path=rel, text=body, front_matter=front, line_map=line_map, broken=not valid)


def decode(raw: bytes, rel: str, reporter: Reporter) -> str | None:
    """UTF-8 (BOM or not); else Windows-1252 with a warning; binary data is refused."""
    if b"\x00" in raw or _control_ratio(raw) > 0.1:
        reporter.error(Code.LOAD_BINARY, f"{rel} is not a UTF-8 text file (it holds binary data); "
                       "remove it from the course folder or export it again as Markdown", SourcePos(rel, 1))
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        text = raw.decode("cp1252", errors="replace")
        if "\ufffd" in text:
            text = raw.decode("latin-1")
        reporter.warning(Code.LOAD_NOT_UTF8, f"{rel} is not UTF-8 (first bad byte on line {line}); it was read "
                         "as Windows-1252. Save the file as UTF-8 to be sure of every character",
                         SourcePos(rel, line))
        return text


def _without_control_characters(text: str, rel: str, reporter: Reporter) -> str:
    """Characters no output can carry (a bell, a form feed, U+FFFF) are removed here, once, so no
    exporter meets them in a title."""
    found = NOT_XML_CHARS.search(text)
    if not found:
        return text
    line = text.count("\n", 0, found.start()) + 1
    count = len(NOT_XML_CHARS.findall(text))
    reporter.warning(Code.LOAD_CONTROL_CHARS, f"{count} control character(s) removed (the first on line {line}): "
                     "no output format can carry them. Delete them from the file", SourcePos(rel, line))
    return NOT_XML_CHARS.sub("", text)


def _control_ratio(raw: bytes) -> float:
    sample = raw[:4096]
    if not sample:
        return 0.0
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return controls / len(sample)


# ---------------------------------------------------------------------------- front matter

_FENCE = re.compile(r"^(---|\.\.\.)[ \t]*$")


def split_front_matter(text: str, rel: str, reporter: Reporter,
                       restored: bool = False) -> tuple[str, dict[str, Any], bool]:
    """Consume one or more stacked `---` blocks at the top; blank their lines so line numbers hold. Returns
    the body, the merged values, and False when a block was unusable (an error was reported).

    Precedence: the first block wins key by key, later blocks fill in what it lacks. HackMD puts its
    own record of the note ("System prepended metadata": the title it shows) first, so its title wins.
    """
    lines = text.split("\n")
    pos = (lambda _: SourcePos(rel, 1)) if restored else (lambda line: SourcePos(rel, line))  # noqa: E731
    merged: dict[str, Any] = {}
    valid = True
    index = _skip_blank(lines, 0)
    while index < len(lines) and lines[index].rstrip() == "---":
        end = next((j for j in range(index + 1, len(lines)) if _FENCE.match(lines[j])), None)
        if end is None:
            reporter.error(Code.FRONT_MATTER_UNCLOSED, f"front matter opened at line {index + 1} is never closed; "
                           "add a line '---' after the metadata", pos(index + 1))
            return "\n".join([""] * len(lines)), merged, False
        block = _parse_block(lines[index + 1:end], pos, index + 2, reporter)
        valid = valid and block is not None
        for key, value in (block or {}).items():
            merged.setdefault(key, value)
        lines[index:end + 1] = [""] * (end + 1 - index)
        index = _skip_blank(lines, end + 1)
    return "\n".join(lines), merged, valid


def _skip_blank(lines: list[str], index: int) -> int:
    while index < len(lines) and not lines[index].strip():
        index += 1
    return index


def _parse_block(lines: list[str], pos, first_line: int, reporter: Reporter) -> dict[str, Any] | None:
    """One `---` block as a mapping, None when it is unusable (reported as an error); `pos(line)` is where a
    line of the file is reported (line 1 for a file whose line breaks were restored: its own lines are gone)."""
    try:
        loaded = load_yaml("\n".join(lines))
    except yaml.YAMLError as exc:
        problem, offset = problem_of(exc)
        reporter.error(Code.FRONT_MATTER_INVALID, f"front matter is not valid YAML ({problem}); fix the "
                       "metadata between the '---' lines", pos(first_line + offset))
        return None
    for line in loaded.cleaned_lines[:1]:
        reporter.warning(Code.LOAD_CONTROL_CHARS, "front matter value holds control characters or invalid Unicode "
                         "(an escape such as \\x01 or \\ud800); they were removed", pos(first_line + line - 1))
    data = loaded.data
    if data is None:
        return {}
    if not isinstance(data, dict):
        reporter.error(Code.FRONT_MATTER_INVALID, "front matter must be 'key: value' lines",
                       pos(first_line))
        return None
    return {str(k): v for k, v in data.items()}


# ---------------------------------------------------------------------------- lost newlines

_BLOCK_MARKERS = re.compile(r" (?::::|#{1,6} |\{%|<style|&nbsp;|---)")


def looks_newline_lost(text: str) -> bool:
    """A long file on one or two lines that still shows block markers inside the line."""
    stripped = text.strip("\n")
    return len(stripped) > 200 and stripped.count("\n") <= 1 and len(_BLOCK_MARKERS.findall(stripped)) >= 3


_SENTENCE_STARTERS = ("The", "This", "These", "That", "A", "An", "In", "As", "It", "We", "You", "Our", "Let's",
                      "When", "If", "Each", "Some", "However", "Since", "Now", "Here", "There")


# Each rule's leading whitespace is matched only from the start of a run ((?<!\s)): tried at every
# position inside a run of a million spaces, `\s*` would rescan the run each time (quadratic). Where the
# whitespace is optional, `(?<=\s)` lets a marker right after an earlier match (whose `\s*` took the
# space) match with none.
def restore_newlines(text: str) -> str:
    """Rebuild block structure from a flattened HackMD note; each rule is one block kind."""
    text = text.strip()
    text = _restore_front_matter(text)
    text = _on_own_lines(text, "<style>", "</style>", across_lines=True)
    text = _on_own_lines(text, "{%", "%}", across_lines=False)
    text = re.sub(r"(?<!\s)\s+&nbsp;\s+", "\n\n&nbsp;\n\n", text)
    text = re.sub(r"(?:(?<!\s)\s*|(?<=\s)):::[ \t]*(info|success|warning|danger|spoiler|exercise|quiz)\b\s*", r"\n\n:::\1\n",
                  text)
    text = re.sub(r"(?<!\s)\s+:::(?=\s|$)\s*", "\n:::\n\n", text)
    text = re.sub(r"(?<!\s)\s+(- \[[ xX]\] )", r"\n\1", text)  # task items: a :::quiz's choices
    text = _restore_headings(text)
    text = _restore_ordered_lists(text)
    text = _restore_bullets(text)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def _on_own_lines(text: str, opener: str, closer: str, across_lines: bool) -> str:
    """Each `opener … closer` span set apart by blank lines; one left-to-right scan (a regex's lazy
    `.*?` would scan to the end of the text again from every unclosed opener)."""
    out, position, close_at = [], 0, -1
    while True:
        start = text.find(opener, position)
        if start < 0:
            break
        if close_at < start + len(opener):
            close_at = text.find(closer, start + len(opener))
        if close_at < 0:
            break  # no closer after this opener, so none after any later one
        end = close_at + len(closer)
        if not across_lines and "\n" in text[start:end]:
            out.append(text[position:start + len(opener)])
            position = start + len(opener)
            continue
        out.append(text[position:start].rstrip() + "\n\n" + text[start:end] + "\n\n")
        position = end
        while position < len(text) and text[position].isspace():
            position += 1
    out.append(text[position:])
    return "".join(out)


def _restore_front_matter(text: str) -> str:
    match = re.match(r"---\s+(.*?)(?<!\s)\s+---\s+", text, re.S)
    if not match:
        return text
    keys = "|".join(KNOWN_KEYS)
    body = re.sub(rf"(?<!\s)\s+(?=(?:{keys}):\s)", "\n", match.group(1))
    return f"---\n{body}\n---\n\n{text[match.end():]}"


def _restore_headings(text: str) -> str:
    """A heading runs to its next marker, its first '?'/'!', or a word that starts a sentence."""
    starters = "|".join(re.escape(s) for s in _SENTENCE_STARTERS)

    def split(match: re.Match) -> str:
        hashes, rest = match.group(1), match.group(2)
        end = re.search(rf"(?<=[?!])\s+|(?<!\s)\s+(?=\d+\.\s|- |(?:{starters})\s)", rest)
        if end and end.start() > 0:
            return f"\n\n{hashes} {rest[:end.start()].strip()}\n\n{rest[end.end():]}"
        return f"\n\n{hashes} {rest.strip()}\n\n"

    return re.sub(r"(?:(?<=\s)|^)(#{1,6}) ([^\n#]+)", split, text)


def _restore_ordered_lists(text: str) -> str:
    """'... 1. a, 2. b, 3. c' -> list items, only when the numbers count up from 1."""
    out, expected = [], 1
    pieces = re.split(r"(?<=\s)(\d{1,9})\. ", text)
    out.append(pieces[0])
    for number, rest in zip(pieces[1::2], pieces[2::2]):
        if int(number) == expected or int(number) == 1:
            expected = int(number) + 1
            out.append(f"\n{number}. {rest}")
        else:
            out.append(f"{number}. {rest}")
    return "".join(out)


def _restore_bullets(text: str) -> str:
    """' - Week 2 ... - Week 3' -> items; split only where the item's first word repeats (not prose dashes)."""
    def in_block(block: str) -> str:
        first = re.search(r"(?:^|\s)- (\S+)", block)
        if not first or block.count(f" - {first.group(1)}") + block.startswith(f"- {first.group(1)}") < 2:
            return block
        word = re.escape(first.group(1))
        return re.sub(rf"(?:^|(?<!\s)\s+)- (?={word}\b)", "\n- ", block)

    return "\n\n".join(in_block(block) for block in text.split("\n\n"))
