"""Stage 2, normalize: LessonSource[] -> Course, the one tree every format is exported from."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Callable, Mapping, TypeVar

from exporter import ast, pandoc
from exporter.cache import BuildCache
from exporter.config import CourseConfig
from exporter.diagnostics import Code, Diagnostic, Reporter
from exporter.guard import LessonFailed, lesson_guard
from exporter.model import Block, Course, Lesson, LessonSource, SourcePos
from exporter.normalize.hackmd import rewrite
from exporter.normalize.outline import build_outline
from exporter.normalize.tree import build_lesson, split_by_input, unique_slug

Parsed = dict[int, list[tuple[int, Block]]]
T = TypeVar("T")


def normalize(sources: list[LessonSource], config: CourseConfig, reporter: Reporter,
              cache: BuildCache | None = None, jobs: int | None = None) -> Course:
    """Rewrite HackMD syntax per lesson, parse the lessons the cache does not hold (one pandoc read per
    chunk of READ_CHUNK_BYTES: one for a course of 100 lessons), build the tree. A lesson the cache holds
    whole (its file unchanged, the same slug) skips all three; its warnings are said again where a cold
    build says them, so a warm build prints what a cold one does.
    `jobs`: pandoc processes a large course's read may be split across (None: the machine's cores)."""
    cache = cache or BuildCache(None)
    slugs = _slugs(sources)
    keys = [_lesson_key(cache, source, slug) for source, slug in zip(sources, slugs)]
    stored: list[StoredLesson | None] = [cache.get(key) for key in keys]
    said = [Reporter() for _ in sources]
    rewritten = []
    for source, hit, own in zip(sources, stored, said):
        if hit:
            reporter.extend(hit.rewrite_said)
            rewritten.append(None)
        else:
            rewritten.append(_guarded(source, own, "rewriting", lambda s=source, r=own: rewrite(s, r)))
            reporter.extend(own.diagnostics)
    lessons: list[Lesson] = []
    taken: set[str] = set()
    unreadable: set[int] = set()
    for chunk in _chunks(sources):
        todo = [i for i in chunk if not stored[i]]
        parsed, parse_said, chunk_unreadable = _parse_cached(
            sources, {i: rewritten[i].text if rewritten[i] else "" for i in todo}, todo,
            {i: stored[i].parse_said for i in chunk if stored[i]}, reporter, cache, jobs or os.cpu_count() or 1)
        unreadable |= chunk_unreadable
        for index in chunk:
            lesson = _built(index, sources[index], stored[index], rewritten[index], parsed, parse_said, said[index],
                            index in unreadable, config, taken, keys[index], cache, reporter)
            taken.add(lesson.slug)
            lessons.append(lesson)
        del parsed  # pandoc's tree of this chunk: the next chunk's takes its memory
    broken = [lesson.source for lesson in lessons if lesson.broken] + [sources[i].path for i in unreadable]
    return Course(config=config, modules=build_outline(lessons, config)).with_broken(broken)


READ_CHUNK_BYTES = 1_000_000
"""Lessons are read and built a chunk of about this much Markdown at a time: pandoc's tree of a lesson, with
a position on every element, takes about eighty times its Markdown in memory, and held whole for a 400-lesson
course (3.5 MB) it was 280 MB of the build's peak, plus as much in pandoc itself. A chunk still goes to
pandoc in one read (split across processes: pandoc.PARALLEL_READ_BYTES), so a 100-lesson course is one chunk."""


def _chunks(sources: list[LessonSource]) -> list[list[int]]:
    """Consecutive lesson indices in runs of about READ_CHUNK_BYTES of Markdown (in order: slugs are taken
    in reading order)."""
    chunks: list[list[int]] = [[]]
    size = 0
    for index, source in enumerate(sources):
        if chunks[-1] and size + len(source.text) > READ_CHUNK_BYTES:
            chunks.append([])
            size = 0
        chunks[-1].append(index)
        size += len(source.text)
    return chunks


def _built(index: int, source: LessonSource, stored: "StoredLesson | None", rewritten, parsed: Parsed,
           parse_said: dict[int, tuple[Diagnostic, ...]], said: Reporter, unreadable: bool, config: CourseConfig,
           taken: set[str], key: str, cache: BuildCache, reporter: Reporter) -> Lesson:
    """Lesson `index` from the cache, or built from its parse (and then stored), or an empty broken one."""
    lesson = stored.lesson if stored else None
    if lesson:
        reporter.extend(stored.build_said)
    else:
        built = Reporter()
        lesson = rewritten and _guarded(source, built, "normalizing", lambda: build_lesson(
            source, rewritten, parsed[index], config, taken, built))
        reporter.extend(built.diagnostics)
        if lesson and not unreadable:
            cache.put(key, StoredLesson(lesson, tuple(said.diagnostics), parse_said.get(index, ()),
                                        tuple(built.diagnostics)))
    return lesson or _failed_lesson(source, taken, reporter)


@dataclass(frozen=True)
class StoredLesson:
    """A lesson as normalize built it, with what each of its steps said (replayed in the step's turn)."""

    lesson: Lesson
    rewrite_said: tuple[Diagnostic, ...]
    parse_said: tuple[Diagnostic, ...]
    build_said: tuple[Diagnostic, ...]


def _slugs(sources: list[LessonSource]) -> list[str]:
    """Each lesson's slug, as the build below gives it (a slug depends on the file's path and the slugs
    taken before it): part of the lesson's key, since a renamed neighbour can change it."""
    taken: set[str] = set()
    slugs = []
    for source in sources:
        slugs.append(unique_slug(source.path, taken, Reporter()))
        taken.add(slugs[-1])
    return slugs


def _lesson_key(cache: BuildCache, source: LessonSource, slug: str) -> str:
    """Everything a lesson's normalized form depends on: its file as read, its slug, pandoc and its reader
    (and, as in every key, exporter's own code). Not course.yml: it is applied after."""
    return cache.key("lesson", pandoc.version(), pandoc.READER, source.path, source.text,
                     repr(source.front_matter), repr(source.line_map), str(source.broken), slug)


def _guarded(source: LessonSource, reporter: Reporter, stage: str, work: Callable[[], T]) -> T | None:
    """`work()` for one lesson; None, with one error naming the lesson, if it trips a bug of ours."""
    try:
        with lesson_guard(source.path, stage):
            return work()
    except LessonFailed as failure:
        reporter.error(Code.LESSON_FAILED, str(failure), SourcePos(source.path, 1))
        return None


def _failed_lesson(source: LessonSource, taken: set[str], reporter: Reporter) -> Lesson:
    """An empty, broken lesson standing for one that could not be normalized (the build stops on it, or
    --skip-broken leaves it out)."""
    slug = unique_slug(source.path, taken, reporter)
    return Lesson(slug=slug, title=source.path, source=source.path, body=(), block_lines=(), headings=(),
                  broken=True)


def _parse_cached(sources: list[LessonSource], texts: Mapping[int, str], todo: list[int],
                  known: dict[int, tuple[Diagnostic, ...]], reporter: Reporter, cache: BuildCache,
                  jobs: int = 1) -> tuple[Parsed, dict[int, tuple[Diagnostic, ...]], set[int]]:
    """`_parse` of the lessons `todo`, through the cache: a lesson's blocks depend only on its own rewritten
    text (the canary makes even its warnings independent of the lessons read with it), so each is stored
    with the warnings it gave, and said again when it comes from there. `known`: what the lessons not to
    parse said when they were (said again in their turn). Returns the blocks, what each lesson's parse
    said, and the unreadable lessons. Failures are not stored: a time limit depends on the machine."""
    keys = {index: cache.key("parse", pandoc.version(), pandoc.READER, sources[index].path,
                             repr(sources[index].line_map), texts[index]) for index in todo}
    result: Parsed = {}
    said = dict(known)
    missing = []
    for index in sorted([*todo, *known]):
        found = cache.get(keys[index]) if index in keys else None
        if index in known:
            reporter.extend(known[index])
        elif found is None:
            missing.append(index)
        else:
            result[index], said[index] = found
            reporter.extend(said[index])
    unreadable: set[int] = set()
    if missing:
        fresh = Reporter()
        parsed, unreadable = _parse(sources, texts, missing, fresh, jobs)
        result.update(parsed)
        reporter.extend(fresh.diagnostics)
        for index in missing:
            said[index] = tuple(d for d in fresh.diagnostics if d.pos and d.pos.path == sources[index].path)
        for index in set(missing) - unreadable:
            cache.put(keys[index], (result[index], said[index]))
    return result, said, unreadable


CANARY = "exporter-end-of-lesson-5e3b9f1c"
"""A paragraph put after each lesson in a shared pandoc read: a lesson that leaves something open (an HTML
comment, a processing instruction) swallows its own canary, so it is found whatever lessons follow it."""


def _parse(sources: list[LessonSource], texts: Mapping[int, str], indices: list[int],
           reporter: Reporter, jobs: int = 1) -> tuple[Parsed, set[int]]:
    """Parse `indices` in one pandoc call (a well-formed course takes exactly one; a large one, `jobs` calls
    running at once). A call that passes its time, memory or depth bound is bisected until the lesson(s)
    responsible are found and named; a lesson that leaves something open is read again on its own, and
    lessons it swallowed again without it.
    A work list, not recursion: neither may depend on how many lessons misbehave."""
    result: Parsed = {}
    unreadable: set[int] = set()
    pending = [(indices, True)]
    while pending:
        batch, canaries = pending.pop()
        try:
            blocks = pandoc.read_lessons([f"{texts[i]}\n\n{CANARY}" if canaries else texts[i] for i in batch], jobs)
        except pandoc.PandocFailed as failure:
            if len(batch) == 1:
                _report_unreadable(sources[batch[0]], failure, reporter)
                result[batch[0]] = []
                unreadable.add(batch[0])
            else:
                pending += [(batch[len(batch) // 2:], canaries), (batch[:len(batch) // 2], canaries)]
            continue
        parsed, again = _split(sources, batch, blocks, canaries, reporter)
        result.update(parsed)
        pending += again
    return result, unreadable


_WHY = {
    "time": "pandoc did not finish reading it in time",
    "memory": "pandoc ran out of its memory allowance reading it",
    "depth": "its quotes, lists or inline formatting nest deeper than exporter reads",
    "error": "pandoc could not read it",
}
_HINT = {
    "time": "look for a footnote that refers to itself or another footnote (also inside > quotes or lists)",
    "memory": "split a very large lesson, or look for a footnote that refers to itself or another footnote "
              "(also inside > quotes or lists)",
    "depth": "flatten the nesting (a few levels of > or list indentation are plenty)",
    "error": "please report this with the lesson attached",
}


def _report_unreadable(source: LessonSource, failure: pandoc.PandocFailed, reporter: Reporter) -> None:
    """One error naming the lesson; its body is left empty (and --skip-broken leaves it out)."""
    reporter.error(Code.HACKMD_TOO_DEEP if failure.kind == "depth" else Code.PANDOC_FAILED,
                   f"{source.path} cannot be read: {_WHY[failure.kind]} ({failure}); {_HINT[failure.kind]}",
                   SourcePos(source.path, 1))


def _split(sources: list[LessonSource], batch: list[int], blocks: list[Block], canaries: bool,
           reporter: Reporter) -> tuple[Parsed, list[tuple[list[int], bool]]]:
    """Blocks per lesson, and the batches to read again. pandoc concatenates its inputs, so a construct
    left open in one lesson swallows its canary (and maybe the lessons after it): that lesson is read on
    its own, the lessons it swallowed without it, and the author is told."""
    per_lesson = split_by_input(blocks, len(batch))
    culprits: set[int] = set()
    for k in range(len(batch) if canaries else 0):
        if per_lesson[k] and ast.plain_text(per_lesson[k][-1][1]).strip() == CANARY:
            per_lesson[k].pop()
        elif per_lesson[k] or not culprits:  # a lesson with no blocks at all was swallowed whole
            culprits.add(k)
    # What follows a culprit may have lost its start to it: read again, without the culprits.
    victims = set(range(min(culprits) + 1, len(batch))) - culprits if culprits else set()
    parsed = {batch[k]: per_lesson[k] for k in range(len(batch)) if k not in victims and k not in culprits}
    for k in sorted(culprits):
        source = sources[batch[k]]
        last = per_lesson[k][-1][0] if per_lesson[k] else 1  # closers hackmd.py added lie past the end
        line = source.original_line(min(last, source.text.count("\n") + 1))
        reporter.warning(Code.HACKMD_UNCLOSED_CONTAINER, f"something opened near line {line} of {source.path} is "
                         "never closed (an HTML comment, or raw HTML such as <pre>?); it would swallow what "
                         "follows it, so this lesson was read on its own. Close it", SourcePos(source.path, line))
    again = [([batch[k]], False) for k in sorted(culprits)]
    rest = [batch[k] for k in sorted(victims - culprits)]
    return parsed, again + ([(rest, True)] if rest else [])
