"""Lifetimes: how long what each node of the graph returns lives (docs/graph-model.md, "Lifetimes").

- `request`: FastAPI calls it once per request and shares the value among every parameter that asks for it
  (the default);
- `call`: a `Depends(f, use_cache=False)` reaches it, so FastAPI calls it again for that parameter;
- `process`: one object for the whole process: an `lru_cache`/`cache` provider, an instance created at import
  (`Depends(checker)`, `Depends(Paginator(100))`), a container, a dependency-injector singleton, resource or
  object, a class a composition root builds once;
- `resolution`: a new object each time a container resolves it (a dependency-injector factory, a class only a
  container builds).

A node's own lifetime comes from its kind and decorators when it is added (`intrinsic_lifetime`);
`settle_lifetimes` then reads the edges that reach it.
"""

from __future__ import annotations

from dataclasses import replace

from .graph import CONTAINER_VIAS, FASTAPI_VIAS, DependencyGraph
from .models import Lifetime

CACHES = frozenset({"functools.lru_cache", "functools.cache"})

# dependency-injector provider types (snake case, as graph-model.md names them) by what they give back.
_PROCESS_PROVIDERS = frozenset({
    "singleton", "thread_safe_singleton", "thread_local_singleton", "delegated_singleton",
    "delegated_thread_safe_singleton", "delegated_thread_local_singleton", "abstract_singleton",
    "resource", "object", "configuration", "container", "dependencies_container", "self",
})
_REQUEST_PROVIDERS = frozenset({"context_local_singleton"})  # one per contextvars context: per request task
_UNKNOWN_PROVIDERS = frozenset({"dependency"})  # whatever the parent container passes


def provider_type_lifetime(provider_type: str) -> Lifetime | None:
    """The lifetime of what a dependency-injector provider of this type gives back."""
    if provider_type in _PROCESS_PROVIDERS:
        return "process"
    if provider_type in _REQUEST_PROVIDERS:
        return "request"
    if provider_type in _UNKNOWN_PROVIDERS:
        return None
    return "resolution"  # Factory, Callable, Coroutine, List, Dict, Selector, Aggregate, ...


def intrinsic_lifetime(kind: str, cached: bool = False) -> Lifetime | None:
    """A node's lifetime from what it is: instances and containers live as long as the process, a cached
    function's value too; an unresolved node's is unknown; everything else FastAPI calls per request."""
    if kind == "unresolved":
        return None
    if cached or kind in ("instance", "container"):
        return "process"
    return "request"


def settle_lifetimes(graph: DependencyGraph) -> None:
    """Lifetimes that depend on the edges reaching a node: `call` for a per-request node a `use_cache=False`
    edge reaches; for a class no FastAPI edge reaches, `process` when a composition root builds it, else what
    the container providers binding it give (`resolution` unless all of them keep one object)."""
    fastapi_sources: dict[str, list[bool]] = {}
    container_sources: dict[str, set[str]] = {}
    for edge in graph.edges():
        if edge.via in FASTAPI_VIAS:
            fastapi_sources.setdefault(edge.target, []).append(edge.use_cache)
        elif edge.via in CONTAINER_VIAS:
            container_sources.setdefault(edge.target, set()).add(edge.source)
    for node in graph.nodes():
        lifetime = node.lifetime
        if lifetime == "request" and not all(fastapi_sources.get(node.id, ())):
            lifetime = "call"
        elif lifetime == "request" and node.kind == "class" and node.id not in fastapi_sources:
            if graph.composed(node.id):
                lifetime = "process"
            elif node.id in container_sources:
                lifetime = _bound_lifetime(graph, container_sources[node.id])
        if lifetime != node.lifetime:
            graph.replace_node(replace(node, lifetime=lifetime))


def _bound_lifetime(graph: DependencyGraph, sources: set[str]) -> Lifetime:
    lifetimes = {graph.node(source).lifetime for source in sources
                 if graph.node(source).kind == "container-provider"}
    if lifetimes == {"process"}:
        return "process"
    return "resolution"

