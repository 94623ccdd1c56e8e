"""artifacthub-repo.yml: the repository ID is a setting rendered in at release, never ``null``."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from airflow_constructs.packaging import artifacthub
from airflow_constructs.packaging.repo import main

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "artifacthub-repo.yml"
ID = "0b3a6f52-3d2c-4b8e-9f3e-1c2d3e4f5a6b"


def test_committed_file_has_no_repository_id() -> None:
    assert "repositoryID" not in yaml.safe_load(SOURCE.read_text())
    assert "null" not in SOURCE.read_text()


def test_the_id_is_rendered_in() -> None:
    text = artifacthub.render(SOURCE.read_text(), ID, release=True)
    assert yaml.safe_load(text) == {**yaml.safe_load(SOURCE.read_text()), "repositoryID": ID}
    assert text.startswith(SOURCE.read_text().rstrip("\n"))


def test_a_local_build_copies_the_file_without_an_id() -> None:
    assert artifacthub.render(SOURCE.read_text(), None, release=False) == SOURCE.read_text()
    assert artifacthub.render(SOURCE.read_text(), " ", release=False) == SOURCE.read_text()


@pytest.mark.parametrize(
    ("source", "repository_id", "message"),
    [
        pytest.param(
            "owners: []\n",
            "",
            "ARTIFACTHUB_REPOSITORY_ID is empty: a release publishes artifacthub-repo.yml with Artifact Hub's "
            "repository ID (a UUID from Artifact Hub's control panel); set the repository variable "
            "ARTIFACTHUB_REPOSITORY_ID (or `make release-charts ARTIFACTHUB_REPOSITORY_ID=<uuid>`)",
            id="empty",
        ),
        pytest.param(
            "owners: []\n",
            "null",
            "ARTIFACTHUB_REPOSITORY_ID 'null' is not allowed: expected Artifact Hub's repository ID, a lowercase "
            "UUID such as 0b3a6f52-3d2c-4b8e-9f3e-1c2d3e4f5a6b",
            id="not-a-uuid",
        ),
        pytest.param(
            "repositoryID: null\nowners: []\n",
            ID,
            "artifacthub-repo.yml sets repositoryID itself: leave it out, it comes from the setting "
            "ARTIFACTHUB_REPOSITORY_ID",
            id="set-in-the-file",
        ),
    ],
)
def test_bad_repository_id_is_refused_at_release(source: str, repository_id: str, message: str) -> None:
    with pytest.raises(ValueError) as info:
        artifacthub.render(source, repository_id, release=True)
    assert str(info.value) == message


def test_release_packaging_refuses_an_empty_id_before_writing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("ARTIFACTHUB_REPOSITORY_ID", raising=False)
    out = tmp_path / "release"
    argv = ["--charts", str(ROOT / "dist/helm/charts"), "--out", str(out), "--extra", str(SOURCE), "--release"]
    assert main(argv) == 1
    assert capsys.readouterr().err.startswith("error: ARTIFACTHUB_REPOSITORY_ID is empty: a release publishes")
    assert not out.exists()
