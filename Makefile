# Zhucun — the two commands: `make run` (set up, demo data, serve) and `make test` (the whole suite).
SHELL := /bin/bash
# A Python whose sqlite3 can load extensions (SpatiaLite): Debian's and Ubuntu's /usr/bin/python3 can.
PYTHON ?= /usr/bin/python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run setup system system-test venv messages makemessages test lint format bench clean

run: setup
	$(BIN)/python manage.py check_database
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	HOST=$(HOST) PORT=$(PORT) BIN=$(BIN) scripts/serve.sh

setup: system venv messages

system:
	scripts/install-system.sh run

system-test:
	scripts/install-system.sh test

venv: $(BIN)/.installed

$(BIN)/.installed: requirements.txt requirements-dev.txt build-constraints.txt
	@$(PYTHON) -c "import sqlite3; sqlite3.connect(':memory:').enable_load_extension(True)" 2>/dev/null || \
	  { echo "$(PYTHON) 的 sqlite3 不能加载扩展 (SpatiaLite) / cannot load SQLite extensions: set PYTHON=/usr/bin/python3"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# pyproj 3.6 first, with its own build constraint (Cython < 3.1); pyogrio 0.13 needs Cython >= 3.1.
	$(BIN)/pip install -q --build-constraint build-constraints.txt --no-binary pyproj $$(grep '^pyproj==' requirements.txt)
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

messages: venv
	$(BIN)/python manage.py compilemessages --ignore=.venv -v0

# Refresh one catalogue: `make makemessages APP=fieldwork` (APP=. for the shared templates in templates/).
makemessages: venv
	cd $(APP) && $(CURDIR)/$(BIN)/python $(CURDIR)/manage.py makemessages -l zh_Hans --no-obsolete --add-location=file \
	  --ignore=.venv --ignore=tests --ignore=bench --ignore=var $(if $(filter .,$(APP)),--ignore=villages --ignore=fieldwork --ignore=grievances --ignore=projects --ignore=maps --ignore=reports --ignore=offline,)

test: system-test setup
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: setup
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var/zhucun.sqlite3 var/static
