# Two commands on a fresh machine: `make demo` and `make test`. Both build .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench score clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

PORT ?= 8000

# A fresh embedded store of the sample corpus, an editor account to try corrections with,
# then the web app and API at http://localhost:$(PORT)/ until Ctrl-C.
demo: $(STAMP)
	rm -f demo.db demo.db-wal demo.db-shm
	$(BIN)/hoptac ingest corpus/sample --db demo.db
	HOPTAC_PASSWORD=hoptac-demo $(BIN)/hoptac user add demo --role editor --db demo.db
	@echo "demo editor: log in as demo / hoptac-demo"
	$(BIN)/hoptac serve --db demo.db --port $(PORT)

test: $(STAMP)
	$(BIN)/python -m pytest

# Quality as evaluation measures it: the seed portal pages and the real news articles beside the
# project (../shared), and the sample corpus that ships with it.
SHARED ?= ../shared
score: $(STAMP)
	@echo "== seeds ($(SHARED)/corpus/seeds)"
	@$(BIN)/hoptac extract $(SHARED)/corpus/seeds | $(BIN)/python $(SHARED)/eval/score.py $(SHARED)/corpus/seeds.gold.jsonl /dev/stdin
	@echo "== sample (corpus/sample)"
	@$(BIN)/hoptac extract corpus/sample | $(BIN)/python $(SHARED)/eval/score.py corpus/sample.gold.jsonl /dev/stdin
	@echo "== real ($(SHARED)/corpus/real)"
	@$(BIN)/hoptac extract $(SHARED)/corpus/real | $(BIN)/python $(SHARED)/eval/score.py $(SHARED)/corpus/real.gold.jsonl /dev/stdin

bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python bench/extract_speed.py
	$(BIN)/python bench/store_scale.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis test-artifacts demo.db*
