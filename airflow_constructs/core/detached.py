"""An app built (almost) without node: the objects it would synthesize, when Python can tell them.

Building an app asks node to create every construct (one jsii round trip each, about 0.4 ms of
node and as much of Python); the library's own constructs then ask it almost nothing more: the
chart of a scope (``Chart.of``), that chart's namespace and labels, an object's name or kind. For
an app made of the library's ``BodyObject``s, grouping constructs and top-level charts, those
answers are known to Python, and so is every object (``BodyObject.python_json``).

``detached_build(build)`` runs ``build(app)`` with jsii's calls answered by a small stand-in
for that much of cdk8s: it keeps the construct tree (each construct's scope and id, children in
the order they were added) and the charts' namespace and labels. An object of the package's CRD
bindings (``airflow_constructs.imports``: KEDA, Prometheus Operator, External Secrets, Gateway
API...), whose spec node renders, is made by node in a shadow of its chart (same id, namespace
and labels; its metadata must name it) and rendered by node, at its place in the tree. Anything
else asked of node (a plain ``ApiObject``, a JSON patch, ``node``, a dependency, a nested chart, a
name cdk8s would generate) stops the build, which then gives None: the caller builds the app the
usual way. The objects are those ``core.synthesis.app_documents`` gives for the same app built
with node, in the same order (``tests/test_detached.py`` compares both on every example app, with
its own settings and with the chart's sentinels).

The stand-in replaces the ``jsii`` module's call functions for the length of the build (generated
bindings call them through the module). Nothing else built here may reach node: those objects hold
a reference node does not know (a call with one fails, and the build gives None), and are dropped
with the build. Not thread-safe: meant for a process that builds one app at a time (``python -m
apps``).
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import jsii
from cdk8s import ApiObject, App, Chart
from constructs import Construct
from jsii._kernel.types import ObjRef

from .body_object import BodyObject, js_ordered

_CALLS = ("create", "get", "set", "invoke", "sinvoke", "sget", "sset", "ainvoke")
_KINDS = {"cdk8s.App", "cdk8s.Chart", "constructs.Construct", "cdk8s.ApiObject"}
_REFS = itertools.count(1)


class _Unsupported(Exception):
    """The build asked node for something the stand-in does not answer."""


class _Tree:
    """The construct tree and chart settings of one detached build: jsii's calls, answered."""

    def __init__(self, node: dict[str, Callable[..., Any]]) -> None:
        self.node = node
        """jsii's own call functions: a CRD binding's object is made, and rendered, by node."""
        self.shadows: dict[int, Chart] = {}
        """detached chart -> a chart in node with its id, namespace and labels, holding its CRD objects."""
        self.in_node: set[int] = set()
        self.children: dict[int, list[Construct]] = {}
        self.scope: dict[int, Construct] = {}
        self.ids: dict[int, str] = {}
        self.charts: dict[int, tuple[str | None, dict[str, str]]] = {}
        self.app: App | None = None

    def create(self, klass: type, obj: Any, args: list[Any] | None = None) -> ObjRef:
        fqn = getattr(klass, "__jsii_type__", None)
        args = list(args or [])
        if _is_binding(klass) and len(args) == 3:
            return self.create_in_node(klass, obj, args)
        if fqn not in _KINDS or (fqn == "cdk8s.ApiObject" and not isinstance(obj, BodyObject)):
            raise _Unsupported(f"create {fqn}")
        if fqn == "cdk8s.App":
            if self.app is not None or (args and args[0] is not None and _set_fields(args[0]) - {"outdir"}):
                raise _Unsupported("an App with settings")
            self.app = obj
        else:
            scope, name = args[0], args[1]
            self._check_child(scope, name)
            if fqn == "cdk8s.Chart":
                props = args[2] if len(args) > 2 else None
                if scope is not self.app:  # (name hashes: every BodyObject has its name given)
                    raise _Unsupported("a nested chart")
                labels = dict(props.labels or {}) if props is not None else {}
                self.charts[id(obj)] = (props.namespace if props is not None else None, labels)
            elif scope is self.app:
                raise _Unsupported("a construct that is not a chart at the app's top")
            self._add(obj, scope, name)
        self.children[id(obj)] = []
        ref = ObjRef(ref=f"detached@{next(_REFS)}")  # unknown to node: a leak would fail loudly there
        obj.__jsii_ref__ = ref
        return ref

    def create_in_node(self, klass: type, obj: Any, args: list[Any]) -> ObjRef:
        """A CRD binding's object (its spec is rendered by node), made in node in a shadow of its chart,
        and kept in the tree at its place. Its metadata must name it (a generated name would differ)."""
        scope, name, props = args
        self._check_child(scope, name)
        if not getattr(getattr(props, "metadata", None), "name", None):
            raise _Unsupported("a CRD object without a name")
        chart = self.sinvoke(Chart, "of", [scope])
        shadow = self.shadows.get(id(chart))
        if shadow is None:
            shadow = self._shadow(chart)
        self.node["create"](klass, obj, [shadow, f"o{len(self.in_node)}", props])
        self.in_node.add(id(obj))
        self._add(obj, scope, name)
        self.children[id(obj)] = []
        return obj.__jsii_ref__  # type: ignore[no-any-return]

    def _check_child(self, scope: Any, name: Any) -> None:
        if not isinstance(name, str) or not name or "/" in name or id(scope) not in self.children:
            raise _Unsupported(f"construct {name!r}")
        if any(self.ids[id(child)] == name for child in self.children[id(scope)]):
            raise _Unsupported(f"construct {name!r} twice")  # constructs raises its own error

    def _add(self, obj: Construct, scope: Construct, name: str) -> None:
        self.ids[id(obj)] = name
        self.children[id(scope)].append(obj)
        self.scope[id(obj)] = scope

    def _shadow(self, chart: Chart) -> Chart:
        namespace, labels = self.charts[id(chart)]
        with _calls(self.node):
            shadow = Chart(App(), self.ids[id(chart)], namespace=namespace, labels=labels)
        self.shadows[id(chart)] = shadow
        return shadow

    def get(self, obj: Any, prop: str) -> Any:
        if id(obj) in self.in_node:
            return self.node["get"](obj, prop)
        if id(obj) in self.charts and prop in ("namespace", "labels"):
            namespace, labels = self.charts[id(obj)]
            return namespace if prop == "namespace" else dict(labels)
        if isinstance(obj, BodyObject) and id(obj) in self.children and not obj.in_node:
            if prop == "name":
                return obj.object_name
            if prop == "kind":
                return obj.object_kind
            if prop == "apiVersion":
                return obj.python_json((None, {}))["apiVersion"]
        raise _Unsupported(f"get {type(obj).__name__}.{prop}")

    def sinvoke(self, klass: type, method: str, args: list[Any] | None = None) -> Any:
        if getattr(klass, "__jsii_type__", None) == "cdk8s.Chart" and method == "of" and args:
            scope = args[0]
            while id(scope) in self.children:
                if id(scope) in self.charts:
                    return scope
                scope = self.scope.get(id(scope))
        raise _Unsupported(f"static {getattr(klass, '__name__', klass)}.{method}")

    def refuse(self, *args: Any, **kwargs: Any) -> Any:
        raise _Unsupported("a call the stand-in does not answer")

    def detached_app(self) -> DetachedApp:
        """The constructs and the objects of each chart file, as ``app_documents`` renders them."""
        assert self.app is not None
        documents = {}
        for chart in self.children[id(self.app)]:
            facts = self.charts[id(chart)]
            objects = [obj for obj in self._walk(chart) if isinstance(obj, ApiObject)]
            documents[f"{_dns_label(self.ids[id(chart)])}.yaml"] = [self._render(obj, facts) for obj in objects]
        constructs = list(self._walk(self.app))
        return DetachedApp(constructs, [self._path(c) for c in constructs], len(self.in_node), documents)

    def _render(self, obj: ApiObject, chart: tuple[str | None, dict[str, str]]) -> Any:
        if id(obj) in self.in_node:
            return js_ordered(self.node["invoke"](obj, "toJson", []))
        if not isinstance(obj, BodyObject) or obj.in_node:
            raise _Unsupported("an object node renders")
        return js_ordered(obj.python_json(chart))

    def _path(self, construct: Construct) -> str:
        scope = self.scope[id(construct)]
        name = self.ids[id(construct)]
        return name if scope is self.app else f"{self._path(scope)}/{name}"

    def _walk(self, construct: Construct) -> Iterator[Construct]:
        """Every construct under ``construct``, depth first, in the order added (``node.findAll``)."""
        for child in self.children[id(construct)]:
            yield child
            yield from self._walk(child)


@dataclass(frozen=True)
class DetachedApp:
    """An app built without node."""

    constructs: list[Construct]
    """Every construct but the app, in ``app.node.find_all()`` order."""
    paths: list[str]
    """Their paths (``node.path``), in that order."""
    in_node: int
    """How many of them node made: objects of the CRD bindings, whose specs node renders."""
    documents: dict[str, list[dict[str, Any]]]
    """``{<chart file name>.yaml: objects}``: what ``core.synthesis.app_documents`` gives."""


_DNS_LABEL = re.compile(r"[0-9a-z-]{1,63}\Z")


def _dns_label(chart_id: str) -> str:
    """``Names.to_dns_label`` of a chart at the app's top whose id is a DNS label (cdk8s keeps it as is)."""
    if not _DNS_LABEL.match(chart_id):
        raise _Unsupported(f"chart {chart_id!r}: cdk8s names its file with a hash")
    return chart_id


def _is_binding(klass: type) -> bool:
    """A class of the package's generated CRD bindings (``airflow_constructs.imports``): an ``ApiObject``."""
    return issubclass(klass, ApiObject) and klass.__module__.startswith(_BINDINGS)


_BINDINGS = __name__.rsplit(".", 2)[0] + ".imports."


def _set_fields(props: Any) -> set[str]:
    return {key for key, value in getattr(props, "_values", {}).items() if value is not None}


def detached_build(build: Callable[[App], object]) -> DetachedApp | None:
    """``build(App())`` built without node, or None when it needs node (then build it with node)."""
    if os.environ.get("CDK8S_RECORD_CONSTRUCT_METADATA") == "true":
        return None  # App.synth() writes construct metadata, which only node knows
    tree = _Tree({name: getattr(jsii, name) for name in _CALLS})
    answers: dict[str, Callable[..., Any]] = {"create": tree.create, "get": tree.get, "sinvoke": tree.sinvoke}
    with _calls({name: answers.get(name, tree.refuse) for name in _CALLS}):
        try:
            build(App())
            return tree.detached_app()
        except Exception:  # _Unsupported, or an error the build with node gives again (it is the caller's next step)
            return None


@contextmanager
def _calls(functions: dict[str, Callable[..., Any]]) -> Iterator[None]:
    """jsii's call functions replaced by ``functions`` for the block, and given back after it."""
    saved = {name: getattr(jsii, name) for name in _CALLS}
    for name in _CALLS:
        setattr(jsii, name, functions[name])
    try:
        yield
    finally:
        for name, function in saved.items():
            setattr(jsii, name, function)
