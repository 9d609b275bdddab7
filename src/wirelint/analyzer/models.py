"""Frozen facts the analyzer collects from source, and the graph's value objects.

Everything here is small plain data: per-file facts are pickled into the cache and sent between processes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True, slots=True)
class Location:
    """A span in a file; lines and columns are 1-based."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int


# --- expressions -----------------------------------------------------------------------------------------
# The resolver only needs a few expression shapes; everything else is kept as source text.


class Expr:
    __slots__ = ()


@dataclass(frozen=True, slots=True)
class NameExpr(Expr):
    name: str


@dataclass(frozen=True, slots=True)
class AttributeExpr(Expr):
    value: Expr
    attr: str


@dataclass(frozen=True, slots=True)
class CallExpr(Expr):
    func: Expr
    args: tuple[Expr, ...]
    keywords: tuple[tuple[str, Expr], ...]
    line: int
    column: int
    has_star_args: bool = False

    def keyword(self, name: str) -> Expr | None:
        for key, value in self.keywords:
            if key == name:
                return value
        return None

    def argument(self, position: int, name: str) -> Expr | None:
        """The argument passed at `position` or as keyword `name`."""
        if position < len(self.args):
            return self.args[position]
        return self.keyword(name)


@dataclass(frozen=True, slots=True)
class SubscriptExpr(Expr):
    value: Expr
    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class StringExpr(Expr):
    value: str


@dataclass(frozen=True, slots=True)
class FormattedStringExpr(Expr):
    """An f-string or a `+` concatenation: its parts, joined when all are known."""

    parts: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class SequenceExpr(Expr):
    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class LambdaExpr(Expr):
    """A lambda; its parameters are recorded as a FunctionFacts under `qualname`."""

    qualname: str
    line: int


@dataclass(frozen=True, slots=True)
class ConditionalExpr(Expr):
    """`body if test else orelse`."""

    test: Expr
    body: Expr
    orelse: Expr


@dataclass(frozen=True, slots=True)
class OtherExpr(Expr):
    text: str


# The origin of a `X | Y` annotation, kept as `SubscriptExpr(OtherExpr(UNION_OPERATOR), (X, Y))`.
UNION_OPERATOR = "|"


def render(expr: Expr | None) -> str:
    """Short source-like text of an expression, for messages and unresolved node ids."""
    match expr:
        case None:
            return ""
        case NameExpr(name):
            return name
        case AttributeExpr(value, attr):
            return f"{render(value)}.{attr}"
        case CallExpr(func, args, keywords):
            inner = [render(a) for a in args] + [f"{k}={render(v)}" for k, v in keywords]
            return f"{render(func)}({', '.join(inner)})"
        case SubscriptExpr(OtherExpr(text), items) if text == UNION_OPERATOR:
            return " | ".join(render(i) for i in items)
        case SubscriptExpr(value, items):
            return f"{render(value)}[{', '.join(render(i) for i in items)}]"
        case StringExpr(value):
            return repr(value)
        case FormattedStringExpr(parts):
            return " + ".join(render(p) for p in parts)
        case SequenceExpr(items):
            return f"[{', '.join(render(i) for i in items)}]"
        case LambdaExpr():
            return "lambda"
        case ConditionalExpr(test, body, orelse):
            return f"{render(body)} if {render(test)} else {render(orelse)}"
        case OtherExpr(text):
            return text
    return "?"


# --- per-module facts ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str
    kind: str  # positional_only | positional | var_positional | keyword_only | var_keyword
    annotation: Expr | None
    default: Expr | None
    location: Location


@dataclass(frozen=True, slots=True)
class FunctionFacts:
    qualname: str
    name: str
    parameters: tuple[Parameter, ...]
    is_async: bool
    yields: bool
    decorators: tuple[Expr, ...]
    returns: tuple[Expr, ...]
    location: Location
    scope: str  # qualname of the enclosing function scope ("" for module level)
    class_qualname: str | None = None  # set for methods
    is_lambda: bool = False
    return_annotation: Expr | None = None  # `-> Iterator[Session]`: what a lagom dependency_definition defines


@dataclass(frozen=True, slots=True)
class ClassFacts:
    qualname: str
    name: str
    bases: tuple[Expr, ...]
    decorators: tuple[Expr, ...]
    methods: tuple[str, ...]
    fields: tuple[Parameter, ...]  # annotated class-level names, in order (dataclass / pydantic fields)
    location: Location
    scope: str


@dataclass(frozen=True, slots=True)
class Binding:
    """What a name is bound to in one scope; the last binding in source order wins."""

    # function | class | assign (incl. `X: TypeAlias = ...`) | type_statement (PEP 695 `type X = ...`)
    # | import | import_module | parameter
    kind: str
    target: str = ""  # qualname for function/class, dotted name for imports
    value: Expr | None = None  # assign / type_statement
    annotation: Expr | None = None  # assign
    line: int = 0


@dataclass(frozen=True, slots=True)
class ScopeFacts:
    qualname: str  # "" for the module
    parent: str | None  # enclosing function scope (class bodies are skipped, as in Python)
    bindings: dict[str, Binding] = field(default_factory=dict)
    star_imports: tuple[str, ...] = ()
    # A class body: its names are the class's attributes (`orders = providers.Factory(...)`), seen by the
    # rest of the body but not by its methods.
    is_class: bool = False


@dataclass(frozen=True, slots=True)
class RouteFacts:
    """A route registration: `@router.get(...)` on a function or `router.add_api_route(...)`."""

    scope: str
    router: Expr
    method: str  # get, post, ..., api_route, websocket, add_api_route, add_api_websocket_route
    call: CallExpr
    endpoint: Expr | None  # the add_api_route endpoint argument; None for decorators
    location: Location
    endpoint_qualname: str | None = None  # the decorated function


@dataclass(frozen=True, slots=True)
class IncludeFacts:
    scope: str
    parent: Expr
    child: Expr
    call: CallExpr
    location: Location


# call: `registry.get(Thing)`; subscript: `registry[Thing]`; provider: `container.orders()` (no arguments);
# state: `request.app.state.x` or `app.state.x`; request_state: `request.state.x`; both also through
# `getattr(<...>.state, "x")`.
LookupKind = Literal["call", "subscript", "provider", "state", "request_state"]


@dataclass(frozen=True, slots=True)
class LookupFacts:
    """A run-time lookup in a function body: `x.get(Thing)`, `x[Thing]`, or a read of `<...>.state.<name>`."""

    function: str  # qualname of the enclosing function ("" at module level)
    kind: LookupKind
    receiver: Expr  # `registry`, `self.container`, `request.app.state`, `request.state`
    name: str  # the method (call, provider), "" (subscript) or the state attribute read (state, request_state)
    argument: Expr | None  # the looked-up key or type
    argument_count: int
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class ConstructionFacts:
    """`self.<attribute> = <callee>(...)` in a class's `__init__`."""

    class_qualname: str
    attribute: str
    callee: Expr
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class ImportTimeCall:
    """A call whose result a module or class body binds when it is imported: `db = SessionLocal()`,
    `a, b = f(), g()`, `class Repo: session = make()` (target `Repo.session`); not inside functions."""

    target: str
    call: CallExpr
    location: Location


@dataclass(frozen=True, slots=True)
class ItemAssignment:
    """`receiver[key] = value` with a name or attribute as the key: how a lagom container is bound
    (`container[OrderRepository] = SqlOrderRepository`)."""

    scope: str  # the function scope ("" = module level)
    receiver: Expr
    key: Expr
    value: Expr
    location: Location


# What a write stores: request-derived `data`, a `constant` (`True`, `None`, `1`), a `process` object that only
# means something inside this process (a task, a lock, a future), or an `empty` container (a get-or-create
# slot that later writes fill).
StoredValue = Literal["data", "constant", "process", "empty"]


@dataclass(frozen=True, slots=True)
class GlobalWrite:
    """A function body changing a name it does not own: `CACHE[k] = v`, `ITEMS.append(x)`, `global N; N += 1`,
    `settings.admins.remove(user)` (whether the name is module-level state is decided when names resolve)."""

    function: str
    name: str  # the state written: `CACHE`, or a dotted path into a module-level object: `settings.admins`
    how: str  # the operation, for messages: "item assignment", "append", "global assignment", ...
    line: int
    column: int
    declared_global: bool = False  # the function says `global name`
    stores: bool = True  # adds or replaces data; False for removals (`pop`, `del`, `clear`, `discard`)
    # The function's parameters the stored key and the stored value are derived from (for `add`/`append` the
    # element is the value and there is no key).
    key_sources: tuple[str, ...] = ()
    value_sources: tuple[str, ...] = ()
    value: StoredValue = "data"
    looks_up: bool = False  # the function also looks this state up (`k in S`, `S.get(k)`, `S[k]`, `for x in S`)
    lazy: bool = False  # an assignment under `if NAME is None:` / `if not NAME:` (one-time initialisation)
    # The parameters the stored value keeps as they are: the value itself (`_db = db`) or an argument of a call
    # in it (`_service = Service(db)`, `Service(session=db)`), not something computed from them.
    held: tuple[str, ...] = ()

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(sorted(set(self.key_sources) | set(self.value_sources)))


@dataclass(frozen=True, slots=True)
class AttributeWrite:
    """`<path>.<attribute> = value` that puts something on an object for other code to read: on a `state`
    (`app.state.redis = Redis()`, `request.state.db = SessionLocal()` in a middleware), or on a name the
    function does not own (`state.openai_client = OpenAI()` on a module used as a holder). A lifespan's
    `yield {"db": pool}` is recorded as `state.db` with `lifespan` set (Starlette copies it to request.state)."""

    scope: str  # the enclosing function ("" at module level)
    target: str  # dotted: `app.state.redis`
    value: Expr
    line: int
    lifespan: bool = False


@dataclass(frozen=True, slots=True)
class AttributeRead:
    """`root.attribute` read as a value in a function body (`state.client.send()`, `x = holder.DATABASE`), where
    the function does not own `root`: how code reaches what a module-level holder carries."""

    function: str
    root: str
    attribute: str
    line: int
    column: int
    used_as_object: bool = False  # some read goes on into it: `holder.DATABASE.get(...)`, `holder.DATABASE.x`


@dataclass(frozen=True, slots=True)
class NameRead:
    """A module-level or imported name a function body reads without binding it, once per function and
    dotted path (`orders.place` in `orders.place(...)`, `proxy_server.llm_router`, `zen_store` in `zen_store()`), or
    a name the function imports itself (`from app.main import orders` in its body, at the import): how code
    reaches a module-level instance or a singleton accessor instead of receiving it."""

    function: str
    path: str  # the dotted name read, to its last attribute: `orders.place` in `orders.place(...)`
    line: int
    column: int
    called: bool = False  # the path itself is called: `zen_store()`
    imported: bool = False  # the function's own import binds it


@dataclass(frozen=True, slots=True)
class CallFlow:
    """A call in a function body some of whose arguments derive from the function's parameters: how request
    data flows from an endpoint into the helpers it calls. `arguments` maps a position (int) or a keyword (str)
    to the parameters that argument is derived from."""

    function: str
    callee: Expr
    arguments: tuple[tuple[int | str, tuple[str, ...]], ...]


@dataclass(frozen=True, slots=True)
class Handoff:
    """A call that may run code after the function returns (`background_tasks.add_task(f, db)`,
    `asyncio.create_task(work(db))`, `Thread(target=f, args=(db,))`, `StreamingResponse(stream(db))`), with
    the function's parameters it hands over as they are: as an argument, as an argument of a call or a
    tuple given as one, or named in a lambda given as one."""

    function: str
    callee: Expr
    line: int
    column: int
    passed: tuple[str, ...]  # the parameters handed over, sorted
    awaited: bool  # awaited where it is called (`await ...`, or its result awaited later in the function)
    scoped_receiver: bool  # `tg.create_task(...)` on a name an `async with`/`with` binds: a task group
    # (parameter, the function that receives it, its position or keyword there): `work(db)` in
    # `create_task(work(db))`, `add_task(work, db)`, `Thread(target=work, args=(db,))`
    receivers: tuple[tuple[str, Expr, int | str], ...] = ()


# write: an override set; restore: overrides undone; safe: set and undone by a tool (monkeypatch.setitem,
# patch.dict)
OverrideKind = Literal["write", "restore", "safe"]


@dataclass(frozen=True, slots=True)
class OverrideEvent:
    """A write to or restore of `<app>.dependency_overrides` in test code."""

    function: str  # qualname of the enclosing function ("" at module level)
    kind: OverrideKind
    app: Expr | None  # the object whose overrides change
    line: int
    column: int
    in_finally: bool
    teardown: bool  # after the fixture's yield, or in a finalizer it defines
    # The dependencies overridden or restored, as written (`get_db`); empty when unknown for a write
    # (`update(fakes)`) and when a restore undoes every key (`clear()`, `= {}`, `= saved`).
    keys: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PytestFixture:
    name: str
    function: str
    autouse: bool
    params: tuple[str, ...]
    line: int
    scope: str = "function"
    fresh: bool = False  # returns or yields only objects it builds (`create_app()`, `TestClient(FastAPI())`)


@dataclass(frozen=True, slots=True)
class TestFacts:
    """What DI005 needs from a test module."""

    events: tuple[OverrideEvent, ...]
    fixtures: tuple[PytestFixture, ...]
    requests: tuple[tuple[str, tuple[str, ...]], ...]  # function qualname -> its parameter names


YieldGapKind = Literal["skipped", "swallowed"]


@dataclass(frozen=True, slots=True)
class YieldGap:
    """Where a generator's cleanup is not guaranteed when the code it yielded to raises (analyzer/generators.py):
    a `skipped` statement after the yield that uses a resource it opened, or an except that `swallowed` the
    exception."""

    function: str  # qualname of the generator
    kind: YieldGapKind
    statement: str  # the first line of the skipped statement, or the handler's `except ...:` line
    location: Location
    yield_line: int


@dataclass(frozen=True, slots=True)
class ParseErrorFacts:
    message: str
    line: int
    column: int
    transient: bool = False  # the time guard or a crash stopped the parse: another run may succeed


@dataclass(frozen=True, slots=True)
class ModuleFacts:
    module: str
    path: str
    is_package: bool
    functions: dict[str, FunctionFacts]
    classes: dict[str, ClassFacts]
    scopes: dict[str, ScopeFacts]
    routes: tuple[RouteFacts, ...]
    includes: tuple[IncludeFacts, ...]
    parse_error: ParseErrorFacts | None = None
    line_count: int = 0
    # Statement-level calls of plain functions `(scope, call)`: where helpers like `register_routers(app)` are
    # called, so that routes and includes written against their parameters reach the real app.
    calls: tuple[tuple[str, CallExpr], ...] = ()
    lookups: tuple[LookupFacts, ...] = ()
    tests: TestFacts | None = None
    constructions: tuple[ConstructionFacts, ...] = ()
    mutable_globals: tuple[tuple[str, int], ...] = ()  # module-level names bound to mutable containers, line
    global_writes: tuple[GlobalWrite, ...] = ()
    import_time_calls: tuple[ImportTimeCall, ...] = ()
    item_assignments: tuple[ItemAssignment, ...] = ()
    # `(scope, call)` for calls of capitalized names given arguments, written as a whole statement or as
    # the value an assignment, annotated assignment or return takes: the constructions a composition root
    # makes (`service = OrderService(repo=repo)`, `app.state.orders = OrderService(...)`).
    compositions: tuple[tuple[str, CallExpr], ...] = ()
    # `(function, callee)` for calls of plain names and dotted names in function bodies: who calls whom,
    # so that rules can follow the request path into project helpers.
    body_calls: tuple[tuple[str, Expr], ...] = ()
    call_flows: tuple[CallFlow, ...] = ()
    handoffs: tuple[Handoff, ...] = ()
    attribute_writes: tuple[AttributeWrite, ...] = ()
    attribute_reads: tuple[AttributeRead, ...] = ()
    name_reads: tuple[NameRead, ...] = ()
    yield_gaps: tuple[YieldGap, ...] = ()
    is_test: bool = False  # test code, by its path or by what it contains (see overrides.is_test_code)
    # Lines of statements left out of the facts: syntax newer than the running interpreter that could not be
    # rewritten into code it parses (see analyzer/newer_syntax.py).
    unanalysed_lines: tuple[int, ...] = ()

    @classmethod
    def failed(cls, module: str, path: str, is_package: bool, error: ParseErrorFacts) -> ModuleFacts:
        return cls(module, path, is_package, {}, {}, {"": ScopeFacts("", None)}, (), (), error)


# --- the graph's value objects ---------------------------------------------------------------------------


Lifetime = Literal["request", "call", "process", "resolution"]


@dataclass(frozen=True, slots=True)
class RouteInfo:
    methods: tuple[str, ...]
    path: str
    app: str | None
    router: str | None = None  # the app or router object the route is declared on


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    # endpoint | provider | class | instance | factory | container | container-provider | unresolved
    kind: str
    location: Location | None  # None for names outside the analyzed files
    yields: bool = False
    class_id: str | None = None  # an instance's class; what a container-provider calls
    reason: str | None = None  # why a node is unresolved
    # how long what it returns lives: request | call | process | resolution (analyzer/lifetimes.py); None when
    # unknown (an unresolved node)
    lifetime: Lifetime | None = None
    is_async: bool | None = None  # FastAPI awaits it (True) or runs it in the threadpool (False); None: unknown
    provider_type: str | None = None  # container-provider: factory | singleton | resource | ... (graph-model.md)


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    # param | decorator | router | include | app | constructor | container-binding | container-resolve
    via: str
    location: Location | None
    parameter: str | None = None
    use_cache: bool = True  # False: `Depends(f, use_cache=False)` calls `f` again for this parameter
    scope: Literal["function", "request"] | None = None  # `Depends(f, scope=...)` (FastAPI 0.121+)
    scopes: tuple[str, ...] = ()  # `Security(f, scopes=[...])`
    # where FastAPI solves it among its source's dependencies: the index in the route's combined
    # `dependencies=[...]` list (app, includes and routers outermost first, then the decorator's); 0 for
    # parameters, which follow the list in signature order
    position: int = 0


# --- fast pickling -----------------------------------------------------------------------------------------
# Facts are unpickled by the thousand on every warm run; the default for frozen slotted dataclasses goes
# through dataclasses.fields() per object. Rebuilding from a field tuple through the constructor is twice
# as fast.


def _install_reduce() -> None:
    import dataclasses

    for value in list(globals().values()):
        if isinstance(value, type) and dataclasses.is_dataclass(value):
            names = tuple(f.name for f in dataclasses.fields(value))

            def __reduce__(self, _names=names):
                return (type(self), tuple([getattr(self, name) for name in _names]))

            value.__reduce__ = __reduce__


_install_reduce()
