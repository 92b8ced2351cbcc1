"""The build cache: every costly step that is a pure function of its inputs is memoized by content hash.

A key is the SHA-256 of everything that can change a result: the step's name, the code of exporter itself,
the versions of the tools it runs (pandoc, WeasyPrint), and the step's own inputs (a lesson's bytes, the
course settings it reads, the theme's files). So there is nothing to invalidate: a changed input is a new
key, and a warm build gives the bytes a cold one would. Like ccache, and unlike Quarto's `_freeze/` (kept
in the project, keyed by file) or Sphinx's doctrees (kept per build folder, invalidated by mtime), one
store serves every course and output folder on the machine: two courses sharing a lesson share its parse.

Entries live in `<cache root>/build/<key[:2]>/<key>`: a header, the SHA-256 of the payload, the payload
(a pickle). An entry whose checksum does not match (a torn write, a disk error, a hand edit) is deleted and
counts as a miss; entries are written to a temporary file and renamed, so two builds sharing the cache
never see half an entry. The least recently used entries are pruned when the store outgrows its budget
(`EXPORTER_CACHE_SIZE` in MiB, default 2048). The cache holds pickles: point `EXPORTER_CACHE` only at a
folder that you (or your build machines) alone write to.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, TypeVar

from exporter._files import atomic_write

T = TypeVar("T")

MAGIC = b"exporter-cache-1\n"
DEFAULT_BUDGET_MIB = 2048
RESCAN_EVERY = 50
"""Builds between two full scans of the store when the ledger says it fits (others' deletions, lost counts)."""
SCAN_ABOVE = 0.9
"""The share of the budget the ledger's estimate may reach before a build scans the store to prune it."""


def cache_root() -> Path:
    """`EXPORTER_CACHE`, else `$XDG_CACHE_HOME/exporter`, else `~/.cache/exporter`."""
    if os.environ.get("EXPORTER_CACHE"):
        return Path(os.environ["EXPORTER_CACHE"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "exporter"


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A hash of exporter's own source (and its version): a changed line of code is a changed key, so a
    developer's edit never meets a result of the code before it."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


@dataclass
class BuildCache:
    """A content-addressed memo. `BuildCache(None)` (`--no-cache`) never reads nor writes."""

    root: Path | None
    hits: int = 0
    misses: int = 0
    written: int = 0
    """Bytes this cache object has stored (the ledger adds them to the store's size)."""
    _salt: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        self._salt = code_fingerprint()

    @property
    def enabled(self) -> bool:
        return self.root is not None

    def key(self, step: str, *parts: str | bytes) -> str:
        """The key of `step` applied to `parts`; each part is length-prefixed, so no two lists collide."""
        digest = hashlib.sha256(self._salt.encode())
        for part in (step, *parts):
            data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
            digest.update(len(data).to_bytes(8, "big"))
            digest.update(data)
        return digest.hexdigest()

    def get(self, key: str) -> Any | None:
        """The value stored under `key`, or None (a miss, or an entry found damaged and removed)."""
        path = self._path(key)
        if path is None:
            return None
        try:
            data = path.read_bytes()
        except OSError:
            self.misses += 1
            return None
        payload = _verified(data)
        if payload is None:
            path.unlink(missing_ok=True)
            self.misses += 1
            return None
        try:
            value = pickle.loads(payload)
        except Exception:  # an entry from code that no longer unpickles: a miss, like a damaged one
            path.unlink(missing_ok=True)
            self.misses += 1
            return None
        _touch(path)
        self.hits += 1
        return value

    def put(self, key: str, value: Any) -> None:
        """Store `value` under `key`; a cache that cannot be written is only a slower build."""
        path = self._path(key)
        if path is None:
            return
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
            with os.fdopen(fd, "wb") as handle:
                handle.write(MAGIC + hashlib.sha256(payload).digest() + payload)
            os.replace(name, path)
        except OSError:
            return
        self.written += len(MAGIC) + 32 + len(payload)

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        """The stored value for `key`, else `compute()`, stored."""
        found = self.get(key)
        if found is not None:
            return found
        value = compute()
        self.put(key, value)
        return value

    def prune(self, budget_mib: int | None = None) -> int:
        """Delete the least recently used entries until the store fits its budget; return how many went.
        Scanning a store of 16,000 entries costs 0.1 s, most of a warm build's spare time, so a ledger
        (`size`) keeps the store's size from the last scan plus what each build added since; the store is
        scanned only when that estimate nears the budget, or every RESCAN_EVERY builds (two builds at once
        may each miss the other's count; the next scan corrects it)."""
        if self.root is None:
            return 0
        budget = (budget_mib if budget_mib is not None else _budget_mib()) * 1024 * 1024
        ledger = self.root / "size"
        size, builds = _read_ledger(ledger)
        if size is not None and size + self.written <= budget * SCAN_ABOVE and builds + 1 < RESCAN_EVERY:
            _write_ledger(ledger, size + self.written, builds + 1)
            return 0
        entries = sorted(_entries(self.root))
        total = sum(size for _, size, _ in entries)
        removed = 0
        for _, size, path in entries:
            if total <= budget:
                break
            path.unlink(missing_ok=True)
            total -= size
            removed += 1
        _write_ledger(ledger, total, 0)
        return removed

    def beside(self, name: str) -> Path | None:
        """A folder of the cache root beside this store, made if need be, for what a library keeps itself
        (Jinja's compiled templates); None when the cache is off or the folder cannot be made."""
        if self.root is None:
            return None
        folder = self.root.parent / name
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            return None
        return folder

    def _path(self, key: str) -> Path | None:
        return None if self.root is None else self.root / key[:2] / key


def open_cache(enabled: bool = True) -> BuildCache:
    """The machine's build cache (beside the image cache), or a disabled one."""
    return BuildCache(cache_root() / "build" if enabled else None)


def digest(parts: Iterable[bytes]) -> str:
    """SHA-256 of several byte strings, each length-prefixed."""
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(len(part).to_bytes(8, "big"))
        hasher.update(part)
    return hasher.hexdigest()


def _verified(data: bytes) -> bytes | None:
    if not data.startswith(MAGIC) or len(data) < len(MAGIC) + 32:
        return None
    checksum, payload = data[len(MAGIC):len(MAGIC) + 32], data[len(MAGIC) + 32:]
    return payload if hashlib.sha256(payload).digest() == checksum else None


def _touch(path: Path) -> None:
    """Mark an entry as used (pruning keeps the recently used ones)."""
    try:
        os.utime(path)
    except OSError:
        pass


def _entries(root: Path) -> Iterable[tuple[float, int, Path]]:
    """(last use, size, path) of every entry in the store."""
    if not root.is_dir():
        return
    for folder in os.scandir(root):
        if len(folder.name) != 2 or not folder.is_dir():
            continue
        for entry in os.scandir(folder.path):
            try:
                stat = entry.stat()
            except OSError:  # pruned by another build meanwhile
                continue
            yield stat.st_mtime, stat.st_size, Path(entry.path)


def _read_ledger(path: Path) -> tuple[int | None, int]:
    """(the store's size in bytes, builds since the last scan), or (None, 0) when unknown."""
    try:
        size, builds = path.read_text().split()
        return int(size), int(builds)
    except (OSError, ValueError):
        return None, 0


def _write_ledger(path: Path, size: int, builds: int) -> None:
    try:
        atomic_write(path, f"{size} {builds}\n".encode())
    except OSError:  # an unwritable ledger only means scanning again next time
        pass


def _budget_mib() -> int:
    value = os.environ.get("EXPORTER_CACHE_SIZE", "")
    return int(value) if value.isdigit() else DEFAULT_BUDGET_MIB
