# Two entry points for a fresh machine (see README):
#   make site        - create .venv, install pinned tools, build the book into _build/html (Chinese: html/zh)
#   make test        - create .venv, install pinned tools, lint, run the whole test suite (what CI runs)
# For maintainers (CONTRIBUTING.md says when to use which):
#   make test-fast   - lint and the quick tests: answer module, specs, judge, catalogue, assembly (about a minute)
#   make lint        - ruff, as configured in pyproject.toml
#   make exercises   - regenerate the committed release notebooks exercises/<slug>.ipynb
#   make translations - after an English edit: refresh the translators' catalogues (locale/)
#   make screenshots - build the book, then screenshot every chapter at 1280 and 390 px
#                      into _build/screenshots/ (installs Debian's chromium if missing, as root)
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: site test test-fast lint exercises translations venv clean screenshots

venv: $(STAMP)

# Re-install whenever the pins or the project metadata change.
$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[test]'
	touch $@

# Both languages: English in _build/html, Chinese in _build/html/zh (jupyter-book build's
# --warningiserror --nitpick --keep-going, through autograder/build/book.py).
site: $(STAMP)
	$(BIN)/python -m autograder build-site

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

test-fast: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -m "not slow" -q

lint: $(STAMP)
	$(BIN)/ruff check .

exercises: $(STAMP)
	$(BIN)/python -m autograder build-exercises

translations: $(STAMP)
	$(BIN)/python -m autograder translations

screenshots: site
	$(BIN)/python -m tests.browser.screenshots _build/html --out _build/screenshots

clean:
	rm -rf _build $(VENV) .pytest_cache
