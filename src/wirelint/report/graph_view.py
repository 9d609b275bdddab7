"""GraphView: the part of the dependency graph a picture shows, with what the picture needs to say.

Every graph renderer (DOT/SVG/PNG, Mermaid, Markdown, HTML) draws a GraphView, so focus, filters, clusters,
cycles and findings mean the same thing in every format. Building a view is a pure function of the graph and
the findings; the CLI turns a ViewError into one line and exit code 2.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace

from ..analyzer.graph import DependencyGraph
from ..analyzer.models import Node, RouteInfo
from ..rules.base import Finding

CLUSTER_MODES = ("module", "router", "none")
_HTTP_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "WEBSOCKET"}


class ViewError(ValueError):
    """A focus or filter that names nothing in the graph (the message says what exists instead)."""


@dataclass(frozen=True, slots=True)
class ViewNode:
    id: str
    # endpoint | provider | factory | class | instance | container | container-provider | unresolved
    # | module (collapsed)
    kind: str
    label: str  # short display name
    # routes of an endpoint, "(yields)", a container-provider's "singleton provider" and "calls <class>", the
    # reason it is unresolved, ...
    detail: tuple[str, ...]
    module: str
    cluster: str | None
    path: str | None
    line: int | None
    yields: bool
    findings: tuple[str, ...]  # codes of the findings located in this node, sorted
    provider_type: str | None = None  # container-provider: factory | singleton | resource | ... (graph-model.md)
    calls: str | None = None  # container-provider: the callable it calls (its node's `class`)
    lifetime: str | None = None  # request | call | process | resolution (analyzer/lifetimes.py); None: unknown
    is_async: bool | None = None


@dataclass(frozen=True, slots=True)
class ViewEdge:
    source: str
    target: str
    # how the dependency attaches, sorted: FastAPI's param | decorator | router | include | app | dependencies,
    # or a container's or composition root's constructor | container-binding | container-resolve (a collapsed
    # view merges several)
    vias: tuple[str, ...]
    parameters: tuple[str, ...]
    in_cycle: bool


@dataclass(frozen=True, slots=True)
class ViewFinding:
    code: str
    name: str
    severity: str
    message: str
    path: str
    line: int
    node: str | None  # the node the finding is located in, when it is in one that the view shows
    module: str | None  # in no node (module-level code...): the module of its file, when the view shows a node of it
    cluster: str | None  # ... and the cluster drawn for that module (`--cluster module`), else None
    summary: str
    explanation: str


@dataclass(frozen=True, slots=True)
class GraphView:
    title: str
    nodes: tuple[ViewNode, ...]  # sorted by id
    edges: tuple[ViewEdge, ...]  # sorted by (source, target)
    findings: tuple[ViewFinding, ...]  # sorted by path, line, code
    hidden: int  # nodes of the graph the view leaves out

    def node(self, node_id: str) -> ViewNode:
        return next(node for node in self.nodes if node.id == node_id)

    def loose_findings(self) -> tuple[ViewFinding, ...]:
        """Findings the picture can put on no node and no cluster: every renderer lists them in a box."""
        return tuple(f for f in self.findings if f.node is None and f.cluster is None)

    def cluster_findings(self) -> dict[str, tuple[str, ...]]:
        """Cluster name -> the sorted codes of the module-level findings drawn on it."""
        codes: dict[str, set[str]] = {}
        for finding in self.findings:
            if finding.node is None and finding.cluster is not None:
                codes.setdefault(finding.cluster, set()).add(finding.code)
        return {name: tuple(sorted(found)) for name, found in sorted(codes.items())}

    def clusters(self) -> dict[str, list[ViewNode]]:
        """Cluster name -> its nodes, both sorted."""
        result: dict[str, list[ViewNode]] = {}
        for node in self.nodes:
            if node.cluster is not None:
                result.setdefault(node.cluster, []).append(node)
        return dict(sorted(result.items()))

    def to_dict(self) -> dict:
        """A JSON-able document (the input of the HTML page)."""
        return {
            "title": self.title,
            "nodes": [_node_dict(n) for n in self.nodes],
            "edges": [
                {"source": e.source, "target": e.target, "vias": list(e.vias), "parameters": list(e.parameters),
                 "in_cycle": e.in_cycle}
                for e in self.edges
            ],
            "findings": [
                {"code": f.code, "name": f.name, "severity": f.severity, "message": f.message, "path": f.path,
                 "line": f.line, "node": f.node, "module": f.module, "cluster": f.cluster, "summary": f.summary,
                 "explanation": f.explanation}
                for f in self.findings
            ],
            "hidden": self.hidden,
        }


def _node_dict(node: ViewNode) -> dict:
    item = {"id": node.id, "kind": node.kind, "label": node.label, "detail": list(node.detail), "module": node.module,
            "cluster": node.cluster, "path": node.path, "line": node.line, "yields": node.yields,
            "findings": list(node.findings)}
    if node.provider_type is not None:
        item["provider_type"] = node.provider_type
    item["lifetime"] = node.lifetime
    item["is_async"] = node.is_async
    if node.calls is not None:
        item["calls"] = node.calls
    return item


_PLURALS = {"class": "classes", "factory": "factories", "unresolved": "unresolved"}


def counted(count: int, word: str, plural: str | None = None) -> str:
    """`1 endpoint`, `2 endpoints`, `3 classes`, `2 unresolved`: a count and its word, in English."""
    if count == 1:
        return f"{count:,} {word}"
    return f"{count:,} {plural or _PLURALS.get(word) or word + 's'}"


def kind_counts(nodes: Iterable[ViewNode]) -> list[str]:
    """`["2 endpoints", "1 class"]`: how many nodes of each kind, kinds sorted."""
    kinds: dict[str, int] = {}
    for node in nodes:
        kinds[node.kind] = kinds.get(node.kind, 0) + 1
    return [counted(count, kind) for kind, count in sorted(kinds.items())]


# --- selecting ------------------------------------------------------------------------------------------


def parse_route(spec: str) -> tuple[frozenset[str], str]:
    """`"GET /items/{id}"`, `"GET,POST /items"` or `"/items"` -> (methods, path); no methods means any."""
    parts = spec.split()
    if len(parts) == 2 and all(m.upper() in _HTTP_METHODS for m in parts[0].split(",")):
        return frozenset(m.upper() for m in parts[0].split(",")), parts[1]
    if len(parts) == 1 and parts[0].startswith("/"):
        return frozenset(), parts[0]
    raise ViewError(f"--route {spec!r}: expected 'METHOD /path' or '/path'")


def serves(route: RouteInfo, methods: frozenset[str], path: str) -> bool:
    """Whether a route matches a parsed route spec (no methods: any method)."""
    return route.path == path and (not methods or bool(methods & set(route.methods)))


def route_endpoints(graph: DependencyGraph, spec: str) -> list[str]:
    """The endpoints serving a route spec; a ViewError naming the known routes when none does."""
    methods, path = parse_route(spec)
    found = [endpoint.id for endpoint in graph.endpoints()
             if any(serves(route, methods, path) for route in graph.routes_of(endpoint.id))]
    if not found:
        known = sorted({f"{' '.join(r.methods)} {r.path}" for e in graph.endpoints() for r in graph.routes_of(e.id)})
        near = [route for route in known if path.rstrip("/").rsplit("/", 1)[-1] in route][:5] or known[:5]
        raise ViewError(f"--route {spec!r} matches no route (for example: {'; '.join(near) or 'no routes found'})")
    return found


def find_node(graph: DependencyGraph, name: str) -> str:
    """A node by exact id, or by the unique node whose qualified name ends with `.name`; else an instance
    by its class (`--focus RequestPermission` for `app.deps.RequestPermission()` or `app.auth.checker`)."""
    if name in graph:
        return name
    candidates = [node.id for node in graph.nodes() if node.id.endswith("." + name)]
    if not candidates:
        candidates = [node.id for node in graph.nodes() if node.id.endswith(f".{name}()") or (
            node.kind == "instance" and node.class_id is not None
            and (node.class_id == name or node.class_id.endswith("." + name)))]
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise ViewError(f"--focus {name!r} names no node of the graph (give a qualified name such as pkg.mod.func)")
    raise ViewError(f"--focus {name!r} is ambiguous: {', '.join(candidates[:6])}"
                    + (f" and {len(candidates) - 6} more" if len(candidates) > 6 else ""))


def neighbourhood(graph: DependencyGraph, seeds: Iterable[str], depth: int | None, reverse: bool) -> set[str]:
    """The seeds and what they depend on (or, reversed, what depends on them), up to `depth` steps."""
    step = graph.dependents_of if reverse else graph.dependencies_of
    seen = set(seeds)
    frontier = sorted(seen)
    level = 0
    while frontier and (depth is None or level < depth):
        level += 1
        following = []
        for node_id in frontier:
            for other in step(node_id):
                if other not in seen:
                    seen.add(other)
                    following.append(other)
        frontier = following
    return seen


# --- building -------------------------------------------------------------------------------------------


def module_of(node: Node, modules: Collection[str]) -> str:
    """The module a node is defined in: the longest analyzed module prefixing its id (else its id's parent)."""
    if node.kind == "unresolved":
        return node.id.split(":", 2)[1] if node.id.count(":") >= 2 else ""
    prefix = node.id
    while "." in prefix:
        prefix = prefix.rsplit(".", 1)[0]
        if prefix in modules:
            return prefix
    return node.id.rsplit(".", 1)[0]


def provider_type_line(node: Node) -> str:
    """`singleton provider`: a container-provider's type, as its detail line says it."""
    return f"{node.provider_type} provider" if node.provider_type else "container provider"


def node_detail(graph: DependencyGraph, node: Node) -> tuple[str, ...]:
    """Routes for an endpoint, a container-provider's type and what it calls, "(yields)", "(external)",
    the reason a node is unresolved."""
    if node.kind == "unresolved":
        return (node.reason or "",)
    lines = []
    if node.kind == "endpoint":
        lines += [f"{' '.join(r.methods)} {r.path}" for r in graph.routes_of(node.id)]
    elif node.kind == "container-provider":
        lines.append(provider_type_line(node))
        if node.class_id:  # named as in its module's code when it is in the container's module
            home = node.class_id.rsplit(".", 1)[0]
            lines.append(f"calls {node.class_id[len(home) + 1:] if node.id.startswith(home + '.') else node.class_id}")
    if node.yields and node.kind != "endpoint":
        lines.append("(yields)")
    if node.location is None:
        lines.append("(external)")
    return tuple(dict.fromkeys(lines))


def _label(node: Node, module: str) -> str:
    if node.kind == "unresolved":
        return "unresolved: " + node.id.split(":", 3)[-1]
    return node.id[len(module) + 1:] if module and node.id.startswith(module + ".") else node.id


def _cycle_edges(graph: DependencyGraph, keep: set[str]) -> set[tuple[str, str]]:
    """Edges inside a strongly connected component: every edge that lies on some cycle."""
    import networkx as nx

    nx_graph = graph.to_networkx(keep)
    component_of = {}
    for number, component in enumerate(nx.strongly_connected_components(nx_graph)):
        for node_id in component:
            component_of[node_id] = number
    return {(s, t) for s, t in nx_graph.edges if component_of[s] == component_of[t]}


def _locate(findings: Iterable[Finding], graph: DependencyGraph) -> dict[Finding, str]:
    """Each finding -> the innermost node whose definition spans its line (findings outside nodes: none)."""
    spans: dict[str, list[tuple[int, int, str]]] = {}
    for node in graph.nodes():
        if node.location is not None and node.kind != "unresolved":
            loc = node.location
            spans.setdefault(loc.path, []).append((loc.line, loc.end_line, node.id))
    located = {}
    for finding in findings:
        inside = [(end - start, node_id) for start, end, node_id in spans.get(finding.location.path, ())
                  if start <= finding.location.line <= end]
        if inside:
            located[finding] = min(inside)[1]
    return located


def _router_clusters(graph: DependencyGraph, keep: set[str]) -> dict[str, str]:
    """Endpoints -> the router they are declared on; other nodes -> the one router all their users are on."""
    clusters: dict[str, str] = {}
    for endpoint in graph.endpoints():
        routers = sorted({r.router for r in graph.routes_of(endpoint.id) if r.router})
        if endpoint.id in keep and routers:
            clusters[endpoint.id] = routers[0]
    for node_id in sorted(keep):
        if node_id in clusters:
            continue
        users = {u for u in neighbourhood(graph, [node_id], None, reverse=True) if u in clusters}
        routers = {clusters[u] for u in users}
        if len(routers) == 1:
            clusters[node_id] = routers.pop()
    return clusters


def build_view(graph: DependencyGraph, findings: Iterable[Finding] = (), *, modules: Sequence[str] = (),
               title: str = "wirelint", route: str | None = None, focus: str | None = None,
               depth: int | None = None, reverse: bool = False, hide_unresolved: bool = False,
               cluster: str = "none", collapse: bool = False, within: set[str] | None = None) -> GraphView:
    """The view of `graph` the options ask for, with the findings located in its nodes.

    `route`/`focus` pick seeds (a route's endpoints, or one node); the view holds the seeds and what they
    depend on (`reverse`: what depends on them) up to `depth` steps; without seeds, the nodes of `within`
    (default: every node). `collapse` draws one node per module."""
    from ..rules import rule_by_code

    if cluster not in CLUSTER_MODES:
        raise ViewError(f"--cluster {cluster!r}: expected one of {', '.join(CLUSTER_MODES)}")
    if depth is not None and route is None and focus is None:
        raise ViewError("--depth needs --focus or --route")
    if reverse and route is None and focus is None:
        raise ViewError("--reverse needs --focus or --route")
    seeds: list[str] = []
    if route is not None:
        seeds += route_endpoints(graph, route)
    if focus is not None:
        seeds.append(find_node(graph, focus))
    keep = neighbourhood(graph, seeds, depth, reverse) if seeds else (
        set(within) if within is not None else {node.id for node in graph.nodes()})
    if hide_unresolved:
        keep = {node_id for node_id in keep if graph.node(node_id).kind != "unresolved"}

    findings = sorted(findings, key=Finding.sort_key)
    located = _locate(findings, graph)
    codes_at: dict[str, set[str]] = {}
    for finding, node_id in located.items():
        codes_at.setdefault(node_id, set()).add(finding.code)
    module_names = set(modules)
    router_of = _router_clusters(graph, keep) if cluster == "router" else {}
    in_cycle = _cycle_edges(graph, keep)

    nodes = []
    for node in graph.nodes():
        if node.id not in keep:
            continue
        module = module_of(node, module_names)
        node_cluster = module if cluster == "module" else router_of.get(node.id)
        nodes.append(ViewNode(node.id, node.kind, _label(node, module), node_detail(graph, node), module,
                              node_cluster or None, node.location.path if node.location else None,
                              node.location.line if node.location else None, node.yields,
                              tuple(sorted(codes_at.get(node.id, ()))), node.provider_type,
                              node.class_id if node.kind == "container-provider" else None, node.lifetime,
                              node.is_async))
    edges = []
    for source in sorted(keep):
        for target in graph.dependencies_of(source):
            if target in keep:
                attachments = graph.edges_between(source, target)
                edges.append(ViewEdge(source, target, tuple(sorted({e.via for e in attachments})),
                                      tuple(sorted({e.parameter for e in attachments if e.parameter})),
                                      (source, target) in in_cycle))
    shown = {node.id for node in nodes}
    module_of_file = {node.path: node.module for node in nodes if node.path and node.module}
    clustered = {node.cluster for node in nodes} if cluster == "module" else set()
    view_findings = []
    for finding in findings:
        node_id = located.get(finding)
        # module-level code (in no node at all): the module of its file, when the view draws some of that module
        module = module_of_file.get(finding.location.path) if node_id is None else None
        if seeds and node_id not in shown and module is None:
            continue  # a focused view lists the findings of what it shows
        rule = rule_by_code(finding.code)
        view_findings.append(ViewFinding(
            finding.code, finding.name, finding.severity, finding.message, finding.location.path,
            finding.location.line, node_id if node_id in shown else None, module,
            module if module in clustered else None, rule.summary if rule else "", rule.explanation if rule else ""))
    view = GraphView(title, tuple(nodes), tuple(edges), tuple(view_findings), len(graph) - len(nodes))
    return collapse_modules(view) if collapse else view


def collapse_modules(view: GraphView) -> GraphView:
    """One node per module (its nodes counted by kind in the detail), edges merged between modules.

    A cycle among one module's own nodes becomes a red self-loop on the module (and a "cycle inside" line);
    other edges inside a module are left out. Module-level findings go on their module's node."""
    members: dict[str, list[ViewNode]] = {}
    for node in view.nodes:
        members.setdefault(node.module or node.id, []).append(node)
    module_of_node = {node.id: node.module or node.id for node in view.nodes}
    merged: dict[tuple[str, str], list[ViewEdge]] = {}
    cyclic_inside: dict[str, set[str]] = {}
    for edge in view.edges:
        key = (module_of_node[edge.source], module_of_node[edge.target])
        if key[0] != key[1] or edge.in_cycle:
            merged.setdefault(key, []).append(edge)
        if key[0] == key[1] and edge.in_cycle:
            cyclic_inside.setdefault(key[0], set()).update((edge.source, edge.target))
    findings = tuple(
        replace(f, node=module_of_node.get(f.node) if f.node else (f.module if f.module in members else None),
                cluster=None if f.node or f.module in members else f.cluster)
        for f in view.findings
    )
    codes_at: dict[str, set[str]] = {}
    for finding in findings:
        if finding.node is not None:
            codes_at.setdefault(finding.node, set()).add(finding.code)
    nodes = []
    for module, inside in sorted(members.items()):
        detail = kind_counts(inside)
        if module in cyclic_inside:
            detail.append(f"cycle inside ({counted(len(cyclic_inside[module]), 'node')})")
        first = min(inside, key=lambda n: (n.path is None, n.line or 0))
        clusters = {node.cluster for node in inside}
        if all(node.kind == "module" for node in inside):  # collapsing a collapsed view changes nothing
            detail = [line for node in inside for line in node.detail]
        nodes.append(ViewNode(module, "module", module, tuple(detail), module,
                              clusters.pop() if len(clusters) == 1 else None, first.path, None,
                              any(node.yields for node in inside),
                              tuple(sorted({code for node in inside for code in node.findings}
                                           | codes_at.get(module, set())))))
    edges = tuple(
        ViewEdge(source, target, tuple(sorted({v for e in group for v in e.vias})),
                 tuple(sorted({p for e in group for p in e.parameters})), any(e.in_cycle for e in group))
        for (source, target), group in sorted(merged.items())
    )
    return GraphView(view.title, tuple(nodes), edges, findings, view.hidden)


def safe_identifier(text: str) -> str:
    """An identifier made of [A-Za-z0-9_] only (for Mermaid subgraph ids and DOT cluster names)."""
    return re.sub(r"\W", "_", text, flags=re.ASCII)
