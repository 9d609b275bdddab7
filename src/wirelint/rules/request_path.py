"""The request path: the functions FastAPI runs for a request, and the project functions they call (shared by
the rules that only care about code that runs while a request is served)."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from ..analyzer.models import AttributeExpr, NameExpr
from ..analyzer.resolve import Ctx, DefSym


def follow_calls(index, roots: set[str], limit: int = 20_000) -> set[str]:
    """The request path: the functions FastAPI runs, and the project functions they call: through names,
    module attributes, and methods of instances whose class is known from `self`, a parameter's type or
    dependency, or a typed constructor parameter of the same name (no module is parsed just to know). The
    functions a reached function defines are reached too: a closure runs for the request that made it (a
    callback, a task, a `map` over the request's items), called or not."""
    resolver = index.resolver
    calls_by_module: dict[str, dict[str, list]] = {}
    nested_by_module: dict[str, dict[str, list[str]]] = {}
    reached = set(roots)
    queue = sorted(roots)
    while queue and len(reached) < limit:
        function_id = queue.pop()
        module = next((m for m in module_prefixes(function_id) if index.has_module(m)), None)
        if module is None:
            continue
        if module not in calls_by_module:
            facts = index.facts(module)
            table: dict[str, list] = {}
            for caller, callee in facts.body_calls:
                table.setdefault(caller, []).append(callee)
            calls_by_module[module] = table
            nested: dict[str, list[str]] = {}
            for name in facts.functions:
                if ".<locals>." in name:
                    nested.setdefault(name.rpartition(".<locals>.")[0], []).append(name)
            nested_by_module[module] = nested
        qualname = function_id[len(module) + 1:]
        for inner in nested_by_module[module].get(qualname, ()):
            target = f"{module}.{inner}"
            if target not in reached:
                reached.add(target)
                queue.append(target)
        for callee in calls_by_module[module].get(qualname, ()):
            sym = resolver.resolve_qualified(callee, Ctx(module, qualname))
            if not (isinstance(sym, DefSym) and sym.kind == "function"):
                sym = method_called(index, module, qualname, callee)
            if isinstance(sym, DefSym) and sym.kind == "function":
                target = f"{sym.module}.{sym.qualname}"
                if target not in reached:
                    reached.add(target)
                    queue.append(target)
    return reached

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
            owner = parameter_class(resolver, function, receiver.name, Ctx(module, function.scope))
    elif (isinstance(receiver, AttributeExpr) and isinstance(receiver.value, NameExpr)
          and receiver.value.name == "self" and function.class_qualname):
        init = facts.functions.get(f"{function.class_qualname}.__init__")
        if init is not None:
            owner = parameter_class(resolver, init, receiver.attr, Ctx(module, init.scope))
    return resolver.find_method(owner, callee.attr) if owner is not None else None

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

@dataclass(frozen=True, slots=True)
class RequestData:
    """What a function on the request path receives of the request: the parameters holding data derived from
    it, and how many calls away from the function FastAPI calls (0) it is reached that way."""

    parameters: frozenset[str]
    depth: int


def request_data(index, roots: set[str], limit: int = 20_000) -> dict[str, RequestData]:
    """The functions that receive request data: every parameter of the functions FastAPI calls (`roots`), then,
    following calls, the parameters of project functions, methods and constructors that are passed something
    derived from those (see `CallFlow`)."""
    resolver = index.resolver
    found: dict[str, RequestData] = {}
    queue: deque[str] = deque()
    flows_by_module: dict[str, dict[str, list]] = {}

    def function_of(function_id: str):
        module = next((m for m in module_prefixes(function_id) if index.has_module(m)), None)
        if module is None:
            return None, None
        facts = index.facts(module)
        return facts, facts.functions.get(function_id[len(module) + 1:])

    def reach(function_id: str, names: frozenset[str], depth: int) -> None:
        known = found.get(function_id)
        if not names or known is not None and names <= known.parameters and depth >= known.depth:
            return
        if known is not None:
            names, depth = names | known.parameters, min(depth, known.depth)
        found[function_id] = RequestData(names, depth)
        queue.append(function_id)

    for root in sorted(roots):
        _, function = function_of(root)
        if function is not None:
            reach(root, frozenset(p.name for p in function.parameters) - {"self", "cls"}, 0)
    while queue and len(found) < limit:
        function_id = queue.popleft()
        facts, function = function_of(function_id)
        if function is None:
            continue
        module, qualname = facts.module, function.qualname
        if module not in flows_by_module:
            table: dict[str, list] = {}
            for flow in facts.call_flows:
                table.setdefault(flow.function, []).append(flow)
            flows_by_module[module] = table
        carrying = found[function_id]
        for flow in flows_by_module[module].get(qualname, ()):
            arguments = [(slot, names) for slot, names in flow.arguments
                         if carrying.parameters.intersection(names)]
            if not arguments:
                continue
            target, bound = _callee(index, resolver, module, qualname, flow.callee)
            if target is None:
                continue
            target_id, parameters = target
            positional = [p.name for p in parameters if p.kind in ("positional_only", "positional")][bound:]
            by_keyword = {p.name for p in parameters if p.kind in ("positional", "keyword_only")}
            names = {positional[slot] for slot, _ in arguments if isinstance(slot, int) and slot < len(positional)}
            names |= {slot for slot, _ in arguments if isinstance(slot, str) and slot in by_keyword}
            reach(target_id, frozenset(names) - {"self", "cls"}, carrying.depth + 1)
    return found


def _callee(index, resolver, module: str, qualname: str, callee):
    """`((function id, parameters), parameters the call does not pass)` of the project function, method or
    class constructor a call reaches, or `(None, 0)`."""
    sym = resolver.resolve_qualified(callee, Ctx(module, qualname))
    bound = 0
    if isinstance(sym, DefSym) and sym.kind == "class":
        sym, bound = resolver.find_method(sym, "__init__"), 1
    elif not (isinstance(sym, DefSym) and sym.kind == "function"):
        sym, bound = method_called(index, module, qualname, callee), 1
    if not (isinstance(sym, DefSym) and sym.kind == "function"):
        return None, 0
    function = resolver.function_facts(sym.module, sym.qualname)
    if function is None:
        return None, 0
    if function.class_qualname is None or any(isinstance(d, NameExpr) and d.name == "staticmethod"
                                              for d in function.decorators):
        bound = 0
    return (f"{sym.module}.{sym.qualname}", function.parameters), bound


def request_path_functions(graph) -> set[str]:
    """Ids of the functions FastAPI runs for a request: endpoints and providers, injected classes' methods."""
    functions = set()
    for node in graph.nodes():
        if node.location is None or node.kind == "unresolved" or graph.composed(node.id):
            continue  # a class only a composition root builds runs at start-up, not per request
        functions.add(node.id)
        if node.kind == "class":
            functions.add(f"{node.id}.__init__")
        if node.kind == "instance" and node.class_id:
            functions.add(f"{node.class_id}.__call__")
    return functions



def module_prefixes(function_id: str):
    """Candidate module names of `pkg.mod.func.<locals>.inner`, longest first."""
    parts = function_id.split(".")
    for end in range(len(parts) - 1, 0, -1):
        yield ".".join(parts[:end])


def parameter_edges(graph, node_id: str) -> list:
    """The `Depends` edges of a node's own parameters (not its `dependencies=[...]` lists)."""
    return [edge for target in graph.dependencies_of(node_id) for edge in graph.edges_between(node_id, target)
            if edge.via == "param" and edge.parameter]


def per_request_object(node) -> bool:
    """A project value FastAPI builds per request that has a teardown or behaviour (a yield dependency, an
    injected class), not plain data."""
    return node.lifetime in ("request", "call") and node.location is not None and (
        node.yields or node.kind == "class")


def node_of_function(graph, module: str, function: str) -> str | None:
    """The graph node whose parameters `function` declares: the function itself, or a class's `__init__`."""
    candidate = f"{module}.{function}"
    if candidate in graph and graph.node(candidate).kind in ("endpoint", "provider", "factory"):
        return candidate
    owner, _, method = candidate.rpartition(".")
    if method == "__init__" and owner in graph and graph.node(owner).kind == "class":
        return owner
    return None
