# The two commands a new user types (see README.md):
#   make run    set everything up and start JourneyDesk (WORKSPACE=file.jdesk to open a file)
#   make test   set everything up and run the whole test suite with the lint contracts
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run test bench lint clean-venv

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt scripts/install-system-deps.sh
	bash scripts/install-system-deps.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip==26.3"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

run: setup
	$(BIN)/journeydesk $(WORKSPACE)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/lint-imports

test: lint
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest

bench: setup
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/run.py

clean-venv:
	rm -rf $(VENV)
