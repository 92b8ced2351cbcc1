"""Shared fixtures: project paths, a reporter, and where the shared acceptance material lives."""
from __future__ import annotations

from pathlib import Path

import pytest

from exporter.diagnostics import Reporter

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
SHARED = ROOT.parent / "shared"
ACCEPTANCE = SHARED / "acceptance" / "course"

needs_shared = pytest.mark.skipif(not ACCEPTANCE.is_dir(), reason="../shared/acceptance is not beside this "
                                  "checkout (only CI and the team's machines have it)")


@pytest.fixture
def reporter() -> Reporter:
    return Reporter()
