"""Bad input to the chart generator and the packager: a ValueError with an exact message, nothing written.

(Unknown values at install time are Helm's to reject, through values.schema.json: see
``test_helm.py::test_bad_values_fail_at_install_time``.)
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from airflow_constructs import PropsError, __version__
from airflow_constructs.packaging.changelog import ChangelogError, release
from airflow_constructs.packaging.chart_yaml import ChartMetadata
from airflow_constructs.packaging.helm import CHARTS_DIR, build_chart, write_app_charts
from airflow_constructs.packaging.repo import PackagingError, package_all
from airflow_constructs.packaging.templates import RoundTripError
from apps.__main__ import CHANGELOG

CHANGES = release(CHANGELOG.read_text(), __version__)
META = ChartMetadata(name="airflow", description="A test chart.")


def obj(kind: str, name: str, namespace: str | None = "airflow", **extra: Any) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name}
    if namespace is not None:
        metadata["namespace"] = namespace
    metadata.update(extra.pop("metadata", {}))
    return {"apiVersion": "v1", "kind": kind, "metadata": metadata, **extra}


@pytest.mark.parametrize(
    ("make", "message"),
    [
        pytest.param(
            lambda: ChartMetadata(name="Air_Flow", description="d"),
            "ChartMetadata.name: 'Air_Flow' is not allowed: expected a Helm chart name: lowercase letters and "
            "digits, words separated by single '-', at most 63 characters",
            id="chart-name-uppercase",
        ),
        pytest.param(
            lambda: ChartMetadata(name="airflow/prod", description="d"),
            "ChartMetadata.name: 'airflow/prod' is not allowed: expected a Helm chart name: lowercase letters and "
            "digits, words separated by single '-', at most 63 characters",
            id="chart-name-slash",
        ),
        pytest.param(
            lambda: ChartMetadata(name="a" * 64, description="d"),
            f"ChartMetadata.name: {'a' * 64!r} is not allowed: expected a Helm chart name: lowercase letters and "
            "digits, words separated by single '-', at most 63 characters",
            id="chart-name-too-long",
        ),
        pytest.param(
            lambda: ChartMetadata(name="airflow", version="v1.0.0", description="d"),
            "ChartMetadata.version: 'v1.0.0' is not allowed: expected a SemVer 2 version such as '1.2.3' or "
            "'1.2.3-rc.1' (no leading 'v')",
            id="version-leading-v",
        ),
        pytest.param(
            lambda: ChartMetadata(name="airflow", version="1.0", description="d"),
            "ChartMetadata.version: '1.0' is not allowed: expected a SemVer 2 version such as '1.2.3' or "
            "'1.2.3-rc.1' (no leading 'v')",
            id="version-two-parts",
        ),
        pytest.param(
            lambda: ChartMetadata(name="airflow", version="01.0.0", description="d"),
            "ChartMetadata.version: '01.0.0' is not allowed: expected a SemVer 2 version such as '1.2.3' or "
            "'1.2.3-rc.1' (no leading 'v')",
            id="version-leading-zero",
        ),
        pytest.param(
            lambda: ChartMetadata(name="airflow", description=""),
            "ChartMetadata.description: '' is not allowed: String should have at least 1 character",
            id="empty-description",
        ),
        pytest.param(
            lambda: ChartMetadata(name="airflow", description="d", icon_url="x"),
            "ChartMetadata.icon_url: unknown field (allowed: description, home, icon, keywords, kube_version, "
            "license, links, maintainers, name, sources, version); did you mean 'icon'?",
            id="unknown-field",
        ),
    ],
)
def test_bad_chart_metadata(make: Callable[[], Any], message: str) -> None:
    with pytest.raises(PropsError) as err:
        make()
    assert str(err.value) == message


@pytest.mark.parametrize(
    ("objects", "message"),
    [
        pytest.param(
            [obj("ConfigMap", "a"), obj("ConfigMap", "b", namespace="other")],
            "chart 'airflow': objects are in namespaces 'airflow', 'other'; a chart installs into one namespace "
            "(.Release.Namespace): put every object of the app in the same namespace",
            id="two-namespaces",
        ),
        pytest.param(
            [obj("Namespace", "airflow", namespace=None), obj("ConfigMap", "a")],
            "chart 'airflow': Namespace/airflow is a Namespace object; a chart installs into the release namespace "
            "(helm install --namespace <ns> --create-namespace): leave the Namespace out of the app",
            id="namespace-object",
        ),
        pytest.param(
            [obj("Job", "init", metadata={"annotations": {"helm.sh/hook": "pre-install"}})],
            "chart 'airflow': Job/init has the annotation 'helm.sh/hook'; hooks are not part of the release and "
            "would not be installed like the other objects: remove the annotation",
            id="helm-hook",
        ),
        pytest.param(
            [obj("ConfigMap", "a"), obj("ConfigMap", "a")],
            "chart 'airflow': ConfigMap/a (v1) appears twice; Helm can install it only once",
            id="duplicate-object",
        ),
        pytest.param(
            [obj("ConfigMap", "a", data={"x": "__airflow_constructs_helm_namespace__"})],
            "chart 'airflow': ConfigMap/a: contains the reserved text '__airflow_constructs_helm_', which the "
            "chart generator uses",
            id="reserved-placeholder-text",
        ),
        pytest.param(
            [
                obj("ConfigMap", "a", metadata={"labels": {"app.kubernetes.io/version": "3.3.2"}}),
                obj("ConfigMap", "b", metadata={"labels": {"app.kubernetes.io/version": "3.2.0"}}),
            ],
            "objects carry several app.kubernetes.io/version labels: ['3.2.0', '3.3.2']; expected one",
            id="two-airflow-versions",
        ),
    ],
)
def test_apps_that_would_not_round_trip(objects: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(RoundTripError) as err:
        build_chart({"airflow.yaml": objects}, META, CHANGES)
    assert str(err.value) == message


def test_bad_app_name_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "My_App").mkdir()
    (tmp_path / "My_App" / "x.k8s.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
    with pytest.raises(PropsError) as err:
        write_app_charts(tmp_path, {"My_App": "d"}, CHANGELOG.read_text())
    assert str(err.value) == (
        "ChartMetadata.name: 'airflow-My_App' is not allowed: expected a Helm chart name: lowercase letters and "
        "digits, words separated by single '-', at most 63 characters"
    )
    assert not (tmp_path / CHARTS_DIR).exists()


def test_unsynthesized_app(tmp_path: Path) -> None:
    with pytest.raises(RoundTripError) as err:
        write_app_charts(tmp_path, {"default": "d"}, CHANGELOG.read_text())
    assert str(err.value) == f"{tmp_path / 'default'}: no *.k8s.yaml files: synthesize the app first"


def test_one_bad_app_leaves_the_existing_charts_alone(tmp_path: Path) -> None:
    charts = tmp_path / CHARTS_DIR
    (charts / "airflow").mkdir(parents=True)
    (charts / "airflow" / "Chart.yaml").write_text("kept")
    (tmp_path / "two").mkdir()
    (tmp_path / "two" / "a.k8s.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: x}\n---\n"
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b, namespace: y}\n"
    )
    with pytest.raises(RoundTripError):
        write_app_charts(tmp_path, {"two": "d"}, CHANGELOG.read_text())
    assert (charts / "airflow" / "Chart.yaml").read_text() == "kept"


CHANGELOG_HEAD = "# Changelog\n\n## [Unreleased]\n\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            CHANGELOG_HEAD + "## [0.0.9] - 2026-01-01\n\n### Added\n\n- x\n",
            "CHANGELOG.md: no section '## [1.0.0] - YYYY-MM-DD': add one for the version being released",
            id="no-section",
        ),
        pytest.param(
            CHANGELOG_HEAD + "## [1.0.0]\n\n### Added\n\n- x\n",
            "CHANGELOG.md: section [1.0.0] has date '': expected '## [1.0.0] - YYYY-MM-DD'",
            id="undated",
        ),
        pytest.param(
            CHANGELOG_HEAD + "## [1.0.0] - 2026-02-30\n\n### Added\n\n- x\n",
            "CHANGELOG.md: section [1.0.0] has date '2026-02-30': expected '## [1.0.0] - YYYY-MM-DD'",
            id="impossible-date",
        ),
        pytest.param(
            CHANGELOG_HEAD + "## [1.0.0] - 2026-01-01\n\n### New\n\n- x\n",
            "CHANGELOG.md: section [1.0.0] has '### New': allowed are Added, Changed, Deprecated, Removed, Fixed, "
            "Security",
            id="unknown-heading",
        ),
        pytest.param(
            CHANGELOG_HEAD + "## [1.0.0] - 2026-01-01\n\n- x\n",
            "CHANGELOG.md: section [1.0.0] has an entry before any '### <kind>' heading: '- x'",
            id="entry-without-heading",
        ),
        pytest.param(
            CHANGELOG_HEAD + "## [1.0.0] - 2026-01-01\n\n### Added\n\n## [0.9.0] - 2025-01-01\n\n### Added\n\n- x\n",
            "CHANGELOG.md: section [1.0.0] lists no changes: add entries under '### Added' etc.",
            id="empty-section",
        ),
    ],
)
def test_bad_changelog(text: str, message: str) -> None:
    with pytest.raises(ChangelogError) as err:
        release(text, "1.0.0")
    assert str(err.value) == message


def test_changelog_entries_wrap() -> None:
    text = CHANGELOG_HEAD + "## [1.0.0] - 2026-01-01\n\n### Fixed\n\n- one\n  continued\n- two\n\n[1.0.0]: https://x\n"
    assert release(text, "1.0.0").changes == (
        {"kind": "fixed", "description": "one continued"},
        {"kind": "fixed", "description": "two"},
    )


def test_package_without_charts(tmp_path: Path) -> None:
    with pytest.raises(PackagingError) as err:
        package_all(tmp_path / "charts", tmp_path / "repo", CHANGELOG.read_text())
    assert str(err.value) == f"{tmp_path / 'charts'}: no chart directories (with a Chart.yaml) to package"


def test_package_chart_in_a_misnamed_directory(tmp_path: Path) -> None:
    (tmp_path / "charts" / "wrong").mkdir(parents=True)
    (tmp_path / "charts" / "wrong" / "Chart.yaml").write_text(
        f"apiVersion: v2\nname: airflow\nversion: {__version__}\n"
    )
    with pytest.raises(PackagingError) as err:
        package_all(tmp_path / "charts", tmp_path / "repo", CHANGELOG.read_text())
    assert str(err.value) == (
        f"{tmp_path / 'charts' / 'wrong'}: directory name must equal the chart name 'airflow' (helm lint requires it)"
    )
