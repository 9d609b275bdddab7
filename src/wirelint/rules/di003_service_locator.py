"""DI003 service-locator."""

from __future__ import annotations

from ..analyzer.containers import (
    is_composition_root,
    is_container_class,
    provider_decl,
    provider_of,
)
from ..analyzer.models import (
    AttributeExpr,
    CallExpr,
    FunctionFacts,
    Location,
    NameExpr,
    SequenceExpr,
    SubscriptExpr,
    render,
)
from ..analyzer.resolve import (
    FASTAPI_APP,
    FASTAPI_ROUTER,
    Ctx,
    DefSym,
    ExternalSym,
    ModuleSym,
    ParamSym,
    VarSym,
)
from ..analyzer.values import is_namespace_module, named_like_a_service, value_kind
from .base import Finding, Invalid, Related, Rule, Valid, register
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
Finds services looked up while a request is served instead of declared:
- registry and container lookups by type: `registry.resolve(Notifier)`, `container.get(UserRepo)`,
  `container[UserRepo]` on a registry of the project, and the lookup methods of well-known DI containers
  (punq, lagom, injector, kink, rodi, svcs, wireup, dependency-injector); a dependency-injector provider called
  on the request path (`Container.mailer()`); a class a container resolves that receives the container itself;
- services read from `request.app.state` / `app.state`, or from `request.state` where a middleware or the
  lifespan put them (`request.state.db = SessionLocal()`, `yield {"db": ...}`), in endpoints and the code they
  call (also through `getattr(request.state, "db")`);
- services fetched from a module-level holder: a proxy object whose class forwards attribute reads
  (`app = AppHolder()`, then `app.DATABASE.get(...)` in a route), or a module or object other code puts
  services on (`state.openai_client = OpenAI()` at start-up, then `state.openai_client` in a route).

What app or request state holds is judged from what the project puts there: a session, a client, a project
class with behaviour or a callable is a service; settings, constants, collections and models are not, and are
left alone. Providers (the functions FastAPI injects, a dependency class's `__call__`) are the sanctioned place
to read state and hand it on, and are never reported. Wiring at the composition root (module level, app
factories, lifespan and startup/shutdown handlers, `main`, `create_app`, functions that build a container, a
container's factories) is not a lookup, and neither is the entry point of another framework (a Celery or
Temporal task, a queue consumer, a CLI command) or test code. `dict.get`, a module's function that happens to
be called `resolve`, `request.headers.get`, `os.environ.get` and `settings.get("key")` are never reported.
Each function is reported once per thing it looks up.

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
        # A getter that creates one object per request on first use, on the request's state (open-webui's
        # filter context): it provides that object, it does not look it up.
        Valid("""\
from fastapi import APIRouter, Request
router = APIRouter()
class FilterContext:
    def valves(self) -> dict: ...
def get_filter_context(request: Request) -> FilterContext:
    if not hasattr(request.state, "filter_context"):
        request.state.filter_context = FilterContext()
    return request.state.filter_context
@router.post("/chat")
async def chat(request: Request):
    return get_filter_context(request).valves()
"""),
        # Request data on request.state, data and settings on app.state, and the providers that hand services
        # on; lookups by class that are no service location: a module's function, the app's exception handlers;
        # a library's configuration read from its module (`lib.cache`, set at start-up).
        Valid({
            "app/__init__.py": "",
            "app/lib.py": "cache = None\ndef complete(prompt: str) -> str:\n    return prompt\n",
            "app/startup.py": "import httpx\nfrom app import lib\ndef configure():\n    lib.cache = httpx.Client()\n",
            "app/routes.py": """\
from fastapi import APIRouter
from app import lib
router = APIRouter()
@router.get("/cached")
def cached(key: str):
    return lib.cache.get(key)
""",
            "app/source_utils.py": "def resolve(cls):\n    return cls.__name__\n",
            "app/main.py": """\
from contextlib import asynccontextmanager
from fastapi import Depends, FastAPI, Request
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker
from app import source_utils
SessionLocal = sessionmaker(bind=create_engine("sqlite://"))
class Materializer:
    pass
class AppSettings:
    debug: bool = False
@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.MODELS = {}
    app.state.secret_key = "k"
    app.state.settings = AppSettings()
    yield
app = FastAPI(lifespan=lifespan)
@app.middleware("http")
async def db_session(request: Request, call_next):
    request.state.db = SessionLocal()
    request.state.user = "alice"
    return await call_next(request)
def get_db(request: Request):
    return request.state.db
class RequireUser:
    def __call__(self, request: Request) -> str:
        request.state.db.execute("select 1")
        return request.state.user
@app.get("/")
def read(request: Request, db=Depends(get_db), user: str = Depends(RequireUser())):
    models = request.app.state.MODELS
    key = request.app.state.secret_key
    debug = request.app.state.settings.debug
    handler = app.exception_handlers.get(ValueError)
    return source_utils.resolve(Materializer), models, key, debug, handler, request.state.user
""",
        }),
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
        # A session a middleware puts on the request, read by an endpoint and by a permission helper; the
        # lifespan's state, read through getattr by a helper the endpoint calls; a proxy holder and a module
        # other code puts a client on, read by the endpoint.
        Invalid({
            "app/__init__.py": "",
            "app/db.py": """\
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker
SessionLocal = sessionmaker(bind=create_engine("sqlite://"))
""",
            "app/state.py": "client = None\n",
            "app/services.py": """\
class Workflows:
    def run(self, name: str) -> str:
        return name
class Holder:
    def __init__(self):
        object.__setattr__(self, "_inst", None)
    def __getattr__(self, name):
        return getattr(object.__getattribute__(self, "_inst"), name)
holder = Holder()
""",
            "app/main.py": """\
from contextlib import asynccontextmanager
import httpx
from fastapi import FastAPI, Request
from app import state
from app.db import SessionLocal
from app.services import holder, Workflows
class Scheduler:
    def schedule(self, job: str) -> None: ...
@asynccontextmanager
async def lifespan(app: FastAPI):
    state.client = httpx.AsyncClient()
    yield {"scheduler": Scheduler(), "started_by": "lifespan"}
app = FastAPI(lifespan=lifespan)
@app.middleware("http")
async def db_session(request: Request, call_next):
    request.state.db = SessionLocal()
    request.state.user = request.headers.get("user")
    return await call_next(request)
def is_admin(request: Request) -> bool:
    return request.state.db.execute("select 1") is not None
def schedule(request: Request, job: str) -> None:
    getattr(request.state, "scheduler").schedule(job)
@app.get("/items")
async def items(request: Request):
    rows = request.state.db.execute("select * from items")
    again = request.state.db
    schedule(request, "refresh")
    await state.client.get("https://example.com")
    return holder.WORKFLOWS.run("x"), rows, again, is_admin(request), request.state.user, request.state.started_by
""",
        }, (("app/main.py", 20), ("app/main.py", 22), ("app/main.py", 25), ("app/main.py", 28),
            ("app/main.py", 29))),
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
        states = StateValues(index)
        holders = Holders(index)
        reported: set[tuple[str, str, str]] = set()  # (path, function, what): once per function and thing

        def on_request_path(facts, function) -> bool:
            nonlocal request_path
            if request_path is None:
                request_path = follow_calls(index, request_path_functions(graph))
            return f"{facts.module}.{function.qualname}" in request_path

        for facts in self.modules_to_check(index, holders):
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
                    if on_request_path(facts, function):
                        message = self.provider_call_message(resolver, function, lookup, ctx)
                elif lookup.kind == "state":
                    if self.reads_app_state(resolver, graph, facts, function, lookup, ctx, on_request_path) and \
                            states.app_kind(lookup.name) == "service":
                        message = (f"reads {render(lookup.receiver)}.{lookup.name} at request time; declare it as a "
                                   "dependency (one provider that returns it) and inject it with Depends")
                elif lookup.kind == "request_state":
                    if states.request_kind(lookup.name) == "service" and not self.is_provider(graph, facts, function) \
                            and not self.sets_request_state(facts, function, lookup.name) \
                            and self.is_connection(resolver, function, lookup, ctx) and on_request_path(facts, function):
                        message = (f"reads {render(lookup.receiver)}.{lookup.name}, which a middleware or the lifespan "
                                   "puts on the request, at request time; declare it as a dependency (one provider "
                                   "that returns it) and inject it with Depends")
                else:
                    message = self.lookup_message(resolver, function, lookup, ctx)
                key = (facts.path, lookup.function, f"{render(lookup.receiver)}|{lookup.kind}|{lookup.name}|"
                                                     f"{render(lookup.argument)}")
                if message and key not in reported:
                    reported.add(key)
                    location = Location(facts.path, lookup.line, lookup.column, lookup.line, lookup.column)
                    yield self.finding(message, location)
            holder_reads: dict[tuple[str, str], list] = {}  # (function, holder) -> its reads, in source order
            for read in facts.attribute_reads:
                function = facts.functions.get(read.function)
                if function is None or self.is_provider(graph, facts, function):
                    continue
                holder = holders.holder_of(facts.module, read)
                if holder is None or not on_request_path(facts, function):
                    continue
                if is_composition_root(resolver, facts, function.qualname, graph):
                    continue
                holder_reads.setdefault((read.function, holder), []).append(read)
            for (_, holder), reads in holder_reads.items():
                yield self.holder_finding(facts.path, holder, reads)

    @staticmethod
    def sets_request_state(facts, function, name: str) -> bool:
        """Whether the function puts `name` on the request's state itself: a getter that creates a per-request
        object on first use (`if not hasattr(request.state, "x"): request.state.x = X()`) provides it."""
        return any(write.scope == function.qualname and write.target.split(".")[-2:] == ["state", name]
                   for write in facts.attribute_writes)

    def holder_finding(self, path: str, holder: str, reads: list) -> Finding:
        """One finding per function and holder, at its first read; the other services it fetches there are
        named, with their reads as related locations."""
        first, *others = reads
        names = ", ".join(f"`{read.root}.{read.attribute}`" for read in reads)
        what = "fetches a service" if not others else f"fetch {len(reads)} services"
        return self.finding(
            f"{names} {what} from the module-level holder `{holder}` at call time (service locator); declare "
            f"{'it' if not others else 'each'} as a parameter with Depends (one provider that returns it) so that "
            "the signature says what the code needs and tests can override it",
            Location(path, first.line, first.column, first.line, first.column),
            [Related(Location(path, read.line, read.column, read.line, read.column),
                     f"`{read.root}.{read.attribute}` read here") for read in others])

    @staticmethod
    def modules_to_check(index, holders: Holders):
        """Modules with run-time lookups, and, when the project has holders, every module (holder reads are
        attribute reads, which any module can make); test code never."""
        for name in sorted(index.sources):
            facts = index.modules[name]
            if facts.is_test or not (facts.lookups or holders.any):
                continue
            yield facts

    @staticmethod
    def is_provider(graph, facts, function) -> bool:
        """A function FastAPI injects (a provider, a factory's dependency), the `__call__` of a dependency
        instance, or the constructor of an injected class: the sanctioned place to read what app or request
        state holds and hand it on."""
        node_id = f"{facts.module}.{function.qualname}"
        if node_id in graph and graph.node(node_id).kind in ("provider", "factory"):
            return True
        owner, _, method = node_id.rpartition(".")
        if method == "__init__" and owner in graph and graph.node(owner).kind == "class":
            return True
        return method == "__call__" and any(node.kind == "instance" and node.class_id == owner
                                            for node in graph.nodes())

    @staticmethod
    def is_connection(resolver, function, lookup, ctx: Ctx) -> bool:
        """Whether the receiver of `<name>.state` is a parameter typed as a request or a websocket (or named
        `request` without a type)."""
        root = lookup.receiver
        while hasattr(root, "value"):
            root = root.value
        parameter = next((p for p in function.parameters if isinstance(root, NameExpr) and p.name == root.name), None)
        if parameter is None:
            return False
        if parameter.annotation is None:
            return parameter.name in ("request", "req", "websocket", "ws")
        return resolver.qualified_name(parameter.annotation, Ctx(ctx.module, function.scope)) in CONNECTION_TYPES

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
    def reads_app_state(resolver, graph, facts, function, lookup, ctx, on_request_path) -> bool:
        """A read of the app's state that locates a service: through the global app object anywhere but the
        composition root, or through a request parameter in code the request path runs (not a provider)."""
        root = lookup.receiver
        while hasattr(root, "value"):
            root = root.value
        sym = resolver.resolve(root, ctx)
        if isinstance(sym, VarSym) and resolver.built_by(sym) in FASTAPI_APP:
            return True  # the global app object, read from request-time code
        if not isinstance(sym, ParamSym) or not on_request_path(facts, function):
            return False  # a request handed to code FastAPI does not reach (a tool an LLM calls, a script)
        parameter = next((p for p in function.parameters if p.name == sym.name), None)
        if parameter is None:
            return False
        annotation = resolver.qualified_name(parameter.annotation, ctx) \
            if parameter.annotation is not None else None
        if annotation not in CONNECTION_TYPES:
            return False
        # A provider that endpoints depend on, handing them what app state holds (as it is, or built from it),
        # is the recommended shape, not a lookup: endpoints declare it, and tests override it.
        return not ServiceLocator.is_provider(graph, facts, function)

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
            if lookup.argument_count != 1 or not (known_container or (
                    by_type and lookup.name in TYPE_LOOKUP_METHODS
                    and _is_registry(resolver, lookup.receiver, function, ctx, lookup.name))):
                return None
        elif not (known_container or (by_type and _is_value(resolver, lookup.receiver, receiver, ctx)
                                      and _is_registry(resolver, lookup.receiver, function, ctx, "__getitem__"))):
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


def _is_registry(resolver, expression, function: FunctionFacts, ctx: Ctx, method: str) -> bool:
    """Whether a lookup's receiver is a registry of the project: an instance (a variable, a parameter typed with
    it, or an attribute of one) of a project class that defines the lookup method or holds the looked-up
    mapping; not a module, a library object (`app.exception_handlers`) or a plain dict."""
    root = expression
    while isinstance(root, AttributeExpr):
        root = root.value
    sym = resolver.resolve(root, ctx)
    if (isinstance(sym, ParamSym) and isinstance(root, NameExpr) and root.name == "self" and function.class_qualname
            and isinstance(expression, AttributeExpr) and expression.value is root):
        # `self.container[...]`: what the constructor stored under that name, by its parameter's type
        init = resolver.function_facts(ctx.module, f"{function.class_qualname}.__init__")
        parameter = next((p for p in init.parameters if p.name == expression.attr), None) if init else None
        if parameter is None or parameter.annotation is None:
            return False
        owner = resolver.class_of(resolver.resolve_qualified(parameter.annotation, Ctx(ctx.module, init.scope)))
        return resolver.qualified(owner) in KNOWN_CONTAINERS or (
            isinstance(owner, DefSym) and owner.kind == "class" and resolver.find_method(owner, method) is not None)
    if isinstance(sym, ParamSym):
        parameter = next((p for p in function.parameters if p.name == sym.name), None)
        if parameter is None:
            return False
        annotation, annotation_ctx = parameter.annotation, Ctx(ctx.module, function.scope)
        if annotation is None and parameter.default is not None:
            # `services=DepContainer` where `DepContainer: svcs.Container = Depends(...)`: the alias's type
            default = resolver.resolve(parameter.default, annotation_ctx)
            if isinstance(default, VarSym):
                annotation, annotation_ctx = default.binding.annotation, resolver.var_ctx(default)
        if annotation is None:
            return False
        owner = resolver.class_of(resolver.resolve_qualified(annotation, annotation_ctx))
        if resolver.qualified(owner) in KNOWN_CONTAINERS:
            return True
    else:
        while isinstance(sym, VarSym) and isinstance(value := resolver.var_value(sym), NameExpr):
            sym = resolver.resolve(value, resolver.var_ctx(sym))  # `container = registry`
        if not (isinstance(sym, VarSym) and isinstance(value := resolver.var_value(sym), CallExpr)):
            return False
        owner = resolver.class_of(resolver.resolve_qualified(value.func, resolver.var_ctx(sym)))
    if not (isinstance(owner, DefSym) and owner.kind == "class"):
        return False
    return root is not expression or resolver.find_method(owner, method) is not None or \
        resolver.class_attribute(owner, method) is not None  # `get = resolve`


class StateValues:
    """What the project puts on `app.state` and on `request.state` (a middleware's `request.state.db = ...`, a
    lifespan's `yield {"db": ...}`), by attribute, and what kind of value each is (see `values.value_kind`)."""

    def __init__(self, index) -> None:
        self.resolver = index.resolver
        self.app: dict[str, list[tuple]] = {}
        self.request: dict[str, list[tuple]] = {}
        for facts in index.modules.values():
            for write in facts.attribute_writes:
                parts = write.target.split(".")
                ctx = Ctx(facts.module, write.scope)
                if write.lifespan:
                    self.request.setdefault(parts[-1], []).append((write.value, ctx))
                elif len(parts) >= 3 and parts[-2] == "state":
                    table = self.app if parts[-3] == "app" or self._is_app(parts[0], ctx) else self.request
                    table.setdefault(parts[-1], []).append((write.value, ctx))
        self._kinds: dict[tuple[str, str], str] = {}

    def _is_app(self, root: str, ctx: Ctx) -> bool:
        return self.resolver.built_by(self.resolver.resolve(NameExpr(root), ctx)) in FASTAPI_APP

    def app_kind(self, name: str) -> str:
        return self._kind("app", name, self.app.get(name, []))

    def request_kind(self, name: str) -> str:
        return self._kind("request", name, self.request.get(name, []), callables=False)

    def _kind(self, table: str, name: str, values: list[tuple], callables: bool = True) -> str:
        """`service` when any write puts a service there, else the one kind every write agrees on."""
        key = (table, name)
        if key not in self._kinds:
            kinds = {value_kind(self.resolver, value, ctx, callables=callables) for value, ctx in values}
            if "service" in kinds:
                self._kinds[key] = "service"
            else:
                kinds.discard("unknown")
                if kinds:
                    self._kinds[key] = kinds.pop() if len(kinds) == 1 else "data"
                else:  # nothing the project puts there says what it is; the name may
                    self._kinds[key] = "service" if named_like_a_service(name) else "unknown"
        return self._kinds[key]


class Holders:
    """Module-level holders of services: a proxy object (`app = AppHolder()` whose class forwards attribute
    reads with `__getattr__`), and a module or a module-level object other code puts services on
    (`state.openai_client = OpenAI()`, then `state.openai_client` in a route)."""

    def __init__(self, index) -> None:
        self.index = index
        resolver = self.resolver = index.resolver
        self.proxies: dict[str, frozenset[str]] = {}  # holder id -> the proxy class's own attributes
        self.carried: dict[str, set[str]] = {}  # holder id -> attributes other code puts a service on
        for facts in index.modules.values():
            if facts.is_test:
                continue
            for variable, binding in facts.scopes[""].bindings.items():
                callee = binding.value.func if isinstance(binding.value, CallExpr) else None
                if binding.kind != "assign" or callee is None:
                    continue
                cls = resolver.class_of(resolver.resolve_qualified(callee, Ctx(facts.module, "")))
                if isinstance(cls, DefSym) and cls.kind == "class" and resolver.find_method(cls, "__getattr__"):
                    own = {name for _, class_facts in resolver.mro(cls)[0]
                           for name in (*class_facts.methods, *(f.name for f in class_facts.fields))}
                    self.proxies[f"{facts.module}.{variable}"] = frozenset(own)
            for write in facts.attribute_writes:
                root, _, rest = write.target.partition(".")
                if not rest or "." in rest:
                    continue
                holder = self._holder_id(facts.module, write.scope, root)
                if holder is not None and \
                        value_kind(resolver, write.value, Ctx(facts.module, write.scope)) == "service":
                    self.carried.setdefault(holder, set()).add(rest)
        self.any = bool(self.proxies or self.carried)
        self._names = {holder.rsplit(".", 1)[-1] for holder in [*self.proxies, *self.carried]}

    def _holder_id(self, module: str, scope: str, root: str) -> str | None:
        """The id of the module-level object or the project module `root` names in `scope`."""
        sym = self.resolver.lookup(Ctx(module, scope), root)
        if isinstance(sym, ModuleSym) and self.index.has_module(sym.name):
            return self.index.canonical(sym.name)
        if isinstance(sym, VarSym) and sym.scope == "" and not sym.in_class:
            return f"{sym.module}.{sym.name}"
        return None

    def holder_of(self, module: str, read) -> str | None:
        """The holder a read fetches a service from, or None."""
        if read.root not in self._names:
            return None
        holder = self._holder_id(module, read.function, read.root)
        if holder in self.proxies:
            # What a proxy forwards is a service when the code goes on into it (`app.DATABASE.get(...)`), not a
            # constant it hands over (`status.HTTP_404_NOT_FOUND` from a compatibility shim).
            own = self.proxies[holder]
            return holder if read.used_as_object and read.attribute not in own and not read.attribute.startswith(
                "_") else None
        if holder in self.carried and read.attribute in self.carried[holder] and self._namespace(holder):
            return holder
        return None

    def _namespace(self, holder: str) -> bool:
        """An object holder, or a module that is a namespace of variables (see `is_namespace_module`)."""
        return not self.index.has_module(holder) or is_namespace_module(self.index.facts(holder))
