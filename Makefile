# zwgk — the two commands that matter: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint bench golden clean install

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "zwgk 需要 Python 3.11 或更高版本")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/zwgk demo

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check zwgk_cli tests benchmarks
	$(BIN)/ruff format --check zwgk_cli tests benchmarks
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

golden: $(STAMP)
	ZWGK_REGEN_GOLDEN=1 $(BIN)/python -m pytest -q tests -k golden

clean:
	rm -rf $(VENV) demo build dist .pytest_cache .mypy_cache .ruff_cache
