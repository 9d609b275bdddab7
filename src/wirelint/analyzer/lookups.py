"""Run-time lookups in function bodies (`registry.resolve(Notifier)`, `container[Repo]`, `request.app.state.x`).

They are read from Python's own tree, the one the collectors share. Only modules whose text shows a candidate
pay for the walk.
"""

from __future__ import annotations

import ast
import re
from functools import cached_property
from typing import NamedTuple

from .models import (
    AttributeExpr,
    AttributeRead,
    AttributeWrite,
    CallExpr,
    CallFlow,
    ConditionalExpr,
    ConstructionFacts,
    Expr,
    FormattedStringExpr,
    GlobalWrite,
    Handoff,
    LookupFacts,
    NameExpr,
    NameRead,
    OtherExpr,
    SequenceExpr,
    StoredValue,
    StringExpr,
    SubscriptExpr,
)

LOOKUP_METHODS = frozenset({"get", "resolve", "get_instance", "get_service", "provide", "lookup", "locate",
                            "require", "get_required_service"})
_LOOKUP_HINT_RE = re.compile(
    r"\.(?:" + "|".join(sorted(LOOKUP_METHODS)) + r")\(\s*(?:[A-Za-z_][\w.]*|\"[^\"\n]*\"|'[^'\n]*')\s*\)"
    r"|[a-z_]\w*\[[A-Z]\w*\]|\.state\.|\bgetattr\([\w.]*\.state\b"
    r"|(?i:container)\w*\.\w+\(\s*\)|\b[A-Z]\w*(?:\.\w+)+\(\s*\)"  # `Container.orders()`, `Root.auth.x()`
)


def _has_hint(source: str) -> bool:
    for match in _LOOKUP_HINT_RE.finditer(source):
        line_start = source.rfind("\n", 0, match.start()) + 1
        if source[line_start:match.start()].lstrip().startswith("@"):
            continue  # a decorator such as @router.get("/items"): a route, not a lookup
        return True
    return False


def _names_container(node: ast.expr) -> bool:
    """`Container`, `Root.auth`, `container`, `self.app_container`: a receiver that may be a DI container
    (a class, or a name that says so; resolution decides)."""
    while isinstance(node, ast.Attribute):
        if "container" in node.attr.lower():
            return True
        node = node.value
    return isinstance(node, ast.Name) and (node.id[:1].isupper() or "container" in node.id.lower())


def ast_expr(node: ast.expr) -> Expr | None:
    if isinstance(node, ast.Name):
        return NameExpr(node.id)
    if isinstance(node, ast.Attribute):
        base = ast_expr(node.value)
        return AttributeExpr(base, node.attr) if base is not None else None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return StringExpr(node.value)
    return None


def body_lookups(source: str, tree: ast.Module | None = None) -> tuple[LookupFacts, ...]:
    """Run-time lookups in function bodies (see LookupFacts); empty unless the text shows a candidate."""
    if not _has_hint(source):
        return ()
    if tree is None:
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return ()
    found: list[LookupFacts] = []

    def visit(node: ast.AST, function: str, prefix: str) -> None:
        visit_all(_children(node), function, prefix)

    def visit_all(children, function: str, prefix: str) -> None:
        for child in children:
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                qualname = f"{prefix}{child.name}"
                for default in child.args.defaults + [d for d in child.args.kw_defaults if d is not None]:
                    visit(default, function, prefix)
                visit_all(child.body, qualname, f"{qualname}.<locals>.")
            elif isinstance(child, ast.ClassDef):
                visit_all(child.body, function, f"{prefix}{child.name}.")
            elif isinstance(child, ast.AnnAssign):  # the annotation is a type, not a lookup
                for part in (child.target, child.value):
                    if part is not None:
                        inspect(part, function)
                        visit(part, function, prefix)
            else:
                inspect(child, function)
                visit(child, function, prefix)

    def inspect(node: ast.AST, function: str) -> None:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in LOOKUP_METHODS:
            receiver = ast_expr(node.func.value)
            argument = ast_expr(node.args[0]) if node.args else None
            if receiver is not None and argument is not None and not node.keywords:
                found.append(LookupFacts(function, "call", receiver, node.func.attr, argument, len(node.args),
                                         node.lineno, node.col_offset + 1))
        if (isinstance(node, ast.Call) and not node.args and not node.keywords
                and isinstance(node.func, ast.Attribute) and _names_container(node.func.value)):
            receiver = ast_expr(node.func.value)
            if receiver is not None:
                found.append(LookupFacts(function, "provider", receiver, node.func.attr, None, 0, node.lineno,
                                         node.col_offset + 1))
        elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
            receiver = ast_expr(node.value)
            argument = ast_expr(node.slice)
            if receiver is not None and isinstance(argument, (NameExpr, AttributeExpr)):
                found.append(LookupFacts(function, "subscript", receiver, "", argument, 1, node.lineno,
                                         node.col_offset + 1))
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
            state_read(node.value, node.attr, node, function)
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr"
                and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant)
                and isinstance(node.args[1].value, str)):
            state_read(node.args[0], node.args[1].value, node, function)  # getattr(request.app.state, "x")

    def state_read(state: ast.AST, name: str, node: ast.AST, function: str) -> None:
        """`<owner>.state.<name>`: the app's state when the owner is `app` or `<...>.app`, else a request's."""
        if not (isinstance(state, ast.Attribute) and state.attr == "state"):
            return
        owner = state.value
        if isinstance(owner, ast.Name) and owner.id == "app" or isinstance(owner, ast.Attribute) and owner.attr == "app":
            kind = "state"
        elif isinstance(owner, ast.Name):
            kind = "request_state"
        else:
            return
        receiver = ast_expr(state)
        if receiver is not None:
            found.append(LookupFacts(function, kind, receiver, name, None, 0, node.lineno, node.col_offset + 1))

    visit(tree, "", "")
    return tuple(found)




def constructor_calls(tree: ast.Module | None) -> tuple[ConstructionFacts, ...]:
    """`self.x = Something(...)` statements in the `__init__` of every class (nested classes included)."""
    if tree is None:
        return ()
    found: list[ConstructionFacts] = []

    def visit(body: list[ast.stmt], prefix: str) -> None:
        for statement in body:
            if isinstance(statement, ast.ClassDef):
                qualname = f"{prefix}{statement.name}"
                for member in statement.body:
                    if isinstance(member, (ast.FunctionDef, ast.AsyncFunctionDef)) and member.name == "__init__":
                        self_name = member.args.args[0].arg if member.args.args else "self"
                        for node in ast.walk(member):
                            if (isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, ast.Call)):
                                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                                callee = ast_expr(node.value.func)
                                for target in targets:
                                    if (callee is not None and isinstance(target, ast.Attribute)
                                            and isinstance(target.value, ast.Name) and target.value.id == self_name):
                                        found.append(ConstructionFacts(qualname, target.attr, callee, node.value.lineno,
                                                                       node.value.col_offset + 1))
                visit(statement.body, f"{qualname}.")
            elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                visit(statement.body, f"{prefix}{statement.name}.<locals>.")

    visit(tree.body, "")
    return tuple(found)


_MUTABLE_CALLS = frozenset({"dict", "list", "set", "bytearray", "defaultdict", "OrderedDict", "Counter", "deque",
                            "WeakValueDictionary", "WeakKeyDictionary", "WeakSet"})
_MUTATING_METHODS = frozenset({"append", "extend", "insert", "add", "update", "setdefault", "pop", "popitem",
                               "clear", "remove", "discard", "appendleft", "extendleft", "popleft",
                               "__setitem__", "sort", "reverse"})


def mutable_globals(tree: ast.Module | None) -> tuple[tuple[str, int], ...]:
    """Module-level names bound to a list, dict, set (literal, comprehension or constructor call)."""
    if tree is None:
        return ()
    found = []
    for statement in tree.body:
        if isinstance(statement, ast.Assign):
            targets, value = statement.targets, statement.value
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            targets, value = [statement.target], statement.value
        else:
            continue
        mutable = isinstance(value, (ast.List, ast.Dict, ast.Set, ast.ListComp, ast.DictComp, ast.SetComp)) or (
            isinstance(value, ast.Call) and (getattr(value.func, "id", None) or getattr(value.func, "attr", None))
            in _MUTABLE_CALLS)
        if mutable:
            found += [(target.id, statement.lineno) for target in targets if isinstance(target, ast.Name)]
    return tuple(found)


_REMOVING_METHODS = frozenset({"pop", "popitem", "clear", "remove", "discard", "popleft"})
_REORDERING_METHODS = frozenset({"sort", "reverse"})
# Objects that only mean something inside the process that made them: keeping them in a module-level
# container (a set of running tasks, a lock per key, the future of a request in flight) is the point.
_PROCESS_CALLS = frozenset({
    "create_task", "ensure_future", "run_coroutine_threadsafe", "current_task", "create_future", "Future",
    "Lock", "RLock", "Event", "Semaphore", "BoundedSemaphore", "Condition", "Barrier", "Queue", "LifoQueue",
    "PriorityQueue", "SimpleQueue", "Thread", "Timer", "TaskGroup", "ref", "WeakSet", "WeakValueDictionary",
    "WeakKeyDictionary", "get_running_loop", "get_event_loop", "new_event_loop", "start_soon", "spawn",
})
_LOOKUP_CALLS = frozenset({"get", "setdefault", "items", "keys", "values", "__getitem__", "__contains__"})
_EMPTY_CALLS = frozenset({"dict", "list", "set", "defaultdict", "OrderedDict", "Counter", "deque"})


# The last name of calls that may run code after the function returns: a rule confirms each by its
# qualified name or its receiver (analyzer/models.py Handoff).
_HANDOFF_CALLS = frozenset({
    "add_task", "create_task", "ensure_future", "run_coroutine_threadsafe", "Thread", "Process", "submit",
    "run_in_executor", "start_soon", "StreamingResponse", "EventSourceResponse", "BackgroundTask",
})


class BodyFacts(NamedTuple):
    writes: tuple[GlobalWrite, ...]
    calls: tuple[tuple[str, Expr], ...]
    flows: tuple[CallFlow, ...]
    attribute_writes: tuple[AttributeWrite, ...]
    attribute_reads: tuple[AttributeRead, ...]
    handoffs: tuple[Handoff, ...] = ()
    name_reads: tuple[NameRead, ...] = ()


def function_body_facts(tree: ast.Module | None) -> BodyFacts:
    """One walk over every function's own body (nested functions excluded), and over the module's own
    statements for attribute writes, for these facts:

    - writes to names the function does not own: item assignment or deletion, mutating methods, assignments
      to names declared `global`, and the same through a dotted path (`settings.admins.remove(user)`,
      `state.hits += 1`); each with what it stores and which of the function's parameters that derives from
      (whether the name is module-level state is decided when names resolve);
    - calls whose callee is a name or a dotted name, `(function, callee)`, deduplicated in source order;
    - calls some of whose arguments derive from the function's parameters (`CallFlow`);
    - attributes put on a `state` or on a name the code does not own (`AttributeWrite`), and attributes read
      from a name the function does not own (`AttributeRead`, once per function and attribute);
    - module-level and imported names the function reads, and the names it imports itself (`NameRead`).
    """
    if tree is None:
        return BodyFacts((), (), (), (), (), ())
    module_names = _module_level_names(tree.body)
    name_reads: list[NameRead] = []
    writes: list[GlobalWrite] = []
    calls: dict[tuple[str, Expr], None] = {}
    flows: list[CallFlow] = []
    attribute_writes: list[AttributeWrite] = []
    attribute_reads: list[AttributeRead] = []
    handoffs: list[Handoff] = []
    for qualname, function in functions_in(tree.body, ""):
        body = _FunctionBody(function, list(own_nodes(function)))
        writes.extend(body.writes(qualname))
        attribute_writes.extend(body.attribute_writes(qualname, function))
        attribute_reads.extend(body.attribute_reads(qualname))
        name_reads.extend(body.name_reads(qualname, module_names))
        for node in body.of(ast.Call):
            callee = ast_expr(node.func)
            if isinstance(callee, (NameExpr, AttributeExpr)):
                calls.setdefault((qualname, callee), None)
                arguments = body.call_arguments(node)
                if arguments:
                    flows.append(CallFlow(qualname, callee, arguments))
                last = callee.attr if isinstance(callee, AttributeExpr) else callee.name
                if last in _HANDOFF_CALLS and (handoff := body.handoff(qualname, callee, node)) is not None:
                    handoffs.append(handoff)
    attribute_writes.extend(_module_attribute_writes(tree.body))
    return BodyFacts(tuple(writes), tuple(calls), tuple(flows), tuple(attribute_writes), tuple(attribute_reads),
                     tuple(handoffs), tuple(name_reads))


def _module_level_names(statements: list[ast.stmt]) -> frozenset[str]:
    """Names the module's own statements bind by import, assignment or `def` (not classes: a class read in a
    function is constructed or compared, never a service it holds)."""
    names: set[str] = set()
    for statement in statements:
        if isinstance(statement, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in statement.names)
        elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(statement.name)
        elif isinstance(statement, ast.Assign):
            names.update(name for target in statement.targets for name in _target_names(target))
        elif isinstance(statement, ast.AnnAssign):
            names.update(_target_names(statement.target))
        elif not isinstance(statement, ast.ClassDef):
            for block in statement_blocks(statement):
                names |= _module_level_names(block)
    return frozenset(names)


def _module_attribute_writes(statements: list[ast.stmt]) -> list[AttributeWrite]:
    """`app.state.x = ...` and `holder.x = ...` in the module's own statements (not in functions or classes)."""
    found: list[AttributeWrite] = []
    for statement in statements:
        if isinstance(statement, (ast.Assign, ast.AnnAssign)) and statement.value is not None:
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            for target in targets:
                dotted = _dotted(target) if isinstance(target, ast.Attribute) else None
                if dotted is not None and _value_converter(statement.value) is not None:
                    found.append(AttributeWrite("", dotted, _value_converter(statement.value), statement.lineno))
        else:
            for block in statement_blocks(statement):
                found.extend(_module_attribute_writes(block))
    return found


def _value_converter(node: ast.AST) -> Expr:
    return ast_value(node)


def ast_value(node: ast.AST, depth: int = 0) -> Expr:
    """The IR of an expression, for the shapes the resolver reads (names, attributes, calls, strings,
    sequences, conditionals); anything else is kept as short source-like text."""
    if depth > 50:
        return OtherExpr("...")
    if isinstance(node, ast.Await):
        return ast_value(node.value, depth + 1)
    simple = ast_expr(node) if isinstance(node, (ast.Name, ast.Attribute, ast.Constant)) else None
    if simple is not None:
        return simple
    if isinstance(node, ast.Attribute):
        return AttributeExpr(ast_value(node.value, depth + 1), node.attr)
    if isinstance(node, ast.Call):
        args = tuple(ast_value(arg, depth + 1) for arg in node.args if not isinstance(arg, ast.Starred))
        keywords = tuple((k.arg, ast_value(k.value, depth + 1)) for k in node.keywords if k.arg is not None)
        starred = any(isinstance(arg, ast.Starred) for arg in node.args) or any(k.arg is None for k in node.keywords)
        return CallExpr(ast_value(node.func, depth + 1), args, keywords, node.lineno, node.col_offset + 1, starred)
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return SequenceExpr(tuple(ast_value(element, depth + 1) for element in node.elts))
    if isinstance(node, ast.Subscript):
        items = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        return SubscriptExpr(ast_value(node.value, depth + 1), tuple(ast_value(item, depth + 1) for item in items))
    if isinstance(node, ast.IfExp):
        return ConditionalExpr(ast_value(node.test, depth + 1), ast_value(node.body, depth + 1),
                               ast_value(node.orelse, depth + 1))
    if isinstance(node, ast.JoinedStr):
        return FormattedStringExpr(())
    if isinstance(node, ast.Constant):
        return OtherExpr(repr(node.value))
    if isinstance(node, ast.Dict):
        return OtherExpr("{...}")
    if isinstance(node, ast.Lambda):
        return OtherExpr("lambda")
    return OtherExpr(type(node).__name__)


class _FunctionBody:
    """What one function's body binds, reads and derives from its parameters (flow-insensitive)."""

    def __init__(self, function: ast.FunctionDef | ast.AsyncFunctionDef, nodes: list[ast.AST]) -> None:
        self.nodes = nodes
        self.by_type: dict[type, list] = {}
        for node in nodes:
            self.by_type.setdefault(type(node), []).append(node)
        self._names: dict[int, list[str]] = {}
        arguments = function.args
        parameters = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
        parameters += [arg for arg in (arguments.vararg, arguments.kwarg) if arg is not None]
        self.parameters = {arg.arg for arg in parameters} - {"self", "cls"}
        self.declared_global = {name for node in self.of(ast.Global) for name in node.names}
        self.local_names = set(self.parameters) | {"self", "cls"}
        self.process_names: set[str] = set()
        bindings: list[tuple[ast.AST, ast.AST]] = []  # (target, value the target is derived from)
        for node in self.of(ast.Assign, ast.AnnAssign, ast.AugAssign, ast.For, ast.AsyncFor, ast.comprehension,
                            ast.withitem, ast.NamedExpr, ast.Import, ast.ImportFrom, ast.ExceptHandler):
            if isinstance(node, ast.Assign):
                bindings += [(target, node.value) for target in node.targets]
            elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and node.value is not None:
                bindings.append((node.target, node.value))
            elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
                bindings.append((node.target, node.iter))
            elif isinstance(node, ast.withitem) and node.optional_vars is not None:
                bindings.append((node.optional_vars, node.context_expr))
            elif isinstance(node, ast.NamedExpr):
                bindings.append((node.target, node.value))
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                self.local_names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ExceptHandler) and node.name:
                self.local_names.add(node.name)
        for target, value in bindings:
            for name in _target_names(target):
                if name not in self.declared_global:
                    self.local_names.add(name)
                if _is_process_object(value, self.process_names):
                    self.process_names.add(name)
        self.derived: dict[str, frozenset[str]] = {name: frozenset((name,)) for name in self.parameters}
        for _ in range(4):  # to a fixpoint: `a = b` after `b = param` in a loop body
            changed = False
            for target, value in bindings:
                derived = self.sources(value)
                if not derived:
                    continue
                for name in _target_names(target):
                    if not derived <= self.derived.get(name, frozenset()):
                        self.derived[name] = self.derived.get(name, frozenset()) | derived
                        changed = True
            if not changed:
                break

    def of(self, *node_types: type) -> list:
        """This body's nodes of these types, in the order of `self.nodes`."""
        if len(node_types) == 1:
            return self.by_type.get(node_types[0], [])
        lists = [self.by_type[node_type] for node_type in node_types if node_type in self.by_type]
        if len(lists) <= 1:
            return lists[0] if lists else []
        wanted = set(node_types)
        return [node for node in self.nodes if type(node) in wanted]

    def sources(self, node: ast.AST | None) -> frozenset[str]:
        """The parameters `node` is derived from."""
        if node is None or not self.derived:
            return frozenset()
        names = self._names.get(id(node))
        if names is None:
            names = self._names[id(node)] = _names_under(node)
        found: set[str] = set()
        derived = self.derived
        for name in names:
            if name in derived:
                found |= derived[name]
        return frozenset(found)

    def call_arguments(self, call: ast.Call) -> tuple[tuple[int | str, tuple[str, ...]], ...]:
        found: list[tuple[int | str, tuple[str, ...]]] = []
        for position, argument in enumerate(call.args):
            if isinstance(argument, ast.Starred):
                break  # later positions are unknown
            if derived := self.sources(argument):
                found.append((position, tuple(sorted(derived))))
        for keyword in call.keywords:
            if keyword.arg is not None and (derived := self.sources(keyword.value)):
                found.append((keyword.arg, tuple(sorted(derived))))
        return tuple(found)

    def state_name(self, node: ast.AST) -> tuple[str, ast.AST] | None:
        """`(dotted name, the node that is its root)` when `node` names state the function does not own."""
        dotted = _dotted(node)
        if dotted is None:
            return None
        root = dotted.split(".", 1)[0]
        if root in self.local_names and root not in self.declared_global:
            return None
        return dotted, node

    def writes(self, qualname: str) -> list[GlobalWrite]:
        found: list[tuple[str, str, ast.AST, bool, ast.AST | None, ast.AST | None]] = []
        receivers: set[int] = set()  # the nodes naming written state: not reads of it

        def add(target: ast.AST, how: str, statement: ast.AST, stores: bool, key=None, value=None) -> None:
            named = self.state_name(target)
            if named is not None:
                receivers.add(id(named[1]))
                found.append((named[0], how, statement, stores, key, value))

        for node in self.of(ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete, ast.Call):
            if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
                targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
                value = None if isinstance(node, ast.Delete) else node.value
                for target in targets:
                    if isinstance(target, ast.Subscript):
                        how = "item deletion" if isinstance(node, ast.Delete) else "item assignment"
                        add(target.value, how, node, not isinstance(node, ast.Delete), target.slice, value)
                    elif isinstance(target, ast.Name) and target.id in self.declared_global:
                        if not isinstance(node, ast.Delete):
                            add(target, "global assignment", node, True, None, value)
                    elif isinstance(target, ast.Attribute) and not isinstance(node, ast.Delete):
                        add(target, "attribute assignment", node, True, None, value)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr in _MUTATING_METHODS:
                method = node.func.attr
                arguments = [*node.args, *(keyword.value for keyword in node.keywords)]
                stores = method not in _REMOVING_METHODS and method not in _REORDERING_METHODS
                key = arguments[0] if method in ("setdefault", "insert", "__setitem__") and arguments else None
                value = arguments[-1] if arguments and (key is None or len(arguments) > 1) else None
                add(node.func.value, f".{method}()", node, stores, key, value)
        if not found:
            return []
        lookups: set[str] = set()  # state looked up: `k in S`, `S.get(k)`, `S[k]`, `for x in S`
        for node in self.of(ast.Compare, ast.Call, ast.Subscript, ast.For, ast.AsyncFor, ast.comprehension):
            if isinstance(node, ast.Compare):
                looked = [right for op, right in zip(node.ops, node.comparators) if isinstance(op, (ast.In, ast.NotIn))]
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _LOOKUP_CALLS:
                looked = [node.func.value]
            elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
                looked = [node.value]
            elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
                looked = [node.iter]
            else:
                continue
            lookups.update(dotted for looked_up in looked if id(looked_up) not in receivers
                           and (dotted := _dotted(looked_up)) is not None)
        guards = {dotted for node in self.of(ast.If, ast.IfExp, ast.While)
                  for inner in ast.walk(node.test) if (dotted := _dotted(inner)) is not None}
        result = []
        for name, how, statement, stores, key, value in found:
            key_sources, value_sources = (self.sources(key), self.sources(value)) if stores else ((), ())
            result.append(GlobalWrite(
                qualname, name, how, statement.lineno, statement.col_offset + 1,
                name.split(".", 1)[0] in self.declared_global, stores, tuple(sorted(key_sources)),
                tuple(sorted(value_sources)), self.stored(key, value) if stores else "data",
                name in lookups, how in ("global assignment", "attribute assignment") and name in guards,
                self.held(value) if stores else ()))
        return result

    def handoff(self, qualname: str, callee: Expr, call: ast.Call) -> Handoff | None:
        """The call as a Handoff when it hands over parameters as they are."""
        passed: set[str] = set()
        receivers: list[tuple[str, Expr, int | str]] = []
        parameters = self.parameters

        def received(function: ast.AST, arguments: list[ast.AST], keywords: list[ast.keyword]) -> None:
            callee = ast_expr(function)
            if isinstance(callee, (NameExpr, AttributeExpr)):
                receivers.extend((argument.id, callee, position) for position, argument in enumerate(arguments)
                                 if isinstance(argument, ast.Name) and argument.id in parameters)
                receivers.extend((keyword.value.id, callee, keyword.arg) for keyword in keywords
                                 if keyword.arg and isinstance(keyword.value, ast.Name)
                                 and keyword.value.id in parameters)

        keywords = {keyword.arg: keyword.value for keyword in call.keywords if keyword.arg}
        if call.args and not isinstance(call.args[0], (ast.Call, ast.Lambda)):  # `add_task(work, db)`
            received(call.args[0], list(call.args[1:]), list(call.keywords))
        if "target" in keywords and isinstance(keywords.get("args"), (ast.Tuple, ast.List)):
            received(keywords["target"], list(keywords["args"].elts), [])
        for argument in (*call.args, *keywords.values()):
            if isinstance(argument, ast.Call):
                received(argument.func, list(argument.args), list(argument.keywords))
        for argument in (*call.args, *(keyword.value for keyword in call.keywords)):
            if isinstance(argument, ast.Starred):
                argument = argument.value
            if isinstance(argument, ast.Name):
                passed.add(argument.id)
            elif isinstance(argument, (ast.Tuple, ast.List)):  # `Thread(target=f, args=(db,))`
                passed.update(item.id for item in argument.elts if isinstance(item, ast.Name))
            elif isinstance(argument, ast.Call):  # `create_task(work(db))`
                passed.update(inner.id for inner in (*argument.args, *(k.value for k in argument.keywords))
                              if isinstance(inner, ast.Name))
            elif isinstance(argument, ast.Lambda):  # `add_task(lambda: work(db))`
                passed.update(_names_under(argument.body))
        passed &= self.parameters
        if not passed:
            return None
        receiver = call.func.value if isinstance(call.func, ast.Attribute) else None
        scoped = isinstance(receiver, ast.Name) and receiver.id in self.with_names
        return Handoff(qualname, callee, call.lineno, call.col_offset + 1, tuple(sorted(passed)),
                       id(call) in self.awaited_calls, scoped, tuple(receivers))

    @cached_property
    def with_names(self) -> set[str]:
        """Names a `with`/`async with` binds (`async with TaskGroup() as tg`)."""
        return {name for node in self.of(ast.withitem) if node.optional_vars is not None
                for name in _target_names(node.optional_vars)}

    @cached_property
    def awaited_calls(self) -> set[int]:
        """Calls awaited where they are made, or whose result (a name) is awaited later in the function."""
        awaited_names = {name for node in self.of(ast.Await) for name in _names_under(node.value)}
        found = {id(node.value) for node in self.of(ast.Await) if isinstance(node.value, ast.Call)}
        for node in self.of(ast.Assign):
            if isinstance(node.value, ast.Call) and any(
                    name in awaited_names for target in node.targets for name in _target_names(target)):
                found.add(id(node.value))
        return found

    def held(self, value: ast.AST | None) -> tuple[str, ...]:
        """The parameters `value` keeps as they are: itself, or an argument of a call in it."""
        if value is None:
            return ()
        found = {value.id} if isinstance(value, ast.Name) and value.id in self.parameters else set()
        for node in ast.walk(value):
            if isinstance(node, ast.Call):
                for argument in (*node.args, *(keyword.value for keyword in node.keywords)):
                    if isinstance(argument, ast.Name) and argument.id in self.parameters:
                        found.add(argument.id)
        return tuple(sorted(found))


    def stored(self, key: ast.AST | None, value: ast.AST | None) -> StoredValue:
        """What a write stores; an entry keyed by an in-process object (`subscribers[queue] = filter`, the
        queue of one connection) lives and dies with that object, so it is process state too."""
        if key is not None and _is_process_object(key, self.process_names):
            return "process"
        return _stored_value(value, self.process_names)

    def attribute_writes(self, qualname: str, function) -> list[AttributeWrite]:
        found: list[AttributeWrite] = []
        for node in self.of(ast.Assign, ast.AnnAssign):
            if node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    dotted = _dotted(target) if isinstance(target, ast.Attribute) else None
                    if dotted is None:
                        continue
                    root = dotted.split(".", 1)[0]
                    on_state = ".state." in f".{dotted}" and root not in ("self", "cls")
                    if (on_state or root not in self.local_names) and (value := _value_converter(node.value)):
                        found.append(AttributeWrite(qualname, dotted, value, node.lineno))
        lifespan = any(_decorator_name(decorator) == "asynccontextmanager" for decorator in function.decorator_list)
        for node in self.of(ast.Yield) if lifespan else ():
            if isinstance(node.value, ast.Dict):
                for key, value in zip(node.value.keys, node.value.values):
                    if isinstance(key, ast.Constant) and isinstance(key.value, str):
                        found.append(AttributeWrite(qualname, f"state.{key.value}", _value_converter(value),
                                                    node.lineno, lifespan=True))
        return found

    def attribute_reads(self, qualname: str) -> list[AttributeRead]:
        attributes = self.of(ast.Attribute)
        if not attributes:
            return []
        called = {id(node.func) for node in self.of(ast.Call)}
        entered = {id(node.value) for node in attributes}
        found: dict[tuple[str, str], AttributeRead] = {}
        for node in attributes:
            if (isinstance(node.ctx, ast.Load) and isinstance(node.value, ast.Name)
                    and id(node) not in called and node.value.id not in self.local_names):
                key = (node.value.id, node.attr)
                first = found.get(key)
                read = AttributeRead(qualname, node.value.id, node.attr, node.lineno, node.col_offset + 1,
                                     id(node) in entered or (first is not None and first.used_as_object))
                if first is None or (read.line, read.column) < (first.line, first.column):
                    found[key] = read
                elif read.used_as_object and not first.used_as_object:
                    found[key] = AttributeRead(first.function, first.root, first.attribute, first.line, first.column,
                                               True)
        return sorted(found.values(), key=lambda read: (read.line, read.column))


    def name_reads(self, qualname: str, module_names: frozenset[str]) -> list[NameRead]:
        # The import of a name and its uses are kept apart: `from handlers import get_store` says where an
        # instance comes from, `get_store()` further down is where an accessor is called.
        found: dict[tuple[str, bool], NameRead] = {}

        def add(read: NameRead) -> None:
            key = (read.path, read.imported)
            first = found.get(key)
            if first is None:
                found[key] = read
            elif (read.line, read.column) < (first.line, first.column) or read.called and not first.called:
                earliest = min(read, first, key=lambda each: (each.line, each.column))
                found[key] = NameRead(qualname, read.path, earliest.line, earliest.column,
                                      read.called or first.called, read.imported)

        for node in self.of(ast.Import, ast.ImportFrom):
            for alias in node.names:
                if alias.name != "*":
                    add(NameRead(qualname, (alias.asname or alias.name).split(".")[0], node.lineno,
                                 node.col_offset + 1, imported=True))
        imported = {path for path, _ in found}
        wanted = (module_names - self.local_names) | imported | (self.declared_global & module_names)
        if not wanted:
            return []
        attributes = self.of(ast.Attribute)
        inner = {id(node.value) for node in attributes}
        called = {id(node.func) for node in self.of(ast.Call)}
        for node in attributes:
            if id(node) in inner or not isinstance(node.ctx, ast.Load):
                continue
            dotted = _dotted(node)
            if dotted is None or dotted.split(".", 1)[0] not in wanted:
                continue
            add(NameRead(qualname, dotted, node.lineno, node.col_offset + 1, called=id(node) in called))
        bare_calls = {id(node.func) for node in self.of(ast.Call) if not node.args and not node.keywords}
        for node in self.of(ast.Name):
            if node.id in wanted and id(node) not in inner and isinstance(node.ctx, ast.Load):
                is_called = id(node) in called
                if is_called and (node.id[:1].isupper() or id(node) not in bare_calls):
                    continue  # `Model(...)` constructs, `helper(x)` computes: a singleton accessor is called bare
                add(NameRead(qualname, node.id, node.lineno, node.col_offset + 1, called=is_called))
        return sorted(found.values(), key=lambda read: (read.line, read.column, read.path))


def _decorator_name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Call):
        node = node.func
    return node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else None


def _dotted(node: ast.AST) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def _target_names(target: ast.AST) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [name for element in target.elts for name in _target_names(element)]
    if isinstance(target, ast.Starred):
        return _target_names(target.value)
    return []


def _called_name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Await):
        node = node.value
    if isinstance(node, ast.Call):
        func = node.func
        return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
    return None


def _is_process_object(node: ast.AST | None, process_names: set[str]) -> bool:
    return _called_name(node) in _PROCESS_CALLS or (isinstance(node, ast.Name) and node.id in process_names)


def _stored_value(node: ast.AST | None, process_names: set[str]) -> StoredValue:
    if node is None:
        return "data"
    if isinstance(node, ast.Constant) or (isinstance(node, ast.UnaryOp) and isinstance(node.operand, ast.Constant)):
        return "constant"
    if isinstance(node, (ast.List, ast.Set, ast.Tuple)) and not node.elts or isinstance(node, ast.Dict) and not node.keys:
        return "empty"
    if isinstance(node, ast.Call) and _called_name(node) in _EMPTY_CALLS and not node.keywords and (
            not node.args or _called_name(node) == "defaultdict" and len(node.args) == 1):
        return "empty"
    if _is_process_object(node, process_names):
        return "process"
    return "data"


def functions_in(body, prefix: str):
    """(qualname, node) of every function, under any block (`if`, `try`, `with`, ...), named as Python names it."""
    for statement in body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            qualname = f"{prefix}{statement.name}"
            yield qualname, statement
            yield from functions_in(statement.body, f"{qualname}.<locals>.")
        elif isinstance(statement, ast.ClassDef):
            yield from functions_in(statement.body, f"{prefix}{statement.name}.")
        else:
            for block in statement_blocks(statement):
                yield from functions_in(block, prefix)


def statement_blocks(statement: ast.stmt) -> list[list[ast.stmt]]:
    """The blocks of statements a compound statement holds (not a function's or a class's body)."""
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return []
    blocks = [getattr(statement, field) for field in ("body", "orelse", "finalbody")
              if isinstance(getattr(statement, field, None), list)]
    blocks += [handler.body for handler in getattr(statement, "handlers", ())]
    blocks += [case.body for case in getattr(statement, "cases", ())]
    return blocks


def own_nodes(function: ast.FunctionDef | ast.AsyncFunctionDef):
    """Nodes of a function's body, not descending into nested functions, classes or lambdas (nor into
    expression contexts and operators, which carry nothing)."""
    return nodes_in(function.body)


def nodes_in(statements: list[ast.stmt]):
    """Nodes of these statements and under them, without nested functions, classes or lambdas."""
    stack = [statement for statement in statements if type(statement) not in _OWN_SCOPES]
    pop, push, extend = stack.pop, stack.append, stack.extend
    while stack:
        node = pop()
        yield node
        for field in _child_fields(type(node)):
            child = getattr(node, field, None)
            if type(child) is list:
                extend([item for item in child if isinstance(item, ast.AST) and type(item) not in _OWN_SCOPES])
            elif isinstance(child, ast.AST) and type(child) not in _OWN_SCOPES:
                push(child)


_OWN_SCOPES = frozenset({ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda})
# Fields that never hold a node worth visiting: names, contexts, operators, flags.
_LEAF_FIELDS = frozenset({"ctx", "op", "ops", "id", "attr", "name", "arg", "names", "module", "level",
                          "type_comment", "kind", "conversion", "is_async", "asname", "simple", "kwd_attrs",
                          "rest", "tag", "lineno", "col_offset", "end_lineno", "end_col_offset"})
_FIELDS: dict[type, tuple[str, ...]] = {}


def _child_fields(node_type: type) -> tuple[str, ...]:
    fields = _FIELDS.get(node_type)
    if fields is None:
        fields = _FIELDS[node_type] = tuple(
            field for field in node_type._fields
            if field not in _LEAF_FIELDS and not (node_type is ast.Constant and field == "value"))
    return fields


def _children(node: ast.AST) -> list[ast.AST]:
    """`ast.iter_child_nodes` without expression contexts and operators, as a list."""
    children: list[ast.AST] = []
    for field in _child_fields(type(node)):
        child = getattr(node, field, None)
        if type(child) is list:
            children.extend(item for item in child if isinstance(item, ast.AST))
        elif isinstance(child, ast.AST):
            children.append(child)
    return children


def _names_under(node: ast.AST) -> list[str]:
    """The identifiers of every `Name` in `node` (lambdas and comprehensions included)."""
    found: list[str] = []
    stack = [node]
    pop, push, extend = stack.pop, stack.append, stack.extend
    while stack:
        current = pop()
        if type(current) is ast.Name:
            found.append(current.id)
            continue
        for field in _child_fields(type(current)):
            child = getattr(current, field, None)
            if type(child) is list:
                extend([item for item in child if isinstance(item, ast.AST)])
            elif isinstance(child, ast.AST):
                push(child)
    return found
