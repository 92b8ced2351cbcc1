"""Where the npm tools exporter runs live (MathJax, HackMD's diagram libraries): `$EXPORTER_TOOLS/node_modules`,
else the repository's `tools/node_modules`, which scripts/setup.sh installs. An installed wheel has no tools/
folder: its users point EXPORTER_TOOLS at a folder where `npm ci` was run (docs/math.md, docs/diagrams.md)."""
from __future__ import annotations

import os
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
"""Debian's Chromium; playwright drives it (diagrams, `validate --runtime`) and never downloads a browser of its own."""
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]

TOOLS_ENV = "EXPORTER_TOOLS"
REPO_TOOLS = Path(__file__).resolve().parents[1] / "tools"


def node_modules() -> Path:
    """The node_modules folder to look in (it may not exist: each caller checks for its own packages)."""
    configured = os.environ.get(TOOLS_ENV)
    return (Path(configured).expanduser() if configured else REPO_TOOLS) / "node_modules"
