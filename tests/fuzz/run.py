"""`make fuzz FUZZ_MINUTES=30`: generated and mutated courses through exporter for a given time.

Each case runs in a worker process (`python -m fuzz.worker`) that the driver kills, with its pandoc,
when a case passes HANG_SECONDS: that is a hang finding. Every finding (traceback, hang, leak, misleading
diagnostic; see oracle.py) is shrunk a little and saved as tests/fixtures/hostile/fuzz-*.json, which
tests/test_hostile.py replays in CI. Deterministic for a given --seed.
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import random
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from fuzz.cases import case_size, save_case
from fuzz.grammar import course as grammar_course
from fuzz.mutate import mutated_course, seed_files

ROOT = Path(__file__).resolve().parents[2]
FINDINGS = ROOT / "tests" / "fixtures" / "hostile"
HANG_SECONDS, HANG_SECONDS_PER_MB = 60, 400
"""A case may take a minute plus 400 s per MB of input (tree and a three-format build of a 500 KB lesson of
one-word tokens take about 150 s): linear work passes, quadratic work on even 100 KB does not."""


class Worker:
    """One `fuzz.worker` process in its own process group; asked one case at a time."""

    def __init__(self) -> None:
        env = dict(os.environ, PYTHONPATH=str(ROOT / "tests"))
        self.process = subprocess.Popen([sys.executable, "-m", "fuzz.worker"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, env=env, start_new_session=True, text=True)

    def run(self, case_path: Path, formats: list[str], timeout: float) -> dict | None:
        """The worker's judgement, or None when it did not answer in time (it is then killed)."""
        self.process.stdin.write(json.dumps({"case": str(case_path), "formats": formats}) + "\n")
        self.process.stdin.flush()
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        line = self.process.stdout.readline() if ready else ""
        if not line:
            self.kill()
            return None
        return json.loads(line)

    def kill(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGKILL)  # the worker and any pandoc it started
        except ProcessLookupError:
            pass
        self.process.wait()


def make_case(index: int, seed: int, seeds: list[Path]) -> dict:
    rng = random.Random(f"{seed}-{index}")
    case = grammar_course(rng) if index % 2 == 0 else mutated_course(rng, seeds)
    case["found"] = f"fuzz seed {seed} case {index}"
    return case


class Fuzzer:
    def __init__(self, seed: int, findings: Path, pdf_every: int) -> None:
        self.seed, self.findings, self.pdf_every = seed, findings, pdf_every
        self.worker = Worker()
        self.tmp = Path(tempfile.mkdtemp(prefix="exporter-fuzz-"))
        self.seen: set[str] = {json.loads(p.read_text()).get("signature", "") for p in findings.glob("fuzz-*.json")}
        self.counts: Counter = Counter()
        self.saved: list[Path] = []

    def judge(self, case: dict, formats: list[str]) -> list[dict]:
        path = self.tmp / "case.json"
        save_case(case, path)
        limit = HANG_SECONDS + HANG_SECONDS_PER_MB * case_size(case) / 1e6
        result = self.worker.run(path, formats, limit)
        if result is None:
            self.worker = Worker()
            return [{"kind": "hang", "detail": f"no answer within {limit:.0f} s", "signature": "hang"}]
        return result["problems"]

    def one(self, index: int, seeds: list[Path]) -> None:
        case = make_case(index, self.seed, seeds)
        formats = ["epub", "scorm12", "scorm2004"] + (["pdf"] if self.pdf_every and index % self.pdf_every == 0 else [])
        problems = self.judge(case, formats)
        self.counts["cases"] += 1
        for problem in problems:
            self.counts[problem["kind"]] += 1
            if problem["signature"] not in self.seen:
                self.seen.add(problem["signature"])
                self.keep(case, formats, problem)

    def keep(self, case: dict, formats: list[str], problem: dict) -> None:
        case = shrink(case, lambda c: any(p["signature"] == problem["signature"] for p in self.judge(c, formats)))
        case.update(problem=problem["detail"][:500], signature=problem["signature"], formats=formats)
        name = f"fuzz-{problem['kind']}-{hashlib.sha1(problem['signature'].encode()).hexdigest()[:10]}.json"
        save_case(case, self.findings / name)
        self.saved.append(self.findings / name)
        print(f"  finding: {problem['kind']}: {problem['detail'][:200]} -> {name}", flush=True)


def shrink(case: dict, still_fails, attempts: int = 16) -> dict:
    """Drop files, then halves of each text file, while the same problem still shows (a few tries only)."""
    for _ in range(attempts):
        smaller = _smaller(case)
        for candidate in smaller:
            if still_fails(candidate):
                case = candidate
                break
        else:
            return case
    return case


def _smaller(case: dict) -> list[dict]:
    """Candidates one step smaller: without one of the files, or with one file cut to a half."""
    files = case.get("files", [])
    out = [dict(case, files=files[:i] + files[i + 1:]) for i in range(len(files)) if len(files) > 1]
    for i, entry in enumerate(files):
        for half in _halves(entry):
            out.append(dict(case, files=files[:i] + [half] + files[i + 1:]))
    return out[:6]


def _halves(entry: dict) -> list[dict]:
    if len(entry.get("text", "")) > 200:
        text = entry["text"]
        return [dict(entry, text=text[:len(text) // 2]), dict(entry, text=text[len(text) // 2:])]
    data = base64.b64decode(entry["b64"]) if "b64" in entry else b""
    if len(data) > 200:
        return [dict(entry, b64=base64.b64encode(piece).decode("ascii"))
                for piece in (data[:len(data) // 2], data[len(data) // 2:])]
    return []


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=int(time.time()) % 100000)
    parser.add_argument("--findings", type=Path, default=FINDINGS)
    parser.add_argument("--pdf-every", type=int, default=0, help="add the PDF to one case in N (default 0: never; WeasyPrint is slow)")
    args = parser.parse_args()
    seeds = seed_files(ROOT)
    fuzzer = Fuzzer(args.seed, args.findings, args.pdf_every)
    start, index = time.monotonic(), 0
    print(f"fuzz: seed {args.seed}, {args.minutes:g} min, findings in {args.findings}", flush=True)
    try:
        while time.monotonic() - start < args.minutes * 60:
            fuzzer.one(index, seeds)
            index += 1
            if index % 25 == 0:
                print(f"  {index} cases, {time.monotonic() - start:.0f} s, {dict(fuzzer.counts)}", flush=True)
    finally:
        fuzzer.worker.kill()
        shutil.rmtree(fuzzer.tmp, ignore_errors=True)
    elapsed = time.monotonic() - start
    print(f"fuzz: {fuzzer.counts['cases']} cases in {elapsed / 60:.1f} min; problems: "
          f"{ {k: v for k, v in fuzzer.counts.items() if k != 'cases'} or 'none'}; new findings: {len(fuzzer.saved)}")
    return 1 if fuzzer.saved else 0


if __name__ == "__main__":
    sys.exit(main())
