"""Graph views used by the analyzer tests."""

from __future__ import annotations

from wirelint.analyzer import ProjectIndex


def edge_set(index: ProjectIndex) -> set[tuple[str, str, str]]:
    return {(edge.source, edge.target, edge.via) for edge in index.graph.edges()}


def route_set(index: ProjectIndex) -> set[tuple[str, tuple[str, ...], str, str | None]]:
    return {
        (node.id, route.methods, route.path, route.app)
        for node in index.graph.endpoints()
        for route in index.graph.routes_of(node.id)
    }
