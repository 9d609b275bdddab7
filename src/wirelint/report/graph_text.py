"""The dependency graph as DOT (Graphviz) and Mermaid text: pure functions from an index to text."""

from __future__ import annotations

import graphviz

from ..analyzer.graph import DependencyGraph
from ..analyzer.models import Node

_DOT_SHAPES = {
    "endpoint": {"shape": "box", "style": "rounded,filled", "fillcolor": "#dbeafe"},
    "provider": {"shape": "ellipse", "style": "filled", "fillcolor": "#f1f5f9"},
    "factory": {"shape": "ellipse", "style": "filled,dashed", "fillcolor": "#f1f5f9"},
    "class": {"shape": "component", "style": "filled", "fillcolor": "#fef9c3"},
    "instance": {"shape": "hexagon", "style": "filled", "fillcolor": "#fef9c3"},
    "unresolved": {"shape": "note", "style": "filled,dashed", "fillcolor": "#fee2e2", "color": "#b91c1c"},
}


def node_label(graph: DependencyGraph, node: Node) -> str:
    """Short name, then kind-specific detail: routes for endpoints, 'yields', the reason when unresolved."""
    if node.kind == "unresolved":
        return f"unresolved: {node.id.split(':', 3)[-1]}\n{node.reason or ''}"
    lines = [node.id]
    if node.kind == "endpoint":
        lines += [f"{' '.join(r.methods)} {r.path}" for r in graph.routes_of(node.id)]
    elif node.yields:
        lines.append("(yields)")
    if node.location is None:
        lines.append("(external)")
    return "\n".join(lines)


def render_dot(graph: DependencyGraph) -> str:
    """DOT source; nodes and edges in sorted order so that the text is stable."""
    dot = graphviz.Digraph("wirelint", graph_attr={"rankdir": "LR", "fontname": "Helvetica"},
                           node_attr={"fontname": "Helvetica", "fontsize": "10"},
                           edge_attr={"fontname": "Helvetica", "fontsize": "9"})
    for node in graph.nodes():
        dot.node(node.id, node_label(graph, node), **_DOT_SHAPES[node.kind])
    for source, target in sorted({(e.source, e.target) for e in graph.edges()}):
        vias = sorted({edge.via for edge in graph.edges_between(source, target)})
        attributes = {} if vias == ["param"] else {"style": "dashed", "label": ",".join(v for v in vias)}
        dot.edge(source, target, **attributes)
    return dot.source


def render_mermaid(graph: DependencyGraph) -> str:
    """A Mermaid flowchart; node ids are positional (n0, n1, ...) since Python ids contain dots and brackets."""
    ids = {node.id: f"n{number}" for number, node in enumerate(graph.nodes())}
    lines = ["flowchart LR"]
    shapes = {"endpoint": ("[", "]"), "provider": ("(", ")"), "factory": ("(", ")"), "class": ("[[", "]]"),
              "instance": ("{{", "}}"), "unresolved": (">", "]")}
    for node in graph.nodes():
        label = (node_label(graph, node).replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
                 .replace("\n", "<br/>"))
        left, right = shapes[node.kind]
        lines.append(f'    {ids[node.id]}{left}"{label}"{right}')
    for source, target in sorted({(e.source, e.target) for e in graph.edges()}):
        vias = sorted({edge.via for edge in graph.edges_between(source, target)})
        arrow = "-->" if vias == ["param"] else f"-.->|{','.join(vias)}|"
        lines.append(f"    {ids[source]} {arrow} {ids[target]}")
    for kind, style in (("endpoint", "fill:#dbeafe"), ("class", "fill:#fef9c3"), ("instance", "fill:#fef9c3"),
                        ("unresolved", "fill:#fee2e2,stroke:#b91c1c,stroke-dasharray:4")):
        members = [ids[node.id] for node in graph.nodes() if node.kind == kind]
        if members:
            lines.append(f"    classDef kind_{kind} {style}")
            lines.append(f"    class {','.join(members)} kind_{kind}")
    return "\n".join(lines) + "\n"
