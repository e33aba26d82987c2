# The two commands: `make demo` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: install demo test lint typecheck bench screenshots clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: install  ## simulator + real pollers + model + web UI on http://127.0.0.1:8080/
	$(BIN)/careline demo --port $${PORT:-8080}

# Two workers halve the waits (servers, browsers, killed processes) on 2 cores; a whole file goes to one
# worker so its module fixtures (a loaded model, a running demo) are built once. TEST_WORKERS=0 runs serially.
TEST_WORKERS ?= 2

test: install  ## lint, types, then the whole test suite
	$(BIN)/ruff check .
	$(BIN)/mypy careline listener classifiers responder platforms
	$(BIN)/pytest -p no:cacheprovider -n $(TEST_WORKERS) --dist loadfile

lint: install
	$(BIN)/ruff check .

typecheck: install
	$(BIN)/mypy careline listener classifiers responder platforms

bench: install  ## benchmarks print their figures; see README "Benchmarks"
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/classify.py
	$(BIN)/python benchmarks/queue_latency.py
	$(BIN)/python benchmarks/web.py

screenshots: install  ## re-take docs/screenshots/*.png from the browser tests (needs /usr/bin/chromium)
	CARELINE_SCREENSHOTS=1 $(BIN)/pytest -p no:cacheprovider -q tests/browser

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
