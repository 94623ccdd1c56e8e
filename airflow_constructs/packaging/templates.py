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

import json
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from typing import Any

import yaml

from ..core.kube import data_checksum, go_json, go_pretty_json, job_suffix
from . import yaml_text
from .config_values import cfg_template, library_template, render_cfg
from .json_files import JSON_FILE_ACTION, json_file_action, lift_json_files
from .with_blocks import PLACEHOLDER_PREFIX, entry_actions, render_with_blocks

Manifest = dict[str, Any]

NAMESPACE_VALUE = f"{PLACEHOLDER_PREFIX}namespace__"
"""Stands for a field whose whole value is the namespace."""
NAMESPACE_INLINE = f"{PLACEHOLDER_PREFIX}ns__"
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
    return f"{PLACEHOLDER_PREFIX}replicas_{name}__"


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
        # Skip the rules that cannot match (most strings): the namespace itself (the config line's
        # rule matches it in any case, but only after a "=" or ":").
        if namespace not in text and "=" not in text and ":" not in text:
            return text
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

    result: Manifest = walk(obj)  # a new tree: walk rebuilds every mapping and list it passes
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


def load_all(text: str) -> list[Any]:
    """Every non-empty YAML document of ``text`` (libyaml's parser when PyYAML has it: much faster)."""
    return [doc for doc in yaml.load_all(text, Loader=_Loader) if doc is not None]


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def dump(obj: Any) -> str:
    """One object as a YAML document (keys in their synthesized order; see ``yaml_text``)."""
    return yaml_text.dump(obj)


def escape(text: str) -> str:
    """Make Helm render ``text`` verbatim: every ``{{`` becomes an action that prints ``{{``."""
    return text.replace("{{", ESCAPED_OPEN)


def check_no_placeholders(obj: Manifest, where: str) -> None:
    """Refuse an object that already contains the placeholder prefix (it would be substituted)."""
    if PLACEHOLDER_PREFIX in json.dumps(obj):
        raise RoundTripError(
            f"{where}: contains the reserved text {PLACEHOLDER_PREFIX!r}, which the chart generator uses"
        )


def to_template(
    obj: Manifest,
    replicas: Mapping[str, int],
    actions: Mapping[str, str] | None = None,
    checksummed: Collection[str] = (),
) -> str:
    """Template text of an object whose namespace (replica, value) fields already hold placeholders.

    ``replicas`` names the workloads whose ``spec.replicas`` placeholder becomes a values lookup;
    ``actions`` maps any further placeholder to its template action. A one-shot Job is written
    as a named template holding its spec and the object, whose name the template computes from
    that spec exactly as ``core.kube.job_suffix`` does: a value that changes the Job renames it.
    A ConfigMap named in ``checksummed`` keeps its data in a named template, which the checksum
    annotations of the pods that mount it hash (``checksum_action``).
    """
    obj, files = lift_json_files(obj)
    actions = {**(actions or {}), **{placeholder: json_file_action(name) for placeholder, (name, _) in files.items()}}
    # A JSON file's object is a named template the file's action reads back (``json_files``).
    defines = "".join(
        f'{{{{- define "{name}" -}}}}\n{_actions(escape(dump(content)), obj, replicas, actions)}{{{{ end }}}}\n'
        for name, content in files.values()
    )
    if obj.get("kind") == "Job":
        return defines + _job_template(obj, replicas, actions)
    if obj.get("kind") == "ConfigMap" and obj["metadata"]["name"] in checksummed:
        return defines + _named_part(obj, "data", config_map_template(str(obj["metadata"]["name"])), replicas, actions)
    return defines + _actions(escape(dump(obj)), obj, replicas, actions)


def _actions(text: str, obj: Manifest, replicas: Mapping[str, int], actions: Mapping[str, str]) -> str:
    text = text.replace(NAMESPACE_VALUE, NAMESPACE_ACTION).replace(NAMESPACE_INLINE, NAMESPACE_INLINE_ACTION)
    for name in replicas:
        text = text.replace(replicas_placeholder(name), replicas_action(name))
    text = entry_actions(text, actions)
    for placeholder, action in actions.items():
        text = text.replace(placeholder, action)
    if PLACEHOLDER_PREFIX in text:
        # A placeholder the dumper quoted or split would render wrongly: never ship that.
        raise RoundTripError(f"{where_of(obj)}: a placeholder did not survive YAML dumping")
    return text


_JOB_NAME = f"{PLACEHOLDER_PREFIX}job_name__"
_PART = f"{PLACEHOLDER_PREFIX}part__"
_JOB_SUFFIX = re.compile(r"^(?P<base>.+)-[0-9a-f]{8}$")


def _job_template(obj: Manifest, replicas: Mapping[str, int], actions: Mapping[str, str]) -> str:
    match = _JOB_SUFFIX.match(str(obj["metadata"]["name"]))
    if not match:
        raise RoundTripError(f"{where_of(obj)}: a Job's name must end with '-<8 hex>', the hash of its spec")
    base = match["base"]
    shell = {**obj, "metadata": {**obj["metadata"], "name": _JOB_NAME}}
    return _named_part(shell, "spec", job_spec_template(base), replicas, {**actions, _JOB_NAME: job_name_action(base)})


def _named_part(obj: Manifest, key: str, template: str, replicas: Mapping[str, int], actions: Mapping[str, str]) -> str:
    """The object with its top-level ``key`` in the named template ``template``, included in place."""
    # The part keeps its final newline (``{{ end }}``, not ``{{- end }}``): a block scalar at its
    # end would lose its own otherwise, and the checksum of the rendered part would differ.
    part = _actions(escape(dump(obj[key])), obj, replicas, actions)
    include = f'{{{{- include "{template}" . | nindent 2 }}}}'
    text = _actions(escape(dump({**obj, key: _PART})), obj, replicas, {**actions, _PART: include})
    return f'{{{{- define "{template}" -}}}}\n{part}{{{{ end }}}}\n{text}'


def config_map_template(name: str) -> str:
    """The named template holding the data of ConfigMap ``name``."""
    return f"airflow-constructs.config-map-data.{name}"


def checksum_action(name: str, inline: bool = False) -> str:
    """The action that computes ``core.kube.data_checksum`` of ConfigMap ``name`` as rendered.

    ``inline``: as bare text inside a string, else as a whole (JSON-quoted) field.
    """
    quoted = "" if inline else " | toJson"
    return f'{{{{ include "{config_map_template(name)}" . | fromYaml | toJson | sha256sum{quoted} }}}}'


def job_spec_template(base: str) -> str:
    """The named template holding the spec of the one-shot Job ``<base>-<hash>``."""
    return f"airflow-constructs.job-spec.{base}"


def job_name_action(base: str) -> str:
    """The action that names a one-shot Job: ``core.kube.job_suffix`` in Helm's functions."""
    return (
        f'{{{{ print "{base}-" (include "{job_spec_template(base)}" . | fromYaml | toJson '
        '| printf "%s\\x00" | sha256sum | trunc 8) | toJson }}'
    )


def where_of(obj: Manifest) -> str:
    """``Kind/name`` of an object, for messages."""
    return f"{obj.get('kind')}/{obj.get('metadata', {}).get('name')}"


# ---------------------------------------------------------------- the inverse, for proof


def render_locally(template: str, namespace: str, values: Mapping[str, Any]) -> str:
    """Render template text the way Helm would, for the only actions ``to_template`` writes.

    Used to prove a chart round-trips before it is written; ``helm template`` in the tests proves
    the same with Helm itself.
    """
    bodies = {m["name"]: m["body"] for m in _DEFINE.finditer(template)}

    def named(name: str) -> str:
        return render(bodies[name])

    def render(text: str) -> str:
        text = _CFG_ACTION.sub(lambda m: go_json(_cfg(m["name"], bodies, render, values)), text)
        text = _CHECKSUM_ACTION.sub(lambda m: _checksum(named(m["name"]), bool(m["json"])), text)
        text = _INCLUDE.sub(lambda m: "\n  " + named(m["name"]).replace("\n", "\n  "), text)  # sprig's nindent
        text = _JOB_NAME_ACTION.sub(
            lambda m: json.dumps(f"{m['base']}{job_suffix(yaml.load(named(m['name']), _Loader))}"), text
        )
        text = JSON_FILE_ACTION.sub(lambda m: go_json(go_pretty_json(yaml.load(named(m["name"]), _Loader))), text)
        return _render_actions(text, namespace, values)

    return render(_DEFINE.sub("", template))


_CFG_ACTION = re.compile(r'\{\{ include "airflow-constructs\.airflow-cfg\.(?P<name>[^"]+)" \. \| toJson \}\}')
_CFG_HEAD = re.compile(r"^\{\{ print (?P<head>\".*\") \}\}$", re.M)


def _cfg(name: str, bodies: Mapping[str, str], render: Callable[[str], str], values: Mapping[str, Any]) -> str:
    """The airflow.cfg that ``config_values.cfg_define`` writes, computed as Python writes it."""
    head = json.loads(_CFG_HEAD.search(bodies[cfg_template(name)])["head"])  # type: ignore[index]
    library = yaml.load(render(bodies[library_template(name)]), _Loader)
    return render_cfg(head, library, values.get("config") or {})


_CHECKSUM_ACTION = re.compile(
    r'\{\{ include "(?P<name>[^"]+)" \. \| fromYaml \| toJson \| sha256sum(?P<json> \| toJson)? \}\}'
)


def _checksum(data_yaml: str, quoted: bool) -> str:
    digest = data_checksum(yaml.load(data_yaml, _Loader))
    return json.dumps(digest) if quoted else digest


# A named part ends with a newline (``_named_part``), unlike an optional value's ``{{ end }}``.
_DEFINE = re.compile(r'\n?\{\{- define "(?P<name>[^"]+)" -\}\}\n(?P<body>.*?)(?<=\n)\{\{ end \}\}', re.S)
_INCLUDE = re.compile(r'[ \t\n]*\{\{- include "(?P<name>[^"]+)" \. \| nindent 2 \}\}')
_JOB_NAME_ACTION = re.compile(
    r'\{\{ print "(?P<base>[^"]+)" \(include "(?P<name>[^"]+)" \. \| fromYaml .*?\) \| toJson \}\}'
)
_VALUE_ACTION = re.compile(
    r'^ (?:\.Values\.(?P<path>[\w.]+)|\(index \.Values (?P<keys>"[^"]+"(?: "[^"]+")*)\))'
    r"(?P<json> \| toJson)?(?: \| int64)? $"
)


def _value_at(match: re.Match[str] | None, values: Mapping[str, Any]) -> Any:
    """The value a ``_VALUE_ACTION`` reference names."""
    if match is None:
        raise RoundTripError("unexpected value reference")
    keys = match["path"].split(".") if match["path"] else json.loads(f"[{match['keys'].replace(' ', ',')}]")
    found: Any = values
    for key in keys:
        found = found[key]
    return found


def _render_actions(text: str, namespace: str, values: Mapping[str, Any]) -> str:
    text = render_with_blocks(text, values)

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
        if value := _VALUE_ACTION.match(inner):
            found = _value_at(value, values)
            return go_json(found) if value["json"] else str(found)
        raise RoundTripError(f"unexpected template action {match.group(0)!r}")

    return _ACTION.sub(action, text)
