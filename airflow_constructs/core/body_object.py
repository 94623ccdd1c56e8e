"""Kubernetes objects whose body stays in Python: one node round trip each, rendered by Python.

A plain cdk8s ``ApiObject`` whose body (spec, data, rules...) is set with ``JsonPatch``es costs
three jsii round trips per object (``create``, ``JsonPatch.add``, ``addJsonPatch``), and its
``toJson`` runs in node. A ``BodyObject`` costs one (``create``, with the name and namespace cdk8s
needs, built without jsii's run-time argument checks: ``_check_arguments`` does them for a
fraction of their cost); its labels, annotations and body stay in Python, and its ``to_json`` is
answered by Python, as cdk8s would render it: ``apiVersion``, ``kind``, the metadata (the chart's
labels and namespace merged in as cdk8s merges them, keys sorted, empty and null entries left
out), then the body's keys in order.

cdk8s calls ``to_json`` through jsii (an override), so the object is correct in anyone's cdk8s
app: ``App().synth()``, ``Chart.to_json()``. The escape hatches keep working: the first call of
``add_json_patch`` or read of ``metadata`` (which can change labels and annotations in node)
moves the labels and annotations into node's metadata and the body into node as the patches of a
plain ``ApiObject`` would be, and from then on node renders the object.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Mapping
from typing import Any, TypeVar

import jsii
from cdk8s import ApiObject, ApiObjectMetadata, ApiObjectProps, Chart, JsonPatch
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


_S = TypeVar("_S")


def unchecked_struct(cls: type[_S], **values: Any) -> _S:
    """A jsii struct (``ApiObjectProps``...) holding ``values`` as its generated constructor stores them
    (``None`` left out), without that constructor's run-time type checks: jsii's typeguard checks of
    an ``Optional`` argument left ``None`` cost tens of microseconds each.
    ``tests/test_synthesis_fast.py`` proves that jsii sends the same struct as the checked constructor's."""
    struct = cls.__new__(cls)
    struct._values = {key: value for key, value in values.items() if value is not None}  # type: ignore[attr-defined]
    return struct


def _check_arguments(
    scope: Any, id: Any, api_version: Any, kind: Any, name: Any, labels: Any, annotations: Any, namespace: Any
) -> None:
    """Refuse, with a TypeError naming the argument, its value and the type allowed, what the run-time
    checks of ``ApiObject``'s constructor would refuse."""
    for arg, value, ok, allowed in (
        ("scope", scope, isinstance(scope, Construct), "a Construct"),
        ("id", id, isinstance(id, str), "a str"),
        ("api_version", api_version, isinstance(api_version, str), "a str"),
        ("kind", kind, isinstance(kind, str), "a str"),
        ("name", name, isinstance(name, str), "a str"),
        ("labels", labels, _str_mapping(labels), "a mapping of str to str"),
        (
            "annotations",
            annotations,
            annotations is None or _str_mapping(annotations),
            "a mapping of str to str or None",
        ),
        ("namespace", namespace, namespace is None or isinstance(namespace, str), "a str or None"),
    ):
        if not ok:
            raise TypeError(f"BodyObject: argument {arg} is {value!r}: expected {allowed}")


def _str_mapping(value: Any) -> bool:
    return isinstance(value, Mapping) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())


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
        _check_arguments(scope, id, api_version, kind, name, labels, annotations, namespace)
        self._in_node = False
        self._body: dict[str, Any] = dict(body or {})
        self._head = {"apiVersion": api_version, "kind": kind}
        self._meta = (name, dict(labels), annotations, namespace)
        # What ``ApiObject.__init__`` sends, built without its run-time type checks (``_check_arguments``
        # checked the same, for a fraction of their cost). Node is given the name and namespace only
        # (its ``name`` and ``chart`` need them); the labels and annotations, which only the rendering
        # reads, follow in ``to_node`` if node ever renders the object.
        metadata = unchecked_struct(ApiObjectMetadata, name=name, namespace=namespace)
        jsii.create(
            type(self),
            self,
            [scope, id, unchecked_struct(ApiObjectProps, api_version=api_version, kind=kind, metadata=metadata)],
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
            _, labels, annotations, _ = self._meta
            metadata = vars(ApiObject)["metadata"].__get__(self, type(self))
            for key, value in labels.items():
                metadata.add_label(key, value)
            for key, value in (annotations or {}).items():
                metadata.add_annotation(key, value)
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
        out, indexed_keys = {}, False
        for k, v in value.items():
            if v is not None:
                out[k] = js_ordered(v) if isinstance(v, (dict, list)) else v
                indexed_keys = indexed_keys or k[:1].isdigit()
        if indexed_keys:
            items = list(out.items())
            indexed = sorted(((i, k, v) for k, v in items if (i := _array_index(k)) is not None), key=lambda t: t[0])
            out = dict([(k, v) for _, k, v in indexed] + [(k, v) for k, v in items if _array_index(k) is None])
        return out
    if isinstance(value, list):
        return [js_ordered(v) if isinstance(v, (dict, list)) else v for v in value]
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


def object_reference(obj: ApiObject) -> tuple[str, str, str]:
    """``(apiVersion, kind, metadata.name as given)`` of an object (a ``scaleTargetRef``, a
    ``targetRef``), without a round trip for a ``BodyObject``."""
    if isinstance(obj, BodyObject):
        return obj._head["apiVersion"], obj.object_kind, obj.object_name
    return obj.api_version, obj.kind, obj.name


def object_identity(obj: ApiObject) -> tuple[str, str]:
    """``(kind, metadata.name as given)`` of an object, without a round trip for a ``BodyObject``."""
    if isinstance(obj, BodyObject):
        return obj.object_kind, obj.object_name
    return obj.kind, obj.name
