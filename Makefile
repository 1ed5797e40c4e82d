# Two commands: `make demo` and `make test`. Everything they need is installed here.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_PORT ?= 54329
PG_URL := postgres://doudi@127.0.0.1:$(PG_PORT)/doudi
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PYTEST_ARGS ?=

.PHONY: demo test lint test-sqlite test-pg system-deps pg-start pg-stop bench clean

$(BIN)/.installed: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test,spark]'
	touch $@

# Debian packages: PostgreSQL for the second test database, chromium and CJK fonts for
# the browser tests, Java for Spark. Installed only when missing.
system-deps:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	[ -d /usr/share/fonts/opentype/noto ] || missing="$$missing fonts-noto-cjk"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v java >/dev/null || missing="$$missing default-jre-headless"; \
	if [ -n "$$missing" ]; then \
	  echo "安装系统依赖:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

pg-start: system-deps
	@bash scripts/pg.sh start $(PG_PORT)

pg-stop:
	@bash scripts/pg.sh stop $(PG_PORT)

demo: $(BIN)/.installed
	$(BIN)/doudi demo

test: system-deps $(BIN)/.installed
	$(MAKE) lint
	$(MAKE) test-sqlite
	$(MAKE) test-pg

# Format and lint (ruff); the architecture contracts run with the tests (tests/test_architecture.py).
lint: $(BIN)/.installed
	$(BIN)/ruff format --check doudi bench tests conftest.py
	$(BIN)/ruff check doudi bench tests conftest.py

test-sqlite: $(BIN)/.installed
	DATABASE_URL=sqlite:///$(CURDIR)/data/test.sqlite3 $(BIN)/pytest $(PYTEST_ARGS)

test-pg: pg-start $(BIN)/.installed
	DATABASE_URL=$(PG_URL) $(BIN)/pytest $(PYTEST_ARGS)

bench: $(BIN)/.installed pg-start
	PG_URL=$(PG_URL) $(BIN)/python -m bench.import_bench
	$(BIN)/python -m bench.rules_bench

clean:
	rm -rf $(VENV) data build *.egg-info
