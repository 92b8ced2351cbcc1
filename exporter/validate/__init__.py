"""`exporter validate`: judge built files as the places they go to would (an e-reader store, an LMS, a print
shop), with the reference tools: epubcheck for EPUB, the official XSDs for SCORM, a PDF reread by pypdf.

Each file gets a Verdict: what it is, what was found, a line of facts. Errors make a file invalid; warnings
are questionable (an untagged PDF, an unlisted file in a package) and fail only under --strict.
"""
from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

SUFFIXES = (".pdf", ".epub", ".zip")
"""What a folder given to validate is searched for: the files `exporter build` writes."""


@dataclass(frozen=True, slots=True)
class Finding:
    severity: str
    """'error' (the file is not valid) or 'warning' (questionable; fails only under --strict)."""
    message: str
    code: str
    """`area.problem`, as diagnostics have; for epubcheck's own messages, its message id (`epubcheck.RSC-007`)."""
    where: str = ""
    """Inside the file, when the tool says: a member and line (`EPUB/nav.xhtml:12:5`), a page."""

    def format(self, file: str | Path) -> str:
        """Compiler style: `FILE: error: message (where) [code]`."""
        inside = f" ({self.where})" if self.where else ""
        return f"{file}: {self.severity}: {self.message}{inside} [{self.code}]"


def error(code: str, message: str, where: str = "") -> Finding:
    return Finding("error", message, code, where)


def warning(code: str, message: str, where: str = "") -> Finding:
    return Finding("warning", message, code, where)


@dataclass(frozen=True, slots=True)
class Verdict:
    path: Path
    kind: str
    """What the file was judged as: 'PDF', 'EPUB', 'SCORM 1.2', 'SCORM 2004', or '?' when it is none."""
    findings: tuple[Finding, ...]
    facts: str = ""
    """What was seen, for the 'valid' line: pages, bookmarks, SCOs, the checker's version."""

    def count(self, severity: str) -> int:
        return sum(1 for finding in self.findings if finding.severity == severity)

    def valid(self, strict: bool = False) -> bool:
        return not self.count("error") and not (strict and self.count("warning"))


def artifacts_in(paths: list[Path]) -> list[Path]:
    """The files to judge: each file as given; for a folder (`build/`), the PDFs, EPUBs and zips in it."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES)
        else:
            found.append(path)
    return found


def validate(path: Path, runtime: bool = False) -> Verdict:
    """Judge one built file by what it is (its bytes first, its name second)."""
    try:
        return _validate(path, runtime)
    except OSError as exc:
        return Verdict(path, "?", (error("validate.unreadable", f"cannot be read: {exc.strerror or exc}"),))


def _validate(path: Path, runtime: bool) -> Verdict:
    kind = kind_of(path)
    if kind == "pdf":
        from exporter.validate.pdf import check_pdf
        return check_pdf(path)
    if kind == "epub":
        from exporter.validate.epub import check_epub
        return check_epub(path)
    if kind == "scorm":
        from exporter.validate.scorm import check_scorm
        return check_scorm(path, runtime)
    if kind == "xapi":
        from exporter.validate.xapi import check_xapi
        return check_xapi(path)
    return Verdict(path, "?", (error("validate.unknown", "not a PDF, an EPUB, a SCORM, cmi5 or Tin Can zip; exporter validate "
                                     "judges the files `exporter build` writes"),))


def kind_of(path: Path) -> str:
    """'pdf', 'epub', 'scorm', 'xapi' (cmi5 or Tin Can) or '' from the file's first bytes and members; a damaged file is judged by its
    name, so that the checker for its kind says what is wrong with it."""
    with path.open("rb") as handle:
        head = handle.read(5)
    if head == b"%PDF-":
        return "pdf"
    if zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
                if "mimetype" in names and archive.read("mimetype").strip() == b"application/epub+zip":
                    return "epub"
                if any(name == "imsmanifest.xml" or name.endswith("/imsmanifest.xml") for name in names):
                    return "scorm"
                if "cmi5.xml" in names or "tincan.xml" in names:
                    return "xapi"
        except (zipfile.BadZipFile, OSError, KeyError):
            pass
    return {".pdf": "pdf", ".epub": "epub", ".zip": "scorm"}.get(path.suffix.lower(), "")
