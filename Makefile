# Two entry points on a fresh clone: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test check lint format bench fuzz clean

$(BIN)/callblock: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

run: $(BIN)/callblock
	$(BIN)/callblock demo --if-empty
	$(BIN)/callblock

check: $(BIN)/callblock
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy

test: check
	$(BIN)/pytest -q

# The command-line fuzz test of `make test`, run longer (2,000 command lines, ~30 s).
fuzz: $(BIN)/callblock
	CALLBLOCK_FUZZ_EXAMPLES=$${CALLBLOCK_FUZZ_EXAMPLES:-2000} $(BIN)/pytest -q tests/test_cli_fuzz.py

format: $(BIN)/callblock
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(BIN)/callblock
	$(BIN)/python -m compileall -q src  # as an installed package is: no launch compiles a module
	$(BIN)/python scripts/bench.py
	$(BIN)/python scripts/bench_team.py
	$(BIN)/python scripts/bench_ssh.py
	$(BIN)/python scripts/bench_pg.py --sqlite-scan 20,30,40,50,100

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .bench
