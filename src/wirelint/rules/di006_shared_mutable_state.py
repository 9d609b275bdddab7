"""DI006 shared-mutable-state."""

from __future__ import annotations

from ..analyzer.models import AttributeExpr, Location, NameExpr
from ..analyzer.resolve import Ctx, DefSym, VarSym
from .base import Invalid, Rule, Valid, register


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
        request_path = self.follow_calls(index, self.request_path_functions(graph))
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

    @staticmethod
    def follow_calls(index, roots: set[str], limit: int = 20_000) -> set[str]:
        """The request path: the functions FastAPI runs, and the project functions they call: through names,
        module attributes, and methods of instances whose class is known from `self`, a parameter's type or
        dependency, or a typed constructor parameter of the same name (no module is parsed just to know)."""
        resolver = index.resolver
        calls_by_module: dict[str, dict[str, list]] = {}
        reached = set(roots)
        queue = sorted(roots)
        while queue and len(reached) < limit:
            function_id = queue.pop()
            module = next((m for m in _module_prefixes(function_id) if index.has_module(m)), None)
            if module is None:
                continue
            if module not in calls_by_module:
                facts = index.facts(module)
                table: dict[str, list] = {}
                for caller, callee in facts.body_calls if facts.complete else ():
                    table.setdefault(caller, []).append(callee)
                calls_by_module[module] = table
            qualname = function_id[len(module) + 1:]
            for callee in calls_by_module[module].get(qualname, ()):
                sym = resolver.resolve_qualified(callee, Ctx(module, qualname))
                if not (isinstance(sym, DefSym) and sym.kind == "function"):
                    sym = SharedMutableState.method_called(index, module, qualname, callee)
                if isinstance(sym, DefSym) and sym.kind == "function":
                    target = f"{sym.module}.{sym.qualname}"
                    if target not in reached:
                        reached.add(target)
                        queue.append(target)
        return reached

    @staticmethod
    def method_called(index, module: str, qualname: str, callee) -> DefSym | None:
        """The project method behind `self.m()`, `param.m()` (a parameter typed with, or depending on, a
        project class) and `self.attr.m()` (`attr` received by the constructor under that name, typed)."""
        if not isinstance(callee, AttributeExpr):
            return None
        facts = index.facts(module)
        function = facts.functions.get(qualname) if facts is not None else None
        if function is None:
            return None
        resolver = index.resolver
        receiver = callee.value
        owner = None
        if isinstance(receiver, NameExpr):
            if receiver.name == "self" and function.class_qualname:
                owner = DefSym(module, function.class_qualname, "class")
            else:
                owner = SharedMutableState.parameter_class(resolver, function, receiver.name, Ctx(module, function.scope))
        elif (isinstance(receiver, AttributeExpr) and isinstance(receiver.value, NameExpr)
              and receiver.value.name == "self" and function.class_qualname):
            init = facts.functions.get(f"{function.class_qualname}.__init__")
            if init is not None:
                owner = SharedMutableState.parameter_class(resolver, init, receiver.attr, Ctx(module, init.scope))
        return resolver.find_method(owner, callee.attr) if owner is not None else None

    @staticmethod
    def parameter_class(resolver, function, name: str, ctx: Ctx) -> DefSym | None:
        """The project class a parameter holds: its annotation's type, or the class it `Depends()` on."""
        parameter = next((p for p in function.parameters if p.name == name), None)
        if parameter is None:
            return None
        dependency = resolver.dependency_of(parameter, ctx, parameter.default, ctx)
        if dependency is not None:
            expr, expr_ctx = dependency[1], dependency[2]
        else:
            (expr, expr_ctx), _ = resolver.annotation_parts(parameter.annotation, ctx)
        if expr is None:
            return None
        sym = resolver.class_of(resolver.resolve_qualified(expr, expr_ctx))
        return sym if isinstance(sym, DefSym) and sym.kind == "class" else None

    @staticmethod
    def request_path_functions(graph) -> set[str]:
        """Ids of the functions FastAPI runs for a request: endpoints and providers, injected classes' methods."""
        functions = set()
        for node in graph.nodes():
            if node.location is None or node.kind == "unresolved":
                continue
            functions.add(node.id)
            if node.kind == "class":
                functions.add(f"{node.id}.__init__")
            if node.kind == "instance" and node.class_id:
                functions.add(f"{node.class_id}.__call__")
        return functions


def _module_prefixes(function_id: str):
    """Candidate module names of `pkg.mod.func.<locals>.inner`, longest first."""
    parts = function_id.split(".")
    for end in range(len(parts) - 1, 0, -1):
        yield ".".join(parts[:end])
