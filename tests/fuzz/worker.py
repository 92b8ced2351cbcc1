"""The fuzz driver's worker: reads {"case": path, "formats": [...]} lines, answers with the oracle's judgement."""
from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from fuzz.cases import load_case
from fuzz.oracle import run_case


def main() -> None:
    for line in sys.stdin:
        request = json.loads(line)
        workdir = Path(tempfile.mkdtemp(prefix="exporter-case-"))
        started = time.monotonic()
        try:
            outcome = run_case(load_case(Path(request["case"])), workdir, tuple(request["formats"]))
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        answer = {"problems": [asdict(p) for p in outcome.problems], "exit_codes": outcome.exit_codes,
                  "seconds": round(time.monotonic() - started, 2)}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
