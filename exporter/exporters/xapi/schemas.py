"""Schemas of cmi5.xml and tincan.xml (package data beside this module), and validation against them.

No registry package carries the official cmi5 CourseStructure.xsd or Rustici's tincan.xsd, so exporter ships
its own, written from the cmi5 specification's course structure tables and from the Tin Can package format
(each file's header says what it follows)."""
from __future__ import annotations

from functools import cache
from pathlib import Path

from lxml import etree

from exporter.errors import ExportError

SCHEMAS = Path(__file__).resolve().parent / "xsd"
SCHEMA_FILES = {"cmi5": "cmi5-course-structure.xsd", "tincan": "tincan.xsd"}


def validate(document: bytes, kind: str) -> list[str]:
    """Schema errors of a cmi5.xml ('cmi5') or tincan.xml ('tincan'); an empty list means valid."""
    schema = _compile(kind)
    if schema.validate(etree.fromstring(document)):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


@cache
def _compile(kind: str) -> etree.XMLSchema:
    path = SCHEMAS / SCHEMA_FILES[kind]
    if not path.is_file():
        raise ExportError(f"the {kind} schema {path} is missing: this exporter was installed without its package "
                          "data; install it again from its repository")
    return etree.XMLSchema(etree.parse(str(path)))
