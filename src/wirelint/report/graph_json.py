"""The dependency graph as the JSON document of DESIGN.md (`wirelint graph --format json`)."""

from __future__ import annotations

import json

from ..analyzer.graph import DependencyGraph
from ..analyzer.project import ProjectIndex

# 2: container kinds and vias; 3: every node's lifetime and is_async, container-provider's provider_type,
# edges' use_cache, scope and scopes (docs/graph-model.md)
GRAPH_JSON_VERSION = 3


def graph_document(source: ProjectIndex | DependencyGraph, shown: set[str] | None = None) -> dict:
    """Nodes and edges sorted by id and by (source, target, via, location): byte-stable for one input.
    `shown` keeps only those nodes and the edges between them (a focused view)."""
    graph: DependencyGraph = source if isinstance(source, DependencyGraph) else source.graph
    nodes = []
    for node in graph.nodes():
        if shown is not None and node.id not in shown:
            continue
        item = {
            "id": node.id,
            "kind": node.kind,
            "path": node.location.path if node.location else None,
            "line": node.location.line if node.location else None,
            "yields": node.yields,
            "is_async": node.is_async,
            "lifetime": node.lifetime,
            "class": node.class_id,
        }
        if node.kind == "endpoint":
            item["routes"] = [
                {"methods": list(route.methods), "path": route.path, "app": route.app, "router": route.router}
                for route in graph.routes_of(node.id)
            ]
        if node.reason is not None:
            item["reason"] = node.reason
        if node.provider_type is not None:
            item["provider_type"] = node.provider_type
        nodes.append(item)
    edges = [
        {
            "source": edge.source,
            "target": edge.target,
            "via": edge.via,
            "path": edge.location.path if edge.location else None,
            "line": edge.location.line if edge.location else None,
            "parameter": edge.parameter,
            "use_cache": edge.use_cache,
            "scope": edge.scope,
            "scopes": list(edge.scopes),
        }
        for edge in graph.edges()
        if shown is None or (edge.source in shown and edge.target in shown)
    ]
    return {"version": GRAPH_JSON_VERSION, "nodes": nodes, "edges": edges}


def render_graph_json(index: ProjectIndex | DependencyGraph, shown: set[str] | None = None) -> str:
    """The document with one node or edge per line: readable and diffable, and encoded by json's C encoder
    (an indented dump goes through the pure-Python one, which costs more than a warm analysis)."""
    document = graph_document(index, shown)
    parts = [f'{{"version": {document["version"]},\n "nodes": [\n']
    parts.append(",\n".join("  " + json.dumps(node) for node in document["nodes"]))
    parts.append('\n ],\n "edges": [\n')
    parts.append(",\n".join("  " + json.dumps(edge) for edge in document["edges"]))
    parts.append("\n ]}\n")
    return "".join(parts)
