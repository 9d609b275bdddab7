"""Fixes: libcst codemods that rewrite what some findings report, keeping formatting and comments.

A fix is *safe* when it keeps what the code does for every input the rule's reasoning covers, and *unsafe*
when it changes behaviour on purpose (running cleanup on error paths that used to skip it, re-raising an
exception that used to be swallowed): `check --fix` applies the safe ones, `--unsafe-fixes` the rest, as in
ruff. Each fixer finds its node by the finding's position, so a fix applies only where the finding points.

A fixed module must still compile, or it is left as it was; files are replaced atomically. Fixes are
idempotent: the rewritten code no longer has the finding the fix was for.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from .rules.base import Finding

Applicability = Literal["safe", "unsafe"]

# Calls that only release what a yield dependency opened: running them on the error path too is the fix.
_CLEANUP_METHODS = frozenset({"close", "aclose", "dispose", "release", "shutdown", "disconnect", "cleanup", "stop",
                              "terminate", "remove", "unlink", "cancel", "quit", "logout"})


@dataclass(frozen=True, slots=True)
class FileFix:
    """The fixes of one file: its text before and after, and the findings fixed."""

    path: str
    before: str
    after: str
    fixed: tuple[Finding, ...]

    def diff(self) -> str:
        return "".join(difflib.unified_diff(self.before.splitlines(keepends=True),
                                            self.after.splitlines(keepends=True),
                                            f"a/{self.path}", f"b/{self.path}"))


def _at(node: cst.CSTNode, positions, finding: Finding) -> bool:
    start = positions[node].start
    return start.line == finding.location.line and start.column + 1 == finding.location.column


class _CalledDependency(cst.CSTTransformer):
    """DI007: `Depends(get_settings())` -> `Depends(get_settings)`, for a call without arguments only (a call
    with arguments may be a factory meant to be called; dropping them is no fix)."""

    def __init__(self, positions, findings: list[Finding]) -> None:
        self.positions = positions
        self.findings = findings
        self.done: list[tuple[Finding, Applicability]] = []

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        if original.args or not isinstance(original.func, (cst.Name, cst.Attribute)):
            return updated
        for finding in self.findings:
            if _at(original, self.positions, finding):
                self.done.append((finding, "safe"))
                return updated.func.with_changes(lpar=updated.lpar, rpar=updated.rpar)
        return updated


class _YieldCleanup(cst.CSTTransformer):
    """DI010: `yield db` followed by `db.close()` at the end of a dependency becomes
    `try: yield db / finally: db.close()` (safe when every moved statement only releases something; unsafe
    when it also commits or logs, which then runs on the error path too); an `except` around the yield that
    swallows the exception gets a `raise` at its end (unsafe: the exception now reaches FastAPI)."""

    def __init__(self, positions, findings: list[Finding]) -> None:
        self.positions = positions
        self.findings = findings
        self.done: list[tuple[Finding, Applicability]] = []

    def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> cst.FunctionDef:
        body = updated.body
        if not isinstance(body, cst.IndentedBlock):
            return updated
        statements = list(body.body)
        originals = list(original.body.body) if isinstance(original.body, cst.IndentedBlock) else []
        for index, statement in enumerate(originals):
            if not _is_yield_statement(statement) or index + 1 >= len(originals):
                continue
            after = originals[index + 1:]
            finding = next((f for f in self.findings for s in after if _at(s, self.positions, f)), None)
            if finding is None or any(_is_yield_statement(s) or _returns(s) for s in after):
                continue
            safe = all(_only_releases(s) for s in after)
            wrapped = cst.Try(body=cst.IndentedBlock(body=[statements[index]]),
                              finalbody=cst.Finally(body=cst.IndentedBlock(body=statements[index + 1:])))
            self.done.append((finding, "safe" if safe else "unsafe"))
            return updated.with_changes(body=body.with_changes(body=[*statements[:index], wrapped]))
        return updated

    def leave_ExceptHandler(self, original: cst.ExceptHandler, updated: cst.ExceptHandler) -> cst.ExceptHandler:
        for finding in self.findings:
            if _at(original, self.positions, finding) and isinstance(updated.body, cst.IndentedBlock):
                self.done.append((finding, "unsafe"))
                raise_statement = cst.SimpleStatementLine(body=[cst.Raise()])
                return updated.with_changes(body=updated.body.with_changes(
                    body=[*updated.body.body, raise_statement]))
        return updated


def _is_yield_statement(statement: cst.CSTNode) -> bool:
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return False
    small = statement.body[0]
    value = small.value if isinstance(small, (cst.Expr, cst.Assign)) else None
    if isinstance(value, cst.Await):
        value = value.expression
    return isinstance(value, cst.Yield)


def _returns(statement: cst.CSTNode) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and any(
        isinstance(small, cst.Return) for small in statement.body)


def _only_releases(statement: cst.CSTNode) -> bool:
    if not isinstance(statement, cst.SimpleStatementLine):
        return False
    for small in statement.body:
        value = small.value if isinstance(small, cst.Expr) else None
        if isinstance(value, cst.Await):
            value = value.expression
        if not (isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute)
                and value.func.attr.value in _CLEANUP_METHODS):
            return False
    return True


_FIXERS = {"DI007": _CalledDependency, "DI010": _YieldCleanup}
FIXABLE_CODES = frozenset(_FIXERS)


def fix_source(source: str, findings: Sequence[Finding]) -> tuple[str, list[tuple[Finding, Applicability]]]:
    """The source with every fixable finding of it rewritten, and each fixed finding with its applicability.
    Nothing is rewritten where the source does not parse or the result would not compile."""
    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError:
        return source, []
    done: list[tuple[Finding, Applicability]] = []
    for code, fixer_class in _FIXERS.items():
        wanted = [f for f in findings if f.code == code]
        if not wanted:
            continue
        wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        fixer = fixer_class(wrapper.resolve(PositionProvider), wanted)
        module = wrapper.module.visit(fixer)
        done += fixer.done
    after = module.code
    if after != source:
        try:
            compile(after, "<fixed>", "exec", dont_inherit=True)
        except SyntaxError:
            return source, []
    return after, done


def plan_fixes(findings: Iterable[Finding], read: Callable[[str], str | None], unsafe: bool
               ) -> tuple[list[FileFix], dict[Finding, Applicability]]:
    """Per file, the fixes to apply (safe ones, and unsafe ones when `unsafe`), and the applicability of every
    fixable finding (for the report's `[*]` marks). `read(path)` returns a file's text, or None."""
    by_path: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.code in FIXABLE_CODES:
            by_path.setdefault(finding.location.path, []).append(finding)
    plans: list[FileFix] = []
    applicability: dict[Finding, Applicability] = {}
    for path in sorted(by_path):
        source = read(path)
        if source is None:
            continue
        _, possible = fix_source(source, by_path[path])
        applicability.update(possible)
        chosen = [finding for finding, kind in possible if kind == "safe" or unsafe]
        if not chosen:
            continue
        after, done = fix_source(source, chosen)
        if after != source:
            plans.append(FileFix(path, source, after, tuple(finding for finding, _ in done)))
    return plans, applicability
