"""DI004 module-session-singleton."""

from __future__ import annotations

from ..analyzer.containers import body_ctx, declared_providers
from ..analyzer.lifetimes import CACHES
from ..analyzer.models import CallExpr, render
from ..analyzer.resolve import FASTAPI_APP, FASTAPI_ROUTER, Ctx, VarSym
from ..analyzer.values import DBAPI_CONNECT, creates_session
from .base import Invalid, Rule, Valid, register

_DBAPI_MODULES = frozenset(name.rsplit(".", 1)[0] for name in DBAPI_CONNECT)


@register
class ModuleSessionSingleton(Rule):
    code = "DI004"
    name = "module-session-singleton"
    severity = "error"
    summary = "A database session or connection is created at import time and shared by every request."
    explanation = """\
## What it does
Finds database sessions and connections created when a module is imported, or made singletons by a DI
container (dependency-injector `providers.Singleton(SessionLocal)`, lagom `container[Session] =
SessionLocal()`): SQLAlchemy `Session(...)` and
`AsyncSession(...)`, a call of a `sessionmaker(...)`/`async_sessionmaker(...)` (wherever it is defined),
`engine.connect()`, DB-API `connect(...)` (sqlite3, psycopg, pymysql, ...), `next(get_db())`, a call of a
helper that returns one of these, and a cached (`lru_cache`/`cache`) function that returns a session. Every
binding made at import time counts: module level, class attributes, tuple targets, `if`/`try` blocks (not
`if __name__ == "__main__":`, which runs as a script). A stand-alone script (a module outside any package, that
no import names and that declares no app, router or route) serves no request and is left alone; a module
inside a package is part of the application even when nothing analyzed imports it. Engines, sessionmakers, pools and
settings are meant to be module-level and are not reported.

## Why is this bad?
One session serves every request of the process, concurrently: a SQLAlchemy session is not thread-safe and
not safe across concurrent tasks, its identity map grows without bound and serves stale rows, and one failed
transaction leaves it unusable for every later request until restart. Tests cannot replace it with
`dependency_overrides` because nothing declares it.

## Example
```python
SessionLocal = sessionmaker(bind=engine)
db = SessionLocal()                      # one session for the whole process

def get_books():
    return db.scalars(select(Book)).all()
```

## Use instead
A per-request session from a yield dependency:
```python
def get_db():
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()

@router.get("/books")
def list_books(db: Annotated[Session, Depends(get_db)]): ...
```

## References
- https://fastapi.tiangolo.com/tutorial/sql-databases/
- https://docs.sqlalchemy.org/en/20/orm/session_basics.html#is-the-session-thread-safe-is-asyncsession-safe-to-share-in-concurrent-tasks
"""
    valid = (
        Valid("""\
from functools import lru_cache
from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker, scoped_session
engine = create_engine("sqlite://")
SessionLocal = sessionmaker(bind=engine)
registry = scoped_session(SessionLocal)
def get_db():
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()
def session_for_script() -> Session:
    return Session(engine)
@lru_cache
def get_engine():
    return create_engine("sqlite://")
current: Session | None = None
def make_engine():
    return create_engine("sqlite://")
def sessions():
    with SessionLocal() as session:
        yield session
other_engine = make_engine()  # a helper that returns an engine
pending = sessions()  # a generator: no session until it runs
if __name__ == "__main__":
    script_db = SessionLocal()  # run as a script, not imported
"""),
        # Per-resolution sessions from a container; singletons of the engine and the sessionmaker are fine.
        Valid("""\
from dependency_injector import containers, providers
from lagom import Container
from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker
from fastapi import APIRouter
router = APIRouter()
def get_session():
    with SessionLocal() as session:
        yield session
engine = create_engine("sqlite://")
SessionLocal = sessionmaker(bind=engine)
class Db(containers.DeclarativeContainer):
    engine = providers.Singleton(create_engine, "sqlite://")
    maker = providers.Singleton(sessionmaker, bind=engine)
    session = providers.Factory(SessionLocal)
    scoped = providers.Resource(get_session)
container = Container()
container[Session] = lambda: SessionLocal()
"""),
        # A stand-alone script: no analyzed module imports it and it declares no app, router or route.
        Valid({
            "app/__init__.py": "",
            "app/db.py": "from sqlalchemy import create_engine\nfrom sqlalchemy.orm import sessionmaker\n"
                         "SessionLocal = sessionmaker(bind=create_engine('sqlite://'))\n",
            "scripts/backfill.py": """\
from app.db import SessionLocal
session = SessionLocal()
for row in session.execute("select 1"):
    print(row)
""",
        }),
    )
    invalid = (
        # A module of the package that nothing analyzed imports is still the application's, not a script.
        Invalid({
            "app/__init__.py": "",
            "app/db.py": "from sqlalchemy import create_engine\nfrom sqlalchemy.orm import sessionmaker\n"
                         "SessionLocal = sessionmaker(bind=create_engine('sqlite://'))\n",
            "app/jobs.py": "from app.db import SessionLocal\nsession = SessionLocal()\n",
        }, (("app/jobs.py", 2),)),
        # A container's singleton of a session: one for the process, as a module-level one would be.
        Invalid("""\
from dependency_injector import containers, providers
from lagom import Container
from sqlalchemy import create_engine
from sqlalchemy.orm import Session, scoped_session, sessionmaker
from fastapi import APIRouter
router = APIRouter()
engine = create_engine("sqlite://")
SessionLocal = sessionmaker(bind=engine)
class Db(containers.DeclarativeContainer):
    session = providers.Singleton(SessionLocal)
    other = providers.ThreadSafeSingleton(Session, bind=engine)
container = Container()
container[Session] = SessionLocal()
Scoped = scoped_session(SessionLocal)
class Registry(containers.DeclarativeContainer):
    scoped = providers.Singleton(Scoped)  # this thread's session, kept for every thread
shared = Scoped()
""", (("app.py", 10), ("app.py", 11), ("app.py", 13), ("app.py", 16), ("app.py", 17))),
        # A module the application imports (its session is then shared by every request).
        Invalid({
            "app/__init__.py": "",
            "app/main.py": "from fastapi import FastAPI\nfrom app import db\napp = FastAPI()\n",
            "app/db.py": """\
import sqlite3
from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker
engine = create_engine("sqlite://")
SessionLocal = sessionmaker(bind=engine)
db = SessionLocal()
other = Session(engine)
conn = engine.connect()
raw = sqlite3.connect(":memory:")
""",
        }, (("app/db.py", 6), ("app/db.py", 7), ("app/db.py", 8), ("app/db.py", 9))),
        Invalid({
            "app/__init__.py": "",
            "app/db.py": """\
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
engine = create_async_engine("sqlite+aiosqlite://")
SessionFactory = async_sessionmaker(engine)
def get_db():
    with SessionFactory() as session:
        yield session
""",
            "app/routes.py": "from fastapi import APIRouter\nfrom app import deps\nrouter = APIRouter()\n",
            "app/deps.py": """\
from functools import lru_cache
from fastapi import Depends
from app.db import SessionFactory, get_db
session = next(get_db())
shared = SessionFactory()
@lru_cache
def cached_session():
    return SessionFactory()
""",
        }, (("app/deps.py", 4), ("app/deps.py", 5), ("app/deps.py", 7))),
        # Through a helper, a sessionmaker called in place, a class attribute, a tuple and a second binding,
        # in a module that declares a router (so it serves requests although nothing imports it).
        Invalid("""\
from fastapi import APIRouter
router = APIRouter()
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker
engine = create_engine("sqlite://")
SessionLocal = sessionmaker(bind=engine)
def new_session():
    return SessionLocal()
a = new_session()
c = sessionmaker(bind=engine)()
class Repo:
    db = SessionLocal()
x, y = SessionLocal(), 1
try:
    d = SessionLocal()
except Exception:
    d = None
class Connector:
    def __init__(self):
        self.engine = create_engine("sqlite://")
    def session(self):
        maker = sessionmaker(bind=self.engine)
        session = maker()
        return session
connector = Connector()
e = connector.session()
""", (("app.py", 9), ("app.py", 10), ("app.py", 12), ("app.py", 13), ("app.py", 15), ("app.py", 26))),
    )

    def check(self, index):
        yield from self.singleton_providers(index)
        resolver = index.resolver
        imported = self.imported_modules(index)
        for name in sorted(index.modules):
            facts = index.modules[name]
            scope = facts.scopes.get("")
            if scope is None:
                continue
            if ("." not in facts.module and name not in imported and name.rpartition(".")[2] not in imported
                    and not self.serves_requests(resolver, facts, scope)):
                continue  # a script: outside any package, no import names it, and it declares no app or route
            ctx = Ctx(facts.module, "")
            # every call bound at import time, in module and class bodies
            candidates = [(c.target, c.call.func, c.call, c.location) for c in facts.import_time_calls]
            for target, func, call, location in candidates:
                what = creates_session(resolver, func, call, ctx)
                if what:
                    callee = f"{render(func.func)}(...)" if isinstance(func, CallExpr) else render(func)
                    yield self.finding(
                        f"`{target} = {callee}(...)` creates {what} at import time, shared by every "
                        "request; create it per request in a yield dependency and inject it with Depends",
                        location,
                    )
            for function in facts.functions.values():
                if function.scope or function.class_qualname or not function.decorators:
                    continue
                function_ctx = Ctx(facts.module, "")
                if not resolver.decorator_names(function.decorators, function_ctx) & CACHES:
                    continue
                inner = Ctx(facts.module, function.qualname)
                for returned in function.returns:
                    if isinstance(returned, CallExpr):
                        what = creates_session(resolver, returned.func, returned, inner)
                        if what:
                            yield self.finding(
                                f"{function.name}() is cached, so the {what} it returns is created once and "
                                "shared by every request; return it from a yield dependency instead",
                                function.location,
                            )
                            break

    def singleton_providers(self, index):
        """dependency-injector singletons (`providers.Singleton(SessionLocal)`) of a session or connection."""
        resolver = index.resolver
        modules = [facts for facts in index.modules.values()
                   if facts.classes and facts.parse_error is None and not facts.is_test]
        for decl in declared_providers(resolver, modules):
            # ThreadLocalSingleton and ContextLocalSingleton make one per thread or context, as scoped_session
            if "Singleton" not in decl.kind or "Local" in decl.kind or decl.callable is None:
                continue
            callee = decl.callable
            what = creates_session(resolver, callee, None, body_ctx(resolver, callee, decl))
            if what:
                yield self.finding(
                    f"`{'.'.join(decl.id.split('.')[-2:])} = {render(decl.call)}` makes {what} once for the whole process, shared by every request; use providers.Factory, or "
                    "providers.Resource of a generator that closes it, and inject it per request",
                    decl.location,
                )

    @staticmethod
    def imported_modules(index) -> set[str]:
        """The analyzed modules some analyzed module imports (packages above included), and every name any
        import mentions: an import wirelint cannot resolve (`from common.session import ...` run from a
        folder that is not a package) must still keep `session` from passing for a stand-alone script."""
        found: set[str] = set()
        for facts in index.modules.values():
            for scope in facts.scopes.values():
                targets = [b.target for b in scope.bindings.values() if b.kind in ("import", "import_module")]
                for target in [*targets, *scope.star_imports]:
                    module = index.canonical(target) or index.canonical(target.rpartition(".")[0])
                    if module is None:
                        found.update(target.split("."))  # unresolved: it may name any analyzed module
                    while module:
                        found.add(module)
                        module = index.canonical(module.rpartition(".")[0]) if "." in module else None
        return found

    @staticmethod
    def serves_requests(resolver, facts, scope) -> bool:
        """Whether a module declares routes, includes routers or builds an app or a router (an entry point
        such as `main.py`, which only a server imports, by name)."""
        if facts.routes or facts.includes:
            return True
        return any(binding.kind == "assign" and resolver.built_by(VarSym(facts.module, "", variable, binding))
                   in FASTAPI_APP | FASTAPI_ROUTER for variable, binding in scope.bindings.items())

