# Tasks of the template repository; `make help` lists them.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
# The template's own Python; {{cookiecutter.project_slug}}/ is checked through baked projects.
SOURCES := hooks tests bench local_extensions.py
VENV := .venv
BIN := $(VENV)/bin
WHEELHOUSE := .cache/wheelhouse
# Asking the questions needs only cookiecutter: a small environment of its own, so
# `make generate` does not wait for the suite's.
GENERATOR := .cache/generator

.PHONY: help install test test-fast lint format generate bake bench schema clean

help: ## List the tasks
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

# The wheelhouse is downloaded once; the suite installs a generated project from it offline.
$(WHEELHOUSE)/.complete: requirements-dev.txt
	$(PYTHON) -m pip download --quiet --dest $(WHEELHOUSE) -r requirements-dev.txt
	touch $@

$(BIN)/.complete: requirements-dev.txt $(WHEELHOUSE)/.complete
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --no-index --find-links $(WHEELHOUSE) -r requirements-dev.txt
	touch $@

install: $(BIN)/.complete ## Create .venv with the test tools (downloads once)

$(GENERATOR)/.complete: requirements-generate.txt
	$(PYTHON) -m venv $(GENERATOR)
	$(GENERATOR)/bin/python -m pip install --progress-bar on -r requirements-generate.txt
	touch $@

test: lint ## Run the whole test suite: rules, answers, every profile baked, checked and run
	$(BIN)/pytest

test-fast: lint ## The fast tier (under 2 minutes): every profile baked and parsed, no project run
	$(BIN)/pytest -m "not heavy"

lint: install ## Check the template's own Python
	$(BIN)/ruff check $(SOURCES)
	$(BIN)/ruff format --check $(SOURCES)

format: install ## Fix the template's own Python
	$(BIN)/ruff check --fix $(SOURCES)
	$(BIN)/ruff format $(SOURCES)

generate: $(GENERATOR)/.complete ## Answer the questions; the project appears in build/
	$(GENERATOR)/bin/cookiecutter --output-dir build .

bake: $(GENERATOR)/.complete ## Generate the default project into build/ without questions
	$(GENERATOR)/bin/cookiecutter --no-input --overwrite-if-exists --output-dir build .

schema: install ## Write answers.schema.json from the checks in hooks/answers.py
	PYTHONPATH=hooks $(BIN)/python -c 'import json, answers; print(json.dumps(answers.schema(), indent=2))' > answers.schema.json

bench: install ## Run the benchmarks (minutes; not part of the tests)
	$(BIN)/python bench/generation.py
	$(BIN)/python bench/footprint.py
	$(BIN)/python bench/monitoring.py

clean: ## Remove the environment, the wheelhouse and baked projects
	rm -rf $(VENV) .cache build
