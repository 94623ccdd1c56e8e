"""The upgrade harness's stand-in for the Kubernetes Secrets API, without processes (runs in ``make test``).

The bootstrap Job's own ``ensure()`` (from each app's ConfigMap) runs against ``SecretStore``: what
the airflow2 app made is kept by the default app, which adds the keys Airflow 3 needs.
"""

from __future__ import annotations

import types
from pathlib import Path

import pytest

from tests.e2e.harness import REPO, AppPlan, Deps
from tests.e2e.upgrade import SecretStore, UpgradeHarness

GENERATED = "airflow-generated"


def _ensure_all(app: str, store: SecretStore) -> list[str]:
    plan = AppPlan.load(REPO / "dist" / app)
    assert plan.bootstrap_spec is not None and plan.bootstrap_script is not None
    module = types.ModuleType("bootstrap_secrets")
    exec(compile(plan.bootstrap_script, "bootstrap_secrets.py", "exec"), module.__dict__)
    return [module.ensure(store, secret) for secret in plan.bootstrap_spec["secrets"]]


def test_airflow2_secrets_are_kept_and_airflow3_keys_added() -> None:
    store = SecretStore()
    assert _ensure_all("airflow2", store) == [f"{GENERATED}: created with 4 keys"]
    before = store.values()[GENERATED]
    assert _ensure_all("default", store) == [f"{GENERATED}: added missing keys ['admin-passwords', 'jwt-secret']"]
    after = store.values()[GENERATED]
    assert {k: after[k] for k in before} == before
    assert sorted(after) == [
        "admin-password",
        "admin-passwords",
        "api-secret-key",
        "fernet-key",
        "jwt-secret",
        "postgres-password",
    ]
    assert _ensure_all("default", store) == [f"{GENERATED}: all 5 keys present, nothing changed"]
    assert store.values()[GENERATED] == after


def test_a_stale_resource_version_is_a_conflict() -> None:
    store = SecretStore()
    store.put(GENERATED, "fernet-key", "x")
    current = store.call("GET", f"/{GENERATED}")
    store.put(GENERATED, "other", "y")  # somebody else changed it meanwhile
    patch = {"metadata": {"resourceVersion": current["metadata"]["resourceVersion"]}, "data": {"k": "dg=="}}
    with pytest.raises(Exception, match="409"):
        store.call("PATCH", f"/{GENERATED}", patch, content_type="application/merge-patch+json")
    with pytest.raises(Exception, match="404"):
        store.call("GET", "/absent")


def test_kept_database_and_secrets_reach_the_pods(tmp_path: Path) -> None:
    """prepare() (no processes): the pods read the kept values, not freshly generated ones."""
    store = SecretStore()
    _ensure_all("airflow2", store)
    kept = store.values()[GENERATED]
    deps = Deps.without_processes()
    with UpgradeHarness(
        REPO / "dist" / "default", store=store, keep_database=True, deps=deps, label="unit-upgrade"
    ) as h:
        h.prepare()
        scheduler = next(c for cs in h.containers.values() for c in cs if c.spec.name == "scheduler")
        assert scheduler.env["AIRFLOW__CORE__FERNET_KEY"] == kept["fernet-key"]
        assert h.secrets[GENERATED]["postgres-password"] == kept["postgres-password"]
