"""Turn synthesized manifests into Helm template text that renders back to exactly those manifests.

Three things make a manifest a template:

* **Namespace.** Every place the app's namespace appears as a namespace (``metadata.namespace``,
  RoleBinding subjects, any ``namespace``/``namespaces`` field, ``*NAMESPACE`` env vars,
  ``kubernetes.io/metadata.name`` selectors, ``namespace = ...`` lines of config files,
  ``--namespace`` arguments, and DNS names ``<name>.<ns>.svc`` or ``<service>.<ns>``) becomes
  ``.Release.Namespace``. The
  substitution works on the parsed objects, field by field, never by replacing the word in the
  text: the namespace is usually ``airflow``, which is also the app, label and database name.
* **Values.** Fields the chart lets users set (see ``packaging/helm.py``) become ``.Values`` lookups.
* **Escaping.** Helm runs every template through Go's text/template, so a ``{{`` in a manifest (an
  Airflow log filename template such as ``{{ ti.dag_id }}``) is written as ``{{ "{{" }}``, which
  renders a literal ``{{``.

The order is what makes it safe: placeholders (plain words) go into the objects, the objects are
dumped to YAML, the YAML text is escaped, and only then are the placeholders replaced by the
template actions, so no action is ever escaped and no text is ever interpreted.
``render_locally`` is the inverse, used to prove each chart round-trips before it is written.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import yaml

Manifest = dict[str, Any]

_PLACEHOLDER_PREFIX = "__airflow_constructs_helm_"
NAMESPACE_VALUE = f"{_PLACEHOLDER_PREFIX}namespace__"
"""Stands for a field whose whole value is the namespace."""
NAMESPACE_INLINE = f"{_PLACEHOLDER_PREFIX}ns__"
"""Stands for the namespace inside a longer string (a DNS name, a config line)."""

NAMESPACE_ACTION = "{{ .Release.Namespace | quote }}"
NAMESPACE_INLINE_ACTION = "{{ .Release.Namespace }}"
ESCAPED_OPEN = '{{ "{{" }}'
"""How a literal ``{{`` is written in a Helm template."""

_ACTION = re.compile(r"\{\{(.*?)\}\}")
_REPLICAS_ACTION = re.compile(r'^ index \.Values\.replicas "(?P<name>[^"]+)" $')


class RoundTripError(ValueError):
    """The manifests cannot be expressed as a chart that renders them unchanged."""


def mappings_in(objects: Iterable[Any]) -> Iterator[dict[str, Any]]:
    """Every mapping inside ``objects``, depth first, each before what it holds."""
    stack: list[Any] = list(reversed(list(objects)))
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            yield node
            stack.extend(reversed(list(node.values())))
        elif isinstance(node, list):
            stack.extend(reversed(node))


def replicas_placeholder(name: str) -> str:
    """Stands for the ``spec.replicas`` of workload ``name`` (a DNS name: a plain YAML word)."""
    return f"{_PLACEHOLDER_PREFIX}replicas_{name}__"


def replicas_action(name: str) -> str:
    """The template action that reads the replica count of workload ``name`` from the values."""
    return f'{{{{ index .Values.replicas "{name}" }}}}'


# ---------------------------------------------------------------- namespace substitution


_NAMESPACE_FLAGS = ("--namespace", "-n")
"""Command-line flags whose next argument is a namespace (``kubectl``-style, the pod cleanup Job)."""


def substitute_namespace(obj: Manifest, namespace: str, services: Iterable[str]) -> Manifest:
    """A copy of ``obj`` with every namespace reference to ``namespace`` replaced by a placeholder."""
    text_rules = _text_rules(namespace, sorted(services))

    def in_text(text: str) -> str:
        for pattern in text_rules:
            text = pattern.sub(rf"\g<before>{NAMESPACE_INLINE}\g<after>", text)
        return text

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            return {key: field(node, key, value) for key, value in node.items()}
        if isinstance(node, list):
            return [
                NAMESPACE_VALUE if item == namespace and i and node[i - 1] in _NAMESPACE_FLAGS else walk(item)
                for i, item in enumerate(node)
            ]
        if isinstance(node, str):
            return in_text(node)
        return node

    def field(parent: dict[str, Any], key: str, value: Any) -> Any:
        if value == namespace and key in ("namespace", "kubernetes.io/metadata.name"):
            return NAMESPACE_VALUE
        if key == "namespaces" and isinstance(value, list):
            return [NAMESPACE_VALUE if item == namespace else walk(item) for item in value]
        if key == "value" and value == namespace and str(parent.get("name", "")).upper().endswith("NAMESPACE"):
            return NAMESPACE_VALUE  # an env var such as AIRFLOW__KUBERNETES_EXECUTOR__NAMESPACE
        return walk(value)

    result: Manifest = walk(copy.deepcopy(obj))
    return result


def _text_rules(namespace: str, services: list[str]) -> list[re.Pattern[str]]:
    """Patterns whose ``ns`` group is the namespace inside a string, with ``before``/``after`` kept.

    * ``<label>.<ns>.svc`` and longer forms (``.svc.cluster.local``, pod DNS names);
    * ``<service>.<ns>`` for Services of this app, only when no further DNS label follows, so an
      external name such as ``airflow-api-server.airflow.example.com`` is left alone;
    * ``namespace = <ns>`` / ``namespace: <ns>`` lines of a config file (airflow.cfg's
      ``[kubernetes_executor] namespace``);
    * ``--namespace=<ns>`` command-line arguments (``--namespace <ns>`` is handled on the list).
    """
    ns = re.escape(namespace)
    rules = [re.compile(rf"(?P<before>[A-Za-z0-9]\.){ns}(?P<after>\.svc)(?![-\w])")]
    if services:
        names = "|".join(re.escape(s) for s in services)
        rules.append(re.compile(rf"(?P<before>(?<![-\w.])(?:{names})\.){ns}(?P<after>)(?![-\w.])"))
    rules.append(re.compile(rf"(?im)(?P<before>^[ \t]*namespace[ \t]*[=:][ \t]*){ns}(?P<after>[ \t]*)$"))
    rules.append(re.compile(rf"(?P<before>(?<![-\w])--namespace=){ns}(?P<after>)(?![-\w.])"))
    return rules


# ---------------------------------------------------------------- YAML text


class _Dumper(yaml.SafeDumper):
    """Block-style YAML that reads like the synthesized files: indented lists, ``|`` for multi-line text."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    if value in _GO_YAML_BOOLS:
        # PyYAML (YAML 1.1 without y/n) would write these plain; Go's YAML, which Helm and
        # kubectl use, reads a plain y/n as a boolean.
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="'")
    return dumper.represent_str(value)


_GO_YAML_BOOLS = frozenset({"y", "Y", "n", "N"})
_Dumper.add_representer(str, _represent_str)


def load_all(text: str) -> list[Any]:
    """Every non-empty YAML document of ``text`` (libyaml's parser when PyYAML has it: much faster)."""
    return [doc for doc in yaml.load_all(text, Loader=_Loader) if doc is not None]


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def dump(obj: Any) -> str:
    """One object as a YAML document (keys in their synthesized order)."""
    return yaml.dump(obj, Dumper=_Dumper, sort_keys=False, default_flow_style=False, allow_unicode=True, width=1 << 30)


def escape(text: str) -> str:
    """Make Helm render ``text`` verbatim: every ``{{`` becomes an action that prints ``{{``."""
    return text.replace("{{", ESCAPED_OPEN)


def check_no_placeholders(obj: Manifest, where: str) -> None:
    """Refuse an object that already contains the placeholder prefix (it would be substituted)."""
    if _PLACEHOLDER_PREFIX in json.dumps(obj):
        raise RoundTripError(
            f"{where}: contains the reserved text {_PLACEHOLDER_PREFIX!r}, which the chart generator uses"
        )


def to_template(obj: Manifest, replicas: Mapping[str, int]) -> str:
    """Template text of an object whose namespace (and replica) fields already hold placeholders.

    ``replicas`` names the workloads whose ``spec.replicas`` placeholder becomes a values lookup.
    """
    text = escape(dump(obj))
    text = text.replace(NAMESPACE_VALUE, NAMESPACE_ACTION).replace(NAMESPACE_INLINE, NAMESPACE_INLINE_ACTION)
    for name in replicas:
        text = text.replace(replicas_placeholder(name), replicas_action(name))
    if _PLACEHOLDER_PREFIX in text:
        # A placeholder the dumper quoted or split would render wrongly: never ship that.
        raise RoundTripError(f"{where_of(obj)}: a placeholder did not survive YAML dumping")
    return text


def where_of(obj: Manifest) -> str:
    """``Kind/name`` of an object, for messages."""
    return f"{obj.get('kind')}/{obj.get('metadata', {}).get('name')}"


# ---------------------------------------------------------------- the inverse, for proof


def render_locally(template: str, namespace: str, values: Mapping[str, Any]) -> str:
    """Render template text the way Helm would, for the only actions ``to_template`` writes.

    Used to prove a chart round-trips before it is written; ``helm template`` in the tests proves
    the same with Helm itself.
    """

    def action(match: re.Match[str]) -> str:
        inner = match.group(1)
        if match.group(0) == ESCAPED_OPEN:
            return "{{"
        if match.group(0) == NAMESPACE_ACTION:
            return f'"{namespace}"'
        if match.group(0) == NAMESPACE_INLINE_ACTION:
            return namespace
        if replicas := _REPLICAS_ACTION.match(inner):
            return str(values["replicas"][replicas["name"]])
        raise RoundTripError(f"unexpected template action {match.group(0)!r}")

    return _ACTION.sub(action, template)
