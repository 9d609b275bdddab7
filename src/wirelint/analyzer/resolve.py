"""Names across modules: what an expression denotes, the way Python and FastAPI would see it.

`Resolver` answers three questions over the per-module facts, never importing the code:

- `resolve(expr, ctx)`: which symbol a name or attribute chain denotes (imports, re-exports, star imports,
  module attributes, class members, module-level instances);
- `marker(expr, ctx)`: whether an expression is a FastAPI parameter marker (`Depends`, `Security`, a Depends
  subclass, a helper returning `Depends(...)`, or a Query/Path/Body/... marker);
- `callable_target(expr, ctx)`: which callable FastAPI would call for a dependency (function, class,
  instance, factory result, partial, method, lambda), and `parameters(target)`: the parameters FastAPI would
  inspect on it.

A context is the module and the function scope an expression is evaluated in, plus an environment binding the
parameters of factories to the arguments of the call being followed.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field
from typing import Protocol

from .models import (
    AttributeExpr,
    Binding,
    CallExpr,
    ClassFacts,
    ConditionalExpr,
    Expr,
    FormattedStringExpr,
    FunctionFacts,
    LambdaExpr,
    Location,
    ModuleFacts,
    NameExpr,
    OtherExpr,
    Parameter,
    SequenceExpr,
    StringExpr,
    SubscriptExpr,
    render,
)

DEPENDS = frozenset({"fastapi.Depends", "fastapi.param_functions.Depends", "fastapi.params.Depends"})
SECURITY = frozenset({"fastapi.Security", "fastapi.param_functions.Security", "fastapi.params.Security"})
_PARAM_NAMES = ("Query", "Path", "Body", "Header", "Cookie", "Form", "File", "Param")
PARAM_MARKERS = frozenset(
    f"{module}.{name}" for module in ("fastapi", "fastapi.param_functions", "fastapi.params") for name in _PARAM_NAMES
)
FASTAPI_APP = frozenset({"fastapi.FastAPI", "fastapi.applications.FastAPI"})
FASTAPI_ROUTER = frozenset({"fastapi.APIRouter", "fastapi.routing.APIRouter"})
ANNOTATED = frozenset({"typing.Annotated", "typing_extensions.Annotated"})
PARTIAL = frozenset({"functools.partial"})
PYDANTIC_MODEL = frozenset({"pydantic.BaseModel", "pydantic.main.BaseModel", "sqlmodel.SQLModel"})
DATACLASS = frozenset({"dataclasses.dataclass", "pydantic.dataclasses.dataclass", "attr.s", "attrs.define",
                       "attr.define", "attrs.frozen", "attr.frozen"})
LAGOM_INTEGRATIONS = frozenset({"lagom.integrations.fast_api.FastApiIntegration"})
DI_PROVIDE = frozenset({"dependency_injector.wiring.Provide", "dependency_injector.wiring.Provider"})
DI_CLOSING = frozenset({"dependency_injector.wiring.Closing"})
STATICMETHOD = "builtins.staticmethod"
CLASSMETHOD = "builtins.classmethod"
_BUILTINS = frozenset(dir(builtins))
_MAX_DEPTH = 40


# --- contexts and symbols ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Ctx:
    """Where an expression is evaluated: module, function scope ("" = module level), factory bindings."""

    module: str
    scope: str = ""
    env: tuple[tuple[str, tuple[Expr, "Ctx"]], ...] = ()

    def bound(self, name: str) -> tuple[Expr, Ctx] | None:
        for key, value in self.env:
            if key == name:
                return value
        return None


class Sym:
    __slots__ = ()


@dataclass(frozen=True, slots=True)
class ModuleSym(Sym):
    name: str


@dataclass(frozen=True, slots=True)
class DefSym(Sym):
    module: str
    qualname: str
    kind: str  # function | class


@dataclass(frozen=True, slots=True)
class MethodSym(Sym):
    module: str
    qualname: str  # the function's qualname (Class.method)
    via: str  # class | instance
    instance: str | None = None  # the id of the instance for bound methods


@dataclass(frozen=True, slots=True)
class VarSym(Sym):
    module: str
    scope: str
    name: str
    binding: Binding
    in_class: bool = False  # a class attribute: `scope` is the class's qualname

    @property
    def id(self) -> str:
        if not self.scope:
            return f"{self.module}.{self.name}"
        return f"{self.module}.{self.scope}.{self.name}" if self.in_class else \
            f"{self.module}.{self.scope}.<locals>.{self.name}"


@dataclass(frozen=True, slots=True)
class ExternalSym(Sym):
    name: str


@dataclass(frozen=True, slots=True)
class ParamSym(Sym):
    module: str
    scope: str
    name: str


@dataclass(frozen=True, slots=True)
class UnknownSym(Sym):
    reason: str


# --- markers and targets -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DependsMarker:
    dependency: Expr | None  # None for `Depends()`: the callable is the annotation
    ctx: Ctx
    security: bool
    call: CallExpr | None
    # "lagom" (`deps.depends(X)`: `dependency` is the type asked for) or "dependency-injector" (a bare
    # `Provide[Container.x]` default: `dependency` is the subscript); None for FastAPI's own markers.
    container: str | None = None


@dataclass(frozen=True, slots=True)
class ParamMarker:
    """Query(), Path(), Body(), ...: a FastAPI marker that is not a dependency."""


PARAM_MARKER = ParamMarker()


@dataclass(frozen=True, slots=True)
class Target:
    """A callable FastAPI would call for a dependency."""

    id: str
    kind: str  # provider | class | instance | factory | external | unresolved
    module: str | None = None  # where the callable's parameters live (None for external/unresolved)
    function: FunctionFacts | None = None  # the function whose parameters FastAPI inspects
    cls: ClassFacts | None = None  # for classes
    class_id: str | None = None
    drop: int = 0  # leading positional parameters bound already (self, cls, partial arguments)
    overrides: tuple[tuple[str, Expr, Ctx], ...] = ()  # partial keywords: new defaults
    env: tuple = ()  # factory bindings for the function's scope
    reason: str | None = None
    location: Location | None = None

    @property
    def yields(self) -> bool:
        return bool(self.function and self.function.yields and self.kind != "class")

    @property
    def is_async(self) -> bool | None:
        """Whether FastAPI awaits it: a class is constructed in the threadpool; an instance is as its
        `__call__`; None when its code is not in the project."""
        if self.kind == "class":
            return False
        if self.function is not None:
            return self.function.is_async
        return library_is_async(self.class_id or self.id) if self.kind in ("instance", "external") else None


def library_is_async(name: str) -> bool | None:
    """Whether FastAPI awaits an instance of a library class: FastAPI's security schemes have an async
    `__call__`; other libraries' code is not read."""
    if name.endswith("()") and name.startswith("fastapi.security."):
        return True
    if not name.endswith("()") and name.startswith("fastapi.security.") and name.rsplit(".", 1)[-1][:1].isupper():
        return True
    return None


@dataclass(frozen=True, slots=True)
class ParamSpec:
    """One parameter FastAPI would inspect, with the context its annotation and default are evaluated in."""

    parameter: Parameter
    ctx: Ctx
    default: Expr | None
    default_ctx: Ctx


def unresolved(module: str, line: int, text: str, reason: str) -> Target:
    return Target(id=f"unresolved:{module}:{line}:{text}", kind="unresolved", reason=reason)


# --- the resolver ------------------------------------------------------------------------------------------


@dataclass
class Resolver:
    """Resolves names against a project's module facts."""

    modules: "ModuleSource"
    _active: set = field(default_factory=set)
    _bases_cache: dict = field(default_factory=dict)
    _mro_active: set = field(default_factory=set)

    # -- names --

    def lookup(self, ctx: Ctx, name: str) -> Sym:
        facts = self.modules.facts(ctx.module)
        if facts is None:
            return UnknownSym(f"module {ctx.module!r} is not analyzed")
        scope: str | None = ctx.scope
        while scope is not None:
            scope_facts = facts.scopes.get(scope)
            if scope_facts is None:
                scope = "" if scope else None
                continue
            binding = scope_facts.bindings.get(name)
            if binding is not None and scope_facts.is_class and isinstance(binding.value, NameExpr) and \
                    binding.value.name == name:
                binding = None  # `get_db = get_db` in a class body: the right side is the enclosing scope's
            if binding is not None:
                if binding.kind == "parameter":
                    bound = ctx.bound(name) if scope == ctx.scope else None
                    if bound is not None:
                        expr, bound_ctx = bound
                        return self.resolve(expr, bound_ctx)
                    return ParamSym(ctx.module, scope, name)
                return self._from_binding(ctx.module, scope, name, binding, scope_facts.is_class)
            scope = scope_facts.parent
        return self._star_or_builtin(ctx.module, facts, name)

    def _star_or_builtin(self, module: str, facts: ModuleFacts, name: str) -> Sym:
        for source in facts.scopes[""].star_imports:
            if self.modules.has_module(source):
                sym = self.module_member(source, name)
                if not isinstance(sym, UnknownSym):
                    return sym
            else:
                return UnknownSym(f"{name!r} may come from `from {source} import *`")
        if name in _BUILTINS:
            return ExternalSym(f"builtins.{name}")
        return UnknownSym(f"name {name!r} is not defined in {module}")

    def _from_binding(self, module: str, scope: str, name: str, binding: Binding, in_class: bool = False) -> Sym:
        kind = binding.kind
        if kind == "function":
            return DefSym(module, binding.target, "function")
        if kind == "class":
            return DefSym(module, binding.target, "class")
        if kind == "import_module":
            return self.module_sym(binding.target)
        if kind == "import":
            return self.imported(binding.target)
        return VarSym(module, scope, name, binding, in_class)

    def module_sym(self, dotted: str) -> Sym:
        canonical = self.modules.canonical(dotted)
        return ModuleSym(canonical) if canonical is not None else ExternalSym(dotted)

    def imported(self, dotted: str) -> Sym:
        """`from a.b import c` gives dotted `a.b.c`."""
        source, _, name = dotted.rpartition(".")
        canonical = self.modules.canonical(source) if source else None
        if canonical is not None:
            return self.module_member(canonical, name)
        whole = self.modules.canonical(dotted)
        if whole is not None:
            return ModuleSym(whole)
        return ExternalSym(dotted)

    def module_member(self, module: str, name: str) -> Sym:
        key = (module, name)
        if key in self._active:
            # `from pkg import items` in pkg/__init__.py (or an import loop back to it): Python finds no
            # attribute yet and imports the submodule pkg.items.
            submodule = self.modules.canonical(f"{module}.{name}")
            return ModuleSym(submodule) if submodule is not None else UnknownSym(f"import cycle through {module}.{name}")
        self._active.add(key)
        try:
            facts = self.modules.facts(module)
            if facts is None:
                return UnknownSym(f"module {module!r} is not analyzed")
            binding = facts.scopes[""].bindings.get(name)
            if binding is not None:
                return self._from_binding(module, "", name, binding)
            submodule = self.modules.canonical(f"{module}.{name}")
            if submodule is not None:
                return ModuleSym(submodule)
            sym = self._star_or_builtin(module, facts, name)
            if isinstance(sym, ExternalSym) and sym.name.startswith("builtins."):
                return UnknownSym(f"{module} has no name {name!r}")
            return sym
        finally:
            self._active.discard(key)

    def resolve(self, expr: Expr | None, ctx: Ctx, depth: int = 0) -> Sym:
        if depth > _MAX_DEPTH:
            return UnknownSym("resolution too deep")
        if isinstance(expr, NameExpr):
            return self.lookup(ctx, expr.name)
        if isinstance(expr, AttributeExpr):
            return self.member(self.resolve(expr.value, ctx, depth + 1), expr.attr, depth + 1)
        return UnknownSym(f"not a name: {render(expr)}")

    def resolve_qualified(self, expr: Expr | None, ctx: Ctx) -> Sym:
        """Like resolve, for dotted names through modules only (`fastapi.APIRouter`, `routing.Router`): attributes
        of classes and instances are not followed, so answering never parses another module's classes."""
        if isinstance(expr, AttributeExpr):
            base = self.resolve_qualified(expr.value, ctx)
            if isinstance(base, (ModuleSym, ExternalSym)):
                return self.member(base, expr.attr)
            return UnknownSym(f"attribute {expr.attr!r} of a non-module")
        return self.resolve(expr, ctx)

    def member(self, sym: Sym, attr: str, depth: int = 0) -> Sym:
        if isinstance(sym, ModuleSym):
            return self.module_member(sym.name, attr)
        if isinstance(sym, ExternalSym):
            return ExternalSym(f"{sym.name}.{attr}")
        if isinstance(sym, DefSym) and sym.kind == "class":
            found = self.find_method(sym, attr)
            if found is not None:
                return MethodSym(found.module, found.qualname, "class")
            attribute = self.class_attribute(sym, attr)
            if attribute is not None:
                return attribute
            return UnknownSym(f"{sym.module}.{sym.qualname} has no method {attr!r}")
        if isinstance(sym, VarSym):
            value = self.var_value(sym)
            if isinstance(value, CallExpr):
                cls = self.deref(self.resolve(value.func, self.var_ctx(sym), depth + 1), depth + 1)
                if isinstance(cls, DefSym) and cls.kind == "class":
                    found = self.find_method(cls, attr)
                    if found is not None:
                        return MethodSym(found.module, found.qualname, "instance", sym.id)
                    return UnknownSym(f"{attr!r} of {sym.id} is no method of {cls.module}.{cls.qualname} "
                                      "(an attribute set at run time?)")
                if isinstance(cls, ExternalSym):
                    return UnknownSym(f"attribute {attr!r} of an instance of {cls.name}")
            elif isinstance(value, (NameExpr, AttributeExpr)):
                return self.member(self.resolve(value, self.var_ctx(sym), depth + 1), attr, depth + 1)
            return UnknownSym(f"attribute {attr!r} of {sym.id}")
        if isinstance(sym, UnknownSym):
            return sym
        if isinstance(sym, ParamSym):
            return UnknownSym(f"attribute {attr!r} of the parameter {sym.name!r}, known only at run time")
        what = {"MethodSym": "a method", "DefSym": "a function"}.get(type(sym).__name__, "a value")
        return UnknownSym(f"attribute {attr!r} of {what}")

    def deref(self, sym: Sym, depth: int = 0) -> Sym:
        """Follow plain aliases: `get_session = get_db`, `Dep = Depends`."""
        while isinstance(sym, VarSym) and depth < _MAX_DEPTH:
            value = self.var_value(sym)
            if not isinstance(value, (NameExpr, AttributeExpr)):
                return sym
            sym = self.resolve(value, self.var_ctx(sym), depth + 1)
            depth += 1
        return sym

    def class_of(self, sym: Sym, depth: int = 0) -> Sym:
        """Like deref, and through class factories: `APIRouter = make_router_class(Route)` where the function
        returns a class it defines (or another class)."""
        sym = self.deref(sym)
        if depth > 5 or not isinstance(sym, VarSym):
            return sym
        value = self.var_value(sym)
        if not isinstance(value, CallExpr):
            return sym
        for returned, returned_ctx in self.factory_returns(value, self.var_ctx(sym)):
            found = self.class_of(self.resolve(returned, returned_ctx), depth + 1)
            if isinstance(found, DefSym) and found.kind == "class" or isinstance(found, ExternalSym):
                return found
        return sym

    def factory_returns(self, call: CallExpr, ctx: Ctx) -> list[tuple[Expr, Ctx]]:
        """When `call` calls a project function (`container = build_container()`), what its `return`
        statements return, each with the function's context; else nothing."""
        func = self.deref(self.resolve(call.func, ctx))
        if not (isinstance(func, DefSym) and func.kind == "function"):
            return []
        facts = self.function_facts(func.module, func.qualname)
        return [(returned, Ctx(func.module, facts.qualname)) for returned in facts.returns] if facts else []

    def qualified_name(self, expr: Expr | None, ctx: Ctx) -> str | None:
        """The qualified name a dotted expression denotes through modules and aliases (`providers.Factory`
        -> `dependency_injector.providers.Factory`)."""
        return self.qualified(self.deref(self.resolve_qualified(expr, ctx)))

    def built_by(self, sym: Sym) -> str | None:
        """For a variable assigned a call (`engine = create_engine(...)`), the qualified name of the callee."""
        if not isinstance(sym, VarSym):
            return None
        value = self.var_value(sym)
        if not isinstance(value, CallExpr):
            return None
        return self.qualified(self.class_of(self.resolve_qualified(value.func, self.var_ctx(sym))))

    def var_value(self, sym: VarSym) -> Expr | None:
        if sym.binding.value is not None or sym.binding.kind not in ("assign", "type_statement"):
            return sym.binding.value
        facts = self.modules.facts(sym.module)
        if facts is None:
            return None
        binding = facts.scopes.get(sym.scope, facts.scopes[""]).bindings.get(sym.name)
        return binding.value if binding is not None else None

    @staticmethod
    def var_ctx(sym: VarSym) -> Ctx:
        return Ctx(sym.module, sym.scope)

    def qualified(self, sym: Sym) -> str | None:
        if isinstance(sym, ExternalSym):
            return sym.name
        if isinstance(sym, DefSym):
            return f"{sym.module}.{sym.qualname}"
        if isinstance(sym, ModuleSym):
            return sym.name
        return None

    # -- classes --

    def class_facts(self, sym: DefSym) -> ClassFacts | None:
        facts = self.modules.facts(sym.module)
        return facts.classes.get(sym.qualname) if facts is not None else None

    def function_facts(self, module: str, qualname: str) -> FunctionFacts | None:
        facts = self.modules.facts(module)
        return facts.functions.get(qualname) if facts is not None else None

    def mro(self, sym: DefSym) -> tuple[list[tuple[DefSym, ClassFacts]], list[str]]:
        """Project classes in method resolution order (depth-first approximation), and external bases."""
        if sym in self._mro_active:  # a base that names the class itself through a rebinding (`A = B`)
            return [], []
        self._mro_active.add(sym)
        try:
            return self._mro(sym)
        finally:
            self._mro_active.discard(sym)

    def _mro(self, sym: DefSym) -> tuple[list[tuple[DefSym, ClassFacts]], list[str]]:
        project: list[tuple[DefSym, ClassFacts]] = []
        external: list[str] = []
        seen: set[DefSym] = set()

        def walk(current: DefSym, depth: int) -> None:
            if current in seen or depth > _MAX_DEPTH:
                return
            seen.add(current)
            facts = self.class_facts(current)
            if facts is None:
                return
            project.append((current, facts))
            for base in facts.bases:
                base_sym = self.deref(self.resolve(base, Ctx(current.module, facts.scope)))
                if isinstance(base_sym, DefSym) and base_sym.kind == "class":
                    walk(base_sym, depth + 1)
                elif isinstance(base_sym, ExternalSym):
                    external.append(base_sym.name)

        walk(sym, 0)
        return project, external

    def external_bases(self, sym: DefSym) -> frozenset[str]:
        """Names of the external classes `sym` derives from, through project classes."""
        cached = self._bases_cache.get(sym)
        if cached is not None:
            return cached
        self._bases_cache[sym] = frozenset()  # cycle guard
        facts = self.modules.facts(sym.module)
        bases: tuple[Expr, ...] = ()
        scope = ""
        class_facts = facts.classes.get(sym.qualname) if facts is not None else None
        if class_facts is not None:
            bases, scope = class_facts.bases, class_facts.scope
        found: set[str] = set()
        for base in bases:
            base_sym = self.deref(self.resolve(base, Ctx(sym.module, scope)))
            if isinstance(base_sym, DefSym) and base_sym.kind == "class":
                found |= self.external_bases(base_sym)
            elif isinstance(base_sym, ExternalSym):
                found.add(base_sym.name)
        result = frozenset(found)
        self._bases_cache[sym] = result
        return result

    def class_attribute(self, sym: DefSym, name: str) -> Sym | None:
        """What a name assigned in the body of the class (or of a project base class) denotes: a VarSym for
        `orders = providers.Factory(...)`, a class for a nested class; None when no class body binds it."""
        for owner, _facts in self.mro(sym)[0]:
            facts = self.modules.facts(owner.module)
            scope = facts.scopes.get(owner.qualname) if facts is not None else None
            binding = scope.bindings.get(name) if scope is not None else None
            if binding is not None and binding.kind != "function":
                return self._from_binding(owner.module, owner.qualname, name, binding, True)
        return None

    def find_method(self, sym: DefSym, name: str) -> DefSym | None:
        for owner, facts in self.mro(sym)[0]:
            if name in facts.methods:
                return DefSym(owner.module, f"{facts.qualname}.{name}", "function")
        return None

    def is_subclass(self, sym: DefSym, names: frozenset[str]) -> bool:
        return not self.external_bases(sym).isdisjoint(names)

    def decorator_names(self, decorators: tuple[Expr, ...], ctx: Ctx) -> set[str]:
        names = set()
        for decorator in decorators:
            expr = decorator.func if isinstance(decorator, CallExpr) else decorator
            name = self.qualified(self.deref(self.resolve(expr, ctx)))
            if name:
                names.add(name)
        return names

    # -- markers --

    def marker(self, expr: Expr | None, ctx: Ctx, depth: int = 0) -> DependsMarker | ParamMarker | None:
        """The FastAPI marker an expression evaluates to, if any."""
        if expr is None or depth > _MAX_DEPTH:
            return None
        if isinstance(expr, (NameExpr, AttributeExpr)):
            sym = self.resolve(expr, ctx)
            if isinstance(sym, VarSym):
                return self.marker(self.var_value(sym), self.var_ctx(sym), depth + 1)
            return None
        if isinstance(expr, SubscriptExpr) and expr.items:  # `Provide[Container.x]` on an @inject function
            name = self.qualified_name(expr.value, ctx)
            if name in DI_PROVIDE or name in DI_CLOSING:
                return DependsMarker(expr, ctx, False, None, "dependency-injector")
            return None
        if not isinstance(expr, CallExpr):
            return None
        if self.lagom_integration(expr.func, ctx) is not None:
            return DependsMarker(expr.argument(0, "dep_type"), ctx, False, expr, "lagom")
        func = self.deref(self.resolve(expr.func, ctx))
        name = self.qualified(func)
        if name in DEPENDS or name in SECURITY:
            return DependsMarker(expr.argument(0, "dependency"), ctx, name in SECURITY, expr)
        if name in PARAM_MARKERS:
            return PARAM_MARKER
        if isinstance(func, DefSym) and func.kind == "class":
            if self.is_subclass(func, DEPENDS | SECURITY):
                return DependsMarker(
                    expr.argument(0, "dependency"), ctx, self.is_subclass(func, SECURITY), expr
                )
            if self.is_subclass(func, PARAM_MARKERS):
                return PARAM_MARKER
            return None
        if isinstance(func, DefSym) and func.kind == "function":
            facts = self.function_facts(func.module, func.qualname)
            if facts is None or not facts.returns:
                return None
            inner = Ctx(func.module, facts.qualname, self.bind_arguments(facts, expr, ctx))
            for returned in facts.returns:
                found = self.marker(returned, inner, depth + 1)
                if found is not None:
                    return found
        return None

    def lagom_integration(self, func: Expr, ctx: Ctx, depth: int = 0) -> VarSym | None:
        """For `deps.depends` where `deps = FastApiIntegration(container)` (or an alias of it, `inject =
        deps.depends`): the variable holding the integration."""
        if depth > 10:
            return None
        if isinstance(func, AttributeExpr) and func.attr == "depends":
            sym = self.deref(self.resolve(func.value, ctx))
            if isinstance(sym, VarSym) and self.built_by(sym) in LAGOM_INTEGRATIONS:
                return sym
        if isinstance(func, (NameExpr, AttributeExpr)):
            sym = self.resolve(func, ctx)
            if isinstance(sym, VarSym) and isinstance(value := self.var_value(sym), (NameExpr, AttributeExpr)):
                return self.lagom_integration(value, self.var_ctx(sym), depth + 1)
        return None

    @staticmethod
    def bind_arguments(facts: FunctionFacts, call: CallExpr, ctx: Ctx, drop: int = 0, module: str | None = None):
        """Bind a call's arguments to the function's parameter names (for following factories); with
        `module`, parameters left unbound get their defaults (evaluated where the function is defined)."""
        env = []
        positional = [p for p in facts.parameters if p.kind in ("positional_only", "positional")][drop:]
        for parameter, argument in zip(positional, call.args):
            env.append((parameter.name, (argument, ctx)))
        names = {p.name for p in facts.parameters if p.kind != "positional_only"}
        for keyword, argument in call.keywords:
            if keyword in names:
                env.append((keyword, (argument, ctx)))
        if module is not None and not call.has_star_args:
            bound = {name for name, _ in env}
            for parameter in facts.parameters[drop:]:
                if parameter.name not in bound and parameter.default is not None:
                    env.append((parameter.name, (parameter.default, Ctx(module, facts.scope))))
        return tuple(env)

    def truth(self, expr: Expr | None, ctx: Ctx, depth: int = 0) -> bool | None:
        """The truth value of a condition when it is a constant, a definition, or a factory argument bound
        to one; None when only run time knows."""
        if depth > 10 or expr is None:
            return None
        if isinstance(expr, NameExpr):
            if expr.name in ("True", "False", "None"):
                return expr.name == "True"
            bound = ctx.bound(expr.name)
            if bound is not None:
                return self.truth(bound[0], bound[1], depth + 1)
        if isinstance(expr, (NameExpr, AttributeExpr)):
            sym = self.resolve(expr, ctx)
            if isinstance(sym, (DefSym, MethodSym)):
                return True  # functions and classes are truthy
            if isinstance(sym, VarSym) and sym.binding.kind == "assign" and not sym.scope:
                return self.truth(self.var_value(sym), self.var_ctx(sym), depth + 1)
            return None
        if isinstance(expr, (StringExpr, LambdaExpr)):
            return bool(expr.value) if isinstance(expr, StringExpr) else True
        return None

    def annotation_parts(
        self, expr: Expr | None, ctx: Ctx, top: bool = True, depth: int = 0
    ) -> tuple[tuple[Expr | None, Ctx], list[tuple[Expr, Ctx]]]:
        """(the type, the Annotated metadata in order), flattening nested Annotated and aliases."""
        if expr is None or depth > _MAX_DEPTH:
            return (expr, ctx), []
        if isinstance(expr, SubscriptExpr) and expr.items:
            origin = self.qualified(self.deref(self.resolve(expr.value, ctx)))
            if origin in ANNOTATED:
                base, inner_meta = self.annotation_parts(expr.items[0], ctx, False, depth + 1)
                return base, inner_meta + [(item, ctx) for item in expr.items[1:]]
            return (expr, ctx), []
        if isinstance(expr, (NameExpr, AttributeExpr)):
            sym = self.resolve(expr, ctx)
            if isinstance(sym, VarSym):
                value = self.var_value(sym)
                if sym.binding.kind == "type_statement":
                    # FastAPI unwraps a TypeAliasType once, at the top of an annotation only.
                    if top:
                        return self.annotation_parts(value, self.var_ctx(sym), False, depth + 1)
                    return (expr, ctx), []
                if isinstance(value, (SubscriptExpr, NameExpr, AttributeExpr)):
                    inner_type, meta = self.annotation_parts(value, self.var_ctx(sym), top, depth + 1)
                    if meta or isinstance(value, SubscriptExpr):
                        return inner_type, meta
                    if inner_type[0] is not value:
                        return inner_type, meta
        return (expr, ctx), []

    def dependency_of(self, parameter: Parameter, ctx: Ctx, default: Expr | None,
                      default_ctx: Ctx) -> tuple[DependsMarker, Expr | None, Ctx] | None:
        """FastAPI's analyze_param: the Depends marker of a parameter and the expression of its callable."""
        (type_expr, type_ctx), metadata = self.annotation_parts(parameter.annotation, ctx)
        chosen = None
        for item, item_ctx in metadata:
            found = self.marker(item, item_ctx)
            if found is not None:
                chosen = found  # the last FastAPI marker in the metadata wins
        if chosen is None:
            chosen = self.marker(default, default_ctx)
        if not isinstance(chosen, DependsMarker):
            return None
        if chosen.dependency is not None:
            return chosen, chosen.dependency, chosen.ctx
        return chosen, type_expr, type_ctx

    # -- callables --

    def callable_target(self, expr: Expr | None, ctx: Ctx, depth: int = 0) -> Target:
        """The callable FastAPI would call for `Depends(expr)`."""
        text = render(expr)
        line = getattr(expr, "line", 0)
        if depth > _MAX_DEPTH:
            return unresolved(ctx.module, line, text, "resolution too deep")
        if isinstance(expr, LambdaExpr):
            facts = self.function_facts(ctx.module, expr.qualname)
            if facts is None:
                return unresolved(ctx.module, expr.line, "lambda", "lambda not found")
            return self.function_target(ctx.module, facts, f"{ctx.module}.{facts.qualname}", "provider",
                                        ctx.env if facts.scope == ctx.scope else ())
        if isinstance(expr, CallExpr):
            return self.call_result_target(expr, ctx, depth)
        if isinstance(expr, (NameExpr, AttributeExpr)):
            sym = self.resolve(expr, ctx)
            return self.symbol_target(sym, expr, ctx, depth)
        if isinstance(expr, ConditionalExpr):
            truth = self.truth(expr.test, ctx)
            if truth is not None:
                return self.callable_target(expr.body if truth else expr.orelse, ctx, depth + 1)
            body = self.callable_target(expr.body, ctx, depth + 1)
            orelse = self.callable_target(expr.orelse, ctx, depth + 1)
            if body.id == orelse.id:
                return body
            return unresolved(ctx.module, line, text, f"one of {body.id} or {orelse.id}, chosen at run time by "
                                                      f"{render(expr.test)}")
        if expr is None:
            return unresolved(ctx.module, 0, "?", "no callable given")
        return unresolved(ctx.module, line, text, f"not a callable expression: {text}")

    def symbol_target(self, sym: Sym, expr: Expr, ctx: Ctx, depth: int) -> Target:
        text = render(expr)
        line = getattr(expr, "line", 0)
        if isinstance(sym, DefSym) and sym.kind == "function":
            facts = self.function_facts(sym.module, sym.qualname)
            if facts is None:
                return unresolved(ctx.module, line, text, f"definition of {sym.module}.{sym.qualname} not found")
            env = ctx.env if sym.module == ctx.module and facts.scope == ctx.scope else ()
            return self.function_target(sym.module, facts, f"{sym.module}.{sym.qualname}", "provider", env)
        if isinstance(sym, DefSym) and sym.kind == "class":
            return self.class_target(sym)
        if isinstance(sym, MethodSym):
            facts = self.function_facts(sym.module, sym.qualname)
            if facts is None:
                return unresolved(ctx.module, line, text, f"method {sym.qualname} not found")
            decorators = self.decorator_names(facts.decorators, Ctx(sym.module, facts.scope))
            drop = 0
            if CLASSMETHOD in decorators or (sym.via == "instance" and STATICMETHOD not in decorators):
                drop = 1
            return self.function_target(sym.module, facts, f"{sym.module}.{sym.qualname}", "provider", drop=drop)
        if isinstance(sym, VarSym):
            return self.variable_target(sym, expr, ctx, depth)
        if isinstance(sym, ExternalSym):
            return Target(id=sym.name, kind="external")
        if isinstance(sym, ParamSym):
            return unresolved(ctx.module, line, text,
                              f"{text!r} is a parameter of {sym.scope}: its value is known only at run time")
        if isinstance(sym, ModuleSym):
            return unresolved(ctx.module, line, text, f"{text!r} is a module, not a callable")
        reason = sym.reason if isinstance(sym, UnknownSym) else "cannot resolve"
        return unresolved(ctx.module, line, text, reason)

    def variable_target(self, sym: VarSym, expr: Expr, ctx: Ctx, depth: int) -> Target:
        value = self.var_value(sym)
        var_ctx = self.var_ctx(sym)
        text = render(expr)
        line = getattr(expr, "line", 0)
        if isinstance(value, LambdaExpr):
            facts = self.function_facts(sym.module, value.qualname)
            if facts is None:
                return unresolved(ctx.module, line, text, "lambda not found")
            return self.function_target(sym.module, facts, sym.id, "provider")
        if isinstance(value, (NameExpr, AttributeExpr)):
            return self.callable_target(value, var_ctx, depth + 1)
        if isinstance(value, CallExpr):
            func = self.deref(self.resolve(value.func, var_ctx))
            if self.qualified(func) in (STATICMETHOD, CLASSMETHOD) and value.args:  # `get = staticmethod(get_db)`
                return self.callable_target(value.args[0], var_ctx, depth + 1)
            location = self.binding_location(sym)
            if isinstance(func, DefSym) and func.kind == "class":
                return self.instance_target(func, sym.id, ctx, line, text, location)
            if isinstance(func, ExternalSym) and self.qualified(func) not in PARTIAL:
                return Target(id=sym.id, kind="instance", class_id=func.name, location=location)
            return self.call_result_target(value, var_ctx, depth + 1)
        return unresolved(ctx.module, line, text, f"{sym.id} is assigned {render(value) or 'at run time'}")

    def call_result_target(self, call: CallExpr, ctx: Ctx, depth: int) -> Target:
        text = render(call)
        func = self.deref(self.resolve(call.func, ctx))
        name = self.qualified(func)
        if name in PARTIAL:
            if not call.args:
                return unresolved(ctx.module, call.line, text, "partial() without a callable")
            inner = self.callable_target(call.args[0], ctx, depth + 1)
            if inner.kind in ("unresolved", "external"):
                return inner
            overrides = inner.overrides + tuple((k, v, ctx) for k, v in call.keywords)
            return Target(**{**_fields(inner), "drop": inner.drop + len(call.args) - 1, "overrides": overrides})
        if isinstance(func, DefSym) and func.kind == "class":
            return self.instance_target(func, f"{func.module}.{func.qualname}()", ctx, call.line, text)
        if isinstance(func, ExternalSym):
            return Target(id=f"{func.name}()", kind="external")
        facts = None
        drop = 0
        if isinstance(func, DefSym) and func.kind == "function":
            facts = self.function_facts(func.module, func.qualname)
        elif isinstance(func, MethodSym):
            facts = self.function_facts(func.module, func.qualname)
            decorators = self.decorator_names(facts.decorators, Ctx(func.module, facts.scope)) if facts else set()
            if CLASSMETHOD in decorators or (func.via == "instance" and STATICMETHOD not in decorators):
                drop = 1
        if facts is not None:
            return self.factory_result(func.module, facts, call, ctx, depth, drop)
        reason = func.reason if isinstance(func, UnknownSym) else f"the result of calling {render(call.func)}"
        return unresolved(ctx.module, call.line, text, reason)

    def call_result_is_callable(self, call: CallExpr, ctx: Ctx, depth: int = 0) -> tuple[bool | None, str]:
        """Whether what `call` returns can be called by FastAPI: (True | False | None for unknown, why)."""
        if depth > 8:
            return None, ""
        func = self.deref(self.resolve(call.func, ctx))
        name = self.qualified(func)
        if name in PARTIAL:
            return True, ""
        if isinstance(func, DefSym) and func.kind == "class":
            if self.is_subclass(func, DEPENDS | SECURITY):
                return None, ""
            has_call = self.find_method(func, "__call__") is not None
            if has_call:
                return True, ""
            if self.mro(func)[1] and not all(base == "builtins.object" for base in self.mro(func)[1]):
                return None, ""  # an external base class may define __call__
            return False, f"{render(call.func)}(...) builds a {func.qualname} instance, which is not callable"
        facts = None
        if isinstance(func, DefSym) and func.kind == "function":
            facts = self.function_facts(func.module, func.qualname)
        elif isinstance(func, MethodSym):
            facts = self.function_facts(func.module, func.qualname)
        if facts is None:
            return None, ""
        module = func.module
        if facts.yields:
            kind = "an async generator" if facts.is_async else "a generator"
            return False, f"{render(call.func)}() returns {kind} object: the provider was called instead of passed"
        if facts.is_async:
            return False, f"{render(call.func)}() returns a coroutine: the provider was called instead of passed"
        if not facts.returns:
            return False, f"{render(call.func)}() returns None"
        inner = Ctx(module, facts.qualname, self.bind_arguments(facts, call, ctx, module=module))
        verdicts = [self.value_is_callable(returned, inner, depth + 1) for returned in facts.returns]
        if any(verdict is True for verdict, _ in verdicts):
            return True, ""
        if all(verdict is False for verdict, _ in verdicts):
            return False, f"{render(call.func)}() returns a value, not a callable: the provider was called " \
                          "instead of passed"
        return None, ""

    def value_is_callable(self, expr: Expr, ctx: Ctx, depth: int = 0) -> tuple[bool | None, str]:
        if isinstance(expr, LambdaExpr):
            return True, ""
        if isinstance(expr, ConditionalExpr):
            verdicts = {self.value_is_callable(expr.body, ctx, depth + 1)[0],
                        self.value_is_callable(expr.orelse, ctx, depth + 1)[0]}
            return (verdicts.pop(), "") if len(verdicts) == 1 else (None, "")
        if isinstance(expr, CallExpr):
            return self.call_result_is_callable(expr, ctx, depth + 1)
        if isinstance(expr, (StringExpr, FormattedStringExpr, SequenceExpr)):
            return False, ""
        if isinstance(expr, OtherExpr):
            literal = expr.text in ("Integer", "Float", "Dict", "DictComp", "ListComp", "SetComp", "Comparison",
                                    "Imaginary", "GeneratorExp")
            return (False, "") if literal else (None, "")
        if isinstance(expr, (NameExpr, AttributeExpr)):
            if isinstance(expr, NameExpr) and expr.name in ("None", "True", "False"):
                return False, ""
            sym = self.resolve(expr, ctx)
            if isinstance(sym, (DefSym, MethodSym)):
                return True, ""
            if isinstance(sym, VarSym) and depth < 8:
                value = self.var_value(sym)
                if value is not None:
                    return self.value_is_callable(value, self.var_ctx(sym), depth + 1)
        return None, ""

    def factory_result(self, module: str, facts: FunctionFacts, call: CallExpr, ctx: Ctx, depth: int,
                       drop: int) -> Target:
        """What a factory call returns: the inner function or lambda (or whatever its returns denote)."""
        text = render(call)
        if not facts.returns:
            return unresolved(ctx.module, call.line, text, f"{module}.{facts.qualname} returns nothing callable")
        inner_ctx = Ctx(module, facts.qualname, self.bind_arguments(facts, call, ctx, drop, module))
        results = []
        for returned in facts.returns:
            target = self.callable_target(returned, inner_ctx, depth + 1)
            if target.kind == "provider" and "<locals>" in target.id:
                target = Target(**{**_fields(target), "kind": "factory"})
            results.append(target)
        results = [
            unresolved(ctx.module, call.line, text, target.reason or "") if target.kind == "unresolved" else target
            for target in results
        ]
        ids = {target.id for target in results}
        if len(ids) > 1:
            return unresolved(ctx.module, call.line, text,
                              f"{module}.{facts.qualname} returns different callables: {', '.join(sorted(ids))}")
        return results[0]

    def function_target(self, module: str, facts: FunctionFacts, node_id: str, kind: str,
                        env: tuple = (), drop: int = 0) -> Target:
        return Target(id=node_id, kind=kind, module=module, function=facts, drop=drop, env=env,
                      location=facts.location)

    def class_target(self, sym: DefSym) -> Target:
        facts = self.class_facts(sym)
        if facts is None:
            return unresolved(sym.module, 0, sym.qualname, f"class {sym.module}.{sym.qualname} not found")
        init = self.find_method(sym, "__init__")
        function = self.function_facts(init.module, init.qualname) if init is not None else None
        return Target(id=f"{sym.module}.{sym.qualname}", kind="class", module=init.module if init else sym.module,
                      function=function, cls=facts, drop=1 if function is not None else 0,
                      location=facts.location)

    def binding_location(self, sym: VarSym) -> Location | None:
        facts = self.modules.facts(sym.module)
        if facts is None:
            return None
        return Location(facts.path, sym.binding.line, 1, sym.binding.line, 1)

    def instance_target(self, cls: DefSym, node_id: str, ctx: Ctx, line: int, text: str,
                        location: Location | None = None) -> Target:
        call = self.find_method(cls, "__call__")
        class_id = f"{cls.module}.{cls.qualname}"
        if call is None:
            return unresolved(ctx.module, line, text, f"instance of {class_id}, which has no __call__")
        function = self.function_facts(call.module, call.qualname)
        return Target(id=node_id, kind="instance", module=call.module, function=function, class_id=class_id,
                      drop=1, location=location or (function.location if function else None))

    def parameters(self, target: Target) -> list[ParamSpec]:
        """The parameters FastAPI inspects on a target, each with its evaluation context."""
        if target.kind in ("external", "unresolved") or target.module is None:
            return []
        overrides = {name: (value, ctx) for name, value, ctx in target.overrides}
        if target.function is None:
            if target.kind == "class" and target.cls is not None:
                return self.field_parameters(target)
            return []
        facts = target.function
        ctx = Ctx(target.module, facts.scope, ())
        result = []
        dropped = 0
        for parameter in facts.parameters:
            if parameter.kind in ("positional_only", "positional") and dropped < target.drop:
                dropped += 1
                continue
            if parameter.kind in ("var_positional", "var_keyword"):
                continue
            default, default_ctx = overrides.get(parameter.name, (parameter.default, ctx))
            result.append(ParamSpec(parameter, ctx, default, default_ctx))
        if target.env:
            # A factory's inner function: its defaults and annotations see the factory's bound parameters.
            result = [
                ParamSpec(spec.parameter, _with_env(spec.ctx, target.env), spec.default,
                          _with_env(spec.default_ctx, target.env) if spec.default_ctx.env == () else spec.default_ctx)
                for spec in result
            ]
        return result

    def field_parameters(self, target: Target) -> list[ParamSpec]:
        """Dataclass / pydantic fields of a class without a project `__init__`, as its signature."""
        sym = DefSym(target.module, target.cls.qualname, "class")
        project, external = self.mro(sym)
        is_model = any(name in PYDANTIC_MODEL for name in external)
        fields: dict[str, ParamSpec] = {}
        for owner, facts in reversed(project):
            ctx = Ctx(owner.module, facts.scope)
            if not is_model and not (self.decorator_names(facts.decorators, ctx) & DATACLASS):
                continue
            for parameter in facts.fields:
                fields[parameter.name] = ParamSpec(parameter, ctx, parameter.default, ctx)
        return list(fields.values())

    # -- constants --

    def string_value(self, expr: Expr | None, ctx: Ctx, depth: int = 0) -> str | None:
        """A string an expression evaluates to; unknown parts become `{?text}`; None when absent."""
        if expr is None:
            return None
        if isinstance(expr, StringExpr):
            return expr.value
        if depth > _MAX_DEPTH:
            return f"{{?{render(expr)}}}"
        if isinstance(expr, FormattedStringExpr):
            return "".join(self.string_value(part, ctx, depth + 1) or "" for part in expr.parts)
        bound = self._bound_argument(expr, ctx)
        if bound is not None:
            return self.string_value(bound[0], bound[1], depth + 1)
        if isinstance(expr, (NameExpr, AttributeExpr)):
            sym = self.resolve(expr, ctx)
            if isinstance(sym, VarSym):
                value = self.var_value(sym)
                if value is not None:
                    return self.string_value(value, self.var_ctx(sym), depth + 1)
            if isinstance(expr, AttributeExpr):
                default = self.instance_field_default(self.resolve(expr.value, ctx), expr.attr)
                if default is not None:
                    return self.string_value(default[0], default[1], depth + 1)
        return f"{{?{render(expr)}}}"

    def instance_field_default(self, sym: Sym, attr: str) -> tuple[Expr, Ctx] | None:
        """`settings.API_PREFIX` where `settings = Settings()` (or `settings = get_settings()`, a function whose
        one return is `Settings()`) and the class declares `API_PREFIX: str = "/api"` (pydantic settings,
        dataclasses): the declared default. Only for an instance built without arguments."""
        if not isinstance(sym, VarSym):
            return None
        value, ctx = self.var_value(sym), self.var_ctx(sym)
        if not isinstance(value, CallExpr) or value.args or value.keywords:
            return None
        maker = self.deref(self.resolve(value.func, ctx))
        if isinstance(maker, DefSym) and maker.kind == "function":
            facts = self.function_facts(maker.module, maker.qualname)
            returns = facts.returns if facts is not None else ()
            if len(returns) != 1 or not isinstance(returns[0], CallExpr) or returns[0].args or returns[0].keywords:
                return None
            value, ctx = returns[0], Ctx(maker.module, maker.qualname)
        cls = self.deref(self.resolve(value.func, ctx))
        if not (isinstance(cls, DefSym) and cls.kind == "class"):
            return None
        for owner, facts in self.mro(cls)[0]:
            for parameter in facts.fields:
                if parameter.name == attr and parameter.default is not None:
                    return parameter.default, Ctx(owner.module, facts.scope)
        return None

    def _bound_argument(self, expr: Expr | None, ctx: Ctx) -> tuple[Expr, Ctx] | None:
        """The argument a helper's parameter is bound to in this context, when `expr` names one."""
        if isinstance(expr, NameExpr) and ctx.env:
            sym = self.lookup(Ctx(ctx.module, ctx.scope), expr.name)
            if isinstance(sym, ParamSym) and sym.scope == ctx.scope:
                return ctx.bound(expr.name)
        return None

    def string_list(self, expr: Expr | None, ctx: Ctx) -> list[str] | None:
        if expr is None:
            return None
        bound = self._bound_argument(expr, ctx)
        if bound is not None:
            return self.string_list(bound[0], bound[1])
        if isinstance(expr, (NameExpr, AttributeExpr)):
            sym = self.resolve(expr, ctx)
            if isinstance(sym, VarSym) and self.var_value(sym) is not None:
                return self.string_list(self.var_value(sym), self.var_ctx(sym))
        if isinstance(expr, SequenceExpr):
            return [self.string_value(item, ctx) or "" for item in expr.items]
        return [f"{{?{render(expr)}}}"]

    def expression_list(self, expr: Expr | None, ctx: Ctx, depth: int = 0) -> list[tuple[Expr, Ctx]]:
        """The items of a `dependencies=[...]` list (following names bound to lists and `+`)."""
        if expr is None or depth > _MAX_DEPTH:
            return []
        bound = self._bound_argument(expr, ctx)
        if bound is not None:
            return self.expression_list(bound[0], bound[1], depth + 1)
        if isinstance(expr, SequenceExpr):
            return [(item, ctx) for item in expr.items]
        if isinstance(expr, NameExpr) and expr.name == "None":
            return []
        if isinstance(expr, ConditionalExpr):  # `[Depends(f)] if DEBUG else []`: a branch when the test is known
            truth = self.truth(expr.test, ctx, depth + 1)
            if truth is not None:
                return self.expression_list(expr.body if truth else expr.orelse, ctx, depth + 1)
            return [(expr, ctx)]
        if isinstance(expr, (NameExpr, AttributeExpr)):
            sym = self.resolve(expr, ctx)
            if isinstance(sym, VarSym):
                return self.expression_list(self.var_value(sym), self.var_ctx(sym), depth + 1)
        return [(expr, ctx)]


def _fields(target: Target) -> dict:
    return {name: getattr(target, name) for name in Target.__slots__}


def _with_env(ctx: Ctx, env: tuple) -> Ctx:
    return Ctx(ctx.module, ctx.scope, env)


class ModuleSource(Protocol):
    """What the resolver needs from the project: module facts by name."""

    def facts(self, module: str) -> ModuleFacts | None: ...

    def has_module(self, module: str) -> bool: ...

    def canonical(self, module: str) -> str | None: ...

    def module_names(self) -> list[str]: ...
