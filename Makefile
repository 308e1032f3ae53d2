# `make run` opens flashapp on its default collection; `make test` runs the suite.
# Both create .venv on first use. constraints.txt pins every tested version (torch 2.13.0, CPU build).
PY ?= python3
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: run test lint bench

# The build backend goes in first, so the editable install builds without an isolated environment of its
# own (4 s of CPU). pip compiles the 10,000 installed modules to bytecode one at a time (35 of the
# set-up's 65 s on 2 cores); compileall does the same on every core (about 20 s). Like pip, it skips the
# few files that are not Python 3.11 (torch's tests of newer syntax), hence `|| true`.
PIP := $(VENV)/bin/pip install --quiet --disable-pip-version-check --no-compile -c constraints.txt

$(STAMP): pyproject.toml constraints.txt
	test -x $(VENV)/bin/python || $(PY) -m venv $(VENV)
	$(PIP) hatchling editables
	$(PIP) --no-build-isolation -e '.[test]'
	$(VENV)/bin/python -m compileall -qq -j 0 "$$($(VENV)/bin/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))')" || true
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/flashapp

# The project's bytecode is compiled once before the suite (0.3 s), so the tests' many `python -m flashapp`
# processes do not each compile what they import; pytest may cache its rewritten test modules even where
# PYTHONDONTWRITEBYTECODE is set, so a second `make test` skips that step (about 5 s a worker).
test: $(STAMP)
	$(VENV)/bin/ruff check flashapp engine tests benchmarks
	$(VENV)/bin/python -m compileall -q -j 0 flashapp engine
	PYTHONDONTWRITEBYTECODE= $(VENV)/bin/python -m pytest -n 2 --dist loadfile

lint: $(STAMP)
	$(VENV)/bin/ruff check flashapp engine tests benchmarks
	$(VENV)/bin/ruff format --check flashapp engine tests benchmarks

bench: $(STAMP)
	$(VENV)/bin/python benchmarks/collection_ops.py
	$(VENV)/bin/python benchmarks/study_queue.py
