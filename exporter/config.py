"""course.yml -> CourseConfig: one frozen dataclass, validated once, all problems reported together."""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from exporter.diagnostics import Code, Reporter
from exporter.i18n import placeholders, source_messages
from exporter.model import SourcePos
from exporter.safe_yaml import NOT_XML_CHARS, load_yaml, problem_of

CONFIG_NAME = "course.yml"
MAX_CONFIG_BYTES = 1_000_000
"""course.yml for 400 lessons in modules is about 20 KB."""


@dataclass(frozen=True, slots=True)
class ModuleSpec:
    title: str
    lessons: tuple[str, ...]
    """Lesson paths relative to the content root, in order."""


@dataclass(frozen=True, slots=True)
class PdfOptions:
    paper: str = field(default="A4", metadata={"help": "A4 or Letter", "choices": ("A4", "Letter")})
    notes: bool = field(default=True, metadata={"help": "a ruled Notes page after each lesson"})
    notes_lines: int = field(default=14, metadata={"help": "ruled lines on each Notes page", "range": (0, 60)})
    answer_key: bool = field(default=False, metadata={"help": "collect answers (spoilers marked answer) at the back"})
    right_hand: bool = field(default=False, metadata={
        "help": "start each module and lesson on a right-hand page, as a bound book does (adds blank pages)"})
    pdf_variant: str | None = field(default=None, metadata={"help": "WeasyPrint pdf_variant, e.g. pdf/ua-1",
                                                            "example": "pdf/ua-1"})


@dataclass(frozen=True, slots=True)
class ScormOptions:
    mode: str = field(default="single", metadata={"help": "one SCO for the whole course (single) or one per lesson "
                                                           "(multi)", "choices": ("single", "multi")})
    completion: str = field(default="all-lessons", metadata={
        "help": "when the course counts as completed: once every lesson was read to its end (all-lessons), each "
                "SCO on its own (each-lesson), once its questions are passed (quiz-passed), or read and passed: "
                "all-lessons-and-quiz-passed (docs/quiz.md)",
        "choices": ("all-lessons", "each-lesson", "quiz-passed", "all-lessons-and-quiz-passed")})
    lms: str = field(default="generic", metadata={
        "help": "the LMS the packages are for, its known quirks worked around: `exporter build --help` lists the "
                "names under --lms"})
    pass_mark: float | None = field(default=None, metadata={
        "help": "replaced by quiz.pass_mark (in percent); still read, as that many hundredths",
        "range": (0.0, 1.0), "type": float, "internal": True})


@dataclass(frozen=True, slots=True)
class QuizOptions:
    pass_mark: float | None = field(default=None, metadata={
        "help": "score in percent a learner needs to pass the questions (:::quiz): SCORM passed/failed and mastery "
                "score, the cmi5 masteryScore; unset: no pass/fail, the score is still reported (docs/quiz.md)",
        "range": (0.0, 100.0), "type": float, "example": 80})
    attempts: int = field(default=1, metadata={
        "help": "how many attempts a learner has: at each question (retry: question; after a wrong answer, 'Try "
                "again' is offered until they are used up) or at the whole quiz (retry: quiz)", "range": (1, 10)})
    retry: str = field(default="question", metadata={
        "help": "what a new attempt repeats: one question after a wrong answer (question), or every question of the "
                "quiz after an attempt that did not pass (quiz; each question is checked once per attempt)",
        "choices": ("question", "quiz")})


@dataclass(frozen=True, slots=True)
class CourseConfig:
    title: str = field(metadata={"help": "course title (cover, metadata)"})
    slug: str = field(metadata={"help": "ASCII id used for file names and package identifiers"})
    language: str = field(default="en", metadata={"help": "BCP 47 language of the course: en, fr, de, zh-Hans, ar..."})
    subtitle: str = field(default="", metadata={"help": "a line under the title on the covers",
                                                "example": "Week 1 workbook"})
    author: str = field(default="", metadata={"help": "who wrote the course: the PDF and EPUB author"})
    organisation: str = field(default="", metadata={"help": "who publishes it: the cover and the EPUB publisher",
                                                    "example": "Example Academy"})
    version: str = field(default="1.0", metadata={"help": "edition of the course: the cover and the SCORM metadata"})
    date: str = field(default="", metadata={"help": "publication date, YYYY-MM-DD: title pages and the EPUB date",
                                            "example": "2025-09-01"})
    description: str = field(default="", metadata={
        "help": "one or two sentences: the cover, the EPUB and SCORM descriptions",
        "example": "What the learner will be able to do."})
    logo: str | None = field(default=None, metadata={"help": "image path relative to the content root",
                                                     "example": "images/logo.png"})
    cover: str | None = field(default=None, metadata={
        "help": "EPUB cover image relative to the content root; one is drawn from the metadata when not given",
        "example": "images/cover.png"})
    modules: tuple[ModuleSpec, ...] = field(default=(), metadata={
        "help": "the outline: modules in order, each a title and its lesson files in order; without it, lessons "
                "are grouped by their `Week N` tags and ordered by file name"})
    pdf: PdfOptions = field(default=PdfOptions(), metadata={"help": "the printed workbook (PDF)"})
    scorm: ScormOptions = field(default=ScormOptions(), metadata={"help": "the LMS packages (SCORM 1.2 and 2004)"})
    quiz: QuizOptions = field(default=QuizOptions(), metadata={"help": "knowledge checks written as :::quiz "
                                                               "(docs/quiz.md)"})
    ui: tuple[tuple[str, str], ...] = field(default=(), metadata={
        "help": "exporter's own words (Contents, Notes, Next...) come in the course's language; replace any of "
                "them here, keyed by its English text, keeping its %(...)s placeholders (docs/themes.md)",
        "example": {"Notes": "My notes", "This workbook belongs to:": "Name:"}})
    from_file: bool = field(default=False, metadata={"help": "set when a course.yml was read (not a key)",
                                                     "internal": True})
    """True when these values come from a course.yml; diagnostics about them then point at that file."""

    @property
    def pass_fraction(self) -> float | None:
        """The pass mark from 0 to 1 (quiz.pass_mark in percent; the older scorm.pass_mark), None when unset: the
        one source for SCORM mastery scores, the runtime's passed/failed and cmi5's masteryScore."""
        if self.quiz.pass_mark is not None:
            return round(self.quiz.pass_mark / 100, 4)
        return self.scorm.pass_mark

    @property
    def listed_lessons(self) -> tuple[str, ...]:
        return tuple(path for module in self.modules for path in module.lessons)


def slugify(text: str, fallback: str = "course") -> str:
    """ASCII, lowercase, hyphen-separated; starts with a letter so it is a valid XML id."""
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if not slug:
        slug = fallback
    if not slug[0].isalpha():
        slug = f"{fallback[0]}-{slug}"
    return slug


def config_pos(config: CourseConfig) -> SourcePos | None:
    """Where a diagnostic about a course-wide value points: course.yml when there is one, else nowhere
    (a course without course.yml must not be told to fix `course.yml:1`)."""
    return SourcePos(CONFIG_NAME, 1) if config.from_file else None


def course_keys(options: type = None) -> list[dataclasses.Field]:
    """The keys an author may write in course.yml (top level, or of a section such as PdfOptions), in order."""
    return [spec for spec in dataclasses.fields(options or CourseConfig) if not spec.metadata.get("internal")]


def folder_title(root: Path) -> str:
    """The title of a course whose course.yml names none: its folder's name, as words."""
    return root.resolve().name.replace("-", " ").replace("_", " ").title()


def load_config(root: Path, reporter: Reporter) -> CourseConfig:
    """Read `root/course.yml` if there is one; report every problem; always return a usable config."""
    path = root / CONFIG_NAME
    raw: dict[str, Any] = {}
    if path.is_file():
        raw = _read_yaml(path, reporter)
    pos = SourcePos(CONFIG_NAME, 1)
    texts = {name: _text(raw, name, reporter, pos) for name in TEXT_KEYS}
    title = texts.pop("title") or folder_title(root)
    values: dict[str, Any] = {
        "title": title,
        "slug": slugify(texts.pop("slug") or title),
        "modules": _modules(raw.get("modules"), raw.get("lessons"), reporter, pos),
        "pdf": _options(PdfOptions, raw.get("pdf"), reporter, pos),
        "scorm": _options(ScormOptions, raw.get("scorm"), reporter, pos),
        "quiz": _options(QuizOptions, raw.get("quiz"), reporter, pos),
        "ui": ui_overrides(raw.get("ui"), reporter, pos),
        "from_file": path.is_file(),
    }
    values.update({name: text for name, text in texts.items() if text is not None})
    _old_pass_mark(values, reporter, pos)
    unknown = set(raw) - ({f.name for f in dataclasses.fields(CourseConfig)} - {"from_file"}) - {"lessons"}
    for key in sorted(unknown):
        reporter.warning(Code.CONFIG_INVALID, f"unknown key '{key}' in {CONFIG_NAME}; it is ignored", pos)
    return CourseConfig(**values)


TEXT_KEYS = ("title", "slug", "language", "subtitle", "author", "organisation", "version", "date", "description",
             "logo", "cover")


def _text(raw: dict[str, Any], name: str, reporter: Reporter, pos: SourcePos) -> str | None:
    """A course.yml value that must be text: numbers and dates are taken as written, lists and
    mappings are reported and ignored."""
    value = raw.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, (dict, list, set, tuple)):
        reporter.error(Code.CONFIG_INVALID, f"'{name}' in {CONFIG_NAME} must be text, not a "
                       f"{'list' if isinstance(value, (list, set, tuple)) else 'mapping'}; it is ignored", pos)
        return None
    return str(value)


def with_overrides(config: CourseConfig, **overrides: Any) -> CourseConfig:
    """Merge command-line options (None = not given) into the config, in one place. `language` is a
    catalog's per-course override."""
    scorm = {k: v for k, v in overrides.items() if k in ("mode", "completion", "lms") and v is not None}
    pdf = {k: v for k, v in overrides.items() if k in ("paper",) and v is not None}
    top = {k: v for k, v in overrides.items() if k in ("language",) and v is not None}
    return dataclasses.replace(
        config,
        **top,
        scorm=dataclasses.replace(config.scorm, **scorm),
        pdf=dataclasses.replace(config.pdf, **pdf),
    )


def _read_yaml(path: Path, reporter: Reporter) -> dict[str, Any]:
    try:
        if path.stat().st_size > MAX_CONFIG_BYTES:
            reporter.error(Code.CONFIG_INVALID, f"{CONFIG_NAME} is larger than {MAX_CONFIG_BYTES // 1000} KB; it "
                           "is not read", SourcePos(CONFIG_NAME, 1))
            return {}
        text = path.read_text(encoding="utf-8-sig")
        loaded = load_yaml(_without_control_characters(text, reporter))
    except yaml.YAMLError as exc:
        problem, line = problem_of(exc)
        reporter.error(Code.CONFIG_INVALID, f"{CONFIG_NAME} is not valid YAML: {problem}; fix it "
                       "or delete the file to use defaults", SourcePos(CONFIG_NAME, line + 1))
        return {}
    except UnicodeDecodeError:
        reporter.error(Code.CONFIG_INVALID, f"{CONFIG_NAME} is not UTF-8 text; save it as UTF-8",
                       SourcePos(CONFIG_NAME, 1))
        return {}
    except OSError as exc:
        reporter.error(Code.CONFIG_INVALID, f"{CONFIG_NAME} cannot be read: {exc.strerror}", SourcePos(CONFIG_NAME, 1))
        return {}
    for line in loaded.cleaned_lines[:1]:
        reporter.warning(Code.LOAD_CONTROL_CHARS, "a value holds control characters or invalid Unicode (an escape "
                         "such as \\x01 or \\ud800); they were removed", SourcePos(CONFIG_NAME, line))
    data = loaded.data
    if data is None:
        return {}
    if not isinstance(data, dict):
        reporter.error(Code.CONFIG_INVALID, f"{CONFIG_NAME} must be a mapping of keys to values",
                       SourcePos(CONFIG_NAME, 1))
        return {}
    return data


def _without_control_characters(text: str, reporter: Reporter) -> str:
    found = NOT_XML_CHARS.search(text)
    if found:
        line = text.count("\n", 0, found.start()) + 1
        reporter.warning(Code.LOAD_CONTROL_CHARS, "control characters removed: no output can carry them",
                         SourcePos(CONFIG_NAME, line))
    return NOT_XML_CHARS.sub("", text)


def _modules(modules: Any, lessons: Any, reporter: Reporter, pos: SourcePos) -> tuple[ModuleSpec, ...]:
    """`modules: [{title, lessons: [...]}]`, or a flat `lessons: [...]` as one untitled module."""
    if modules is None and lessons is None:
        return ()
    if modules is None:
        modules = [{"title": "", "lessons": lessons}]
    if not isinstance(modules, list):
        reporter.error(Code.CONFIG_INVALID, "'modules' must be a list of {title, lessons}", pos)
        return ()
    specs = []
    for index, module in enumerate(modules, 1):
        if not isinstance(module, dict) or not isinstance(module.get("lessons"), list):
            reporter.error(Code.CONFIG_INVALID, f"module {index} needs a 'lessons' list of file names", pos)
            continue
        paths = [p for p in module["lessons"] if isinstance(p, (str, int, float))]
        if len(paths) != len(module["lessons"]):
            reporter.error(Code.CONFIG_INVALID, f"module {index} lists something that is not a file name (a list "
                           "or mapping); it is ignored", pos)
        title = module.get("title")
        specs.append(ModuleSpec("" if title is None or isinstance(title, (dict, list)) else str(title),
                                tuple(str(p) for p in paths)))
    return tuple(specs)


def ui_overrides(raw: Any, reporter: Reporter, pos: SourcePos) -> tuple[tuple[str, str], ...]:
    """`ui: {English text: own text}`: only exporter's own messages, as text, with the same placeholders."""
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        reporter.error(Code.CONFIG_INVALID, "'ui' must be a mapping of exporter's English words to your own", pos)
        return ()
    known, pairs = source_messages(), []
    for message, text in raw.items():
        if str(message) not in known:
            reporter.warning(Code.CONFIG_INVALID, f"ui: '{str(message):.60}' is not one of exporter's own words; it "
                             "is ignored (the English texts are listed in exporter/i18n/locale/exporter.pot)", pos)
        elif not isinstance(text, (str, int, float)) or isinstance(text, bool) or str(text) == "":
            reporter.warning(Code.CONFIG_INVALID, f"ui: '{message}' must be given a text; it is ignored", pos)
        elif placeholders(str(text)) != placeholders(str(message)):
            reporter.warning(Code.CONFIG_INVALID, f"ui: '{message}' must keep the placeholders "
                             f"{', '.join(sorted(f'%({name})s' for name in placeholders(message))) or '(none)'}, "
                             "and no others; it is ignored", pos)
        else:
            pairs.append((str(message), str(text)))
    return tuple(sorted(pairs))


def _old_pass_mark(values: dict[str, Any], reporter: Reporter, pos: SourcePos) -> None:
    """`scorm.pass_mark` (0-1) came before quizzes; `quiz.pass_mark` (percent) is the one source now."""
    old, new = values["scorm"].pass_mark, values["quiz"].pass_mark
    if old is None:
        return
    if new is None:
        reporter.warning(Code.CONFIG_INVALID, f"scorm.pass_mark is replaced by quiz.pass_mark, in percent: write "
                         f"'quiz: {{pass_mark: {old * 100:g}}}' (it is used as {old * 100:g}% until then)", pos)
    else:
        reporter.warning(Code.CONFIG_INVALID, f"scorm.pass_mark ({old:g}) is ignored: quiz.pass_mark ({new:g}%) "
                         "sets the pass mark; remove scorm.pass_mark", pos)
        values["scorm"] = dataclasses.replace(values["scorm"], pass_mark=None)


def _options(cls: type, raw: Any, reporter: Reporter, pos: SourcePos) -> Any:
    if raw is None:
        return cls()
    if not isinstance(raw, dict):
        reporter.error(Code.CONFIG_INVALID, f"'{cls.__name__}' section must be a mapping", pos)
        return cls()
    fields = {f.name: f for f in dataclasses.fields(cls)}
    values = {}
    for key, value in raw.items():
        spec = fields.get(key)
        if spec is None:
            reporter.warning(Code.CONFIG_INVALID, f"unknown option '{key}'; known: {', '.join(fields)}", pos)
            continue
        problem = _option_problem(spec, value)
        if problem:
            reporter.error(Code.CONFIG_INVALID, f"'{key}' {problem}; the default is used", pos)
            continue
        values[key] = value
    return cls(**values)


def _option_problem(spec: dataclasses.Field, value: Any) -> str | None:
    """Why `value` cannot be option `spec` (its type is the default's, or metadata "type"; bool is no int),
    or None."""
    expected = spec.metadata.get("type") or (str if spec.default is None else type(spec.default))
    if not (type(value) is expected or expected is float and type(value) is int):
        return f"must be {_TYPE_NAMES[expected]}, not {value!r:.40}"
    choices = spec.metadata.get("choices")
    if choices and value not in choices:
        return f"must be one of {', '.join(choices)}, not {value!r:.40}"
    low, high = spec.metadata.get("range", (None, None))
    if low is not None and not low <= value <= high:
        return f"must be a number from {low:g} to {high:g}, not {value}"
    return None


_TYPE_NAMES = {str: "text", bool: "true or false", int: "a whole number", float: "a number"}
