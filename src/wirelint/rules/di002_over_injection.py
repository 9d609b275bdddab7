"""DI002 over-injection."""

from __future__ import annotations

from .base import Invalid, Option, Rule, Valid, register

_PARAMS = "\n".join(f"def dep{n}():\n    return {n}" for n in range(1, 9))


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
shortcuts. Path, query, header, cookie, body and `Request` parameters do not count. More than
`max-dependencies` (default 7) is reported, with the list of injected parameters.

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
        Valid(f"""\
from fastapi import APIRouter, Depends, Query, Request
router = APIRouter()
{_PARAMS}
@router.get("/{{item_id}}")
def seven(item_id: int, request: Request, q: str = Query(""), a=Depends(dep1), b=Depends(dep2),
          c=Depends(dep3), d=Depends(dep4), e=Depends(dep5), f=Depends(dep6), g=Depends(dep7), page: int = 1):
    return 1
"""),
    )
    invalid = (
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
    )

    def check(self, index):
        graph = index.graph
        limit = int(self.settings["max-dependencies"])
        for node in graph.nodes():
            if node.location is None or node.kind == "unresolved":
                continue
            injected = sorted({
                edge.parameter
                for target in graph.dependencies_of(node.id)
                for edge in graph.edges_between(node.id, target)
                if edge.via == "param" and edge.parameter
            })
            if len(injected) > limit:
                what = {"class": "constructor of", "instance": "__call__ of"}.get(node.kind, node.kind)
                yield self.finding(
                    f"{what} {node.id} receives {len(injected)} injected dependencies (max {limit}): "
                    f"{', '.join(injected)}. Group collaborators that change together behind one dependency "
                    "class, or split it",
                    node.location,
                )
