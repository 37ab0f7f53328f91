# Power Forge: `make run` starts the app, `make test` runs the whole suite (both install what they need).
SHELL := /bin/bash
UV ?= $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
LLM_MODEL_NAME ?= $(shell sed -n 's/^LLM_EMBEDDED_MODEL=//p' .env 2>/dev/null | tail -1)
DEFAULT_MODEL := qwen2.5-1.5b-instruct
MODEL := $(if $(LLM_MODEL_NAME),$(LLM_MODEL_NAME),$(DEFAULT_MODEL))
TEST_MODEL := smollm2-135m-instruct

.PHONY: run run-cluster cluster-deps test setup uv env llm-env model test-deps system-test-deps lint bench clean-var

run: env ## install the app, then start it on http://127.0.0.1:8000 with the LLM server
	@# llm_server/ already built: bring it up to date now (a no-op unless its lock changed); on a fresh clone
	@# `serve` installs it and the chat model in the background instead (compiling llama.cpp takes minutes)
	@# while the app is up, and the pose model is pulled beside it (log var/logs/pose-model-pull.log)
	@if ls llm_server/.venv/lib/python*/site-packages/llama_cpp/__init__.py >/dev/null 2>&1; then $(MAKE) --no-print-directory llm-env; fi
	@mkdir -p var/logs; $(UV) run powerforge models pull blazepose-full >var/logs/pose-model-pull.log 2>&1 &
	UV=$(UV) $(UV) run powerforge serve

run-cluster: env cluster-deps ## PostgreSQL, Redis, Celery workers, two app processes behind nginx, one scheduler (docs/deploy.md); Ctrl-C stops all
	@if ls llm_server/.venv/lib/python*/site-packages/llama_cpp/__init__.py >/dev/null 2>&1; then $(MAKE) --no-print-directory llm-env; fi
	UV=$(UV) $(UV) run powerforge serve --cluster

cluster-deps: ## PostgreSQL, Redis and nginx from Debian (what run-cluster starts)
	@missing=""; \
	  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	  [ -x /usr/bin/redis-server ] || missing="$$missing redis-server"; \
	  [ -x /usr/sbin/nginx ] || missing="$$missing nginx"; \
	  if [ -n "$$missing" ]; then \
	    sudo=""; [ "$$(id -u)" = 0 ] || sudo="sudo"; \
	    echo "installing:$$missing"; \
	    $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing; \
	  fi

test: setup test-deps ## install what the tests need, then run every test (the browser suite twice: SQLite, then PostgreSQL)
	$(UV) run pytest
	PF_E2E_DATABASE=postgres $(UV) run pytest tests/e2e --ignore=tests/e2e/test_cluster_browser.py

setup: uv env llm-env

uv:
	@command -v uv >/dev/null 2>&1 || [ -x "$(HOME)/.local/bin/uv" ] || python3 -m pip install --user --quiet 'uv==0.13.8'

env: uv ## the app's environment (uv.lock)
	$(UV) sync --frozen

llm-env: uv ## llama-cpp-python's own environment (compiled once, portable: no -march=native)
	CMAKE_ARGS="-DGGML_NATIVE=OFF" $(UV) sync --frozen --project llm_server

model: env ## the embedded chat model and the BlazePose bundle, verified by sha256 (no-ops once installed)
	$(UV) run powerforge models pull $(MODEL)
	$(UV) run powerforge models pull blazepose-full

test-deps: system-test-deps env
	$(UV) run powerforge models pull $(TEST_MODEL)
	$(UV) run powerforge models pull $(DEFAULT_MODEL)
	$(UV) run powerforge models pull blazepose-full  # 1.5-3 min once (builds the .task bundle in a throwaway venv); BlazePose tests then run for real

system-test-deps: ## headless Chromium, PostgreSQL, PgBouncer, Redis, nginx and ffmpeg from Debian (browser, database, cluster and video tests)
	@missing=""; \
	  [ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	  [ -x /usr/bin/ffmpeg ] || missing="$$missing ffmpeg"; \
	  [ -x /usr/bin/redis-server ] || missing="$$missing redis-server"; \
	  [ -x /usr/sbin/nginx ] || missing="$$missing nginx"; \
	  [ -x /usr/sbin/pgbouncer ] || missing="$$missing pgbouncer"; \
	  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	  fc-list 2>/dev/null | grep -qi dejavu || missing="$$missing fonts-dejavu-core"; \
	  if [ -n "$$missing" ]; then \
	    sudo=""; [ "$$(id -u)" = 0 ] || sudo="sudo"; \
	    echo "installing:$$missing"; \
	    $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing; \
	  fi

lint: ## ruff, the import-layer contracts, the type: ignore count (must not rise) and mypy (pyproject.toml)
	$(UV) run ruff check . && $(UV) run ruff format --check .
	$(UV) run lint-imports
	$(UV) run python scripts/lint_types.py --max 33
	$(UV) run mypy

bench: ## every benchmark table (see bench/README.md)
	for b in bench/*.py; do echo "== $$b"; $(UV) run python $$b || exit 1; done

clean-var: ## delete the local data dir (database, uploads, models) — asks first
	@read -p "Delete ./var (database, uploads, installed models)? [y/N] " a; [ "$$a" = y ] && rm -rf var
