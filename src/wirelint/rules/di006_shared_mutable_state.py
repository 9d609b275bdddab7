"""DI006 shared-mutable-state."""

from __future__ import annotations

from ..analyzer.models import Location
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
        """The request path: the functions FastAPI runs, and the project functions they call (through names and
        module attributes; calls on instances are not followed, so no module is parsed just to know)."""
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
                if isinstance(sym, DefSym) and sym.kind == "function":
                    target = f"{sym.module}.{sym.qualname}"
                    if target not in reached:
                        reached.add(target)
                        queue.append(target)
        return reached

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
