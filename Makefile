# Two commands on a fresh clone: `make report` and `make test`. Everything else is internal.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.mlplab-installed
PROFILE ?= full

.PHONY: setup test report run render bench clean

# The venv is (re)built when missing, broken, or older than pyproject.toml.
$(STAMP): pyproject.toml
	@if ! $(BIN)/python -c 'import sys' >/dev/null 2>&1; then \
	  echo "creating $(VENV)"; rm -rf $(VENV); $(PYTHON) -m venv $(VENV); fi
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)

test: setup
	$(BIN)/python -m pytest -q

# Quarto is optional at install time: the PyPI quarto-cli downloads its binary while it builds,
# which needs the internet. When it cannot be had, `mlplab render` says how to get Quarto.
report: setup
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[text,transfer]'
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[report]' >/dev/null 2>&1 \
	  || echo "note: quarto-cli could not be installed here (it downloads Quarto from GitHub); rendering needs a 'quarto' on PATH"
	$(BIN)/mlplab data check nyse
	$(BIN)/mlplab data check maintenance
	$(BIN)/mlplab data check imdb
	$(BIN)/mlplab data check newsgroups
	$(BIN)/mlplab run --profile $(PROFILE)
	$(BIN)/mlplab render --to all

run: setup
	$(BIN)/mlplab run --profile $(PROFILE)

render: setup
	$(BIN)/mlplab render --to all

bench: setup
	$(BIN)/mlplab bench

clean:
	rm -rf _book _freeze report/_results report/*.ipynb report/figures report/_generated report/.failed report/.staging
