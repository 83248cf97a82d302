# Corridor: `make run` starts the embedded system, `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install bench-install messages secrets lint migrate demo clean audit lock

$(BIN)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c requirements.lock -e ".[test]"
	touch $@

install: $(BIN)/.installed

$(BIN)/.bench-installed: $(BIN)/.installed
	$(BIN)/pip install --quiet --disable-pip-version-check -c requirements.lock -e ".[test,bench]"
	touch $@

bench-install: $(BIN)/.bench-installed

# Development secrets live in var/secrets/ (git-ignored). Existing ones are
# kept: a new encryption key would make the local database unreadable.
secrets: install
	@mkdir -p var && chmod 700 var  # the database and broker files: nobody else's business
	$(BIN)/python -m config.devkeys

migrate: secrets
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py seed_demo

# Worker and beat run on kombu's filesystem transport (var/celery), so the
# embedded default needs no Redis. They stop when the server stops.
# Threaded workers: a sync worker receiving a 50 MB file over a slow phone
# connection would be killed after gunicorn's 30 s timeout.
# The demo's portal sends requests to the team seed_demo names, unless PORTAL_TEAM says otherwise.
run: demo
	$(eval export PORTAL_TEAM ?= $(shell cat var/demo_portal_team))
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py check_keys
	@echo "Starting Celery worker and beat (filesystem broker under var/celery)"
	@$(BIN)/celery -A config worker --beat --pool=solo --loglevel=WARNING \
		--schedule var/celerybeat-schedule & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	echo "Corridor is at http://$(HOST):$(PORT)/"; \
	$(BIN)/gunicorn config.wsgi --bind $(HOST):$(PORT) --workers 2 --worker-class gthread --threads 4 --access-logfile - \
		--access-logformat '%(t)s "%(m)s %(U)s" %(s)s %(L)ss'

test: secrets
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports  # the layer contract in pyproject.toml
	$(BIN)/bandit -q -r accounts audit config core crypto drafts evacuations intake ops referrals reminders \
		retention stats network conversations portal evidence \
		-x '*/migrations/*'
	$(BIN)/python manage.py makemigrations --check --dry-run --verbosity 0
	$(BIN)/pytest $(PYTEST_ARGS)

# Known vulnerabilities in the locked packages (needs an advisory service).
audit: install
	$(BIN)/python .ci/audit_dependencies.py

# Re-pin every package to the newest release pyproject.toml allows.
lock:
	rm -rf var/lock-venv && $(PYTHON) -m venv var/lock-venv
	var/lock-venv/bin/pip install --quiet --disable-pip-version-check -e ".[test,bench]"
	{ sed -n '1,/^[^#]/{/^#/p}' requirements.lock; \
	  var/lock-venv/bin/pip freeze --exclude-editable; } > requirements.lock.new
	mv requirements.lock.new requirements.lock && rm -rf var/lock-venv

# Refresh the Russian catalogue after marking strings (needs GNU gettext);
# translate what it flags in locale/ru/LC_MESSAGES/django.po, then run it again.
messages: install
	$(BIN)/python manage.py makemessages -l ru --ignore=.venv --ignore=var --ignore=bench --ignore=tests --ignore=mutants
	$(BIN)/python manage.py compilemessages -l ru --ignore=.venv --ignore=var --ignore=mutants

lint: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var/staticfiles var/celery var/celerybeat-schedule
