"""course.yml -> CourseConfig: one frozen dataclass, validated once, all problems reported together."""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from exporter.diagnostics import Code, Reporter
from exporter.model import SourcePos

CONFIG_NAME = "course.yml"


@dataclass(frozen=True, slots=True)
class ModuleSpec:
    title: str
    lessons: tuple[str, ...]
    """Lesson paths relative to the content root, in order."""


@dataclass(frozen=True, slots=True)
class PdfOptions:
    paper: str = field(default="A4", metadata={"help": "A4 or Letter", "choices": ("A4", "Letter")})
    notes: bool = field(default=True, metadata={"help": "a ruled Notes page after each lesson"})
    notes_lines: int = field(default=14, metadata={"help": "ruled lines on each Notes page"})
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
        "help": "when the course counts as completed: once every lesson was read to its end (all-lessons), or each "
                "SCO on its own (each-lesson)",
        "choices": ("all-lessons", "each-lesson")})
    lms: str = field(default="generic", metadata={
        "help": "the LMS the packages are for, its known quirks worked around: `exporter build --help` lists the "
                "names under --lms"})


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
    title = str(raw.get("title") or folder_title(root))
    values: dict[str, Any] = {
        "title": title,
        "slug": slugify(str(raw.get("slug") or raw.get("title") or root.resolve().name)),
        "modules": _modules(raw.get("modules"), raw.get("lessons"), reporter, pos),
        "pdf": _options(PdfOptions, raw.get("pdf"), reporter, pos),
        "scorm": _options(ScormOptions, raw.get("scorm"), reporter, pos),
    }
    for name in ("language", "subtitle", "author", "organisation", "version", "date", "description", "logo", "cover"):
        if raw.get(name) is not None:
            values[name] = str(raw[name])
    unknown = set(raw) - {f.name for f in dataclasses.fields(CourseConfig)} - {"lessons"}
    for key in sorted(unknown):
        reporter.warning(Code.CONFIG_INVALID, f"unknown key '{key}' in {CONFIG_NAME}; it is ignored", pos)
    return CourseConfig(**values)


def with_overrides(config: CourseConfig, **overrides: Any) -> CourseConfig:
    """Merge command-line options (None = not given) into the config, in one place."""
    scorm = {k: v for k, v in overrides.items() if k in ("mode", "completion", "lms") and v is not None}
    pdf = {k: v for k, v in overrides.items() if k in ("paper",) and v is not None}
    return dataclasses.replace(
        config,
        scorm=dataclasses.replace(config.scorm, **scorm),
        pdf=dataclasses.replace(config.pdf, **pdf),
    )


def _read_yaml(path: Path, reporter: Reporter) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", 0) + 1
        reporter.error(Code.CONFIG_INVALID, f"{CONFIG_NAME} is not valid YAML: {_yaml_problem(exc)}; fix it "
                       "or delete the file to use defaults", SourcePos(CONFIG_NAME, line))
        return {}
    except UnicodeDecodeError:
        reporter.error(Code.CONFIG_INVALID, f"{CONFIG_NAME} is not UTF-8 text; save it as UTF-8",
                       SourcePos(CONFIG_NAME, 1))
        return {}
    if data is None:
        return {}
    if not isinstance(data, dict):
        reporter.error(Code.CONFIG_INVALID, f"{CONFIG_NAME} must be a mapping of keys to values",
                       SourcePos(CONFIG_NAME, 1))
        return {}
    return data


def _yaml_problem(exc: yaml.YAMLError) -> str:
    return str(getattr(exc, "problem", None) or exc).split("\n")[0]


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
        specs.append(ModuleSpec(str(module.get("title") or ""), tuple(str(p) for p in module["lessons"])))
    return tuple(specs)


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
        choices = spec.metadata.get("choices")
        if choices and value not in choices:
            reporter.error(Code.CONFIG_INVALID, f"'{key}' must be one of {', '.join(choices)}, not {value!r}", pos)
            continue
        values[key] = value
    return cls(**values)
