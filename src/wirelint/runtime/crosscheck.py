"""Cross-check: the static graph against the one FastAPI built for the running app, with a reason for each
difference, so users know what static analysis missed and why (and can report what it got wrong)."""

from __future__ import annotations

from dataclasses import dataclass

from ..analyzer.graph import DependencyGraph


@dataclass(frozen=True, slots=True)
class Difference:
    what: str  # "route" | "edge"
    item: str  # "GET /items -> pkg.api.items" or "pkg.a.f -> pkg.b.g"
    side: str  # "runtime" (only FastAPI has it) | "static" (only wirelint has it)
    reason: str


@dataclass(frozen=True, slots=True)
class CrossCheck:
    app: str
    static_app: str | None  # the app of the static graph matched with the running one
    routes: int  # routes both agree on
    edges: int  # edges both agree on
    differences: tuple[Difference, ...]
    not_compared: int = 0  # static routes served by no app, or by another app than the one compared


def _routes(graph: DependencyGraph, app: str | None) -> dict[tuple[str, tuple[str, ...], str], str]:
    return {(endpoint.id, tuple(route.methods), route.path): endpoint.id
            for endpoint in graph.endpoints() for route in graph.routes_of(endpoint.id)
            if app is None or route.app == app}


# What FastAPI calls for a dependency a container provides is the container library's own callable
# (lagom's `_resolver` closure, dependency-injector's `Provide` marker); the static graph names what the
# container resolves instead. Both compare as one edge to the container.
CONTAINER_LIBRARIES = ("lagom.", "dependency_injector.")
CONTAINER = "<the container>"


def fastapi_edges(graph: DependencyGraph, endpoints: set[str]) -> set[tuple[str, str, str]]:
    """(source, target, param | list) for the edges FastAPI builds below these endpoints; a container's
    own edges (bindings, constructors) are not FastAPI's, and a dependency a container provides is an edge
    to CONTAINER."""
    edges = [edge for edge in graph.edges() if edge.via not in ("constructor", "container-binding")]
    below: dict[str, list[str]] = {}
    for edge in edges:
        if edge.via != "container-resolve":  # FastAPI does not call what the container resolves
            below.setdefault(edge.source, []).append(edge.target)
    reachable, stack = set(), [e for e in endpoints if e in graph]
    while stack:
        node = stack.pop()
        if node not in reachable:
            reachable.add(node)
            stack.extend(below.get(node, ()))
    found = set()
    for edge in edges:
        if edge.source not in reachable or edge.via in ("constructor", "container-binding"):
            continue
        if edge.source.startswith(CONTAINER_LIBRARIES):
            continue  # inside the container library (lagom's request-to-container provider)
        target = edge.target
        if edge.via == "container-resolve" or target.startswith(CONTAINER_LIBRARIES):
            target = CONTAINER
        param = edge.via == "param" or (edge.via == "container-resolve" and edge.parameter is not None)
        found.add((edge.source, target, "param" if param else "list"))
    return found


def cross_check(static: DependencyGraph, runtime: DependencyGraph, app: str) -> CrossCheck:
    """Routes and edges (parameter vs `dependencies=[...]`) in one graph and not the other, explained."""
    runtime_routes = _routes(runtime, None)
    candidates = static.apps() or [None]
    static_app = max(candidates, key=lambda a: (len(set(_routes(static, a)) & set(runtime_routes)), a or ""))
    static_routes = _routes(static, static_app)
    runtime_edges = fastapi_edges(runtime, set(runtime_routes.values()))
    static_edges = fastapi_edges(static, set(static_routes.values()))
    differences = []
    static_paths = {(endpoint, path) for endpoint, _m, path in static_routes}
    for endpoint, methods, path in sorted(set(runtime_routes) - set(static_routes)):
        if endpoint not in static:
            reason = ("the endpoint is not in the static graph: registered in a way static analysis does not "
                      "follow (a loop, a computed router, add_api_route with a computed callable?)")
        elif (endpoint, path) in static_paths:
            reason = "static analysis found this path with other methods"
        else:
            found = sorted(r.path for r in static.routes_of(endpoint))
            if any("{?" in p for p in found):
                reason = (f"the path is computed at run time; static analysis knows it as {', '.join(found)} "
                          "(placeholders in {?...})")
            else:
                reason = f"static analysis found this endpoint at {', '.join(found) or 'no route'} (a prefix computed at run time?)"
        differences.append(Difference("route", f"{' '.join(methods)} {path} -> {endpoint}", "runtime", reason))
    for endpoint, methods, path in sorted(set(static_routes) - set(runtime_routes)):
        reason = ("a path static analysis could not compute (placeholders in {?...}); the run-time routes above "
                  "are the real ones" if "{?" in path else
                  "FastAPI did not register this route (conditional code, or a wirelint bug: please report it)")
        differences.append(Difference("route", f"{' '.join(methods)} {path} -> {endpoint}", "static", reason))
    only_static = sorted(static_edges - runtime_edges)
    for source, target, kind in sorted(runtime_edges - static_edges):
        unresolved = [n for n in static.dependencies_of(source) if static.node(n).kind == "unresolved"]
        counterparts = [t for s_, t, k in only_static if s_ == source and k == kind]
        if source not in static:
            reason = "static analysis did not reach its source"
        elif counterparts and not unresolved:
            reason = (f"a callable computed at run time: static analysis sees {', '.join(counterparts)} there, "
                      "FastAPI got this one")
        elif unresolved:
            reason = "static analysis left it unresolved: " + "; ".join(
                static.node(n).reason or n for n in unresolved)
        else:
            reason = "not seen statically (a dependency computed at run time?)"
        differences.append(Difference("edge", f"{source} -> {target} ({kind})", "runtime", reason))
    for source, target, kind in only_static:
        resolved = [t for s_, t, k in sorted(runtime_edges - static_edges) if s_ == source and k == kind]
        reason = (f"what static analysis could name of a callable computed at run time; FastAPI got "
                  f"{', '.join(resolved)}" if resolved else
                  "FastAPI did not register this dependency (conditional code, or a wirelint bug: please report it)")
        differences.append(Difference("edge", f"{source} -> {target} ({kind})", "static", reason))
    not_compared = len(set(_routes(static, None)) - set(static_routes))
    return CrossCheck(app, static_app, len(set(runtime_routes) & set(static_routes)),
                      len(runtime_edges & static_edges), tuple(differences), not_compared)


def render_cross_check(result: CrossCheck) -> str:
    """A readable section: what agrees, then each difference with its reason."""
    lines = [f"Cross-check with the running app {result.app} (static app: {result.static_app or 'none'}): "
             f"{result.routes} routes and {result.edges} dependency edges agree, "
             f"{len(result.differences)} difference{'s' if len(result.differences) != 1 else ''}."]
    if result.not_compared:
        lines.append(f"  not compared: {result.not_compared} static route{'s' if result.not_compared != 1 else ''} "
                     "that this app does not serve (routers no app includes, or another app's)")
    for difference in result.differences:
        where = "only at run time" if difference.side == "runtime" else "only in the static graph"
        lines.append(f"  {difference.what} {where}: {difference.item}")
        lines.append(f"    why: {difference.reason}")
    return "\n".join(lines) + "\n"
