"""DI007 called-dependency."""

from __future__ import annotations

from ..analyzer.models import CallExpr, Location, render
from ..analyzer.resolve import DependsMarker
from .base import Invalid, Rule, Valid, register


@register
class CalledDependency(Rule):
    code = "DI007"
    name = "called-dependency"
    severity = "error"
    summary = "`Depends(f())` passes what a provider returns instead of the provider."
    explanation = """\
## What it does
Finds `Depends(...)` and `Security(...)` whose argument is a call that does not return something FastAPI can
call: a generator or async provider that was called, a function returning a plain value, a class without
`__call__` that was instantiated. A factory that returns a function, a lambda, a `functools.partial` or a
callable instance is fine (`Depends(require_role("admin"))`). A marker wrapped in another marker
(`Depends(Depends(get_db))`, `Depends(deps.depends(Mailer))` with lagom) is reported too: FastAPI raises
`TypeError` when the route is declared.

## Why is this bad?
`Depends` wants the callable, and calls it once per request. Passing `get_settings()` evaluates it once at
import time: FastAPI then fails at start-up because the value is not callable, or, with a generator provider,
the session it yields is opened at import and never closed. The intent (a fresh value per request, cleaned up
afterwards) is lost.

## Example
```python
@router.get("/items")
def list_items(settings: Settings = Depends(get_settings())):  # called at import
    ...
```

## Use instead
```python
@router.get("/items")
def list_items(settings: Settings = Depends(get_settings)):
    ...
```

## References
- https://fastapi.tiangolo.com/tutorial/dependencies/
"""
    valid = (
        Valid("""\
from functools import partial
from fastapi import APIRouter, Depends
router = APIRouter()
def get_settings():
    return {"debug": False}
def require_role(role: str):
    def checker():
        return role
    return checker
def paged(limit: int):
    return limit
class Paginator:
    def __init__(self, size: int):
        self.size = size
    def __call__(self):
        return self.size
@router.get("/")
def ok(a=Depends(get_settings), b=Depends(require_role("admin")), c=Depends(partial(paged, 10)),
       d=Depends(Paginator(5)), e=Depends(lambda: 1)):
    return 1
"""),
        # Unknown (external) callables are never reported.
        Valid("""\
from fastapi import APIRouter, Depends
from fastapi.security import HTTPBearer
from somelib import make_dependency
router = APIRouter()
@router.get("/")
def ok(token=Depends(HTTPBearer()), x=Depends(make_dependency("x"))):
    return 1
"""),
    )
    invalid = (
        # A marker inside a marker: lagom's deps.depends(X) and Depends(f) already are what Depends wants.
        Invalid("""\
from fastapi import APIRouter, Depends
from lagom import Container
from lagom.integrations.fast_api import FastApiIntegration
router = APIRouter()
class Mailer:
    def send(self) -> None: ...
def get_db():
    return 1
deps = FastApiIntegration(Container())
@router.post("/")
def send(mailer: Mailer = Depends(deps.depends(Mailer)), db=Depends(Depends(get_db))):
    return 1
""", (("app.py", 11), ("app.py", 11))),
        Invalid("""\
from fastapi import APIRouter, Depends
router = APIRouter()
def get_settings():
    return {"debug": False}
@router.get("/")
def called(settings=Depends(get_settings())):
    return settings
""", 6),
        Invalid("""\
from typing import Annotated
from fastapi import APIRouter, Depends
router = APIRouter()
def get_db():
    db = object()
    try:
        yield db
    finally:
        pass
class Settings:
    def __init__(self):
        self.debug = False
@router.get("/", dependencies=[Depends(Settings())])
def called(db: Annotated[object, Depends(get_db())]):
    return db
""", (("app.py", 13), ("app.py", 14))),
    )

    def check(self, index):
        resolver = index.resolver
        seen: set[tuple[str, int, int]] = set()
        for site in index.sites:
            call = site.dependency
            if not isinstance(call, CallExpr):
                continue
            wrapped = isinstance(resolver.marker(call, site.ctx), DependsMarker)
            callable_, reason = (False, "") if wrapped else resolver.call_result_is_callable(call, site.ctx)
            if callable_ is not False:
                continue
            facts = index.facts(site.ctx.module)
            path = facts.path if facts is not None else site.location.path
            location = Location(path, call.line, call.column, call.line, call.column) if call.line else site.location
            key = (location.path, location.line, location.column)
            if key in seen:
                continue
            seen.add(key)
            if wrapped:  # `Depends(deps.depends(Mailer))`, `Depends(Depends(get_db))`
                yield self.finding(
                    f"Depends({render(call)}): {render(call)} is already a dependency marker, not a callable: "
                    f"FastAPI raises TypeError when the route is declared; use {render(call)} alone", location)
                continue
            yield self.finding(
                f"Depends({render(call)}): {reason}; pass {render(call.func)} itself (without calling it)",
                location,
            )
