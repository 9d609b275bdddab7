"""DI002 over-injection."""

from __future__ import annotations

from ..analyzer.containers import service_class
from ..analyzer.models import SubscriptExpr
from ..analyzer.resolve import Ctx, DefSym
from ..analyzer.values import annotation_kind, is_security_scheme
from .base import Invalid, Option, Rule, Valid, register
from .request_path import module_prefixes

_PARAMS = "\n".join(f"def dep{n}():\n    return {n}" for n in range(1, 9))
_SERVICES = "from typing import Protocol\n" + "\n".join(
    f"class Service{n}:\n    def run(self) -> None:\n        ..." for n in range(1, 8)
) + "\nclass Notifier(Protocol):\n    def send(self, text: str) -> None: ...\n"


@register
class OverInjection(Rule):
    code = "DI002"
    name = "over-injection"
    severity = "warning"
    summary = "An endpoint, provider or constructor receives more injected dependencies than `max-dependencies`."
    explanation = """\
## What it does
Counts the parameters FastAPI injects into an endpoint, a provider, an injected class's constructor or an
instance's `__call__`: `Depends(...)`, `Security(...)`, `Annotated[..., Depends(...)]` aliases and `Depends()`
shortcuts. In any class of the project, constructor parameters typed with a project service class or
protocol (`def __init__(self, repo: BookRepository, mailer: Mailer)`, plain constructor injection) count
too, and so do the collaborators a container or a composition root passes: the parameters lagom resolves
through its bindings, the providers a dependency-injector provider passes (`providers.Factory(Orders,
repo=repo, ...)`), the services `create_app()` or module-level code constructs and hands to a class.
Only collaborators count. Path, query, header, cookie, body and `Request` parameters do not, and neither do
dependencies that hand over a value: a parameter or a provider annotated with one (`str`, `int`, a dataclass,
a pydantic or ORM model, an enum, `Optional[...]` of those), a security scheme (it yields the credentials),
or a provider that only reads request inputs (a reusable query-parameter parser such as a pagination or a
filter dependency). More than `max-dependencies` (default 7) is reported, with the list of injected
parameters.

## Why is this bad?
A callable with many collaborators does too much: it is hard to test (every test must override each
dependency), hard to change, and every request pays for every dependency even when a branch needs few.

## Example
```python
@router.post("/orders")
def create_order(db: DbSession, user: CurrentUser, cart=Depends(get_cart), prices=Depends(get_prices),
                 stock=Depends(get_stock), tax=Depends(get_tax), mailer=Depends(get_mailer),
                 audit=Depends(get_audit)): ...
```

## Use instead
Group collaborators that change together behind one dependency (a service class whose constructor declares
them), or split the endpoint:
```python
class Checkout:
    def __init__(self, cart=Depends(get_cart), prices=Depends(get_prices), stock=Depends(get_stock),
                 tax=Depends(get_tax)): ...

@router.post("/orders")
def create_order(db: DbSession, user: CurrentUser, checkout: Annotated[Checkout, Depends()]): ...
```

## References
- https://fastapi.tiangolo.com/tutorial/dependencies/classes-as-dependencies/
"""
    options = (Option("max-dependencies", 7, "Most injected parameters allowed on one callable."),)
    valid = (
        # A class whose collaborators are optional slots (zenml's Stack of plugin components): two are needed.
        Valid("""\
from typing import Optional
class Orchestrator:
    def run(self) -> None: ...
class Store:
    def put(self) -> None: ...
class Alerter:
    def alert(self) -> None: ...
class Tracker:
    def track(self) -> None: ...
class Registry:
    def find(self) -> None: ...
class Deployer:
    def deploy(self) -> None: ...
class Validator:
    def validate(self) -> None: ...
class Builder:
    def build(self) -> None: ...
class Stack:
    def __init__(self, name: str, *, orchestrator: Orchestrator, store: Store, alerter: Optional[Alerter] = None,
                 tracker: Optional[Tracker] = None, registry: Optional[Registry] = None,
                 deployer: Optional[Deployer] = None, validator: Optional[Validator] = None,
                 builder: Optional[Builder] = None) -> None:
        self.orchestrator, self.store = orchestrator, store
"""),
        # Values, not collaborators: query-parameter parsers, a security scheme, value-typed providers.
        Valid("""\
from dataclasses import dataclass
from typing import Annotated, Optional
from fastapi import Depends, FastAPI, Query
from fastapi.security import OAuth2PasswordBearer
app = FastAPI()
oauth2 = OAuth2PasswordBearer(tokenUrl="token")
@dataclass
class User:
    name: str
def limit(limit: int = Query(20)) -> int:
    return limit
def offset(offset: int = Query(0)):
    return offset
def order_by(order_by: str = Query("id")):
    return order_by
def name_pattern(pattern: Optional[str] = Query(None)):
    return pattern
def state_filter(state: list[str] = Query([])):
    return state
def get_user(token: str = Depends(oauth2)) -> User:
    return User(token)
def get_locale() -> str:
    return "en"
class Repo:
    def all(self) -> list[str]:
        return []
@app.get("/items")
def items(a: int = Depends(limit), b=Depends(offset), c=Depends(order_by), d=Depends(name_pattern),
          e=Depends(state_filter), user: User = Depends(get_user), token: str = Depends(oauth2),
          locale=Depends(get_locale), repo: Annotated[Repo, Depends()] = None):
    return repo.all()
"""),
        Valid(f"""\
from fastapi import APIRouter, Depends, Query, Request
router = APIRouter()
{_PARAMS}
@router.get("/{{item_id}}")
def seven(item_id: int, request: Request, q: str = Query(""), a=Depends(dep1), b=Depends(dep2),
          c=Depends(dep3), d=Depends(dep4), e=Depends(dep5), f=Depends(dep6), g=Depends(dep7), page: int = 1):
    return 1
"""),
        # A composition root passing values (numbers, strings, settings) is not injecting collaborators.
        Valid({"services.py": _SERVICES, "main.py": """\
from dataclasses import dataclass
from fastapi import FastAPI
from services import Service1
@dataclass
class Settings:
    url: str = "x"
class Checkout:
    def __init__(self, s1, a, b, c, d, e, f, g, settings):
        self.s1 = s1
    def run(self) -> None: ...
checkout = Checkout(Service1(), 1, "b", 3.0, None, [], {}, "g", Settings())
app = FastAPI()
"""}),
        # lagom resolves value classes too (settings, a dataclass): they are not collaborators.
        Valid({"services.py": _SERVICES, "app.py": """\
from dataclasses import dataclass
from fastapi import APIRouter
from lagom import Container
from lagom.integrations.fast_api import FastApiIntegration
from services import Service1, Service2, Service3, Service4, Service5
@dataclass
class Limits:
    size: int = 10
class Flags:
    def __init__(self) -> None:
        self.on = True
class Checkout:
    def __init__(self, s1: Service1, s2: Service2, s3: Service3, s4: Service4, s5: Service5, limits: Limits,
                 flags: Flags, more: Limits):
        self.s1 = s1
    def run(self) -> None: ...
container = Container()
deps = FastApiIntegration(container)
router = APIRouter()
@router.post("/")
def pay(checkout: Checkout = deps.depends(Checkout)):
    return 1
"""}),
        # Values are not collaborators: scalars, dataclasses, enums and settings models do not count.
        Valid({"services.py": _SERVICES, "orders.py": """\
from dataclasses import dataclass
from enum import Enum
from services import Service1, Service2, Service3, Service4, Service5, Service6, Notifier
class Currency(Enum):
    EUR = "EUR"
@dataclass
class Money:
    amount: int
class OrderService:
    def __init__(self, s1: Service1, s2: Service2, s3: Service3, s4: Service4, s5: Service5, s6: Service6,
                 notifier: Notifier, currency: Currency, price: Money, retries: int = 3, name: str = "x"):
        self.s1 = s1
"""}),
    )
    invalid = (
        # A composition root hands eight services to a constructor that does not annotate them.
        Invalid({"services.py": _SERVICES + "class Mailer:\n    def send(self) -> None:\n        ...\n", "main.py": """\
from fastapi import FastAPI
from services import Service1, Service2, Service3, Service4, Service5, Service6, Service7, Mailer
class Checkout:
    def __init__(self, s1, s2, s3, s4, s5, s6, s7, mailer, retries=3):
        self.s1 = s1
    def run(self) -> None: ...
mailer = Mailer()
checkout = Checkout(Service1(), Service2(), Service3(), Service4(), Service5(), Service6(), Service7(), mailer)
app = FastAPI()
"""}, (("main.py", 3),)),
        # Eight providers passed by a dependency-injector provider.
        Invalid("""\
from dependency_injector import containers, providers
class Repo:
    def load(self) -> None: ...
class Report:
    def __init__(self, a, b, c, d, e, f, g, h):
        self.a = a
class Container(containers.DeclarativeContainer):
    a = providers.Factory(Repo)
    b = providers.Factory(Repo)
    c = providers.Factory(Repo)
    d = providers.Factory(Repo)
    e = providers.Factory(Repo)
    f = providers.Factory(Repo)
    g = providers.Factory(Repo)
    h = providers.Factory(Repo)
    report = providers.Factory(Report, a, b, c, d, e=e, f=f, g=g, h=h)
""", 16),
        Invalid(f"""\
from fastapi import APIRouter, Depends
router = APIRouter()
{_PARAMS}
@router.get("/")
def eight(a=Depends(dep1), b=Depends(dep2), c=Depends(dep3), d=Depends(dep4), e=Depends(dep5),
          f=Depends(dep6), g=Depends(dep7), h=Depends(dep8)):
    return 1
""", 20),
        Invalid(f"""\
from typing import Annotated
from fastapi import Depends
{_PARAMS}
D1 = Annotated[int, Depends(dep1)]
class Service:
    def __init__(self, a: D1, b=Depends(dep2), c=Depends(dep3), d=Depends(dep4), e=Depends(dep5),
                 f=Depends(dep6), g=Depends(dep7), h=Depends(dep8)):
        pass
""", 20),
        # Plain constructor injection in a module that never mentions FastAPI: project services and protocols.
        Invalid({"services.py": _SERVICES, "orders.py": """\
from typing import Optional
from services import Service1, Service2, Service3, Service4, Service5, Service6, Service7, Notifier
class OrderService:
    def __init__(self, s1: Service1, s2: Service2, s3: Service3, s4: Service4, s5: Service5, s6: Service6,
                 s7: Optional[Service7], notifier: Notifier, retries: int = 3):
        self.s1 = s1
"""}, (("orders.py", 3),)),
    )

    def check(self, index):
        graph = index.graph
        limit = int(self.settings["max-dependencies"])
        injected: dict[str, set[str]] = {}
        where: dict[str, tuple[str, object]] = {}  # node or class id -> (kind, location)
        for node in graph.nodes():
            if node.location is None or node.kind == "unresolved":
                continue
            names = {
                edge.parameter
                for target in graph.dependencies_of(node.id)
                for edge in graph.edges_between(node.id, target)
                if edge.parameter and (edge.via == "container-resolve" or edge.via == "param"
                                       and not self.provides_value(index, node.id, edge.parameter, target)
                                       or edge.via == "constructor" and self.collaborator(index, target))
            }
            if names:
                injected[node.id] = names
                where[node.id] = (node.kind, node.location)
        for class_id, names, location in self.constructor_services(index, limit):
            injected.setdefault(class_id, set()).update(names)
            where.setdefault(class_id, ("class", location))
        for node_id in sorted(injected):
            names = sorted(injected[node_id])
            if len(names) > limit:
                kind, location = where[node_id]
                what = {"class": "constructor of", "instance": "__call__ of",
                        "container-provider": "container provider"}.get(kind, kind)
                yield self.finding(
                    f"{what} {node_id} receives {len(names)} injected dependenc{'y' if len(names) == 1 else 'ies'} (max {limit}): "
                    f"{', '.join(names)}. Group collaborators that change together behind one dependency "
                    "class, or split it",
                    location,
                )

    @staticmethod
    def provides_value(index, node_id: str, parameter: str, target_id: str) -> bool:
        """Whether a dependency hands over a value rather than a collaborator: the parameter or the provider's
        return is annotated with data (`str`, a model, an enum, `Optional[...]` of those), it is a security
        scheme (the request's credentials), or its provider only reads request inputs (query, path, header
        or body parameters, and nothing injected): a parameter parser, not a collaborator."""
        resolver = index.resolver
        graph = index.graph
        source = _function(index, node_id)
        if source is not None:
            facts, function = source
            declared = next((p for p in function.parameters if p.name == parameter), None)
            if declared is not None and annotation_kind(resolver, declared.annotation,
                                                        Ctx(facts.module, function.scope)) in ("data", "settings"):
                return True
        target = graph.node(target_id)
        if target.kind == "instance" and target.class_id is not None:
            module = next((m for m in module_prefixes(target.class_id) if index.has_module(m)), None)
            class_sym = DefSym(module, target.class_id[len(module) + 1:], "class") if module else \
                resolver.imported(target.class_id)
            return is_security_scheme(resolver, class_sym)
        if target.kind == "class" and target.location is None:
            return is_security_scheme(resolver, resolver.imported(target_id))
        provider = _function(index, target_id)
        if provider is None:
            return False
        facts, function = provider
        ctx = Ctx(facts.module, function.scope)
        if function.return_annotation is not None and annotation_kind(
                resolver, function.return_annotation, ctx) in ("data", "settings"):
            return True
        own = [p for p in function.parameters if p.name not in ("self", "cls")]
        return bool(own) and not any(graph.edges_between(target_id, inner) for inner in graph.dependencies_of(
            target_id))

    @staticmethod
    def collaborator(index, node_id: str) -> bool:
        """Whether what a container or a composition root passes to a constructor is a collaborator: a
        provider, a bound interface, a project service class; not a value (a settings model, a dataclass)."""
        graph = index.graph
        node = graph.node(node_id)
        if node.kind != "class" or node.location is None:
            return node.kind != "unresolved"
        if any(edge.via == "container-binding" for target in graph.dependencies_of(node_id)
               for edge in graph.edges_between(node_id, target)):
            return True
        module = next((m for m in module_prefixes(node_id) if index.has_module(m)), None)
        return module is not None and service_class(
            index.resolver, DefSym(module, node_id[len(module) + 1:], "class")) is not None

    @staticmethod
    def constructor_services(index, limit: int):
        """(class id, required constructor parameters typed with project services, class location) for every
        class with an `__init__`; optional ones are slots a caller may fill (a stack of plugins), not needs."""
        resolver = index.resolver
        for name in sorted(index.sources):
            facts = index.modules[name]
            for cls in facts.classes.values():
                init = facts.functions.get(f"{cls.qualname}.__init__")
                if init is None or len(init.parameters) <= 1:
                    continue
                ctx = Ctx(facts.module, init.scope)
                names = set()
                for parameter in init.parameters[1:]:
                    if parameter.annotation is None or parameter.kind in ("var_positional", "var_keyword") \
                            or parameter.default is not None:  # an optional slot (`alerter: Alerter | None = None`)
                        continue
                    (type_expr, type_ctx), _ = resolver.annotation_parts(parameter.annotation, ctx)
                    if isinstance(type_expr, SubscriptExpr) and type_expr.items and resolver.qualified(
                            resolver.resolve(type_expr.value, type_ctx)) == "typing.Optional":
                        type_expr = type_expr.items[0]
                    if service_class(resolver, resolver.class_of(resolver.resolve_qualified(type_expr, type_ctx))):
                        names.add(parameter.name)
                if names:
                    yield f"{facts.module}.{cls.qualname}", names, cls.location


def _function(index, function_id: str):
    """(module facts, function facts) of a graph node that is a function of the project, or None."""
    module = next((m for m in module_prefixes(function_id) if index.has_module(m)), None)
    if module is None:
        return None
    facts = index.facts(module)
    function = facts.functions.get(function_id[len(module) + 1:]) if facts is not None else None
    return (facts, function) if function is not None else None
