# Two entry points for a fresh machine (see README):
#   make site   - create .venv, install pinned tools, build the book into _build/html
#   make test   - create .venv, install pinned tools, run the whole test suite
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: site test venv clean

venv: $(STAMP)

# Re-install whenever the pins or the project metadata change.
$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[test]'
	touch $@

site: $(STAMP)
	$(BIN)/jupyter-book build . --warningiserror --nitpick --keep-going

test: $(STAMP)
	$(BIN)/python -m pytest

clean:
	rm -rf _build $(VENV) .pytest_cache
