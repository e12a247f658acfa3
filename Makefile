# ckanext-khtourism — the two commands of the Quick start are `make run` and
# `make test`; everything else here is what they are made of.
#
# Dependencies are pinned in requirements.txt (the one list). The project itself is
# installed in editable mode for development (`pip install -e .`: tracebacks, --pdb and
# editors open the repository's files, and an edit needs no reinstall) and as the built
# wheel when CI=true (what is tested is what ships); INSTALL_MODE=wheel|editable chooses.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
# Arguments for pytest, e.g. `make test ARGS="-k search -x"`
ARGS   ?=
ifeq ($(CI),true)
INSTALL_MODE ?= wheel
else
INSTALL_MODE ?= editable
endif

.PHONY: run test install lint format clean-var help i18n

help:
	@echo "make run    - serve the portal at http://127.0.0.1:$(PORT) (embedded PostgreSQL and Redis)"
	@echo "make test   - run the whole test suite"
	@echo "make lint   - ruff and mypy"
	@echo "make i18n   - extract the translatable strings into theme/i18n and update the catalogues"
	@echo "make install - the project, editable (CI=true or INSTALL_MODE=wheel: the built wheel)"

# The virtualenv is rebuilt when requirements.txt changes.
$(BIN)/.requirements-installed: requirements.txt
	@$(PYTHON) -c 'import sys; v=sys.version_info[:2]; sys.exit(0 if (3,10)<=v<=(3,12) else "Python 3.10-3.12 is required, found %d.%d" % v)'
	@sh deployment/ensure-system-packages.sh $(PYTHON)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24" wheel
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

# The project itself. editable: setuptools' editable wheel (its default, "lenient" mode)
# maps ckanext.khtourism and the top-level harvesters/, schemas/ and theme/ folders onto
# their package names through an import hook, so every module, template and schema is read
# from the repository; reinstalled only when the packaging changes (setup.py,
# pyproject.toml) or another install replaced it. wheel: built into dist/ and installed
# on every call (seconds), so what runs is exactly what ships.
install: $(BIN)/.requirements-installed
ifeq ($(INSTALL_MODE),wheel)
	rm -rf dist build
	$(BIN)/python -m pip wheel --quiet --no-deps --no-build-isolation --wheel-dir dist .
	$(BIN)/python -m pip install --quiet --no-deps --force-reinstall dist/ckanext_khtourism-*.whl
	@rm -rf build ckanext_khtourism.egg-info
else
	@if [ setup.py -nt $(BIN)/.editable-installed ] || [ pyproject.toml -nt $(BIN)/.editable-installed ] \
	    || ! $(BIN)/python -m ckanext.khtourism.local install-mode --expect editable >/dev/null 2>&1; then \
	  echo "$(BIN)/python -m pip install --no-deps --no-build-isolation --editable ."; \
	  $(BIN)/python -m pip install --quiet --no-deps --no-build-isolation --force-reinstall --editable . \
	    && touch $(BIN)/.editable-installed; \
	fi
	@rm -rf build ckanext_khtourism.egg-info
endif

# An editable install reads the .mo catalogues beside the .po files (setup.py compiles them
# at install); they are compiled again whenever a catalogue is newer, so an edited .po is
# what `make run` and `make test` show without a reinstall.
I18N_MO := $(patsubst %.po,%.mo,$(wildcard theme/i18n/*/LC_MESSAGES/*.po))
ifneq ($(INSTALL_MODE),wheel)
install: $(I18N_MO)
endif
theme/i18n/%.mo: theme/i18n/%.po $(BIN)/.requirements-installed
	$(BIN)/pybabel compile -i $< -o $@

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

# Translations (docs/architecture.md, "Translations"): every msgid of the Python code and
# the templates into the template theme/i18n/ckanext-khtourism.pot, merged into each
# catalogue theme/i18n/<lang>/LC_MESSAGES/ckanext-khtourism.po, compiled beside it for the
# editable install. The .mo files are compiled by the build (setup.py), not kept in git.
I18N_DIR    := theme/i18n
I18N_DOMAIN := ckanext-khtourism
i18n: $(BIN)/.requirements-installed
	$(BIN)/pybabel extract -F babel.cfg -k N_ -c TRANSLATORS: --add-location=file --sort-output \
		--ignore-dirs='.* ._ var build bench tests' \
		--project=$(I18N_DOMAIN) --copyright-holder="ckanext-khtourism contributors" \
		-o $(I18N_DIR)/$(I18N_DOMAIN).pot .
	$(BIN)/pybabel update -i $(I18N_DIR)/$(I18N_DOMAIN).pot -d $(I18N_DIR) -D $(I18N_DOMAIN) \
		--no-fuzzy-matching
	$(BIN)/pybabel compile --statistics -d $(I18N_DIR) -D $(I18N_DOMAIN)

clean-var:
	rm -rf var
