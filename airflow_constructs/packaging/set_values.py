"""Resources that the props hold outside a component field: Celery and edge worker sets (a list,
keyed by set name in the values) and the KubernetesExecutor's task pods (a pod template file).

``executor.worker_sets.<name>.resources.<field>`` sets the resources of the worker set ``name``
(``executor.worker_sets[i]`` with that name in the props and the config file);
``executor.worker.resources.<field>`` those of every task pod, which the pod template file carries
(written as JSON, which the chart renders with ``toPrettyJson``: ``packaging/json_files.py``); and
``executor.<field>.resources.<field>`` those of another part the executor holds (its Redis broker).
"""

from __future__ import annotations

from pydantic import BaseModel

from ..core.props import Props
from ..core.resources import Resources

ResourcesAt = tuple[tuple[str, ...], tuple[str | int, ...], Resources, str]
"""``(values path, props path, resources, a note on the memory limit)``."""


def executor_resources(props: BaseModel) -> list[ResourcesAt]:
    """The resources of the executor's worker sets, by name, and of its task pods; a ``WorkersOnly``
    install's worker sets (``worker_sets.<name>.resources``) too."""
    executor = getattr(props, "executor", None)
    found = _held_resources(executor, ("executor",)) if isinstance(executor, Props) else []
    return found + [r for r in _held_resources(props, ()) if r[0][:1] == ("worker_sets",)]


def _held_resources(holder: BaseModel, at: tuple[str, ...]) -> list[ResourcesAt]:
    found: list[ResourcesAt] = []
    for field in type(holder).model_fields:
        value = getattr(holder, field)
        if isinstance(value, list):
            for index, item in enumerate(value):
                resources = getattr(item, "resources", None)
                name = getattr(item, "name", None)
                if isinstance(resources, Resources) and isinstance(name, str):
                    # max_memory_per_child must stay below the memory limit: a check of two values the
                    # schema cannot make (the props make it), so the description says it.
                    child = getattr(item, "max_memory_per_child", None)
                    note = f" Keep it above this set's max_memory_per_child ({child})." if child else ""
                    path = (*at, field, name, "resources")
                    found.append((path, (*at, field, index, "resources"), resources, note))
        elif isinstance(value, Props) and isinstance(getattr(value, "resources", None), Resources):
            resources = value.resources  # type: ignore[attr-defined]  # checked just above
            where = (*at, field, "resources")
            found.append((where, where, resources, ""))
    return found
