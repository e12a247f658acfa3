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

.PHONY: run test install lint format clean-var help i18n

help:
	@echo "make run    - serve the portal at http://127.0.0.1:$(PORT) (embedded PostgreSQL and Redis)"
	@echo "make test   - run the whole test suite"
	@echo "make lint   - ruff and mypy"
	@echo "make i18n   - extract the translatable strings into theme/i18n and update the catalogues"

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

# Translations (docs/architecture.md, "Translations"): every msgid of the Python code and
# the templates into the template theme/i18n/ckanext-khtourism.pot, merged into each
# catalogue theme/i18n/<lang>/LC_MESSAGES/ckanext-khtourism.po. The .mo files are
# compiled by the build (setup.py), not kept in git.
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
	rm -f $(I18N_DIR)/*/LC_MESSAGES/*.mo

clean-var:
	rm -rf var
