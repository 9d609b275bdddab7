"""From module facts to the DependencyGraph, following FastAPI's own rules.

Apps and routers are objects named by the variable that holds them. Routes attach to them; includes nest
them (lazily, as FastAPI 0.137+ does, so include order does not matter). Each route gets its full path and
the dependencies FastAPI would add to it: decorator, router (its own and every enclosing router's), include
and app `dependencies=`. From every endpoint, and from every project function or class that declares a
dependency (so that a cycle no route reaches yet is still in the graph), parameters are followed to the
callables FastAPI would call.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .containers import ContainerWiring
from .graph import DependencyGraph
from .lifetimes import CACHES, intrinsic_lifetime, settle_lifetimes
from .models import (
    CallExpr,
    ConditionalExpr,
    Edge,
    Expr,
    Location,
    ModuleFacts,
    Node,
    RouteFacts,
    RouteInfo,
    SequenceExpr,
    StringExpr,
    render,
)
from .resolve import (
    FASTAPI_APP,
    FASTAPI_ROUTER,
    Ctx,
    DefSym,
    DependsMarker,
    ExternalSym,
    ModuleSource,
    ModuleSym,
    ParamSym,
    Resolver,
    Target,
    VarSym,
    unresolved,
)

_MAX_INCLUDE_DEPTH = 30
_SCOPES = ("function", "request")


@dataclass(frozen=True)
class DependencySite:
    """One place a dependency is declared: `Depends(<dependency>)` on a parameter or in `dependencies=`."""

    source: str  # the node that depends
    dependency: Expr  # the expression passed to Depends (or the annotation for `Depends()`)
    ctx: Ctx
    location: Location  # of the parameter, or of the Depends call in a list
    via: str
    target: str  # the node id it resolved to


@dataclass
class _Route:
    endpoint: Target
    path: str
    methods: tuple[str, ...]
    dependencies: list[tuple[Expr, Ctx, Location]]  # expression, context, where the list is given
    location: Location


@dataclass
class _Include:
    child: "_Object"
    prefix: str
    dependencies: list[tuple[Expr, Ctx, Location]]


@dataclass
class _Object:
    id: str
    kind: str  # app | router
    module: ModuleFacts
    ctx: Ctx
    call: CallExpr
    prefix: str = ""
    dependencies: list[tuple[Expr, Ctx, Location]] = field(default_factory=list)
    routes: list[_Route] = field(default_factory=list)
    includes: list[_Include] = field(default_factory=list)
    included: bool = False


class GraphBuilder:
    def __init__(self, source: ModuleSource) -> None:
        self.source = source
        self.resolver = Resolver(source)
        self.graph = DependencyGraph()
        self.objects: dict[str, _Object] = {}
        self._done: set = set()
        self._cached: dict[str, bool] = {}  # target id -> a cached (lru_cache) function
        self._queue: list[Target] = []
        self.sites: list[DependencySite] = []
        self.containers = ContainerWiring(self)
        self._calls_by_name: dict[str, list[tuple[Ctx, CallExpr]]] | None = None
        self._analyzed = [
            facts for facts in (source.facts(name) for name in sorted(source.module_names()))
            if facts is not None and facts.parse_error is None
        ]

    def analyzed_modules(self) -> list[ModuleFacts]:
        """Every module that parsed, by name."""
        return self._analyzed

    # --- objects -----------------------------------------------------------------------------------------

    def find_objects(self) -> None:
        for facts in self.analyzed_modules():
            for scope in facts.scopes.values():
                if scope.is_class:
                    continue
                for name, binding in scope.bindings.items():
                    if binding.kind != "assign" or not isinstance(binding.value, CallExpr):
                        continue
                    ctx = Ctx(facts.module, scope.qualname)
                    kind = self.object_kind(binding.value, ctx)
                    if kind is None:
                        continue
                    sym = VarSym(facts.module, scope.qualname, name, binding)
                    obj = _Object(sym.id, kind, facts, ctx, binding.value)
                    obj.prefix = self.resolver.string_value(binding.value.keyword("prefix"), ctx) or ""
                    at = Location(facts.path, binding.value.line, binding.value.column, binding.value.line,
                                  binding.value.column)
                    obj.dependencies = [
                        (expr, expr_ctx, at)
                        for expr, expr_ctx in self.resolver.expression_list(binding.value.keyword("dependencies"), ctx)
                    ]
                    self.objects[obj.id] = obj

    def object_kind(self, call: CallExpr, ctx: Ctx) -> str | None:
        func = self.resolver.class_of(self.resolver.resolve_qualified(call.func, ctx))
        name = self.resolver.qualified(func)
        if name in FASTAPI_APP:
            return "app"
        if name in FASTAPI_ROUTER:
            return "router"
        if isinstance(func, DefSym) and func.kind == "class":
            if self.resolver.is_subclass(func, FASTAPI_APP):
                return "app"
            if self.resolver.is_subclass(func, FASTAPI_ROUTER):
                return "router"
        return None

    def object_of(self, expr: Expr, ctx: Ctx, depth: int = 0) -> _Object | None:
        if depth > 20:
            return None
        if hasattr(expr, "attr") and expr.attr == "router":  # app.router is the app's own router
            found = self.object_of(expr.value, ctx, depth + 1)
            if found is not None:
                return found
        sym = self.resolver.resolve(expr, ctx)
        if not isinstance(sym, VarSym):
            return None
        if sym.id in self.objects:
            return self.objects[sym.id]
        value = self.resolver.var_value(sym)
        var_ctx = Ctx(sym.module, sym.scope)
        if isinstance(value, CallExpr):  # an app or router factory
            for returned, returned_ctx in self.resolver.factory_returns(value, var_ctx):
                found = self.object_of(returned, returned_ctx, depth + 1)
                if found is not None:
                    return found
            return None
        if value is not None and not isinstance(value, CallExpr):
            return self.object_of(value, var_ctx, depth + 1)
        return None

    def is_foreign(self, expr: Expr, ctx: Ctx) -> bool:
        """A receiver known not to be FastAPI (`@cache.get(...)` on a library object): not a route."""
        sym = self.resolver.resolve(expr, ctx)
        if isinstance(sym, ExternalSym):
            return not sym.name.startswith(("fastapi", "starlette"))
        if isinstance(sym, VarSym) and isinstance(self.resolver.var_value(sym), CallExpr):
            func = self.resolver.deref(self.resolver.resolve(self.resolver.var_value(sym).func,
                                                              Ctx(sym.module, sym.scope)))
            return isinstance(func, (ExternalSym, DefSym)) and not (
                isinstance(func, DefSym) and func.kind == "function"
            )
        return False

    # --- routes and includes -----------------------------------------------------------------------------

    # --- helpers called with the app: `def register_routers(app): app.include_router(...)` ----------------

    def call_sites(self, function_id: str, name: str) -> list[tuple[Ctx, CallExpr]]:
        """Statement-level calls that resolve to the project function `function_id` (whose name is `name`).

        Candidates are picked by the called name, then confirmed by resolving the callee to its qualified
        id; the callee is resolved only through names and modules, never through instances' attributes."""
        if self._calls_by_name is None:
            self._calls_by_name = {}
            for facts in self.analyzed_modules():
                for scope, call in facts.calls:
                    called = getattr(call.func, "attr", None) or getattr(call.func, "name", None)
                    if called:
                        self._calls_by_name.setdefault(called, []).append((Ctx(facts.module, scope), call))
        result = []
        for ctx, call in self._calls_by_name.get(name, []):
            func = call.func
            if hasattr(func, "attr") and not isinstance(self.resolver.resolve(func.value, ctx), ModuleSym):
                continue
            sym = self.resolver.deref(self.resolver.resolve(func, ctx))
            if isinstance(sym, DefSym) and sym.kind == "function" and f"{sym.module}.{sym.qualname}" == function_id:
                result.append((ctx, call))
        return result

    def contexts(self, module: str, scope: str, exprs: list[Expr], depth: int = 0) -> list[Ctx]:
        """Contexts to evaluate `exprs` in: the scope itself or, when they use the enclosing function's
        parameters, one context per call of that function with its arguments bound."""
        base = Ctx(module, scope)
        if not scope or depth > 3:
            return [base]
        uses_parameter = any(
            isinstance(self.resolver.resolve(_root_name(expr), base), ParamSym) for expr in exprs if expr is not None
        )
        if not uses_parameter:
            return [base]
        function = self.resolver.function_facts(module, scope)
        if function is None:
            return [base]
        result = []
        for caller_ctx, call in self.call_sites(f"{module}.{scope}", function.name):
            for outer in self.contexts(caller_ctx.module, caller_ctx.scope, list(call.args) +
                                       [value for _, value in call.keywords], depth + 1):
                result.append(Ctx(module, scope, self.resolver.bind_arguments(function, call, outer)))
        return result or [base]

    def attach_routes(self) -> None:
        for facts in self.analyzed_modules():
            for route in facts.routes:
                for ctx in self.contexts(facts.module, route.scope, [route.router]):
                    self.attach_route(facts, route, ctx)
            for include in facts.includes:
                for ctx in self.contexts(facts.module, include.scope, [include.parent, include.child]):
                    self.attach_include(facts, include, ctx)

    def attach_include(self, facts: ModuleFacts, include, ctx: Ctx) -> None:
        parent = self.object_of(include.parent, ctx)
        if parent is None:
            if not self.is_foreign(include.parent, ctx):
                self.unresolved_site(facts, include.location, render(include.parent),
                                     "include_router on something that is not a known app or router")
            return
        child = self.object_of(include.child, ctx)
        if child is None:
            self.unresolved_site(facts, include.location, render(include.child),
                                 "router computed at run time; its routes are not in the graph")
            return
        child.included = True
        parent.includes.append(
            _Include(
                child,
                self.resolver.string_value(include.call.keyword("prefix"), ctx) or "",
                [(e, c, include.location) for e, c in
                 self.resolver.expression_list(include.call.keyword("dependencies"), ctx)],
            )
        )

    def attach_route(self, facts: ModuleFacts, route: RouteFacts, ctx: Ctx) -> None:
        if route.endpoint_qualname is not None:
            function = facts.functions.get(route.endpoint_qualname)
            if function is None:
                return
            endpoint = self.resolver.function_target(
                facts.module, function, f"{facts.module}.{function.qualname}", "endpoint"
            )
        else:
            endpoint = self.resolver.callable_target(route.endpoint, ctx)
            if endpoint.kind in ("provider", "factory", "class", "instance"):
                endpoint = Target(**{name: getattr(endpoint, name) for name in Target.__slots__} | {"kind": "endpoint"})
        owner = self.object_of(route.router, ctx)
        if owner is None:
            if self.is_foreign(route.router, ctx):
                return
            self.add_target(endpoint)
            self.unresolved_site(facts, route.location, render(route.router),
                                 "route registered on something that is not a known app or router")
            return
        call = route.call
        if route.method in ("websocket", "add_api_websocket_route"):
            methods = ("WEBSOCKET",)
        elif route.method in ("api_route", "add_api_route"):
            listed = self.resolver.string_list(call.keyword("methods"), ctx)
            methods = tuple(sorted({m.upper() for m in listed})) if listed else ("GET",)
        else:
            methods = (route.method.upper(),)
        path = self.resolver.string_value(call.argument(0, "path"), ctx) or ""
        dependencies = [(e, c, route.location) for e, c in
                        self.resolver.expression_list(call.keyword("dependencies"), ctx)]
        owner.routes.append(_Route(endpoint, path, methods, dependencies, route.location))

    def expand(self) -> None:
        for obj in sorted(self.objects.values(), key=lambda o: o.id):
            if obj.kind == "app":
                self._expand(obj, obj.id, "", [], [obj.id])
        for obj in sorted(self.objects.values(), key=lambda o: o.id):
            if obj.kind == "router" and not obj.included:
                self._expand(obj, None, "", [], [obj.id])

    def _expand(self, obj: _Object, app: str | None, outer_prefix: str,
                outer_dependencies: list[tuple[Expr, Ctx, Location, str]], stack: list[str]) -> None:
        own_via = "app" if obj.kind == "app" else "router"
        dependencies = outer_dependencies + [(e, c, p, own_via) for e, c, p in obj.dependencies]
        prefix = outer_prefix + obj.prefix
        for route in obj.routes:
            endpoint_id = self.add_target(route.endpoint)
            self.graph.add_route(endpoint_id, RouteInfo(route.methods, prefix + route.path, app, obj.id))
            listed = dependencies + [(e, c, p, "decorator") for e, c, p in route.dependencies]
            for position, (expr, ctx, where, via) in enumerate(listed):
                self.list_dependency(endpoint_id, expr, ctx, where, via, position)
        if len(stack) > _MAX_INCLUDE_DEPTH:
            return
        for include in obj.includes:
            if include.child.id in stack:
                continue  # a router including itself: FastAPI would recurse forever; not a route source
            self._expand(
                include.child,
                app,
                prefix + include.prefix,
                dependencies + [(e, c, p, "include") for e, c, p in include.dependencies],
                stack + [include.child.id],
            )

    def list_dependency(self, source: str, expr: Expr, ctx: Ctx, where: Location, via: str, position: int) -> None:
        """An edge for one item of a `dependencies=[...]` list given at `where`; the item's own position when
        it has one (a name bound elsewhere, `DependsAuth`, takes the list's)."""
        line, column = getattr(expr, "line", 0), getattr(expr, "column", 0)
        if not line:
            line, column = where.line, where.column
        location = Location(where.path, line, column, line, column)
        marker = self.resolver.marker(expr, ctx)
        if isinstance(marker, DependsMarker) and marker.dependency is not None:
            self.dependency_edge(source, marker, marker.dependency, marker.ctx, location, via, None, position)
            return
        if isinstance(marker, DependsMarker):
            target = unresolved(ctx.module, line, render(expr), "Depends() in dependencies= has no callable")
        elif isinstance(expr, ConditionalExpr):
            target = unresolved(ctx.module, line, render(expr),
                                f"dependencies chosen at run time by `{render(expr.test)}`")
        else:
            target = unresolved(ctx.module, line, render(expr), "not a Depends(...) marker")
        target_id = self.add_target(target, location)
        self.graph.add_edge(Edge(source, target_id, via, location, position=position))

    def dependency_edge(self, source: str, marker: DependsMarker, dependency: Expr, dependency_ctx: Ctx,
                        location: Location, via: str, parameter: str | None, position: int = 0) -> None:
        """The edge for one declared dependency: to the callable FastAPI calls, or, when a container
        provides it (`deps.depends(X)`, `Provide[Container.x]`), to what the container resolves."""
        resolved = self.containers.resolve_marker(marker, dependency, dependency_ctx, location)
        use_cache, scope, scopes = self.marker_options(marker)
        if resolved is not None:
            self.graph.add_edge(Edge(source, resolved, "container-resolve", location, parameter, use_cache, scope,
                                     scopes, position))
            return
        target_id = self.add_target(self.resolver.callable_target(dependency, dependency_ctx), location)
        self.graph.add_edge(Edge(source, target_id, via, location, parameter, use_cache, scope, scopes, position))
        self.sites.append(DependencySite(source, dependency, dependency_ctx, location, via, target_id))

    def marker_options(self, marker: DependsMarker) -> tuple[bool, str | None, tuple[str, ...]]:
        """`use_cache` (True unless a constant says otherwise), `scope` ("function" | "request" | None) and the
        `Security` scopes of a marker, as written."""
        call = marker.call
        if call is None or marker.container is not None:
            return True, None, ()
        use_cache = self.resolver.truth(call.keyword("use_cache"), marker.ctx) is not False
        scope_expr = call.keyword("scope")
        scope = scope_expr.value if isinstance(scope_expr, StringExpr) and scope_expr.value in _SCOPES else None
        scopes: tuple[str, ...] = ()
        scopes_expr = call.keyword("scopes") if marker.security else None
        if isinstance(scopes_expr, SequenceExpr):
            scopes = tuple(item.value for item in scopes_expr.items if isinstance(item, StringExpr))
        return use_cache, scope, scopes

    def unresolved_site(self, facts: ModuleFacts, location: Location, text: str, reason: str) -> None:
        self.add_target(unresolved(facts.module, location.line, text, reason), location)

    # --- the worklist ------------------------------------------------------------------------------------

    def add_target(self, target: Target, site: Location | None = None) -> str:
        kind = target.kind
        if kind == "external":
            leaf = target.id.rstrip("()").rsplit(".", 1)[-1]
            kind = "instance" if target.id.endswith("()") else ("class" if leaf[:1].isupper() else "provider")
            self.graph.add_node(Node(target.id, kind, None, lifetime=intrinsic_lifetime(kind),
                                     is_async=False if kind == "class" else target.is_async))
            return target.id
        if kind == "unresolved":
            node_id = target.id
            prefix, _, rest = node_id.rpartition(":0:")
            if prefix and site is not None and ":" not in rest:
                node_id = f"{prefix}:{site.line}:{rest}"  # an expression without a position of its own
            self.graph.add_node(Node(node_id, "unresolved", site, reason=target.reason))
            return node_id
        self.graph.add_node(Node(target.id, kind, target.location, target.yields, target.class_id,
                                 lifetime=intrinsic_lifetime(kind, self.cached(target)), is_async=target.is_async))
        key = (target.id, target.env, target.drop, target.overrides)
        if key not in self._done:
            self._done.add(key)
            self._queue.append(target)
        return target.id

    def cached(self, target: Target) -> bool:
        """A function behind `lru_cache`/`cache`: FastAPI calls it per request, it returns one object.
        Asked on every edge to the target: its decorators are resolved once."""
        function = target.function
        if function is None or target.kind not in ("provider", "factory") or not function.decorators:
            return False
        found = self._cached.get(target.id)
        if found is None:
            names = self.resolver.decorator_names(function.decorators, Ctx(target.module or "", function.scope))
            found = self._cached[target.id] = not CACHES.isdisjoint(names)
        return found

    def drain(self) -> None:
        while self._queue or self.containers.pending():
            if not self._queue:
                self.containers.step()
                continue
            target = self._queue.pop()
            for spec in self.resolver.parameters(target):
                found = self.resolver.dependency_of(spec.parameter, spec.ctx, spec.default, spec.default_ctx)
                if found is None:
                    continue
                marker, dependency, dependency_ctx = found
                if dependency is None:
                    dependency_target = unresolved(spec.ctx.module, spec.parameter.location.line,
                                                   spec.parameter.name, "Depends() on a parameter without annotation")
                    target_id = self.add_target(dependency_target, spec.parameter.location)
                    self.graph.add_edge(
                        Edge(target.id, target_id, "param", spec.parameter.location, spec.parameter.name))
                    continue
                self.dependency_edge(target.id, marker, dependency, dependency_ctx, spec.parameter.location,
                                     "param", spec.parameter.name)

    def seed_declarations(self) -> None:
        """Project functions and classes that declare dependencies, mounted or not."""
        for facts in self.analyzed_modules():
            for function in facts.functions.values():
                if function.is_lambda or "<locals>" in function.qualname:
                    continue
                if function.class_qualname is not None:
                    if function.name != "__init__":
                        continue
                    target = self.resolver.class_target(DefSym(facts.module, function.class_qualname, "class"))
                else:
                    target = self.resolver.function_target(
                        facts.module, function, f"{facts.module}.{function.qualname}", "provider"
                    )
                if target.id in self.graph or target.kind == "unresolved":
                    continue
                if any(  # a bare `Provide[...]` default is dependency-injector's wiring, not a FastAPI dependency
                    (found := self.resolver.dependency_of(spec.parameter, spec.ctx, spec.default, spec.default_ctx))
                    and found[0].container != "dependency-injector"
                    for spec in self.resolver.parameters(target)
                ):
                    self.add_target(target)
                    self.drain()

    def build(self) -> DependencyGraph:
        self.find_objects()
        self.attach_routes()
        self.expand()
        self.drain()
        self.seed_declarations()
        self.containers.seed()
        self.drain()
        settle_lifetimes(self.graph)
        return self.graph


def _root_name(expr: Expr) -> Expr:
    while hasattr(expr, "value") and not isinstance(expr, CallExpr) and hasattr(expr, "attr"):
        expr = expr.value
    return expr


def build_graph(source: ModuleSource) -> GraphBuilder:
    """Build the dependency graph of a project (see the module docstring); the builder keeps the resolver
    and the dependency sites for rules."""
    builder = GraphBuilder(source)
    builder.build()
    return builder
