"""The data that flows between stages: plain frozen dataclasses, no I/O.

Lesson bodies stay pandoc AST (JSON-shaped lists and dicts, pandoc-types 1.23): a documented,
closed set of node types. HackMD-only constructs are already pandoc Divs/Spans with a class
(`callout`, `embed`, `exercise`, `toc`, `spacer`) by the time a Lesson exists.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

if TYPE_CHECKING:
    from exporter.config import CourseConfig

Block = dict[str, Any]
"""One pandoc AST block, e.g. {"t": "Para", "c": [...]}."""


@dataclass(frozen=True, slots=True)
class SourcePos:
    path: str
    """Lesson path relative to the content root, POSIX separators (what messages print)."""
    line: int
    """1-based line in the original file."""
    end_line: int | None = None
    """Last line of the construct, when known."""

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True, slots=True)
class LessonSource:
    """A lesson file as read from disk, before any HackMD handling."""

    path: str
    """Relative to the content root, POSIX separators."""
    text: str
    """Decoded body with LF line ends. Front matter lines are blanked, not removed, so that
    line N of `text` is line N of the file (for newline-lost files, see `line_map`)."""
    front_matter: dict[str, Any]
    """Merged front matter: the author's block wins over HackMD's prepended block."""
    line_map: tuple[int, ...] | None = None
    """For a repaired file: original line of each line of `text` (index 0 = line 1). None = identity."""
    broken: bool = False
    """An error was reported for this file (its front matter is unusable): --skip-broken leaves it out."""
    lines: int = field(init=False, compare=False)
    """How many lines `text` has."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "lines", self.text.count("\n") + 1)

    def original_line(self, line: int) -> int:
        """Map a line of `text` (or of a rewrite of it that added lines at its end, such as closers of
        blocks left open) back to a line of the file: never outside it."""
        line = min(max(line, 1), self.lines)
        if self.line_map is None:
            return line
        if not self.line_map:
            return 1
        return self.line_map[min(line, len(self.line_map)) - 1]


@dataclass(frozen=True, slots=True)
class Loss:
    """Something of a lesson no format carries (a <style> block, a script, a diagram shown as its source):
    a fact the loss report lists, kept on the lesson by the stage that dropped it."""

    line: int
    what: str


@dataclass(frozen=True, slots=True)
class Heading:
    level: int
    text: str
    id: str
    """Unique across the course, stable across builds, valid as an XML id."""
    line: int


@dataclass(frozen=True, slots=True)
class Choice:
    """One answer a learner may pick in a choice question."""

    key: str
    """'a', 'b'... ('true'/'false' in a true-false question): the value SCORM reports, ASCII."""
    text: str
    """The choice's words as plain text (LMS reports, the answer key)."""
    correct: bool


@dataclass(frozen=True, slots=True)
class Question:
    """A `:::quiz` block: what every format needs to ask it and score it (its words are in the body too)."""

    id: str
    """The interaction id: `<lesson slug>-q<position>` or `<lesson slug>-<explicit id>`; ASCII, stable."""
    kind: str
    """'choice' (one right answer), 'multiple' (several), 'true-false' or 'fill-in'."""
    prompt: str
    """The question as plain text (the SCORM 2004 description, the answer key)."""
    line: int
    """Source line of the `:::quiz` opener."""
    title: str = ""
    weight: int = 1
    choices: tuple[Choice, ...] = ()
    answers: tuple[str, ...] = ()
    """Accepted answers of a fill-in question, as written (matched ignoring case and surrounding spaces)."""
    explanation: str = ""
    """Plain text of the explanation shown after answering ('' when none)."""

    @property
    def element_id(self) -> str:
        """The id of the question's element in every output (`exporter-` ids are exporter's alone)."""
        return f"exporter-quiz-{self.id}"

    @property
    def correct_keys(self) -> tuple[str, ...]:
        return tuple(choice.key for choice in self.choices if choice.correct)


@dataclass(frozen=True, slots=True)
class Lesson:
    slug: str
    """Unique across the course, valid as an XML id, stable across builds (from the file name)."""
    title: str
    source: str
    """Path relative to the content root."""
    body: tuple[Block, ...]
    """Pandoc AST blocks; Header ids are already course-unique."""
    block_lines: tuple[int, ...]
    """Source line of each top-level block of `body`."""
    headings: tuple[Heading, ...]
    tags: tuple[str, ...] = ()
    lang: str | None = None
    """BCP 47 language of the lesson, when it differs from the course's or is set explicitly."""
    dir: str | None = None
    """'rtl' or 'ltr' when set in front matter or implied by the language."""
    meta: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    """Remaining front matter (description, author...)."""
    broken: bool = False
    """An error was reported for this lesson: the build stops, or --skip-broken leaves it out."""
    losses: tuple[Loss, ...] = ()
    """What every format lost of this lesson, in line order."""
    questions: tuple[Question, ...] = ()
    """The lesson's `:::quiz` questions in reading order (their bodies are `div.quiz` in `body`)."""
    media_blocks: tuple[int, ...] | None = None
    """Which top-level blocks of `body` may hold an image, raw HTML or an embed (`ast.may_hold_media`), found
    when normalize built the lesson and cached with it, so that the assets stage of a warm build looks
    inside those blocks alone without scanning the others again; None: not known, every block is scanned."""

    @property
    def pos(self) -> SourcePos:
        return SourcePos(self.source, 1)


@dataclass(frozen=True, slots=True)
class Module:
    id: str
    title: str
    lessons: tuple[Lesson, ...]


@dataclass(frozen=True, slots=True)
class Course:
    """The one tree every format is exported from."""

    config: "CourseConfig"
    modules: tuple[Module, ...]
    broken: tuple[str, ...] = ()
    """Lesson paths that had errors (refused, unreadable, unusable front matter, an image outside the
    folder...): facts the stages return, so the build knows what --skip-broken leaves out."""

    @property
    def lessons(self) -> tuple[Lesson, ...]:
        return tuple(lesson for module in self.modules for lesson in module.lessons)

    def without(self, sources: set[str]) -> "Course":
        """The same course with the lessons from `sources` left out (and modules left empty by that)."""
        modules = tuple(replace(module, lessons=tuple(lesson for lesson in module.lessons
                                                      if lesson.source not in sources))
                        for module in self.modules)
        return replace(self, modules=tuple(module for module in modules if module.lessons),
                       broken=tuple(path for path in self.broken if path not in sources))

    def with_losses(self, found: dict[str, tuple[Loss, ...]]) -> "Course":
        """The same course, the losses a later stage found (lesson path -> losses) added to its lessons',
        in line order: what the loss report reads."""
        def extended(lesson: Lesson) -> Lesson:
            more = found.get(lesson.source, ())
            return replace(lesson, losses=tuple(sorted((*lesson.losses, *more), key=lambda loss: loss.line))
                           ) if more else lesson
        return replace(self, modules=tuple(replace(module, lessons=tuple(extended(lesson) for lesson in module.lessons))
                                           for module in self.modules))

    def with_broken(self, paths: Iterable[str]) -> "Course":
        """The same course, `paths` added to its broken lessons."""
        return replace(self, broken=tuple(sorted({*self.broken, *paths})))

    def module_titles(self) -> dict[str, str]:
        """lesson slug -> the title of its module ('' for a module without one)."""
        return {lesson.slug: module.title for module in self.modules for lesson in module.lessons}


@dataclass(frozen=True, slots=True)
class Asset:
    """One local file an output may embed: an image, a thumbnail or a derived variant of one."""

    key: str
    """Package-relative path every format uses for it, e.g. 'assets/3f2a9c….png' (content-addressed)."""
    path: Path
    """The file on disk (cache or content folder)."""
    media_type: str
    origin: str
    """Where it came from: a URL, a content-relative path, or 'generated'."""
    width: int | None = None
    height: int | None = None
    variants: tuple[tuple[str, str], ...] = ()
    """(profile, key of another asset in the manifest): e.g. ('screen', 'assets/….png') is a
    down-scaled or converted copy for EPUB/SCORM. No entry: the asset itself suits that profile."""


@dataclass(frozen=True, slots=True)
class AssetNote:
    """Something the assets stage could not carry as written, for the loss report."""

    kind: str
    """'missing' (placeholder), 'refused' (outside the content folder), 'invalid', 'converted',
    'downscaled', 'no-thumbnail'."""
    source: str
    """Lesson path relative to the content root."""
    line: int
    detail: str


@dataclass(frozen=True, slots=True)
class AssetManifest:
    """Every file the rendered lessons may reference, by key. Nothing outside it reaches an output."""

    assets: tuple[Asset, ...] = ()
    lock: tuple[tuple[str, str, str], ...] = ()
    """(URL, sha256 of the fetched bytes, media type) for every remote image used, sorted by URL:
    what the course's lockfile should hold after this build."""
    lock_changed: bool = False
    """True when `lock` differs from the lockfile on disk (a fetch learned something new)."""
    notes: tuple[AssetNote, ...] = ()
    _by_key: dict[str, Asset] = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)
    _files: dict[str, tuple[Asset, ...]] = field(default_factory=dict, init=False, repr=False, compare=False,
                                                 hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_key", {a.key: a for a in self.assets})

    def get(self, key: str) -> Asset | None:
        return self._by_key.get(key)

    def for_profile(self, key: str, profile: str) -> Asset | None:
        """The asset to ship under `profile` ('screen' for EPUB/SCORM, 'print' for PDF) for `key`."""
        asset = self.get(key)
        if asset is None:
            return None
        variant = dict(asset.variants).get(profile)
        return self.get(variant) if variant else asset

    def files_for(self, profile: str) -> tuple[Asset, ...]:
        """The assets a format of that profile ships: originals, or their variant when one exists (worked out
        once per profile: every lesson's screen page asks)."""
        if profile not in self._files:
            variant_keys = {k for a in self.assets for _, k in a.variants}
            chosen = {self.for_profile(a.key, profile) for a in self.assets if a.key not in variant_keys}
            self._files[profile] = tuple(sorted((a for a in chosen if a is not None), key=lambda a: a.key))
        return self._files[profile]


@dataclass(frozen=True, slots=True)
class RenderedDoc:
    name: str
    """Path inside the output, e.g. 'lessons/intro.xhtml'."""
    title: str
    content: str
    lang: str | None = None
    """Language of this page when it differs from the course's."""
    features: tuple[str, ...] = ()
    """What a package must declare about the page: 'mathml', 'svg'..."""


@dataclass(frozen=True, slots=True)
class NavPoint:
    """One entry of a format's table of contents: module, lesson or heading."""

    title: str
    href: str
    children: tuple["NavPoint", ...] = ()


@dataclass(frozen=True, slots=True)
class ShapedBook:
    """A format's output, shaped and checked: everything its packager serializes. Every diagnostic about it
    has been raised by the time it exists, so the build can decide to write or not before any packaging."""

    format: str
    course: Course
    documents: tuple[RenderedDoc, ...]
    """Pages in reading order."""
    resources: tuple[tuple[str, bytes | Path], ...] = ()
    """(path inside the output, bytes): CSS, scripts, fonts; figures as their files, read only when the output
    is written (a 400-lesson course's figures are 120 MB: never all held in memory)."""
    toc: tuple[NavPoint, ...] = ()
    """Navigation for formats that carry their own (EPUB nav and NCX)."""
    laid_out: bytes | Path | None = None
    """The PDF, laid out: layout is where WeasyPrint reports problems, so it belongs to shaping. While a build
    spools (spool.py), the file it was saved to."""


@dataclass(frozen=True, slots=True)
class Artifact:
    """One output of a build, serialized and not yet written: a file, or a folder of files."""

    name: str
    """File or folder name inside the output folder, e.g. 'course.epub'."""
    data: bytes | None = None
    """A file's bytes."""
    members: tuple[tuple[str, bytes], ...] = ()
    """A folder's files (relative path, bytes), when `data` is None."""
    spooled: Path | None = None
    """A file's bytes written to this temporary file instead of held in memory (`build` spools large
    outputs as they are packaged: see exporter/spool.py); `data` is then None."""
