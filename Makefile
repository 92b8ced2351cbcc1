# The two set-up commands (README): `make build` and `make test`. Each installs what it needs first.
.PHONY: setup build test test-fast bench bench-catalog fuzz fuzz-properties

setup:
	@bash scripts/setup.sh

# Dates inside the outputs come from the last commit, so a rebuild of the same commit is byte-identical.
build: setup
	SOURCE_DATE_EPOCH=$$(git log -1 --format=%ct 2>/dev/null) .venv/bin/exporter build content --out build

# The whole suite, slow real-browser and full-corpus tests included (what CI runs).
# Property tests run derandomized (hypothesis profile `ci`): the same result on every run.
test: setup
	HYPOTHESIS_PROFILE=ci .venv/bin/python -m pytest -n 2 -q

# Everything but the slow tests, for the edit-test loop.
test-fast: setup
	.venv/bin/python -m pytest -n 2 -q -m "not slow"

# Long, randomized property tests (hypothesis profile `fuzz`, 40 times the examples); not part of CI.
fuzz-properties: setup
	HYPOTHESIS_PROFILE=fuzz .venv/bin/python -m pytest -q tests/test_properties.py tests/test_files.py

bench: setup
	.venv/bin/python benchmarks/bench_build.py

# A catalog of 20 courses x 20 lessons on a LocalCluster of 1 and of 2 workers (alternated, medians of 3 cold
# runs each), its warm rerun, and one long course's PDF laid out in parts on 1 and 2 workers (docs/catalog.md).
bench-catalog: setup
	.venv/bin/python benchmarks/bench_catalog.py

# Not part of CI: generated and mutated courses through tree and build for FUZZ_MINUTES; every finding is saved
# as tests/fixtures/hostile/fuzz-*.json, which the test suite replays (tests/test_hostile.py). FUZZ_SEED repeats a run.
FUZZ_MINUTES ?= 30
FUZZ_SEED ?= $$(date +%s)
fuzz: setup
	PYTHONPATH=tests .venv/bin/python -m fuzz.run --minutes $(FUZZ_MINUTES) --seed $(FUZZ_SEED)
