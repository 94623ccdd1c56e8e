"""Airflow's own verdict on values, run with the e2e virtualenv's Python (never imported by pytest).

Reads a JSON list of cases on stdin and writes one JSON verdict per case to the file named by its
argument (Airflow logs to stdout):
``{"ok": true, "value": <what Airflow made of it>}`` or ``{"ok": false, "error": "..."}``.
A case is one of::

    {"kind": "timezone", "text": "Europe/Berlin"}      # [core] default_timezone, as airflow.settings resolves it
    {"kind": "int" | "bool" | "str", "section": "core", "key": "parallelism", "text": "32"}
                                                         # airflow.cfg text read by Airflow's conf (getint...)
    {"kind": "logging_level", "text": "INFO"}           # [logging] logging_level, as Airflow's logging config uses it
    {"kind": "pool", "name": "default"}                 # the checks of `airflow pools import` (LocalClient.create_pool)

Each case is judged by the code Airflow runs for it, not by a copy of its rules: the conf parser
reads an airflow.cfg fragment; time zones go through ``parse_timezone`` as ``airflow.settings``
calls it ("system" means the local zone there); the logging level is upper-cased as
``airflow_local_settings`` does and handed to ``logging.config.dictConfig``; a pool name goes
through ``LocalClient.create_pool`` with only the database write (``Pool.create_or_update_pool``)
replaced by a stub, since no database runs here.
"""

from __future__ import annotations

import json
import logging.config
import sys
from types import SimpleNamespace
from typing import Any


def _judge(case: dict[str, Any]) -> Any:
    from airflow.configuration import conf

    kind = case["kind"]
    if kind == "timezone":
        from airflow import settings

        text = case["text"]
        # airflow.settings: "system" -> the local zone, anything else -> parse_timezone(text); an
        # exception there makes Airflow fall back to UTC silently, which is the refusal we look for.
        zone = settings.local_timezone() if text == "system" else settings.parse_timezone(text)
        return str(zone.name)
    if kind in ("int", "bool", "str"):
        section, key = case["section"], case["key"]
        conf.read_string(f"[{section}]\n{key} = {case['text']}\n")
        getter = {"int": conf.getint, "bool": conf.getboolean, "str": conf.get}[kind]
        try:
            return getter(section, key)
        finally:  # the next case sees Airflow's default again, not this value
            conf.remove_option(section, key, remove_default=False)
    if kind == "logging_level":
        conf.read_string(f"[logging]\nlogging_level = {case['text']}\n")
        try:
            level = conf.get_mandatory_value("logging", "logging_level").upper()
        finally:
            conf.remove_option("logging", "logging_level", remove_default=False)
        logging.config.dictConfig(
            {"version": 1, "disable_existing_loggers": False, "loggers": {"judge": {"level": level}}}
        )
        return level
    if kind == "pool":
        from airflow.api.client.local_client import Client
        from airflow.models.pool import Pool

        def stored(**kwargs: Any) -> SimpleNamespace:
            return SimpleNamespace(pool=kwargs["name"], slots=kwargs["slots"], description="", team_name=None)

        Pool.create_or_update_pool = staticmethod(stored)  # type: ignore[method-assign,assignment]
        return Client().create_pool(case["name"], 1, "", False)[0]
    raise ValueError(f"unknown case kind {kind!r}")


def main() -> int:
    cases = json.load(sys.stdin)
    # Airflow's models, which `pools` judges with, read airflow.cfg when first imported: import them
    # before any case has put a value of its own there.
    import airflow.api.client.local_client
    import airflow.models.pool  # noqa: F401

    verdicts = []
    for case in cases:
        try:
            verdicts.append({"ok": True, "value": _judge(case)})
        except Exception as err:  # any refusal is a verdict
            verdicts.append({"ok": False, "error": f"{type(err).__name__}: {err}"})
    with open(sys.argv[1], "w") as out:
        json.dump(verdicts, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
