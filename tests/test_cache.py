"""The build cache on its own: keys, damaged entries, a disabled cache, two writers at once, pruning."""
from __future__ import annotations

import multiprocessing
import os
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from exporter.cache import MAGIC, BuildCache


def test_a_value_comes_back_and_keys_separate_their_parts(tmp_path: Path) -> None:
    cache = BuildCache(tmp_path)
    assert cache.key("parse", "ab", "c") != cache.key("parse", "a", "bc") != cache.key("render", "ab", "c")
    key = cache.key("parse", "lesson text")
    assert cache.get(key) is None and cache.misses == 1
    cache.put(key, {"blocks": [1, 2, 3]})
    assert cache.get(key) == {"blocks": [1, 2, 3]} and cache.hits == 1


def test_a_damaged_or_truncated_entry_is_a_miss_and_is_removed(tmp_path: Path) -> None:
    cache = BuildCache(tmp_path)
    for damage in (lambda data: data[:-3], lambda data: data[:-1] + bytes([data[-1] ^ 1]), lambda data: b"",
                   lambda data: data[: len(MAGIC) + 5]):
        key = cache.key("step", repr(damage))
        cache.put(key, list(range(100)))
        path = tmp_path / key[:2] / key
        path.write_bytes(damage(path.read_bytes()))
        assert cache.get(key) is None
        assert not path.exists()
        assert cache.memo(key, lambda: "computed again") == "computed again"
        assert cache.get(key) == "computed again"


def test_a_disabled_cache_neither_reads_nor_writes(tmp_path: Path) -> None:
    BuildCache(tmp_path).put(BuildCache(tmp_path).key("s", "x"), 1)
    off = BuildCache(None)
    assert off.get(off.key("s", "x")) is None
    off.put(off.key("s", "y"), 2)
    assert off.memo(off.key("s", "z"), lambda: 3) == 3
    assert len(list(tmp_path.glob("??/*"))) == 1


def _writer(root: str, worker: int) -> list[int]:
    cache = BuildCache(Path(root))
    seen = []
    for round_ in range(150):
        key = cache.key("shared", str(round_ % 10))
        value = cache.get(key)
        if value is not None:
            assert value == list(range(round_ % 10 * 1000, round_ % 10 * 1000 + 2000))
            seen.append(1)
        cache.put(key, list(range(round_ % 10 * 1000, round_ % 10 * 1000 + 2000)))
    return seen


def test_two_processes_writing_the_same_entries_never_see_half_an_entry(tmp_path: Path) -> None:
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        results = pool.starmap(_writer, [(str(tmp_path), 0), (str(tmp_path), 1)])
    assert sum(map(len, results)) > 0  # they did read each other's entries
    assert not list(tmp_path.glob("??/.tmp-*"))  # no temporary file left behind


def test_prune_keeps_the_recently_used(tmp_path: Path) -> None:
    cache = BuildCache(tmp_path)
    keys = [cache.key("big", str(n)) for n in range(4)]
    for age, key in enumerate(keys):
        cache.put(key, os.urandom(400_000))
        os.utime(tmp_path / key[:2] / key, (1_000_000 + age, 1_000_000 + age))
    assert cache.get(keys[0]) is not None  # used just now: the most recent
    assert cache.prune(budget_mib=1) == 2
    assert [cache.get(k) is not None for k in keys] == [True, False, False, True]


def test_prune_scans_only_when_the_ledger_nears_the_budget(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("exporter.cache.RESCAN_EVERY", 3)
    first = BuildCache(tmp_path)
    first.put(first.key("small", "0"), b"x" * 1000)
    assert first.prune(budget_mib=1) == 0  # the first prune scans: the ledger now knows the store's size
    assert int((tmp_path / "size").read_text().split()[0]) == first.written
    # an entry whose count was lost (another build's, racing): the ledger cannot know of it
    stray = tmp_path / "ab" / ("ab" + "0" * 62)
    stray.parent.mkdir(exist_ok=True)  # the first key may start with "ab" too (keys hash the code)
    stray.write_bytes(os.urandom(2_000_000))
    os.utime(stray, (1_000_000, 1_000_000))
    assert [BuildCache(tmp_path).prune(budget_mib=1) for _ in range(2)] == [0, 0]  # trusted: no scan
    assert stray.exists()
    assert BuildCache(tmp_path).prune(budget_mib=1) == 1  # every RESCAN_EVERY builds the store is scanned
    assert not stray.exists()


def test_a_build_that_writes_past_the_budget_prunes_at_once(tmp_path: Path) -> None:
    old = BuildCache(tmp_path)
    old_key = old.key("big", "old")
    old.put(old_key, os.urandom(700_000))
    os.utime(tmp_path / old_key[:2] / old_key, (1_000_000, 1_000_000))
    assert old.prune(budget_mib=1) == 0
    new = BuildCache(tmp_path)
    new.put(new.key("big", "new"), os.urandom(700_000))
    assert new.prune(budget_mib=1) == 1  # its own writes count: the estimate is over, so it scans
    assert new.get(old_key) is None and new.get(new.key("big", "new")) is not None


# ---------------------------------------------------------------------------------------------- in a build

MINI = Path(__file__).parent / "projects" / "mini"


def build_into(course: Path, out: Path, cache: bool = True, formats: tuple[str, ...] = ("epub", "scorm12")):
    from exporter.diagnostics import Reporter
    from exporter.pipeline import BuildOptions, build

    reporter = Reporter()
    build(BuildOptions(source=course, out=out, formats=formats, offline=True, cache=cache), reporter)
    return {p.name: p.read_bytes() for p in out.iterdir()}, [d.format() for d in reporter.diagnostics]


def entries(root: Path) -> set[str]:
    return {p.name for p in root.glob("build/??/*")}


@pytest.fixture
def course(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("EXPORTER_CACHE", str(tmp_path / "cache"))
    root = tmp_path / "course"
    shutil.copytree(MINI, root)
    (root / "02-pipeline.md").write_text((root / "02-pipeline.md").read_text() + "\nA note[^n].\n\n[^n]: It says"
                                         " so.\n\n<p>Raw <b>HTML</b> with <script>alert(1)</script></p>\n")
    return root


def test_a_warm_build_gives_the_bytes_and_warnings_of_a_cold_one(course: Path, tmp_path: Path) -> None:
    cold = build_into(course, tmp_path / "cold", cache=False)
    assert not (tmp_path / "cache" / "build").exists()  # --no-cache neither reads nor writes
    first = build_into(course, tmp_path / "first")
    assert entries(tmp_path / "cache")
    warm = build_into(course, tmp_path / "warm")
    assert any("<script> removed" in d for d in cold[1])
    assert cold == first == warm


def test_after_an_edit_a_warm_build_gives_the_bytes_of_a_cold_one(course: Path, tmp_path: Path) -> None:
    """The edited lesson is rendered alone: what pandoc numbers across everything it writes at once (code
    blocks' ids, notes) must not change with it, nor collide with another lesson's on a one-page SCORM."""
    code = "\n```python\nx = 1\n```\n\n```{.python .numberLines}\ny = 2\n```\n"
    for name in ("01-welcome.md", "02-pipeline.md"):
        (course / name).write_text((course / name).read_text() + code)
    build_into(course, tmp_path / "first")
    lesson = course / "02-pipeline.md"
    lesson.write_text(lesson.read_text() + "\nOne more paragraph.\n")
    warm = build_into(course, tmp_path / "warm")
    cold = build_into(course, tmp_path / "cold", cache=False)
    assert warm == cold
    with zipfile.ZipFile(tmp_path / "warm" / "mini-course-scorm12.zip") as package:
        page = package.read("index.html").decode()
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids)) and sum("--cb" in i for i in ids) >= 4


def test_a_damaged_cache_is_rebuilt_not_used(course: Path, tmp_path: Path) -> None:
    cold = build_into(course, tmp_path / "cold", cache=False)
    build_into(course, tmp_path / "first")
    for path in (tmp_path / "cache" / "build").glob("??/*"):
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])  # every entry truncated
    assert build_into(course, tmp_path / "again") == cold


def test_an_edit_recomputes_only_what_depends_on_it(course: Path, tmp_path: Path) -> None:
    build_into(course, tmp_path / "out")
    before = entries(tmp_path / "cache")
    lesson = course / "02-pipeline.md"
    lesson.write_text(lesson.read_text() + "\nOne more paragraph.\n")
    build_into(course, tmp_path / "out")
    added = entries(tmp_path / "cache") - before
    assert len(added) == 5  # that lesson: its file as read, parse, normalized form, HTML, EPUB chapter; nothing else

    before = entries(tmp_path / "cache")
    config = course / "course.yml"
    config.write_text(config.read_text().replace("Mini course", "Renamed course"))
    files, _ = build_into(course, tmp_path / "out")
    # the title is part of no lesson's parse or HTML: only the EPUB's drawn cover, which shows it, is new
    assert len(entries(tmp_path / "cache") - before) == 1
    with zipfile.ZipFile(tmp_path / "out" / "mini-course.epub") as epub:
        assert b"Renamed course" in epub.read("EPUB/content.opf")


def test_the_pdf_lays_out_again_only_the_part_an_edit_touched(course: Path, tmp_path: Path) -> None:
    from pypdf import PdfReader

    def text(out: Path) -> list[str]:
        return [page.extract_text() for page in PdfReader(out / "mini-course.pdf").pages]

    build_into(course, tmp_path / "cold", cache=False, formats=("pdf",))
    build_into(course, tmp_path / "first", formats=("pdf",))
    before = entries(tmp_path / "cache")
    build_into(course, tmp_path / "warm", formats=("pdf",))
    assert entries(tmp_path / "cache") == before and text(tmp_path / "warm") == text(tmp_path / "cold")

    lesson = course / "02-pipeline.md"
    lesson.write_text(lesson.read_text() + "\nOne more paragraph.\n")
    build_into(course, tmp_path / "edited", formats=("pdf",))
    assert len(entries(tmp_path / "cache") - before) == 5  # the lesson as read, parse, normalized, HTML, PDF part
    assert "One more paragraph." in "".join(text(tmp_path / "edited"))
