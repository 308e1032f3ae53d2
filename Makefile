# `make run` opens flashapp on its default collection; `make test` runs the suite.
# Both create .venv on first use. constraints.txt pins every tested version (torch 2.13.0, CPU build).
PY ?= python3
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: run test lint bench

# uv installs the pinned set (pip would fetch, unpack and install one package after another: 93 s of the
# set-up's wall time against uv's 52 s, measured on a fresh clone with empty caches on 2 cores); it reads
# the same constraints.txt, and pip's local wheel folder (PIP_FIND_LINKS) where one is configured, so the
# CPU build of torch comes from there. compileall then compiles the installed modules to bytecode on every
# core (torch's few test files of newer syntax fail, as under pip, hence `|| true`).
PIP := $(VENV)/bin/pip install --quiet --disable-pip-version-check -c constraints.txt
UV := UV_FIND_LINKS="$${UV_FIND_LINKS:-$${PIP_FIND_LINKS:-}}" $(VENV)/bin/uv pip install --quiet \
	--python $(VENV)/bin/python -c constraints.txt

$(STAMP): pyproject.toml constraints.txt
	test -x $(VENV)/bin/python || $(PY) -m venv $(VENV)
	$(PIP) uv
	$(UV) -e '.[test]'
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
