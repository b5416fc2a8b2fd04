# The two commands a new user types (see README.md):
#   make run    set everything up and start JourneyDesk (WORKSPACE=file.jdesk to open a file)
#   make test   set everything up and run the whole test suite with the lint contracts
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run test bench lint clean-venv installer check-installer

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
	$(BIN)/vulture

test: lint
	bash scripts/install-system-deps.sh --tests
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest

bench: setup
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev,bench]"
	bash scripts/install-system-deps.sh --tests
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/run.py

# The one-folder bundle (build_installer.spec, docs/installer.md) in dist/journeydesk/, and a
# headless run of the built executable: --version, import-map, export to .xlsx and .pdf.
installer: setup
	$(BIN)/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build build_installer.spec

check-installer: installer
	QT_QPA_PLATFORM=offscreen $(BIN)/python scripts/check_bundle.py dist/journeydesk

clean-venv:
	rm -rf $(VENV)
