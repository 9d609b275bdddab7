"""Run-time lookups in function bodies (`registry.resolve(Notifier)`, `container[Repo]`, `request.app.state.x`).

They are read from Python's own tree: it is several times cheaper to build than libcst's and carries positions,
and the bodies of functions are where most of a module's code is. Only modules whose text shows a candidate
pay for it. No libcst here: top-level scans use this too.
"""

from __future__ import annotations

import ast
import re

from .models import AttributeExpr, ConstructionFacts, Expr, GlobalWrite, LookupFacts, NameExpr, StringExpr

LOOKUP_METHODS = frozenset({"get", "resolve", "get_instance", "get_service", "provide", "lookup", "locate",
                            "require", "get_required_service"})
_LOOKUP_HINT_RE = re.compile(
    r"\.(?:" + "|".join(sorted(LOOKUP_METHODS)) + r")\(\s*(?:[A-Za-z_][\w.]*|\"[^\"\n]*\"|'[^'\n]*')\s*\)"
    r"|[a-z_]\w*\[[A-Z]\w*\]|\.app\.state\."
    r"|\bapp\.state\."
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


# In modules that never mention FastAPI only the unusual shapes are worth a parse: plain `.get(name)` and
# subscripts are everywhere in ordinary code.
_STRONG_HINT_RE = re.compile(
    r"\.(?:" + "|".join(sorted(LOOKUP_METHODS - {"get"})) + r")\(|\.get\(\s*[A-Z][\w.]*\s*\)|\bapp\.state\."
    r"|(?i:container)\w*\.\w+\(\s*\)"
)


def has_strong_lookup_hint(source: str) -> bool:
    return _STRONG_HINT_RE.search(source) is not None


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
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                qualname = f"{prefix}{child.name}"
                for default in child.args.defaults + [d for d in child.args.kw_defaults if d is not None]:
                    visit(default, function, prefix)
                for statement in child.body:
                    visit_statement(statement, qualname, f"{qualname}.<locals>.")
            elif isinstance(child, ast.ClassDef):
                for statement in child.body:
                    visit_statement(statement, function, f"{prefix}{child.name}.")
            elif isinstance(child, ast.AnnAssign):  # the annotation is a type, not a lookup
                for part in (child.target, child.value):
                    if part is not None:
                        inspect(part, function)
                        visit(part, function, prefix)
            else:
                inspect(child, function)
                visit(child, function, prefix)

    def visit_statement(statement: ast.stmt, function: str, prefix: str) -> None:
        wrapper = ast.Module(body=[statement], type_ignores=[])
        visit(wrapper, function, prefix)

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
        elif (isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load)
              and isinstance(node.value, ast.Attribute) and node.value.attr == "state"
              and (isinstance(node.value.value, ast.Name) and node.value.value.id == "app"
                   or isinstance(node.value.value, ast.Attribute) and node.value.value.attr == "app")):
            receiver = ast_expr(node.value)
            if receiver is not None:
                found.append(LookupFacts(function, "state", receiver, node.attr, None, 0, node.lineno,
                                         node.col_offset + 1))

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


def function_body_facts(tree: ast.Module | None) -> tuple[tuple[GlobalWrite, ...], tuple[tuple[str, Expr], ...]]:
    """One walk over every function's own body (nested functions excluded) for two facts:

    - writes to names that are not local: item assignment or deletion, mutating methods, assignments to
      names declared `global` (whether the name is a module-level container is decided when names resolve);
    - calls whose callee is a name or a dotted name, `(function, callee)`, deduplicated in source order.
    """
    if tree is None:
        return (), ()
    writes: list[GlobalWrite] = []
    calls: dict[tuple[str, Expr], None] = {}
    for qualname, function in _functions(tree.body, ""):
        nodes = list(own_nodes(function))
        declared_global = {name for node in nodes if isinstance(node, ast.Global) for name in node.names}
        for node in nodes:
            if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
                targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
                        how = "item deletion" if isinstance(node, ast.Delete) else "item assignment"
                        writes.append(GlobalWrite(qualname, target.value.id, how, node.lineno, node.col_offset + 1,
                                                  target.value.id in declared_global))
                    elif isinstance(target, ast.Name) and target.id in declared_global and not isinstance(
                            node, ast.Delete):
                        writes.append(GlobalWrite(qualname, target.id, "global assignment", node.lineno,
                                                  node.col_offset + 1, True))
            elif isinstance(node, ast.Call):
                func = node.func
                if (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
                        and func.attr in _MUTATING_METHODS):
                    writes.append(GlobalWrite(qualname, func.value.id, f".{func.attr}()", node.lineno,
                                              node.col_offset + 1, func.value.id in declared_global))
                callee = ast_expr(func)
                if isinstance(callee, (NameExpr, AttributeExpr)):
                    calls.setdefault((qualname, callee), None)
    return tuple(writes), tuple(calls)


def _functions(body, prefix: str):
    for statement in body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            qualname = f"{prefix}{statement.name}"
            yield qualname, statement
            yield from _functions(statement.body, f"{qualname}.<locals>.")
        elif isinstance(statement, ast.ClassDef):
            yield from _functions(statement.body, f"{prefix}{statement.name}.")


def own_nodes(function: ast.FunctionDef | ast.AsyncFunctionDef):
    """Nodes of a function's body, not descending into nested functions, classes or lambdas."""
    stack = list(function.body)
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                stack.append(child)
