# Two commands for a fresh machine: `make demo` and `make test` (see README.md).
VENV ?= .venv
BIN := $(VENV)/bin
SAMPLE := samples/xialu-2022-excerpt.txt

.PHONY: setup demo test lint browser bench eval data clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml scripts/requirements-data.txt
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/pip install --quiet --no-deps -r scripts/requirements-data.txt
	touch $@

demo: setup
	$(BIN)/projectmap build $(SAMPLE)

lint: setup
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

# Debian's Chromium for the browser tests (as root); without it those tests are skipped.
browser:
	apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk

# Scores on the dev corpus of real texts (../shared/eval/dev): pooled, then one line per text.
eval: setup
	python3 ../shared/eval/score_corpus.py --projectmap $(BIN)/projectmap --verbose

# China's admin data (src/projectmap/data/) from the packaged sources; tests/test_china.py checks it.
data: setup
	$(BIN)/python scripts/china_data.py

bench: setup
	$(BIN)/python bench/bench.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
