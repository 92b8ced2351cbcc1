"""cmi5 and Tin Can (xAPI) zips, judged as an LMS imports them: cmi5.xml or tincan.xml at the root and valid
against the schemas exporter ships, every AU or activity launching a page the package has, and every local
file those pages load present."""
from __future__ import annotations

import zipfile
from pathlib import Path

from lxml import etree

from exporter.exporters.xapi.schemas import validate as schema_errors
from exporter.validate import Finding, Verdict, error
from exporter.validate.scorm import _launch_page_findings, _member, _is_remote

STRUCTURES = {"cmi5.xml": ("cmi5", "url"), "tincan.xml": ("tincan", "launch")}
"""Structure file at the zip root -> (schema kind, the element naming a launch page)."""


def structure_of(names: set[str]) -> str | None:
    """The structure file a zip carries at its root, if it is a cmi5 or Tin Can package."""
    return next((name for name in STRUCTURES if name in names), None)


def check_xapi(path: Path) -> Verdict:
    try:
        with zipfile.ZipFile(path) as archive:
            names = {name for name in archive.namelist() if not name.endswith("/")}
            structure = structure_of(names)
            kind, launch_tag = STRUCTURES[structure]
            label = "cmi5" if kind == "cmi5" else "xAPI"
            findings, launches = _structure_findings(archive, structure, kind, launch_tag, names)
            facts = f"{label} package, {structure} schema-valid, {launches} launch page(s), {len(names)} files"
            return Verdict(path, label, tuple(findings), facts)
    except (zipfile.BadZipFile, OSError) as exc:
        return Verdict(path, "xAPI", (error("xapi.not_zip", f"not a readable zip archive ({exc}); build it again"),))


def _structure_findings(archive: zipfile.ZipFile, structure: str, kind: str, launch_tag: str,
                        names: set[str]) -> tuple[list[Finding], int]:
    """What is wrong with the structure file and the pages it launches, and how many launch pages it names."""
    document = archive.read(structure)
    try:
        root = etree.fromstring(document)
    except etree.XMLSyntaxError as exc:
        return [error("xapi.structure", f"{structure} is not well-formed XML ({exc})")], 0
    findings = [error("xapi.schema", f"{structure} is not valid: {problem}", structure)
                for problem in schema_errors(document, kind)[:5]]
    launches = [element for element in root.iter()
                if isinstance(element.tag, str) and etree.QName(element).localname == launch_tag]
    for element in launches:
        target = (element.text or "").strip()
        if _is_remote(target):
            continue
        member = _member("", target)
        if member not in names:
            findings.append(error("xapi.missing_launch", f"{structure} launches '{target}', which the package "
                                  "does not have", f"{structure}:{element.sourceline}"))
        else:
            findings += _launch_page_findings(archive, member, names)
    return findings, len(launches)
