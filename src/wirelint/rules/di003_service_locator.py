"""DI003 service-locator."""

from __future__ import annotations

from ..analyzer.models import (
    AttributeExpr,
    CallExpr,
    FunctionFacts,
    Location,
    SequenceExpr,
    SubscriptExpr,
    render,
)
from ..analyzer.containers import is_composition_root, is_container_class, provider_decl, provider_of
from ..analyzer.overrides import is_test_module
from ..analyzer.resolve import FASTAPI_APP, FASTAPI_ROUTER, Ctx, DefSym, ExternalSym, ParamSym, VarSym
from .base import Invalid, Rule, Valid, register
from .request_path import follow_calls, request_path_functions

# Lookup methods of well-known DI containers, by the container's qualified class name.
KNOWN_CONTAINERS = frozenset({
    "punq.Container", "lagom.Container", "injector.Injector", "kink.Container", "rodi.Container", "rodi.Services",
    "svcs.Registry", "svcs.Container", "wireup.SyncContainer", "wireup.AsyncContainer",
    "dependency_injector.containers.DeclarativeContainer", "dependency_injector.containers.DynamicContainer",
})
TYPE_LOOKUP_METHODS = frozenset({"get", "resolve", "get_instance", "get_service", "provide", "lookup", "locate",
                                 "require", "get_required_service"})
CONNECTION_TYPES = frozenset({
    "fastapi.Request", "fastapi.WebSocket", "fastapi.requests.Request", "fastapi.websockets.WebSocket",
    "starlette.requests.Request", "starlette.requests.HTTPConnection", "starlette.websockets.WebSocket",
    "fastapi.requests.HTTPConnection",
})


@register
class ServiceLocator(Rule):
    code = "DI003"
    name = "service-locator"
    severity = "warning"
    summary = "A dependency is fetched at call time from a container, registry or app.state instead of declared."
    explanation = """\
## What it does
Finds dependencies looked up while a request is served instead of declared: `registry.resolve(Notifier)`,
`container.get(UserRepo)`, `container[UserRepo]` (a project class used as the key), the lookup methods of
well-known DI containers (punq, lagom, injector, kink, rodi, svcs, wireup, dependency-injector) by type or by
key, a dependency-injector provider called directly on the request path (`Container.mailer()` in an
endpoint, a provider or what they call), a class a container resolves that receives the container itself
(`def __init__(self, container: Container)` with lagom), and reads of `request.app.state.X` or `app.state.X`
inside endpoints, providers and the code they call.
Wiring at the composition root (module level, app factories, lifespan and startup/shutdown handlers, `main`,
`create_app`, functions that build a container, a container's factories) is not a lookup, and neither is the
entry point of another framework (a Celery or Temporal task, a queue consumer, a CLI command) or test code
(fixtures that swap `app.state` for a test).
`dict.get`, `request.headers.get`, `os.environ.get` and `settings.get("key")` are never reported.

## Why is this bad?
The signature no longer says what the code needs. `app.dependency_overrides` cannot replace a looked-up
object, so tests patch globals instead; the lookup fails at request time, not at start-up, when something is
not registered; and the graph of the application (what wirelint draws) is missing those edges.

## Example
```python
@router.post("/books/{book_id}/announce")
def announce(book_id: int, request: Request):
    repo = container.get(BookRepository)
    mailer = request.app.state.mailer
```

## Use instead
```python
@router.post("/books/{book_id}/announce")
def announce(book_id: int, repo: Annotated[BookRepository, Depends()], mailer: Annotated[Mailer, Depends(get_mailer)]):
    ...
```
Keep `app.state` for what the lifespan creates, and expose it through one provider
(`def get_mailer(request: Request): return request.app.state.mailer`) that endpoints depend on; a provider
that builds its value from several `request.app.state` entries is that shape too.

## References
- https://fastapi.tiangolo.com/tutorial/dependencies/
- https://blog.ploeh.dk/2010/02/03/ServiceLocatorisanAnti-Pattern/
"""
    valid = (
        Valid("""\
import os
from contextlib import asynccontextmanager
from fastapi import APIRouter, Depends, FastAPI, Request
router = APIRouter()
class Repo:
    pass
CACHE: dict[str, int] = {}
Pair = tuple
def get_repo(request: Request) -> Repo:
    return request.app.state.repo  # the one provider that exposes app state
def get_bus(request: Request) -> Repo:
    bus = request.app.state.bus_factory()  # a provider building its value from app state
    bus.spawn = request.app.state.spawn
    return bus
@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.repo = Repo()
    yield
    print(app.state.repo)
@router.get("/")
def ok(request: Request, repo: Repo = Depends(get_repo), bus: Repo = Depends(get_bus), key: str = "x"):
    mode = os.environ.get("MODE")
    agent = request.headers.get("user-agent")
    hits = CACHE.get(key)
    values: list[Repo] = []
    pairs: Pair[Repo] = (Repo(), Repo())
    return {"mode": mode, "agent": agent, "hits": hits, "n": len(values), "q": request.query_params.get("q")}
"""),
        # The container's own methods, a container built and used in the composition root, and a list
        # that happens to be called `container`.
        Valid("""\
from contextlib import asynccontextmanager
from dependency_injector import containers, providers
from dependency_injector.wiring import Provide, inject
from fastapi import APIRouter, Depends, FastAPI
router = APIRouter()
class Mailer:
    def send(self) -> None: ...
class Container(containers.DeclarativeContainer):
    mailer = providers.Singleton(Mailer)
@router.post("/")
@inject
def announce(mailer: Mailer = Depends(Provide[Container.mailer])):
    mailer.send()
@asynccontextmanager
async def lifespan(app: FastAPI):
    container = Container()
    container.init_resources()
    container.mailer().send()
    yield
    container.shutdown_resources()
def main():
    Container.mailer().send()
import lagom
lagom_container = lagom.Container()
@lagom.dependency_definition(lagom_container)
def make_mailer(c: lagom.Container) -> Mailer:  # a factory the container calls: wiring, not a lookup
    return c[Mailer]
app_container = Container()
def handler(event, context):  # a serverless handler: no request of this app runs it
    return app_container.mailer().send()
from celery import Celery, shared_task
from temporalio import activity
worker = Celery("tasks")
@worker.task
def send_digest():  # a task queue's task: its own entry point
    return lagom_container.resolve(Mailer).send()
@shared_task
def send_reminder():
    return lagom_container[Mailer].send()
@activity.defn
async def renew():
    lagom_container.resolve(Mailer).send()
class Box:
    def __init__(self):
        self.container = []
    def empty(self):
        return self.container.clear()
"""),
        # Startup and shutdown handlers wire the app, however they are registered; tests swap app.state.
        Valid({
            "app/__init__.py": "",
            "app/events.py": """\
from app.main import app
async def open_pool():
    app.state.pool = object()
async def close_pool():
    await app.state.pool.close()
""",
            "app/main.py": """\
from fastapi import APIRouter, FastAPI
def warm_cache():
    return app.state.cache
app = FastAPI(on_startup=[warm_cache])
router = APIRouter()
@app.on_event("shutdown")
async def shutdown():
    await app.state.pool.close()
@router.on_event("startup")
async def router_startup():
    return app.state.cache
from app.events import close_pool, open_pool
app.add_event_handler("startup", open_pool)
app.add_event_handler("shutdown", close_pool)
""",
            "tests/conftest.py": """\
import pytest
from app.main import app
@pytest.fixture
def swap_pool():
    old = app.state.pool
    app.state.pool = object()
    yield
    app.state.pool = old
""",
        }),
    )
    invalid = (
        # A dependency-injector provider called from request code, on the class or on an instance.
        Invalid("""\
from dependency_injector import containers, providers
from fastapi import APIRouter
router = APIRouter()
class Mailer:
    def send(self) -> None: ...
class Container(containers.DeclarativeContainer):
    mailer = providers.Singleton(Mailer)
container = Container()
class Root(containers.DeclarativeContainer):
    mail = providers.Container(Container)
@router.post("/")
def announce():
    Container.mailer().send()
    container.mailer().send()
    Root.mail.mailer().send()
""", (("app.py", 13), ("app.py", 14), ("app.py", 15))),
        # lagom hands a class the container itself, which it then asks for what it needs.
        Invalid("""\
from lagom import Container
from lagom.integrations.fast_api import FastApiIntegration
from fastapi import APIRouter
router = APIRouter()
class Mailer:
    def send(self) -> None: ...
class Announcer:
    def __init__(self, container: Container):
        self.container = container
    def announce(self) -> None:
        self.container[Mailer].send()
container = Container()
deps = FastApiIntegration(container)
@router.post("/")
def announce(announcer: Announcer = deps.depends(Announcer)):
    announcer.announce()
""", (("app.py", 8), ("app.py", 11))),
        # An endpoint is request code whatever its name, even one a composition root could have.
        Invalid("""\
from fastapi import FastAPI, Request
app = FastAPI()
@app.get("/")
def main(request: Request):
    return request.app.state.db
""", 5),
        # Not a provider: a helper the endpoint calls itself hides the dependency as much as the endpoint would.
        Invalid("""\
from fastapi import APIRouter, Depends, Request
router = APIRouter()
def mailer_of(request: Request):
    return request.app.state.mailer
@router.post("/")
def announce(request: Request):
    return mailer_of(request)
""", 4),
        # An `on_event` of something that is not the app or a router registers no startup handler.
        Invalid({
            "app/__init__.py": "",
            "app/main.py": """\
from fastapi import FastAPI
app = FastAPI()
class Bus:
    def on_event(self, name):
        return lambda f: f
bus = Bus()
@bus.on_event("message")
def on_message():
    return app.state.handler
""",
        }, (("app/main.py", 9),)),
        Invalid("""\
from fastapi import APIRouter, Request
router = APIRouter()
class Mailer:
    pass
class Registry:
    def __init__(self):
        self.items = {}
    def resolve(self, key):
        return self.items[key]
registry = Registry()
class Announcer:
    def announce(self):
        return registry.resolve(Mailer)
@router.post("/")
def announce(request: Request):
    mailer = registry.resolve(Mailer)
    other = registry.items[Mailer]
    return request.app.state.mailer, mailer, other
""", (("app.py", 13), ("app.py", 16), ("app.py", 17), ("app.py", 18))),
        Invalid("""\
import punq
from fastapi import APIRouter, Depends
router = APIRouter()
container = punq.Container()
def get_container():
    return container
class Service:
    def __init__(self, c: punq.Container = Depends(get_container)):
        self.settings = c.resolve("settings")
@router.get("/")
def read(service: Service = Depends()):
    return service.settings
""", 9),
        Invalid({
            "app/__init__.py": "",
            "app/main.py": "from fastapi import FastAPI\napp = FastAPI()\n",
            "app/reports.py": "from app.main import app\ndef build_report():\n    return app.state.db.query()\n",
        }, (("app/reports.py", 3),)),
    )

    def check(self, index):
        yield from self.container_injections(index)
        resolver = index.resolver
        graph = index.graph
        handlers = None
        request_path = None
        for name in sorted(index.sources):
            facts = index.modules[name]
            if not facts.lookups or is_test_module(facts.path):
                continue
            if not facts.complete:
                facts = index.facts(name, complete=True)  # a module that never mentions FastAPI
            for lookup in facts.lookups:
                if not lookup.function:
                    continue  # module level: the composition root
                function = facts.functions.get(lookup.function)
                if function is None or is_composition_root(resolver, facts, function.qualname, graph):
                    continue
                if handlers is None:
                    handlers = self.event_handlers(index)
                if f"{facts.module}.{function.qualname}" in handlers:
                    continue
                ctx = Ctx(facts.module, lookup.function)
                message = None
                if lookup.kind == "provider":
                    # Only on the request path: a CLI command or a serverless handler calling the container
                    # is that program's composition root.
                    if request_path is None:
                        request_path = follow_calls(index, request_path_functions(graph))
                    if f"{facts.module}.{function.qualname}" in request_path:
                        message = self.provider_call_message(resolver, function, lookup, ctx)
                elif lookup.kind == "state":
                    if self.reads_app_state(resolver, graph, facts, function, lookup, ctx):
                        message = (f"reads {render(lookup.receiver)}.{lookup.name} at request time; declare it as a "
                                   "dependency (one provider that returns it) and inject it with Depends")
                else:
                    message = self.lookup_message(resolver, function, lookup, ctx)
                if message:
                    location = Location(facts.path, lookup.line, lookup.column, lookup.line, lookup.column)
                    yield self.finding(message, location)

    def container_injections(self, index):
        """Constructors a container resolves that receive the container itself (lagom: `container: Container`)."""
        graph = index.graph
        for node in graph.nodes():
            if node.kind != "container":
                continue
            for source in graph.dependents_of(node.id):
                if graph.node(source).kind != "class":
                    continue  # a factory the container calls (`def f(c: Container) -> X`) is wiring
                for edge in graph.edges_between(source, node.id):
                    if edge.via == "constructor" and edge.location is not None:
                        yield self.finding(
                            f"the constructor of {source} receives the container {node.id} itself (service "
                            f"locator): declare the collaborators it looks up as parameters, and let the container "
                            "resolve them", edge.location)

    @staticmethod
    def provider_call_message(resolver, function: FunctionFacts, lookup, ctx: Ctx) -> str | None:
        """`Container.orders()` or `container.orders()`: a dependency-injector provider called at call time."""
        receiver = resolver.resolve(lookup.receiver, ctx)
        written = f"{render(lookup.receiver)}.{lookup.name}"  # `Provide[...]` names the class's provider
        if isinstance(receiver, VarSym) and not receiver.in_class:
            value = resolver.var_value(receiver)
            receiver = resolver.class_of(resolver.resolve(value.func, resolver.var_ctx(receiver))) \
                if isinstance(value, CallExpr) else receiver
        elif isinstance(receiver, ParamSym):
            parameter = next((p for p in function.parameters if p.name == receiver.name), None)
            receiver = resolver.class_of(resolver.resolve(parameter.annotation, Ctx(ctx.module, function.scope))) \
                if parameter is not None and parameter.annotation is not None else receiver
        if is_container_class(resolver, receiver):
            decl = provider_decl(resolver, resolver.class_attribute(receiver, lookup.name))
            provided = f"{receiver.qualname}.{lookup.name}"
        else:  # a sub-container's provider: `Root.mail.mailer()`
            decl = provider_of(resolver, AttributeExpr(lookup.receiver, lookup.name), ctx)
            provided = written
        if decl is None:
            return None
        return (f"`{written}()` asks the container for a dependency at call time (service locator); declare it "
                f"as a parameter with Depends(Provide[{provided}]) so the container injects it and tests can "
                "override it")

    @staticmethod
    def event_handlers(index) -> set[str]:
        """Startup and shutdown handlers (`@app.on_event("startup")`, `app.add_event_handler("shutdown", f)`,
        `FastAPI(on_startup=[f])`), by qualified name: they wire the application as a lifespan does."""
        resolver = index.resolver
        found: set[str] = set()

        def add(expr, ctx: Ctx) -> None:
            sym = resolver.deref(resolver.resolve(expr, ctx))
            if isinstance(sym, DefSym) and sym.kind == "function":
                found.add(f"{sym.module}.{sym.qualname}")

        def is_app_or_router(expr, ctx: Ctx) -> bool:
            sym = resolver.resolve(expr, ctx)
            return isinstance(sym, VarSym) and resolver.built_by(sym) in FASTAPI_APP | FASTAPI_ROUTER

        for facts in index.modules.values():
            if not facts.complete:
                continue
            for function in facts.functions.values():
                ctx = Ctx(facts.module, function.scope)
                if any(isinstance(d, CallExpr) and isinstance(d.func, AttributeExpr) and d.func.attr == "on_event"
                       and is_app_or_router(d.func.value, ctx) for d in function.decorators):
                    found.add(f"{facts.module}.{function.qualname}")
            for scope, call in facts.calls:
                if (isinstance(call.func, AttributeExpr) and call.func.attr == "add_event_handler"
                        and len(call.args) >= 2 and is_app_or_router(call.func.value, Ctx(facts.module, scope))):
                    add(call.args[1], Ctx(facts.module, scope))
            for scope_name, scope in facts.scopes.items():
                ctx = Ctx(facts.module, scope_name)
                for binding in scope.bindings.values():
                    value = binding.value
                    if binding.kind != "assign" or not isinstance(value, CallExpr):
                        continue
                    if resolver.qualified(resolver.deref(resolver.resolve(value.func, ctx))) not in (
                            FASTAPI_APP | FASTAPI_ROUTER):
                        continue
                    for keyword in ("on_startup", "on_shutdown"):
                        handlers = value.keyword(keyword)
                        for item in handlers.items if isinstance(handlers, SequenceExpr) else ():
                            add(item, ctx)
        return found

    @staticmethod
    def reads_app_state(resolver, graph, facts, function, lookup, ctx) -> bool:
        root = lookup.receiver
        while hasattr(root, "value"):
            root = root.value
        sym = resolver.resolve(root, ctx)
        if isinstance(sym, VarSym) and resolver.built_by(sym) in FASTAPI_APP:
            return True  # the global app object, read from request-time code
        if not isinstance(sym, ParamSym):
            return False
        parameter = next((p for p in function.parameters if p.name == sym.name), None)
        if parameter is None:
            return False
        annotation = resolver.qualified_name(parameter.annotation, ctx) \
            if parameter.annotation is not None else None
        if annotation not in CONNECTION_TYPES:
            return False
        # A provider that endpoints depend on, handing them what app state holds (as it is, or built from it),
        # is the recommended shape, not a lookup: endpoints declare it, and tests override it.
        node_id = f"{facts.module}.{function.qualname}"
        return not (node_id in graph and graph.node(node_id).kind in ("provider", "factory"))

    @staticmethod
    def lookup_message(resolver, function: FunctionFacts, lookup, ctx: Ctx) -> str | None:
        receiver = resolver.resolve(lookup.receiver, ctx)
        container_type = resolver.built_by(receiver)
        if isinstance(receiver, ParamSym):
            parameter = next((p for p in function.parameters if p.name == receiver.name), None)
            if parameter is not None and parameter.annotation is not None:
                container_type = resolver.qualified(resolver.class_of(resolver.resolve_qualified(
                    parameter.annotation, Ctx(ctx.module, function.scope))))
        known_container = container_type in KNOWN_CONTAINERS or (
            isinstance(receiver, ExternalSym) and receiver.name in ("kink.di",))
        argument = resolver.resolve(lookup.argument, ctx) if lookup.argument is not None else None
        by_type = isinstance(argument, DefSym) and argument.kind == "class"
        text = (f"{render(lookup.receiver)}.{lookup.name}({render(lookup.argument)})" if lookup.kind == "call"
                else f"{render(lookup.receiver)}[{render(lookup.argument)}]")
        if lookup.kind == "call":
            if lookup.argument_count != 1 or not (known_container or (by_type and lookup.name in TYPE_LOOKUP_METHODS)):
                return None
        elif not (known_container or (by_type and _is_value(resolver, lookup.receiver, receiver, ctx))):
            return None
        return (f"`{text}` looks a dependency up at call time (service locator); declare it as a parameter with "
                "Depends so FastAPI provides it and tests can override it")


def _is_value(resolver, expression, sym, ctx: Ctx) -> bool:
    """A variable or an attribute of one (`registry`, `self._factories`), as opposed to a type (`list[X]`)."""
    if isinstance(sym, ParamSym):
        return True
    if isinstance(sym, VarSym):
        # `Vector = list[float]`, `type Sorting[T] = ...`, `Alias = SomeClass` name types, not registries.
        value = resolver.var_value(sym)
        if sym.binding.kind == "type_statement" or isinstance(value, SubscriptExpr):
            return False
        return not isinstance(resolver.deref(sym), (DefSym, ExternalSym))
    root = expression
    while hasattr(root, "value"):
        root = root.value
    return root is not expression and isinstance(resolver.resolve(root, ctx), (VarSym, ParamSym))
