# Two commands matter: `make run` (portal with demo data on SQLite) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DEV := DEBUG=1
PORT ?= 8000

.PHONY: run test install quality clean bench backup restore

$(BIN)/.installed: requirements/dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements/dev.txt
	touch $@

# Front-end packages pinned in package-lock.json: the partial plotly.js bundle (below) and
# axe-core for the browser tests' accessibility checks (test-only, never served).
node_modules/.package-lock.json: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: no partial plotly.js, no accessibility checks"; fi

install: $(BIN)/.installed static/vendor/plotly.min.js

# plotly.js with only the trace types we draw (README, Performance). Without npm the full
# bundle of the plotly package is served instead (akto_portal/staticfinders.py).
static/vendor/plotly.min.js: node_modules/.package-lock.json frontend/build-plotly.mjs frontend/plotly-entry.js
	@if command -v npm >/dev/null; then npm run --silent build:plotly; fi

run: install
	$(DEV) $(BIN)/python manage.py migrate --noinput
	$(DEV) $(BIN)/python manage.py seed_demo
	@echo "Portail : http://127.0.0.1:$(PORT) (et le programme de traitement des imports)"
	@# The background worker (imports) runs beside the server and stops with it.
	$(DEV) $(BIN)/python manage.py db_worker --no-reload & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	  $(DEV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

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
	$(DEV) $(BIN)/mypy
	DEBUG=0 SECRET_KEY=quality-check-$$(date +%s)-a-long-random-production-like-secret-key \
	  ALLOWED_HOSTS=portail.example.org $(BIN)/python manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles test-artifacts var node_modules static/vendor
