"""Files written as JSON inside a manifest string (the KubernetesExecutor's pod template), rendered
by the chart from values with ``toPrettyJson``.

A ConfigMap file that is indented JSON exactly as ``core.kube.go_pretty_json`` writes it is compared
field by field, like a manifest (``placement``), so a structured value (a node selector, extra env
vars) can land inside it. The placed file stays an object under the key ``JSON_FILE`` until the
template is written: then it becomes a named template holding its YAML (with the values' actions),
and the file is that template read back and written as Helm's ``toPrettyJson`` writes it, which is
byte for byte what Python wrote. A file Helm cannot write back that way is left a string.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..core.kube import go_pretty_json
from .with_blocks import PLACEHOLDER_PREFIX

JSON_FILE = f"{PLACEHOLDER_PREFIX}json_file__"
"""The key of the one-entry mapping that stands for a placed JSON file until it becomes a template."""


def parse_json_file(text: str) -> dict[str, Any] | None:
    """The object of ``text`` when it is a JSON object written exactly as ``go_pretty_json`` writes it."""
    if not text.startswith("{"):
        return None
    try:
        found = json.loads(text)
    except ValueError:
        return None
    if not isinstance(found, dict) or go_pretty_json(found) != text or not _exact_in_go(found):
        return None
    return found


def _exact_in_go(value: Any) -> bool:
    """Helm reads the rendered YAML's numbers as floats: only integers a float holds exactly, no floats."""
    if isinstance(value, dict):
        return all(_exact_in_go(v) for v in value.values())
    if isinstance(value, list):
        return all(_exact_in_go(v) for v in value)
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return True
    return isinstance(value, int) and abs(value) < 2**53


def json_file_template(config_map: str, key: str) -> str:
    """The named template holding the YAML of JSON file ``key`` of ConfigMap ``config_map``."""
    return f"airflow-constructs.json-file.{config_map}.{key}"


def json_file_action(template: str) -> str:
    """The file's text: the named template read back and written as indented JSON, as a quoted string."""
    return f'{{{{ include "{template}" . | fromYaml | toPrettyJson | toJson }}}}'


JSON_FILE_ACTION = re.compile(
    r'\{\{ include "(?P<name>airflow-constructs\.json-file\.[^"]+)" \. \| fromYaml \| toPrettyJson \| toJson \}\}'
)
"""``json_file_action``, for the local renderer (``templates.render_locally``)."""


def lift_json_files(obj: dict[str, Any]) -> tuple[dict[str, Any], dict[str, tuple[str, Any]]]:
    """``obj`` (a ConfigMap) with each placed JSON file replaced by a placeholder, and
    ``{placeholder: (named template, placed object)}``."""
    data = obj.get("data")
    if obj.get("kind") != "ConfigMap" or not isinstance(data, dict):
        return obj, {}
    files: dict[str, tuple[str, Any]] = {}
    lifted = {}
    for index, (key, value) in enumerate(data.items()):
        if isinstance(value, dict) and list(value) == [JSON_FILE]:
            placeholder = f"{PLACEHOLDER_PREFIX}jf{index}__"
            files[placeholder] = (json_file_template(str(obj["metadata"]["name"]), key), value[JSON_FILE])
            lifted[key] = placeholder
        else:
            lifted[key] = value
    return ({**obj, "data": lifted} if files else obj), files
