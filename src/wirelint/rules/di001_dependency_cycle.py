"""DI001 dependency-cycle."""

from __future__ import annotations

from ..analyzer.graph import CONTAINER_VIAS
from .base import Invalid, Related, Rule, Valid, register

_MAX_CYCLES_PER_RUN = 200


@register
class DependencyCycle(Rule):
    code = "DI001"
    name = "dependency-cycle"
    severity = "error"
    summary = "Providers or injected classes depend on each other in a cycle."
    explanation = """\
## What it does
Finds every cycle among dependency providers and injected classes: functions whose `Depends(...)` lead back
to themselves, classes whose constructors inject each other through `Depends()`, and mixed cycles. Cycles
through a DI container count too: lagom classes whose constructor annotations lead back to themselves through
the container's bindings (`container[Shipping] = ShippingService`). Each cycle is reported once, with its full
path and the location of every edge, whether or not a route reaches it yet.

## Why is this bad?
FastAPI resolves dependencies recursively when a route is declared. A cycle reached from any route makes
the application crash at import with a bare `RecursionError` that names no dependency. A cycle no route
reaches yet is a time bomb: the first endpoint that uses one of its providers brings the app down. A
container resolves lazily, so a cycle through it fails later still: on the first request that needs it.

## Example
```python
def get_user(settings=Depends(get_settings)): ...
def get_settings(user=Depends(get_user)): ...   # get_user -> get_settings -> get_user
```

## Use instead
Extract what both sides need into a third provider that depends on neither:
```python
def get_config(): ...
def get_user(config=Depends(get_config)): ...
def get_settings(config=Depends(get_config)): ...
```

## References
- https://fastapi.tiangolo.com/tutorial/dependencies/sub-dependencies/
"""
    valid = (
        # Constructions in a composition root always finish, and two containers do not share bindings.
        Valid("""\
from typing import Protocol
from fastapi import FastAPI
from lagom import Container
class Handler:
    def __init__(self, next_handler=None):
        self.next_handler = next_handler
    def handle(self) -> None: ...
class Engine:
    def run(self) -> None: ...
class Repo:
    def __init__(self, engine):
        self.engine = engine
    def load(self) -> None: ...
class Notifier(Protocol):
    def send(self) -> None: ...
class SqlRepo:
    def __init__(self, notifier: Notifier):
        self.notifier = notifier
    def load(self) -> None: ...
class EmailNotifier:
    def __init__(self, repo: Repo):
        self.repo = repo
    def send(self) -> None: ...
def create_app():
    chain = Handler(next_handler=Handler(next_handler=Handler()))
    repo = Repo(Engine())
    repo = Repo(repo)
    app = FastAPI()
    return app
api_container = Container()
api_container[Repo] = SqlRepo
worker_container = Container()
worker_container[Notifier] = EmailNotifier
"""),
        Valid("""\
from fastapi import Depends
def get_config():
    return {}
def get_user(config=Depends(get_config)):
    return 1
def get_settings(config=Depends(get_config), user=Depends(get_user)):
    return 2
"""),
        # A binding to an implementation that does not need its dependent is no cycle.
        Valid("""\
from typing import Protocol
from lagom import Container
class Shipping(Protocol):
    def ship(self) -> None: ...
class ShippingService:
    def __init__(self, rate: int = 3):
        self.rate = rate
    def ship(self) -> None: ...
class Invoices:
    def __init__(self, shipping: Shipping):
        self.shipping = shipping
container = Container()
container[Shipping] = ShippingService
"""),
        # Same function name in two modules is not a cycle.
        Valid({
            "a.py": "from fastapi import Depends\nimport b\ndef get_x(y=Depends(b.get_x)):\n    return 1\n",
            "b.py": "def get_x():\n    return 2\n",
        }),
    )
    invalid = (
        Invalid("""\
from __future__ import annotations
from typing import Annotated
from fastapi import Depends
def a(x: Annotated[int, Depends(b)]):
    return 1
def b(y: Annotated[int, Depends(a)]):
    return 2
""", 4),
        Invalid("""\
from typing import Annotated
from fastapi import Depends
class Orders:
    def __init__(self, billing: Annotated["Billing", Depends()]):
        self.billing = billing
class Billing:
    def __init__(self, orders: Annotated[Orders, Depends()]):
        self.orders = orders
""", 7),
        # Through a lagom container: Invoices -> Shipping (a Protocol) -> ShippingService -> Invoices.
        Invalid("""\
from typing import Protocol
from lagom import Container
class Shipping(Protocol):
    def ship(self) -> None: ...
class ShippingService:
    def __init__(self, invoices: "Invoices"):
        self.invoices = invoices
    def ship(self) -> None: ...
class Invoices:
    def __init__(self, shipping: Shipping):
        self.shipping = shipping
container = Container()
container[Shipping] = ShippingService
""", 10),
        Invalid({
            "deps/__init__.py": "",
            "deps/one.py": "from fastapi import Depends\nfrom deps import two\ndef first(x=Depends(two.second)):\n    return 1\n",
            "deps/two.py": "from fastapi import Depends\nfrom deps.one import first\ndef second(x=Depends(first)):\n    return 1\n",
        }, (("deps/one.py", 3),)),
    )

    @staticmethod
    def can_recurse(graph, hops) -> bool:
        """Whether resolving the cycle can loop: not when a composition root constructs one of its links
        (an explicit construction always finishes), nor when its links come from different containers."""
        containers = set()
        for source, target in hops:
            origins = {graph.edge_origin(edge) for edge in graph.edges_between(source, target)}
            if None in origins:
                continue  # FastAPI's edge (or dependency-injector's): it recurses
            if origins == {"composition"}:
                return False
            containers |= {origin for origin in origins if origin != "composition"}
        return len(containers) <= 1

    def check(self, index):
        graph = index.graph
        for number, cycle in enumerate(graph.cycles()):
            if number >= _MAX_CYCLES_PER_RUN:
                break
            hops = list(zip(cycle, cycle[1:] + cycle[:1]))
            edges = [graph.edges_between(source, target)[0] for source, target in hops]
            if not self.can_recurse(graph, hops):
                continue
            path = " -> ".join(cycle + [cycle[0]])
            related = [
                Related(edge.location, f"{source} depends on {target}")
                for (source, target), edge in zip(hops, edges)
                if edge.location is not None
            ]
            first = edges[0].location or graph.node(cycle[0]).location
            if any(edge.via in CONTAINER_VIAS for edge in edges):
                consequence = ("the container recurses without end (RecursionError) when anything resolves one "
                               "of these; extract what they share into a class that depends on neither")
            else:
                consequence = ("FastAPI raises RecursionError when a route depends on any of these; extract what "
                               "they share into a provider that depends on neither")
            yield self.finding(f"dependency cycle: {path}. {consequence}", first, related)
