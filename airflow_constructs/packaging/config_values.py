"""``config.<section>.<key>``: free-form airflow.cfg options as a chart value, rendered in the template.

The props' ``config`` adds airflow.cfg options; the chart's ``config`` value does the same. Unlike
the other values, it adds lines to a file rather than replacing text in place, so it is not found
by the sentinel synthesis (``placement``): every ConfigMap file ``airflow.cfg`` becomes a named
template that merges the library's options (``<file>-library``, a YAML map holding the placed
values, e.g. ``settings.parallelism``) with ``.Values.config`` and writes the sections and keys
sorted, as ``runtime.config.render`` does. The ConfigMap's data then lives in a named template too,
so the checksum annotation of every pod that reads it is computed from the rendered data
(``templates.checksum_action``), and a ``--set config.core.x=y`` rolls them.

The schema refuses what the props refuse (a section or key that is not airflow.cfg's pattern, a
key set through a typed setting or by the library's wiring, a newline) and also every key the
library itself writes into the chart's airflow.cfg: a value adds options, it never rewrites the
chart's own wiring (set those through their own values, or in Python).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from ..core.docstrings import field_descriptions
from ..runtime.config import _KEY, _SECTION, MANAGED_KEYS, TYPED_KEYS
from ..runtime.runtime_props import RuntimeProps
from .value_leaf import ValueLeaf
from .with_blocks import Placeholder

CONFIG_FILE = "airflow.cfg"
"""The ConfigMap data key whose text is airflow.cfg."""
MAX_INTEGER = 10**15
"""Integers up to this are exact in the floats Helm reads a values file's numbers as."""


def config_leaf(config: Mapping[str, Mapping[str, str]]) -> ValueLeaf:
    """The ``config`` value, defaulting to the props' ``config`` (its schema completed per chart)."""
    default = {section: dict(keys) for section, keys in config.items()}
    return ValueLeaf(("config",), ("config",), default, default, config_schema({}), to_props=config_props)


def config_props(values: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, str]]:
    """The props' ``config`` for a chart's ``config`` value: each option as the template writes it."""
    return {section: {key: option_text(value) for key, value in keys.items()} for section, keys in values.items()}


def option_text(value: Any) -> str:
    """An option's text in airflow.cfg: booleans as ``True``/``False``, integers in digits."""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def config_schema(library: Mapping[str, list[str]]) -> dict[str, Any]:
    """The schema of ``config``: airflow.cfg names, text/integer/boolean options, reserved keys refused.

    ``library``: ``{section: keys}`` the chart's airflow.cfg already writes.
    """
    reserved: dict[str, set[str]] = {}
    for section, key in [*TYPED_KEYS, *MANAGED_KEYS]:
        reserved.setdefault(section, set()).add(key)
    for section, keys in library.items():
        reserved.setdefault(section, set()).update(keys)
    option = {
        "type": ["string", "integer", "boolean"],
        "pattern": r"^[^\n]*$",
        "minimum": -MAX_INTEGER,
        "maximum": MAX_INTEGER,
    }
    sections: dict[str, Any] = {
        f"^{section}$": _section_schema(sorted(keys), option) for section, keys in sorted(reserved.items())
    }
    return {
        "type": "object",
        "description": field_descriptions(RuntimeProps)["config"]
        + " A value adds options; a key the chart's airflow.cfg already writes is refused (set it through "
        "its own value or in Python).",
        "patternProperties": {**sections, _SECTION.pattern: _section_schema([], option)},
        "additionalProperties": False,
    }


def _section_schema(refused: list[str], option: dict[str, Any]) -> dict[str, Any]:
    # A refused key matches both patterns: the false schema refuses it, naming it in its path.
    keys: dict[str, Any] = {f"^({'|'.join(refused)})$": False} if refused else {}
    return {"type": "object", "patternProperties": {**keys, _KEY.pattern: option}, "additionalProperties": False}


# ---------------------------------------------------------------- the template


cfg_placeholder = Placeholder[str]("cfg_")
"""Stands for the whole airflow.cfg text of ConfigMap ``config_map``."""


def cfg_template(config_map: str) -> str:
    """The named template that renders the airflow.cfg of ConfigMap ``config_map``."""
    return f"airflow-constructs.airflow-cfg.{config_map}"


def library_template(config_map: str) -> str:
    """The named template holding the library's own options of that airflow.cfg, as YAML."""
    return f"airflow-constructs.airflow-cfg-library.{config_map}"


def cfg_action(config_map: str) -> str:
    """The action that writes the airflow.cfg of ConfigMap ``config_map`` as a JSON string."""
    return f'{{{{ include "{cfg_template(config_map)}" . | toJson }}}}'


_SECTION_LINE = re.compile(r"^\[(?P<section>[^\]]+)\]$")


def parse_cfg(text: str) -> tuple[str, dict[str, dict[str, str]]]:
    """The head (comment lines) and ``{section: {key: value}}`` of airflow.cfg text ``runtime.config.render`` wrote."""
    lines = text.removesuffix("\n").split("\n")
    head: list[str] = []
    sections: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for line in lines:
        if match := _SECTION_LINE.match(line):
            current = sections.setdefault(match["section"], {})
        elif current is None:
            head.append(line)
        elif line:
            key, _, value = line.partition(" = ")
            current[key] = value
    while head and not head[-1]:
        head.pop()
    return "\n".join(head), sections


def library_options(
    placed: Mapping[str, Mapping[str, str]], config: Mapping[str, Mapping[str, str]]
) -> dict[str, dict[str, str]]:
    """The placed airflow.cfg's options without those the props' ``config`` wrote (the value's default)."""
    library = {
        section: {key: value for key, value in keys.items() if key not in config.get(section, {})}
        for section, keys in placed.items()
    }
    return {section: keys for section, keys in library.items() if keys}


def render_cfg(head: str, library: Mapping[str, Mapping[str, str]], config: Mapping[str, Mapping[str, Any]]) -> str:
    """What the template writes: ``runtime.config.render`` of the library's options merged with ``config``."""
    merged: dict[str, dict[str, str]] = {section: dict(keys) for section, keys in library.items()}
    for section, keys in config.items():
        merged.setdefault(section, {}).update(config_props({section: keys})[section])
    lines = [head]
    for section in sorted(merged):
        if merged[section]:
            lines.extend(["", f"[{section}]"])
            lines.extend(f"{key} = {merged[section][key]}" for key in sorted(merged[section]))
    return "\n".join(lines) + "\n"


def cfg_define(config_map: str, head: str) -> str:
    """The named template writing the airflow.cfg (``render_cfg`` in Helm's functions).

    Long lines are the template; each ``{{- ... -}}`` trims so that only the file's text is written.
    """
    option = (
        '{{ if kindIs "bool" $value }}{{ ternary "True" "False" $value }}'
        '{{ else if kindIs "float64" $value }}{{ int64 $value }}{{ else }}{{ $value }}{{ end }}'
    )
    return (
        f'{{{{- define "{cfg_template(config_map)}" -}}}}\n'
        f'{{{{- $cfg := include "{library_template(config_map)}" . | fromYaml -}}}}\n'
        "{{- range $section, $keys := .Values.config -}}\n"
        "{{- $merged := get $cfg $section | default (dict) -}}\n"
        "{{- range $key, $value := $keys }}{{ $_ := set $merged $key $value }}{{ end -}}\n"
        "{{- $_ := set $cfg $section $merged -}}\n"
        "{{- end -}}\n"
        f"{{{{ print {json.dumps(head, ensure_ascii=False)} }}}}\n"
        "{{- range $section, $keys := $cfg }}{{ if $keys }}\n\n"
        "[{{ $section }}]\n"
        "{{- range $key, $value := $keys }}\n"
        f"{{{{ $key }}}} = {option}\n"
        "{{- end }}{{ end }}{{ end }}\n"
        "{{ end }}\n"
    )


def library_yaml(library: Mapping[str, Mapping[str, str]]) -> str:
    """The library's options as YAML whose every option is a double-quoted string (placeholders kept)."""
    lines = []
    for section in sorted(library):
        lines.append(f"{section}:")
        lines.extend(
            f"  {key}: {json.dumps(library[section][key], ensure_ascii=False)}" for key in sorted(library[section])
        )
    return "\n".join(lines) + "\n"
