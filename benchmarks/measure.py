"""Wall time, CPU time and peak memory of a command together with every process it starts (workers included).

Resident memory is summed over the command's whole process tree (its children, theirs, ...), sampled from
/proc every 50 ms: a process pool's workers count, and so does the forkserver they come from. CPU time is
each process's own user + system time as last seen (so up to 50 ms of a process's life can be missed): on
a machine shared with others, wall time swings with their load, CPU time much less.
"""
from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024
TICKS = os.sysconf("SC_CLK_TCK")
SAMPLE_SECONDS = 0.05


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mib: int
    returncode: int
    cpu_seconds: float = 0.0


def run(command: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> Run:
    """Run `command` to the end (output discarded); its wall time, and the peak resident memory and CPU time
    of its tree."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak, cpu_ticks = 0, {}
    while process.poll() is None:
        rss, ticks = tree_sample(process.pid)
        peak = max(peak, rss)
        cpu_ticks.update(ticks)
        time.sleep(SAMPLE_SECONDS)
    return Run(time.perf_counter() - start, peak // 1024, process.returncode, sum(cpu_ticks.values()) / TICKS)


def tree_sample(root: int) -> tuple[int, dict[int, int]]:
    """Resident KiB of `root` and all its descendants, now, and each one's CPU ticks so far."""
    parent_of, rss, ticks = {}, {}, {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
            pages = int(Path(entry.path, "statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue  # the process ended while we looked
        # /proc/PID/stat: "pid (comm) state ppid ...", and comm may hold spaces or parentheses.
        fields = stat.rsplit(")", 1)[1].split()
        pid = int(entry.name)
        parent_of[pid] = int(fields[1])
        rss[pid] = pages * PAGE_KIB
        ticks[pid] = int(fields[11]) + int(fields[12])  # utime + stime
    children: dict[int, list[int]] = {}
    for pid, parent in parent_of.items():
        children.setdefault(parent, []).append(pid)
    total, pending, tree_ticks = 0, [root], {}
    while pending:
        pid = pending.pop()
        total += rss.get(pid, 0)
        tree_ticks[pid] = ticks.get(pid, 0)
        pending += children.get(pid, [])
    return total, tree_ticks
