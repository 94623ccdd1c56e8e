"""A Mermaid flowchart: nodes grouped in boxes by component, labelled edges, a shape and colour per kind.

``diagram`` fills a ``Flowchart`` from manifests; ``render`` writes its text in a stable order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Mermaid node shapes, by what a node is: (opening, closing).
_SHAPES = {
    "workload": ('["', '"]'),
    "job": ('[["', '"]]'),
    "service": ('(["', '"])'),
    "volume": ('[("', '")]'),
    "secret": ('{{"', '"}}'),
    "config": ('[/"', '"/]'),
    "entry": ('>"', '"]'),
    "scaler": ('[/"', '"\\]'),
    "peer": ('(("', '"))'),
}

# One colour per kind of node, so the picture reads at a glance (GitHub renders classDef).
_CLASSES = {
    "workload": "fill:#dbeafe,stroke:#1d4ed8,color:#000",
    "job": "fill:#e0e7ff,stroke:#4338ca,color:#000",
    "service": "fill:#dcfce7,stroke:#15803d,color:#000",
    "volume": "fill:#fef3c7,stroke:#b45309,color:#000",
    "secret": "fill:#fee2e2,stroke:#b91c1c,color:#000",
    "config": "fill:#f3f4f6,stroke:#4b5563,color:#000",
    "entry": "fill:#fae8ff,stroke:#a21caf,color:#000",
    "scaler": "fill:#ecfeff,stroke:#0e7490,color:#000",
    "peer": "fill:#ffffff,stroke:#6b7280,stroke-dasharray:3 3,color:#000",
}


@dataclass
class Node:
    """One node: its id, kind (shape and colour), label and component box."""

    id: str
    kind: str
    label: str
    group: str | None = None


@dataclass
class Flowchart:
    """Nodes by id and edges, each added once (an edge collects its labels)."""

    nodes: dict[str, Node] = field(default_factory=dict)
    edges: dict[tuple[str, str, str], set[str]] = field(default_factory=dict)
    """(source, target, arrow) -> edge labels (joined when drawn)."""

    def node(self, id: str, kind: str, label: str, group: str | None = None) -> str:
        if id not in self.nodes:
            self.nodes[id] = Node(id, kind, label, group)
        return id

    def edge(self, source: str, target: str, arrow: str = "-->", label: str | None = None) -> None:
        labels = self.edges.setdefault((source, target, arrow), set())
        if label:
            labels.add(label)


def node_id(kind: str, name: str) -> str:
    """A Mermaid-safe, stable node id for an object (also never a Mermaid keyword like ``end``)."""
    return f"{kind.lower()}_{re.sub(r'[^A-Za-z0-9]', '_', name)}"


def escape(text: str) -> str:
    """Text safe inside a quoted Mermaid label."""
    return text.replace('"', "#quot;")


def render(graph: Flowchart) -> str:
    """The ``flowchart LR`` text: boxes sorted by component, edges sorted, one class per kind."""
    lines = ["flowchart LR"]
    groups: dict[str | None, list[Node]] = {}
    for node in graph.nodes.values():
        groups.setdefault(node.group, []).append(node)
    # A component gets a box only when it runs pods; lone objects (a shared ConfigMap) stay outside.
    boxed = {n.group for n in graph.nodes.values() if n.kind in ("workload", "job") and n.group}
    loose = [n for group, nodes in groups.items() if group not in boxed for n in nodes]
    for group in sorted(g for g in groups if g in boxed):
        lines.append(f'  subgraph {node_id("component", group)}["{escape(group)}"]')
        lines.extend(f"    {_node_text(n)}" for n in groups[group])
        lines.append("  end")
    lines.extend(f"  {_node_text(n)}" for n in loose)
    for (source, target, arrow), labels in sorted(graph.edges.items()):
        label = f'|"{escape(", ".join(sorted(labels)))}"|' if labels else ""
        lines.append(f"  {source} {arrow}{label} {target}")
    for kind in sorted({n.kind for n in graph.nodes.values()}):
        lines.append(f"  classDef {kind} {_CLASSES[kind]}")
        members = ",".join(n.id for n in graph.nodes.values() if n.kind == kind)
        lines.append(f"  class {members} {kind}")
    return "\n".join(lines) + "\n"


def _node_text(node: Node) -> str:
    opening, closing = _SHAPES[node.kind]
    return f"{node.id}{opening}{escape(node.label)}{closing}"
