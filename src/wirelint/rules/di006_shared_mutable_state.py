"""DI006 shared-mutable-state."""

from __future__ import annotations

from ..analyzer.models import GlobalWrite, Location, ModuleFacts
from ..analyzer.resolve import FASTAPI_APP, FASTAPI_ROUTER, Ctx, ModuleSym, VarSym
from ..analyzer.values import is_namespace_module
from .base import Invalid, Related, Rule, Valid, register
from .request_path import (
    follow_calls,
    module_prefixes,
    request_data,
    request_path_functions,
)


@register
class SharedMutableState(Rule):
    code = "DI006"
    name = "shared-mutable-state"
    severity = "warning"
    summary = "Request or user data is kept in module-level state, which each worker process has its own copy of."
    explanation = """\
## What it does
Finds module-level state (a list, dict or set, a name rebound with `global`, or an attribute of a module-level
object such as `settings.admins`) that code serving requests fills with request or user data: values derived
from what an endpoint or provider receives, passed on to the project functions and methods they call (up to
two calls below them: deeper down is a library's plumbing more often than a place requests keep data). It
reports each state object once, at its definition, with the writes as related locations.

It leaves alone what is per process by nature or recomputable: one-time initialisation
(`global _db; if _db is None: _db = make()`), sets of running tasks, locks, futures and other in-process
objects, memo caches and seen-sets (the function looks up the state it writes), state named a cache or a registry (in its
name or its module's), the app's own `app.state`, a library's module attributes (`litellm.cache = ...` is its
configuration; a module that only holds variables is a state holder and counts), constants and counters, and
writes that store nothing derived from the request. Test code and start-up code are not request paths.

## Why is this bad?
The state lives in one process. Behind `uvicorn --workers 4` or several replicas, the next request of the same
user lands on another process that never saw the write; a restart or a deploy loses it; it grows without
bound; and concurrent requests share it. Nothing in the dependency graph says the endpoint depends on it, so
tests cannot replace it and leak it into each other.

## Example
```python
_favorites: dict[str, list[int]] = {}

@router.post("/favorites/{book_id}")
def add_favorite(book_id: int, user: CurrentUser):
    _favorites.setdefault(user.name, []).append(book_id)
```

## Use instead
Keep the state where every process sees it (a database, a cache service) behind a dependency, so it is
explicit, replaceable in tests and shared correctly:
```python
@router.post("/favorites/{book_id}")
def add_favorite(book_id: int, user: CurrentUser, store: Annotated[FavoritesStore, Depends(get_store)]):
    store.add(user.name, book_id)
```

## References
- https://fastapi.tiangolo.com/deployment/server-workers/
- https://docs.python.org/3/library/asyncio-task.html#asyncio.create_task (keeping task references)
"""
    valid = (
        # Per process by nature or recomputable: one-time initialisation, running tasks, locks per key, memo
        # caches and seen-sets, id counters, reference counts, timestamps; setup code and scripts.
        Valid("""\
import asyncio
import time
from fastapi import APIRouter
router = APIRouter()
_client = None
_tasks: set = set()
_locks: dict = {}
_adapters: dict = {}
_seen: set = set()
_refs: dict = {}
_next_id = 0
_last_reload = 0.0
REGISTRY: dict[str, int] = {}
REGISTRY["boot"] = 1
def get_client():
    global _client
    if _client is None:
        _client = object()
    return _client
def adapter_for(kind: str):
    if kind in _adapters:
        return _adapters[kind]
    _adapters[kind] = ("adapter", kind)
    return _adapters[kind]
def warn_once(key: str) -> None:
    if key in _seen:
        return
    _seen.add(key)
async def work(item: str) -> None: ...
def register(name: str) -> None:   # setup code, not a request path
    REGISTRY[name] = 1
@router.post("/{item}")
async def submit(item: str):
    global _next_id, _last_reload
    task = asyncio.create_task(work(item))
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)
    lock = _locks.setdefault(item, asyncio.Lock())
    _refs[item] = _refs.get(item, 0) + 1
    _refs[item] -= 1
    _next_id += 1
    _last_reload = time.time()
    warn_once(item)
    items = []
    items.append(item)
    return get_client(), adapter_for(item), lock, items
"""),
        # One connection's subscription, keyed by its in-process queue and dropped when it closes (prefect's
        # event stream).
        Valid("""\
from asyncio import Queue
from fastapi import APIRouter
router = APIRouter()
subscribers: set[Queue] = set()
filters: dict[Queue, str] = {}
@router.websocket("/events")
async def stream(topic: str):
    queue = Queue(maxsize=256)
    subscribers.add(queue)
    filters[queue] = topic
    try:
        return await queue.get()
    finally:
        subscribers.remove(queue)
        del filters[queue]
"""),
        # A cache or a registry by name, the app's own state, a module holder initialised once.
        Valid({
            "app/__init__.py": "",
            "app/state.py": "model = None\n",
            "app/lib.py": "public_groups: list[str] = []\ndef complete(prompt: str) -> str:\n    return prompt\n",
            "app/main.py": """\
from fastapi import FastAPI
from app import lib, state
app = FastAPI()
@app.post("/admin/public")
def set_public(groups: list[str]):
    lib.public_groups = groups  # a library's configuration, not a holder of state
_created_at_cache: dict[str, float] = {}
_handler_registry: dict[str, str] = {}
@app.post("/login/{org}")
def login(org: str, created_at: float, payload: str):
    _created_at_cache[org] = created_at
    _handler_registry[org] = payload
    app.state.result = payload
    if state.model is None:
        state.model = ("model", org)
    return state.model
""",
        }),
        # Test code: a probe list an override fills for the test to assert on.
        Valid({
            "app/__init__.py": "",
            "app/main.py": """\
from fastapi import Depends, FastAPI
app = FastAPI()
def get_user(token: str = "") -> str:
    return token
@app.get("/")
def read(user: str = Depends(get_user)):
    return user
""",
            "tests/test_main.py": """\
from app.main import app, get_user
CALLS: list[str] = []
def fake_user(token: str = "") -> str:
    CALLS.append(token)
    return "alice"
def test_read():
    app.dependency_overrides[get_user] = fake_user
    try:
        assert CALLS == []
    finally:
        app.dependency_overrides.clear()
""",
        }),
        # A method that stores request data but is only called by an admin script, not while serving requests.
        Valid("""\
from typing import Annotated
from fastapi import APIRouter, Depends
router = APIRouter()
HITS: list[str] = []
class Store:
    def add(self, key: str) -> None:
        return None
    def record(self, key: str) -> None:
        HITS.append(key)
@router.get("/{key}")
def hit(key: str, store: Annotated[Store, Depends()]):
    store.add(key)
    return key
def admin_backfill(key: str) -> None:
    Store().record(key)
"""),
    )
    invalid = (
        # Once per state object, at its definition: a dict filled by an endpoint and by the helper it calls,
        # a set in another module, and a name rebound with request data.
        Invalid({
            "app/__init__.py": "",
            "app/state.py": "SEEN = set()\nlast_user = None\n",
            "app/api.py": """\
from fastapi import APIRouter, Depends
from app import state
from app.state import SEEN
router = APIRouter()
_sessions: dict[str, dict] = {}
def remember(key: str):
    SEEN.add(key)
    return key
def open_session(user: str, data: dict) -> None:
    _sessions[user] = data
@router.post("/{key}")
def login(key: str = Depends(remember), name: str = ""):
    open_session(name, {"key": key})
    _sessions.pop(name, None)
    state.last_user = name
    return key
""",
        }, (("app/api.py", 5), ("app/state.py", 1), ("app/state.py", 2))),
        # Through methods: the endpoint calls an injected service, whose collaborator stores the request's key;
        # and a module-level settings object whose list an admin endpoint changes in this process only.
        Invalid({
            "app/__init__.py": "",
            "app/settings.py": """\
class Settings:
    def __init__(self) -> None:
        self.admins: list[str] = []
settings = Settings()
""",
            "app/api.py": """\
from typing import Annotated
from fastapi import APIRouter, Depends
from app.settings import settings
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
@router.post("/admins/{user_id}")
def promote(user_id: str):
    settings.admins.append(user_id)
""",
        }, (("app/api.py", 5), ("app/settings.py", 4))),
        # Authorization codes handed from one request to the next: a capacity check is not a lookup, and the
        # key is fresh, so this is no memo cache.
        Invalid("""\
import uuid
from fastapi import APIRouter, Form, HTTPException
router = APIRouter()
_auth_codes: dict[str, dict] = {}
@router.post("/authorize")
def authorize(api_key: str = Form(...)):
    if len(_auth_codes) > 1000:
        raise HTTPException(503)
    code = str(uuid.uuid4())
    _auth_codes[code] = {"api_key": api_key}
    return code
@router.post("/token")
def token(code: str = Form(...)):
    record = _auth_codes.pop(code, None)
    return record
""", 4),
    )

    def check(self, index):
        resolver = index.resolver
        roots = request_path_functions(index.graph)
        reached = follow_calls(index, roots)
        carrying = request_data(index, roots)
        writes: dict[tuple[str, str], list[tuple[ModuleFacts, GlobalWrite]]] = {}
        by_module: dict[str, list[str]] = {}
        for function_id in reached:
            module = next((m for m in module_prefixes(function_id) if index.has_module(m)), None)
            if module is not None:
                by_module.setdefault(index.canonical(module), []).append(function_id[len(module) + 1:])
        for name in sorted(by_module):
            facts = index.facts(name)
            if facts.is_test or not facts.global_writes:
                continue
            functions = set(by_module[name])
            for write in facts.global_writes:
                if write.function in functions and (state := self.state_of(resolver, facts, write)) is not None:
                    writes.setdefault(state, []).append((facts, write))
        for (owner, dotted), found in sorted(writes.items()):
            storing = [(facts, write) for facts, write in found
                       if self.stores_request_data(write, carrying.get(f"{facts.module}.{write.function}"))]
            if not storing:
                continue
            location = self.definition(index, owner, dotted) or _location(*storing[0])
            facts, first = storing[0]
            derived = ", ".join(f"`{name}`" for name in first.sources)
            related = [Related(_location(facts, write),
                               f"{'stored' if write.stores else 'changed'} here by {write.function} ({write.how})")
                       for facts, write in sorted(found, key=lambda pair: (pair[0].path, pair[1].line,
                                                                          pair[1].column))]
            yield self.finding(
                f"`{dotted}` keeps request data in this process's memory ({first.function} stores what it derives "
                f"from {derived}): another worker process or a restart does not see it, and every request of this "
                "process shares it; keep it in a shared store behind a dependency",
                location, related)

    @staticmethod
    def stores_request_data(write: GlobalWrite, carrying) -> bool:
        if carrying is None or not (write.stores and carrying.parameters.intersection(write.sources)):
            return False
        if write.value in ("constant", "process") or write.lazy:
            return False
        if carrying.depth > 2:
            return False  # deep below the request's own code: a library's plumbing, not where requests store data
        # A function that looks up what it stores is a memo cache or a seen-set, unless it makes an empty slot for
        # the request's key that later writes fill (`sessions.setdefault(user, [])`: get-or-create).
        return not write.looks_up or write.value == "empty"

    @staticmethod
    def state_of(resolver, facts: ModuleFacts, write: GlobalWrite) -> tuple[str, str] | None:
        """`(module, dotted name)` of the module-level state a write changes, or None when it is not that."""
        root, _, rest = write.name.partition(".")
        sym = resolver.lookup(Ctx(facts.module, "" if write.declared_global else write.function), root)
        state: tuple[str, str] | None = None
        if isinstance(sym, ModuleSym) and rest and resolver.modules.has_module(sym.name):
            module = resolver.modules.canonical(sym.name)  # `state.telemetry += ...`: a module used as a holder
            owner = resolver.modules.facts(module)
            if rest.split(".", 1)[0] in owner.scopes[""].bindings and is_namespace_module(owner):
                state = (module, rest)
        elif isinstance(sym, VarSym) and sym.scope == "" and not sym.in_class:
            if rest:  # an attribute of a module-level object: mutable when something mutates it
                # The app's own `app.state` holds what the lifespan sets up (DI003's concern), not user data.
                if sym.binding.kind == "assign" and resolver.built_by(sym) not in FASTAPI_APP | FASTAPI_ROUTER:
                    state = (sym.module, write.name)
            else:
                owner = resolver.modules.facts(sym.module)
                if write.how == "global assignment" or root in dict(owner.mutable_globals):
                    state = (sym.module, root)
        if state is None or any(word in part.lower() for part in (state[0].rsplit(".", 1)[-1], *state[1].split("."))
                                for word in _PER_PROCESS_WORDS):
            return None
        return state

    @staticmethod
    def definition(index, module: str, dotted: str) -> Location | None:
        facts = index.facts(module)
        root = dotted.split(".", 1)[0]
        binding = facts.scopes[""].bindings.get(root)
        line = dict(facts.mutable_globals).get(root) or (binding.line if binding is not None else 0)
        return Location(facts.path, line, 1, line, 1) if line else None


# A cache or a registry says by its name that what it holds is per process and may be rebuilt: a miss
# recomputes the entry, a registry is filled again at start-up.
_PER_PROCESS_WORDS = ("cache", "registry")


def _location(facts: ModuleFacts, write: GlobalWrite) -> Location:
    return Location(facts.path, write.line, write.column, write.line, write.column)
