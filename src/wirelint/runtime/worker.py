"""The graph FastAPI itself builds, read from a live app: IMPORTS AND RUNS the user's code.

Only `wirelint graph/check --app` (explicitly opt-in) and the oracle tests use it, always in a child process:

    python -m wirelint.runtime.worker ROOT pkg.main:app     # one document on stdout
    python -m wirelint.runtime.worker --worker              # JSON lines in: {"root": ..., "app": ...}

Output: {"routes": [[endpoint_id, [METHODS], path], ...], "edges": [[source, target, kind], ...],
"parameters": [[source, target, name], ...], "options": [[source, target, name or null, use_cache, scope, [own
Security scopes]], ...], "order": {id: [dependency ids in the order FastAPI solves them]}, "nodes": {id: {"kind", "yields", "is_async", "cached", "path", "line"}}} where kind is
"param" for a parameter's dependency and "list" for a `dependencies=[...]` entry, or {"error": "..."}. Instance
nodes also carry "class", and their path and line are those of the module variable holding them (or null).
Node ids follow docs/graph-model.md. Nothing from wirelint's static path is imported here.
"""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import json
import sys
import traceback


class UnreadableRoute(Exception):
    """An `app.routes` entry that is neither a route wirelint knows nor an included router it can expand.

    Raised rather than skipped: a runtime graph silently missing routes made `check --app` report every one of
    them as a difference (FastAPI 0.137.0 kept included routers as lazy entries the old fallback ignored)."""


def _holder(obj, prefix: str) -> tuple[str, str] | None:
    """(module, variable) of the project module that assigns (not imports) a variable holding `obj`."""
    for name, module in sorted(sys.modules.items()):
        if not (name == prefix or name.startswith(prefix + ".")) or module is None:
            continue
        for variable, value in vars(module).items():
            if value is obj and _assigns(module, variable):
                return name, variable
    return None


def _assigning_module(obj, prefix: str) -> str | None:
    """`module.variable` for the project module that assigns (not imports) a variable holding `obj`."""
    held = _holder(obj, prefix)
    return f"{held[0]}.{held[1]}" if held else None


@functools.lru_cache(maxsize=None)
def _assignments(path: str) -> dict[str, int]:
    """Top-level variable -> line of its last assignment statement (the value the module holds after import)."""
    try:
        tree = ast.parse(open(path, encoding="utf-8").read())
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return {}
    lines = {}
    for node in tree.body:
        targets = (node.targets if isinstance(node, ast.Assign) else
                   [node.target] if isinstance(node, ast.AnnAssign) else [])
        lines.update((target.id, node.lineno) for target in targets if isinstance(target, ast.Name))
    return lines


def _assigns(module, variable: str) -> bool:
    path = getattr(module, "__file__", None)
    return bool(path) and variable in _assignments(path)


def _variable_location(obj, prefix: str) -> tuple[str | None, int | None]:
    """Where the module variable holding an instance is assigned, as the static graph locates it, or no
    location (the class's own source, often in site-packages, would point at the wrong place)."""
    held = _holder(obj, prefix)
    if held is None:
        return None, None
    path = getattr(sys.modules[held[0]], "__file__", None)
    return (path, _assignments(path)[held[1]]) if path else (None, None)


def class_id(cls, prefix: str) -> str:
    """A project class by its definition (`module.qualname`); a library class by the shortest package that
    exports it (`fastapi.security.OAuth2PasswordBearer`, not `fastapi.security.oauth2.`), as code imports it."""
    module, qualname = getattr(cls, "__module__", None) or "builtins", cls.__qualname__
    if module != prefix and not module.startswith(prefix + ".") and "." not in qualname:
        parts = module.split(".")
        for end in range(1, len(parts)):
            package = sys.modules.get(".".join(parts[:end]))
            if package is not None and getattr(package, qualname, None) is cls:
                return f"{'.'.join(parts[:end])}.{qualname}"
    return f"{module}.{qualname}"


def _fastapi_version() -> str:
    try:
        from fastapi import __version__
    except ImportError:
        return "(version unknown)"
    return __version__


def _without_dependencies(route) -> bool:
    """Routes FastAPI solves no dependencies for: its docs and OpenAPI routes, Starlette routes, mounts, hosts."""
    from starlette.routing import Host, Mount, Route, WebSocketRoute

    return isinstance(route, (Route, WebSocketRoute, Mount, Host))


def _expand(entry):
    if getattr(entry, "dependant", None) is not None:
        yield entry  # APIRoute, APIWebSocketRoute, or an included route's effective context
        return
    contexts = getattr(entry, "effective_route_contexts", None)
    if callable(contexts):  # FastAPI 0.137.0 and 0.137.1: an included router kept as a lazy `_IncludedRouter`
        for context in contexts():
            # a context of an APIRoute carries the dependant itself; others rebuild a Starlette route
            starlette_route = getattr(context, "starlette_route", None)
            yield from _expand(starlette_route if starlette_route is not None else context)
        return
    original = getattr(entry, "original_route", None) or entry  # the route behind a RouteContext
    if _without_dependencies(original):
        return
    kind = type(original)
    raise UnreadableRoute(
        f"FastAPI {_fastapi_version()}: app.routes holds an entry of type {kind.__module__}.{kind.__qualname__} "
        "that is neither a route wirelint knows (an APIRoute, an APIWebSocketRoute, a Starlette Route, WebSocketRoute, "
        "Mount or Host) nor an included router it can expand (no effective_route_contexts()); stopping rather "
        "than drawing a graph without its routes, please report it")


def route_entries(routes, iter_route_contexts=None):
    """Each route FastAPI serves that has a dependency tree (a `dependant`), included routers expanded.

    `iter_route_contexts` is FastAPI's own reader (0.137.2 and later); without it (before 0.137.2) entries are
    read as they are: flat copies before 0.137.0, lazy included routers expanded by hand in 0.137.0 and 0.137.1.
    Anything else fails with UnreadableRoute rather than being skipped."""
    for entry in (iter_route_contexts(routes) if iter_route_contexts is not None else routes):
        yield from _expand(entry)


def node_id(call, prefix: str) -> str:
    if isinstance(call, functools.partial):
        return node_id(call.func, prefix)
    if inspect.ismethod(call):
        call = call.__func__
    call = inspect.unwrap(call) if hasattr(call, "__wrapped__") else call
    if inspect.isfunction(call) and call.__name__ == "<lambda>":
        held = _assigning_module(call, prefix)
        if held:
            return held
    if inspect.isfunction(call) or inspect.isclass(call):
        return f"{call.__module__}.{call.__qualname__}"
    held = _assigning_module(call, prefix)
    if held:
        return held
    return f"{type(call).__module__}.{type(call).__qualname__}()"


def runtime_document(root: str, reference: str) -> dict:
    module_name, _, attribute = reference.partition(":")
    sys.path.insert(0, root)
    try:
        module = importlib.import_module(module_name)
        app = eval(attribute, vars(module))  # an attribute or a factory call such as create_app()
    finally:
        sys.path.remove(root)
    prefix = module_name.split(".")[0]
    edges: set[tuple[str, str, str]] = set()
    routes: set[tuple[str, tuple[str, ...], str]] = set()

    nodes: dict[str, dict] = {}
    parameters: set[tuple[str, str, str]] = set()
    options: set[tuple[str, str, str | None, bool, str | None, tuple[str, ...]]] = set()
    order: dict[str, list[str]] = {}  # each node's dependencies in the order FastAPI solves them

    def describe(node: str, call, kind: str | None = None) -> None:
        if node in nodes:
            return
        target = call.func if isinstance(call, functools.partial) else call
        target = target.__func__ if inspect.ismethod(target) else target
        target = inspect.unwrap(target) if hasattr(target, "__wrapped__") else target  # lru_cache, wraps
        if kind is None:
            if inspect.isclass(target):
                kind = "class"
            elif inspect.isfunction(target):
                kind = "factory" if "<locals>" in target.__qualname__ else "provider"
            else:
                kind = "instance"
        function = target if inspect.isfunction(target) else getattr(type(target), "__call__", None)
        yields = bool(function) and (inspect.isgeneratorfunction(function) or inspect.isasyncgenfunction(function))
        is_async = not inspect.isclass(target) and bool(function) and (
            inspect.iscoroutinefunction(inspect.unwrap(function)) or inspect.isasyncgenfunction(function))
        cached = callable(getattr(call, "cache_info", None))  # functools.lru_cache / cache
        if inspect.isfunction(target) or inspect.isclass(target):
            path = line = None
            try:
                path = inspect.getsourcefile(target)
                line = inspect.getsourcelines(target)[1]
            except (OSError, TypeError):
                pass
            nodes[node] = {"kind": kind, "yields": yields, "is_async": is_async, "cached": cached, "path": path,
                           "line": line}
        else:  # an instance: located by the module variable that holds it, as the static graph does
            path, line = _variable_location(target, prefix)
            nodes[node] = {"kind": kind, "yields": yields, "is_async": is_async, "cached": cached, "path": path,
                           "line": line, "class": class_id(type(target), prefix)}

    def own_scopes(sub, parent) -> list[str]:
        """The scopes `Security(..., scopes=[...])` declares on this dependency itself."""
        if hasattr(sub, "own_oauth_scopes"):  # FastAPI 0.12x and later
            return list(sub.own_oauth_scopes or [])
        inherited = list(getattr(parent, "security_scopes", None) or [])
        return [scope for scope in getattr(sub, "security_scopes", None) or [] if scope not in inherited]

    def walk(source: str, dependant, seen: frozenset[str]) -> None:
        if dependant.dependencies:
            order.setdefault(source, [node_id(sub.call, prefix) for sub in dependant.dependencies])
        for sub in dependant.dependencies:
            target = node_id(sub.call, prefix)
            describe(target, sub.call)
            edges.add((source, target, "param" if sub.name is not None else "list"))
            if sub.name is not None:
                parameters.add((source, target, sub.name))
            options.add((source, target, sub.name, bool(sub.use_cache), getattr(sub, "scope", None),
                         tuple(own_scopes(sub, dependant))))
            if target not in seen:
                walk(target, sub, seen | {target})

    try:
        from fastapi.routing import iter_route_contexts  # FastAPI 0.137.2 and later
    except ImportError:
        iter_route_contexts = None
    for route in route_entries(app.routes, iter_route_contexts):
        endpoint = node_id(route.endpoint, prefix)
        describe(endpoint, route.endpoint, "endpoint")
        methods = getattr(route, "methods", None)
        routes.add((endpoint, tuple(sorted(methods)) if methods else ("WEBSOCKET",), route.path))
        walk(endpoint, route.dependant, frozenset({endpoint}))
    return {"routes": sorted(routes), "edges": sorted(edges), "parameters": sorted(parameters),
            "options": sorted(options, key=lambda item: tuple(map(str, item))),
            "order": dict(sorted(order.items())),
            "nodes": dict(sorted(nodes.items()))}


def worker() -> None:
    for line in sys.stdin:
        request = json.loads(line)
        try:
            response = runtime_document(request["root"], request["app"])
        except BaseException as error:  # noqa: BLE001 - reported to the caller, the worker keeps serving
            response = {"error": f"{type(error).__name__}: {error}", "traceback": traceback.format_exc()[-2000:]}
        sys.stdout.write(json.dumps(response) + "\n")
        sys.stdout.flush()


def write_document(root: str, reference: str, output: str) -> int:
    """One document into `output` (the app may print to stdout at import); errors are documents too."""
    try:
        document = runtime_document(root, reference)
    except BaseException as error:  # noqa: BLE001 - SystemExit from an app included: reported, not raised
        document = {"error": f"{type(error).__name__}: {error}", "traceback": traceback.format_exc()[-2000:]}
    with open(output, "w", encoding="utf-8") as stream:
        json.dump(document, stream)
    return 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--worker"]:
        worker()
    elif len(sys.argv) == 4:
        raise SystemExit(write_document(sys.argv[1], sys.argv[2], sys.argv[3]))
    else:
        print(json.dumps(runtime_document(sys.argv[1], sys.argv[2])))
