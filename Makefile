# One task runner for people and CI. `make run` and `make test` are the README's two commands.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint venv system-deps bench audit clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

venv: $(BIN)/python
	$(BIN)/pip install --quiet -c requirements.lock ".[test,bench]"

# Debian's Chromium for the browser test; needs root (CI and the dev machines run as root).
system-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "install Debian's chromium (sudo apt-get install chromium) for the browser test"; fi; }

run: venv
	$(BIN)/drugkg build --out build
	$(BIN)/drugkg validate build
	$(BIN)/drugkg serve --data build --host $(HOST) --port $(PORT)

# Lint and types fail the build: ruff (rules and formatting), then mypy over drugkg/ and loaders/.
lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: venv system-deps lint
	$(BIN)/python -m pytest -q

bench: venv
	$(BIN)/pip install --quiet -c requirements.lock ".[bench]"
	$(BIN)/python -m bench.run

# Needs PyPI's JSON API and the OSV database; not reachable from every machine (see docs/reliability.md).
audit: venv
	$(BIN)/pip install --quiet pip-audit && $(BIN)/pip-audit -r requirements.lock --no-deps --disable-pip

clean:
	rm -rf build dist test-artifacts .pytest_cache
