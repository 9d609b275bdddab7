# Every target sets up .venv itself, so `make demo` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: setup system-deps demo test test-fast fuzz bench realworld clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "wirelint needs Python 3.11+"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

# graphviz (svg/png) and chromium (HTML page tests) are system packages; see the script for what it does.
system-deps:
	@sh scripts/install-system-deps.sh

demo: $(STAMP) system-deps
	$(BIN)/wirelint demo

test: $(STAMP) system-deps
	$(BIN)/python -m pytest

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m 'not slow'

# The fuzz tests with many more examples than CI's bounded run (about 10 minutes on 2 cores).
fuzz: $(STAMP)
	WIRELINT_FUZZ_EXAMPLES=$${WIRELINT_FUZZ_EXAMPLES:-2500} $(BIN)/python -m pytest -p no:cacheprovider tests/hardening/test_fuzz.py

bench: $(STAMP)
	$(BIN)/python bench/run.py

# wirelint on the pinned real-world corpus, compared with the reviewed verdicts (bench/realworld/README.md).
realworld: $(STAMP)
	$(BIN)/python bench/realworld/run.py --record

clean:
	rm -rf $(VENV) .wirelint_cache .pytest_cache .hypothesis bench/.work
