"""Facts about `dependency_overrides` in test code: writes, restores, fixtures and what tests request.

Read from Python's own tree (positions included, no libcst), for test code only (`is_test_code`).
"""

from __future__ import annotations

import ast
from pathlib import PurePosixPath

from .lookups import ast_expr, own_nodes
from .models import AttributeExpr, NameExpr, OverrideEvent, PytestFixture, TestFacts, render

FIXTURE_DECORATORS = ("fixture", "yield_fixture")
_RESTORING_METHODS = frozenset({"clear", "pop", "popitem"})
_WRITING_METHODS = frozenset({"update", "setdefault", "__setitem__"})


def is_test_module(path: str) -> bool:
    parts = PurePosixPath(path).parts
    name = parts[-1] if parts else ""
    return (name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py"
            or any(part in ("tests", "test") for part in parts[:-1]))


def is_test_code(path: str, tree: ast.Module | None) -> bool:
    """Test code: a test path (see `is_test_module`), or a module that says so by what it holds: it imports
    pytest, or defines test functions (`def test_*` with an `assert`, at module level or in a `Test*` class), as
    documentation examples and scripts that test an app do."""
    if is_test_module(path):
        return True
    for statement in tree.body if tree is not None else ():
        if isinstance(statement, ast.Import) and any(alias.name.split(".")[0] == "pytest" for alias in statement.names):
            return True
        if isinstance(statement, ast.ImportFrom) and (statement.module or "").split(".")[0] == "pytest":
            return True
        if isinstance(statement, ast.ClassDef) and statement.name.startswith("Test"):
            candidates = [member for member in statement.body
                          if isinstance(member, (ast.FunctionDef, ast.AsyncFunctionDef))]
        else:
            candidates = [statement] if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) else []
        if any(function.name.startswith("test") and any(isinstance(node, ast.Assert) for node in ast.walk(function))
               for function in candidates):
            return True
    return False


def test_facts(source: str, tree: ast.Module | None = None) -> TestFacts | None:
    """What DI005 needs from a test module; None unless it mentions overrides or fixtures."""
    if "dependency_overrides" not in source and "fixture" not in source:
        return None
    if tree is None:
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
    events: list[OverrideEvent] = []
    fixtures: list[PytestFixture] = []
    requests: list[tuple[str, tuple[str, ...]]] = []
    _walk_block(tree.body, "", events, fixtures, requests, in_finally=False, teardown=False)
    return TestFacts(tuple(events), tuple(fixtures), tuple(requests))


def _fixture_info(node: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[bool, bool, str | None, str]:
    """(is a fixture, autouse, name= override, scope)."""
    for decorator in node.decorator_list:
        call = decorator if isinstance(decorator, ast.Call) else None
        target = call.func if call else decorator
        name = target.attr if isinstance(target, ast.Attribute) else target.id if isinstance(target, ast.Name) else ""
        if name in FIXTURE_DECORATORS:
            autouse = False
            alias = None
            scope = "function"
            for keyword in call.keywords if call else ():
                if keyword.arg == "autouse" and isinstance(keyword.value, ast.Constant):
                    autouse = bool(keyword.value.value)
                if keyword.arg == "name" and isinstance(keyword.value, ast.Constant):
                    alias = str(keyword.value.value)
                if keyword.arg == "scope":  # a computed scope may be wider than the test: not "function"
                    scope = str(keyword.value.value) if isinstance(keyword.value, ast.Constant) else "dynamic"
            return True, autouse, alias, scope
    return False, False, None, "function"


def _builds_only_fresh_objects(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether every value the fixture returns or yields is built in it: a call whose arguments are constants,
    lambdas or themselves built there (`create_app()`, `TestClient(app)` after `app = FastAPI()`). A value
    that takes a name from outside (`TestClient(app)` of the module's app) is shared, not fresh."""
    body = list(own_nodes(node))
    local: dict[str, ast.expr] = {}
    for n in body:
        if isinstance(n, ast.Assign) and len(n.targets) == 1 and isinstance(n.targets[0], ast.Name):
            local.setdefault(n.targets[0].id, n.value)
    values = [n.value for n in body if isinstance(n, (ast.Return, ast.Yield)) and n.value is not None]

    def fresh(expr: ast.expr, depth: int = 0) -> bool:
        if depth > 20:
            return False
        if isinstance(expr, ast.Name):
            return expr.id in local and fresh(local[expr.id], depth + 1)
        if isinstance(expr, (ast.Constant, ast.Lambda)):
            return True
        if isinstance(expr, ast.Call):
            return all(fresh(a.value if isinstance(a, ast.Starred) else a, depth + 1) for a in expr.args) and all(
                fresh(k.value, depth + 1) for k in expr.keywords)
        return False

    return bool(values) and all(fresh(value) for value in values)


def _walk_block(statements, function: str, events, fixtures, requests, *, in_finally: bool, teardown: bool,
                classes: str = "") -> bool:
    """Walk statements in order; returns whether a `yield` was seen (later statements are fixture teardown).
    `classes` is the `Outer.Inner.` prefix of the class bodies being walked, for methods' qualified names."""
    seen_yield = False
    for statement in statements:
        after = teardown or seen_yield
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            qualname = (f"{function}.<locals>." if function else "") + classes + statement.name
            fixture, autouse, alias, scope = _fixture_info(statement)
            params = tuple(arg.arg for arg in statement.args.posonlyargs + statement.args.args
                           + statement.args.kwonlyargs)
            requests.append((qualname, params))
            if fixture:
                fixtures.append(PytestFixture(alias or statement.name, qualname, autouse, params,
                                              statement.lineno, scope, _builds_only_fresh_objects(statement)))
            # A nested function is a finalizer when its fixture registers it; its restores count as teardown.
            _walk_block(statement.body, qualname, events, fixtures, requests, in_finally=False,
                        teardown=bool(function))
            continue
        if isinstance(statement, ast.ClassDef):
            _walk_block(statement.body, function, events, fixtures, requests, in_finally=in_finally,
                        teardown=after, classes=f"{classes}{statement.name}.")
            continue
        if isinstance(statement, ast.Try) or type(statement).__name__ == "TryStar":
            seen_yield |= _walk_block(statement.body, function, events, fixtures, requests,
                                      in_finally=in_finally, teardown=after)
            for handler in statement.handlers:
                _walk_block(handler.body, function, events, fixtures, requests, in_finally=in_finally,
                            teardown=after)
            seen_yield |= _walk_block(statement.orelse, function, events, fixtures, requests,
                                      in_finally=in_finally, teardown=after)
            _walk_block(statement.finalbody, function, events, fixtures, requests, in_finally=True,
                        teardown=after or seen_yield)
            continue
        if isinstance(statement, (ast.With, ast.AsyncWith)):
            safe = any(_is_patch_dict(item.context_expr) for item in statement.items)
            for item in statement.items:
                _events_in(item.context_expr, function, events, in_finally, after)
            if safe:
                # `with patch.dict(app.dependency_overrides, {...}):` restores on exit, whatever happens.
                events.append(OverrideEvent(function, "safe", _patched_app(statement), statement.lineno,
                                            statement.col_offset + 1, in_finally, after))
            inner_events: list[OverrideEvent] = []
            seen_yield |= _walk_block(statement.body, function, inner_events, fixtures, requests,
                                      in_finally=in_finally, teardown=after)
            events.extend(event if not safe or event.kind != "write" else
                          OverrideEvent(event.function, "safe", event.app, event.line, event.column,
                                        event.in_finally, event.teardown) for event in inner_events)
            continue
        if isinstance(statement, (ast.If, ast.For, ast.AsyncFor, ast.While)):
            _events_in(getattr(statement, "test", None) or getattr(statement, "iter", None), function, events,
                       in_finally, after)
            seen_yield |= _walk_block(statement.body, function, events, fixtures, requests,
                                      in_finally=in_finally, teardown=after)
            seen_yield |= _walk_block(statement.orelse, function, events, fixtures, requests,
                                      in_finally=in_finally, teardown=after)
            continue
        if isinstance(statement, ast.Match):
            for case in statement.cases:
                seen_yield |= _walk_block(case.body, function, events, fixtures, requests,
                                          in_finally=in_finally, teardown=after)
            continue
        _statement_events(statement, function, events, in_finally, after)
        if any(isinstance(node, (ast.Yield, ast.YieldFrom)) for node in ast.walk(statement)):
            seen_yield = True
    return seen_yield


def _overrides_owner(node: ast.AST) -> ast.expr | None:
    """`app` for `app.dependency_overrides`."""
    if isinstance(node, ast.Attribute) and node.attr == "dependency_overrides":
        return node.value
    return None


def _event(function, kind, owner, node, in_finally, teardown, keys: tuple[str, ...] = ()) -> OverrideEvent:
    return OverrideEvent(function, kind, ast_expr(owner), node.lineno, node.col_offset + 1, in_finally, teardown,
                         keys)


def _key(node: ast.AST | None) -> tuple[str, ...]:
    """The dependency a key names, as written (`get_db`, `deps.get_db`); () when it is not a plain name."""
    expr = ast_expr(node) if node is not None else None
    return (render(expr),) if isinstance(expr, (NameExpr, AttributeExpr)) else ()


def _dict_keys(node: ast.AST | None) -> tuple[str, ...]:
    """The keys of a dict literal when every one is a plain name, else () (unknown)."""
    if not isinstance(node, ast.Dict) or not node.keys:
        return ()
    keys = [_key(key) for key in node.keys]
    return tuple(key for (key,) in keys) if all(keys) else ()


def _statement_events(statement: ast.stmt, function: str, events, in_finally: bool, teardown: bool) -> None:
    if isinstance(statement, ast.Assign):
        for target in statement.targets:
            if isinstance(target, ast.Subscript) and (owner := _overrides_owner(target.value)) is not None:
                events.append(_event(function, "write", owner, statement, in_finally, teardown, _key(target.slice)))
            elif (owner := _overrides_owner(target)) is not None:
                value = statement.value
                writes = isinstance(value, ast.Dict) and value.keys
                events.append(_event(function, "write" if writes else "restore", owner, statement, in_finally,
                                     teardown, _dict_keys(value) if writes else ()))
        _events_in(statement.value, function, events, in_finally, teardown)
        return
    if isinstance(statement, ast.AugAssign) and (owner := _overrides_owner(statement.target)) is not None:
        events.append(_event(function, "write", owner, statement, in_finally, teardown, _dict_keys(statement.value)))
        return
    if isinstance(statement, ast.Delete):
        for target in statement.targets:
            if isinstance(target, ast.Subscript) and (owner := _overrides_owner(target.value)) is not None:
                events.append(_event(function, "restore", owner, statement, in_finally, teardown,
                                     _key(target.slice) or ("?",)))
        return
    _events_in(statement, function, events, in_finally, teardown)


def _events_in(node: ast.AST | None, function: str, events, in_finally: bool, teardown: bool) -> None:
    if node is None:
        return
    finalizers: set[int] = set()  # nodes inside request.addfinalizer(...): they run at teardown
    for call in ast.walk(node):
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "addfinalizer":
            for argument in call.args:
                finalizers.update(id(inner) for inner in ast.walk(argument))
                # request.addfinalizer(app.dependency_overrides.clear): the bound method itself
                if (isinstance(argument, ast.Attribute) and argument.attr in _RESTORING_METHODS
                        and (owner := _overrides_owner(argument.value)) is not None):
                    events.append(_event(function, "restore", owner, argument, in_finally, True))
    for call in ast.walk(node):
        if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Attribute):
            continue
        owner = _overrides_owner(call.func.value)
        if owner is not None and call.func.attr in _RESTORING_METHODS:
            # `pop(get_db)` undoes one key (one that is not a plain name: one we cannot name); `clear()` all
            keys = (_key(call.args[0]) or ("?",)) if call.func.attr == "pop" and call.args else ()
            events.append(_event(function, "restore", owner, call, in_finally, teardown or id(call) in finalizers,
                                 keys))
        elif owner is not None and call.func.attr in _WRITING_METHODS:
            keys = _dict_keys(call.args[0]) if call.func.attr == "update" and call.args else (
                _key(call.args[0]) if call.args else ())
            events.append(_event(function, "write", owner, call, in_finally, teardown, keys))
        elif call.func.attr in ("setitem", "setattr") and call.args and (
                owner := _overrides_owner(call.args[0])) is not None:
            # monkeypatch.setitem(app.dependency_overrides, dep, fake): undone by pytest after the test.
            events.append(_event(function, "safe", owner, call, in_finally, teardown))


def _is_patch_dict(node: ast.AST) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "dict"
            and bool(node.args) and _overrides_owner(node.args[0]) is not None)


def _patched_app(statement: ast.With | ast.AsyncWith):
    for item in statement.items:
        if _is_patch_dict(item.context_expr):
            return ast_expr(_overrides_owner(item.context_expr.args[0]))
    return None
