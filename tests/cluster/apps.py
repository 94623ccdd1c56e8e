"""The committed output the cluster tests apply: each app's manifests in ``dist/<app>/``."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tests.cluster.control_plane import ROOT

DIST = ROOT / "dist"
Manifest = dict[str, Any]


@dataclass(frozen=True)
class AppManifests:
    """One app's objects: ``load`` reads ``dist/<app>/*.k8s.yaml``; a self-test builds a broken copy."""

    name: str
    text: str
    """What ``kubectl apply`` gets."""
    objects: list[Manifest]

    @classmethod
    def load(cls, name: str) -> AppManifests:
        text = "---\n".join(path.read_text() for path in sorted((DIST / name).glob("*.k8s.yaml")))
        return cls(name, text, [doc for doc in yaml.safe_load_all(text) if doc])

    @classmethod
    def of(cls, name: str, objects: list[Manifest]) -> AppManifests:
        return cls(name, yaml.safe_dump_all(objects, sort_keys=False), objects)

    @property
    def namespace(self) -> str:
        """The one namespace every namespaced object names."""
        found = {obj["metadata"]["namespace"] for obj in self.objects if "namespace" in obj["metadata"]}
        assert len(found) == 1, f"{self.name}: objects in namespaces {sorted(found)}"
        return str(found.pop())

    def of_kind(self, kind: str) -> list[Manifest]:
        return [obj for obj in self.objects if obj["kind"] == kind]

    def moved_to(self, namespace: str) -> AppManifests:
        """A copy whose objects and RoleBinding subjects live in ``namespace`` instead."""
        old = self.namespace
        objects = copy.deepcopy(self.objects)
        for obj in objects:
            if obj["metadata"].get("namespace") == old:
                obj["metadata"]["namespace"] = namespace
            for subject in obj.get("subjects", []):
                if subject.get("namespace") == old:
                    subject["namespace"] = namespace
        return AppManifests.of(self.name, objects)


def app_names() -> list[str]:
    """Every app directory of dist/ that holds manifests (dist/helm holds the charts)."""
    return sorted(path.parent.name for path in DIST.glob("*/*.k8s.yaml"))


def chart_packages() -> list[Path]:
    return sorted((DIST / "helm").glob("*.tgz"))
