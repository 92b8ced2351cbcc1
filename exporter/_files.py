"""File helpers: atomic writes, all-or-nothing publishing, deterministic zips, paths that cannot leave their root."""
from __future__ import annotations

import io
import os
import shutil
import tempfile
import time
import zipfile
from pathlib import Path
from typing import BinaryIO, Callable, Iterable

from exporter.model import Artifact

# 1980-01-01 is the earliest a zip can store; used when SOURCE_DATE_EPOCH is not set.
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def build_datetime() -> tuple[int, int, int, int, int, int]:
    """SOURCE_DATE_EPOCH (reproducible-builds.org) if set, else a fixed date: never the clock."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        stamp = time.gmtime(max(int(epoch), 315532800))
        return stamp[:6]
    return _ZIP_EPOCH


def build_date_iso() -> str:
    year, month, day, hour, minute, second = build_datetime()
    return f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}Z"


def atomic_write(path: Path, data: bytes) -> None:
    """Write to a temp file beside `path`, then rename: a failed build leaves no half-written file."""
    _write_then_rename(path, lambda tmp: tmp.write_bytes(data))


def _write_then_rename(path: Path, write: Callable[[Path], object]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        # mkstemp makes the file private (0600); an output is an ordinary file others may read
        tmp.chmod(0o666 & ~_umask())
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


STORED = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".woff", ".woff2")
"""Already-compressed media: stored in zips, not deflated again (no size gain, only time)."""


def content_of(data: bytes | Path) -> bytes:
    """A member's bytes: as they are, or read from the file that holds them (`ShapedBook.resources`)."""
    return data.read_bytes() if isinstance(data, Path) else data


COPY_CHUNK = 1024 * 1024
"""How much of a file member a zip copies in at a time."""


def zip_bytes(members: Iterable[tuple[str, bytes | Path]], first: str | None = None,
              stored: tuple[str, ...] = STORED) -> bytes:
    """A byte-reproducible zip (`write_zip_to`) in memory."""
    buffer = io.BytesIO()
    write_zip_to(buffer, members, first, stored)
    return buffer.getvalue()


def write_zip_to(target: BinaryIO, members: Iterable[tuple[str, bytes | Path]], first: str | None = None,
                 stored: tuple[str, ...] = STORED) -> None:
    """A byte-reproducible zip into `target`: sorted names (`first` leads, stored), fixed timestamps and
    permissions. A member given as a file is copied in a piece at a time, never read whole."""
    items = dict(members)
    names = sorted(items)
    if first is not None and first in items:
        names.remove(first)
        names.insert(0, first)
    stamp = build_datetime()
    with zipfile.ZipFile(target, "w") as archive:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=stamp)
            plain = name == first or name.lower().endswith(stored)
            info.compress_type = zipfile.ZIP_STORED if plain else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            data = items[name]
            if plain and isinstance(data, Path):  # a figure: the same bytes as writestr's, read as they go
                info.file_size = data.stat().st_size
                with data.open("rb") as source, archive.open(info, "w") as sink:
                    shutil.copyfileobj(source, sink, COPY_CHUNK)
            else:
                archive.writestr(info, content_of(data), compresslevel=None if plain else 9)



def write_zip(path: Path, members: Iterable[tuple[str, bytes | Path]], first: str | None = None,
              stored: tuple[str, ...] = STORED) -> None:
    """`zip_bytes` written atomically to `path`."""
    _write_then_rename(path, lambda tmp: _zip_file(tmp, members, first, stored))


def _zip_file(path: Path, members: Iterable[tuple[str, bytes | Path]], first: str | None,
              stored: tuple[str, ...]) -> None:
    with path.open("wb") as target:
        write_zip_to(target, members, first, stored)


def publish(out_dir: Path, artifacts: Iterable[Artifact]) -> list[Path]:
    """Write every artifact into `out_dir`, all or nothing: each goes to a temporary name first, and only
    when all are complete are they renamed over the old outputs. A full disk or a read-only folder leaves
    the previous outputs as they were and no temporary file behind."""
    staged: list[tuple[Path, Path]] = []
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for artifact in artifacts:
            target = out_dir / artifact.name
            staged.append((_stage(target, artifact), target))
    except BaseException:
        for temporary, _ in staged:
            _remove(temporary)
        raise
    for temporary, target in staged:
        if temporary.is_dir() and target.is_dir():
            _remove(target)  # a folder cannot be renamed over a folder
        os.replace(temporary, target)
    return [target for _, target in staged]


def _stage(target: Path, artifact: Artifact) -> Path:
    """The artifact written beside `target` under a hidden temporary name (or, spooled on the same file
    system, where it was spooled: renamed from there into place, never copied)."""
    if artifact.spooled is not None and _same_device(artifact.spooled, target.parent):
        return artifact.spooled
    if artifact.data is not None or artifact.spooled is not None:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        os.close(fd)
        temporary = Path(name)
        try:
            temporary.chmod(0o666 & ~_umask())
            if artifact.spooled is not None:  # written to disk when it was packaged (spool.py)
                shutil.copyfile(artifact.spooled, temporary)
            else:
                temporary.write_bytes(artifact.data)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        return temporary
    temporary = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        temporary.chmod(0o777 & ~_umask())
        for relative, data in artifact.members:
            path = temporary / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(data, Path):
                shutil.copyfile(data, path)
            else:
                path.write_bytes(data)
    except BaseException:
        _remove(temporary)
        raise
    return temporary


def _same_device(path: Path, folder: Path) -> bool:
    """Whether `path` can be renamed into `folder` (a rename cannot cross file systems)."""
    return os.stat(path).st_dev == os.stat(folder).st_dev


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def safe_join(root: Path, relative: str) -> Path | None:
    """`root/relative` resolved (symlinks followed), or None if it would leave `root`."""
    if not relative or "\0" in relative or relative.startswith(("/", "\\")) or ":" in relative.split("/")[0]:
        return None  # NUL cannot name a file; resolve() would raise on it
    base = root.resolve()
    try:
        target = (base / relative).resolve()
    except (OSError, RuntimeError):  # RuntimeError: a symbolic link loop (Python 3.11)
        return None
    if target != base and base not in target.parents:
        return None
    return target
