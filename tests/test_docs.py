"""Generated docs: fresh (else `make synth`), and the JSON Schema agrees with the models."""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from cdk8s import App, Chart
from pydantic import BaseModel, ConfigDict, Field

from airflow_constructs import AirflowProps
from airflow_constructs.config_file import validate_config
from airflow_constructs.core.docstrings import attribute_docstrings, field_descriptions
from airflow_constructs.core.props import Props
from airflow_constructs.docs.examples import has_placeholders
from airflow_constructs.docs.reference import keyword_parameters
from apps import docs
from tests.conftest import ROOT
from tests.test_cli import BAD, SCHEMA_REJECTS

SCHEMA = json.loads((ROOT / "schema" / "airflow.schema.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", sorted(docs.outputs()), ids=lambda p: str(p.relative_to(ROOT)))
def test_generated_file_is_fresh(path: Path) -> None:
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    assert docs.outputs()[path](current) == current, f"{path.relative_to(ROOT)} is stale: run `make synth`"


def test_readme_shows_the_default_diagram_and_links_the_reference() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert docs.README_START in readme
    assert docs.README_END in readme
    assert "(docs/reference.md)" in readme


def test_docs_check_mode_reports_nothing_stale(capsys: pytest.CaptureFixture[str]) -> None:
    assert docs.main(["--check"]) == 0
    assert capsys.readouterr().err == ""


# -- the JSON Schema ----------------------------------------------------------------------------


def _validator() -> jsonschema.Draft202012Validator:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    return jsonschema.Draft202012Validator(SCHEMA)


def _load(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    return json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)


def test_schema_forbids_unknown_keys_in_every_model() -> None:
    models = [SCHEMA, *SCHEMA["$defs"].values()]
    assert all(m.get("additionalProperties") is False for m in models if m.get("type") == "object")


def test_schema_has_the_field_docstrings() -> None:
    assert SCHEMA["properties"]["scheduler"]["description"] == field_descriptions(AirflowProps)["scheduler"]
    assert field_descriptions(AirflowProps)["scheduler"] == "The scheduler."
    assert SCHEMA["$defs"]["SchedulerProps"]["properties"]["replicas"] == {
        "default": 1,
        "description": "Number of pods.",
        "maximum": 100,
        "minimum": 0,
        "title": "Replicas",
        "type": "integer",
    }


WORKERS_SCHEMA = json.loads((ROOT / "schema" / "workers-only.schema.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("example", sorted((ROOT / "examples").glob("*.yaml")), ids=lambda p: p.name)
def test_schema_accepts_every_example(example: Path) -> None:
    data = _load(example)
    if data.get("kind") == "workers-only":
        jsonschema.Draft202012Validator.check_schema(WORKERS_SCHEMA)
        validator = jsonschema.Draft202012Validator(WORKERS_SCHEMA)
        assert [e.message for e in validator.iter_errors(data)] == []
        assert list(_validator().iter_errors(data)), "the whole-install schema must refuse a workers-only file"
        return
    assert [e.message for e in _validator().iter_errors(data)] == []


@pytest.mark.parametrize("name", SCHEMA_REJECTS)
def test_schema_rejects_bad_configs(name: str) -> None:
    assert list(_validator().iter_errors(_load(BAD / name))) != []


@pytest.mark.parametrize(
    "data",
    [{}, {"database": {}}, {"database": {"kind": "external", "url": {"name": "db", "key": "url"}}}],
    ids=["empty", "database-defaults", "external-database"],
)
def test_schema_accepts_what_the_models_accept(data: dict[str, Any]) -> None:
    validate_config("inline", data)
    assert list(_validator().iter_errors(data)) == []


# -- the reference -------------------------------------------------------------------------------


def _reference() -> str:
    return (ROOT / "docs" / "reference.md").read_text(encoding="utf-8")


def test_reference_documents_every_airflow_prop() -> None:
    text = _reference()
    for name in AirflowProps.model_fields:
        assert f"| `{name}` |" in text


def test_reference_yaml_examples_are_valid_config_files() -> None:
    examples = re.findall(r"```yaml\n(.*?)```", _reference(), flags=re.S)
    checked = 0
    for block in examples:
        data = yaml.safe_load(block)
        if has_placeholders(data):
            continue  # a template: <field> marks what the reader fills in
        validate_config("docs/reference.md", data)
        checked += 1
    assert checked >= 10


def test_a_keyword_set_is_documented_as_the_keywords_it_stands_for() -> None:
    """``**meta: Unpack[ObjectMeta]`` is shown as the typed keywords a caller writes (``name``, ``labels``,
    required); a component's ``**kwargs`` (its props fields) stays one ``**kwargs``."""
    import airflow_constructs as ac

    exposed = [(p.name, p.kind.name, p.annotation, p.default) for p in keyword_parameters(ac.Exposed.__init__)]
    assert exposed[-2:] == [
        ("name", "KEYWORD_ONLY", str, inspect.Parameter.empty),
        ("labels", "KEYWORD_ONLY", dict[str, str], inspect.Parameter.empty),
    ]
    assert [p.name for p in keyword_parameters(ac.Kerberos.__init__)] == [
        "self",
        "scope",
        "id",
        "props",
        "sidecar",
        "name",
        "labels",
    ]
    assert keyword_parameters(ac.Scheduler.__init__)[-1].kind is inspect.Parameter.VAR_KEYWORD
    reference = _reference()
    assert (
        'Exposed(chart, "exposed", service=service, port=port, name=name, labels=labels, props=Exposure(' in reference
    )
    assert 'Kerberos(chart, "kerberos", sidecar=sidecar, name=name, labels=labels, props=KerberosProps(' in reference


def _python_examples() -> list[str]:
    blocks = [b.strip() for b in re.findall(r"```python\n(.*?)```", _reference(), flags=re.S)]
    return [b for b in blocks if not re.search(r"'<[a-z_]+>'", b)]  # a <field> placeholder: a template


@pytest.mark.parametrize("call", _python_examples(), ids=lambda call: call.split("(", 1)[0])
def test_reference_python_examples_run(call: str) -> None:
    """Each Python example of the reference is a complete call: it runs, with the variables it names
    (``runtime``, ``database``, ...) bound to what the reader would have."""
    import airflow_constructs as ac

    name = call.split("(", 1)[0]
    chart = Chart(App(), "docs", namespace="airflow")
    database = ac.ExternalDatabase(
        host="db.example.com", user="airflow", database="airflow", password=ac.SecretRef("airflow-db", "password")
    )
    runtime = ac.AirflowRuntime(chart, "runtime", database=database)
    variables: dict[str, Any] = {
        "chart": chart,
        "runtime": runtime,
        # the props for AirflowRuntime; the connection it resolves for PgBouncer and the backup
        "database": database if name == "AirflowRuntime" else runtime.database,
        "instance": "airflow",
        "release": ac.Release(instance="airflow", version="3.3.2"),
        "labels": runtime.labels("example"),
        "basic_auth": ac.SecretRef("airflow-flower", "basic-auth"),
        "image_pull_secrets": [],
        "pod_options": ac.PodOptions(),
        "postgres": ac.EmbeddedPostgres(),
        "name": "airflow-kerberos",
        "sidecar": {"name": "kerberos", "image": "apache/airflow:3.3.2", "args": ["kerberos"]},
    }
    eval(call, {**vars(ac), **variables})


def _readme_python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), flags=re.S)


@pytest.mark.parametrize("index", range(len(_readme_python_blocks())), ids=lambda i: f"block-{i}")
def test_readme_python_examples_synthesize(index: int, tmp_path: Path) -> None:
    """What a new user copies from the README runs and synthesizes: each ```python block, with
    ``chart`` bound to a chart of the user's app; a line with ``...`` (a value left to the reader) is
    left out. A block that only sets ``dags``, ``logs`` or ``database`` passes its last value to
    ``Airflow``. The quick start's own ``App()`` writes into a temporary directory."""
    from airflow_constructs import Airflow

    block = _readme_python_blocks()[index]
    code = "\n".join(line for line in block.splitlines() if "..." not in line)
    # jsii's node process resolves App()'s default outdir against its own working directory (the
    # repository's): the quick start's App writes to the temporary directory instead.
    code = code.replace("App()", f"App(outdir={str(tmp_path / 'quick-start')!r})")
    app = App(outdir=str(tmp_path / "user-app"))
    chart = Chart(app, "user-app", namespace="airflow")
    scope: dict[str, Any] = {"chart": chart}
    exec(compile(code, f"README.md python block {index}", "exec"), scope)
    if not chart.node.children:
        Airflow(chart, "airflow", **{k: scope[k] for k in ("dags", "logs", "database") if k in scope})
    app.synth()
    assert list(tmp_path.rglob("*.k8s.yaml")), "the example wrote no manifests"


def test_readme_config_example_is_valid() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```yaml\n(.*?)```", readme, flags=re.S) if "yaml-language-server" in b]
    assert blocks
    for block in blocks:
        validate_config("README.md", yaml.safe_load(block))


# -- field descriptions --------------------------------------------------------------------------


class _PydanticReads(BaseModel):
    """The shapes of attribute docstring that the reader must read exactly as pydantic does."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    plain: int = 0
    """One line."""
    indented: str = ""
    """First line.

    Second paragraph,
        indented further, with a ``literal``.
    """
    commented: int = 0
    # A comment between the field and its docstring is not a statement.
    """Still the docstring."""
    undocumented: int = 0

    def method(self) -> None:
        """A method's docstring belongs to no field."""

    """A string after a method documents nothing."""
    after_a_method: int = 0


class _Base(Props):
    kept: int = 0
    """From the base."""
    redeclared: int = 0
    """The base's words."""
    explicit: int = Field(default=0, description="From Field().")


class _Child(_Base):
    redeclared: int = 1
    """The child's words."""
    own: int = 0

    class Nested(Props):
        inner: int = 0
        """Inside a nested class."""


def test_attribute_docstrings_are_read_as_pydantic_reads_them() -> None:
    expected = {name: f.description for name, f in _PydanticReads.model_fields.items() if f.description is not None}
    assert expected == {
        "plain": "One line.",
        "indented": "First line.\n\nSecond paragraph,\n    indented further, with a ``literal``.",
        "commented": "Still the docstring.",
    }
    assert attribute_docstrings(_PydanticReads) == expected


def test_field_descriptions_follow_the_class_that_declares_the_field() -> None:
    assert field_descriptions(_Child) == {
        "kept": "From the base.",
        "redeclared": "The child's words.",
        "explicit": "From Field().",
    }
    assert field_descriptions(_Child.Nested) == {"inner": "Inside a nested class."}


def test_every_props_schema_carries_the_field_descriptions() -> None:
    properties = _Child.model_json_schema()["properties"]
    assert {name: p.get("description") for name, p in properties.items()} == {
        "kept": "From the base.",
        "redeclared": "The child's words.",
        "explicit": "From Field().",
        "own": None,
    }
