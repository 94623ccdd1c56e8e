"""The constructors' typing as a user's mypy sees it: strict mypy over small snippets of user code.

The components share one generic constructor (``Component[P]``), the services another
(``ReleaseService[P]``): each must still take its own props class, and only that one, as if it had
written its own typed ``__init__``. The object builders take their name and labels as one typed
keyword set (``core.kube.ObjectMeta``), still checked keyword by keyword; so do the constructs that
name one set of objects (``Exposed``, ``Kerberos``, ``SecretsBootstrap``).
"""

from __future__ import annotations

import re
from pathlib import Path

from mypy import api

from tests.conftest import ROOT

HEADER = """\
from cdk8s import App, Chart
from airflow_constructs import (
    AirflowRuntime, ApiServer, ApiServerProps, DagProcessor, DagProcessorProps, ExternalDatabase, Flower,
    FlowerProps, Postgres, PgBouncer, PgBouncerProps, Redis, EmbeddedRedis, Release, Scheduler,
    SchedulerProps, SecretRef, Triggerer, TriggererProps,
)
from airflow_constructs.components.execution_api import ExecutionApi, ExecutionApiProps
from airflow_constructs.components.kerberos import Kerberos, KerberosProps
from airflow_constructs.core.exposure import Exposed, Exposure
from airflow_constructs.core.kube import config_map, deployment
from airflow_constructs.runtime.secrets_bootstrap import SecretsBootstrap
from airflow_constructs.services.database import EmbeddedPostgres

chart = Chart(App(), "c", namespace="airflow")
runtime = AirflowRuntime(chart, "rt", database=ExternalDatabase(url=SecretRef("db", "url")))
"""

GOOD = """\
api: ApiServer = ApiServer(chart, "api", runtime=runtime, props=ApiServerProps(replicas=2))
api_props: ApiServerProps = api.props
DagProcessor(chart, "dp", runtime=runtime, props=DagProcessorProps(), replicas=2)
ExecutionApi(chart, "ex", runtime=runtime)
Flower(chart, "fl", runtime=runtime, basic_auth=SecretRef("f", "auth"), props=FlowerProps(enabled=True))
Scheduler(chart, "sch", runtime=runtime, props=SchedulerProps(replicas=2), launches_pods=None)
trig = Triggerer(chart, "t", runtime=runtime, props=TriggererProps(replicas=2))
trig_props: TriggererProps = trig.props
pg = Postgres(chart, "pg", release=Release(instance="a", version="3"), props=EmbeddedPostgres(), storage_size="2Gi")
Redis(chart, "redis", release=Release(instance="a", version="3"), props=EmbeddedRedis())
Redis(chart, "redis-2", release=Release(instance="b", version="3"), persistence=True)
PgBouncer(chart, "pgb", release=Release(instance="a", version="3"), database=pg.connection, props=PgBouncerProps())
"""


META_GOOD = """\
Exposed(chart, "e", name="e", labels={"a": "b"}, service="s", port=80, props=Exposure(host="a.example.com"))
Kerberos(chart, "k", name="k", labels={"a": "b"}, props=KerberosProps(), sidecar={})
SecretsBootstrap(
    chart, "sb", name="sb", labels={"a": "b"}, namespace="airflow", keys=[], secret_labels={},
    image=runtime.props.image, security=runtime.props.security, image_pull_secrets=[], ttl_seconds_after_finished=60,
)
"""

META_WRONG = [
    (
        'Exposed(chart, "e", labels={}, service="s", port=80, props=Exposure(host="a.example.com"))',
        'Missing named argument "name" for "Exposed"  [call-arg]',
    ),
    (
        'Kerberos(chart, "k", name="k", labels={"a": 1}, props=KerberosProps(), sidecar={})',
        'Dict entry 0 has incompatible type "str": "int"; expected "str": "str"  [dict-item]',
    ),
    (
        'Kerberos(chart, "k", name="k", labels=["a"], props=KerberosProps(), sidecar={})',
        'Argument "labels" to "Kerberos" has incompatible type "list[str]"; expected "dict[str, str]"  [arg-type]',
    ),
    (
        'Exposed(chart, "e", name="e", labels={}, namespace="x", service="s", port=80, props=Exposure(host="a.b"))',
        'Unexpected keyword argument "namespace" for "Exposed"  [call-arg]',
    ),
    (
        'SecretsBootstrap(chart, "sb", name=1, labels={}, namespace="n", keys=[], secret_labels={}, '
        "image=runtime.props.image, security=runtime.props.security, image_pull_secrets=[], "
        "ttl_seconds_after_finished=60)",
        'Argument "name" to "SecretsBootstrap" has incompatible type "int"; expected "str"  [arg-type]',
    ),
]
"""The name and labels of ``Exposed``, ``Kerberos`` and ``SecretsBootstrap`` (``**meta: Unpack[ObjectMeta]``):
each a required keyword of its type, and no other keyword passes through the set."""


def mypy_errors(tmp_path: Path, body: str) -> list[str]:
    """The error lines strict mypy (the project's settings) gives for ``body`` after ``HEADER``,
    each as ``<line in body>: <message>``."""
    snippet = tmp_path / "snippet.py"
    snippet.write_text(HEADER + body)
    out, err, _ = api.run(
        ["--config-file", str(ROOT / "pyproject.toml"), "--cache-dir", str(ROOT / ".mypy_cache"), str(snippet)]
    )
    assert not err, err
    offset = HEADER.count("\n")
    errors = []
    for line in out.splitlines():
        m = re.match(r".*snippet\.py:(\d+): error: (.*)$", line)
        if m:
            errors.append(f"{int(m[1]) - offset}: {m[2]}")
    return errors


def test_each_construct_takes_its_own_props_class(tmp_path: Path) -> None:
    assert mypy_errors(tmp_path, GOOD) == []


WRONG = [
    (
        'Triggerer(chart, "t", runtime=runtime, props=SchedulerProps())',
        'Argument "props" to "Triggerer" has incompatible type "SchedulerProps"; '
        'expected "TriggererProps | None"  [arg-type]',
    ),
    (
        'ApiServer(chart, "a", runtime=runtime, props=DagProcessorProps())',
        'Argument "props" to "ApiServer" has incompatible type "DagProcessorProps"; '
        'expected "ApiServerProps | None"  [arg-type]',
    ),
    (
        'Flower(chart, "f", runtime=runtime, basic_auth=SecretRef("f", "a"), props=TriggererProps())',
        'Argument "props" to "Flower" has incompatible type "TriggererProps"; '
        'expected "FlowerProps | None"  [arg-type]',
    ),
    (
        'Scheduler(chart, "s", runtime=runtime, props=TriggererProps())',
        'Argument "props" to "Scheduler" has incompatible type "TriggererProps"; '
        'expected "SchedulerProps | None"  [arg-type]',
    ),
    (
        'DagProcessor(chart, "d", props=DagProcessorProps())',
        'Missing named argument "runtime" for "DagProcessor"  [call-arg]',
    ),
    (
        'config_map(chart, "c", name="c", data={})',
        'Missing named argument "labels" for "config_map"  [call-arg]',
    ),
    (
        'deployment(chart, "d", name="d", labels={"a": 1}, selector={}, replicas=1, template={}, strategy={})',
        'Dict entry 0 has incompatible type "str": "int"; expected "str": "str"  [dict-item]',
    ),
    (
        'x: SchedulerProps = Triggerer(chart, "t", runtime=runtime).props',
        'Incompatible types in assignment (expression has type "TriggererProps", variable has type '
        '"SchedulerProps")  [assignment]',
    ),
    (
        'PgBouncer(chart, "b", release=Release(instance="a", version="3"), database=runtime.database, '
        "props=EmbeddedRedis())",
        'Argument "props" to "PgBouncer" has incompatible type "EmbeddedRedis"; '
        'expected "PgBouncerProps | None"  [arg-type]',
    ),
    (
        'PgBouncer(chart, "b", release=Release(instance="a", version="3"), props=PgBouncerProps())',
        'Missing named argument "database" for "PgBouncer"  [call-arg]',
    ),
    (
        'PgBouncer(chart, "b", release=Release(instance="a", version="3"), database=SecretRef("db", "url"))',
        'Argument "database" to "PgBouncer" has incompatible type "SecretRef"; '
        'expected "DatabaseConnection"  [arg-type]',
    ),
    (
        'Postgres(chart, "p", props=EmbeddedPostgres())',
        'Missing named argument "release" for "Postgres"  [call-arg]',
    ),
    (
        'Redis(chart, "r", release=Release(version="3"))',
        'Missing named argument "instance" for "Release"  [call-arg]',
    ),
    (
        'Redis(chart, "r", release=Release(instance="a", version="3"), props=EmbeddedPostgres())',
        'Argument "props" to "Redis" has incompatible type "EmbeddedPostgres"; '
        'expected "EmbeddedRedis | None"  [arg-type]',
    ),
]
"""A call a user may write by mistake, and the error mypy gives it."""


def test_a_wrong_props_class_is_a_type_error(tmp_path: Path) -> None:
    body = "".join(call + "\n" for call, _ in WRONG)
    assert mypy_errors(tmp_path, body) == [f"{n}: {error}" for n, (_, error) in enumerate(WRONG, 1)]


def test_a_component_declares_the_props_class_it_is_generic_in(tmp_path: Path) -> None:
    """``props_class`` (what the shared constructor parses) and the ``P`` of ``Component[P]`` (what
    mypy checks a user's ``props`` against) cannot drift apart: mypy refuses a subclass that sets
    another class."""
    body = (
        "from airflow_constructs.components.component import Component\n"
        "class Mine(Component[TriggererProps]):\n"
        "    props_class = SchedulerProps\n"
    )
    assert mypy_errors(tmp_path, body) == [
        '3: Incompatible types in assignment (expression has type "type[SchedulerProps]", base class "Component" '
        'defined the type as "type[TriggererProps]")  [assignment]'
    ]


def test_the_name_and_labels_keywords_are_typed_keywords(tmp_path: Path) -> None:
    """``**meta: Unpack[ObjectMeta]`` (PEP 692) takes ``name=`` and ``labels=`` as before, each checked:
    a right call passes, a missing one, a wrong type or a keyword the set lacks is an error."""
    assert mypy_errors(tmp_path, META_GOOD) == []
    body = "".join(call + "\n" for call, _ in META_WRONG)
    assert mypy_errors(tmp_path, body) == [f"{n}: {error}" for n, (_, error) in enumerate(META_WRONG, 1)]
