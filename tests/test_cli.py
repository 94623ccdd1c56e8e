"""The ``airflow-constructs`` command.

A few runs go end to end through ``subprocess`` (exit codes, files, messages, the installed
entry point); the catalogue of bad config files and the example/app equivalence call ``main``
in this process, because every fresh process pays about a second to start jsii.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from cdk8s import App

from airflow_constructs import AirflowProps, SchedulerProps
from airflow_constructs.cli import main
from airflow_constructs.config_file import AirflowConfig, ConfigError, load_config
from airflow_constructs.docs.diagram import mermaid
from apps.registry import APPS
from tests.conftest import ROOT, Manifest

EXAMPLES = ROOT / "examples"
BAD = ROOT / "tests" / "bad_configs"


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CDK8S_CHECK_UPGRADE": "false"}
    env.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    return subprocess.run(
        [sys.executable, "-m", "airflow_constructs.cli", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )


def synth_app(name: str, outdir: Path) -> dict[str, bytes]:
    """Synthesize one app of ``apps/`` the way ``python -m apps`` does; file name -> bytes."""
    app = App(outdir=str(outdir))
    APPS[name](app)
    app.synth()
    return {p.name: p.read_bytes() for p in sorted(outdir.glob("*.k8s.yaml"))}


# -- end to end -----------------------------------------------------------------------------------


def test_synth_writes_the_default_app_byte_for_byte(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_cli("synth", "examples/default.yaml", "-o", str(out))
    assert result.returncode == 0, result.stderr
    expected = synth_app("default", tmp_path / "python")
    written = {p.name: p.read_bytes() for p in sorted(out.iterdir())}
    assert written == expected
    count = len([d for d in yaml.safe_load_all(expected["airflow.k8s.yaml"]) if d])
    assert result.stdout == (
        f"wrote {out}/airflow.k8s.yaml ({count} objects)\n"
        f"examples/default.yaml: {count} objects in 1 file for namespace 'airflow'\n"
    )
    assert result.stderr == ""


def test_the_command_loads_only_what_synthesis_needs() -> None:
    # migrate, packaging and docs load when their command runs: a cold `synth` does not pay for them.
    code = (
        "import sys, airflow_constructs.cli; "
        "print(sorted(m for m in sys.modules if m.split('.')[:2] in "
        "[['airflow_constructs', p] for p in ('migrate', 'packaging', 'docs', 'imports')]))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout == "[]\n"


def test_default_release_is_migrates() -> None:
    from airflow_constructs import cli
    from airflow_constructs.migrate.command import DEFAULT_RELEASE

    assert cli.DEFAULT_RELEASE == DEFAULT_RELEASE


def test_bad_config_exits_2_names_the_problem_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_cli("synth", "tests/bad_configs/negative-replicas.yaml", "-o", str(out))
    assert result.returncode == 2
    assert result.stderr == (
        "tests/bad_configs/negative-replicas.yaml:2:3: scheduler.replicas: -1 is not allowed: "
        "Input should be greater than or equal to 0\n"
    )
    assert result.stdout == ""
    assert not out.exists()


def test_schema_prints_the_committed_schema() -> None:
    result = run_cli("schema")
    assert result.returncode == 0, result.stderr
    assert result.stdout == (ROOT / "schema" / "airflow.schema.json").read_text(encoding="utf-8")


def test_diagram_prints_the_default_apps_mermaid(default_app: list[Manifest]) -> None:
    result = run_cli("diagram", "examples/default.yaml")
    assert result.returncode == 0, result.stderr
    assert result.stdout == mermaid(default_app)
    assert result.stdout.startswith("flowchart LR\n")


def _helm() -> str:
    """The pinned helm from `make tools`, else one on PATH."""
    local = ROOT / ".tools" / "bin" / "helm"
    found = str(local) if local.is_file() else shutil.which("helm")
    if not found:
        pytest.fail("helm not found: run `make tools` (installs the pinned helm under .tools/bin/)")
    return found


def test_chart_wraps_exactly_what_the_default_apps_chart_wraps(tmp_path: Path) -> None:
    result = run_cli("chart", "examples/default.yaml", "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr
    chart, committed = tmp_path / "airflow", ROOT / "dist" / "helm" / "charts" / "airflow"
    # Same templates, values and schema as the chart of apps/default.py; only the description and
    # the changelog annotations (the library's, not this config's) differ in Chart.yaml and README.
    for same in ("templates/airflow.yaml", "templates/NOTES.txt", "values.yaml", "values.schema.json"):
        assert (chart / same).read_bytes() == (committed / same).read_bytes(), same
    ours, theirs = (yaml.safe_load((d / "Chart.yaml").read_text()) for d in (chart, committed))
    for key in ("apiVersion", "name", "version", "appVersion", "kubeVersion", "type"):
        assert ours[key] == theirs[key], key
    count = len([d for d in yaml.safe_load_all((ROOT / "dist" / "default" / "airflow.k8s.yaml").read_text()) if d])
    assert result.stdout.splitlines()[-1] == (
        f"examples/default.yaml: chart airflow {theirs['version']} with {count} objects in {chart}; "
        f"install with: helm install airflow {chart} -n airflow"
    )
    assert f"wrote {chart}/templates/airflow.yaml ({count} objects)" in result.stdout.splitlines()
    lint = subprocess.run([_helm(), "lint", "--strict", str(chart)], capture_output=True, text=True, check=False)
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_a_workers_only_config_s_chart_is_the_workers_only_app_s_chart(tmp_path: Path) -> None:
    config = tmp_path / "workers-only.yaml"
    config.write_text((ROOT / "examples" / "workers-only.yaml").read_text() + "chart: airflow-workers-only\n")
    result = run_cli("chart", str(config), "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    chart = tmp_path / "out" / "airflow-workers-only"
    committed = ROOT / "dist" / "helm" / "charts" / "airflow-workers-only"
    # Its values (worker sets, image, settings, config, the core's Secrets) as the example app's chart;
    # the template file is named after the chart (the app's chart id is "airflow").
    templates = (chart / "templates" / "airflow-workers-only.yaml").read_text()
    ours = (committed / "templates" / "airflow.yaml").read_text()
    assert templates == ours.replace("app's airflow.k8s.yaml", "app's airflow-workers-only.k8s.yaml", 1)
    for same in ("templates/_airflow_cfg.tpl", "values.yaml", "values.schema.json"):
        assert (chart / same).read_bytes() == (committed / same).read_bytes(), same
    assert "worker_sets" in yaml.safe_load((chart / "values.yaml").read_text())


def test_a_configs_own_pod_options_are_its_charts_defaults_and_values_replace_them(tmp_path: Path) -> None:
    config = tmp_path / "airflow.yaml"
    pod = {
        "node_selector": {"disk": "ssd"},
        "pod_labels": {"team": "data"},
        "tolerations": [{"key": "pool", "operator": "Exists", "effect": "NoExecute", "toleration_seconds": 60}],
        "extra_env": [{"name": "TEAM", "value": "data"}],
    }
    config.write_text(yaml.safe_dump({"namespace": "airflow", "scheduler": {"pod": pod}}))
    result = run_cli("chart", str(config), "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    chart = tmp_path / "out" / "airflow"
    values = yaml.safe_load((chart / "values.yaml").read_text())["scheduler"]["pod"]
    assert values["node_selector"] == {"disk": "ssd"} and values["pod_labels"] == {"team": "data"}
    assert values["tolerations"] == [
        {"key": "pool", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 60}
    ]
    assert values["extra_env"] == [{"name": "TEAM", "value": "data"}]
    flags = ["--set-json", 'scheduler.pod.node_selector={"zone":"a"}', "--set-json", "scheduler.pod.extra_env=[]"]
    out = subprocess.run(
        [_helm(), "template", "airflow", str(chart), "-n", "airflow", *flags],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    scheduler = next(
        d
        for d in yaml.safe_load_all(out.stdout)
        if d and d["kind"] == "Deployment" and d["metadata"]["name"] == "airflow-scheduler"
    )["spec"]["template"]
    # Helm merges a map value into the chart's default map (a list replaces the default list).
    assert scheduler["spec"]["nodeSelector"] == {"disk": "ssd", "zone": "a"}
    assert scheduler["metadata"]["labels"]["team"] == "data"
    assert "TEAM" not in [e["name"] for e in scheduler["spec"]["containers"][0]["env"]]


def test_console_script_is_declared_and_installed() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["project"]["scripts"] == {"airflow-constructs": "airflow_constructs.cli:console_main"}
    script = Path(sys.executable).parent / "airflow-constructs"
    assert script.exists(), "run `make setup` (pip install -e .) to install the entry point"
    result = subprocess.run([str(script), "--help"], capture_output=True, text=True, check=False, timeout=120)
    assert result.returncode == 0
    assert result.stdout.startswith("usage: airflow-constructs")


# -- help and usage ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command", [[], ["synth"], ["chart"], ["schema"], ["diagram"], ["migrate"], ["keycloak-realm"]]
)
def test_every_command_has_help(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main([*command, "--help"])
    assert info.value.code == 0
    assert capsys.readouterr().out.startswith(f"usage: airflow-constructs {' '.join(command)}".rstrip())


HELP_LINES = {
    "synth": ["CONFIG YAML or JSON config file", "--output DIR output directory (default: dist)"],
    "chart": [
        "CONFIG YAML or JSON config file",
        "--output DIR directory the chart directory is written into (default: dist/helm/charts)",
    ],
    "diagram": ["CONFIG YAML or JSON config file"],
    "migrate": ["VALUES the official chart's values file", "--output FILE config file (default: airflow.yaml)"],
    "keycloak-realm": ["CONFIG YAML or JSON config file (auth.kind keycloak)", "--output FILE realm file to write"],
}
"""Each command's CONFIG and -o/--output in its ``--help`` (whitespace folded): the file it reads, where
it writes, and the default when there is one."""


@pytest.mark.parametrize("command", sorted(HELP_LINES))
def test_each_command_s_help_says_what_it_reads_and_writes(
    command: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    with pytest.raises(SystemExit):
        main([command, "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert [line for line in HELP_LINES[command] if line not in text] == []
    assert ("--output" in text) == (command != "diagram")


def test_an_output_without_a_default_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["keycloak-realm", "c.yaml", "--airflow-url", "https://airflow.example.com"])
    assert info.value.code == 2
    assert capsys.readouterr().err.endswith("error: the following arguments are required: -o/--output\n")


@pytest.mark.parametrize("argv", [[], ["synth"], ["deploy"], ["synth", "a.yaml", "--bogus"]])
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    assert "usage: airflow-constructs" in capsys.readouterr().err


# -- examples: one per app, the same bytes as the Python app --------------------------------------


def test_there_is_one_example_per_app() -> None:
    assert sorted(p.stem for p in EXAMPLES.glob("*.yaml")) == sorted(APPS), (
        "every app in apps/ needs examples/<app>.yaml giving the same manifests, and nothing else lives there"
    )


@pytest.mark.parametrize("name", sorted(APPS))
def test_example_gives_the_same_bytes_as_the_app(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    example = EXAMPLES / f"{name}.yaml"
    assert example.exists(), f"apps/{name}: write examples/{name}.yaml"
    monkeypatch.chdir(ROOT)
    assert main(["synth", f"examples/{name}.yaml", "-o", str(tmp_path / "cli")]) == 0
    written = {p.name: p.read_bytes() for p in sorted((tmp_path / "cli").iterdir())}
    assert written == synth_app(name, tmp_path / "python")


def test_examples_name_their_schema() -> None:
    for example in sorted(EXAMPLES.glob("*.yaml")):
        text = example.read_text(encoding="utf-8")
        schema = "workers-only" if "\nkind: workers-only\n" in text else "airflow"
        assert text.splitlines()[0] == f"# yaml-language-server: $schema=../schema/{schema}.schema.json", example.name


# -- bad config files: exact messages, exit 2, nothing written ----------------------------------

ALLOWED_SCHEDULER = ", ".join(sorted(SchedulerProps.model_fields))
"""The keys an unknown-key message lists for the scheduler: whatever the model has today."""

BAD_CONFIGS: dict[str, str] = {
    "unknown-key.yaml": "unknown-key.yaml:2:1: schedular: unknown field; did you mean 'scheduler'? "
    "(the allowed fields are listed in docs/reference.md)",
    "unknown-nested-key.yaml": "unknown-nested-key.yaml:2:3: scheduler.replica: unknown field "
    f"(allowed: {ALLOWED_SCHEDULER}); did you mean 'replicas'?",
    "wrong-type.yaml": "wrong-type.yaml:2:3: scheduler.replicas: 'two' is not allowed: "
    "Input should be a valid integer, unable to parse string as an integer",
    "wrong-type.json": "wrong-type.json:2:17: scheduler.replicas: '2x' is not allowed: "
    "Input should be a valid integer, unable to parse string as an integer",
    "bad-enum.yaml": "bad-enum.yaml:2:3: settings.logging_level: 'VERBOSE' is not allowed: "
    "Input should be 'DEBUG', 'INFO', 'WARNING', 'ERROR' or 'CRITICAL'",
    "negative-replicas.yaml": "negative-replicas.yaml:2:3: scheduler.replicas: -1 is not allowed: "
    "Input should be greater than or equal to 0",
    "bad-database-kind.yaml": "bad-database-kind.yaml:1:1: database: {'kind': 'mysql'} is not allowed: "
    "expected kind 'embedded-postgres' (the default) or 'external'",
    "image-tag-latest.yaml": "image-tag-latest.yaml:2:3: image.tag: 'latest' is not allowed: expected a pinned "
    "image tag (letters, digits, '_', '.', '-'; at most 128; not 'latest')",
    "bad-namespace.yaml": "bad-namespace.yaml:1:1: namespace: 'Airflow_Prod' is not allowed: 'Airflow_Prod' is not "
    "a valid name for a namespace: use at most 63 lowercase letters, digits and '-', starting and ending with a "
    "letter or digit",
    "request-above-limit.yaml": "request-above-limit.yaml:2:3: triggerer.resources: cpu_request '2' is above "
    "cpu_limit '1': the request must not exceed the limit",
    "several-problems.yaml": "several-problems.yaml:2:3: api_server.replicas: 1000 is not allowed: Input should "
    "be less than or equal to 100\n"
    "several-problems.yaml:4:3: scheduler.replicas: -1 is not allowed: Input should be greater than or equal to 0\n"
    "several-problems.yaml:7:9: scheduler.pod.extra_env[0]: env var 'X' sets no source: set exactly one of value, "
    "secret, config_map",
    "malformed.yaml": "malformed.yaml:3:13: malformed YAML: mapping values are not allowed here",
    "malformed.json": "malformed.json:2:31: malformed JSON: Expecting property name enclosed in double quotes",
    "duplicate-key.yaml": "duplicate-key.yaml:3:1: malformed YAML: key 'scheduler' is given twice (first on line 1)",
    "not-a-mapping.yaml": "not-a-mapping.yaml: expected a mapping of Airflow props at the top level, "
    "got list ['scheduler', 'triggerer']",
    "bad-label-key.yaml": "bad-label-key.yaml:3:5: scheduler.pod.pod_labels: {'team/x/y': 'data'} is not allowed: "
    "label key 'team/x/y' is not a qualified name ([prefix/]name): at most one '/'",
    "bad-label-value.yaml": "bad-label-value.yaml:3:5: scheduler.pod.pod_labels: {'team': 'data platform'} is not "
    "allowed: label value 'data platform': expected at most 63 letters, digits, '-', '_' and '.', starting and "
    "ending with a letter or digit (or empty)",
    "bad-node-selector.yaml": "bad-node-selector.yaml:3:5: dag_processor.pod.node_selector: {'kubernetes.io/arch': "
    "'amd64 '} is not allowed: label value 'amd64 ': expected at most 63 letters, digits, '-', '_' and '.', "
    "starting and ending with a letter or digit (or empty)",
    "bad-annotation-key.yaml": "bad-annotation-key.yaml:3:5: triggerer.pod.pod_annotations: {'-bad.example.com/x': "
    "'1'} is not allowed: annotation key '-bad.example.com/x' is not a qualified name ([prefix/]name): the prefix "
    "'-bad.example.com' is not a lowercase DNS subdomain such as 'example.com'",
    "bad-cron-range.yaml": "bad-cron-range.yaml:2:3: db_clean.schedule: '0 24 * * *' is not allowed: '24' is "
    "outside the hour range 0-23",
    "cron-tz-prefix.yaml": "cron-tz-prefix.yaml:2:3: db_clean.schedule: 'CRON_TZ=Europe/Berlin 0 3 * * *' is not "
    "allowed: TZ and CRON_TZ are not allowed in a CronJob schedule (Kubernetes 1.29+ refuses them)",
    "bad-env-name.yaml": "bad-env-name.yaml:4:9: scheduler.pod.extra_env[0].name: '1X' is not allowed: expected an "
    "environment variable name: letters, digits, '_', '-' and '.', not starting with a digit",
    "bad-time-zone.yaml": "bad-time-zone.yaml:2:3: settings.default_timezone: 'Europe/Berln' is not allowed: "
    "unknown time zone: expected 'utc', 'system' or an IANA time zone name such as 'Europe/Berlin'",
}
"""Each bad file in tests/bad_configs/ and the exact message (each line prefixed with the directory)."""

SCHEMA_REJECTS = [
    "unknown-key.yaml",
    "unknown-nested-key.yaml",
    "wrong-type.yaml",
    "wrong-type.json",
    "bad-enum.yaml",
    "negative-replicas.yaml",
    "bad-database-kind.yaml",
    "several-problems.yaml",
    "not-a-mapping.yaml",
]
"""Bad files the JSON Schema alone rejects too (the others need the models' own checks)."""


def test_every_bad_config_file_is_in_the_catalogue() -> None:
    assert sorted(p.name for p in BAD.iterdir()) == sorted(BAD_CONFIGS)


@pytest.mark.parametrize("command", ["synth", "chart", "diagram"])
@pytest.mark.parametrize("name", sorted(BAD_CONFIGS))
def test_bad_config_is_rejected_with_exact_message(
    name: str, command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    out = tmp_path / "out"
    argv = [command, f"tests/bad_configs/{name}"] + (["-o", str(out)] if command != "diagram" else [])
    assert main(argv) == 2
    captured = capsys.readouterr()
    expected = "\n".join(f"tests/bad_configs/{line}" for line in BAD_CONFIGS[name].splitlines())
    assert captured.err == expected + "\n"
    assert captured.out == ""
    assert not out.exists(), "nothing may be written for a bad config"


def test_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.yaml"
    assert main(["synth", str(missing), "-o", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err == f"{missing}: cannot read the file: No such file or directory\n"


def test_output_that_is_a_file_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    target = tmp_path / "out.yaml"
    target.write_text("")
    assert main(["synth", "examples/default.yaml", "-o", str(target)]) == 2
    assert capsys.readouterr().err == f"{target}: the output must be a directory, and this is a file\n"
    assert target.read_text() == ""


# -- the config model -----------------------------------------------------------------------


def test_config_is_the_airflow_props_plus_where_they_go() -> None:
    assert set(AirflowConfig.model_fields) - set(AirflowProps.model_fields) == {"kind", "namespace", "chart"}
    assert not {"kind", "namespace", "chart"} & set(AirflowProps.model_fields), "a props field now shadows a config key"


def test_empty_file_and_schema_key_give_the_defaults(tmp_path: Path) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("# nothing set\n")
    named = tmp_path / "named.json"
    named.write_text('{"$schema": "../schema/airflow.schema.json"}')
    assert load_config(empty) == AirflowConfig() == load_config(named)
    assert AirflowConfig().airflow_props() == AirflowProps()


def test_config_errors_are_value_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("scheduler: {replicas: -1}\n")
    with pytest.raises(ConfigError) as info:
        load_config(bad)
    assert isinstance(info.value, ValueError)
    assert str(info.value).startswith(f"{bad}:1:13: scheduler.replicas: -1 is not allowed")


def test_synth_notes_other_manifests_in_the_output_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    (tmp_path / "old.k8s.yaml").write_text("")
    assert main(["synth", "examples/default.yaml", "-o", str(tmp_path)]) == 0
    assert f"note: {tmp_path}/old.k8s.yaml was not written by this run; remove it if it is stale\n" in (
        capsys.readouterr().out
    )
