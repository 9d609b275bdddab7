"""DI009 captive-dependency."""

from __future__ import annotations

from collections.abc import Iterator

from ..analyzer.graph import DependencyGraph
from ..analyzer.models import AttributeExpr, Edge, Expr, GlobalWrite, Location, NameExpr
from ..analyzer.project import ProjectIndex
from ..analyzer.resolve import Ctx
from ..analyzer.values import SESSION_CLASSES, creates_session
from .base import Finding, Invalid, Rule, Valid, register
from .request_path import (
    module_prefixes,
    node_of_function,
    parameter_edges,
    per_request_object,
)


@register
class CaptiveDependency(Rule):
    code = "DI009"
    name = "captive-dependency"
    severity = "error"
    summary = "A longer-lived object keeps a per-request one: later requests get the first request's session."
    explanation = """\
## What it does
Finds an object that lives longer than something it keeps (a *captive dependency*):
- an `lru_cache`/`cache` provider that takes a per-request dependency FastAPI builds for it: a yield
  dependency (a session, a connection) or an injected class;
- a dependency-injector singleton built with a provider that makes a new database session each time
  (`providers.Factory(SessionLocal)`);
- a module-level name or a class attribute set, in code FastAPI runs per request, to a per-request
  dependency's value or to an object built with it (`_service = OrderService(db)`, `Repo.session = db`).

Per-request values that are plain data (a tenant id, a header) are not captive: caching on them is a memo.

## Why is this bad?
The long-lived object outlives the request whose session it holds. An `lru_cache` provider keys its cache on
each request's new session, so it never hits and keeps up to 128 sessions (every one, with `cache`) alive after
FastAPI closed them; a singleton or a lazily-set global keeps the first request's session for the life of
the process and hands it to every later request, across threads, after it was closed. The failures are
`DetachedInstanceError`, "session is closed", transactions mixed between users, and leaked connections.

## Example
```python
@lru_cache
def get_orders(db: Session = Depends(get_db)) -> OrderService:
    return OrderService(db)
```

## Use instead
Let FastAPI build it per request, and cache only what lives as long as the process:
```python
def get_orders(db: Session = Depends(get_db)) -> OrderService:
    return OrderService(db)

@lru_cache
def get_settings() -> Settings:
    return Settings()
```

## References
- https://fastapi.tiangolo.com/tutorial/dependencies/sub-dependencies/#using-the-same-dependency-multiple-times
- https://python-dependency-injector.ets-labs.org/providers/singleton.html
"""
    valid = (
        # Cached providers of process-wide things, and a memo keyed on plain request data.
        Valid("""\
from functools import lru_cache
from fastapi import Depends, FastAPI, Header
app = FastAPI()
@lru_cache
def get_settings():
    return {"dsn": "sqlite://"}
def tenant_id(x_tenant: str = Header()):
    return x_tenant
@lru_cache
def tenant_config(tenant: str = Depends(tenant_id), settings=Depends(get_settings)):
    return {"tenant": tenant}
def get_db():
    db = object()
    try:
        yield db
    finally:
        pass
class OrderService:
    def __init__(self, db=Depends(get_db)):
        self.db = db
@app.get("/")
def read(config=Depends(tenant_config), orders: OrderService = Depends()):
    return config
"""),
        # A lazily-created client from process-wide settings; a singleton built from other singletons.
        Valid("""\
import httpx
from fastapi import Depends, FastAPI
from dependency_injector import containers, providers
from sqlalchemy.orm import sessionmaker
app = FastAPI()
_client = None
def get_settings():
    return {"url": "http://x"}
def get_client(settings=Depends(get_settings)):
    global _client
    if _client is None:
        _client = httpx.AsyncClient(base_url=settings["url"])
    return _client
SessionLocal = sessionmaker()
class Repo:
    def __init__(self, session_factory):
        self.session_factory = session_factory
class Container(containers.DeclarativeContainer):
    factory = providers.Singleton(sessionmaker)
    repo = providers.Singleton(Repo, session_factory=factory)
@app.get("/")
def read(client=Depends(get_client)):
    return client
"""),
    )
    invalid = (
        Invalid("""\
from functools import lru_cache
from fastapi import Depends, FastAPI
app = FastAPI()
def get_db():
    db = object()
    try:
        yield db
    finally:
        pass
class OrderService:
    def __init__(self, db):
        self.db = db
@lru_cache
def get_orders(db=Depends(get_db)):
    return OrderService(db)
@app.get("/")
def read(orders=Depends(get_orders)):
    return orders
""", 14),
        # A global set once, on the first request, from that request's session.
        Invalid("""\
from fastapi import Depends, FastAPI
app = FastAPI()
_orders = None
def get_db():
    db = object()
    try:
        yield db
    finally:
        pass
class OrderService:
    def __init__(self, db):
        self.db = db
def get_orders(db=Depends(get_db)):
    global _orders
    if _orders is None:
        _orders = OrderService(db)
    return _orders
@app.get("/")
def read(orders=Depends(get_orders)):
    return orders
""", 16),
        # A singleton built with a factory of sessions keeps the first one.
        Invalid("""\
from fastapi import Depends, FastAPI
from dependency_injector import containers, providers
from dependency_injector.wiring import Provide, inject
from sqlalchemy.orm import sessionmaker
SessionLocal = sessionmaker()
class Repo:
    def __init__(self, session):
        self.session = session
class Container(containers.DeclarativeContainer):
    session = providers.Factory(SessionLocal)
    repo = providers.Singleton(Repo, session=session)
app = FastAPI()
@app.get("/")
@inject
def read(repo: Repo = Depends(Provide[Container.repo])):
    return repo
""", 11),
    )

    def check(self, index: ProjectIndex) -> Iterator[Finding]:
        graph = index.graph
        assert graph is not None, "analyze() builds the graph before rules run"
        yield from self.cached_providers(graph)
        yield from self.container_singletons(index, graph)
        yield from self.captured_by_state(index, graph)

    def cached_providers(self, graph: DependencyGraph) -> Iterator[Finding]:
        for node in graph.nodes():
            if node.kind not in ("provider", "factory") or node.lifetime != "process" or node.location is None:
                continue
            for edge in parameter_edges(graph, node.id):
                target = graph.node(edge.target)
                if per_request_object(target) and edge.location is not None:
                    yield self.finding(
                        f"`{_short(node.id)}` is cached for the whole process (lru_cache) but takes `{edge.parameter}` "
                        f"from `{_short(target.id)}`, which FastAPI builds per request: the cache keeps each "
                        "request's object alive after its teardown, and never hits",
                        edge.location,
                        fix="drop the cache (FastAPI already builds it once per request), or cache only what "
                            "lives as long as the process",
                    )

    def container_singletons(self, index: ProjectIndex, graph: DependencyGraph) -> Iterator[Finding]:
        for node in graph.nodes():
            if node.kind != "container-provider" or node.lifetime != "process" or "singleton" not in (
                    node.provider_type or ""):
                continue
            for target_id in graph.dependencies_of(node.id):
                target = graph.node(target_id)
                if target.kind != "container-provider" or target.lifetime not in ("resolution", "request"):
                    continue
                if not _makes_session(index, target.class_id):
                    continue
                for edge in graph.edges_between(node.id, target_id):
                    if edge.via == "constructor" and edge.location is not None:
                        yield self.finding(
                            f"singleton `{_short(node.id)}` is built once with `{edge.parameter}` from "
                            f"`{_short(target.id)}`, a {target.provider_type} that makes a new database session "
                            "each time: the singleton keeps the first session for every later request",
                            edge.location,
                            fix="make it a Factory too, or give the singleton the session factory (sessionmaker) "
                                "and open a session per unit of work",
                        )

    def captured_by_state(self, index: ProjectIndex, graph: DependencyGraph) -> Iterator[Finding]:
        for name in sorted(index.sources):
            facts = index.modules[name]
            containers = {variable for variable, _line in facts.mutable_globals}
            for write in facts.global_writes:
                if not write.held or not write.stores:
                    continue
                if write.how.startswith(".") and write.name not in containers:
                    continue  # `Automations.insert(..., db=db)`: a method of an object, not a container filled
                node_id = node_of_function(graph, facts.module, write.function)
                if node_id is None:
                    continue
                captured = [edge for edge in parameter_edges(graph, node_id)
                            if edge.parameter in write.held and per_request_object(graph.node(edge.target))]
                if captured:
                    yield self.state_finding(write, captured[0], Location(facts.path, write.line, write.column,
                                                                           write.line, write.column))

    def state_finding(self, write: GlobalWrite, edge: Edge, location: Location) -> Finding:
        when = "once, on the first request," if write.lazy else "on every request"
        return self.finding(
            f"`{write.name}` lives as long as the process but is set {when} to what `{write.function}` got as "
            f"`{edge.parameter}` from `{_short(edge.target)}`, built per request: later requests use that "
            "request's object after its teardown",
            location,
            fix=f"return it instead of keeping it, or depend on `{_short(edge.target)}` where it is used",
        )


def _makes_session(index: ProjectIndex, called: str | None) -> bool:
    """Whether calling `called` (what a container provider calls, by its qualified name) makes a database
    session: values.creates_session on the name, in the module that defines it."""
    if called is None:
        return False
    if called in SESSION_CLASSES:
        return True
    module = next((m for m in module_prefixes(called) if index.has_module(m)), None)
    if module is None:
        return False
    expr: Expr = NameExpr(called[len(module) + 1:].split(".")[0])
    for attr in called[len(module) + 1:].split(".")[1:]:
        expr = AttributeExpr(expr, attr)
    return creates_session(index.resolver, expr, None, Ctx(module, "")) is not None


def _short(node_id: str) -> str:
    """`Container.repo`, `get_orders`: the last parts a reader recognises."""
    parts = node_id.split(".")
    if len(parts) > 2 and parts[-2][:1].isupper():
        return ".".join(parts[-2:])
    return parts[-1]
