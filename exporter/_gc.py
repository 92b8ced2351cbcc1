"""The cyclic garbage collector, paused while a build holds a course tree.

A course is hundreds of thousands of small dicts and lists (pandoc's JSON AST), almost none of them in a
reference cycle: reference counting frees them. The collector nevertheless traverses every one of them
each time its thresholds trip, which made up about a fifth of a build's CPU time (and most of the time
`json.loads` takes over pandoc's output). Memory is unchanged (measured: the same peak on the 100-lesson
course), so it is paused for the build and the few cycles left are collected once, after.
"""
from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the body with the cyclic collector off (a nested use leaves it as the outer one set it)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
            gc.collect()
