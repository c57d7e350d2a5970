# Two commands do all the set-up on a machine with Python 3.11 and pip:
#   make run   - serve the API on http://127.0.0.1:8000 over SQLite, with a demo ledger
#   make test  - lint, format check, mypy --strict and the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: run test install lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	LEDGER_DEMO=1 $(BIN)/ledger migrate
	LEDGER_DEMO=1 $(BIN)/ledger serve

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	$(BIN)/pytest -n 2 --dist loadgroup -m "not fuzz"
	$(BIN)/pytest -n 2 -m fuzz

bench: $(STAMP)
	$(BIN)/python bench/append.py
	$(BIN)/python bench/rebuild.py
	$(BIN)/python bench/http.py
	$(BIN)/python bench/clocks.py
	$(BIN)/python bench/kpis.py
	$(BIN)/python bench/claims.py
	$(BIN)/python bench/statements.py
	$(BIN)/python bench/parts.py
	$(BIN)/python bench/stock_query.py
	$(BIN)/python bench/penalty_query.py
	$(BIN)/python bench/penalty_assessment.py
	$(BIN)/python bench/verify.py
	$(BIN)/python bench/export.py
	$(BIN)/python bench/customers.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache *.egg-info
