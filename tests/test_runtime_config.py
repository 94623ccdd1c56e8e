"""runtime/config.py: where each typed setting lands in airflow.cfg, per Airflow version, and the keys
``config`` refuses because a typed setting owns them."""

from __future__ import annotations

from airflow_constructs.runtime.config import AIRFLOW2_KEYS, AIRFLOW3_KEYS, TYPED_KEYS, AirflowSettings


def test_every_setting_is_written_for_airflow_3_and_the_layouts_name_only_settings() -> None:
    fields = set(AirflowSettings.model_fields)
    airflow3 = [field for keys in AIRFLOW3_KEYS.values() for field in keys.values()]
    airflow2 = [field for keys in AIRFLOW2_KEYS.values() for field in keys.values()]
    assert sorted(airflow3) == sorted(fields)
    assert set(airflow2) == fields - {"execution_api_timeout"}


def test_settings_render_as_airflow_cfg_text_for_each_version() -> None:
    settings = AirflowSettings(
        parallelism=64,
        dags_are_paused_at_creation=False,
        load_examples=True,
        default_timezone="Europe/Berlin",
        logging_level="DEBUG",
        api_workers=4,
        expose_config=True,
        dag_refresh_interval=120,
        min_file_process_interval=60,
        execution_api_timeout=45,
    )
    core = {
        "dags_are_paused_at_creation": "False",
        "default_timezone": "Europe/Berlin",
        "load_examples": "True",
        "max_active_runs_per_dag": "16",
        "max_active_tasks_per_dag": "16",
        "parallelism": "64",
    }
    assert settings.to_config() == {
        "api": {"expose_config": "True", "workers": "4"},
        "core": core,
        "dag_processor": {"min_file_process_interval": "60", "refresh_interval": "120"},
        "logging": {"logging_level": "DEBUG"},
        "workers": {"execution_api_timeout": "45"},
    }
    assert settings.to_config(airflow2=True) == {
        "core": core,
        "logging": {"logging_level": "DEBUG"},
        "scheduler": {"dag_dir_list_interval": "120", "min_file_process_interval": "60"},
        "webserver": {"expose_config": "True", "workers": "4"},
    }


def test_typed_keys_name_the_setting_of_each_key_of_either_version_in_order() -> None:
    assert list(TYPED_KEYS.items()) == [
        (("api", "expose_config"), "settings.expose_config"),
        (("api", "workers"), "settings.api_workers"),
        (("core", "dags_are_paused_at_creation"), "settings.dags_are_paused_at_creation"),
        (("core", "default_timezone"), "settings.default_timezone"),
        (("core", "load_examples"), "settings.load_examples"),
        (("core", "max_active_runs_per_dag"), "settings.max_active_runs_per_dag"),
        (("core", "max_active_tasks_per_dag"), "settings.max_active_tasks_per_dag"),
        (("core", "parallelism"), "settings.parallelism"),
        (("dag_processor", "min_file_process_interval"), "settings.min_file_process_interval"),
        (("dag_processor", "refresh_interval"), "settings.dag_refresh_interval"),
        (("logging", "logging_level"), "settings.logging_level"),
        (("workers", "execution_api_timeout"), "settings.execution_api_timeout"),
        (("scheduler", "dag_dir_list_interval"), "settings.dag_refresh_interval"),
        (("scheduler", "min_file_process_interval"), "settings.min_file_process_interval"),
        (("webserver", "expose_config"), "settings.expose_config"),
        (("webserver", "workers"), "settings.api_workers"),
    ]
