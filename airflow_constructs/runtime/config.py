"""airflow.cfg: typed settings, the free-form escape hatch, and the rendered file.

The file is rendered once per install into a ConfigMap mounted by every Airflow container; its
checksum goes on each pod template, so a config change rolls the pods that read it. Secrets are
never in this file: they reach the processes as env vars read from Secrets.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from ..core.props import Props
from ..core.values import iana_zones


def check_airflow_time_zone(value: str) -> str:
    """``[core] default_timezone`` as Airflow resolves it: ``system``, ``utc`` in any case (pendulum), or
    an IANA zone name. Stricter than pendulum on purpose: it would also load non-zone files such as
    ``posixrules`` from the zoneinfo directory."""
    if value == "system" or value.lower() == "utc" or value in iana_zones():
        return value
    raise ValueError("unknown time zone: expected 'utc', 'system' or an IANA time zone name such as 'Europe/Berlin'")


AirflowTimeZone = Annotated[str, AfterValidator(check_airflow_time_zone)]

_SECTION = re.compile(r"^[a-z][a-z0-9_]*$")
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")


class AirflowSettings(Props):
    """The airflow.cfg settings most installs tune, typed. Anything else goes in ``config``."""

    parallelism: int = Field(default=32, ge=1)
    """``[core] parallelism``: task instances that may run at once across the install."""
    max_active_tasks_per_dag: int = Field(default=16, ge=1)
    """``[core] max_active_tasks_per_dag``."""
    max_active_runs_per_dag: int = Field(default=16, ge=1)
    """``[core] max_active_runs_per_dag``."""
    dags_are_paused_at_creation: bool = True
    """``[core] dags_are_paused_at_creation``: new DAGs wait for someone to unpause them."""
    load_examples: bool = False
    """``[core] load_examples``: Airflow's example DAGs (off in production)."""
    default_timezone: AirflowTimeZone = "utc"
    """``[core] default_timezone``."""
    logging_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    """``[logging] logging_level``."""
    api_workers: int = Field(default=2, ge=1, le=64)
    """``[api] workers``: uvicorn worker processes per api-server pod."""
    expose_config: bool = False
    """``[api] expose_config``: show the configuration in the UI (it never contains secrets here)."""
    dag_refresh_interval: int = Field(default=300, ge=1)
    """``[dag_processor] refresh_interval``: seconds between scans of the DAG folder for new files."""
    min_file_process_interval: int = Field(default=30, ge=1)
    """``[dag_processor] min_file_process_interval``: seconds before a DAG file is parsed again."""
    execution_api_timeout: int = Field(default=30, ge=1, le=600)
    """``[workers] execution_api_timeout`` (Airflow 3): seconds a task waits for the execution API.
    Airflow's 5 s is shorter than a freshly started api-server worker's first answer (measured 6-8 s
    end to end), which made the first tasks after a rollout retry."""

    def to_config(self, airflow2: bool = False) -> dict[str, dict[str, str]]:
        """These settings as airflow.cfg sections (Airflow 2 keeps some in other sections)."""
        layout = AIRFLOW2_KEYS if airflow2 else AIRFLOW3_KEYS
        return {
            # str() writes a boolean as airflow.cfg does: True / False.
            section: {key: str(getattr(self, field)) for key, field in keys.items()}
            for section, keys in layout.items()
        }


AIRFLOW3_KEYS: Mapping[str, Mapping[str, str]] = {
    "api": {"expose_config": "expose_config", "workers": "api_workers"},
    "core": {
        "dags_are_paused_at_creation": "dags_are_paused_at_creation",
        "default_timezone": "default_timezone",
        "load_examples": "load_examples",
        "max_active_runs_per_dag": "max_active_runs_per_dag",
        "max_active_tasks_per_dag": "max_active_tasks_per_dag",
        "parallelism": "parallelism",
    },
    "dag_processor": {
        "min_file_process_interval": "min_file_process_interval",
        "refresh_interval": "dag_refresh_interval",
    },
    "logging": {"logging_level": "logging_level"},
    "workers": {"execution_api_timeout": "execution_api_timeout"},
}
"""Where Airflow 3 reads each typed setting: ``{section: {key: AirflowSettings field}}``, as airflow.cfg."""

AIRFLOW2_KEYS: Mapping[str, Mapping[str, str]] = {
    "core": AIRFLOW3_KEYS["core"],
    "logging": AIRFLOW3_KEYS["logging"],
    "scheduler": {
        "dag_dir_list_interval": "dag_refresh_interval",
        "min_file_process_interval": "min_file_process_interval",
    },
    "webserver": {"expose_config": "expose_config", "workers": "api_workers"},
}
"""Where Airflow 2 reads them (it has no ``execution_api_timeout``)."""

TYPED_KEYS: dict[tuple[str, str], str] = {
    (section, key): f"settings.{field}"
    for layout in (AIRFLOW3_KEYS, AIRFLOW2_KEYS)
    for section, keys in layout.items()
    for key, field in keys.items()
}
"""Keys with a typed setting (in either Airflow version): set them there, not in ``config``."""

MANAGED_KEYS: dict[tuple[str, str], str] = {
    ("api", "secret_key"): "secrets.api_secret_key",
    ("api_auth", "jwt_secret"): "secrets.jwt_secret",
    ("core", "auth_manager"): "the library (auth manager wiring)",
    ("core", "dags_folder"): "the library (DAG delivery)",
    ("core", "executor"): "executor",
    ("core", "execution_api_server_url"): "the library (api-server Service)",
    ("core", "fernet_key"): "secrets.fernet_key",
    ("core", "simple_auth_manager_passwords_file"): "the library (admin password Secret)",
    ("core", "simple_auth_manager_users"): "admin_user",
    ("database", "sql_alchemy_conn"): "database",
    ("logging", "base_log_folder"): "the library (log volume)",
    ("logging", "dag_processor_child_process_log_directory"): "the library (log volume)",
    ("scheduler", "standalone_dag_processor"): "dag_processor.enabled",
    ("webserver", "secret_key"): "secrets.api_secret_key",
}
"""Keys the library sets from other props; overriding them in ``config`` would break the wiring."""


def check_config(config: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """Validate the free-form ``config`` escape hatch."""
    for section in sorted(config):
        if not _SECTION.match(section):
            raise ValueError(f"section {section!r} is not an airflow.cfg section name (lowercase, '_')")
        for key in sorted(config[section]):
            if not _KEY.match(key):
                raise ValueError(f"key {section}.{key} is not an airflow.cfg key name (lowercase, '_')")
            owner = TYPED_KEYS.get((section, key)) or MANAGED_KEYS.get((section, key))
            if owner:
                raise ValueError(f"key {section}.{key} is set through {owner}, not config")
            if "\n" in config[section][key]:
                raise ValueError(f"value of {section}.{key} contains a newline, which airflow.cfg cannot hold")
    return config


def render(sections: dict[str, dict[str, str]]) -> str:
    """airflow.cfg text, sections and keys sorted so the output is deterministic."""
    lines = ["# Generated by airflow-constructs. Secrets are passed as env vars, never here."]
    for section in sorted(sections):
        if not sections[section]:
            continue
        lines.append("")
        lines.append(f"[{section}]")
        lines.extend(f"{key} = {sections[section][key]}" for key in sorted(sections[section]))
    return "\n".join(lines) + "\n"


def merge(*layers: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """Later layers win, key by key."""
    out: dict[str, dict[str, str]] = {}
    for layer in layers:
        for section, values in layer.items():
            out.setdefault(section, {}).update(values)
    return out
