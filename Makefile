# ckanext-khtourism — the two commands of the Quick start are `make run` and
# `make test`; everything else here is what they are made of.
#
# Dependencies are pinned in requirements.txt (the one list); the project is
# installed as a normal distribution (`pip install .`), not in editable mode.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
# Arguments for pytest, e.g. `make test ARGS="-k search -x"`
ARGS   ?=

.PHONY: run test install lint format clean-var help

help:
	@echo "make run    - serve the portal at http://127.0.0.1:$(PORT) (embedded PostgreSQL and Redis)"
	@echo "make test   - run the whole test suite"
	@echo "make lint   - ruff and mypy"

# The virtualenv is rebuilt when requirements.txt changes.
$(BIN)/.requirements-installed: requirements.txt
	@$(PYTHON) -c 'import sys; v=sys.version_info[:2]; sys.exit(0 if (3,10)<=v<=(3,12) else "Python 3.10-3.12 is required, found %d.%d" % v)'
	@sh deployment/ensure-system-packages.sh $(PYTHON)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24" wheel
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

# Reinstall the project itself (a real, non-editable install) on every call:
# it takes seconds and guarantees that what runs is what `pip install .` gives.
install: $(BIN)/.requirements-installed
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation --force-reinstall .
	@rm -rf build

run: install
	PORT=$(PORT) $(BIN)/python -m ckanext.khtourism.local run --root .

test: install
	$(BIN)/python -m ckanext.khtourism.local test --root . $(ARGS)

lint: $(BIN)/.requirements-installed
	$(BIN)/ruff check ckanext-khtourism harvesters tests bench
	$(BIN)/ruff format --check ckanext-khtourism harvesters tests bench
	$(BIN)/python .ci/typecheck.py

format: $(BIN)/.requirements-installed
	$(BIN)/ruff check --fix ckanext-khtourism harvesters tests bench
	$(BIN)/ruff format ckanext-khtourism harvesters tests bench

clean-var:
	rm -rf var
