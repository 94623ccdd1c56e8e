"""The placeholder kinds of packaging/placement.py and config_values.py: the exact text each stands
as in the chart's default objects (templates and with-blocks look for these texts)."""

from __future__ import annotations

from airflow_constructs.packaging.config_values import cfg_placeholder
from airflow_constructs.packaging.placement import (
    checksum_placeholder,
    entries_placeholder,
    field_placeholder,
    inline_checksum_placeholder,
    inline_placeholder,
    whole_placeholder,
)
from airflow_constructs.packaging.with_blocks import entry_actions


def test_each_placeholder_kind_writes_its_tag_and_key_between_the_prefix_and_two_underscores() -> None:
    assert [
        inline_placeholder(3),
        whole_placeholder(3),
        field_placeholder(12),
        entries_placeholder(0),
        checksum_placeholder("airflow-config"),
        inline_checksum_placeholder("airflow-config"),
        cfg_placeholder("airflow-config"),
    ] == [
        "__airflow_constructs_helm_v3__",
        "__airflow_constructs_helm_w3__",
        "__airflow_constructs_helm_f12__",
        "__airflow_constructs_helm_m0__",
        "__airflow_constructs_helm_cm_airflow-config__",
        "__airflow_constructs_helm_cmi_airflow-config__",
        "__airflow_constructs_helm_cfg_airflow-config__",
    ]


def test_field_and_entries_placeholders_are_the_entry_lines_with_blocks_replace() -> None:
    text = f"  {field_placeholder(1)}: null\n  {entries_placeholder(2)}: null\n  - {entries_placeholder(3)}\n"
    actions = {field_placeholder(1): "F", entries_placeholder(2): "E", entries_placeholder(3): "L"}
    assert entry_actions(text, actions) == "  F\n  E\n  L\n"
