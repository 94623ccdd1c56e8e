#!/usr/bin/env python3
"""Regenerate the cdk8s CRD bindings under ``airflow_constructs/imports/``.

Usage (from the repository root)::

    .venv/bin/python imports/refresh.py                 # CRDs from ../shared/crds
    .venv/bin/python imports/refresh.py --crds DIR      # any folder laid out the same way
    .venv/bin/python imports/refresh.py --download      # fetch the pinned upstream files

For every binding below, the CRD files are concatenated (in the order listed)
into one multi-document YAML file in a scratch directory, and
``cdk8s import <file> --language python`` is run there (offline, no
cdk8s.yaml involved). cdk8s writes a Python package named after the reversed
API group (``sh.keda``, ``io.k8s.autoscaling``, ...); this script moves that
package, unchanged, to ``airflow_constructs/imports/<name>``. The generated
code only refers to itself relatively (``from ._jsii import *``, and the jsii
assembly is loaded from ``__name__``), which this script checks, so no
rewriting is needed.

One cdk8s invocation per API group matters: two separate imports of the same
group would produce two packages and two jsii assemblies with the same name.

Stdlib only; needs the pinned cdk8s CLI in ``node_modules`` (``npm ci``).
Running it twice gives byte-identical output.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CRDS = REPO_ROOT.parent / "shared" / "crds"
DEFAULT_OUT = REPO_ROOT / "airflow_constructs" / "imports"
DEFAULT_CDK8S = REPO_ROOT / "node_modules" / ".bin" / "cdk8s"


@dataclass(frozen=True)
class Crd:
    local: str  # path relative to the CRD directory
    repo: str  # github owner/name
    tag: str
    path: str  # path inside the upstream repository

    @property
    def url(self) -> str:
        return f"https://raw.githubusercontent.com/{self.repo}/{self.tag}/{self.path}"


@dataclass(frozen=True)
class Binding:
    name: str  # python sub-package of airflow_constructs.imports
    group: str  # API group of every CRD in it
    crds: tuple[Crd, ...]
    # Schema properties removed before import because jsii cannot compile
    # them (name -> exact number of occurrences expected upstream).
    drop_properties: tuple[tuple[str, int], ...] = ()

    @property
    def cdk8s_module(self) -> str:
        """Package path cdk8s generates for the group, e.g. ``sh/keda``."""
        return "/".join(reversed(self.group.split("."))).replace("-", "_")


def _keda(f: str) -> Crd:
    return Crd(f"keda/{f}", "kedacore/keda", "v2.20.2", f"config/crd/bases/{f}")


def _prom(f: str) -> Crd:
    return Crd(
        f"prometheus-operator/{f}",
        "prometheus-operator/prometheus-operator",
        "v0.93.0",
        f"example/prometheus-operator-crd/{f}",
    )


def _eso(f: str) -> Crd:
    return Crd(
        f"external-secrets/{f}",
        "external-secrets/external-secrets",
        "v2.9.0",
        f"config/crds/bases/{f}",
    )


def _cm(f: str) -> Crd:
    return Crd(f"cert-manager/{f}", "cert-manager/cert-manager", "v1.21.1", f"deploy/crds/{f}")


BINDINGS: tuple[Binding, ...] = (
    Binding(
        "keda",
        "keda.sh",
        (_keda("keda.sh_scaledobjects.yaml"), _keda("keda.sh_triggerauthentications.yaml")),
    ),
    Binding(
        "monitoring_coreos_com",
        "monitoring.coreos.com",
        (
            _prom("monitoring.coreos.com_servicemonitors.yaml"),
            _prom("monitoring.coreos.com_podmonitors.yaml"),
            _prom("monitoring.coreos.com_prometheusrules.yaml"),
        ),
    ),
    Binding(
        "external_secrets",
        "external-secrets.io",
        (
            _eso("external-secrets.io_externalsecrets.yaml"),
            _eso("external-secrets.io_secretstores.yaml"),
        ),
        # spec.provider.keepersecurity.getByTitleFallback: jsii rejects "getXxx"
        # members (JSII5000, clash with Java getters; cdk8s-team/cdk8s#1323).
        drop_properties=(("getByTitleFallback", 1),),
    ),
    Binding(
        "cert_manager",
        "cert-manager.io",
        (_cm("cert-manager.io_certificates.yaml"), _cm("cert-manager.io_issuers.yaml")),
    ),
    Binding(
        "gateway_api",
        "gateway.networking.k8s.io",
        (
            Crd(
                "gateway-api/gateway.networking.k8s.io_httproutes.yaml",
                "kubernetes-sigs/gateway-api",
                "v1.6.1",
                "config/crd/standard/gateway.networking.k8s.io_httproutes.yaml",
            ),
        ),
    ),
    Binding(
        "vpa",
        "autoscaling.k8s.io",
        (
            Crd(
                "vpa/vpa-v1-crd-gen.yaml",
                "kubernetes/autoscaler",
                "vertical-pod-autoscaler-1.7.1",
                "vertical-pod-autoscaler/deploy/vpa-v1-crd-gen.yaml",
            ),
        ),
    ),
)

INIT_TEMPLATE = '''\
"""cdk8s bindings for the custom resources airflow-constructs can emit.

GENERATED by imports/refresh.py -- do not edit by hand.

Nothing is imported here on purpose: each binding loads its own jsii assembly
into the node process when imported, so import only the one you need, e.g.::

    from airflow_constructs.imports.keda import ScaledObject

Sub-packages (API group; upstream source):

{listing}
"""
'''


def _read_crd(crd: Crd, crds_dir: Path | None) -> bytes:
    if crds_dir is None:
        with urllib.request.urlopen(crd.url, timeout=60) as resp:
            return bytes(resp.read())
    return (crds_dir / crd.local).read_bytes()


def _generate(binding: Binding, crds_dir: Path | None, cdk8s: Path, out: Path, keep_unserved: bool) -> None:
    with tempfile.TemporaryDirectory(prefix=f"crd-{binding.name}-") as tmp:
        work = Path(tmp)
        docs = [_read_crd(c, crds_dir).strip(b"\n") for c in binding.crds]
        text = (b"\n---\n".join(docs) + b"\n").decode("utf-8")
        if not keep_unserved:
            text, dropped = _drop_unserved_versions(text)
            for kind, version in dropped:
                print(f"  skipping {kind} {version} (served: false)")
        for prop, expected in binding.drop_properties:
            text, found = _drop_property(text, prop)
            if found != expected:
                raise SystemExit(
                    f"{binding.name}: expected {expected} '{prop}' properties in the CRDs, found {found}; "
                    "update drop_properties in imports/refresh.py"
                )
        src = work / f"{binding.name}.yaml"
        src.write_text(text, encoding="utf-8")
        env = dict(os.environ)
        env.update(CDK8S_CHECK_UPGRADE="false", JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20")
        proc = subprocess.run(
            [str(cdk8s), "import", src.name, "--language", "python", "--output", "gen", "--no-save"],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            sys.stderr.write(proc.stdout + proc.stderr)
            raise SystemExit(f"cdk8s import failed for {binding.name}")
        gen = work / "gen"
        pkg = gen / binding.cdk8s_module
        if not (pkg / "__init__.py").is_file():
            raise SystemExit(f"{binding.name}: expected package {binding.cdk8s_module} in {sorted(gen.rglob('*'))}")
        # exactly one API group per binding: nothing besides the expected package
        extra = sorted(str(p.relative_to(gen)) for p in gen.rglob("*") if p.is_file() and pkg not in p.parents)
        if extra:
            raise SystemExit(f"{binding.name}: unexpected generated files {extra}")
        _check_relocatable(binding, pkg)
        dest = out / binding.name
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(pkg, dest)


_VERSIONS = re.compile(r"^  versions:\s*$")
_KIND = re.compile(r"^    kind: (\S+)\s*$")


def _drop_unserved_versions(text: str) -> tuple[str, list[tuple[str, str]]]:
    """Remove ``spec.versions`` items with ``served: false`` from CRD YAML text.

    The API server rejects objects of unserved versions, so their classes are
    dead weight (for external-secrets they are ~40% of the binding). Line-based
    (stdlib only) and strict: expects controller-gen layout (``spec:`` at
    column 0, ``versions:`` at column 2, items as ``  - key: ...`` with their
    keys at column 4), and fails loudly on anything it cannot classify.
    """
    out: list[str] = []
    dropped: list[tuple[str, str]] = []
    lines = text.split("\n")
    i = 0
    kind = "?"
    while i < len(lines):
        line = lines[i]
        if line.startswith("---"):
            kind = "?"
        if (m := _KIND.match(line)) and kind == "?":
            kind = m.group(1)  # spec.names.kind (first 4-space "kind:" in a CRD)
        if not _VERSIONS.match(line):
            out.append(line)
            i += 1
            continue
        out.append(line)
        i += 1
        # collect items until a line indented < 2 (or another key at column 2)
        items: list[list[str]] = []
        while i < len(lines):
            cur = lines[i]
            if cur.startswith("  - "):
                items.append([cur])
            elif cur.startswith("    ") or (cur.strip() == "" and items):
                if not items:
                    raise SystemExit(f"unexpected line inside versions list: {cur!r}")
                items[-1].append(cur)
            else:
                break
            i += 1
        kept = 0
        for item in items:
            keys = ["    " + item[0][4:], *item[1:]]
            served = [ln.strip() for ln in keys if re.match(r"^    served: ", ln)]
            names = [ln.strip()[len("name: ") :] for ln in keys if re.match(r"^    name: ", ln)]
            if len(served) != 1 or len(names) != 1 or served[0] not in ("served: true", "served: false"):
                raise SystemExit(f"cannot classify CRD version item starting {item[0]!r}")
            if served[0] == "served: false":
                dropped.append((kind, names[0]))
            else:
                out.extend(item)
                kept += 1
        if kept == 0:
            raise SystemExit(f"{kind}: no served version left")
    return "\n".join(out), dropped


def _drop_property(text: str, name: str) -> tuple[str, int]:
    """Remove every block-style ``name:`` mapping key (and its nested lines) from YAML text.

    Line-based on purpose (stdlib only): the key must sit alone on its line, and
    the block ends at the next line indented no deeper than the key. Also drops
    ``- name`` items of a sibling ``required:`` list, should upstream add one.
    """
    lines = text.split("\n")
    out: list[str] = []
    found = 0
    skip_indent: int | None = None
    key = re.compile(rf"^( *){re.escape(name)}:\s*$")
    for line in lines:
        indent = len(line) - len(line.lstrip(" "))
        if skip_indent is not None:
            if line.strip() == "" or indent > skip_indent:
                continue
            skip_indent = None
        m = key.match(line)
        if m:
            found += 1
            skip_indent = len(m.group(1))
            continue
        if line.strip() == f"- {name}":
            continue
        out.append(line)
    return "\n".join(out), found


def _check_relocatable(binding: Binding, pkg: Path) -> None:
    """Fail if the generated code names its own (cdk8s) module path absolutely."""
    dotted = binding.cdk8s_module.replace("/", ".")
    for py in sorted(pkg.rglob("*.py")):
        text = py.read_text(encoding="utf-8")
        for line in text.splitlines():
            stripped = line.strip()
            if stripped.startswith(("import ", "from ")) and (f" {dotted}" in stripped or f" {dotted}." in stripped):
                raise SystemExit(f"{py}: absolute self-import needs rewriting: {stripped}")
    loader = (pkg / "_jsii" / "__init__.py").read_text(encoding="utf-8")
    if "__name__[0:-6]" not in loader:
        raise SystemExit(f"{binding.name}: jsii assembly loader no longer uses __name__; check relocation")


_API_CLASS = re.compile(r"^class (\w+)\(\n    _cdk8s_\w+\.ApiObject,$", re.MULTILINE)


def _write_init(out: Path) -> None:
    lines = []
    for b in BINDINGS:
        srcs = sorted({f"github.com/{c.repo}@{c.tag}" for c in b.crds})
        lines.append(f"- ``{b.name}``: {b.group} ({', '.join(srcs)})")
        init = out / b.name / "__init__.py"
        if init.is_file():
            classes = _API_CLASS.findall(init.read_text(encoding="utf-8"))
            lines.append(f"  API objects: {', '.join(classes)}")
    (out / "__init__.py").write_text(INIT_TEMPLATE.format(listing="\n".join(lines)), encoding="utf-8")


def _tree_digest(out: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(out.rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts:
            h.update(str(p.relative_to(out)).encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = ap.add_mutually_exclusive_group()
    src.add_argument("--crds", type=Path, default=DEFAULT_CRDS, help=f"CRD directory (default: {DEFAULT_CRDS})")
    src.add_argument("--download", action="store_true", help="fetch the CRDs from their pinned upstream URLs")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output package (default: {DEFAULT_OUT})")
    ap.add_argument("--cdk8s", type=Path, default=DEFAULT_CDK8S, help="cdk8s CLI (default: node_modules/.bin/cdk8s)")
    ap.add_argument("--only", action="append", choices=[b.name for b in BINDINGS], help="refresh only these")
    ap.add_argument(
        "--keep-unserved",
        action="store_true",
        help="also generate classes for CRD versions marked 'served: false' (dropped by default)",
    )
    ap.add_argument("--list-urls", action="store_true", help="print the upstream URLs (cdk8s.yaml imports) and exit")
    args = ap.parse_args(argv)

    if args.list_urls:
        for b in BINDINGS:
            for c in b.crds:
                print(c.url)
        return 0

    crds_dir: Path | None = None if args.download else args.crds.resolve()
    if crds_dir is not None and not crds_dir.is_dir():
        ap.error(f"CRD directory not found: {crds_dir}")
    if not args.cdk8s.exists():
        ap.error(f"cdk8s CLI not found at {args.cdk8s} (run `npm ci`)")
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)

    known = {b.name for b in BINDINGS} | {"__init__.py", "__pycache__"}
    for p in sorted(out.iterdir()):
        if p.name not in known:
            print(f"warning: {p} is not managed by refresh.py", file=sys.stderr)

    for b in BINDINGS:
        if args.only and b.name not in args.only:
            continue
        print(f"{b.name:<24} <- {b.group} ({len(b.crds)} CRD file(s))", flush=True)
        _generate(b, crds_dir, args.cdk8s.resolve(), out, args.keep_unserved)
    _write_init(out)
    shown = out.relative_to(REPO_ROOT) if out.is_relative_to(REPO_ROOT) else out
    print(f"sha256 of {shown}: {_tree_digest(out)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
