"""DI006 shared-mutable-state."""

from __future__ import annotations

from ..analyzer.models import Location
from ..analyzer.resolve import Ctx, VarSym
from .base import Invalid, Rule, Valid, register
from .request_path import follow_calls, request_path_functions


@register
class SharedMutableState(Rule):
    code = "DI006"
    name = "shared-mutable-state"
    severity = "warning"
    summary = "A module-level list, dict or set is written while serving requests."
    explanation = """\
## What it does
Finds endpoints, providers, injected classes' methods and factories' inner functions, and the project
functions and methods they call, that write to a
module-level mutable container (item assignment or deletion, `append`, `update`, `setdefault`, `pop`, ...),
wherever the container is defined, or rebind a name declared `global`. Reads are fine; so is module-level
setup code.

## Why is this bad?
The container is shared by every request the process serves, concurrently, and by nobody else: each worker
process has its own copy, so what one request writes another may never see; it grows without bound; tests
leak state into each other; and nothing in the dependency graph says the endpoint depends on it.

## Example
```python
_favorites: dict[str, list[int]] = {}

@router.post("/favorites/{book_id}")
def add_favorite(book_id: int, user: CurrentUser):
    _favorites.setdefault(user.name, []).append(book_id)
```

## Use instead
Keep the state where it belongs (a database, a cache service) behind a dependency, so it is explicit,
replaceable in tests and shared correctly across workers:
```python
@router.post("/favorites/{book_id}")
def add_favorite(book_id: int, user: CurrentUser, store: Annotated[FavoritesStore, Depends(get_store)]):
    store.add(user.name, book_id)
```

## References
- https://fastapi.tiangolo.com/deployment/server-workers/
"""
    valid = (
        # A class only the composition root builds registers itself at start-up, not per request.
        Valid("""\
from fastapi import FastAPI
PLUGINS = []
class Db:
    def query(self) -> None: ...
class PluginHost:
    def __init__(self, db):
        self.db = db
        PLUGINS.append(self)
    def run(self) -> None: ...
host = PluginHost(Db())
app = FastAPI()
"""),
        Valid("""\
from fastapi import APIRouter
router = APIRouter()
LIMITS = {"free": 10}
REGISTRY: dict[str, int] = {}
REGISTRY["boot"] = 1
def register(name: str) -> None:   # setup code, not a request path
    REGISTRY[name] = 1
@router.get("/")
def read(name: str):
    items = []
    items.append(name)
    local = dict(LIMITS)
    local["x"] = 2
    return LIMITS.get(name), items, local
"""),
        # A method that writes the global but is only called by an admin script, not while serving requests.
        Valid("""\
from typing import Annotated
from fastapi import APIRouter, Depends
router = APIRouter()
HITS: list[str] = []
class Store:
    def add(self, key: str) -> None:
        return None
    def reset(self) -> None:
        HITS.clear()
@router.get("/{key}")
def hit(key: str, store: Annotated[Store, Depends()]):
    store.add(key)
    return key
def admin_reset() -> None:
    Store().reset()
"""),
    )
    invalid = (
        Invalid({
            "app/__init__.py": "",
            "app/state.py": "SEEN = set()\nhits = 0\n",
            "app/api.py": """\
from fastapi import APIRouter, Depends
from app.state import SEEN
from app import state
router = APIRouter()
_cache: dict[str, str] = {}
def remember(key: str):
    SEEN.add(key)
    return key
def count(key: str) -> None:
    _cache[key] = "counted"
@router.get("/{key}")
def read(key: str = Depends(remember)):
    global _cache
    count(key)
    _cache[key] = key
    del _cache[key]
    _cache = {}
    return key
""",
        }, (("app/api.py", 7), ("app/api.py", 10), ("app/api.py", 15), ("app/api.py", 16), ("app/api.py", 17))),
        # Through methods: the endpoint calls an injected service, whose collaborator writes the global.
        Invalid("""\
from typing import Annotated
from fastapi import APIRouter, Depends
router = APIRouter()
HITS: list[str] = []
class Store:
    def add(self, key: str) -> None:
        HITS.append(key)
class Counter:
    def __init__(self, store: Annotated[Store, Depends()]):
        self.store = store
    def bump(self, key: str) -> None:
        self.store.add(key)
@router.get("/{key}")
def hit(key: str, counter: Annotated[Counter, Depends()]):
    counter.bump(key)
    return key
""", 7),
    )

    def check(self, index):
        resolver = index.resolver
        graph = index.graph
        request_path = follow_calls(index, request_path_functions(graph))
        for name in sorted(index.sources):
            facts = index.modules[name]
            for write in facts.global_writes:
                if f"{facts.module}.{write.function}" not in request_path:
                    continue
                scope = "" if write.declared_global else write.function
                sym = resolver.lookup(Ctx(facts.module, scope), write.name)
                if not (isinstance(sym, VarSym) and sym.scope == ""):
                    continue
                owner = index.facts(sym.module, complete=True)
                if write.how != "global assignment" and sym.name not in dict(owner.mutable_globals):
                    continue
                where = "" if sym.module == facts.module else f" (defined in {owner.path})"
                yield self.finding(
                    f"{write.function} changes the module-level `{write.name}`{where} while serving requests "
                    f"({write.how}): it is shared by every request and not by other worker processes; keep the "
                    "state behind a dependency",
                    Location(facts.path, write.line, write.column, write.line, write.column),
                )
