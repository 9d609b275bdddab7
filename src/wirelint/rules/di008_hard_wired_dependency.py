"""DI008 hard-wired-dependency."""

from __future__ import annotations

from ..analyzer.containers import service_class
from ..analyzer.models import Location, render
from ..analyzer.resolve import Ctx
from ..analyzer.values import CLIENTS, creates_session
from .base import Invalid, Rule, Valid, register


@register
class HardWiredDependency(Rule):
    code = "DI008"
    name = "hard-wired-dependency"
    severity = "warning"
    summary = "An injected class builds its own service collaborators instead of receiving them."
    explanation = """\
## What it does
Looks at the constructors of classes FastAPI injects (`Depends(Service)`, `Annotated[Service, Depends()]`)
and reports `self.x = ...` assignments that build a collaborator: a project service class (a class with
behaviour that is not a dataclass, pydantic model, enum, named tuple or exception), a database session, or
an HTTP/SDK client (httpx, requests, aiohttp, boto3, redis, pymongo, smtplib, ...). Value objects,
containers, locks, loggers and models are fine.

## Why is this bad?
The class is half injected: FastAPI builds it, but what it uses is fixed inside. Tests cannot replace the
mailer or the repository with `dependency_overrides`, the collaborator's lifetime (a session, a connection
pool) belongs to no one, and every instance opens its own client.

## Example
```python
class BookAnnouncer:
    def __init__(self):
        self.repo = BookRepository(SessionLocal())
        self.mailer = SmtpMailer()
```

## Use instead
```python
class BookAnnouncer:
    def __init__(self, repo: Annotated[BookRepository, Depends(get_repository)],
                 mailer: Annotated[Mailer, Depends(get_mailer)]):
        self.repo = repo
        self.mailer = mailer
```

## References
- https://fastapi.tiangolo.com/tutorial/dependencies/classes-as-dependencies/
"""
    valid = (
        # A worker main() builds is not injected by FastAPI: what its constructor builds is its own business.
        Valid("""\
from fastapi import FastAPI
class Db:
    def query(self) -> None: ...
class Mailer:
    def send(self) -> None: ...
class Worker:
    def __init__(self, db):
        self.db = db
        self.mailer = Mailer()
    def run(self) -> None: ...
def main():
    worker = Worker(Db())
    worker.run()
app = FastAPI()
"""),
        Valid("""\
import logging
import threading
from dataclasses import dataclass
from typing import Annotated
from fastapi import APIRouter, Depends
router = APIRouter()
@dataclass
class Money:
    amount: int
class Mailer:
    def send(self, to: str) -> str:
        return to
def get_mailer() -> Mailer:
    return Mailer()
class Announcer:
    def __init__(self, mailer: Annotated[Mailer, Depends(get_mailer)]):
        self.mailer = mailer
        self.sent = []
        self.lock = threading.Lock()
        self.log = logging.getLogger(__name__)
        self.price = Money(3)
        self.by_id = dict()
class Plain:
    def __init__(self):
        self.mailer = Mailer()   # not injected by FastAPI: out of scope
@router.post("/")
def post(a: Annotated[Announcer, Depends()]):
    return a.mailer.send("x")
"""),
    )
    invalid = (
        Invalid("""\
import httpx
from typing import Annotated
from fastapi import APIRouter, Depends
from sqlalchemy.orm import sessionmaker
SessionLocal = sessionmaker()
router = APIRouter()
class Repository:
    def __init__(self, db):
        self.db = db
    def get(self, key):
        return self.db.get(key)
class Announcer:
    def __init__(self):
        self.repo = Repository(SessionLocal())
        self.http = httpx.Client()
        self.db = SessionLocal()
@router.post("/")
def post(a: Annotated[Announcer, Depends()]):
    return a.repo
""", ((("app.py", 14)), ("app.py", 15), ("app.py", 16))),
    )

    def check(self, index):
        resolver = index.resolver
        graph = index.graph
        injected = {node.id for node in graph.nodes() if node.kind == "class" and not graph.composed(node.id)}
        for name in sorted(index.sources):
            facts = index.modules[name]
            for construction in facts.constructions:
                if f"{facts.module}.{construction.class_qualname}" not in injected:
                    continue
                class_facts = facts.classes.get(construction.class_qualname)
                ctx = Ctx(facts.module, class_facts.scope if class_facts else "")
                what = self.collaborator(resolver, construction.callee, ctx)
                if what:
                    location = Location(facts.path, construction.line, construction.column, construction.line,
                                        construction.column)
                    yield self.finding(
                        f"{construction.class_qualname}.__init__ builds {what} itself (`self.{construction.attribute}"
                        f" = {render(construction.callee)}(...)`); receive it as a parameter with Depends so it "
                        "can be replaced and its lifetime is managed",
                        location,
                    )

    @staticmethod
    def collaborator(resolver, callee, ctx: Ctx) -> str | None:
        session = creates_session(resolver, callee, None, ctx)
        if session:
            return session
        sym = resolver.class_of(resolver.resolve_qualified(callee, ctx))
        name = resolver.qualified(sym)
        if name in CLIENTS:
            return f"a client ({name})"
        service = service_class(resolver, sym)
        if service:
            return f"a service ({service})"
        return None
