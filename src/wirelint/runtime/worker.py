"""The graph FastAPI itself builds, read from a live app: IMPORTS AND RUNS the user's code.

Only `wirelint graph/check --app` (explicitly opt-in) and the oracle tests use it, always in a child process:

    python -m wirelint.runtime.worker ROOT pkg.main:app     # one document on stdout
    python -m wirelint.runtime.worker --worker              # JSON lines in: {"root": ..., "app": ...}

Output: {"routes": [[endpoint_id, [METHODS], path], ...], "edges": [[source, target, kind], ...],
"parameters": [[source, target, name], ...], "nodes": {id: {"kind", "yields", "path", "line"}}} where kind is
"param" for a parameter's dependency and "list" for a `dependencies=[...]` entry, or {"error": "..."}. Node
ids follow docs/graph-model.md. Nothing from wirelint's static path is imported here.
"""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import json
import sys
import traceback


def _assigning_module(obj, prefix: str) -> str | None:
    """`module.variable` for the project module that assigns (not imports) a variable holding `obj`."""
    for name, module in sorted(sys.modules.items()):
        if not (name == prefix or name.startswith(prefix + ".")) or module is None:
            continue
        for variable, value in vars(module).items():
            if value is obj and _assigns(module, variable):
                return f"{name}.{variable}"
    return None


@functools.lru_cache(maxsize=None)
def _assigned_names(path: str) -> frozenset[str]:
    try:
        tree = ast.parse(open(path, encoding="utf-8").read())
    except (OSError, SyntaxError):
        return frozenset()
    names = set()
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        names.update(target.id for target in targets if isinstance(target, ast.Name))
    return frozenset(names)


def _assigns(module, variable: str) -> bool:
    path = getattr(module, "__file__", None)
    return bool(path) and variable in _assigned_names(path)


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
        path = line = None
        try:
            source = target if (inspect.isfunction(target) or inspect.isclass(target)) else type(target)
            path = inspect.getsourcefile(source)
            line = inspect.getsourcelines(source)[1]
        except (OSError, TypeError):
            pass
        nodes[node] = {"kind": kind, "yields": yields, "path": path, "line": line}

    def walk(source: str, dependant, seen: frozenset[str]) -> None:
        for sub in dependant.dependencies:
            target = node_id(sub.call, prefix)
            describe(target, sub.call)
            edges.add((source, target, "param" if sub.name is not None else "list"))
            if sub.name is not None:
                parameters.add((source, target, sub.name))
            if target not in seen:
                walk(target, sub, seen | {target})

    try:
        from fastapi.routing import iter_route_contexts

        contexts = list(iter_route_contexts(app.routes))
    except ImportError:  # FastAPI before 0.137: included routes are copied eagerly
        contexts = app.routes
    for route in contexts:
        dependant = getattr(route, "dependant", None)
        if dependant is None:
            continue  # docs, openapi, mounts
        endpoint = node_id(route.endpoint, prefix)
        describe(endpoint, route.endpoint, "endpoint")
        methods = getattr(route, "methods", None)
        routes.add((endpoint, tuple(sorted(methods)) if methods else ("WEBSOCKET",), route.path))
        walk(endpoint, dependant, frozenset({endpoint}))
    return {"routes": sorted(routes), "edges": sorted(edges), "parameters": sorted(parameters),
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
