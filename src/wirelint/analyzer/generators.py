"""What happens at a generator's `yield` when the code it yielded to raises (FastAPI throws the endpoint's
exception into a yield dependency there): which cleanup is skipped, and which handler swallows it.

Pure functions over one `ast` function; the collector turns what they find into `YieldGap` facts.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from .lookups import nodes_in, statement_blocks

# Calls that give a resource back: names containing one of these verbs (`close`, `aclose`, `close_all`,
# `release_connection`), and a few exact method names (`scoped_session.remove()`, `client.stop()`).
_CLEANUP_VERBS = ("close", "release", "dispose", "disconnect", "shutdown", "terminate", "cleanup", "putconn")
_CLEANUP_METHODS = frozenset({"remove", "stop", "quit", "free", "__exit__", "__aexit__"})


@dataclass(frozen=True, slots=True)
class Gap:
    """`skipped`: a statement after the yield that gives back a resource the generator opened, and that an
    exception thrown at the yield skips. `swallowed`: an `except` around the yield that never raises."""

    kind: Literal["skipped", "swallowed"]
    node: ast.stmt | ast.ExceptHandler
    yield_line: int


def cleanup_gaps(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[Gap]:
    """The gaps of each yield of `function`: at most one skipped statement (the first) and every swallowing
    handler, in source order."""
    gaps: list[Gap] = []
    seen: set[int] = set()
    for path in _yield_paths(function.body, ()):
        yield_statement = path[-1][1][path[-1][2]]
        resources = _resources_before(function, yield_statement.lineno)
        skipped = None
        for parent, block, index in reversed(path):
            is_try = isinstance(parent, ast.Try | ast.TryStar)
            guarded = is_try and block is parent.body and bool(parent.handlers or parent.finalbody)
            # In a `with` body, or a `try` body with handlers or a finally, what follows the yield is the success
            # path (a commit); the context manager, the handler or the finally is the error path.
            following, leaves = _reached_after(block[index + 1:])
            if skipped is None and not guarded and not isinstance(parent, ast.With | ast.AsyncWith):
                skipped = next((s for s in following if _cleans_up(s, resources)), None)
            if leaves:
                break  # `yield x; return`: control never goes past this block, raised or not
            if is_try and block is parent.body:
                swallowing = [handler for handler in parent.handlers if not _raises(handler)]
                for handler in swallowing:
                    if id(handler) not in seen:
                        seen.add(id(handler))
                        gaps.append(Gap("swallowed", handler, yield_statement.lineno))
                if swallowing:
                    break  # the exception stops here: what follows the try runs
                if parent.finalbody:
                    break  # the finally runs: the cleanup has its place
        if skipped is not None:
            gaps.append(Gap("skipped", skipped, yield_statement.lineno))
    return sorted(gaps, key=lambda gap: (gap.node.lineno, gap.node.col_offset, gap.kind))


_Chain = tuple[tuple[ast.AST | None, list, int], ...]


def _yield_paths(block: list[ast.stmt], path: _Chain, parent: ast.AST | None = None) -> Iterator[_Chain]:
    """For each statement-level yield (`yield x`, `v = yield x`), the chain of (parent statement, block, index in
    block) from the function body down to it."""
    for index, statement in enumerate(block):
        here = (*path, (parent, block, index))
        if _is_yield(statement):
            yield here
            continue
        for inner in statement_blocks(statement):
            yield from _yield_paths(inner, here, statement)


def _reached_after(statements: list[ast.stmt]) -> tuple[list[ast.stmt], bool]:
    """The statements up to the first that leaves the block (`return`, `raise`, `break`, `continue`), without
    those that yield again (what follows their own yield is theirs); and whether one leaves it."""
    reached = []
    leaves = False
    for statement in statements:
        if isinstance(statement, ast.Return | ast.Raise | ast.Break | ast.Continue):
            leaves = True
            break
        if not any(isinstance(node, ast.Yield | ast.YieldFrom) for node in nodes_in([statement])):
            reached.append(statement)
    return reached, leaves


def _is_yield(statement: ast.stmt) -> bool:
    value = getattr(statement, "value", None) if isinstance(statement, ast.Expr | ast.Assign | ast.AnnAssign) \
        else None
    return isinstance(value, ast.Yield | ast.YieldFrom)


def _raises(handler: ast.ExceptHandler) -> bool:
    """Whether the handler raises anywhere in its own code (a bare re-raise, a new exception, under a condition)."""
    return any(isinstance(node, ast.Raise) for node in nodes_in(handler.body))


def _resources_before(function: ast.FunctionDef | ast.AsyncFunctionDef, line: int) -> frozenset[str]:
    """Local names bound to what a call returned (`db = SessionLocal()`, `conn = await pool.acquire()`) before
    `line`; not `with ... as` targets: their context manager closes them."""
    names: set[str] = set()
    for node in nodes_in(function.body):
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.lineno < line and node.value is not None:
            value = node.value.value if isinstance(node.value, ast.Await) else node.value
            if isinstance(value, ast.Call):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names.update(target.id for target in targets if isinstance(target, ast.Name))
    return frozenset(names)


def _cleans_up(statement: ast.stmt, resources: frozenset[str]) -> bool:
    """Whether the statement gives back a resource: a cleanup method of it (`db.close()`, `conn.session.close()`,
    `client.aclose()`) or a cleanup call taking it (`pool.release(conn)`, `pool.putconn(conn)`). Using a fetched
    record after the yield (`repo.delete(code)`: consume it only if the request succeeded) is not cleanup."""
    if not resources:
        return False
    for node in nodes_in([statement]):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if not _is_cleanup_name(name):
            continue
        receiver = func
        while isinstance(receiver, ast.Attribute):
            receiver = receiver.value
        if isinstance(func, ast.Attribute) and isinstance(receiver, ast.Name) and receiver.id in resources:
            return True
        arguments = [*node.args, *(keyword.value for keyword in node.keywords)]
        if name != "remove" and any(isinstance(argument, ast.Name) and argument.id in resources
                                    for argument in arguments):
            return True
    return False


def _is_cleanup_name(name: str) -> bool:
    lowered = name.lower()
    return name in _CLEANUP_METHODS or any(verb in lowered for verb in _CLEANUP_VERBS)
