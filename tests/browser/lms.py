"""The tests' side of the LMS in `exporter.lms` (one implementation, shared with `exporter validate --runtime`):
launching also waits for exporter's own runtime, which the tests then drive."""
from __future__ import annotations

from typing import Any

from exporter import lms
from exporter.lms import CHROMIUM, CHROMIUM_ARGS, leave, read_to_end, serve

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "launch", "leave", "read_to_end", "serve"]


def launch(context: Any, base: str, version: str, launch_page: str, initial: dict | None = None) -> tuple[Any, Any]:
    """Open the LMS frame with one of our SCOs; returns (page, sco frame) once our runtime is up."""
    page, sco = lms.launch(context, base, version, launch_page, initial)
    sco.wait_for_function("() => window.exporterScorm !== undefined", timeout=10000)
    return page, sco
