"""One-shot Jobs are named from their whole rendered spec: a Job's pod template is immutable, so
anything that changes it (an option, a composed sidecar, a user's escape hatch) must change the
name, and nothing else may.

These are the exact cases; ``test_upgrade_properties.py`` draws one-field changes of every field.
"""

from __future__ import annotations

from typing import Any

from cdk8s import JsonPatch

from airflow_constructs import Airflow, CeleryExecutor, Pool
from tests.conftest import Manifest, synth_chart

JOB_BASES = ("airflow-migrate", "airflow-secrets-bootstrap", "airflow-admin-user", "airflow-pools")


def job_names(manifests: list[Manifest]) -> dict[str, str]:
    """``{base name: full name}`` of every Job (the base is the name without its hash)."""
    return {m["metadata"]["name"].rsplit("-", 1)[0]: m["metadata"]["name"] for m in manifests if m["kind"] == "Job"}


def build(**props: Any) -> list[Manifest]:
    return synth_chart(lambda chart: Airflow(chart, "airflow", **props))


def test_same_input_same_names() -> None:
    assert job_names(build()) == job_names(build())


def test_the_reported_change_renames_the_migration_job() -> None:
    """Issue 25: ``migrations.resources.cpu_request: 300m`` left the name unchanged, and the second
    apply failed with ``spec.template: field is immutable``."""
    before = job_names(build())
    after = job_names(build(migrations={"resources": {"cpu_request": "300m"}}))
    assert after["airflow-migrate"] != before["airflow-migrate"]
    assert after["airflow-secrets-bootstrap"] == before["airflow-secrets-bootstrap"]


def test_pod_options_rename_the_migration_job() -> None:
    before = job_names(build())
    after = job_names(build(migrations={"pod": {"node_selector": {"pool": "batch"}}}))
    assert after["airflow-migrate"] != before["airflow-migrate"]


def test_an_escape_hatch_added_after_composition_renames_the_job() -> None:
    def patched(chart: Any) -> None:
        airflow = Airflow(chart, "airflow")
        airflow.migrations.job.add_json_patch(JsonPatch.add("/spec/template/spec/nodeSelector", {"pool": "migrations"}))

    plain = job_names(build())
    manifests = synth_chart(patched)
    job = next(m for m in manifests if m["kind"] == "Job" and m["metadata"]["name"].startswith("airflow-migrate-"))
    assert job["spec"]["template"]["spec"]["nodeSelector"] == {"pool": "migrations"}
    assert job_names(manifests)["airflow-migrate"] != plain["airflow-migrate"]


def test_a_mounted_config_change_renames_the_job_through_its_checksum() -> None:
    """The pools and the bootstrap spec live in ConfigMaps: their checksum annotations carry them
    into the template, so into the name."""
    one = job_names(build(pools=[Pool(name="etl", slots=4)]))
    two = job_names(build(pools=[Pool(name="etl", slots=8)]))
    assert one["airflow-pools"] != two["airflow-pools"]
    assert one["airflow-migrate"] == two["airflow-migrate"]


def test_airflow_cfg_renames_the_migration_job() -> None:
    before = job_names(build())
    after = job_names(build(config={"core": {"default_task_retries": "2"}}))
    assert after["airflow-migrate"] != before["airflow-migrate"]


def test_a_new_generated_key_renames_the_bootstrap_job() -> None:
    before = job_names(build())
    after = job_names(build(executor=CeleryExecutor()))
    assert after["airflow-secrets-bootstrap"] != before["airflow-secrets-bootstrap"]


def test_the_hash_suffix_is_eight_hex_digits_and_the_name_a_dns_label() -> None:
    for name in job_names(build(admin_user="admin", pools=[Pool(name="etl", slots=4)])).values():
        base, suffix = name.rsplit("-", 1)
        assert base in JOB_BASES
        assert len(suffix) == 8 and all(c in "0123456789abcdef" for c in suffix)
        assert len(name) <= 63
