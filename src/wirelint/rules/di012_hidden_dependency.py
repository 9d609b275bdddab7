"""DI012 hidden-dependency."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ..analyzer.containers import is_composition_root
from ..analyzer.models import (
    AttributeExpr,
    CallExpr,
    Expr,
    FunctionFacts,
    Location,
    NameExpr,
    NameRead,
    OtherExpr,
    SubscriptExpr,
    render,
)
from ..analyzer.project import ProjectIndex
from ..analyzer.resolve import Ctx, DefSym, ExternalSym, ModuleSym, Resolver, VarSym
from ..analyzer.values import (
    CONTAINERS,
    ENGINE_FACTORIES,
    SCOPED_SESSIONS,
    SESSION_CLASSES,
    SESSION_FACTORIES,
    class_kind,
    creates_session,
    is_namespace_module,
    named_like_a_service,
    value_kind,
)
from .base import Finding, Invalid, Option, Rule, Valid, register
from .request_path import follow_calls, request_path_functions

_CACHE_DECORATORS = frozenset({"functools.lru_cache", "functools.cache"})
# Process-wide objects that are not collaborators to inject: the engine and the session factory are what a
# provider uses to open the request's session (a module-level session itself is DI004's), a container is
# DI003's.
_NOT_HIDDEN = ENGINE_FACTORIES | SESSION_FACTORIES | SCOPED_SESSIONS | SESSION_CLASSES | CONTAINERS
# Configured once and only rendering: FastAPI's own documentation keeps `templates` at module level.
_RENDERERS = frozenset({"starlette.templating.Jinja2Templates", "fastapi.templating.Jinja2Templates"})


@dataclass(frozen=True, slots=True)
class Hidden:
    """A process-wide service that code reaches without `Depends`: a module-level instance (`orders`), or a
    singleton accessor (`zen_store()`, a function returning a module-level slot or an `lru_cache` result)."""

    id: str  # the instance's variable or the accessor's function, qualified
    kind: str  # instance | accessor
    cls: str  # what it is, for messages: `OrderService`
    provider: str  # the name to give `Depends`: the accessor itself, or a provider to write


@register
class HiddenDependency(Rule):
    code = "DI012"
    name = "hidden-dependency"
    severity = "warning"
    summary = "Code FastAPI runs for a request uses a module-level service directly instead of receiving it."
    explanation = """\
## What it does
Finds code FastAPI runs for a request (endpoints, and the constructors and `__call__` of the classes and
instances it injects) that uses a process-wide service it does not receive as a parameter (with the
`follow-calls` option, the project functions they call too):
- a module-level instance of a project service class or of an HTTP, SDK or database client
  (`orders = OrderService()`, `client = httpx.AsyncClient()`, `prisma_client: PrismaClient | None = None`
  filled in at start-up), read directly or imported inside the function;
- a singleton accessor: a function that returns a module-level or class-level slot
  (`def zen_store(): return _zen_store`) or an `lru_cache`d service, called in the body (`zen_store().get(...)`).

Settings, loggers, routers, constants, enums, models, engines, session factories and template renderers are
left alone, and so are plain functions. Function providers are the sanctioned bridge between process-wide
objects and `Depends` (`def get_orders(): return orders`, `with get_db().session() as s: yield s`): a test
overrides the provider, so what it reads is never reported. Neither is an accessor's own body, a function that
sets the global, an endpoint other code also calls as a plain function (`Depends` would not be resolved
there), the composition root, nor test code. A holder that forwards attribute reads (`app.DATABASE` on
an `AppHolder`) and a module other code fills (`state.client`) are DI003's.

## Why is this bad?
A dependency a function fetches for itself is invisible in its signature: the route's `/docs`, the
dependency graph and its readers do not see it. `app.dependency_overrides` cannot replace it, so a test must
monkeypatch a module attribute (and know which module the code imported it from) or run against the real
database, SDK or network. Its lifetime is the process's: it is created at import or start-up, shared by every
request and thread, and cannot be given a per-request scope or a different configuration per app.

## Example
```python
orders = OrderService()

@app.post("/orders")
async def place_order(order: Order):
    return await orders.place_order(order)
```

## Use instead
Give it one provider, and receive it with `Depends`; tests override the provider:
```python
def get_orders() -> OrderService:
    return orders

@app.post("/orders")
async def place_order(order: Order, orders: OrderService = Depends(get_orders)):
    return await orders.place_order(order)

# in a test
app.dependency_overrides[get_orders] = lambda: FakeOrderService()
```
An accessor with no required parameters is already a provider: `store: Store = Depends(zen_store)`.

## References
- https://fastapi.tiangolo.com/advanced/testing-dependencies/
- https://fastapi.tiangolo.com/tutorial/dependencies/
"""
    options = (Option(
        "follow-calls", False,
        "Also report the project functions that endpoints, providers and injected classes call (their helpers, "
        "to any depth), not only the code FastAPI runs itself."),)
    valid = (
        # Received through Depends; the provider that returns the module-level instance is the bridge.
        Valid("""\
from fastapi import Depends, FastAPI
app = FastAPI()
class OrderService:
    def place(self, order):
        return order
    def cancel(self, order):
        return order
orders = OrderService()
def get_orders() -> OrderService:
    return orders
@app.post("/")
def place(order: str, service: OrderService = Depends(get_orders)):
    return service.place(order)
"""),
        # Settings, loggers, engines, session factories, constants, routers and plain functions.
        Valid("""\
import logging
from functools import lru_cache
from fastapi import APIRouter, Depends, FastAPI
from pydantic_settings import BaseSettings
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker
class Settings(BaseSettings):
    name: str = "x"
@lru_cache
def get_settings() -> Settings:
    return Settings()
settings = Settings()
logger = logging.getLogger(__name__)
engine = create_engine("sqlite://")
SessionLocal = sessionmaker(bind=engine)
LIMIT = 10
router = APIRouter()
def helper(x):
    return x
app = FastAPI()
@router.get("/")
def read():
    logger.info(settings.name)
    with SessionLocal() as db:
        pass
    engine.dispose()
    return helper(get_settings().name) * LIMIT
app.include_router(router)
"""),
        # Used at start-up and in a background job, not while a request is served; test code.
        Valid({
            "app.py": """\
from contextlib import asynccontextmanager
import httpx
from fastapi import FastAPI
client = httpx.AsyncClient()
@asynccontextmanager
async def lifespan(app):
    yield
    await client.aclose()
app = FastAPI(lifespan=lifespan)
async def nightly():
    await client.get("https://example.com")
@app.get("/")
def read():
    return {}
""",
            "tests/test_app.py": """\
from app import client
def test_client():
    assert client.get
""",
        }),
        # Real-code look-alikes: providers wiring process-wide objects into what they provide (dstack's session
        # provider, fief's manager), FastAPI's documented module-level templates, mlflow's environment
        # variable objects, and a proxy holder (DI003's).
        Valid({
            "db.py": """\
from typing import Optional
class Database:
    def session(self):
        return self
    def close(self):
        pass
_db: Optional[Database] = None
def get_db() -> Database:
    if _db is None:
        raise RuntimeError("not initialised")
    return _db
""",
            "app.py": """\
from fastapi import Depends, FastAPI, Request
from fastapi.templating import Jinja2Templates
from db import get_db
class PasswordHelper:
    def hash(self, x):
        return x
    def verify(self, x):
        return x
password_helper = PasswordHelper()
class _BooleanEnvironmentVariable:
    def __init__(self, name, default):
        self.name = name
    def get(self):
        return False
FEATURE_ENABLED = _BooleanEnvironmentVariable("FEATURE_ENABLED", False)
class AppHolder:
    def __getattr__(self, name):
        return name
holder = AppHolder()
templates = Jinja2Templates(directory="templates")
app = FastAPI()
def get_session():
    with get_db().session() as session:
        yield session
class UserManager:
    def __init__(self, helper):
        self.helper = helper
def get_manager(session=Depends(get_session)):
    return UserManager(helper=password_helper)
@app.get("/")
def page(request: Request, manager: UserManager = Depends(get_manager)):
    if FEATURE_ENABLED.get():
        holder.DATABASE.get()
    return templates.TemplateResponse(request, "index.html")
""",
        }),
    )
    invalid = (
        # The canonical hidden dependency: a module-level service used by an endpoint.
        Invalid("""\
from fastapi import FastAPI
app = FastAPI()
class OrderService:
    def place(self, order):
        return order
    def cancel(self, order):
        return order
orders = OrderService()
@app.post("/")
async def place(order: str):
    return orders.place(order)
""", 11),
        # A singleton accessor called in the route; a client imported inside it.
        Invalid({
            "store.py": """\
from typing import Optional
class Store:
    def get(self, key):
        return key
    def put(self, key):
        return key
_store: Optional[Store] = None
def store() -> Store:
    global _store
    if _store is None:
        _store = Store()
    return _store
""",
            "clients.py": """\
import httpx
http = httpx.AsyncClient()
""",
            "app.py": """\
from fastapi import FastAPI
from store import store
app = FastAPI()
@app.get("/{key}")
async def read(key: str):
    from clients import http
    await http.get(key)
    return store().get(key)
""",
        }, (("app.py", 6), ("app.py", 8))),
    )

    def check(self, index: ProjectIndex) -> Iterator[Finding]:
        graph = index.graph
        resolver = index.resolver
        served = request_path_functions(graph)
        request_path = follow_calls(index, served) if self.settings["follow-calls"] else served
        judge = _Judge(index)
        found: dict[tuple[str, str], tuple[NameRead, str, Hidden]] = {}
        for name in sorted(index.sources):
            facts = index.modules[name]
            if facts.is_test or not facts.name_reads:
                continue
            # Cheap questions first: most reads are in functions FastAPI never runs, and resolving is not cheap.
            owners = {write.function for write in facts.global_writes if write.declared_global}
            for read in facts.name_reads:
                function_id = f"{facts.module}.{read.function}"
                function = facts.functions.get(read.function)
                if function is None or function_id not in request_path or read.function in owners:
                    continue  # a function that sets the global with `global` manages it, not depends on it
                if function_id in graph and graph.node(function_id).kind in ("provider", "factory"):
                    continue  # the bridge: a test overrides the provider, whatever it reads
                hidden = judge.hidden(facts.module, read)
                if hidden is None or function_id == hidden.id or hands_on(function, read, hidden):
                    continue
                if is_composition_root(resolver, facts, function.qualname, graph):
                    continue
                key = (function_id, hidden.id)
                if key not in found or (read.line, read.column) < (found[key][0].line, found[key][0].column):
                    found[key] = (read, facts.path, hidden)
        called = called_directly(index, {function_id for function_id, _ in found if function_id in served})
        # One finding per spot: `from app.main import orders, client` hides two services on one line.
        spots: dict[tuple[str, int, int, str], list[tuple[NameRead, Hidden]]] = {}
        for (function_id, _), (read, path, hidden) in found.items():
            if function_id in called:
                continue  # also a plain function other code calls: a Depends default would not be resolved there
            spots.setdefault((path, read.line, read.column, hidden.kind), []).append((read, hidden))
        for (path, line, column, _), hits in spots.items():
            yield self.report(Location(path, line, column, line, column), sorted(hits, key=lambda hit: hit[1].id))

    def report(self, location: Location, hits: list[tuple[NameRead, Hidden]]) -> Finding:
        read, hidden = hits[0]
        short = hidden.id.rsplit(".", 1)[-1]
        if hidden.kind == "accessor":
            message = (f"`{short}()` fetches the process-wide {hidden.cls} from a singleton accessor (hidden "
                       "dependency): dependency_overrides cannot replace it, and the signature does not show it")
            fix = f"receive it as a parameter: `{_parameter(hidden.cls)}: {hidden.cls} = Depends({short})`"
            return self.finding(message, location, fix=fix)
        names = [f"`{each.id.rsplit('.', 1)[-1]}` ({each.cls})" for _, each in hits]
        listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
        how = "imports" if read.imported else "uses"
        what = "instance" if len(hits) == 1 else "instances"
        message = (f"{how} the module-level {what} {listed} directly (hidden dependency): dependency_overrides "
                   f"cannot replace {'it' if len(hits) == 1 else 'them'}, and the signature does not show "
                   f"{'it' if len(hits) == 1 else 'them'}")
        fix = (f"receive it as a parameter: `{short}: {hidden.cls} = Depends({hidden.provider})`, with a provider "
               "that returns it" if len(hits) == 1 else
               "receive each as a parameter with Depends, each from a provider that returns it")
        return self.finding(message, location, fix=fix)


def called_directly(index: ProjectIndex, functions: set[str]) -> set[str]:
    """Those of `functions` that other project code (not tests) calls as plain functions: open-webui's chat
    helper awaits the `generate_chat_completion` endpoint itself, so the endpoint cannot take its services
    from `Depends` without breaking that caller."""
    names = {function_id.rsplit(".", 1)[-1] for function_id in functions}
    resolver = index.resolver
    found: set[str] = set()
    for module in sorted(index.sources):
        facts = index.modules[module]
        if facts.is_test:
            continue
        # `from routers.memories import add_memory as _add_memory`: the names it is called by here
        local = names | {alias for scope in facts.scopes.values() for alias, binding in scope.bindings.items()
                         if binding.kind == "import" and binding.target.rsplit(".", 1)[-1] in names}
        for caller, callee in facts.body_calls:
            last = callee.attr if isinstance(callee, AttributeExpr) else getattr(callee, "name", None)
            if last not in local:
                continue
            sym = resolver.deref(resolver.resolve_qualified(callee, Ctx(facts.module, caller)))
            if isinstance(sym, DefSym) and sym.kind == "function":
                target = f"{sym.module}.{sym.qualname}"
                if target in functions and target != f"{facts.module}.{caller}":
                    found.add(target)
    return found


def hands_on(function: FunctionFacts, read: NameRead, hidden: Hidden) -> bool:
    """A function that returns what it read as it is (`return orders`, `return zen_store()`): a helper that
    only passes it along to its caller, which is where it is used."""
    for returned in function.returns:
        if read.called:
            if hidden.kind == "accessor" and isinstance(returned, CallExpr) and not returned.args \
                    and not returned.keywords and render(returned.func) == read.path:
                return True
        elif isinstance(returned, (NameExpr, AttributeExpr)) and render(returned) == read.path:
            return True
    return False


def _parameter(cls: str) -> str:
    """`OrderService` -> `order_service`."""
    out = []
    for index, char in enumerate(cls):
        if char.isupper() and index and not cls[index - 1].isupper():
            out.append("_")
        out.append(char.lower())
    return "".join(out)


class _Judge:
    """What a name read reaches, judged once per variable and function."""

    def __init__(self, index: ProjectIndex) -> None:
        self.index = index
        self.resolver: Resolver = index.resolver
        self._instances: dict[str, Hidden | None] = {}
        self._accessors: dict[str, Hidden | None] = {}

    def hidden(self, module: str, read: NameRead) -> Hidden | None:
        resolver = self.resolver
        ctx = Ctx(module, read.function)
        parts = read.path.split(".")
        expr: Expr = NameExpr(parts[0])
        sym = resolver.resolve(expr, ctx)
        through_module: ModuleSym | None = None
        taken = 1
        while taken < len(parts) and (isinstance(sym, ModuleSym) or isinstance(sym, DefSym) and sym.kind == "class"):
            if isinstance(sym, ModuleSym):
                through_module = sym
            expr = AttributeExpr(expr, parts[taken])
            sym = resolver.member(sym, parts[taken])
            taken += 1
        if isinstance(sym, DefSym) and sym.kind == "function":
            return self.accessor(sym) if read.called and taken == len(parts) else None
        if not isinstance(sym, VarSym) or (sym.scope and not sym.in_class):
            return None
        if through_module is not None and sym.module == through_module.name and taken == 2:
            facts = self.index.facts(sym.module)
            if facts is not None and is_namespace_module(facts):
                return None  # `state.client` on a module other code fills: a holder (DI003)
        return self.instance(sym)

    def instance(self, sym: VarSym) -> Hidden | None:
        if sym.id in self._instances:
            return self._instances[sym.id]
        self._instances[sym.id] = None  # a variable whose value is itself
        cls = self.service_class(sym)
        hidden = Hidden(sym.id, "instance", cls, f"get_{sym.name.lstrip('_')}") if cls is not None else None
        self._instances[sym.id] = hidden
        return hidden

    def service_class(self, sym: VarSym) -> str | None:
        """The class name of the service a module-level or class-level variable holds, or None when it holds
        something else (settings, data, an engine, a function) or the source does not say."""
        resolver = self.resolver
        ctx = resolver.var_ctx(sym)
        value = resolver.var_value(sym)
        if isinstance(value, CallExpr):
            if creates_session(resolver, value.func, value, ctx):
                return None
            callee = resolver.class_of(resolver.resolve_qualified(value.func, ctx))
            if resolver.built_by(sym) in _NOT_HIDDEN or value_kind(resolver, value, ctx) != "service":
                return None
            return self.class_name(callee)
        if value is None or _is_none(value):
            return self.annotated_class(sym.binding.annotation, ctx)
        return None

    def annotated_class(self, annotation: Expr | None, ctx: Ctx, name: str = "") -> str | None:
        """The service class an annotation names, through `Optional[...]` and `X | None` (`prisma_client:
        PrismaClient | None = None`, `def zen_store() -> "SqlZenStore"`)."""
        (expr, expr_ctx), _ = self.resolver.annotation_parts(annotation, ctx)
        if isinstance(expr, SubscriptExpr):
            found = {self.annotated_class(item, expr_ctx, name) for item in expr.items}
            found.discard(None)
            return found.pop() if len(found) == 1 else None
        if expr is None or isinstance(expr, OtherExpr):
            return None
        return self.class_name(self.resolver.class_of(self.resolver.resolve_qualified(expr, expr_ctx)), name)

    def class_name(self, cls, name: str = "") -> str | None:
        """The class's short name when its instances are services that should be injected, else None. A
        class the source calls data (a pydantic model) counts when `name`, the accessor that keeps one per
        process, says it is a service (`zen_store`)."""
        resolver = self.resolver
        qualified = resolver.qualified(cls)
        if not (isinstance(cls, DefSym) and cls.kind == "class" or isinstance(cls, ExternalSym)) or qualified is None:
            return None
        if qualified in _NOT_HIDDEN:
            return None
        if isinstance(cls, DefSym):
            if resolver.external_bases(cls) & _RENDERERS or resolver.find_method(cls, "__getattr__"):
                return None  # a template renderer; a holder that forwards attribute reads (DI003's)
        elif qualified in _RENDERERS:
            return None
        kind = class_kind(resolver, cls)
        if kind == "service" or kind == "data" and name and named_like_a_service(name):
            return qualified.rsplit(".", 1)[-1]
        return None

    def accessor(self, sym: DefSym) -> Hidden | None:
        key = f"{sym.module}.{sym.qualname}"
        if key in self._accessors:
            return self._accessors[key]
        self._accessors[key] = None
        hidden = self._accessor(sym, key)
        self._accessors[key] = hidden
        return hidden

    def _accessor(self, sym: DefSym, key: str) -> Hidden | None:
        resolver = self.resolver
        function = resolver.function_facts(sym.module, sym.qualname)
        if function is None or function.class_qualname is not None or function.yields or not function.returns:
            return None
        if any(p.default is None and p.kind in ("positional_only", "positional", "keyword_only")
               for p in function.parameters):
            return None  # it needs arguments: a factory or a lookup, not a slot
        inner = Ctx(sym.module, sym.qualname)
        cached = bool(resolver.decorator_names(function.decorators, Ctx(sym.module, function.scope))
                      & _CACHE_DECORATORS)
        classes: set[str] = set()
        for returned in function.returns:
            if _is_none(returned):
                continue
            slot = resolver.resolve(returned, inner) if isinstance(returned, (NameExpr, AttributeExpr)) else None
            if isinstance(slot, VarSym) and (not slot.scope or slot.in_class):
                cls = self.service_class(slot) or self.annotated_class(
                    function.return_annotation, Ctx(sym.module, function.scope), function.name) \
                    or self.annotated_class(slot.binding.annotation, resolver.var_ctx(slot), function.name)
            elif cached and isinstance(returned, CallExpr):
                cls = None
                if not creates_session(resolver, returned.func, returned, inner) \
                        and value_kind(resolver, returned, inner) == "service":
                    cls = self.class_name(resolver.class_of(resolver.resolve_qualified(returned.func, inner)))
            else:
                return None
            if cls is None:
                return None
            classes.add(cls)
        if len(classes) != 1:
            return None
        return Hidden(key, "accessor", classes.pop(), sym.qualname)


def _is_none(expr: Expr) -> bool:
    return isinstance(expr, OtherExpr) and expr.text == "None" or isinstance(expr, NameExpr) and expr.name == "None"
