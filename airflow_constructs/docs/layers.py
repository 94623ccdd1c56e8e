"""The package's layers, lowest first: the one table the import tests enforce and the docs draw.

A module may import from its own layer and the layers below it, never from a layer above. The
tests (``tests/test_layers.py``) walk every import of every module, module-level and inside
functions, and fail on an upward import or an import cycle; ``docs/architecture.md`` draws this
table (``python -m apps.docs``).
"""

from __future__ import annotations

from dataclasses import dataclass

PACKAGE = "airflow_constructs"


@dataclass(frozen=True)
class Layer:
    """One floor of the package: the modules under ``prefixes`` and what lives there."""

    name: str
    prefixes: tuple[str, ...]
    holds: str


LAYERS = (
    Layer(
        "core/",
        ("core", "imports", "scripts"),
        "Kubernetes vocabulary with no Airflow knowledge: props helpers, API objects, pods and containers, "
        "image references, resources, security contexts, labels, autoscalers, exposure, TLS primitives, "
        "Secret keys to generate, NetworkPeer and the flow declarations (Connection, Outside); the generated CRD "
        "bindings (imports/) and the scripts pods run",
    ),
    Layer(
        "services/",
        ("services",),
        "backing services: the metadata database, embedded PostgreSQL, PgBouncer, Redis; each declares its "
        "flows given its clients",
    ),
    Layer(
        "runtime/",
        ("runtime",),
        "what every Airflow process shares: airflow.cfg, the Airflow image, the Airflow container, the "
        "api-server's HTTPS, secrets and their bootstrap Job, DAGs, logs, auth, executors as plain data, the "
        "release's pods by role; each declares the flows of what it owns (database, git, remote logs, identity)",
    ),
    Layer("components/", ("components",), "one module per deployed thing; each declares its flows (declare_flows)"),
    Layer(
        "network/",
        ("network",),
        "reads the declared flows into the connection graph and derives the NetworkPolicies; imports no component",
    ),
    Layer(
        "airflow.py",
        ("airflow", "flow_declarations", "workers_only"),
        "Airflow: the composition, the only module that knows every component; flow_declarations: gathers "
        "every part's declare_flows for network/; WorkersOnly: workers alone",
    ),
    Layer("__init__.py", ("",), "the public API: the names users import"),
    Layer("packaging/", ("packaging",), "Helm chart, chart repository, changelog, templates"),
    Layer("config_file.py", ("config_file",), "the YAML config file a user writes instead of Python"),
    Layer("docs/", ("docs",), "generators of the props reference and the diagrams"),
    Layer("migrate/", ("migrate",), "moving from the official Airflow Helm chart: values to config, report, compare"),
    Layer("cli.py", ("cli",), "the airflow-constructs command"),
)


def layer_of(module: str) -> int:
    """Index in ``LAYERS`` of a module of the package (``airflow_constructs.core.kube`` -> 0)."""
    rest = module.removeprefix(PACKAGE).removeprefix(".")
    head = rest.split(".")[0]
    for i, layer in enumerate(LAYERS):
        if head in layer.prefixes:
            return i
    raise ValueError(f"{module}: in no layer of airflow_constructs.docs.layers.LAYERS: add it to one")


def layers_mermaid() -> str:
    """A Mermaid flowchart of the layers, the top one first, each pointing at the one it builds on."""
    lines = ["flowchart TD"]
    top_down = list(reversed(LAYERS))
    for i, layer in enumerate(top_down):
        lines.append(f'    L{i}["<b>{layer.name}</b><br/>{layer.holds}"]')
    for i in range(len(top_down) - 1):
        lines.append(f"    L{i} --> L{i + 1}")
    return "\n".join(lines) + "\n"
