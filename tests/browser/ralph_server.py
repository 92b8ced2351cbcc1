"""Serve Ralph's LRS app (ralph.api:app) with uvicorn, as `ralph runserver -b fs` does, minus its reloader.

One difference, on purpose: Ralph 5.1's file-system LRS backend writes each statement request with the
backend's default operation, CREATE, which refuses to touch fs_lrs.jsonl once it exists: every POST after the
first answers 500 ("already exists and overwrite is not allowed"). Its APPEND operation is the one an LRS needs,
so this runner makes it the default. Everything else (validation, storage, queries) is Ralph's own code.
Usage: python -m browser.ralph_server PORT (settings come from RALPH_* environment variables)."""
from __future__ import annotations

import sys

import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

FSLRSBackend.default_operation_type = BaseOperationType.APPEND

if __name__ == "__main__":
    uvicorn.run("ralph.api:app", host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
