"""The accessibility checkers the suite runs on real outputs: DAISY Ace on EPUBs, axe-core on LMS pages.

Both are npm packages in tools/ (scripts/setup.sh installs them). Ace drives puppeteer, told to use Debian's
Chromium (PUPPETEER_EXECUTABLE_PATH): puppeteer's own browser download is skipped at install time.
`python tests/browser/a11y.py BUILD.epub|PACKAGE.zip ...` prints the counts by impact and rule."""
from __future__ import annotations

import collections
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

TOOLS = Path(__file__).resolve().parents[2] / "tools" / "node_modules"
ACE = TOOLS / ".bin" / "ace-cli"
AXE = TOOLS / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
BLOCKING = ("critical", "serious")
"""Impacts that fail a check (Ace and axe-core share axe's scale: minor, moderate, serious, critical)."""

Counts = collections.Counter
"""(impact, rule) -> number of findings."""


def ace(epub: Path, out: Path) -> tuple[Counts, dict]:
    """Run Ace on `epub`; the counts by (impact, rule) and the JSON report (also saved in `out`)."""
    env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": CHROMIUM}
    subprocess.run([str(ACE), "--force", "--silent", "--outdir", str(out), str(epub)], env=env, check=True,
                   timeout=900, capture_output=True)
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    counts: Counts = collections.Counter()
    for document in report["assertions"]:
        for finding in document["assertions"]:
            test = finding["earl:test"]
            counts[(test["earl:impact"], test["dct:title"])] += 1
    return counts, report


def ace_findings(report: dict, impacts: tuple[str, ...] = BLOCKING) -> list[str]:
    """One line per finding of the given impacts: document, rule, what Ace says; for a failing test's message."""
    lines = []
    for document in report["assertions"]:
        where = document["earl:testSubject"].get("url", "?")
        for finding in document["assertions"]:
            test = finding["earl:test"]
            if test["earl:impact"] in impacts:
                pointer = finding.get("earl:result", {}).get("earl:pointer", {}).get("css", [""])
                lines.append(f"{where}: {test['dct:title']} {pointer} {finding['earl:result'].get('dct:description', '')[:200]}")
    return lines


def axe(frame: Any) -> list[dict]:
    """axe-core's violations on the page in `frame` (a playwright Page or Frame), WCAG 2.x A and AA rules
    and best practices; each with its nodes' targets."""
    frame.evaluate(AXE.read_text(encoding="utf-8"))
    return frame.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ['violations']});
        return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary, impact: n.impact}))}));
    }""")


def axe_counts(violations: list[dict]) -> Counts:
    """Nodes found by (impact, rule)."""
    counts: Counts = collections.Counter()
    for violation in violations:
        for node in violation["nodes"]:
            counts[(node["impact"] or violation["impact"], violation["id"])] += 1
    return counts


def blocking(counts: Counts) -> Counts:
    return collections.Counter({key: n for key, n in counts.items() if key[0] in BLOCKING})


def package_pages(package: Path, into: Path) -> list[str]:
    """Unzip an LMS package; its HTML pages (launch pages), relative names, sorted."""
    with zipfile.ZipFile(package) as archive:
        archive.extractall(into)
    return sorted(p.relative_to(into).as_posix() for p in into.glob("*.html"))


def axe_package(browser: Any, package: Path, version: str) -> dict[str, list[dict]]:
    """axe-core on every launch page of a SCORM package, each opened in the LMS frame as a learner gets it."""
    from exporter import lms

    results = {}
    with tempfile.TemporaryDirectory(prefix="exporter-axe-") as tmp:
        pages = package_pages(package, Path(tmp))
        with lms.serve(Path(tmp)) as base:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            for name in pages:
                page, sco = lms.launch(context, base, version, name)
                sco.wait_for_function("() => window.exporterScorm !== undefined", timeout=10000)
                results[name] = axe(sco)
                page.close()
            context.close()
    return results


def _print(counts: Counts) -> None:
    for (impact, rule), n in sorted(counts.items()):
        print(f"  {impact:10} {rule:28} {n}")
    totals = collections.Counter()
    for (impact, _), n in counts.items():
        totals[impact] += n
    print("  total:", dict(sorted(totals.items())))


def main(paths: list[str]) -> None:
    for name in paths:
        path = Path(name)
        if path.suffix == ".epub":
            with tempfile.TemporaryDirectory() as out:
                counts, _ = ace(path, Path(out))
            print(f"Ace {path.name}:")
            _print(counts)
            continue
        from playwright.sync_api import sync_playwright

        from exporter.lms import CHROMIUM_ARGS

        version = "2004" if "2004" in path.name else "1.2"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            results = axe_package(browser, path, version)
            browser.close()
        total: Counts = collections.Counter()
        for page, violations in results.items():
            total += axe_counts(violations)
        print(f"axe-core {path.name} ({len(results)} pages):")
        _print(total)


if __name__ == "__main__":
    main(sys.argv[1:])
