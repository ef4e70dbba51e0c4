# Absolvent: the two commands of the README are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 5000
VENDOR := absolvent/static/vendor
STAMP := $(VENV)/.installed

.PHONY: install run test test-browser bench lint assets clean

install: $(STAMP) assets

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# htmx and the document fonts come from the npm registry (pinned in package-lock.json)
# and are served by the app itself: the intranet has no internet.
assets: $(VENDOR)/htmx.min.js

$(VENDOR)/htmx.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	mkdir -p $(VENDOR)/fonts
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx.min.js
	cp node_modules/dejavu-fonts-ttf/ttf/DejaVuSans.ttf \
	   node_modules/dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf \
	   node_modules/dejavu-fonts-ttf/ttf/DejaVuSans-Oblique.ttf \
	   node_modules/dejavu-fonts-ttf/ttf/DejaVuSans-BoldOblique.ttf $(VENDOR)/fonts/
	rm -f $(VENDOR)/fonts/noto-emoji-*   # the 11 subsets and their CSS used before 2026.2
	cp node_modules/@expo-google-fonts/noto-emoji/400Regular/NotoEmoji_400Regular.ttf $(VENDOR)/fonts/NotoEmoji-Regular.ttf
	touch $@

run: install
	$(VENV)/bin/flask --app app db upgrade
	$(VENV)/bin/flask --app app demo load --if-empty
	SESSION_COOKIE_SECURE=0 $(VENV)/bin/flask --app app run --port $(PORT)

# one pytest worker per core (pytest-xdist); each has its own SQLite file or PostgreSQL
# database (<name>_gw0, _gw1 … next to TEST_DATABASE_URL's, created on first use)
TEST_WORKERS ?= auto
test: install
	$(PY) -m pytest -n $(TEST_WORKERS)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
	  echo "== again on $$TEST_DATABASE_URL"; \
	  ABSOLVENT_TEST_DB="$$TEST_DATABASE_URL" $(PY) -m pytest -n $(TEST_WORKERS); \
	fi

# data sets (kept in bench/out/), pages under load on gunicorn, documents, import: one report
bench: install
	PYTHONPATH=$(CURDIR) $(PY) bench/run_all.py

lint: install
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) node_modules $(VENDOR)
