"""Byte-level mutation of real lessons: the project's fixtures and sample course, flipped, cut, spliced,
repeated and salted with tokens that matter to exporter. `mutated_course(rng, seeds)` returns a case."""
from __future__ import annotations

import base64
import random
from pathlib import Path

from fuzz.cases import case_size
from fuzz.grammar import PAYLOADS

TOKENS = [b":::", b":::info\n", b"\n:::\n", b"{%youtube ", b"%}", b"[^a]", b"[^a]: ", b"> ", b"- ", b"1. ", b"```",
          b"```js=", b"~~~", b"<!--", b"-->", b"<style>", b"</style>", b"<pre>", b"<?", b"---\n", b"&nbsp;", b"[TOC]",
          b"\x00", b"\x07", b"\x0c", b"\r", b"\r\n", b"\xff", b"\xc3", b"\xef\xbf\xbf", b"\xed\xa0\x80", b"\t", b"\\",
          b"![x](../outside/secret.png)", b"{.embed data-player=\"https://evil.example\"}", b"==", b"++", b"$$",
          b"\xe2\x80\xae", b"\xf0\x9f\x98\x84"] + [p.encode() for p in PAYLOADS]
MAX_BYTES = 300_000
"""Per lesson: a quadratic scan is a hang long before this; bigger inputs only slow the run down."""


def seed_files(root: Path) -> list[Path]:
    """Lessons to start from: the normalize fixtures, the test projects, the sample course."""
    patterns = ["tests/fixtures/hackmd/*.md", "tests/projects/**/*.md", "content/*.txt", "content/*.md"]
    return sorted(p for pattern in patterns for p in root.glob(pattern) if p.is_file())


def mutate(data: bytes, rng: random.Random, others: list[bytes]) -> bytes:
    """Apply one to eight random edits."""
    buffer = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        rng.choice(_EDITS)(buffer, rng, others)
        if len(buffer) > MAX_BYTES:
            del buffer[MAX_BYTES:]
    return bytes(buffer)


def _at(buffer: bytearray, rng: random.Random) -> int:
    return rng.randint(0, len(buffer)) if buffer else 0


def _flip(buffer, rng, others) -> None:
    if buffer:
        buffer[rng.randrange(len(buffer))] ^= 1 << rng.randrange(8)


def _insert_token(buffer, rng, others) -> None:
    at = _at(buffer, rng)
    buffer[at:at] = rng.choice(TOKENS)


def _delete(buffer, rng, others) -> None:
    if buffer:
        start = rng.randrange(len(buffer))
        del buffer[start:start + rng.randint(1, 64)]


def _repeat(buffer, rng, others) -> None:
    """A chunk (or a token) repeated many times: the shape of every quadratic-scan finding."""
    if buffer and rng.random() < 0.5:
        start = rng.randrange(len(buffer))
        chunk = bytes(buffer[start:start + rng.randint(1, 12)])
    else:
        chunk = rng.choice(TOKENS)
    at = _at(buffer, rng)
    buffer[at:at] = chunk * rng.choice([10, 200, 3000, 20000])


def _splice(buffer, rng, others) -> None:
    if others:
        other = rng.choice(others)
        start = rng.randrange(len(other)) if other else 0
        at = _at(buffer, rng)
        buffer[at:at] = other[start:start + rng.randint(1, 2000)]


def _newlines(buffer, rng, others) -> None:
    """Drop every line break (a flattened HackMD export) or turn them into CR."""
    replacement = rng.choice([b" ", b"\r", b""])
    buffer[:] = bytes(buffer).replace(b"\n", replacement)


_EDITS = [_flip, _flip, _insert_token, _insert_token, _insert_token, _delete, _repeat, _splice, _newlines]


def mutated_course(rng: random.Random, seeds: list[Path]) -> dict:
    """One or two mutated lessons (bytes, so any encoding damage survives) as a case."""
    others = [p.read_bytes() for p in rng.sample(seeds, min(3, len(seeds)))]
    files = []
    for index in range(rng.choice([1, 1, 2])):
        source = rng.choice(seeds)
        data = _fixture_inputs(source.read_bytes()) if source.parent.name == "hackmd" else source.read_bytes()
        files.append({"name": f"{index + 1:02d}-{source.stem}.md",
                      "b64": base64.b64encode(mutate(data, rng, others)).decode("ascii")})
    case = {"about": f"mutated {', '.join(f['name'] for f in files)}", "course_yml": None, "files": files}
    return case if case_size(case) <= MAX_BYTES * 2 else {"about": "empty", "course_yml": None, "files": []}


def _fixture_inputs(data: bytes) -> bytes:
    """The input sections of a markdown-it-style fixture file (title / . / input / . / expected / .)."""
    sections = data.split(b"\n.\n")
    return b"\n\n".join(sections[1::3]) or data
