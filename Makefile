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
# Image registries are out of reach here: the suite builds generated images on a Debian
# root file system of its own, imported as the Dockerfile's BASE_IMAGE (tests/docker_engine.py).
BASE_IMAGE := .cache/base-image.tar
DEBIAN_MIRROR ?= http://deb.debian.org/debian

.PHONY: help install locks base-image test test-fast lint format generate bake bench schema clean

help: ## List the tasks
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-11s %s\n", $$1, $$2}'

# The wheelhouse is downloaded once; the suite installs a generated project from it offline.
# The suite's environment is the exact set in requirements-dev.lock (`make locks` resolves it
# from requirements-dev.txt), so a fresh machine gets the versions the suite passed with.
$(WHEELHOUSE)/.complete: requirements-dev.lock
	$(PYTHON) -m pip download --progress-bar on --dest $(WHEELHOUSE) -r requirements-dev.lock
	touch $@

$(BIN)/.complete: requirements-dev.lock $(WHEELHOUSE)/.complete
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --progress-bar on --no-index --find-links $(WHEELHOUSE) -r requirements-dev.lock
	touch $@

# The exact versions generated projects lock, for the image checks' index, and the lean
# set in uv's cache, for the offline `make install` check (tests/locks.py).
$(WHEELHOUSE)/.locked: $(BIN)/.complete $(wildcard templates/locks/*.uv.lock)
	$(BIN)/python tests/locks.py download
	touch $@

install: $(BIN)/.complete $(WHEELHOUSE)/.locked ## Create .venv with the test tools (downloads once)

locks: $(BIN)/.complete ## Lock generated projects' and the suite's dependencies again (UPGRADE=1: the newest)
	$(BIN)/python tests/locks.py refresh $(if $(UPGRADE),--upgrade)

# Debian's Python with venv and the CA bundle, `python` on PATH as in the official images.
$(BASE_IMAGE):
	@command -v debootstrap >/dev/null || { echo "debootstrap not found: apt-get install debootstrap"; exit 1; }
	rootfs=$$(mktemp -d) && trap 'rm -rf "$$rootfs"' EXIT \
	  && echo "debootstrap: Debian bookworm with python3 into $$rootfs (a few minutes)" \
	  && debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
	       bookworm "$$rootfs" $(DEBIAN_MIRROR) | grep --line-buffered -E '^(E|W): |^I: (Retrieving|Validating|Extracting|Installing|Configuring|Base system)' | awk '/^[EW]: / || NR % 20 == 1' \
	  && ln -sf /usr/bin/python3 "$$rootfs/usr/local/bin/python" \
	  && rm -rf "$$rootfs"/var/cache/apt/archives/*.deb "$$rootfs"/var/lib/apt/lists/* \
	  && mkdir -p $(@D) && tar -C "$$rootfs" -c . > $@.partial && mv $@.partial $@

base-image: $(BASE_IMAGE) ## Build the Debian base image the suite's image checks start from

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

bench: install $(BASE_IMAGE) ## Run the benchmarks (minutes; not part of the tests)
	$(BIN)/python bench/generation.py
	$(BIN)/python bench/footprint.py
	$(BIN)/python bench/monitoring.py
	$(BIN)/python bench/loading.py
	$(BIN)/python bench/images.py

clean: ## Remove the environment, the wheelhouse and baked projects
	rm -rf $(VENV) .cache build
