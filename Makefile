# Two commands set everything up on a fresh Linux machine with Python 3.11+:
#   make demo   create .venv, install the pinned dependencies, find (or install) a Chromium,
#               crawl the bundled demo sites
#   make test   the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test check lint format install clean lock

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "error: Python 3.11 or newer is needed (run: make PYTHON=python3.11 ...)"; exit 1; }
	@test -x $(BIN)/python || { echo "creating the virtualenv $(VENV)…"; $(PYTHON) -m venv $(VENV); }
	@echo "installing the pinned dependencies into $(VENV) (about a minute, ~470 MB)…"
	@$(BIN)/python -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[dev]'
	@touch $(STAMP)
	@echo "installed: run $(BIN)/watchlist, or \`source $(BIN)/activate\` to have \`watchlist\` on PATH"

demo: $(STAMP)
	@echo "looking for a Chromium for the JavaScript ad site…"
	-@$(BIN)/python -m watchlist.chromium --install
	$(BIN)/watchlist demo

test: $(STAMP)
	$(BIN)/python -m pytest -q --numprocesses=auto --maxprocesses=4 --dist=loadfile

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy

check: lint test

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) watchlist.db watchlist.db-wal watchlist.db-shm

# Re-resolve the dependencies of pyproject.toml and pin them all in constraints.txt.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install -q --disable-pip-version-check '.[dev]'
	{ echo '# Every dependency pinned: `make lock` rewrites this file from a fresh resolve.'; \
	  .lock-venv/bin/python -m pip freeze --exclude otc-watchlist; } > constraints.txt
	rm -rf .lock-venv
