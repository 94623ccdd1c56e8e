"""DAG delivery: how DAG files reach the processes that read them. One typed choice per install.

* ``BakedDags`` (default): the DAGs are baked into the image at ``/opt/airflow/dags``; no volume.
* ``GitSyncDags``: git-sync v4 clones once in an init container, then keeps pulling in a sidecar.
* ``GitBundleDags``: Airflow 3 DAG bundles (``GitDagBundle``): the dag-processor and workers fetch
  versions themselves, so DAG versioning works without any sidecar.
* ``PvcDags``: a ReadWriteMany claim (existing, or created here) mounted read-only.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, Tag, model_validator

from ..core.image import Image
from ..core.network_flow import HTTPS_PORT, SSH_PORT, Connection, connect
from ..core.pod import SecretRef, container, empty_dir
from ..core.props import Props, kind_discriminator, register_union_tags
from ..core.resources import Resources
from ..core.validators import dns_subdomain_validator
from .release_pods import ReleasePods

DAGS_ROOT = "/opt/airflow/dags"
GIT_SYNC_UID = 65533
"""UID git-sync v4 runs as by default."""


class BakedDags(Props):
    """DAGs baked into the image (build ``FROM apache/airflow`` and ``COPY dags/ /opt/airflow/dags/``)."""

    kind: Literal["baked"] = "baked"
    """Discriminator for the ``dags`` choice."""


class GitHttpsAuth(Props):
    """HTTPS access to the repository with a token (e.g. a GitHub fine-grained token)."""

    username: str = "git"
    """User name sent with the token."""
    token: SecretRef
    """Secret key holding the token or password."""


class GitSshAuth(Props):
    """SSH access with a deploy key. Host-key checking stays on unless you turn it off explicitly."""

    private_key: SecretRef
    """Secret key holding the private key."""
    known_hosts: SecretRef | None = None
    """Secret (or ConfigMap, see ``known_hosts_from_config_map``) key holding ``known_hosts`` lines."""
    known_hosts_from_config_map: bool = False
    """Read ``known_hosts`` from a ConfigMap of that name/key instead of a Secret."""
    disable_host_key_checking: bool = False
    """Accept any host key (vulnerable to man-in-the-middle): only with ``known_hosts`` unset."""

    @model_validator(mode="after")
    def _host_keys(self) -> GitSshAuth:
        if self.known_hosts is None and not self.disable_host_key_checking:
            raise ValueError(
                "SSH needs known_hosts (a Secret or ConfigMap key with the server's host keys); "
                "to skip host-key checking anyway, set disable_host_key_checking=True"
            )
        if self.known_hosts is not None and self.disable_host_key_checking:
            raise ValueError("known_hosts is set together with disable_host_key_checking=True: choose one")
        return self


class GitSyncDags(Props):
    """git-sync v4 in every pod that reads DAG files: an init container syncs once before start,
    a sidecar keeps the checkout current."""

    kind: Literal["git-sync"] = "git-sync"
    """Discriminator for the ``dags`` choice."""
    repo: str = Field(pattern=r"^(https://|ssh://|git@)\S+$")
    """Repository URL: ``https://...`` (with ``https`` auth or public) or ``git@host:org/repo.git`` (``ssh`` auth)."""
    ref: str = "main"
    """Branch, tag or commit to check out."""
    subdir: str = Field(default="", pattern=r"^([A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*)?$")
    """Folder inside the repository that holds the DAGs ("" for the root)."""
    period_seconds: int = Field(default=60, ge=5, le=86400)
    """How often the sidecar pulls."""
    https: GitHttpsAuth | None = None
    """Token authentication over HTTPS."""
    ssh: GitSshAuth | None = None
    """Deploy-key authentication over SSH."""
    image: Image = Image(repository="registry.k8s.io/git-sync/git-sync", tag="v4.4.2")
    """git-sync image (v4)."""
    resources: Resources = Resources(cpu_request="20m", memory_request="64Mi", cpu_limit="200m", memory_limit="256Mi")
    """Requests and limits of the git-sync containers."""

    @model_validator(mode="after")
    def _auth(self) -> GitSyncDags:
        if self.https and self.ssh:
            raise ValueError("https and ssh are both set: choose one way to authenticate")
        ssh_url = self.repo.startswith(("git@", "ssh://"))
        if ssh_url and self.ssh is None:
            raise ValueError(f"repo {self.repo!r} is an SSH URL: set ssh (private_key and known_hosts)")
        if not ssh_url and self.ssh is not None:
            raise ValueError(f"repo {self.repo!r} is not an SSH URL but ssh auth is set: use git@host:org/repo.git")
        return self

    def repository_ports(self) -> list[int]:
        """The ports the repository is reached on (NetworkPolicy egress): the URL's, else HTTPS's or SSH's."""
        if self.repo.startswith("https://"):
            return [urlsplit(self.repo).port or HTTPS_PORT]
        if self.repo.startswith("ssh://"):
            return [urlsplit(self.repo).port or SSH_PORT]
        return [SSH_PORT]


class GitBundleDags(Props):
    """Airflow 3 DAG bundles: ``GitDagBundle`` in ``[dag_processor] dag_bundle_config_list``.

    The git connection (``AIRFLOW_CONN_<CONN_ID>``) comes from a Secret key holding its URI or JSON,
    e.g. ``{"conn_type": "git", "host": "https://github.com/acme/dags.git", "password": "<token>"}``.
    Needs ``apache-airflow-providers-git`` in the image.
    """

    kind: Literal["git-bundle"] = "git-bundle"
    """Discriminator for the ``dags`` choice."""
    name: str = Field(default="dags", pattern=r"^[a-z][a-z0-9_-]{0,63}$")
    """Bundle name (shown in the UI with each DAG version)."""
    tracking_ref: str = "main"
    """Branch or tag the bundle follows."""
    subdir: str | None = None
    """Folder inside the repository that holds the DAGs."""
    refresh_interval_seconds: int = Field(default=300, ge=10, le=86400)
    """How often the dag-processor checks the repository for new commits."""
    conn_id: str = Field(default="git_dags", pattern=r"^[a-z][a-z0-9_]{0,63}$")
    """Connection id of the git connection."""
    connection: SecretRef
    """Secret key holding the git connection (URI or JSON)."""

    def repository_ports(self) -> list[int]:
        """The ports the repository may be reached on: SSH and HTTPS (its URL is inside the connection Secret)."""
        return [SSH_PORT, HTTPS_PORT]


class PvcDags(Props):
    """A ReadWriteMany volume holding the DAG files, mounted read-only wherever DAGs are read."""

    kind: Literal["pvc"] = "pvc"
    """Discriminator for the ``dags`` choice."""
    existing_claim: str | None = None
    """Name of an existing RWX claim; None: the construct creates ``<name>-dags``."""
    storage_class: str | None = None
    """StorageClass of the created claim (must support ReadWriteMany)."""
    storage_size: str = Field(default="5Gi", pattern=r"^[1-9][0-9]*(Mi|Gi|Ti)$")
    """Size of the created claim."""
    subdir: str = Field(default="", pattern=r"^([A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*)?$")
    """Folder inside the volume that holds the DAGs."""

    _names = dns_subdomain_validator("existing_claim", "storage_class", what="a claim or storage class")

    @model_validator(mode="after")
    def _one(self) -> PvcDags:
        if self.existing_claim and self.storage_class:
            raise ValueError("existing_claim and storage_class are both set: the class only applies to a created claim")
        return self


DagSource = Annotated[
    Annotated[BakedDags, Tag("baked")]
    | Annotated[GitSyncDags, Tag("git-sync")]
    | Annotated[GitBundleDags, Tag("git-bundle")]
    | Annotated[PvcDags, Tag("pvc")],
    kind_discriminator("dags", "baked", "expected kind 'baked' (the default), 'git-sync', 'git-bundle' or 'pvc'"),
]
register_union_tags("baked", "git-sync", "git-bundle", "pvc")

AnyDagSource = BakedDags | GitSyncDags | GitBundleDags | PvcDags


class DagDelivery:
    """What a DAG source adds to airflow.cfg and to the pods that read DAG files."""

    def __init__(self, source: AnyDagSource, instance: str) -> None:
        self.source = source
        self.claim_name: str | None = None
        if isinstance(source, PvcDags):
            self.claim_name = source.existing_claim or f"{instance}-dags"

    @property
    def dags_folder(self) -> str:
        s = self.source
        if isinstance(s, GitSyncDags):
            return "/".join(p for p in (DAGS_ROOT, "repo", s.subdir) if p)
        if isinstance(s, PvcDags):
            return "/".join(p for p in (DAGS_ROOT, s.subdir) if p)
        return DAGS_ROOT

    def config(self) -> dict[str, dict[str, str]]:
        out = {"core": {"dags_folder": self.dags_folder}}
        s = self.source
        if isinstance(s, GitBundleDags):
            kwargs: dict[str, Any] = {
                "git_conn_id": s.conn_id,
                "refresh_interval": s.refresh_interval_seconds,
                "tracking_ref": s.tracking_ref,
            }
            if s.subdir:
                kwargs["subdir"] = s.subdir
            bundle = [{"classpath": "airflow.providers.git.bundles.git.GitDagBundle", "kwargs": kwargs, "name": s.name}]
            out["dag_processor"] = {"dag_bundle_config_list": json.dumps(bundle, sort_keys=True)}
        return out

    def env(self) -> list[dict[str, Any]]:
        s = self.source
        if isinstance(s, GitBundleDags):
            return [s.connection.env(f"AIRFLOW_CONN_{s.conn_id.upper()}")]
        return []

    def volumes(self) -> list[dict[str, Any]]:
        s = self.source
        if isinstance(s, GitSyncDags):
            out = [empty_dir("dags", "2Gi"), empty_dir("git-tmp", "256Mi")]
            if s.https:
                out.append(_secret_volume("git-token", s.https.token))
            if s.ssh:
                out.append(_secret_volume("git-ssh-key", s.ssh.private_key, mode=0o400))
                if s.ssh.known_hosts is not None:
                    kh = s.ssh.known_hosts
                    if s.ssh.known_hosts_from_config_map:
                        out.append(
                            {
                                "configMap": {"items": [{"key": kh.key, "path": "known_hosts"}], "name": kh.name},
                                "name": "git-known-hosts",
                            }
                        )
                    else:
                        out.append(_secret_volume("git-known-hosts", kh, path="known_hosts"))
            return out
        if isinstance(s, PvcDags):
            return [{"name": "dags", "persistentVolumeClaim": {"claimName": self.claim_name, "readOnly": True}}]
        return []

    def mounts(self) -> list[dict[str, Any]]:
        if isinstance(self.source, GitSyncDags | PvcDags):
            return [{"mountPath": DAGS_ROOT, "name": "dags", "readOnly": True}]
        return []

    def init_containers(self) -> list[dict[str, Any]]:
        if isinstance(self.source, GitSyncDags):
            return [self._git_sync("git-sync-init", one_time=True)]
        return []

    def sidecars(self) -> list[dict[str, Any]]:
        if isinstance(self.source, GitSyncDags):
            return [self._git_sync("git-sync", one_time=False)]
        return []

    def _git_sync(self, name: str, *, one_time: bool) -> dict[str, Any]:
        s = self.source
        assert isinstance(s, GitSyncDags)
        env: list[dict[str, Any]] = [
            {"name": "GITSYNC_LINK", "value": "repo"},
            {"name": "GITSYNC_PERIOD", "value": f"{s.period_seconds}s"},
            {"name": "GITSYNC_REF", "value": s.ref},
            {"name": "GITSYNC_REPO", "value": s.repo},
            {"name": "GITSYNC_ROOT", "value": "/git"},
        ]
        mounts: list[dict[str, Any]] = [{"mountPath": "/git", "name": "dags"}, {"mountPath": "/tmp", "name": "git-tmp"}]
        if s.https:
            env += [
                {"name": "GITSYNC_PASSWORD_FILE", "value": "/etc/git-secret/token"},
                {"name": "GITSYNC_USERNAME", "value": s.https.username},
            ]
            mounts.append({"mountPath": "/etc/git-secret", "name": "git-token", "readOnly": True})
        if s.ssh:
            env += [
                {"name": "GITSYNC_SSH", "value": "true"},
                {"name": "GITSYNC_SSH_KEY_FILE", "value": "/etc/git-secret/ssh"},
            ]
            mounts.append(
                {"mountPath": "/etc/git-secret/ssh", "name": "git-ssh-key", "readOnly": True, "subPath": "ssh"}
            )
            if s.ssh.known_hosts is not None:
                env += [
                    {"name": "GITSYNC_SSH_KNOWN_HOSTS", "value": "true"},
                    {"name": "GITSYNC_SSH_KNOWN_HOSTS_FILE", "value": "/etc/git-secret/known_hosts"},
                ]
                mounts.append(
                    {
                        "mountPath": "/etc/git-secret/known_hosts",
                        "name": "git-known-hosts",
                        "readOnly": True,
                        "subPath": "known_hosts",
                    }
                )
            else:
                env.append({"name": "GITSYNC_SSH_KNOWN_HOSTS", "value": "false"})
        if one_time:
            env.append({"name": "GITSYNC_ONE_TIME", "value": "true"})
        return container(
            name,
            s.image.ref,
            s.image.pull_policy,
            resources=s.resources,
            env=sorted(env, key=lambda e: e["name"]),
            volume_mounts=mounts,
            # git-sync's image is built around its own user; secrets stay readable through fsGroup 0.
            run_as=(GIT_SYNC_UID, GIT_SYNC_UID),
        )


def _secret_volume(name: str, ref: SecretRef, *, path: str | None = None, mode: int | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"key": ref.key, "path": path or ("ssh" if name == "git-ssh-key" else "token")}
    if mode is not None:
        item["mode"] = mode
    return {"name": name, "secret": {"defaultMode": 0o440, "items": [item], "secretName": ref.name}}


def declare_flows(dags: DagSource, pods: ReleasePods, scheduler_reads_dags: bool) -> list[Connection]:
    """The pods that read DAG files reach the DAG repository (``git``), when DAGs come from git."""
    if not isinstance(dags, GitSyncDags | GitBundleDags):
        return []
    reads_dags = [*([pods.scheduler] if scheduler_reads_dags else []), *pods.dag_processor]
    reads_dags = list(dict.fromkeys([*reads_dags, pods.triggerer, *pods.runs_tasks]))
    return connect(reads_dags, "git", dags.repository_ports(), "DAG repository")
