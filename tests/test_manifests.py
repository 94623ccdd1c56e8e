"""Every manifest of every app: the conformance invariants (strict schemas for every supported
Kubernetes version among them), dist/ freshness and determinism."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from apps.__main__ import synth_all
from tests import conformance
from tests.conftest import ROOT, Manifest


@pytest.mark.parametrize("invariant", sorted(conformance.INVARIANTS))
def test_invariant_holds_for_every_app(
    app_manifests: dict[str, list[Manifest]], app_external: dict[str, set[str]], invariant: str
) -> None:
    violations = {
        app: conformance.run_one(invariant, manifests, external=app_external[app])
        for app, manifests in app_manifests.items()
    }
    assert violations == {app: [] for app in app_manifests}


def test_no_secret_objects_at_all_by_default(app_manifests: dict[str, list[Manifest]]) -> None:
    assert [m for m in app_manifests["default"] if m["kind"] == "Secret"] == []


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.k8s.yaml"))}


@pytest.fixture(scope="module")
def fresh_synth(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("synth")
    synth_all(out)
    return _tree(out)


def test_dist_is_up_to_date(fresh_synth: dict[str, bytes]) -> None:
    committed = _tree(ROOT / "dist")
    assert sorted(committed) == sorted(fresh_synth), "dist/ has other files than a fresh synth: run `make synth`"
    for name, data in fresh_synth.items():
        if committed[name] != data:
            diff = "".join(
                difflib.unified_diff(
                    committed[name].decode().splitlines(True),
                    data.decode().splitlines(True),
                    f"dist/{name}",
                    "fresh synth",
                    n=1,
                )
            )
            pytest.fail(f"dist/{name} is stale: run `make synth`\n{diff[:3000]}")


def test_synth_is_deterministic(fresh_synth: dict[str, bytes], tmp_path: Path) -> None:
    synth_all(tmp_path)
    assert _tree(tmp_path) == fresh_synth
