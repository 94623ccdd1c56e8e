"""The chart's airflow.cfg files as templates that merge the ``config`` value (``config_values``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from .config_values import (
    CONFIG_FILE,
    cfg_action,
    cfg_define,
    cfg_placeholder,
    config_schema,
    library_options,
    library_template,
    library_yaml,
    parse_cfg,
)
from .templates import Manifest, RoundTripError, _actions, escape, substitute_namespace, where_of
from .value_leaf import ValueLeaf

CONFIG_PATH = ("config",)
TPL_FILE = "templates/_airflow_cfg.tpl"
"""The chart file holding the named templates of every airflow.cfg (Helm renders no ``_*.tpl`` file)."""


def without_config(leaves: list[ValueLeaf]) -> tuple[list[ValueLeaf], ValueLeaf | None]:
    """The leaves placed by sentinel synthesis, and the ``config`` leaf (templated here) if any."""
    rest = [leaf for leaf in leaves if leaf.path != CONFIG_PATH]
    found = [leaf for leaf in leaves if leaf.path == CONFIG_PATH]
    return rest, found[0] if found else None


@dataclass(frozen=True)
class ConfigTemplates:
    """What templating the airflow.cfg files gives a chart."""

    documents: dict[str, list[Manifest]]
    """The placed documents, each airflow.cfg replaced by its placeholder."""
    leaf: ValueLeaf
    """The ``config`` leaf, its schema refusing the keys the library writes."""
    actions: dict[str, str]
    """The placeholder of each airflow.cfg and its action."""
    tpl: str
    """The text of ``TPL_FILE``."""


def template_configs(
    documents: Mapping[str, list[Manifest]],
    leaf: ValueLeaf,
    namespace: str | None,
    services: Iterable[str],
    replicas: Mapping[str, int],
    actions: Mapping[str, str],
) -> ConfigTemplates | None:
    """Every ConfigMap's airflow.cfg as a named template merging ``.Values.config``; None if there is none."""
    out: dict[str, list[Manifest]] = {}
    library_keys: dict[str, set[str]] = {}
    defines: list[str] = []
    cfg_actions: dict[str, str] = {}
    for file, docs in documents.items():
        out[file] = []
        for obj in docs:
            data = obj.get("data") or {}
            if obj.get("kind") != "ConfigMap" or CONFIG_FILE not in data:
                out[file].append(obj)
                continue
            name = str(obj["metadata"]["name"])
            text = (substitute_namespace(obj, namespace, services) if namespace else obj)["data"][CONFIG_FILE]
            head, sections = parse_cfg(text)
            library = library_options(sections, leaf.default)
            for section, keys in library.items():
                library_keys.setdefault(section, set()).update(keys)
            body = _actions(escape(library_yaml(library)), obj, replicas, actions)
            defines.append(f'{{{{- define "{library_template(name)}" -}}}}\n{body}{{{{ end }}}}\n')
            defines.append(cfg_define(name, head))
            cfg_actions[cfg_placeholder(name)] = cfg_action(name)
            out[file].append({**obj, "data": {**data, CONFIG_FILE: cfg_placeholder(name)}})
            if "{{" in head:
                raise RoundTripError(f"{where_of(obj)}: the airflow.cfg head holds '{{{{'")
    if not defines:
        return None
    schema = config_schema({s: sorted(k) for s, k in library_keys.items()})
    return ConfigTemplates(out, replace(leaf, schema=schema), cfg_actions, "".join(defines))


def check_checksummed(configs: ConfigTemplates, checksummed: Iterable[str]) -> None:
    """Refuse a chart whose airflow.cfg a value changes without the template computing its checksum."""
    computed = set(checksummed)
    for docs in configs.documents.values():
        for obj in docs:
            name = str(obj["metadata"]["name"])
            if (obj.get("data") or {}).get(CONFIG_FILE) == cfg_placeholder(name) and name not in computed:
                raise RoundTripError(
                    f"{where_of(obj)}: its pods' checksum annotation is not computed in the template, so a "
                    "config value would not roll them"
                )
