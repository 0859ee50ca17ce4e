# One task runner for people and CI. `make run` and `make test` are the README's two commands.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint venv kgx-venv system-deps jemalloc bench audit clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

venv: $(BIN)/python
	$(BIN)/pip install --quiet -c requirements.lock ".[test,bench]"

# Debian's Chromium for the browser test and Virtuoso for the store-recipe tests; needs root (CI and
# the dev machines run as root).
SYSTEM_PACKAGES := chromium:chromium virtuoso-t:virtuoso-opensource
# jemalloc for the query workers (drugkg/execution/allocator.py): about 17% less CPU a query.
# Optional: without it the workers use the system's malloc, and `drugkg serve` says so.
jemalloc:
	@ldconfig -p 2>/dev/null | grep -q libjemalloc.so.2 || { if [ "$$(id -u)" = 0 ]; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libjemalloc2 >/dev/null) \
	  || echo "libjemalloc2 could not be installed; the query workers use the system's malloc"; \
	  else echo "optional: sudo apt-get install libjemalloc2 (faster queries)"; fi; }

system-deps: jemalloc
	@missing=""; for pair in $(SYSTEM_PACKAGES); do \
	  command -v "$${pair%%:*}" >/dev/null 2>&1 || missing="$$missing $${pair#*:}"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "install Debian's$$missing (sudo apt-get install$$missing) for the browser and store tests"; fi; fi

# kgx and the Biolink Model in their own venv: kgx pins click<8.2 and pulls rdflib-jsonld, which
# would replace rdflib's JSON-LD plugins in the project's venv. Used by tests/build/test_export_kgx_validate.py.
KGX_VENV ?= .venv-kgx
$(KGX_VENV)/bin/python:
	$(PYTHON) -m venv $(KGX_VENV)
	$(KGX_VENV)/bin/pip install --quiet -r scripts/kgx-requirements.txt

kgx-venv: $(KGX_VENV)/bin/python

run: venv jemalloc
	$(BIN)/drugkg build --out build
	$(BIN)/drugkg validate build
	$(BIN)/drugkg serve --data build --host $(HOST) --port $(PORT)

# Lint and types fail the build: ruff (rules and formatting), then mypy over drugkg/ and loaders/.
lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: venv system-deps kgx-venv lint
	DRUGKG_KGX_PYTHON=$(abspath $(KGX_VENV))/bin/python $(BIN)/python -m pytest -q

bench: venv
	$(BIN)/pip install --quiet -c requirements.lock ".[bench]"
	$(BIN)/python -m bench.run

# Needs PyPI's JSON API and the OSV database; not reachable from every machine (see docs/reliability.md).
audit: venv
	$(BIN)/pip install --quiet pip-audit && $(BIN)/pip-audit -r requirements.lock --no-deps --disable-pip

clean:
	rm -rf build dist test-artifacts .pytest_cache
