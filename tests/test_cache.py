"""The build cache on its own: keys, damaged entries, a disabled cache, two writers at once, pruning."""
from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

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
