"""Kubernetes objects whose body stays in Python: one node round trip each, rendered by Python.

A plain cdk8s ``ApiObject`` whose body (spec, data, rules...) is set with ``JsonPatch``es costs
three jsii round trips per object (``create``, ``JsonPatch.add``, ``addJsonPatch``), and its
``toJson`` runs in node. A ``BodyObject`` costs one (``create``, with the metadata cdk8s needs);
its body stays a Python dict and its ``to_json`` is answered by Python, as cdk8s would render it:
``apiVersion``, ``kind``, the metadata (the chart's labels and namespace merged in as cdk8s
merges them, keys sorted, empty and null entries left out), then the body's keys in order.

cdk8s calls ``to_json`` through jsii (an override), so the object is correct in anyone's cdk8s
app: ``App().synth()``, ``Chart.to_json()``. The escape hatches keep working: the first call of
``add_json_patch`` or read of ``metadata`` (which can change labels and annotations in node)
moves the body into node as the patches of a plain ``ApiObject`` would be, and from then on node
renders the object.
"""

from __future__ import annotations

import re
import weakref
from typing import Any

from cdk8s import ApiObject, ApiObjectMetadata, Chart, JsonPatch
from constructs import Construct

_CHARTS: weakref.WeakKeyDictionary[Construct, tuple[str | None, dict[str, str]]] = weakref.WeakKeyDictionary()
"""scope -> (its chart's namespace, its chart's labels): asked of node once per scope."""


def chart_facts(scope: Construct) -> tuple[str | None, dict[str, str]]:
    """The namespace and labels of ``scope``'s chart, which cdk8s gives every object created in it."""
    facts = _CHARTS.get(scope)
    if facts is None:
        chart = scope if isinstance(scope, Chart) else Chart.of(scope)
        facts = _CHARTS.get(chart)
        if facts is None:
            facts = (chart.namespace, dict(chart.labels))
            _CHARTS[chart] = facts
        _CHARTS[scope] = facts
    return facts


def chart_namespace(scope: Construct) -> str | None:
    """The namespace of ``scope``'s chart (asked of node once per scope)."""
    return chart_facts(scope)[0]


class _Metadata:
    """``BodyObject.metadata``: handing out node's metadata (whose labels and annotations a caller
    may change there) first moves the body to node, which then renders the object.

    A non-data descriptor (``__get__`` only), so that jsii does not take it for an override of
    the property (node reading ``this.metadata`` would then call Python)."""

    def __get__(self, obj: BodyObject | None, owner: type) -> Any:
        prop = vars(ApiObject)["metadata"]
        if obj is None:
            return prop
        obj.to_node()
        return prop.__get__(obj, owner)


class BodyObject(ApiObject):
    """An ``ApiObject`` whose body is a Python dict and whose ``to_json`` Python answers (see module)."""

    metadata = _Metadata()

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        api_version: str,
        kind: str,
        name: str,
        labels: dict[str, str],
        annotations: dict[str, str] | None = None,
        namespace: str | None = None,
        body: dict[str, Any] | None = None,
    ) -> None:
        self._in_node = False
        self._body: dict[str, Any] = dict(body or {})
        self._head = {"apiVersion": api_version, "kind": kind}
        self._meta = (name, dict(labels), annotations, namespace)
        super().__init__(
            scope,
            id,
            api_version=api_version,
            kind=kind,
            metadata=ApiObjectMetadata(
                name=name, labels=dict(labels), annotations=annotations or None, namespace=namespace
            ),
        )

    @property
    def body(self) -> dict[str, Any]:
        """The object's body (everything but ``apiVersion``, ``kind`` and ``metadata``); changes to it
        are rendered as long as node does not render the object (see ``to_node``)."""
        if self._in_node:
            raise ValueError(
                f"{self.node.path}: the body was moved to node (add_json_patch or metadata): patch it there"
            )
        return self._body

    @property
    def in_node(self) -> bool:
        """Whether node renders this object (after ``add_json_patch`` or a read of ``metadata``)."""
        return self._in_node

    def to_node(self) -> None:
        """Move the body to node as ``JsonPatch``es (once): node renders the object from then on."""
        if not self._in_node:
            self._in_node = True
            for key, value in self._body.items():
                super().add_json_patch(JsonPatch.add(f"/{key}", value))

    def add_json_patch(self, *ops: JsonPatch) -> None:
        self.to_node()
        super().add_json_patch(*ops)

    def to_json(self) -> Any:
        if self._in_node:
            return super().to_json()
        return self.python_json()

    @property
    def object_name(self) -> str:
        """``metadata.name`` as given (``name``, without a round trip to node)."""
        return self._meta[0]

    @property
    def object_kind(self) -> str:
        """``kind`` (without a round trip to node)."""
        return self._head["kind"]

    def python_json(self, chart: tuple[str | None, dict[str, str]] | None = None) -> dict[str, Any]:
        """The object as cdk8s renders it, computed in Python (only while ``in_node`` is False).

        ``chart``: the namespace and labels of the object's chart (``chart_facts``), when the caller
        knows them; else asked of node.
        """
        chart_namespace, chart_labels = chart or chart_facts(self)
        name, labels, annotations, namespace = self._meta
        metadata = sanitized(
            {
                "annotations": annotations,
                "labels": {**chart_labels, **labels},
                "name": name,
                "namespace": chart_namespace if namespace is None else namespace,
            }
        )
        return {**self._head, "metadata": metadata, **self._body}


def js_sorted(keys: Any) -> list[str]:
    """Keys in the order JavaScript's ``Object.keys(...).sort()`` gives (UTF-16 code units)."""
    return sorted(keys, key=lambda k: k.encode("utf-16-be"))


_ARRAY_INDEX = re.compile(r"(0|[1-9][0-9]{0,9})\Z")


def _array_index(key: str) -> int | None:
    if _ARRAY_INDEX.match(key) and int(key) < 2**32 - 1:
        return int(key)
    return None


def js_ordered(value: Any) -> Any:
    """``value`` as node hands it back after a round trip: every mapping's keys in the order a
    JavaScript object keeps them (integer-like keys first, ascending, then the others in insertion
    order), and its ``None`` entries gone (jsii passes them as ``undefined``)."""
    if isinstance(value, dict):
        items = [(k, js_ordered(v)) for k, v in value.items() if v is not None]
        if any(k[:1].isdigit() for k in value):
            indexed = sorted(((i, k, v) for k, v in items if (i := _array_index(k)) is not None), key=lambda t: t[0])
            items = [(k, v) for _, k, v in indexed] + [(k, v) for k, v in items if _array_index(k) is None]
        return dict(items)
    if isinstance(value, list):
        return [js_ordered(v) for v in value]
    return value


def sanitized(value: Any) -> Any:
    """What cdk8s's metadata rendering makes of ``value``: keys sorted, ``None`` and empty mappings and
    lists left out (None when nothing is left)."""
    if isinstance(value, dict):
        out = {}
        for key in js_sorted(value):
            item = sanitized(value[key])
            if item is not None:
                out[key] = item
        return js_ordered(out) if out else None
    if isinstance(value, list):
        return [sanitized(v) for v in value] or None
    return value


def object_identity(obj: ApiObject) -> tuple[str, str]:
    """``(kind, metadata.name as given)`` of an object, without a round trip for a ``BodyObject``."""
    if isinstance(obj, BodyObject):
        return obj.object_kind, obj.object_name
    return obj.kind, obj.name
