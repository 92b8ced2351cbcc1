"""The one place that runs pandoc: every lesson in one read, the whole course in one write.

Pandoc comes from the pypandoc-binary wheel. One process per direction for the whole course,
not one per lesson: pandoc's start-up (mostly the highlighter) dominates small files, and
DESIGN.md measured 100 lessons at 1.9 s in one call against 22.5 s one call each.
"""
from __future__ import annotations

import functools
import json
import os
import subprocess
import tempfile
from pathlib import Path

import pypandoc

from exporter.errors import ExportError
from exporter.model import Block

# HackMD: CommonMark + GFM-ish extensions, a hard break at every newline, bare URLs linked.
# Header ids are made by the tree (per lesson, stable), not by pandoc (course-wide, order dependent).
READER = "commonmark_x+sourcepos+hard_line_breaks+autolink_bare_uris-gfm_auto_identifiers-yaml_metadata_block"
API_VERSION = [1, 23, 1, 1]


def input_name(index: int) -> str:
    """Name under which lesson number `index` is handed to pandoc (and comes back in data-pos)."""
    return f"L{index:05d}.md"


def read_lessons(texts: list[str]) -> list[Block]:
    """Parse every lesson in one pandoc call; blocks carry data-pos 'L00001.md@line:col-...'."""
    with tempfile.TemporaryDirectory(prefix="exporter-") as tmp:
        names = []
        for index, text in enumerate(texts):
            name = input_name(index)
            # A blank line between files is pandoc's own rule; a trailing newline keeps the last line whole.
            Path(tmp, name).write_text(text + "\n", encoding="utf-8")
            names.append(name)
        if not names:
            return []
        output = _run(["-f", READER, "-t", "json", *names], cwd=tmp)
    return json.loads(output)["blocks"]


def write_html(blocks: list[Block]) -> str:
    """One HTML5 fragment for the given blocks (MathML for math, pandoc's highlighting classes); footnotes
    follow each top-level block as `aside.footnotes`."""
    document = {"pandoc-api-version": API_VERSION, "meta": {}, "blocks": blocks}
    # Notes go right after the top-level block that calls them (for us: the lesson), not after the
    # whole course, so each lesson keeps its own.
    return _run(["-f", "json", "-t", "html5", "--mathml", "--wrap=none", "--reference-location=block"],
                stdin=json.dumps(document))


# Lessons are untrusted: a pathological input must end in a clear error, not a hung build or a
# machine out of memory. The cap is far above what a real course needs (the 40-lesson acceptance
# course reads in about 2 s and under 200 MB).
TIME_LIMIT_S = float(os.environ.get("EXPORTER_PANDOC_TIMEOUT") or 300)
"""Seconds one pandoc call may take; the environment variable lowers or raises it for a machine or a test."""
HEAP_LIMIT = "+RTS -M4g -RTS"


def _run(args: list[str], stdin: str | None = None, cwd: str | None = None) -> str:
    try:
        result = subprocess.run([pypandoc.get_pandoc_path(), *HEAP_LIMIT.split(), *args], input=stdin,
                                capture_output=True, text=True, encoding="utf-8", cwd=cwd, check=False,
                                timeout=TIME_LIMIT_S)
    except OSError as exc:  # the wheel's binary missing or not executable
        raise ExportError(f"cannot run pandoc: {exc}; reinstall with scripts/setup.sh") from exc
    except subprocess.TimeoutExpired as exc:
        raise ExportError(f"pandoc did not finish within {TIME_LIMIT_S:g} s; a lesson may hold a construct "
                          "that sends it into a loop (run `exporter check` on the lessons one by one)") from exc
    if result.returncode != 0:
        raise ExportError(f"pandoc failed ({result.returncode}): {result.stderr.strip()[:500]}")
    return result.stdout


@functools.lru_cache(maxsize=1)
def version() -> str:
    """The pandoc in use, e.g. '3.8.2': part of every cache key over its output."""
    return pypandoc.get_pandoc_version()
