"""`exporter validate`: good outputs pass; damaged ones fail with the problem named (a truncated EPUB, an EPUB
with a broken nav, a SCORM zip whose manifest lists a missing file, a PDF cut in half...), compiler-style."""
from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest

from conftest import build_one, invoke_cli as invoke
from exporter.scaffold import NewCourse, create_course


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """The starter course of `exporter init`, built into every format this command judges."""
    course = create_course(tmp_path_factory.mktemp("course") / "c", NewCourse("Valid Course", "en", "Ana"))[0].parent
    out = tmp_path_factory.mktemp("out")
    files = {}
    for fmt, suffix in (("pdf", ".pdf"), ("epub", ".epub"), ("scorm12", ".zip"), ("scorm2004", ".zip"),
                        ("cmi5", ".zip"), ("xapi", ".zip")):
        files[fmt], reporter = build_one(course, out / fmt, fmt, suffix)
        assert reporter.diagnostics == []
    return files


def rezip(source: Path, target: Path, change: dict[str, bytes | None]) -> Path:
    """A copy of a zip with members replaced (bytes) or removed (None), in the same order."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = change.get(info.filename, old.read(info))
            if data is not None:
                new.writestr(info, data)
    return target


def lines_of(result, severity: str) -> list[str]:
    return [line for line in result.stderr.splitlines() if f": {severity}: " in line]


def test_good_outputs_are_valid(built: dict[str, Path]) -> None:
    result = invoke("validate", *built.values())
    assert result.exit_code == 0, result.output
    assert lines_of(result, "error") == lines_of(result, "warning") == []
    verdicts = result.stdout.splitlines()
    assert verdicts == [line for line in verdicts if ": valid: " in line] and len(verdicts) == 6
    assert re.search(r"valid: PDF 1\.\d, \d+ pages, \d+ bookmarks, \d+ fonts embedded, tagged, language en", result.stdout)
    assert "valid: EPUB 3.3" in result.stdout and "EPUBCheck 5." in result.stdout
    assert "valid: SCORM 1.2, 1 SCO(s)" in result.stdout and "valid: SCORM 2004, 1 SCO(s)" in result.stdout
    assert "valid: cmi5 package, cmi5.xml schema-valid, 1 launch page(s)" in result.stdout
    assert "valid: xAPI package, tincan.xml schema-valid, 1 launch page(s)" in result.stdout
    assert result.stderr.splitlines()[-1] == "6 file(s): 6 valid, 0 invalid"


def test_a_cmi5_package_launching_a_missing_page_is_invalid(built: dict[str, Path], tmp_path: Path) -> None:
    broken = rezip(built["cmi5"], tmp_path / "no-page-cmi5.zip", {"index.html": None})
    result = invoke("validate", broken)
    assert result.exit_code == 1
    assert any("cmi5.xml launches 'index.html', which the package does not have" in line and
               "[xapi.missing_launch]" in line for line in lines_of(result, "error")), result.stderr


def test_a_tincan_xml_off_its_schema_is_invalid(built: dict[str, Path], tmp_path: Path) -> None:
    with zipfile.ZipFile(built["xapi"]) as package:
        text = package.read("tincan.xml").replace(b"<activities>", b"<activities><bogus/>")
    result = invoke("validate", rezip(built["xapi"], tmp_path / "bad-xapi.zip", {"tincan.xml": text}))
    assert result.exit_code == 1 and any("[xapi.schema]" in line for line in lines_of(result, "error")), result.stderr


def test_a_folder_is_judged_file_by_file(built: dict[str, Path], tmp_path: Path) -> None:
    for fmt in ("pdf", "scorm12", "scorm2004"):  # (EPUBCheck's run is the slow part: the test above has it)
        shutil.copy(built[fmt], tmp_path)
    (tmp_path / "valid-course-report.txt").write_text("loss report")
    (tmp_path / "valid-course-html").mkdir()
    result = invoke("validate", tmp_path)
    assert result.exit_code == 0 and result.stderr.splitlines()[-1] == "3 file(s): 3 valid, 0 invalid"
    assert [line.split(": valid:")[0] for line in result.stdout.splitlines()] == [
        str(tmp_path / name) for name in ("valid-course-scorm12.zip", "valid-course-scorm2004.zip", "valid-course.pdf")]


def test_a_truncated_epub_is_invalid(built: dict[str, Path], tmp_path: Path) -> None:
    cut = tmp_path / "cut.epub"
    data = built["epub"].read_bytes()
    cut.write_bytes(data[: len(data) * 2 // 3])
    result = invoke("validate", cut)
    assert result.exit_code == 1
    [line] = lines_of(result, "error")
    assert line.startswith(f"{cut}: error: Unable to read file") and "cut short" in line
    assert line.endswith("[epubcheck.PKG-008]")
    assert result.stdout == f"{cut}: invalid: EPUB, 1 error(s), 0 warning(s)\n"


def test_an_epub_with_a_broken_nav_is_invalid(built: dict[str, Path], tmp_path: Path) -> None:
    with zipfile.ZipFile(built["epub"]) as book:
        nav = book.read("EPUB/nav.xhtml").decode()
    broken_nav = re.sub(r'href="l-02-practice\.xhtml[^"]*"', 'href="l-03-gone.xhtml"', nav, count=1)
    assert broken_nav != nav
    broken = rezip(built["epub"], tmp_path / "nav.epub", {"EPUB/nav.xhtml": broken_nav.encode()})
    result = invoke("validate", broken)
    assert result.exit_code == 1
    errors = lines_of(result, "error")
    assert errors and all("[epubcheck." in line for line in errors)
    assert any('"EPUB/l-03-gone.xhtml" could not be found' in line and "(EPUB/nav.xhtml:" in line for line in errors)


def test_a_scorm_zip_whose_manifest_lists_a_missing_file_is_invalid(built: dict[str, Path], tmp_path: Path) -> None:
    broken = rezip(built["scorm12"], tmp_path / "pkg.zip", {"scorm.css": None})
    result = invoke("validate", broken)
    assert result.exit_code == 1
    errors = lines_of(result, "error")
    assert any(line.startswith(f"{broken}: error: the manifest lists the file 'scorm.css'")
               and re.search(r"\(imsmanifest\.xml:\d+\) \[scorm\.missing_file\]$", line) for line in errors)
    assert any("launch page 'index.html' loads or links to 'scorm.css'" in line for line in errors)


def test_a_missing_launch_page_and_a_dangling_item_are_named(built: dict[str, Path], tmp_path: Path) -> None:
    with zipfile.ZipFile(built["scorm2004"]) as package:
        manifest = package.read("imsmanifest.xml").decode()
    manifest = manifest.replace('identifierref="RES-', 'identifierref="NOPE-', 1)
    broken = rezip(built["scorm2004"], tmp_path / "pkg.zip", {"imsmanifest.xml": manifest.encode(), "index.html": None})
    errors = lines_of(invoke("validate", broken), "error")
    assert any("the manifest lists the launch page 'index.html'" in line for line in errors)
    assert any("points at resource 'NOPE-" in line and "[scorm.bad_reference]" in line for line in errors)


def test_a_manifest_that_breaks_the_schema_is_invalid(built: dict[str, Path], tmp_path: Path) -> None:
    with zipfile.ZipFile(built["scorm12"]) as package:
        manifest = package.read("imsmanifest.xml").decode()
    bad = manifest.replace("<organizations ", "<organisations ", 1).replace("</organizations>", "</organisations>")
    result = invoke("validate", rezip(built["scorm12"], tmp_path / "pkg.zip", {"imsmanifest.xml": bad.encode()}))
    assert result.exit_code == 1
    assert any("breaks the SCORM 1.2 schema" in line and "organisations" in line and "[scorm.schema]" in line
               for line in lines_of(result, "error"))


def test_a_zipped_folder_is_told_to_zip_its_contents(built: dict[str, Path], tmp_path: Path) -> None:
    nested = tmp_path / "nested.zip"
    with zipfile.ZipFile(built["scorm12"]) as old, zipfile.ZipFile(nested, "w") as new:
        for info in old.infolist():
            new.writestr(f"course/{info.filename}", old.read(info))
    [line] = lines_of(invoke("validate", nested), "error")
    assert "imsmanifest.xml is in 'course/', not at the root" in line and line.endswith("[scorm.no_manifest]")


def test_an_unlisted_file_warns_and_fails_only_under_strict(built: dict[str, Path], tmp_path: Path) -> None:
    extra = tmp_path / "extra.zip"
    shutil.copy(built["scorm12"], extra)
    with zipfile.ZipFile(extra, "a") as package:
        package.writestr("notes/draft.txt", "left behind")
    relaxed, strict = invoke("validate", extra), invoke("validate", extra, "--strict")
    assert relaxed.exit_code == 0 and strict.exit_code == 1
    [line] = lines_of(relaxed, "warning")
    assert "'notes/draft.txt' is in the package but no resource lists it" in line
    assert line.endswith("[scorm.unlisted_file]")


def test_a_damaged_zip_is_named(built: dict[str, Path], tmp_path: Path) -> None:
    cut = tmp_path / "cut-scorm12.zip"
    cut.write_bytes(built["scorm12"].read_bytes()[:5000])
    [line] = lines_of(invoke("validate", cut), "error")
    assert "not a readable zip archive" in line and line.endswith("[scorm.not_zip]")


def test_a_pdf_cut_in_half_is_invalid(built: dict[str, Path], tmp_path: Path) -> None:
    half = tmp_path / "half.pdf"
    data = built["pdf"].read_bytes()
    half.write_bytes(data[: len(data) // 2])
    result = invoke("validate", half)
    assert result.exit_code == 1
    errors = lines_of(result, "error")
    assert errors[0].startswith(f"{half}: error: the file stops before its end-of-file marker: it was cut short")
    assert errors[0].endswith("[pdf.truncated]")


def minimal_pdf(text: str) -> bytes:
    """A one-page PDF as a plain writer makes it: Helvetica not embedded, no tags, no bookmarks, no title."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>", None,
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    stream = f"BT /F1 12 Tf 20 100 Td ({text}) Tj ET".encode()
    objects[3] = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream)
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_a_plain_pdf_is_told_what_it_lacks(tmp_path: Path) -> None:
    plain = tmp_path / "plain.pdf"
    plain.write_bytes(minimal_pdf("Hello"))
    result = invoke("validate", plain)
    assert result.exit_code == 1
    [error] = lines_of(result, "error")
    assert error == (f"{plain}: error: font 'Helvetica' is not embedded: the PDF looks different on machines "
                     "without it, and print shops refuse it [pdf.font_not_embedded]")
    codes = sorted(re.findall(r"\[(pdf\.[a-z_]+)\]$", line)[0] for line in lines_of(result, "warning"))
    assert codes == ["pdf.no_language", "pdf.no_outline", "pdf.no_title", "pdf.untagged"]


def test_what_is_not_an_output_is_named_and_usage_errors_exit_2(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    result = invoke("validate", notes)
    assert result.exit_code == 1 and "not a PDF, an EPUB, a SCORM, cmi5 or Tin Can zip" in result.stderr
    missing = invoke("validate", tmp_path / "nope.epub")
    assert missing.exit_code == 2 and f"{tmp_path / 'nope.epub'}: no such file or folder" in missing.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    assert invoke("validate", empty).exit_code == 2
    assert invoke("validate").exit_code == 2


# ----------------------------------------------------------------------------- --runtime, in Chromium

@pytest.mark.slow
def test_runtime_runs_every_sco_of_good_packages(built: dict[str, Path], tmp_path: Path) -> None:
    course = create_course(tmp_path / "multi", NewCourse("Multi", "en", "Ana"))[0].parent
    multi, _ = build_one(course, tmp_path / "out", "scorm2004", ".zip", mode="multi")
    result = invoke("validate", "--runtime", built["scorm12"], multi)
    assert result.exit_code == 0, result.stderr
    assert "valid: SCORM 1.2, 1 SCO(s)" in result.stdout and "run in Chromium" in result.stdout
    assert "valid: SCORM 2004, 2 SCO(s)" in result.stdout


@pytest.mark.slow
def test_runtime_names_a_sco_that_never_starts(built: dict[str, Path], tmp_path: Path) -> None:
    broken = rezip(built["scorm12"], tmp_path / "pkg.zip", {"runtime.js": b"throw new Error('runtime broke');\n"})
    plain = invoke("validate", broken)
    assert plain.exit_code == 0  # the package itself is well-formed: only running it shows the fault
    result = invoke("validate", "--runtime", broken)
    assert result.exit_code == 1
    errors = lines_of(result, "error")
    assert any("'index.html' never called LMSInitialize within 15 s" in line and "[scorm.runtime]" in line
               for line in errors)
    assert any("script error in 'index.html': runtime broke" in line for line in errors)
