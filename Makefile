# Two commands matter: `make run` (portal with demo data on SQLite) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DEV := DEBUG=1

.PHONY: run test install quality clean bench backup restore

$(BIN)/.installed: requirements/dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements/dev.txt
	touch $@

# axe-core for the browser tests' accessibility checks (test-only, never served).
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --silent

install: $(BIN)/.installed node_modules/.package-lock.json

run: install
	$(DEV) $(BIN)/python manage.py migrate --noinput
	$(DEV) $(BIN)/python manage.py seed_demo
	@echo "Portail : http://127.0.0.1:8000"
	$(DEV) $(BIN)/python manage.py runserver 127.0.0.1:8000

test: install
	$(BIN)/python -m pytest

# The benchmark on PostgreSQL at full volume (see README, Performance).
bench: install
	$(BIN)/python bench/run.py

# A copy of the whole database, and back (README, Security and operations). Settings come
# from the environment as for the portal: `make backup [FILE=…]`, `make restore FILE=…`.
backup: install
	$(BIN)/python manage.py backup $(if $(FILE),--output "$(FILE)")

restore: install
	@test -n "$(FILE)" || { echo "Usage : make restore FILE=backups/akto-….dump"; exit 2; }
	$(BIN)/python manage.py restore "$(FILE)"

quality: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(DEV) $(BIN)/python manage.py makemigrations --check --dry-run
	DEBUG=0 SECRET_KEY=quality-check-$$(date +%s)-a-long-random-production-like-secret-key \
	  ALLOWED_HOSTS=portail.example.org $(BIN)/python manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) node_modules db.sqlite3 staticfiles test-artifacts
