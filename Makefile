# The two commands a fresh machine needs: `make run` and `make test`. Both install first.
VENV ?= .venv
PY := $(VENV)/bin/python
ARGS ?=

.PHONY: setup run test test-fast accuracy lint clean

setup:
	@scripts/setup.sh $(VENV)

run: setup
	$(PY) -m bridge run $(ARGS)

test: setup
	$(PY) -m pytest $(ARGS)

lint: setup
	$(PY) -m pip install -q ruff mypy
	$(PY) -m ruff check bridge tests scripts
	$(PY) -m mypy

clean:
	rm -rf $(VENV) recordings bench.json
