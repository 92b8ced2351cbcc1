"""SCORM 1.2 / 2004 zips, judged as an LMS imports them: imsmanifest.xml at the root and valid against the
official XSDs (the ones exporter ships), every item pointing at a resource, every file the manifest lists
present, every launch page's own files present, and (with --runtime) each SCO run in Chromium."""
from __future__ import annotations

import posixpath
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import etree
from lxml import html as lxml_html

from exporter.errors import ExportError
from exporter.exporters.scorm.schemas import validate_manifest
from exporter.validate import Finding, Verdict, error, warning

MANIFEST = "imsmanifest.xml"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
NAMESPACES = {"1.2": "http://www.imsproject.org/xsd/imscp_rootv1p1p2", "2004": "http://www.imsglobal.org/xsd/imscp_v1p1"}
ADLCP = {"1.2": "http://www.adlnet.org/xsd/adlcp_rootv1p2", "2004": "http://www.adlnet.org/xsd/adlcp_v1p3"}
CONTROL_FILES = (".xsd", ".dtd")
"""Schema files at the package root: the control documents SCORM puts beside the manifest, never listed in it."""
REFERENCING = {"script": "src", "link": "href", "img": "src", "source": "src", "video": "src", "audio": "src",
               "iframe": "src", "embed": "src", "a": "href"}
"""The elements of a launch page whose targets must be in the package when they are local."""


@dataclass(frozen=True)
class Sco:
    """A launchable resource: the page the LMS opens."""

    item: str
    launch: str
    """Path inside the package, without query or fragment."""
    href: str
    """As the manifest writes it, parameters included (what the LMS opens)."""


def check_scorm(path: Path, runtime: bool = False) -> Verdict:
    try:
        with zipfile.ZipFile(path) as archive:
            return _check_archive(path, archive, runtime)
    except (zipfile.BadZipFile, OSError) as exc:
        return Verdict(path, "SCORM", (error("scorm.not_zip", f"not a readable zip archive ({exc}); an LMS "
                                             "refuses it: the file is damaged or cut short, build it again"),))


def _check_archive(path: Path, archive: zipfile.ZipFile, runtime: bool) -> Verdict:
    names = {name for name in archive.namelist() if not name.endswith("/")}
    damaged = archive.testzip()
    if damaged is not None:
        return Verdict(path, "SCORM", (error("scorm.damaged", f"member '{damaged}' is damaged (its checksum does "
                                             "not match): build the package again"),))
    if MANIFEST not in names:
        return Verdict(path, "SCORM", (_no_manifest(names),))
    manifest = archive.read(MANIFEST)
    try:
        root = etree.fromstring(manifest)
    except etree.XMLSyntaxError as exc:
        return Verdict(path, "SCORM", (error("scorm.manifest_xml", f"imsmanifest.xml is not well-formed XML: "
                                             f"{exc.msg}", f"{MANIFEST}:{exc.lineno}"),))
    version = scorm_version(root)
    if version is None:
        return Verdict(path, "SCORM", (error("scorm.version", "imsmanifest.xml is neither SCORM 1.2 nor SCORM "
                                             f"2004 (its root element is {root.tag})", MANIFEST),))
    findings = _schema_findings(manifest, version)
    scos, listed, sco_findings = _resources(root, version, names)
    findings += sco_findings
    findings += _unlisted(names, listed, root)
    for sco in scos:
        if sco.launch in names:
            findings += _launch_page_findings(archive, sco.launch, names)
    if runtime and scos and not any(f.severity == "error" for f in findings):
        from exporter.validate.runtime import run_scos
        findings += run_scos(archive, version, scos)
    facts = f"SCORM {version}, {len(scos)} SCO(s), {len(names)} files, manifest schema-valid"
    return Verdict(path, f"SCORM {version}", tuple(findings), facts + (", run in Chromium" if runtime else ""))


def scorm_version(root: etree._Element) -> str | None:
    """'1.2' or '2004' from the manifest's namespace (what the schema binds), else None."""
    namespace = etree.QName(root).namespace
    return next((version for version, uri in NAMESPACES.items() if uri == namespace), None)


def _no_manifest(names: set[str]) -> Finding:
    nested = sorted(name for name in names if name.endswith("/" + MANIFEST))
    if nested:
        return error("scorm.no_manifest", f"imsmanifest.xml is in '{posixpath.dirname(nested[0])}/', not at the "
                     "root of the zip, so an LMS finds no course: zip the folder's contents, not the folder")
    return error("scorm.no_manifest", "no imsmanifest.xml at the root of the zip: this is not a SCORM package")


def _schema_findings(manifest: bytes, version: str) -> list[Finding]:
    try:
        problems = validate_manifest(manifest, version)
    except ExportError as exc:
        return [error("validate.no_schemas", str(exc))]
    findings = []
    for problem in problems:
        line, _, message = problem.partition(": ")
        findings.append(error("scorm.schema", f"imsmanifest.xml breaks the SCORM {version} schema: {message}",
                              f"{MANIFEST}:{line.removeprefix('line ')}"))
    return findings


def _resources(root: etree._Element, version: str, names: set[str]) -> tuple[list[Sco], set[str], list[Finding]]:
    """The SCOs (items with a launchable resource), every file the manifest lists, and what is wrong."""
    ns = {"cp": NAMESPACES[version]}
    findings: list[Finding] = []
    listed: set[str] = set()
    resources = {}
    base = root.find("cp:resources", ns)
    for resource in root.iterfind("cp:resources/cp:resource", ns):
        ident = resource.get("identifier", "")
        resources[ident] = resource
        prefix = _join_base(base.get(XML_BASE, "") if base is not None else "", resource.get(XML_BASE, ""))
        for element in [resource, *resource.iterfind("cp:file", ns)]:
            href = element.get("href")
            if not href or _is_remote(href):
                continue
            member = _member(prefix, href)
            listed.add(member)
            if member not in names:
                what = "launch page" if element is resource else "file"
                findings.append(error("scorm.missing_file", f"the manifest lists the {what} '{member}' (resource "
                                      f"{ident}) but the package has no such file: an LMS shows a broken page",
                                      f"{MANIFEST}:{element.sourceline}"))
    scos = []
    for item in root.iterfind(".//cp:item[@identifierref]", ns):
        ref = item.get("identifierref", "")
        resource = resources.get(ref)
        if resource is None:
            findings.append(error("scorm.bad_reference", f"item {item.get('identifier')} points at resource '{ref}', "
                                  "which the manifest does not have", f"{MANIFEST}:{item.sourceline}"))
            continue
        href = resource.get("href")
        if not href:
            findings.append(error("scorm.no_launch", f"resource {ref} (item {item.get('identifier')}) has no href: "
                                  "the LMS has nothing to open", f"{MANIFEST}:{resource.sourceline}"))
            continue
        if not _is_remote(href):
            prefix = _join_base(base.get(XML_BASE, "") if base is not None else "", resource.get(XML_BASE, ""))
            scos.append(Sco(item.get("identifier", ""), _member(prefix, href),
                            prefix + href + (item.get("parameters") or "")))
    return scos, listed, findings


def _unlisted(names: set[str], listed: set[str], root: etree._Element) -> list[Finding]:
    """Files in the zip that no resource lists: LMSes that copy only listed files lose them."""
    metadata = {(element.text or "").strip() for element in root.iter() if etree.QName(element).localname == "location"}
    extra = sorted(name for name in names - listed - metadata - {MANIFEST}
                   if not ("/" not in name and name.lower().endswith(CONTROL_FILES)))
    return [warning("scorm.unlisted_file", f"'{name}' is in the package but no resource lists it: add it to a "
                    "resource's <file> list, or leave it out") for name in extra]


def _launch_page_findings(archive: zipfile.ZipFile, launch: str, names: set[str]) -> list[Finding]:
    """Every local file the launch page loads or links to must be in the package."""
    if not launch.lower().endswith((".html", ".htm", ".xhtml")):
        return []
    try:
        document = lxml_html.document_fromstring(archive.read(launch))
    except (etree.ParserError, ValueError):
        return [error("scorm.launch_page", f"launch page '{launch}' is empty or not HTML")]
    findings = []
    for element in document.iter(*REFERENCING):
        target = element.get(REFERENCING[element.tag])
        if not target or _is_remote(target) or target.startswith(("#", "data:", "javascript:", "about:")):
            continue
        member = _member(posixpath.dirname(launch), target)
        if member and member not in names:
            findings.append(error("scorm.broken_reference", f"launch page '{launch}' loads or links to "
                                  f"'{target}', which the package does not have", f"{launch}:{element.sourceline}"))
    return findings


def _join_base(*bases: str) -> str:
    joined = ""
    for base in bases:
        if base:
            joined = posixpath.join(joined, base)
    return joined if not joined or joined.endswith("/") else joined + "/"


def _member(prefix: str, href: str) -> str:
    """The zip member an href names: relative to `prefix`, without query or fragment, %-decoded."""
    path = unquote(urlsplit(href).path)
    return posixpath.normpath(posixpath.join(prefix, path)).lstrip("/") if path else ""


def _is_remote(href: str) -> bool:
    parts = urlsplit(href)
    return bool(parts.scheme and parts.scheme not in ("file",)) or href.startswith("//")
