"""The Helm values next to the config file's fields they set, for ``docs/reference.md``."""

from __future__ import annotations

from typing import Any

from ..airflow import AirflowProps
from ..packaging.values import value_leaves


def helm_values_section() -> list[str]:
    """Markdown lines: each chart value, the config file field with the same meaning, and its schema."""
    rows = [
        "| `replicas.<workload>` | `<component>.replicas` | integer, 0 to 100 | Pods of the workload "
        "(e.g. `replicas.airflow-scheduler`); absent for an autoscaled one. |"
    ]
    seen: set[tuple[str, ...]] = set()
    # An exposed api-server with every name set, so that each exposure value has a row.
    exposed = {
        "host": "airflow.example.com",
        "tls_secret": "airflow-tls",
        "issuer": "letsencrypt",
        "ingress_class": "nginx",
    }
    # Celery and git-sync too, so that every image has its row.
    props = AirflowProps.parse(
        {
            "api_server": {"expose": exposed},
            "executor": {"kind": "CeleryExecutor"},
            "dags": {"kind": "git-sync", "repo": "https://github.com/acme/dags.git"},
            "secrets": {"api_secret_key": {"name": "airflow-api", "key": "secret-key"}},
        }
    )
    leaves = value_leaves(props)
    images = sorted(
        {".".join(leaf.path[:-1]) for leaf in leaves if len(leaf.path) > 2 and leaf.path[-2].endswith("image")}
    )
    for leaf in leaves:
        helm: tuple[str, ...]
        config: tuple[Any, ...]
        if leaf.path[-2:-1] == ("pod",):  # a worker set's and the task pods' too
            helm = config = ("<component>", "pod", leaf.path[-1])
        elif leaf.path[:2] == ("executor", "worker_sets"):
            helm = ("executor", "worker_sets", "<name>", "resources", leaf.path[-1])
            config = ("executor", "worker_sets[]", "resources", leaf.path[-1])
        elif leaf.path[0] == "resources":
            helm, config = ("resources", "<component>", leaf.path[2]), ("<component>", "resources", leaf.path[2])
        elif leaf.path == ("config",):
            helm = config = ("config", "<section>", "<key>")
        elif len(leaf.path) > 2 and leaf.path[-2].endswith("image"):
            helm = config = ("<image>", leaf.path[-1])
        elif leaf.whole_parent and not leaf.path[-2].endswith("image"):
            helm = config = ("<secret>", leaf.path[-1])
        elif leaf.path[1:2] == ("expose",):
            helm = config = ("<component>", *leaf.path[1:])
        else:
            helm, config = leaf.path, leaf.props_path
        if helm in seen:
            continue
        seen.add(helm)
        schema = leaf.schema
        per_component = (
            leaf.path[0] == "resources"
            or helm[1:2] == ("worker_sets",)
            or helm[0] in ("<image>", "<secret>")
            or helm[1:2] == ("pod",)
        )
        rows.append(_row(helm, config, _allowed(schema), schema["description"], per_component))
    return _section(rows, images)


def _allowed(schema: dict[str, Any]) -> str:
    if "^[a-z][a-z0-9_]*$" in schema.get("patternProperties", {}):  # config: airflow.cfg section names
        return (
            "sections and keys matching `^[a-z][a-z0-9_]*$`; options are text (no newline), integers or "
            "booleans (written `True`/`False`); not a typed setting's, the library's wiring's, or a key the "
            "chart's airflow.cfg already writes"
        )
    if schema["type"] == "array":
        required = schema["items"].get("required", [])
        if "operator" in required:
            return (
                "Kubernetes `Toleration` objects (`operator` required; `key`, `value`, `effect`, `tolerationSeconds`)"
            )
        if "name" in required:
            return (
                "Kubernetes `EnvVar` objects (`name`, and `value` or `valueFrom` with a `secretKeyRef` or "
                "`configMapKeyRef`)"
            )
        return (
            "Kubernetes `TopologySpreadConstraint` objects (`maxSkew`, `topologyKey`, `whenUnsatisfiable` "
            "required); empty: the library's own spread rule"
        )
    if schema["type"] == "object" and "patternProperties" in schema:
        values = next(iter(schema["patternProperties"].values()))
        return "map of qualified-name keys to " + (
            f"values matching `{values['pattern']}`" if "pattern" in values else "text"
        )
    if schema["type"] == "object":
        return "a Kubernetes `Affinity` object"
    if "enum" in schema:
        return ", ".join(f"`{v}`" for v in schema["enum"])
    if schema["type"] == "integer":
        return (
            f"integer, {schema['minimum']} to {schema['maximum']}"
            if "maximum" in schema
            else f"integer ≥ {schema['minimum']}"
        )
    allowed = f"pattern `{schema['pattern']}`"
    return allowed + (f", not `{schema['not']['const']}`" if "not" in schema else "")


def _row(helm: tuple[str, ...], config: tuple[Any, ...], allowed: str, description: str, per_component: bool) -> str:
    # A resources description starts with its component's name: the table lists the field once.
    text = description.split(": ", 1)[-1] if per_component else description
    cells = [f"`{'.'.join(helm)}`", f"`{'.'.join(map(str, config))}`", allowed, " ".join(text.split())]
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def _section(rows: list[str], images: list[str]) -> list[str]:
    return [
        "## Helm values",
        "",
        "Every chart in `dist/helm/` honours these values, named as the config file's fields, with the "
        "app's own settings as defaults (its `values.yaml`); its `values.schema.json` refuses anything "
        "else, naming the field. `<component>` is a field of the Airflow props whose model has "
        "`resources` (`api_server`, `scheduler`, `dag_processor`, `triggerer`, `migrations`, ...), listed "
        "in a chart only when the app deploys it; `<component>.expose.*` only when the app exposes it, and "
        "its names (`tls_secret`, `issuer`, ...) only when the app sets them. An image tag must keep the "
        "chart's Airflow minor. `<image>` is each other image the app runs: "
        + ", ".join(f"`{image}`" for image in images)
        + "; an empty `digest` pulls by tag alone. `<component>.pod.*` are the pod options of every component "
        "the app deploys (`database.pod`, `metrics.pod`, ... too), the KubernetesExecutor's task pods too "
        "(`executor.worker.pod.*`, written into its pod template file; with your own `pod_template`, the "
        "pod fields it sets are not values and its labels, annotations and env var names are refused); "
        'an empty value (`{}`, `[]`, `""`) writes no field. `tolerations` are written as Kubernetes writes '
        "them (`tolerationSeconds`; the config file says `toleration_seconds`). `affinity` is a value only for "
        "a component whose `anti_affinity` is `none`: otherwise the library adds its own rule to it. "
        "`<secret>` is each existing Secret the app's props name (`database.password`, `dags.ssh.private_key`, "
        "`executor.broker.url`, `auth.ldap.bind_password`, ...): its `name` and `key`; Secrets the "
        "library generates in-cluster have none. `executor.worker_sets.<name>.resources.*` and `.pod.*` are the "
        "resources and pod options of each Celery (or edge) worker set, by its name (`worker_sets.<name>.*` in "
        "the workers-only chart, which also takes `image.*`, `settings.*`, `config`, and the core's Secrets "
        "by reference: `broker.url`, `database.url`, `secrets.fernet_key`, `secrets.api_secret_key`, "
        "`secrets.jwt_secret`); `resources.database.*` those of the embedded PostgreSQL, "
        "`resources.dags.*` those of the git-sync sidecar; `executor.worker.resources.*` those "
        "of the KubernetesExecutor's task pods (in its pod template file), `executor.broker.resources.*` "
        "those of the embedded Redis. "
        "`config.<section>.<key>` adds airflow.cfg options (the "
        "chart's airflow.cfg is rendered in the template, so a changed option rolls every pod that reads it).",
        "",
        "| Helm value | config file field | allowed | description |",
        "|---|---|---|---|",
        *rows,
        "",
        "```bash",
        "helm install airflow dist/helm/airflow-<version>.tgz -n airflow --set image.tag=3.3.1 \\",
        "  --set-string resources.scheduler.cpu_limit=4",
        "```",
        "",
        "```yaml",
        "# the same settings in a config file",
        "image:",
        "  tag: 3.3.1",
        "scheduler:",
        "  resources:",
        '    cpu_limit: "4"',
        "```",
        "",
    ]
