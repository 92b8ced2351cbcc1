"""_files: reproducible zips, atomic writes, paths that cannot leave their root."""
from __future__ import annotations

import os
import zipfile

from hypothesis import given, settings, strategies as st

from conftest import examples

from exporter._files import atomic_write, safe_join, write_zip


def test_zip_is_byte_identical_and_ordered(tmp_path, monkeypatch):
    members = [("b.css", b"b{}"), ("mimetype", b"application/epub+zip"), ("a/x.png", b"\x89PNG")]
    write_zip(tmp_path / "one.zip", members, first="mimetype")
    write_zip(tmp_path / "two.zip", list(reversed(members)), first="mimetype")
    assert (tmp_path / "one.zip").read_bytes() == (tmp_path / "two.zip").read_bytes()
    infos = zipfile.ZipFile(tmp_path / "one.zip").infolist()
    assert [i.filename for i in infos] == ["mimetype", "a/x.png", "b.css"]
    assert infos[0].compress_type == zipfile.ZIP_STORED
    assert infos[1].compress_type == zipfile.ZIP_STORED  # already compressed media are stored
    assert infos[2].compress_type == zipfile.ZIP_DEFLATED


def test_zip_honours_source_date_epoch(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    write_zip(tmp_path / "a.zip", [("x", b"1")])
    assert zipfile.ZipFile(tmp_path / "a.zip").infolist()[0].date_time == (2023, 11, 14, 22, 13, 20)


def test_atomic_write_leaves_no_temp_files(tmp_path):
    atomic_write(tmp_path / "out" / "f.txt", b"data")
    assert os.listdir(tmp_path / "out") == ["f.txt"]


def test_safe_join_refuses_escapes(tmp_path):
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "a.png").write_bytes(b"x")
    (tmp_path / "link").symlink_to("/etc")
    assert safe_join(tmp_path, "img/a.png") == (tmp_path / "img" / "a.png").resolve()
    for bad in ("../x", "img/../../x", "/etc/passwd", "file:///etc/passwd", "link/passwd", "C:/x"):
        assert safe_join(tmp_path, bad) is None, bad


@settings(max_examples=examples(200))
@given(st.lists(st.sampled_from(["a", "b", ".", "..", "/", "\\", ":", "~", "%"]), max_size=12).map("".join))
def test_safe_join_never_leaves_root(tmp_path_factory, relative):
    root = tmp_path_factory.getbasetemp() / "root"
    root.mkdir(exist_ok=True)
    joined = safe_join(root, relative)
    if joined is not None:
        assert joined == root.resolve() or root.resolve() in joined.parents


def test_outputs_are_readable_by_others_as_umask_allows(tmp_path):
    """mkstemp files are 0600; a built EPUB or zip must not stay private to the builder."""
    old = os.umask(0o022)
    try:
        atomic_write(tmp_path / "a.pdf", b"x")
        write_zip(tmp_path / "b.zip", [("a.txt", b"x")])
    finally:
        os.umask(old)
    assert (tmp_path / "a.pdf").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "b.zip").stat().st_mode & 0o777 == 0o644
