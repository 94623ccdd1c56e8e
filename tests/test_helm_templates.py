"""Namespace substitution and escaping, field by field (packaging/templates.py), without Helm."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from airflow_constructs.packaging.templates import (
    NAMESPACE_INLINE,
    NAMESPACE_VALUE,
    escape,
    render_locally,
    substitute_namespace,
    to_template,
)

NS, INLINE = NAMESPACE_VALUE, NAMESPACE_INLINE


def sub(value: Any, services: tuple[str, ...] = ("airflow-api-server", "airflow-postgres")) -> Any:
    return substitute_namespace({"x": value}, "airflow", services)["x"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # In-cluster DNS names: any <label>.<ns>.svc form.
        (
            "http://airflow-api-server.airflow.svc:8080/execution/",
            f"http://airflow-api-server.{INLINE}.svc:8080/execution/",
        ),
        ("pg.airflow.svc.cluster.local", f"pg.{INLINE}.svc.cluster.local"),
        ("airflow-triggerer-0.airflow-triggerer.airflow.svc", f"airflow-triggerer-0.airflow-triggerer.{INLINE}.svc"),
        (
            "postgresql://u:$(P)@airflow-postgres.airflow.svc:5432/airflow",
            f"postgresql://u:$(P)@airflow-postgres.{INLINE}.svc:5432/airflow",
        ),
        # <service>.<ns> for Services of the app only.
        ("airflow-postgres.airflow:5432", f"airflow-postgres.{INLINE}:5432"),
        ("http://airflow-api-server.airflow/", f"http://airflow-api-server.{INLINE}/"),
        ("elsewhere.airflow:5432", "elsewhere.airflow:5432"),
        # External names, paths and words that merely contain the namespace are left alone.
        ("airflow-api-server.airflow.example.com", "airflow-api-server.airflow.example.com"),
        ("airflow.providers.cncf.kubernetes", "airflow.providers.cncf.kubernetes"),
        ("apache/airflow:3.3.2", "apache/airflow:3.3.2"),
        ("airflow", "airflow"),
        ("x.airflow.svcx", "x.airflow.svcx"),
        # Config files: `namespace = <ns>` lines.
        (
            "[kubernetes_executor]\nnamespace = airflow\nx = 1\n",
            f"[kubernetes_executor]\nnamespace = {INLINE}\nx = 1\n",
        ),
        ("metadata:\n  namespace: airflow\n", f"metadata:\n  namespace: {INLINE}\n"),
        ("namespace = airflow-other\n", "namespace = airflow-other\n"),
        # Arguments.
        ("--namespace=airflow", f"--namespace={INLINE}"),
        (["cleanup", "--namespace", "airflow", "airflow"], ["cleanup", "--namespace", NS, "airflow"]),
        (["-n", "airflow"], ["-n", NS]),
    ],
)
def test_namespace_in_strings(value: Any, expected: Any) -> None:
    assert sub(value) == expected


def test_namespace_fields() -> None:
    obj = {
        "kind": "RoleBinding",
        "metadata": {"name": "airflow", "namespace": "airflow", "labels": {"app.kubernetes.io/name": "airflow"}},
        "subjects": [{"kind": "ServiceAccount", "name": "airflow", "namespace": "airflow"}],
        "spec": {
            "affinity": {"podAffinityTerm": {"namespaces": ["airflow", "kube-system"]}},
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "airflow"}},
            "env": [
                {"name": "AIRFLOW__KUBERNETES_EXECUTOR__NAMESPACE", "value": "airflow"},
                {"name": "POSTGRES_DB", "value": "airflow"},
            ],
        },
    }
    assert substitute_namespace(obj, "airflow", []) == {
        "kind": "RoleBinding",
        "metadata": {"name": "airflow", "namespace": NS, "labels": {"app.kubernetes.io/name": "airflow"}},
        "subjects": [{"kind": "ServiceAccount", "name": "airflow", "namespace": NS}],
        "spec": {
            "affinity": {"podAffinityTerm": {"namespaces": [NS, "kube-system"]}},
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": NS}},
            "env": [
                {"name": "AIRFLOW__KUBERNETES_EXECUTOR__NAMESPACE", "value": NS},
                {"name": "POSTGRES_DB", "value": "airflow"},
            ],
        },
    }


def test_substitution_does_not_touch_its_input() -> None:
    obj = {"metadata": {"namespace": "airflow"}, "spec": {"a": [{"b": ["c"]}], "d": {}}}
    result = substitute_namespace(obj, "airflow", [])
    assert obj == {"metadata": {"namespace": "airflow"}, "spec": {"a": [{"b": ["c"]}], "d": {}}}
    # a new tree: no mapping or list is shared with the input, so changing the result leaves it alone
    result["spec"]["a"][0]["b"].append("x")
    result["spec"]["d"]["e"] = 1
    assert obj["spec"] == {"a": [{"b": ["c"]}], "d": {}}


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("{{ ti.dag_id }}", '{{ "{{" }} ti.dag_id }}'),
        ("{{- x -}}", '{{ "{{" }}- x -}}'),
        ("{{{{", '{{ "{{" }}{{ "{{" }}'),
        ("}} only closing }}", "}} only closing }}"),
        ("{ single }", "{ single }"),
    ],
)
def test_escape(text: str, escaped: str) -> None:
    assert escape(text) == escaped
    assert render_locally(escaped, "ns", {}) == text


def test_template_actions_are_never_escaped() -> None:
    obj = {
        "kind": "Deployment",
        "metadata": {"name": "s", "namespace": NS},
        "spec": {"replicas": "__airflow_constructs_helm_replicas_s__", "url": f"http://s.{INLINE}.svc/{{{{ x }}}}"},
    }
    text = to_template(obj, {"s": 2})
    assert text == (
        "kind: Deployment\n"
        "metadata:\n"
        "  name: s\n"
        "  namespace: {{ .Release.Namespace | quote }}\n"
        "spec:\n"
        '  replicas: {{ index .Values.replicas "s" }}\n'
        '  url: http://s.{{ .Release.Namespace }}.svc/{{ "{{" }} x }}\n'
    )
    assert yaml.safe_load(render_locally(text, "other", {"replicas": {"s": 2}})) == {
        "kind": "Deployment",
        "metadata": {"name": "s", "namespace": "other"},
        "spec": {"replicas": 2, "url": "http://s.other.svc/{{ x }}"},
    }


def test_go_yaml_booleans_are_quoted() -> None:
    # Go's YAML (Helm, kubectl) reads a plain y/n as a boolean; PyYAML would write them plain.
    assert to_template({"a": "y", "b": "N", "c": "yes"}, {}) == "a: 'y'\nb: 'N'\nc: 'yes'\n"


def test_multi_line_text_is_a_literal_block() -> None:
    assert to_template({"cfg": "[core]\nx = 1\n"}, {}) == "cfg: |\n  [core]\n  x = 1\n"
