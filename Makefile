# frontdesk — every target creates the virtual environment it needs.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: venv run run-calcom test test-any-date lint typecheck bench clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## run: the demo server on the embedded default (SQLite file ./frontdesk.db, no other service)
run: venv
	$(BIN)/frontdesk serve

## run-calcom: Cal.com mode end to end: the emulator, the demo linked to it, and the server
## (frontdesk on :8000, the emulator on :8055; development only)
run-calcom: venv
	$(BIN)/frontdesk dev calcom-demo

## test: lint, type check and the whole test suite
test: venv
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/python -m pytest -n 2

## test-any-date: the tests again with the system clock shifted (libfaketime) to just before
## Berlin's spring DST jump and to the year's last hour; pytest arguments via ARGS=...
test-any-date: venv
	bash .ci/any-date $(ARGS)

lint: venv
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: venv
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
