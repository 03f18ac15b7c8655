# The two commands of the README: `make demo` and `make test`. Each creates .venv if needed.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_OUT ?= demo-out
DEMO_CUSTOMERS ?= 100000

.PHONY: install demo test bench docs clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[all,dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/govex demo --out $(DEMO_OUT) --customers $(DEMO_CUSTOMERS)

# One worker per logical CPU (pytest-xdist; `auto` would count physical cores, one on many 2-vCPU
# runners), four at most: the few long test folders spread no further. tests/conftest.py runs each
# test folder whole on one worker.
test: $(STAMP)
	$(BIN)/python -m pytest -q -n logical --maxprocesses 4

bench: $(STAMP)
	for f in bench/*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

docs: $(STAMP)
	$(BIN)/python -m govex.docs

clean:
	rm -rf $(VENV) $(DEMO_OUT) .pytest_cache
