"""DI containers and composition roots, read statically: what lagom, dependency-injector or a hand-written
composition root would build (see docs/graph-model.md, "Containers and composition roots").

- lagom: `container[I] = Impl` (or an instance, a lambda, `Singleton(Impl)`, `container.define(I, ...)`)
  binds a type; `FastApiIntegration(container).depends(X)` asks for `X`, whose constructor parameters lagom
  resolves by their annotations through the bindings, recursively.
- dependency-injector: the providers declared on a `DeclarativeContainer`; `Provide[Container.x]`.
- plain constructor injection: the classes a composition root constructs, and what it passes them.

`ContainerWiring` adds these to the builder's graph as `container-resolve`, `container-binding` and
`constructor` edges. Nothing here imports a container library: names are matched by qualified name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .models import (
    AttributeExpr,
    CallExpr,
    Edge,
    Expr,
    LambdaExpr,
    Location,
    ModuleFacts,
    NameExpr,
    Node,
    StringExpr,
    SubscriptExpr,
    render,
)
from .graph import FASTAPI_VIAS
from .lifetimes import provider_type_lifetime
from .resolve import (
    CLASSMETHOD,
    DATACLASS,
    DI_CLOSING,
    DI_PROVIDE,
    FASTAPI_APP,
    PYDANTIC_MODEL,
    Ctx,
    DefSym,
    ExternalSym,
    MethodSym,
    ParamSym,
    Resolver,
    Sym,
    Target,
    UnknownSym,
    VarSym,
    unresolved,
)

if TYPE_CHECKING:
    from .build import GraphBuilder

LAGOM_CONTAINERS = frozenset({"lagom.Container", "lagom.container.Container", "lagom.ExplicitContainer",
                              "lagom.container.ExplicitContainer"})
LAGOM_SINGLETONS = frozenset({"lagom.Singleton", "lagom.definitions.Singleton"})
NEW_TYPES = frozenset({"typing.NewType", "typing_extensions.NewType"})
LAGOM_DEFINITIONS = frozenset({"lagom.dependency_definition", "lagom.decorators.dependency_definition"})
_GENERATOR_TYPES = frozenset(f"{module}.{name}" for module in ("typing", "collections.abc") for name in (
    "Iterator", "Generator", "AsyncIterator", "AsyncGenerator"))
DI_CONTAINERS = frozenset({"dependency_injector.containers.DeclarativeContainer"})
_DI_PROVIDERS = "dependency_injector.providers."
# Providers whose first argument is the callable they call; the rest are passed to it.
_CALLING_PROVIDERS = ("Factory", "Singleton", "Resource", "Callable", "Coroutine")
# Providers whose value is configuration, not a collaborator: not edges of a constructor.
_VALUE_PROVIDERS = frozenset({"Configuration"})
LIFESPAN_DECORATORS = frozenset({"contextlib.asynccontextmanager", "contextlib.contextmanager"})
# Functions conventionally written as the composition root (the list, and common spellings).
ROOT_FUNCTIONS = frozenset({
    "main", "create_app", "create_application", "make_app", "build_app", "get_app", "get_application",
    "app_factory", "application_factory", "lifespan", "bootstrap", "compose", "composition_root", "build_container",
    "create_container", "make_container", "setup_container", "configure_container", "wire",
})
# Frameworks whose decorators make a function an entry point of their own (tasks, workers, CLI commands).
OTHER_FRAMEWORKS = tuple(f"{name}." for name in (
    "celery", "temporalio", "dramatiq", "rq", "arq", "huey", "taskiq", "faststream", "propan", "kombu",
    "apscheduler", "click", "typer", "aio_pika", "aiokafka", "nats", "aws_lambda_powertools",
))
# Bases that make a class a value, not a collaborator.
VALUE_BASES = PYDANTIC_MODEL | frozenset({
    "pydantic_settings.BaseSettings", "pydantic_settings.main.BaseSettings", "pydantic.BaseSettings",
    "pydantic.env_settings.BaseSettings",
    "enum.Enum", "enum.IntEnum", "enum.StrEnum", "enum.Flag", "typing.NamedTuple", "typing.TypedDict",
    "builtins.Exception", "builtins.BaseException", "builtins.ValueError", "builtins.dict", "builtins.list",
    "builtins.tuple", "builtins.set", "builtins.str", "builtins.int",
})
_SNAKE_RE = re.compile(r"(?<!^)(?=[A-Z])")


def service_class(resolver: Resolver, sym) -> str | None:
    """`module.qualname` when `sym` is a class of the project with behaviour (a public method, its own or
    inherited; Protocols and ABCs included) that is not a dataclass, pydantic model, enum, named tuple,
    typed dict or exception: a collaborator rather than a value."""
    if not (isinstance(sym, DefSym) and sym.kind == "class"):
        return None
    facts = resolver.class_facts(sym)
    if facts is None or resolver.external_bases(sym) & VALUE_BASES:
        return None
    if resolver.decorator_names(facts.decorators, Ctx(sym.module, facts.scope)) & DATACLASS:
        return None
    methods = {method for _owner, cls in resolver.mro(sym)[0] for method in cls.methods}
    if any(not method.startswith("_") for method in methods):
        return f"{sym.module}.{sym.qualname}"
    return None


def is_composition_root(resolver: Resolver, facts: ModuleFacts, scope: str, graph=None) -> bool:
    """Where an application is wired: module level, a function that builds the `FastAPI` app, a lifespan
    (`@asynccontextmanager`), a function conventionally named so (`main`, `create_app`, ...), one that
    builds a container, or a lagom `@dependency_definition` factory. Test modules never are."""
    if facts.is_test:
        return False
    if not scope:
        return True
    function = facts.functions.get(scope)
    if function is None:
        return False
    if graph is not None and served_by_fastapi(graph, f"{facts.module}.{scope}"):
        return False  # FastAPI calls it for a request, whatever its name (an endpoint called `main`)
    if function.name in ROOT_FUNCTIONS and "<locals>" not in function.qualname:
        return True
    if other_entry_point(resolver, facts.module, function):
        return True
    if resolver.decorator_names(function.decorators, Ctx(facts.module, function.scope)) & (
            LIFESPAN_DECORATORS | LAGOM_DEFINITIONS):
        return True  # a lifespan, or a factory the container calls
    scope_facts = facts.scopes.get(scope)
    if scope_facts is not None:
        for variable, binding in scope_facts.bindings.items():
            if binding.kind == "assign" and resolver.built_by(VarSym(facts.module, scope, variable, binding)) in (
                    FASTAPI_APP | LAGOM_CONTAINERS):
                return True
    return False


def served_by_fastapi(graph, node_id: str) -> bool:
    """An endpoint, or a callable an endpoint or another dependency declares with Depends."""
    if node_id not in graph:
        return False
    if graph.node(node_id).kind == "endpoint":
        return True
    return any(edge.via in FASTAPI_VIAS for source in graph.dependents_of(node_id)
               for edge in graph.edges_between(source, node_id))


def other_entry_point(resolver: Resolver, module: str, function) -> bool:
    """A function another framework runs: a task queue's task, a worker's handler, a CLI command
    (`@shared_task`, `@activity.defn`, `@app.task` with `app = Celery()`, `@broker.subscriber(...)`,
    `@click.command()`). It starts its own unit of work, as a composition root does; no request reaches it."""
    ctx = Ctx(module, function.scope)
    for decorator in function.decorators:
        expr = decorator.func if isinstance(decorator, CallExpr) else decorator
        names = [resolver.qualified(resolver.deref(resolver.resolve(expr, ctx)))]
        if isinstance(expr, AttributeExpr):  # a method of a framework object: `@app.task`
            names.append(resolver.built_by(resolver.deref(resolver.resolve(expr.value, ctx))))
        if any(name and name.startswith(OTHER_FRAMEWORKS) for name in names):
            return True
    return False


def provider_type_name(kind: str) -> str:
    """`Factory` -> `factory`, `ThreadSafeSingleton` -> `thread_safe_singleton`."""
    return _SNAKE_RE.sub("_", kind).lower()


@dataclass(frozen=True, slots=True)
class ProviderDecl:
    """A provider declared on a dependency-injector container: `orders = providers.Factory(Orders, ...)`."""

    id: str
    kind: str  # the provider class: Factory, Singleton, Resource, ...
    call: CallExpr
    ctx: Ctx  # the class body
    location: Location

    @property
    def callable(self) -> Expr | None:
        return self.call.argument(0, "provides") if self.kind.endswith(_CALLING_PROVIDERS) else None


@dataclass(frozen=True, slots=True)
class LagomBinding:
    container: str
    key: str  # the bound type's qualified name
    key_expr: Expr
    value: Expr
    ctx: Ctx
    location: Location


def provider_decl(resolver: Resolver, sym: Sym) -> ProviderDecl | None:
    """The provider a class attribute of a dependency-injector container holds, if it holds one."""
    if not (isinstance(sym, VarSym) and sym.in_class):
        return None
    value = resolver.var_value(sym)
    if not isinstance(value, CallExpr):
        return None
    ctx = Ctx(sym.module, sym.scope)
    name = resolver.qualified_name(value.func, ctx)
    if not name or not name.startswith(_DI_PROVIDERS):
        return None
    if not resolver.is_subclass(DefSym(sym.module, sym.scope, "class"), DI_CONTAINERS):
        return None
    facts = resolver.modules.facts(sym.module)
    location = Location(facts.path if facts else "", value.line, value.column, value.line, value.column)
    return ProviderDecl(sym.id, name[len(_DI_PROVIDERS):], value, ctx, location)


def body_ctx(resolver: Resolver, expr: Expr | None, decl: ProviderDecl) -> Ctx:
    """Where a name in a provider's arguments is looked up: the class body sees only the attributes bound
    before the statement (`init = providers.Resource(init)` calls the module's `init`), else the enclosing
    scope."""
    root = expr
    while isinstance(root, (AttributeExpr, CallExpr, SubscriptExpr)):
        root = root.func if isinstance(root, CallExpr) else root.value
    facts = resolver.modules.facts(decl.ctx.module)
    scope = facts.scopes.get(decl.ctx.scope) if facts is not None else None
    if isinstance(root, NameExpr) and scope is not None:
        binding = scope.bindings.get(root.name)
        if binding is not None and binding.line >= decl.call.line:
            return Ctx(decl.ctx.module, scope.parent or "")
    return decl.ctx


def provider_of(resolver: Resolver, expr: Expr | None, ctx: Ctx, depth: int = 0) -> ProviderDecl | None:
    """The provider an expression names: `Container.x`, `x` in the class body, a sub-container's provider
    (`Root.auth.service` where `auth = providers.Container(AuthModule)`), and the provider behind
    `x.provided.attr` or `x.provider`."""
    if expr is None or depth > 20:
        return None
    decl = provider_decl(resolver, resolver.resolve(expr, ctx))
    if decl is not None or not isinstance(expr, AttributeExpr):
        return decl
    base = provider_of(resolver, expr.value, ctx, depth + 1)
    if base is None:
        return None
    sub = sub_container(resolver, base)
    if sub is not None:
        inner = provider_decl(resolver, resolver.class_attribute(sub, expr.attr))
        if inner is not None:
            return inner
    return base  # `.provided`, `.provider`, an attribute of what it provides


def sub_container(resolver: Resolver, decl: ProviderDecl) -> DefSym | None:
    """For `auth = providers.Container(AuthModule, ...)`: the container class AuthModule."""
    if decl.kind not in ("Container", "DependenciesContainer") or not decl.call.args:
        return None
    sym = resolver.class_of(resolver.resolve(decl.call.args[0], body_ctx(resolver, decl.call.args[0], decl)))
    return sym if is_container_class(resolver, sym) else None


def declared_providers(resolver: Resolver, modules) -> list[ProviderDecl]:
    """Every provider of every dependency-injector container declared in these modules, sorted by id."""
    found = []
    for facts in modules:
        for cls in facts.classes.values():
            if not resolver.is_subclass(DefSym(facts.module, cls.qualname, "class"), DI_CONTAINERS):
                continue
            scope = facts.scopes.get(cls.qualname)
            for name, binding in (scope.bindings.items() if scope is not None else ()):
                decl = provider_decl(resolver, VarSym(facts.module, cls.qualname, name, binding, True))
                if decl is not None:
                    found.append(decl)
    return sorted(found, key=lambda decl: decl.id)


def is_container_class(resolver: Resolver, sym: Sym) -> bool:
    return isinstance(sym, DefSym) and sym.kind == "class" and resolver.is_subclass(sym, DI_CONTAINERS)


@dataclass
class ContainerWiring:
    """Adds container and composition-root nodes and edges to a GraphBuilder's graph."""

    builder: "GraphBuilder"
    _bindings: dict[str, dict[str, list[LagomBinding]]] | None = None
    _expanded: set = field(default_factory=set)
    _pending: list = field(default_factory=list)
    _container_names: frozenset = frozenset()  # the parameters of a lagom factory lambda being read
    _constructed: dict = field(default_factory=dict)  # (call, scope) -> the class node its construction made
    _lagom_containers: dict = field(default_factory=dict)  # variable id -> the lagom container it holds
    _declared: list | None = None  # every dependency-injector provider of the project

    @property
    def resolver(self) -> Resolver:
        return self.builder.resolver

    # --- lagom -------------------------------------------------------------------------------------------

    def lagom_container(self, expr: Expr | None, ctx: Ctx, depth: int = 0) -> str | None:
        """The id of the lagom container an expression denotes (a variable built by `Container()`, or by a
        project function returning one)."""
        if expr is None or depth > 10:
            return None
        sym = self.resolver.deref(self.resolver.resolve(expr, ctx))
        if not isinstance(sym, VarSym):
            return None
        if sym.id not in self._lagom_containers:  # each variable once: returns of returns multiply
            self._lagom_containers[sym.id] = None
            self._lagom_containers[sym.id] = self._lagom_container(sym, depth)
        return self._lagom_containers[sym.id]

    def _lagom_container(self, sym: VarSym, depth: int) -> str | None:
        value = self.resolver.var_value(sym)
        var_ctx = self.resolver.var_ctx(sym)
        if not isinstance(value, CallExpr):
            return None
        func = self.resolver.class_of(self.resolver.resolve_qualified(value.func, var_ctx))
        if self.resolver.qualified(func) in LAGOM_CONTAINERS or (
                isinstance(func, DefSym) and func.kind == "class" and self.resolver.is_subclass(func, LAGOM_CONTAINERS)):
            return sym.id
        for returned, returned_ctx in self.resolver.factory_returns(value, var_ctx):  # `c = build_container()`
            found = self.lagom_container(returned, returned_ctx, depth + 1)
            if found is not None:
                return found
        return None

    def lagom_depends(self, call: CallExpr, ctx: Ctx) -> tuple[str, Expr, Ctx] | None:
        """`deps.depends(X)` (or `inject(X)` with `inject = deps.depends`): (container id, X, its context)."""
        integration = self.resolver.lagom_integration(call.func, ctx)
        asked = call.argument(0, "dep_type")
        if integration is None or asked is None:
            return None
        value = self.resolver.var_value(integration)  # `FastApiIntegration(container)`
        container = self.lagom_container(value.argument(0, "container"), self.resolver.var_ctx(integration)) \
            if isinstance(value, CallExpr) else None
        return (container, asked, ctx) if container is not None else None

    def bindings(self) -> dict[str, dict[str, list[LagomBinding]]]:
        """container id -> bound type -> its bindings, in source order (the last one wins at run time)."""
        if self._bindings is not None:
            return self._bindings
        found: dict[str, dict[str, list[LagomBinding]]] = {}

        def add(facts: ModuleFacts, scope: str, receiver: Expr, key: Expr, value: Expr, location: Location) -> None:
            ctx = Ctx(facts.module, scope)
            container = self.lagom_container(receiver, ctx)
            if container is None:
                return
            key_id = self.type_id(self.resolver.class_of(self.resolver.resolve(key, ctx)))
            if key_id is None:
                return
            found.setdefault(container, {}).setdefault(key_id, []).append(
                LagomBinding(container, key_id, key, value, ctx, location))

        for facts in self.builder.analyzed_modules():
            if facts.is_test:
                continue  # a test's override of a binding is not the application's wiring
            for item in facts.item_assignments:
                add(facts, item.scope, item.receiver, item.key, item.value, item.location)
            for function in facts.functions.values():  # `@dependency_definition(container)` on a factory
                ctx = Ctx(facts.module, function.scope)
                for decorator in function.decorators:
                    if not (isinstance(decorator, CallExpr) and decorator.args
                            and self.resolver.qualified_name(decorator.func, ctx) in LAGOM_DEFINITIONS):
                        continue
                    key = self.defined_type(function.return_annotation, ctx)
                    if key is not None:
                        add(facts, function.scope, decorator.args[0], key, NameExpr(function.name), function.location)
            for scope, call in facts.calls:
                if isinstance(call.func, AttributeExpr) and call.func.attr == "define" and len(call.args) == 2:
                    add(facts, scope, call.func.value, call.args[0], call.args[1],
                        Location(facts.path, call.line, call.column, call.line, call.column))
        self._bindings = found
        return found

    def defined_type(self, annotation: Expr | None, ctx: Ctx) -> Expr | None:
        """The type a factory's return annotation names: `X`, or `X` of `Iterator[X]`, `Generator[X, ...]`."""
        if isinstance(annotation, SubscriptExpr) and annotation.items:
            origin = self.resolver.qualified_name(annotation.value, ctx)
            return annotation.items[0] if origin in _GENERATOR_TYPES else None
        return annotation if isinstance(annotation, (NameExpr, AttributeExpr)) else None

    def type_id(self, sym: Sym) -> str | None:
        if isinstance(sym, DefSym) and sym.kind == "class":
            return f"{sym.module}.{sym.qualname}"
        if isinstance(sym, VarSym) and isinstance(value := self.resolver.var_value(sym), CallExpr) and \
                self.resolver.qualified_name(value.func, self.resolver.var_ctx(sym)) in NEW_TYPES:
            return sym.id  # `ApiKey = NewType("ApiKey", str)`: a type lagom binds like a class
        if isinstance(sym, ExternalSym) and not sym.name.startswith(("builtins.", "typing.")):
            return sym.name
        return None

    def resolve_type(self, container: str, key: Expr, ctx: Ctx, site: Location | None) -> str:
        """The node lagom resolves `key` to in `container`, with its bindings and constructor expanded."""
        sym = self.resolver.class_of(self.resolver.resolve(key, ctx))
        key_id = self.type_id(sym)
        if key_id is None:
            return self.builder.add_target(unresolved(ctx.module, getattr(key, "line", 0) or (site.line if site else 0),
                                                      render(key), f"{render(key)} is not a class lagom can build"),
                                           site)
        if key_id in LAGOM_CONTAINERS:  # lagom injects the container itself
            self.builder.graph.add_node(Node(container, "container", self.container_location(container),
                                                 lifetime="process"))
            return container
        node_id = self.class_node(sym, key_id)
        self._pending.append(("lagom", container, sym, key_id))
        return node_id

    def class_node(self, sym: Sym, key_id: str) -> str:
        if isinstance(sym, DefSym):
            target = self.resolver.class_target(sym)
            if target.kind != "unresolved":
                return self.builder.add_target(target)
        location = self.resolver.binding_location(sym) if isinstance(sym, VarSym) else None
        self.builder.graph.add_node(Node(key_id, "class", location, lifetime="request", is_async=False))
        return key_id

    def container_location(self, container: str) -> Location | None:
        module, _, name = container.rpartition(".")
        facts = self.builder.source.facts(module) if "<locals>" not in container else None
        binding = facts.scopes[""].bindings.get(name) if facts is not None else None
        return Location(facts.path, binding.line, 1, binding.line, 1) if binding is not None else None

    def expand_lagom(self, container: str, sym: Sym, key_id: str) -> None:
        key = (container, key_id)
        if key in self._expanded:
            return
        self._expanded.add(key)
        bound = self.bindings().get(container, {}).get(key_id)
        if bound:
            binding = bound[-1]  # the last assignment wins
            targets = self.binding_targets(container, binding)
            for target_id in targets:
                if target_id != key_id:
                    self.builder.graph.add_edge(Edge(key_id, target_id, "container-binding", binding.location),
                                                f"container:{container}")
            if key_id not in targets:
                return
        if isinstance(sym, DefSym):  # unbound, or bound to itself (`container[Svc] = Singleton(Svc)`)
            self.expand_constructor(container, sym, key_id)

    def binding_targets(self, container: str, binding: LagomBinding) -> list[str]:
        """What a binding's value builds: a class (lagom constructs it), an instance's class, a factory's
        result."""
        value, ctx = binding.value, binding.ctx
        if isinstance(value, CallExpr):
            func = self.resolver.qualified_name(value.func, ctx)
            if func in LAGOM_SINGLETONS and value.args:
                value = value.args[0]
        if isinstance(value, LambdaExpr):  # `lambda c: Impl(repo=c[Repo])`: lagom passes itself as `c`
            facts = self.resolver.function_facts(ctx.module, value.qualname)
            inner = Ctx(ctx.module, ctx.scope, ctx.env)
            results = []
            self._container_names = frozenset(p.name for p in facts.parameters) if facts else frozenset()
            try:
                for returned in facts.returns if facts else ():
                    if not isinstance(returned, CallExpr):
                        continue
                    built = self.constructed_class(returned, inner)
                    if built is not None:
                        results.append(self.class_node(built, f"{built.module}.{built.qualname}"))
                        self.construct(returned, inner, binding.location, container)
                        continue
                    called = self.resolver.callable_target(returned.func, inner)  # `lambda: SessionLocal()`
                    if called.kind != "unresolved":
                        results.append(self.builder.add_target(called, binding.location))
            finally:
                self._container_names = frozenset()
            return results
        if isinstance(value, CallExpr):  # an instance, built when the binding runs
            built = self.constructed_class(value, ctx)
            return [self.class_node(built, f"{built.module}.{built.qualname}")] if built is not None else []
        function = self.resolver.deref(self.resolver.resolve(value, ctx))
        if isinstance(function, DefSym) and function.kind == "function":  # a factory: lagom calls it
            facts = self.resolver.function_facts(function.module, function.qualname)
            if facts is None:
                return []
            node_id = self.builder.add_target(self.resolver.function_target(
                function.module, facts, f"{function.module}.{function.qualname}", "provider"))
            self.expand_parameters(container, facts, Ctx(function.module, facts.scope), node_id, 0)
            return [node_id]
        sym = self.resolver.class_of(self.resolver.resolve(value, ctx))
        type_id = self.type_id(sym)
        if type_id is None:
            return []
        node_id = self.class_node(sym, type_id)
        if isinstance(sym, DefSym):
            self._pending.append(("lagom", container, sym, type_id))
        return [node_id]

    def constructed_class(self, call: CallExpr, ctx: Ctx) -> DefSym | None:
        sym = self.resolver.class_of(self.resolver.resolve(call.func, ctx))
        if isinstance(sym, DefSym) and sym.kind == "class" and self.resolver.class_facts(sym) is not None:
            return sym
        return None

    def expand_constructor(self, container: str, cls: DefSym, class_id: str) -> None:
        """lagom's reflection: each `__init__` parameter resolved by its annotation."""
        init = self.resolver.find_method(cls, "__init__")
        function = self.resolver.function_facts(init.module, init.qualname) if init is not None else None
        if function is not None:
            self.expand_parameters(container, function, Ctx(init.module, function.scope), class_id, 1)

    def expand_parameters(self, container: str, function, ctx: Ctx, source: str, drop: int) -> None:
        """`constructor` edges for the parameters lagom fills by annotation (of `__init__`, or of a factory)."""
        bindings = self.bindings().get(container, {})
        for parameter in function.parameters[drop:]:
            if parameter.kind in ("var_positional", "var_keyword") or parameter.annotation is None:
                continue
            (type_expr, type_ctx), _ = self.resolver.annotation_parts(parameter.annotation, ctx)
            sym = self.resolver.class_of(self.resolver.resolve(type_expr, type_ctx))
            type_id = self.type_id(sym)
            if type_id is None:
                continue
            if type_id not in bindings and type_id not in LAGOM_CONTAINERS and not isinstance(sym, DefSym):
                continue  # a type lagom cannot build unless it is bound (`str`, a library's class)
            target = self.resolve_type(container, type_expr, type_ctx, parameter.location)
            self.builder.graph.add_edge(Edge(source, target, "constructor", parameter.location, parameter.name),
                                        f"container:{container}")

    # --- dependency-injector -----------------------------------------------------------------------------

    def provider_decl(self, sym: Sym) -> ProviderDecl | None:
        return provider_decl(self.resolver, sym)

    def provide_key(self, expr: Expr, ctx: Ctx) -> tuple[Expr, Ctx] | None:
        """For `Provide[Container.x]` (or `Closing[Provide[...]]`, `Provider[...]`): `Container.x`."""
        for _ in range(3):
            if not (isinstance(expr, SubscriptExpr) and expr.items):
                return None
            name = self.resolver.qualified_name(expr.value, ctx)
            if name in DI_CLOSING:
                expr = expr.items[0]
                continue
            if name in DI_PROVIDE:
                return expr.items[0], ctx
            return None
        return None

    def provider_of(self, expr: Expr, ctx: Ctx) -> ProviderDecl | None:
        """The provider an expression names (see `provider_of`); a string `"x"` names the one container
        provider of that name."""
        if isinstance(expr, StringExpr):
            matches = [decl for decl in self.declared_providers() if decl.id.rpartition(".")[2] == expr.value]
            return matches[0] if len(matches) == 1 else None
        return provider_of(self.resolver, expr, ctx)

    def declared_providers(self) -> list[ProviderDecl]:
        if self._declared is None:  # once: every `Provide["name"]` searches them
            self._declared = declared_providers(self.resolver, self.builder.analyzed_modules())
        return self._declared

    def provider_node(self, decl: ProviderDecl) -> str:
        callable_expr = decl.callable
        callable_ctx = body_ctx(self.resolver, callable_expr, decl)
        target = None
        if isinstance(callable_expr, AttributeExpr) and (called := provider_of(self.resolver, callable_expr,
                                                                               callable_ctx)) is not None:
            target = called  # `providers.Callable(db.provided.session)`: calls what another provider provides
        elif callable_expr is not None:
            target = self.resolver.callable_target(callable_expr, callable_ctx)
        class_id = target.id if isinstance(target, Target) and target.kind != "unresolved" else None
        sub = sub_container(self.resolver, decl)
        if sub is not None:
            class_id = f"{sub.module}.{sub.qualname}"
        if decl.kind == "Object" and decl.call.args:  # `providers.Object(engine)`: the object itself
            held = self.resolver.resolve(decl.call.args[0], body_ctx(self.resolver, decl.call.args[0], decl))
            class_id = held.id if isinstance(held, VarSym) else self.resolver.qualified(held)
        provider_type = provider_type_name(decl.kind)
        self.builder.graph.add_node(Node(decl.id, "container-provider", decl.location, class_id=class_id,
                                         lifetime=provider_type_lifetime(provider_type), is_async=False,
                                         provider_type=provider_type))
        if decl.id not in self._expanded:
            self._expanded.add(decl.id)
            self._pending.append(("provider", decl, target))
        return decl.id

    def expand_provider(self, decl: ProviderDecl, target: Target | ProviderDecl | None) -> None:
        if isinstance(target, ProviderDecl):
            self.builder.graph.add_edge(Edge(decl.id, self.provider_node(target), "container-binding",
                                             decl.location))
            target = None
        elif target is not None:
            target_id = self.builder.add_target(target, decl.location)
            self.builder.graph.add_edge(Edge(decl.id, target_id, "container-binding", decl.location))
        sub = sub_container(self.resolver, decl)
        if sub is not None:
            self.expand_sub_container(decl, sub)
            return
        parameters = self.callable_parameters(target)
        arguments = list(decl.call.args[1:]) if decl.callable is not None else []
        named = [(parameters[n] if n < len(parameters) else f"#{n + 1}", argument) for n, argument in enumerate(arguments)]
        for name, argument in named + list(decl.call.keywords):
            if name == "provides":
                continue
            inner = self.argument_provider(decl, name, argument)
            if inner is None or inner.kind in _VALUE_PROVIDERS:
                continue
            self.builder.graph.add_edge(Edge(decl.id, self.provider_node(inner), "constructor",
                                             self.argument_location(decl, argument), name))

    def expand_sub_container(self, decl: ProviderDecl, sub: DefSym) -> None:
        """`auth = providers.Container(AuthModule, repo=user.repo)`: the sub-container, and each provider it
        declares (a `providers.Dependency()`) bound to what the enclosing container passes for it."""
        sub_id = f"{sub.module}.{sub.qualname}"
        facts = self.resolver.class_facts(sub)
        module = self.builder.source.facts(sub.module)
        location = facts.location if facts is not None else None
        if location is None and module is not None:
            location = Location(module.path, 0, 0, 0, 0)
        self.builder.graph.add_node(Node(sub_id, "container", location, lifetime="process"))
        self.builder.graph.add_edge(Edge(decl.id, sub_id, "container-binding", decl.location))
        for name, argument in decl.call.keywords:
            overridden = provider_decl(self.resolver, self.resolver.class_attribute(sub, name))
            value = self.argument_provider(decl, name, argument)
            if overridden is None or value is None or value.kind in _VALUE_PROVIDERS:
                continue
            self.builder.graph.add_edge(Edge(self.provider_node(overridden), self.provider_node(value),
                                             "container-binding", self.argument_location(decl, argument)))

    def argument_location(self, decl: ProviderDecl, argument: Expr) -> Location:
        line = getattr(argument, "line", 0) or decl.location.line
        column = getattr(argument, "column", 0) or decl.location.column
        return Location(decl.location.path, line, column, line, column)

    def argument_provider(self, decl: ProviderDecl, name: str, argument: Expr) -> ProviderDecl | None:
        if isinstance(argument, CallExpr):  # an inline provider: `providers.Factory(Repo)` as an argument
            called = self.resolver.qualified_name(argument.func, decl.ctx)
            if called and called.startswith(_DI_PROVIDERS):
                return ProviderDecl(f"{decl.id}.{name}", called[len(_DI_PROVIDERS):], argument, decl.ctx,
                                    Location(decl.location.path, argument.line, argument.column, argument.line,
                                             argument.column))
            return None
        if isinstance(argument, (NameExpr, AttributeExpr)):
            return self.provider_of(argument, body_ctx(self.resolver, argument, decl))
        return None

    def callable_parameters(self, target: Target | None) -> list[str]:
        if target is None:
            return []
        return [spec.parameter.name for spec in self.resolver.parameters(target)
                if spec.parameter.kind in ("positional_only", "positional")]

    # --- plain constructor injection ----------------------------------------------------------------------

    def construct(self, call: CallExpr, ctx: Ctx, fallback: Location, container: str | None = None,
                  depth: int = 0) -> str | None:
        """Edges for one construction `C(a=..., b=...)`: from C to what each argument is, when that is a
        project service (traced through variables and nested constructions). Returns C's node id."""
        key = (id(call), ctx.module, ctx.scope)
        if key in self._constructed:  # a variable passed many times is one construction, followed once
            return self._constructed[key]
        self._constructed[key] = None
        self._constructed[key] = found = self._construct(call, ctx, fallback, container, depth)
        return found

    def _construct(self, call: CallExpr, ctx: Ctx, fallback: Location, container: str | None,
                   depth: int) -> str | None:
        if depth > 10:
            return None
        cls, env = self.constructor_arguments(call, ctx)
        if cls is None:
            return None
        implementations = []
        for name, (argument, argument_ctx) in env:
            target = self.implementation(argument, argument_ctx, fallback, container, depth + 1)
            if target is not None:
                implementations.append((name, argument, target))
        if not implementations:
            return None
        source = self.composed_node(cls)
        for name, argument, target in implementations:
            line = getattr(argument, "line", 0) or call.line or fallback.line
            column = getattr(argument, "column", 0) or call.column or fallback.column
            location = Location(fallback.path, line, column, line, column)
            self.builder.graph.add_edge(Edge(source, target, "constructor", location, name),
                                        "composition" if container is None else f"container:{container}")
        return source

    def constructor_arguments(self, call: CallExpr, ctx: Ctx) -> tuple[DefSym | None, tuple]:
        """The class a call builds and its arguments by parameter name: `Service(repo=...)` (its `__init__`,
        or a dataclass's fields), or a classmethod factory `Service.create(repo=...)` returning `cls(...)`."""
        cls = self.constructed_class(call, ctx)
        if cls is not None:
            init = self.resolver.find_method(cls, "__init__")
            function = self.resolver.function_facts(init.module, init.qualname) if init is not None else None
            if function is not None:
                return cls, self.resolver.bind_arguments(function, call, ctx, drop=1)
            fields = self.resolver.field_parameters(self.resolver.class_target(cls)) \
                if self.resolver.class_facts(cls) is not None else []
            names = [spec.parameter.name for spec in fields]
            bound = list(zip(names, ((argument, ctx) for argument in call.args)))
            bound += [(name, (argument, ctx)) for name, argument in call.keywords if name in names]
            return cls, tuple(bound)
        method = self.resolver.resolve(call.func, ctx)
        if not (isinstance(method, MethodSym) and isinstance(call.func, AttributeExpr)):
            return None, ()
        facts = self.resolver.function_facts(method.module, method.qualname)
        owner = self.resolver.class_of(self.resolver.resolve(call.func.value, ctx))
        if facts is None or not isinstance(owner, DefSym) or CLASSMETHOD not in self.resolver.decorator_names(
                facts.decorators, Ctx(method.module, facts.scope)):
            return None, ()
        builds = any(isinstance(returned, CallExpr) and isinstance(returned.func, NameExpr)
                     and facts.parameters and returned.func.name == facts.parameters[0].name
                     for returned in facts.returns)
        return (owner, self.resolver.bind_arguments(facts, call, ctx, drop=1)) if builds else (None, ())

    def composed_node(self, cls: DefSym) -> str:
        """A class a composition root constructs; marked when nothing else put it in the graph."""
        class_id = f"{cls.module}.{cls.qualname}"
        known = class_id in self.builder.graph
        node_id = self.class_node(cls, class_id)
        if not known and not self._container_names:
            self.builder.graph.mark_composed(node_id)
        return node_id

    def implementation(self, expr: Expr, ctx: Ctx, fallback: Location, container: str | None,
                       depth: int) -> str | None:
        """The node of what an argument passes: the service class it constructs (or a variable holding
        one holds), a type looked up in a lagom container (`c[Repo]`), a parameter's annotated service."""
        if depth > 10:
            return None
        if isinstance(expr, CallExpr):
            cls = self.constructor_arguments(expr, ctx)[0]
            if cls is not None and service_class(self.resolver, cls):
                self.construct(expr, ctx, fallback, container, depth + 1)
                return self.composed_node(cls)
            return None
        if isinstance(expr, SubscriptExpr) and len(expr.items) == 1:
            lookup_container = self.lagom_container(expr.value, ctx) or (
                container if isinstance(expr.value, NameExpr) and expr.value.name in self._container_names
                else None)
            if lookup_container is not None:
                return self.resolve_type(lookup_container, expr.items[0], ctx, fallback)
            return None
        if not isinstance(expr, (NameExpr, AttributeExpr)):
            return None
        sym = self.resolver.resolve(expr, ctx)
        if isinstance(sym, VarSym):
            if sym.scope == ctx.scope and sym.module == ctx.module and sym.binding.line >= fallback.line > 0:
                return None  # `repo = Cached(repo)`: the binding seen is this one (or later), not the value passed
            value = self.resolver.var_value(sym)
            if isinstance(value, (CallExpr, NameExpr, AttributeExpr)):
                return self.implementation(value, self.resolver.var_ctx(sym), fallback, container, depth + 1)
            return None
        if isinstance(sym, ParamSym):
            function = self.resolver.function_facts(sym.module, sym.scope)
            parameter = next((p for p in function.parameters if p.name == sym.name), None) if function else None
            if parameter is None or parameter.annotation is None:
                return None
            (type_expr, type_ctx), _ = self.resolver.annotation_parts(parameter.annotation,
                                                                      Ctx(sym.module, function.scope))
            cls = self.resolver.class_of(self.resolver.resolve(type_expr, type_ctx))
            if service_class(self.resolver, cls):
                return self.composed_node(cls)
        return None

    def compositions(self) -> None:
        for facts in self.builder.analyzed_modules():
            if not facts.compositions or facts.is_test:
                continue
            roots: dict[str, bool] = {}
            for scope, call in facts.compositions:
                if scope not in roots:
                    roots[scope] = is_composition_root(self.resolver, facts, scope, self.builder.graph)
                if roots[scope]:
                    self.construct(call, Ctx(facts.module, scope),
                                   Location(facts.path, call.line, call.column, call.line, call.column))

    # --- markers -----------------------------------------------------------------------------------------

    def resolve_marker(self, marker, dependency: Expr, ctx: Ctx, location: Location) -> str | None:
        """The node a container resolves for a declared dependency, or None when no container is involved."""
        if marker.container == "lagom":
            found = self.lagom_depends(marker.call, marker.ctx)
            if found is None:
                return self.builder.add_target(unresolved(
                    ctx.module, location.line, render(marker.call),
                    "the lagom container behind this integration is built at run time"), location)
            return self.resolve_type(found[0], dependency, ctx, location)
        key = self.provide_key(dependency, ctx)
        if key is None:
            return None
        decl = self.provider_of(*key)
        if decl is None:
            named = self.resolver.resolve(key[0], key[1]) if isinstance(key[0], (NameExpr, AttributeExpr)) else None
            if isinstance(named, ExternalSym):
                reason = (f"{render(key[0])} is imported as {named.name}, which is not among the analyzed files "
                          "(is the folder imports start from the one wirelint was run on?)")
            elif isinstance(named, UnknownSym):
                reason = f"{render(key[0])}: {named.reason}"
            else:
                reason = f"{render(key[0])} is not a provider of a dependency-injector container"
            return self.builder.add_target(unresolved(ctx.module, location.line, render(dependency), reason),
                                           location)
        return self.provider_node(decl)

    # --- the worklist ------------------------------------------------------------------------------------

    def pending(self) -> bool:
        return bool(self._pending)

    def step(self) -> None:
        item = self._pending.pop()
        if item[0] == "lagom":
            _, container, sym, key_id = item
            self.expand_lagom(container, sym, key_id)
        else:
            _, decl, target = item
            self.expand_provider(decl, target)

    def seed(self) -> None:
        """Everything the containers declare and the composition roots build, reached by a route or not."""
        for container, keys in sorted(self.bindings().items()):
            for key_id, bound in sorted(keys.items()):
                binding = bound[-1]
                sym = self.resolver.class_of(self.resolver.resolve(binding.key_expr, binding.ctx))
                self.class_node(sym, key_id)
                self._pending.append(("lagom", container, sym, key_id))
        for decl in self.declared_providers():
            self.provider_node(decl)
        self.compositions()
