"""The one place that runs pandoc: every lesson in one read, the whole course in one write.

Pandoc comes from the pypandoc-binary wheel. One process per direction for the whole course,
not one per lesson: pandoc's start-up (mostly the highlighter) dominates small files, and
DESIGN.md measured 100 lessons at 1.9 s in one call against 22.5 s one call each.

Lessons are untrusted, so every call is bounded: in time, in heap, and in how deep the tree it
returns may nest. A call that passes a bound raises `PandocFailed` with what happened in our own
words (pandoc's stderr never reaches the user); the normalize stage then finds the lesson.
"""
from __future__ import annotations

import functools
import importlib.util
import json
import os
import re
import resource
import secrets
import select
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from exporter.errors import ExportError
from exporter.model import Block

# HackMD: CommonMark + GFM-ish extensions, a hard break at every newline, bare URLs linked.
# Header ids are made by the tree (per lesson, stable), not by pandoc (course-wide, order dependent).
READER = "commonmark_x+sourcepos+hard_line_breaks+autolink_bare_uris-gfm_auto_identifiers-yaml_metadata_block"
API_VERSION = [1, 23, 1, 1]

_RUN = secrets.token_hex(6)
"""Part of every input name of this process. pandoc writes the name into each `data-pos`; a lesson can
write a `data-pos` attribute of its own too, but cannot guess this, so positions cannot be forged."""
POSITION = re.compile(rf"^L(\d{{5}})-{_RUN}\.md@(\d+):\d+")
"""A `data-pos` value pandoc wrote: input index and line."""
_LEAF_WRAPPER = re.compile(
    r'\{"t":"Span","c":\[\["",\[\],\[\["wrapper","1"\],\["data-pos","'
    rf'(?:L\d{{5}}-{_RUN}\.md@[^"\\]*)?"\]\]\],'
    r'\[(\{"t":"(?:Str","c":"(?:[^"\\]|\\.)*"|Space"|SoftBreak"|LineBreak")\})\]\]\}')
"""sourcepos wraps every word, space and line break in a Span of its own that only says where it is (and
normalize unwraps them all: it keeps lines on blocks and elements with attributes). Unwrapped in pandoc's
JSON text, before it is decoded, the course tree is a fifth of the size: 21 MB of JSON become 4 MB for 100
lessons, which `json.loads` and every later walk no longer pay for. Only a wrapper around one leaf, whose
position is pandoc's own (this run's input name) or empty (a line break's), is matched: exactly the
wrappers `normalize.tree._strip_positions` would unwrap, with the same result. Inside a JSON string every
quote is escaped, so no lesson text can look like one."""


@dataclass(frozen=True, slots=True)
class Limits:
    """Caps for one pandoc call, in proportion to its input. Measured on this project's sample courses
    repeated to 400 lessons (3.5 MB of Markdown): the read takes 6.5 s of CPU and 714 MB of heap, the write
    of the same course (17 MB of JSON) 5.5 s of CPU and 473 MB. The caps are about five times that for a
    course that size, and shrink with the input, so a bisection over a course's halves ends quickly.
    Time is CPU time (RLIMIT_CPU): a machine busy with other work slows pandoc down but does not make it
    fail; the wall clock only guards against a pandoc that waits on nothing."""

    base_seconds: float
    seconds_per_mb: float
    base_heap_mb: int
    heap_mb_per_mb: int
    max_heap_mb: int = 4096

    def for_size(self, size_bytes: int) -> tuple[float, int]:
        mb = size_bytes / 1e6
        fixed = os.environ.get("EXPORTER_PANDOC_TIMEOUT")  # seconds, for a slower machine (or a test)
        return (float(fixed) if fixed else self.base_seconds + self.seconds_per_mb * mb,
                min(self.max_heap_mb, int(self.base_heap_mb + self.heap_mb_per_mb * mb)))


READ_LIMITS = Limits(base_seconds=10, seconds_per_mb=6, base_heap_mb=512, heap_mb_per_mb=400)
WRITE_LIMITS = Limits(base_seconds=10, seconds_per_mb=1.5, base_heap_mb=512, heap_mb_per_mb=60)
MAX_JSON_DEPTH = 300
"""Nesting of the JSON pandoc returns (a real course: 40). The tree is walked recursively downstream, and
HTML deeper than 256 elements is more than libxml2 reads; 200 nested `>` would be about 1,000."""


class PandocFailed(ExportError):
    """pandoc could not do its work within the limits; `kind` is 'time', 'memory', 'depth' or 'error'."""

    def __init__(self, kind: str, message: str) -> None:
        self.kind = kind
        super().__init__(message)


def input_name(index: int) -> str:
    """Name under which lesson number `index` is handed to pandoc (and comes back in data-pos)."""
    return f"L{index:05d}-{_RUN}.md"


PARALLEL_READ_BYTES = 200_000
"""Below this much Markdown one pandoc read is best: a second process costs its start-up and gains little.
(100 lessons of 5 KB, 500 KB: one read takes 1.7 s of CPU; split in two, each half runs on its own core.)"""


def read_lessons(texts: list[str], jobs: int = 1) -> list[Block]:
    """Parse every lesson, in one pandoc call (or, for a large course and `jobs` > 1, in as many calls
    running at once, each on a contiguous run of lessons); blocks carry data-pos 'L00001-….md@line:col-...'
    with the lesson's index in `texts`, whichever call read it."""
    with tempfile.TemporaryDirectory(prefix="exporter-") as tmp:
        names, sizes = [], []
        for index, text in enumerate(texts):
            name = input_name(index)
            # A blank line between files is pandoc's own rule; a trailing newline keeps the last line whole.
            data = (text + "\n").encode("utf-8", "surrogatepass")
            Path(tmp, name).write_bytes(data)
            names.append(name)
            sizes.append(len(data))
        if not names:
            return []
        runs = _contiguous_runs(sizes, jobs if sum(sizes) >= PARALLEL_READ_BYTES else 1)
        calls = [(["-f", READER, "-t", "json", *names[start:end]], READ_LIMITS.for_size(sum(sizes[start:end])))
                 for start, end in runs]
        outputs = [_run(*calls[0], cwd=tmp)] if len(calls) == 1 else _run_at_once(calls, tmp)
    return [block for output in outputs for block in _loads(_unwrapped(output))["blocks"]]


def _unwrapped(output: str) -> str:
    """pandoc's JSON with every leaf wrapper (`_LEAF_WRAPPER`) replaced by its leaf. Split on the pattern
    (its one group, the leaf, kept between the pieces) and joined: all in C, twice as fast as `sub` with a
    template, which Python 3.11 expands in Python for each of a course's 150,000 wrappers (0.09 s)."""
    return "".join(_LEAF_WRAPPER.split(output))


def _contiguous_runs(sizes: list[int], parts: int) -> list[tuple[int, int]]:
    """[start, end) index ranges cutting `sizes` into at most `parts` runs of about equal total."""
    total, runs, start, acc = sum(sizes), [], 0, 0
    for index, size in enumerate(sizes):
        acc += size
        if len(runs) < parts - 1 and acc >= total * (len(runs) + 1) / parts and index + 1 < len(sizes):
            runs.append((start, index + 1))
            start = index + 1
    return runs + [(start, len(sizes))]


WRITE_ARGS = ["-f", "json", "-t", "html5", "--mathml", "--wrap=none", "--reference-location=block"]
"""Notes go right after the top-level block that calls them (for us: the lesson), not after the whole
course, so each lesson keeps its own (and a write may be split between lessons)."""
PARALLEL_WRITE_BYTES = 1_000_000
"""Below this much JSON (about 25 lessons) one pandoc write is best; above it, with `jobs` > 1, the lessons
are written by as many pandoc processes at once, each a contiguous run of them (100 lessons: 1.7 s of CPU
in one write)."""
WRITE_CHUNK_BYTES = 2_000_000
"""Most JSON one pandoc write is given (about 50 lessons): pandoc holds some 40 times its input while it
writes, so a 400-lesson course (15 MB) is written in runs of this size, `jobs` at a time (two processes of
325 MB each were the build's peak before)."""


def write_html(blocks: list[Block], jobs: int = 1) -> str:
    """One HTML5 fragment for the given blocks (MathML for math, pandoc's highlighting classes); footnotes
    follow each top-level block as `aside.footnotes`. What pandoc numbers across a write (notes, code
    blocks) restarts in each process of a split write: the render stage numbers them per lesson."""
    parts = [json.dumps(block) for block in blocks]
    total = sum(len(part) for part in parts)
    at_once = jobs if total >= PARALLEL_WRITE_BYTES else 1
    runs = _contiguous_runs([len(part) for part in parts], max(at_once, -(-total // WRITE_CHUNK_BYTES)))
    documents = [_document(parts[start:end]) for start, end in runs]
    if len(documents) == 1:
        return _run(WRITE_ARGS, WRITE_LIMITS.for_size(len(documents[0])), stdin=documents[0])
    with tempfile.TemporaryDirectory(prefix="exporter-") as tmp:
        calls = []
        for number, document in enumerate(documents):
            Path(tmp, f"in-{number}.json").write_text(document, encoding="utf-8")
            calls.append(([*WRITE_ARGS, f"in-{number}.json"], WRITE_LIMITS.for_size(len(document))))
        # each output ends with the newline one write puts between blocks
        return "".join(output for wave in range(0, len(calls), at_once)
                       for output in _run_at_once(calls[wave:wave + at_once], tmp))


def _document(blocks_json: list[str]) -> str:
    """A pandoc JSON document around blocks already written as JSON."""
    return (f'{{"pandoc-api-version":{json.dumps(API_VERSION)},"meta":{{}},"blocks":['
            + ",".join(blocks_json) + "]}")


def _run(args: list[str], limits: tuple[float, int], stdin: str | None = None, cwd: str | None = None) -> str:
    seconds, heap_mb = limits
    try:
        result = subprocess.run(_command(args, heap_mb), input=stdin, capture_output=True, text=True,
                                encoding="utf-8", errors="replace", cwd=cwd, check=False,
                                timeout=10 * seconds + 60, preexec_fn=lambda: _limit_cpu(seconds))
    except OSError as exc:  # the wheel's binary missing or not executable
        raise ExportError(f"cannot run pandoc: {exc.strerror}; reinstall with scripts/setup.sh") from None
    except subprocess.TimeoutExpired:
        raise PandocFailed("time", f"pandoc did not finish within {10 * seconds + 60:.0f} s") from None
    _check(result.returncode, result.stderr, limits)
    return result.stdout


def _run_at_once(calls: list[tuple[list[str], tuple[float, int]]], cwd: str) -> list[str]:
    """Several pandoc calls running at the same time, each writing its output and complaints to files in
    `cwd` (no pipes to drain, so no threads); their outputs in order, or the first call's failure."""
    processes = []
    try:
        for number, (args, (seconds, heap_mb)) in enumerate(calls):
            with open(Path(cwd, f"err-{number}"), "wb") as errors:
                processes.append(subprocess.Popen(
                    _command([*args, "-o", f"out-{number}"], heap_mb), cwd=cwd, stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL, stderr=errors, preexec_fn=lambda s=seconds: _limit_cpu(s)))
        for process, (_, (seconds, _)) in zip(processes, calls):
            try:
                _wait(process, timeout=10 * seconds + 60)
            except subprocess.TimeoutExpired:
                raise PandocFailed("time", f"pandoc did not finish within {10 * seconds + 60:.0f} s") from None
    except OSError as exc:
        raise ExportError(f"cannot run pandoc: {exc.strerror}; reinstall with scripts/setup.sh") from None
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
    for number, (process, (_, limits)) in enumerate(zip(processes, calls)):
        _check(process.returncode, Path(cwd, f"err-{number}").read_text("utf-8", "replace"), limits)
    return [Path(cwd, f"out-{number}").read_text("utf-8", "replace") for number in range(len(calls))]


def _wait(process: subprocess.Popen, timeout: float) -> None:
    """`process.wait(timeout)`, woken the moment the process ends: with a timeout, Popen.wait polls, sleeping
    up to 50 ms between looks, and a build waits on several pandoc processes. Linux tells of the end through a
    pidfd; elsewhere Popen.wait does."""
    try:
        handle = os.pidfd_open(process.pid)
    except (AttributeError, OSError):  # not Linux 5.3+, or the process is already gone
        process.wait(timeout=timeout)
        return
    try:
        ended, _, _ = select.select([handle], [], [], timeout)
    finally:
        os.close(handle)
    if not ended:
        raise subprocess.TimeoutExpired(process.args, timeout)
    process.wait()


def _command(args: list[str], heap_mb: int) -> list[str]:
    return [binary(), "+RTS", f"-M{heap_mb}m", "-RTS", *args]


def _check(returncode: int, stderr: str, limits: tuple[float, int]) -> None:
    """Nothing for a call that succeeded; else PandocFailed saying, in our words, which bound it passed."""
    seconds, heap_mb = limits
    if returncode == 0:
        return
    if returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        raise PandocFailed("time", f"pandoc used more than {seconds:.0f} s of processor time")
    if returncode == 251 or "Heap exhausted" in stderr:
        raise PandocFailed("memory", f"pandoc needed more than {heap_mb} MB of memory")
    raise PandocFailed("error", f"pandoc stopped with exit code {returncode}{_first_line(stderr)}")


def _limit_cpu(seconds: float) -> None:
    """In the child, before pandoc starts: SIGXCPU at `seconds` of CPU time, SIGKILL a little later."""
    soft = max(1, int(seconds))
    resource.setrlimit(resource.RLIMIT_CPU, (soft, soft + 5))


def _first_line(stderr: str) -> str:
    """pandoc's own first line of complaint, as one short printable line; never its RTS advice."""
    line = next((l.strip() for l in stderr.splitlines() if l.strip() and "RTS" not in l), "")
    line = "".join(ch for ch in line if ch.isprintable())[:160]
    return f" ({line})" if line else ""


def _loads(output: str) -> dict:
    """pandoc's JSON, refused past MAX_JSON_DEPTH levels (json.loads recurses once per level: on
    Python 3.11 a lowered recursion limit makes it stop there, for free; later versions count C
    recursion apart, so there the depth is measured first)."""
    if sys.version_info >= (3, 12):
        if _json_depth(output) > MAX_JSON_DEPTH:
            raise PandocFailed("depth", f"the document nests more than {MAX_JSON_DEPTH} levels deep")
        return json.loads(output)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(_frames_in_use() + MAX_JSON_DEPTH)
    try:
        return json.loads(output)
    except RecursionError:
        raise PandocFailed("depth", f"the document nests more than {MAX_JSON_DEPTH} levels deep") from None
    finally:
        sys.setrecursionlimit(limit)


def _frames_in_use() -> int:
    frame, count = sys._getframe(), 0
    while frame is not None:
        frame, count = frame.f_back, count + 1
    return count


def _json_depth(text: str) -> int:
    import itertools

    brackets = re.sub(r"[^\[\]{}]+", "", re.sub(r'"[^"\\]*(?:\\.[^"\\]*)*"', "", text))
    steps = map({"[": 1, "{": 1, "]": -1, "}": -1}.__getitem__, brackets)
    return max(itertools.accumulate(steps), default=0)


@functools.lru_cache(maxsize=1)
def highlight_languages() -> frozenset[str]:
    """The language names pandoc's highlighter knows (lower case): a code block class among them is found
    at once; any other class makes pandoc search every syntax's file extensions (render/highlight.py).
    Listing them reads every syntax too (0.4 s): the caller keeps the answer."""
    listing = _run(["--list-highlight-languages"], WRITE_LIMITS.for_size(0))
    return frozenset(line.strip().lower() for line in listing.splitlines() if line.strip())


_CODE_SYNTAX = re.compile(r'<code(?: class="sourceCode ([^"]+)")?[^>]*>')


def highlighter_names(names: list[str]) -> dict[str, str | None]:
    """The syntax pandoc highlights a code block of class `name` with (its extension search included), or
    None, for each name: one write of one small code block per name."""
    blocks = [json.dumps({"t": "CodeBlock", "c": [["", [name], []], "x"]}) for name in names]
    written = _run(["-f", "json", "-t", "html5"], WRITE_LIMITS.for_size(0), stdin=_document(blocks))
    found = [syntax or None for syntax in _CODE_SYNTAX.findall(written)]
    if len(found) != len(names):
        raise ExportError(f"pandoc wrote {len(found)} code blocks for {len(names)}: cannot read its highlighting")
    return dict(zip(names, found))


@functools.lru_cache(maxsize=1)
def binary() -> str:
    """The pandoc exporter runs: `$PYPANDOC_PANDOC` if set (as pypandoc honours it), else the one inside the
    pinned pypandoc-binary wheel, found without importing pypandoc; only without that wheel does pypandoc
    search. Importing pypandoc (its downloader pulls in urllib) and its search (`--version` run on six
    candidate paths) cost 0.1 s of every build, a sixth of a warm rebuild; and the wheel's pandoc is the
    version the dependencies pin, whichever other pandoc is on PATH."""
    if os.environ.get("PYPANDOC_PANDOC"):
        return os.environ["PYPANDOC_PANDOC"]
    spec = importlib.util.find_spec("pypandoc")
    bundled = Path(spec.origin).parent / "files" / "pandoc" if spec is not None and spec.origin else None
    if bundled is not None and bundled.is_file():
        return str(bundled)
    import pypandoc
    return pypandoc.get_pandoc_path()


@functools.lru_cache(maxsize=1)
def version() -> str:
    """The pandoc in use, e.g. '3.9' (from `pandoc --version`'s first line, `pandoc 3.9`): part of every
    cache key over its output."""
    try:
        first = subprocess.run([binary(), "--version"], capture_output=True, text=True, timeout=60,
                               check=True).stdout.partition("\n")[0]
    except (OSError, subprocess.SubprocessError) as exc:
        raise ExportError(f"cannot run pandoc ({binary()}): {exc}; run the set-up again (README)") from exc
    return first.split()[-1] if first.startswith("pandoc") else first
