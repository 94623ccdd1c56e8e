# airflow-constructs: the README's two commands (`make synth`, `make test`) and the rest.
# Everything installs into the repo (.venv/, node_modules/, .tools/); nothing global.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export PATH := $(CURDIR)/$(VENV)/bin:$(CURDIR)/node_modules/.bin:$(CURDIR)/.tools/bin:$(PATH)
export CDK8S_CHECK_UPGRADE := false
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := $(shell node -p 'process.versions.node.split(".")[0]' 2>/dev/null)
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: setup synth test lint typecheck unit e2e bench clean

$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

setup: $(VENV)/.installed node_modules/.installed

## synth: write every example app's manifests to dist/<app>/
synth: setup
	cdk8s synth
	$(PY) -m apps.docs

## docs: regenerate schema/airflow.schema.json, docs/reference.md, docs/architecture.md and the README
## diagram from the props models and the apps (synth runs it too; tests fail when they are stale)
.PHONY: docs
docs: setup
	$(PY) -m apps.docs

lint: setup
	ruff check .
	ruff format --check airflow_constructs apps tests

typecheck: setup
	mypy airflow_constructs apps

unit: setup
	pytest

## test: lint, type-check and the whole test suite
test: lint typecheck unit

## test-deep: the property tests with 300 random examples each instead of 25 (several minutes)
.PHONY: test-deep
test-deep: setup
	HYPOTHESIS_PROFILE=deep pytest -p no:cacheprovider tests/test_properties.py

## bench: build/synth timings, scaling with worker sets, cold `cdk8s synth`, `helm template` (prints figures)
bench: setup
	$(PY) bench/synth_bench.py

clean:
	rm -rf $(VENV) node_modules .tools .pytest_cache .mypy_cache .ruff_cache
