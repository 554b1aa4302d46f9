# sujt — the two commands are `make run` and `make test`; the rest are helpers.
#
# Every target works with no environment variable set (SQLite, local-memory cache, Celery tasks run
# eagerly). DATABASE_URL / REDIS_URL and the other variables of README.md are used when they are set.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
RUN_ADDR ?= 127.0.0.1:8000
# Two pytest-xdist workers on a two-core machine. With REDIS_URL set the suite runs in one process:
# parallel test processes would share one Redis database, where one test's cache.clear() (FLUSHDB)
# wipes the other's cache entries and broker queue. `make test PYTEST_ARGS="-x tests/core"` runs a part.
PYTEST_ARGS ?= $(if $(REDIS_URL),,-n 2)
CHROMIUM := /usr/bin/chromium

# Without a secret key the local commands run in development mode (DEBUG on, generated dev key);
# a deployment sets DJANGO_SECRET_KEY and gets DEBUG off unless it asks for it. pytest is left alone:
# the settings recognise the test runner themselves.
ifndef DJANGO_SECRET_KEY
DEV := DJANGO_DEBUG=$${DJANGO_DEBUG:-1}
endif
MANAGE := $(DEV) $(PY) manage.py

RUNTIME_STAMP := $(VENV)/.installed-runtime
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: help run install install-dev test check lint format chromium migrate seed worker beat clean

help:
	@echo "make run      创建 .venv、安装依赖、迁移数据库、生成演示数据，并在 http://$(RUN_ADDR) 启动"
	@echo "make test     安装测试依赖和 chromium，运行 check、makemigrations --check 与全部测试"
	@echo "make lint     ruff check + ruff format --check"
	@echo "make migrate / seed / worker / beat / clean"

$(PY):
	$(PYTHON) -m venv $(VENV)

# The stamps make a second `make run` skip pip when the requirements did not change.
$(RUNTIME_STAMP): requirements.txt | $(PY)
	$(PIP) install -q -r requirements.txt
	@touch $@

$(DEV_STAMP): requirements.txt requirements-dev.txt | $(PY)
	$(PIP) install -q -r requirements-dev.txt
	@touch $(RUNTIME_STAMP) $@

install: $(RUNTIME_STAMP)

install-dev: $(DEV_STAMP)

# The zero-setup demo: DEBUG on (runserver serves the static files) unless DJANGO_DEBUG says otherwise.
run: install
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py seed_demo
	@echo "==> 苏检通已启动：http://$(RUN_ADDR)/  （工作台 /dashboard/，监管端 /admin/；Ctrl-C 停止）"
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py runserver $(RUN_ADDR)

migrate: install
	$(MANAGE) migrate --noinput

seed: migrate
	$(MANAGE) seed_demo

# Browser tests drive Debian's chromium. As root with apt-get it is installed when missing
# (with CJK fonts so screenshots are readable); otherwise the target says what to install.
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "==> 安装 Debian chromium 与 fonts-noto-cjk（浏览器测试需要）"; \
	    apt-get update -qq; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	  else \
	    echo "浏览器测试需要 Debian 的 chromium（$(CHROMIUM)）：请以 root 运行 apt-get install chromium fonts-noto-cjk 后重试。" >&2; \
	    echo "Browser tests need Debian's chromium at $(CHROMIUM): run 'sudo apt-get install chromium fonts-noto-cjk'." >&2; \
	    exit 1; \
	  fi; \
	fi
	@test -x $(CHROMIUM)

check: install-dev
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run

test: install-dev chromium
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: install-dev
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

# Without REDIS_URL there is no broker: tasks already run inside the web process (eager mode), so a
# worker or beat would have nothing to consume. Say so instead of idling on an in-memory queue.
NO_BROKER_NOTE = echo "REDIS_URL 未设置：后台任务在 Web 进程内同步执行，无需单独启动 $(1)。"; \
	echo "要使用 Redis 与后台任务：REDIS_URL=redis://127.0.0.1:6379/0 make run，另开终端 REDIS_URL=... make $(1)"

worker: install
	@if [ -z "$${REDIS_URL:-}" ]; then $(call NO_BROKER_NOTE,worker); \
	else $(DEV) $(VENV)/bin/celery -A sujt worker --loglevel=INFO; fi

beat: install
	@if [ -z "$${REDIS_URL:-}" ]; then $(call NO_BROKER_NOTE,beat); \
	else $(DEV) $(VENV)/bin/celery -A sujt beat --loglevel=INFO \
	  --schedule=$${CELERY_BEAT_SCHEDULE_FILE:-$(VENV)/celerybeat-schedule}; fi

# Removes what the commands generated (.venv, caches, collected static files); keeps the database
# and uploaded files. Delete db.sqlite3 yourself to start the demo from scratch.
clean:
	rm -rf $(VENV) staticfiles test-results .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -not -path './.git/*' -exec rm -rf {} +
