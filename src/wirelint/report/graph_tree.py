"""`wirelint graph --format tree`: each route's resolution tree in the order FastAPI resolves it, in a terminal.

A pure function from the graph to styled lines: `render_tree_text` joins them as plain text (piped, files,
golden tests), `render_tree_rich` colours the same lines for a terminal. Each node is marked with the words
`async`/`sync` (awaited, or run in the threadpool), `yield`, `uncached` (`use_cache=False`), `shared` (asked
for by several parameters of one request and resolved once: later mentions say `resolved above` and are not
expanded again) and its lifetime when it is not `request`. A summary ends the view.

Children come in FastAPI's order: the route's combined `dependencies=[...]` list (the app's, then each
include's and router's from the outermost in, then the decorator's), then the parameters in signature order; a
container's own edges (what it builds) come last.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from ..analyzer.graph import DependencyGraph
from ..analyzer.models import Edge, Node, RouteInfo
from .graph_view import (
    ViewError,
    find_node,
    module_of,
    parse_route,
    route_endpoints,
    serves,
)

# FastAPI solves a route's combined `dependencies=[...]` list (in Edge.position order) before the parameters.
_LISTS = frozenset({"app", "include", "router", "decorator", "dependencies"})
_VIA_ORDER = {"param": 1, "container-resolve": 1, "constructor": 2, "container-binding": 3}
SUMMARY_ITEMS = 5  # names each summary line lists before counting the rest

Segment = tuple[str, str]  # (text, style name: "route", "name", "async", "sync", "yield", ... or "")


@dataclass(frozen=True, slots=True)
class TreeLine:
    segments: tuple[Segment, ...]

    @property
    def text(self) -> str:
        return "".join(text for text, _style in self.segments)


def short_name(node: Node, modules: Collection[str]) -> str:
    """`auth.get_current_user`: the last part of its module and its qualified name; library names in full."""
    if node.kind == "unresolved":
        return "unresolved: " + node.id.split(":", 3)[-1]
    if node.location is None:
        return node.id
    if modules:
        module = module_of(node, modules)
        rest = node.id[len(module) + 1:] if node.id.startswith(module + ".") else node.id
        return f"{module.rsplit('.', 1)[-1]}.{rest}" if module else rest
    # a runtime graph (--app) knows files, not modules: the module is named by its file
    stem = node.location.path.rsplit("/", 1)[-1].removesuffix(".py")
    if stem == "__init__":
        stem = node.location.path.rsplit("/", 2)[-2] if node.location.path.count("/") else stem
    marker = f".{stem}."
    return stem + "." + node.id.rsplit(marker, 1)[1] if marker in node.id else node.id


def children(graph: DependencyGraph, node_id: str) -> list[Edge]:
    """Outgoing edges in the order FastAPI resolves them."""
    edges = [edge for target in graph.dependencies_of(node_id) for edge in graph.edges_between(node_id, target)]

    def order(edge: Edge) -> tuple:
        location = edge.location
        if edge.via in _LISTS or (edge.via == "container-resolve" and edge.parameter is None):
            return (0, edge.position, 0, 0, edge.target)
        return (_VIA_ORDER.get(edge.via, 4), edge.position, location.line if location else 0,
                location.column if location else 0, edge.target)

    return sorted(edges, key=order)


def node_words(node: Node) -> list[Segment]:
    words: list[Segment] = []
    if node.kind == "unresolved":
        return [(node.reason or "unresolved", "unresolved")]
    if node.is_async is not None and node.kind not in ("container", "container-provider"):
        words.append(("async", "async") if node.is_async else ("sync", "sync"))
    if node.yields:
        words.append(("yield", "yield"))
    if node.provider_type:
        words.append((f"{node.provider_type} provider", "kind"))
    elif node.kind in ("container", "container-provider"):
        words.append((node.kind, "kind"))
    if node.lifetime not in (None, "request"):
        words.append((str(node.lifetime), "lifetime"))
    return words


class _TreeBuilder:
    def __init__(self, graph: DependencyGraph, modules: Collection[str], depth: int | None, reverse: bool) -> None:
        self.graph = graph
        self.modules = modules
        self.depth = depth
        self.reverse = reverse
        self.lines: list[TreeLine] = []

    def name(self, node_id: str) -> str:
        return short_name(self.graph.node(node_id), self.modules)

    def root(self, node_id: str, header: list[Segment]) -> set[str]:
        """Draw one tree; return the nodes it resolves."""
        node = self.graph.node(node_id)
        self.lines.append(TreeLine(tuple(header + [(self.name(node_id), "name")] + _spaced(node_words(node)))))
        asked = Counter(self._count(node_id))
        seen: set[str] = {node_id}
        self._below(node_id, "", frozenset({node_id}), 0, seen, asked, set())
        return seen

    def _edges(self, node_id: str) -> list[Edge]:
        if self.reverse:
            return [Edge(source, node_id, edge.via, edge.location, edge.parameter, edge.use_cache)
                    for source in self.graph.dependents_of(node_id)
                    for edge in self.graph.edges_between(source, node_id)]
        return children(self.graph, node_id)

    def _next(self, edge: Edge) -> str:
        return edge.source if self.reverse else edge.target

    def _identity(self, edge: Edge) -> object:
        """What FastAPI's cache keys on: the callable object. Each `Depends(require_role("admin"))` or
        `Depends(Paginator(100))` makes one of its own, though the graph draws them as one node."""
        target = self._next(edge)
        if self.graph.node(target).kind == "factory" or target.endswith("()"):
            return (target, edge.location)
        return target

    def _count(self, node_id: str) -> Iterable[object]:
        """Each cached request for a node in the whole resolution (not cut by --depth), as FastAPI's cache
        sees it: the first request solves a node, later ones reuse it."""
        if self.reverse:
            return
        expanded: set[object] = set()
        stack = [(node_id, frozenset({node_id}))]
        while stack:
            current, current_path = stack.pop()
            for edge in self._edges(current):
                target, identity = self._next(edge), self._identity(edge)
                if target in current_path:
                    continue  # a cycle: FastAPI never finishes building it
                if edge.use_cache:
                    yield identity
                    if identity in expanded:
                        continue
                expanded.add(identity)
                stack.append((target, current_path | {target}))

    def _below(self, node_id: str, indent: str, path: frozenset[str], level: int, seen: set[str],
               asked: Counter, solved: set[object]) -> None:
        edges = self._edges(node_id)
        if self.depth is not None and level >= self.depth:
            if edges:
                self.lines.append(TreeLine(((indent + "└── ", "tree"), (f"... {len(edges)} more below (--depth)",
                                                                         "dim"))))
            return
        for position, edge in enumerate(edges):
            last = position == len(edges) - 1
            target = self._next(edge)
            node = self.graph.node(target)
            segments: list[Segment] = [(indent + ("└── " if last else "├── "), "tree")]
            if edge.parameter:
                segments.append((f"{edge.parameter}: ", "parameter"))
            elif edge.via != "param":
                segments.append((f"[{edge.via}] ", "via"))
            segments.append((self.name(target), "name"))
            words = node_words(node)
            again = False
            identity = self._identity(edge)
            if not self.reverse:
                if not edge.use_cache:
                    words.append(("uncached", "uncached"))
                else:
                    if asked[identity] > 1:
                        words.append(("shared", "shared"))
                    again = identity in solved  # FastAPI keeps the first value, even of a use_cache=False call
            if target in path:
                words.append(("cycle", "cycle"))
            elif again:
                words.append(("resolved above", "dim"))
            segments += _spaced(words)
            self.lines.append(TreeLine(tuple(segments)))
            seen.add(target)
            if target in path or again:
                continue
            solved.add(identity)
            self._below(target, indent + ("    " if last else "│   "), path | {target}, level + 1, seen, asked,
                        solved)


def _spaced(words: list[Segment]) -> list[Segment]:
    spaced: list[Segment] = []
    for index, word in enumerate(words):
        spaced.append(("  " if index == 0 else " · ", ""))
        spaced.append(word)
    return spaced


def tree_lines(graph: DependencyGraph, *, modules: Collection[str] = (), route: str | None = None,
               focus: str | None = None, depth: int | None = None, reverse: bool = False,
               within: set[str] | None = None) -> list[TreeLine]:
    """The trees (one per route, or one from `focus`) and the summary, as styled lines."""
    builder = _TreeBuilder(graph, modules, depth, reverse)
    roots = _roots(graph, route, focus, reverse, within)
    if not roots:
        return [TreeLine((("No routes found: nothing for FastAPI to resolve (try --focus NAME).", ""),))]
    async_routes: list[tuple[str, set[str]]] = []
    reached_by: Counter = Counter()
    uncached: Counter = Counter()
    for header, node_id, route_info in roots:
        if builder.lines:
            builder.lines.append(TreeLine(()))
        seen = builder.root(node_id, header)
        if route_info is not None and not reverse:
            reached_by.update(seen - {node_id})
            if graph.node(node_id).is_async:
                async_routes.append((node_id, seen - {node_id}))
    if not reverse:
        reached = graph.reachable_from(node_id for _header, node_id, _route in roots)
        for edge in graph.edges():
            if not edge.use_cache and edge.source in reached:
                uncached[edge.target] += 1
    builder.lines += _summary(graph, builder, roots, reached_by, uncached, async_routes, reverse)
    return builder.lines


def _roots(graph: DependencyGraph, route: str | None, focus: str | None, reverse: bool,
           within: set[str] | None) -> list[tuple[list[Segment], str, RouteInfo | None]]:
    if focus is not None:
        node_id = find_node(graph, focus)
        return [([("who depends on ", "dim")] if reverse else [], node_id, None)]
    if reverse:
        raise ViewError("--reverse needs --focus NAME: the tree then shows who depends on it")
    methods, path = parse_route(route) if route else (frozenset(), None)
    roots = []
    for endpoint in graph.endpoints():
        if within is not None and endpoint.id not in within:
            continue
        for info in graph.routes_of(endpoint.id):
            if path is not None and not serves(info, methods, path):
                continue
            header: list[Segment] = [(f"{' '.join(info.methods)} {info.path}", "route"), ("  ", "")]
            roots.append((header, endpoint.id, info))
    if route and not roots:
        route_endpoints(graph, route)  # raises the ViewError that names the routes there are
    return sorted(roots, key=lambda root: (root[2].path, root[2].methods, root[2].app or "", root[1]))


def _summary(graph: DependencyGraph, builder: _TreeBuilder, roots: list, reached_by: Counter, uncached: Counter,
             async_routes: list[tuple[str, set[str]]], reverse: bool) -> list[TreeLine]:
    if reverse or not any(info is not None for _h, _n, info in roots):
        return []
    name = builder.name
    routes = sum(1 for _h, _n, info in roots if info is not None)
    lines = [TreeLine(()), TreeLine(((f"Summary: {routes} route{'s' if routes != 1 else ''}, "
                                      f"{len(reached_by)} dependenc{'ies' if len(reached_by) != 1 else 'y'}",
                                      "heading"),))]

    def listed(label: str, items: list[str]) -> None:
        shown = ", ".join(items[:SUMMARY_ITEMS]) + (f" and {len(items) - SUMMARY_ITEMS} more"
                                                    if len(items) > SUMMARY_ITEMS else "")
        lines.append(TreeLine((("  " + label + ": ", "dim"), (shown or "none", ""))))

    common = [(node_id, count) for node_id, count in reached_by.items()
              if count > 1 and graph.node(node_id).kind != "unresolved"]
    common.sort(key=lambda item: (-item[1], name(item[0])))
    listed("shared by most routes", [f"{name(n)} ({c} of {routes})" for n, c in common])
    listed("uncached (use_cache=False)",
           [f"{name(n)} ({c} edge{'s' if c != 1 else ''})" for n, c in sorted(uncached.items(),
                                                                            key=lambda i: name(i[0]))])
    hops: Counter = Counter()
    for _endpoint, nodes in async_routes:
        hops.update(n for n in nodes if graph.node(n).is_async is False and graph.node(n).lifetime != "resolution"
                    and graph.node(n).kind not in ("container", "container-provider"))
    listed(f"sync under async endpoints (threadpool hops, {len(async_routes)} async "
           f"route{'s' if len(async_routes) != 1 else ''})",
           [f"{name(n)} ({c} route{'s' if c != 1 else ''})" for n, c in sorted(hops.items(),
                                                                              key=lambda i: (-i[1], name(i[0])))])
    for lifetime in ("process", "call", "resolution"):
        nodes = sorted(name(n) for n in reached_by if graph.node(n).lifetime == lifetime)
        if nodes:
            listed(f"{lifetime} lifetime", nodes)
    return lines


def render_tree_text(lines: list[TreeLine]) -> str:
    """Plain text: what a pipe, a file or a golden test gets."""
    return "".join(line.text.rstrip() + "\n" for line in lines)


_RICH_STYLES = {"route": "bold", "name": "bold cyan", "async": "green", "sync": "yellow", "yield": "magenta",
                "uncached": "bold magenta", "shared": "blue", "lifetime": "bold blue", "cycle": "bold red",
                "unresolved": "red", "dim": "dim", "tree": "dim", "via": "dim", "parameter": "", "kind": "blue",
                "heading": "bold"}


def render_tree_rich(lines: list[TreeLine], console) -> None:
    """The same lines, coloured, on a rich Console (a terminal)."""
    from rich.text import Text

    for line in lines:
        text = Text()
        for segment, style in line.segments:
            text.append(segment, style=_RICH_STYLES.get(style, "") or None)
        console.print(text, soft_wrap=True, highlight=False)
