# `make run` opens flashapp on its default collection; `make test` runs the suite.
# Both create .venv on first use. constraints.txt pins every tested version (torch 2.13.0, CPU build).
PY ?= python3
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: run test lint bench

$(STAMP): pyproject.toml constraints.txt
	test -x $(VENV)/bin/python || $(PY) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/flashapp

test: $(STAMP)
	$(VENV)/bin/ruff check flashapp engine tests benchmarks
	$(VENV)/bin/python -m pytest -n 2 --dist loadfile

lint: $(STAMP)
	$(VENV)/bin/ruff check flashapp engine tests benchmarks
	$(VENV)/bin/ruff format --check flashapp engine tests benchmarks

bench: $(STAMP)
	$(VENV)/bin/python benchmarks/collection_ops.py
	$(VENV)/bin/python benchmarks/study_queue.py
