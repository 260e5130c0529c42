# The two commands of the README's quick start: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
CORE   := $(VENV)/.installed-core
DEV    := $(VENV)/.installed-dev

.PHONY: demo test bench venv clean

# the demo needs the package alone; tests and benchmarks need every extra
$(CORE): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@touch $(CORE)

$(DEV): $(CORE)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(DEV)

venv: $(DEV)

demo: $(CORE)
	$(BIN)/python examples/demo.py

test: $(DEV)
	$(BIN)/python -m pytest -n auto

bench: $(DEV)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache .hypothesis
