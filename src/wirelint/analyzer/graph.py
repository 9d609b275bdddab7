"""DependencyGraph: the Depends graph behind named queries (networkx underneath)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import networkx as nx

from .models import Edge, Node, RouteInfo

_KIND_PRIORITY = {"endpoint": 5, "factory": 4, "instance": 3, "class": 2, "provider": 1, "unresolved": 0}


def _edge_key(edge: Edge) -> tuple:
    location = edge.location
    return (
        edge.source,
        edge.target,
        edge.via,
        location.path if location else "",
        location.line if location else 0,
        location.column if location else 0,
        edge.parameter or "",
    )


class DependencyGraph:
    """Nodes are callables FastAPI calls; an edge `a -> b` means solving `a` calls `b`."""

    def __init__(self) -> None:
        self._graph = nx.DiGraph()
        self._routes: dict[str, set[RouteInfo]] = {}

    # --- building ----------------------------------------------------------------------------------------

    def add_node(self, node: Node) -> None:
        existing = self._graph.nodes.get(node.id)
        if existing is not None:
            current: Node = existing["node"]
            if _KIND_PRIORITY[node.kind] <= _KIND_PRIORITY[current.kind]:
                return
            node = Node(node.id, node.kind, current.location or node.location, current.yields or node.yields,
                        current.class_id or node.class_id, node.reason)
        self._graph.add_node(node.id, node=node)

    def add_edge(self, edge: Edge) -> None:
        data = self._graph.get_edge_data(edge.source, edge.target)
        if data is None:
            self._graph.add_edge(edge.source, edge.target, attachments={_edge_key(edge): edge})
        else:
            data["attachments"].setdefault(_edge_key(edge), edge)

    def add_route(self, endpoint: str, route: RouteInfo) -> None:
        self._routes.setdefault(endpoint, set()).add(route)

    # --- queries -----------------------------------------------------------------------------------------

    def __contains__(self, node_id: str) -> bool:
        return node_id in self._graph

    def __len__(self) -> int:
        return self._graph.number_of_nodes()

    def node(self, node_id: str) -> Node:
        return self._graph.nodes[node_id]["node"]

    def nodes(self) -> list[Node]:
        """All nodes, sorted by id."""
        return [self._graph.nodes[n]["node"] for n in sorted(self._graph.nodes)]

    def edges(self) -> list[Edge]:
        """Every attachment of every edge, sorted by source, target, via, location."""
        result = [edge for _, _, data in self._graph.edges(data=True) for edge in data["attachments"].values()]
        return sorted(result, key=_edge_key)

    def edges_between(self, source: str, target: str) -> list[Edge]:
        data = self._graph.get_edge_data(source, target)
        return sorted(data["attachments"].values(), key=_edge_key) if data else []

    def endpoints(self) -> list[Node]:
        return [node for node in self.nodes() if node.kind == "endpoint"]

    def routes_of(self, endpoint: str) -> list[RouteInfo]:
        return sorted(self._routes.get(endpoint, ()), key=lambda r: (r.path, r.methods, r.app or ""))

    def apps(self) -> list[str]:
        return sorted({route.app for routes in self._routes.values() for route in routes if route.app})

    def dependencies_of(self, node_id: str) -> list[str]:
        """Direct dependencies (what solving `node_id` calls), sorted."""
        return sorted(self._graph.successors(node_id))

    def dependents_of(self, node_id: str) -> list[str]:
        """Direct dependents (who calls `node_id`), sorted."""
        return sorted(self._graph.predecessors(node_id))

    def reachable_from(self, node_ids: Iterable[str]) -> set[str]:
        """Every node solving these nodes may call, the nodes included."""
        seen: set[str] = set()
        for node_id in node_ids:
            if node_id in self._graph and node_id not in seen:
                seen.add(node_id)
                seen |= nx.descendants(self._graph, node_id)
        return seen

    def depth(self, node_id: str) -> int:
        """Length of the longest dependency chain below a node (cycles are cut)."""
        sub = self._graph.subgraph(self.reachable_from([node_id]))
        if not nx.is_directed_acyclic_graph(sub):
            condensed = nx.condensation(sub)
            return nx.dag_longest_path_length(condensed)
        return nx.dag_longest_path_length(sub)

    def cycles(self) -> Iterator[list[str]]:
        """Each elementary cycle once, rotated to start at its smallest id, in sorted order."""
        found = []
        for component in nx.strongly_connected_components(self._graph):
            if len(component) == 1:
                (only,) = component
                if not self._graph.has_edge(only, only):
                    continue
            for cycle in nx.simple_cycles(self._graph.subgraph(component)):
                start = cycle.index(min(cycle))
                found.append(cycle[start:] + cycle[:start])
        yield from sorted(found)

    def unresolved(self) -> list[Node]:
        return [node for node in self.nodes() if node.kind == "unresolved"]
