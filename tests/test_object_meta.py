"""The public constructors that take an object's name and labels as ``**meta: Unpack[ObjectMeta]``
refuse a missing or unknown keyword at run time as an explicit signature does (mypy refuses them
before: tests/test_typing.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from airflow_constructs import Exposed, Exposure, Kerberos
from airflow_constructs.runtime.secrets_bootstrap import SecretsBootstrap
from tests.conftest import synth_chart

LABELS = {"app.kubernetes.io/name": "airflow"}

# The meta keywords are checked before anything else is read, so the other arguments are stand-ins.
BUILDERS: dict[str, Callable[..., Any]] = {
    "Exposed": lambda c, **meta: Exposed(
        c, "x", service="s", port=8080, props=Exposure(host="airflow.example.com", tls=False), **meta
    ),
    "Kerberos": lambda c, **meta: Kerberos(c, "x", props=None, sidecar={}, **meta),
    "SecretsBootstrap": lambda c, **meta: SecretsBootstrap(
        c,
        "x",
        namespace="airflow",
        keys=[],
        secret_labels={},
        image=None,
        security=None,
        image_pull_secrets=[],
        ttl_seconds_after_finished=60,
        **meta,
    ),
}


def _refusal(owner: str, **meta: Any) -> str:
    with pytest.raises(TypeError) as err:
        synth_chart(lambda c: BUILDERS[owner](c, **meta))
    return str(err.value)


@pytest.mark.parametrize("owner", sorted(BUILDERS))
def test_a_missing_name_or_labels_is_refused(owner: str) -> None:
    assert _refusal(owner, labels=LABELS) == (f"{owner}.__init__() missing 1 required keyword-only argument: 'name'")
    assert _refusal(owner, name="airflow-x") == (
        f"{owner}.__init__() missing 1 required keyword-only argument: 'labels'"
    )
    assert _refusal(owner) == (f"{owner}.__init__() missing 2 required keyword-only arguments: 'name' and 'labels'")


@pytest.mark.parametrize("owner", sorted(BUILDERS))
def test_an_unknown_keyword_is_refused(owner: str) -> None:
    assert _refusal(owner, name="airflow-x", labels=LABELS, annotations={}) == (
        f"{owner}.__init__() got an unexpected keyword argument 'annotations'"
    )
    assert _refusal(owner, name="airflow-x", lables=LABELS) == (
        f"{owner}.__init__() got an unexpected keyword argument 'lables'"
    )


def test_the_refusals_are_pythons_own() -> None:
    """The same words Python uses for an explicit keyword-only signature."""

    class Explicit:
        def __init__(self, *, name: str, labels: dict[str, str]) -> None: ...

    for kwargs in ({"labels": LABELS}, {}, {"name": "a", "labels": LABELS, "annotations": {}}):
        with pytest.raises(TypeError) as err:
            Explicit(**kwargs)  # type: ignore[arg-type]
        assert str(err.value).replace("test_the_refusals_are_pythons_own.<locals>.Explicit", "Exposed") == _refusal(
            "Exposed", **kwargs
        )


def test_name_and_labels_reach_the_object() -> None:
    [ingress] = synth_chart(lambda c: BUILDERS["Exposed"](c, name="airflow-x", labels=LABELS))
    assert ingress["metadata"]["name"] == "airflow-x"
    assert ingress["metadata"]["labels"] == LABELS
