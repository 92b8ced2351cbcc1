"""Wall time and peak memory of a command together with every process it starts (workers included).

Resident memory is summed over the command's whole process tree (its children, theirs, ...), sampled from
/proc every 50 ms: a process pool's workers count, and so does the forkserver they come from.
"""
from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024
SAMPLE_SECONDS = 0.05


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mib: int
    returncode: int


def run(command: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> Run:
    """Run `command` to the end (output discarded); its wall time and the peak resident memory of its tree."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    while process.poll() is None:
        peak = max(peak, tree_rss_kib(process.pid))
        time.sleep(SAMPLE_SECONDS)
    return Run(time.perf_counter() - start, peak // 1024, process.returncode)


def tree_rss_kib(root: int) -> int:
    """Resident KiB of `root` and all its descendants, now."""
    parent_of, rss = {}, {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
            pages = int(Path(entry.path, "statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue  # the process ended while we looked
        # /proc/PID/stat: "pid (comm) state ppid ...", and comm may hold spaces or parentheses.
        parent_of[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
        rss[int(entry.name)] = pages * PAGE_KIB
    children: dict[int, list[int]] = {}
    for pid, parent in parent_of.items():
        children.setdefault(parent, []).append(pid)
    total, pending = 0, [root]
    while pending:
        pid = pending.pop()
        total += rss.get(pid, 0)
        pending += children.get(pid, [])
    return total
