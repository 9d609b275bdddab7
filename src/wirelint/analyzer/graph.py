"""DependencyGraph: the Depends graph behind named queries.

Adjacency is kept in plain dicts (building it is on every run's path); networkx, which costs a noticeable
share of a warm run just to import, is loaded only by the queries that need its algorithms (cycles, depth).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from .models import Edge, Node, RouteInfo

_KIND_PRIORITY = {"endpoint": 7, "container-provider": 6, "container": 5, "factory": 4, "instance": 3, "class": 2,
                  "provider": 1, "unresolved": 0}
# How an edge attaches (see docs/graph-model.md): FastAPI's own, and a DI container's or a composition root's.
FASTAPI_VIAS = frozenset({"param", "decorator", "router", "include", "app", "dependencies"})
CONTAINER_VIAS = frozenset({"constructor", "container-binding", "container-resolve"})


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
        edge.use_cache,
        edge.scope or "",
        edge.scopes,
    )


class DependencyGraph:
    """Nodes are callables FastAPI calls; an edge `a -> b` means solving `a` calls `b`."""

    def __init__(self) -> None:
        self._nodes: dict[str, Node] = {}
        self._successors: dict[str, dict[str, dict[tuple, Edge]]] = {}
        self._predecessors: dict[str, set[str]] = {}
        self._routes: dict[str, set[RouteInfo]] = {}
        # Where container edges come from: "composition" (a composition root constructed it: a construction
        # always finishes, so no cycle) or "container:<id>" (lagom's resolution in one container).
        self._origins: dict[tuple, str] = {}
        self._composed: set[str] = set()  # classes only a composition root builds: not on a request path

    # --- building ----------------------------------------------------------------------------------------

    def add_node(self, node: Node) -> None:
        current = self._nodes.get(node.id)
        if current is not None:
            if _KIND_PRIORITY[node.kind] <= _KIND_PRIORITY[current.kind]:
                return
            node = Node(node.id, node.kind, current.location or node.location, current.yields or node.yields,
                        current.class_id or node.class_id, node.reason, node.lifetime or current.lifetime,
                        current.is_async if node.is_async is None else node.is_async,
                        node.provider_type or current.provider_type)
        self._nodes[node.id] = node
        self._successors.setdefault(node.id, {})
        self._predecessors.setdefault(node.id, set())

    def replace_node(self, node: Node) -> None:
        """Put `node` in place of the node with its id (a settled attribute such as its lifetime)."""
        if node.id not in self._nodes:
            raise KeyError(f"{node.id!r} is not a node")
        self._nodes[node.id] = node

    def add_edge(self, edge: Edge, origin: str | None = None) -> None:
        for node_id in (edge.source, edge.target):
            if node_id not in self._nodes:
                raise KeyError(f"edge endpoint {node_id!r} is not a node")
        key = _edge_key(edge)
        self._successors[edge.source].setdefault(edge.target, {}).setdefault(key, edge)
        self._predecessors[edge.target].add(edge.source)
        if origin is not None:
            self._origins.setdefault(key, origin)

    def edge_origin(self, edge: Edge) -> str | None:
        """"composition", "container:<id>", or None (FastAPI's edges, dependency-injector's)."""
        return self._origins.get(_edge_key(edge))

    def mark_composed(self, node_id: str) -> None:
        self._composed.add(node_id)

    def composed(self, node_id: str) -> bool:
        """A class the graph has only because a composition root constructs it."""
        return node_id in self._composed

    def add_route(self, endpoint: str, route: RouteInfo) -> None:
        self._routes.setdefault(endpoint, set()).add(route)

    def subgraph(self, node_ids: Iterable[str]) -> DependencyGraph:
        """The graph of these nodes only: their edges among themselves, routes, origins and marks."""
        keep = {node_id for node_id in node_ids if node_id in self._nodes}
        part = DependencyGraph()
        for node_id in sorted(keep):
            part.add_node(self._nodes[node_id])
        for edge in self.edges():
            if edge.source in keep and edge.target in keep:
                part.add_edge(edge, self._origins.get(_edge_key(edge)))
        for endpoint in keep & self._routes.keys():
            for route in self._routes[endpoint]:
                part.add_route(endpoint, route)
        part._composed = self._composed & keep
        return part

    # --- queries -----------------------------------------------------------------------------------------

    def __contains__(self, node_id: str) -> bool:
        return node_id in self._nodes

    def __len__(self) -> int:
        return len(self._nodes)

    def node(self, node_id: str) -> Node:
        return self._nodes[node_id]

    def nodes(self) -> list[Node]:
        """All nodes, sorted by id."""
        return [self._nodes[n] for n in sorted(self._nodes)]

    def edges(self) -> list[Edge]:
        """Every attachment of every edge, sorted by source, target, via, location."""
        result = [edge for targets in self._successors.values() for edges in targets.values()
                  for edge in edges.values()]
        return sorted(result, key=_edge_key)

    def edges_between(self, source: str, target: str) -> list[Edge]:
        edges = self._successors.get(source, {}).get(target)
        return sorted(edges.values(), key=_edge_key) if edges else []

    def endpoints(self) -> list[Node]:
        return [node for node in self.nodes() if node.kind == "endpoint"]

    def routes_of(self, endpoint: str) -> list[RouteInfo]:
        return sorted(self._routes.get(endpoint, ()), key=lambda r: (r.path, r.methods, r.app or ""))

    def apps(self) -> list[str]:
        return sorted({route.app for routes in self._routes.values() for route in routes if route.app})

    def dependencies_of(self, node_id: str) -> list[str]:
        """Direct dependencies (what solving `node_id` calls), sorted."""
        return sorted(self._successors.get(node_id, ()))

    def dependents_of(self, node_id: str) -> list[str]:
        """Direct dependents (who calls `node_id`), sorted."""
        return sorted(self._predecessors.get(node_id, ()))

    def reachable_from(self, node_ids: Iterable[str]) -> set[str]:
        """Every node solving these nodes may call, the nodes included."""
        seen: set[str] = set()
        stack = [n for n in node_ids if n in self._nodes]
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            stack.extend(t for t in self._successors[current] if t not in seen)
        return seen

    def to_networkx(self, node_ids: Iterable[str] | None = None):
        """A networkx DiGraph of the graph (or of a node subset), for algorithms."""
        import networkx as nx

        keep = set(self._nodes) if node_ids is None else set(node_ids)
        graph = nx.DiGraph()
        graph.add_nodes_from(sorted(keep))
        graph.add_edges_from(
            (source, target) for source in sorted(keep) for target in sorted(self._successors[source]) if target in keep
        )
        return graph

    def depth(self, node_id: str) -> int:
        """Length of the longest dependency chain below a node (cycles are cut)."""
        import networkx as nx

        sub = self.to_networkx(self.reachable_from([node_id]))
        if not nx.is_directed_acyclic_graph(sub):
            sub = nx.condensation(sub)
        return nx.dag_longest_path_length(sub)

    def cycles(self, per_component: int = 100) -> Iterator[list[str]]:
        """Each elementary cycle once, rotated to start at its smallest id, in sorted order.

        A strongly connected component can hold exponentially many cycles; at most `per_component` are
        enumerated from each (the shortest first would need more work than a lint needs)."""
        if not any(self._successors.values()):
            return
        import networkx as nx

        graph = self.to_networkx()
        found = []
        for component in nx.strongly_connected_components(graph):
            if len(component) == 1:
                (only,) = component
                if not graph.has_edge(only, only):
                    continue
            for count, cycle in enumerate(nx.simple_cycles(graph.subgraph(component))):
                if count >= per_component:
                    break
                start = cycle.index(min(cycle))
                found.append(cycle[start:] + cycle[:start])
        yield from sorted(found)

    def unresolved(self) -> list[Node]:
        return [node for node in self.nodes() if node.kind == "unresolved"]
