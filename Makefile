# The two commands a fresh machine needs: `make run` and `make test`. Both install first.
VENV ?= .venv
PY := $(VENV)/bin/python
ARGS ?=

.PHONY: setup run test accuracy soak demo bench lint clean

setup:
	@scripts/setup.sh $(VENV)

run: setup
	$(PY) -m bridge run $(ARGS)

# Three workers, one test file each at a time: most e2e time is real-time audio, so other files
# run in its waits (on two cores: 116-122 s with three, 139 s with two, 121 s with four). Files
# go out in the order they are collected, so the longest, the demo recordings, starts first.
# `make test ARGS="-n 0"` runs everything in this process.
test: setup
	$(PY) -m pytest -n 3 --dist loadfile --no-loadscope-reorder $(ARGS)

accuracy: setup
	$(PY) scripts/asr_accuracy.py $(ARGS)

# 10,000 mutated offers, 32 concurrent connects, 200 sessions; resources before/after.
soak: setup
	$(PY) scripts/soak.py $(ARGS)

# The shipped scenario, recorded with sound into recordings/ (replacing an earlier one).
demo: setup
	$(PY) -m bridge demo scripts/demo-scenario.yaml --out recordings --force $(ARGS)

# Latency, throughput and scale with real sessions: a table, and the figures in bench.json.
bench: setup
	$(PY) -m pip install -q psutil
	$(PY) scripts/bench.py $(ARGS)

lint: setup
	$(PY) -m pip install -q ruff mypy
	$(PY) -m ruff check bridge tests scripts
	$(PY) -m mypy

clean:
	rm -rf $(VENV) recordings bench.json build dist *.egg-info
