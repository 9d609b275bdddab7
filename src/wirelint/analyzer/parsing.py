"""One libcst parse per file, and positions for just the nodes the collectors keep.

libcst's PositionProvider records a range for every node and costs about twice the parse itself; the
collectors need positions for a few node types. `positions_of` replays libcst's code generation once,
counting lines and columns without building the text, and records only nodes of those types.
"""

from __future__ import annotations

import ast
import codecs
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator

import libcst as cst
from libcst._nodes.internal import CodegenState

from .discovery import LINE_BREAK_RE

Span = tuple[int, int, int, int]  # line, column, end_line, end_column; lines 1-based, columns 0-based

_CODING_RE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")


class SourceDecodeError(ValueError):
    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.line, self.column = line, column  # where the offending byte is (1-based)


def _decode_error(message: str, data: bytes, offset: int, encoding: str) -> SourceDecodeError:
    """The error at byte `offset`, with its line and column as Python counts them (\\n, \\r\\n or \\r end a line)."""
    breaks = list(_LINE_BREAK_BYTES_RE.finditer(data, 0, offset))
    start = breaks[-1].end() if breaks else 0
    column = len(data[start:offset].decode(encoding, errors="replace")) + 1
    return SourceDecodeError(message, len(breaks) + 1, column)


_LINE_BREAK_BYTES_RE = re.compile(rb"\r\n|\r|\n")


def decode_source(data: bytes) -> str:
    """Decode Python source bytes as the interpreter would (BOM, PEP 263 coding line, else UTF-8)."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
        encoding = "utf-8"
    else:
        encoding = "utf-8"
        for line in data.split(b"\n", 2)[:2]:
            match = _CODING_RE.match(line)
            if match:
                encoding = match.group(1).decode("ascii", "replace")
                break
    if b"\x00" in data:
        raise _decode_error("source contains NUL bytes", data, data.index(b"\x00"), "utf-8")
    try:
        return data.decode(encoding)
    except LookupError:
        raise SourceDecodeError(f"unknown encoding {encoding!r}") from None
    except UnicodeDecodeError as error:
        raise _decode_error(f"cannot decode as {encoding}: {error.reason} at byte {error.start}", data,
                            error.start, "utf-8") from None


def parse_module(source: str) -> cst.Module:
    """Parse with libcst; raises libcst.ParserSyntaxError on invalid code."""
    return cst.parse_module(source)


@dataclass(eq=False)
class _SpanRecordingState(CodegenState):
    wanted: tuple[type, ...] = ()
    spans: dict[int, Span] = field(default_factory=dict)
    line: int = 1
    column: int = 0
    _stack: list[tuple[int, int] | None] = field(default_factory=list)

    def add_indent_tokens(self) -> None:
        for token in self.indent_tokens:
            self.column += len(token)

    def add_token(self, value: str) -> None:
        newlines = value.count("\n")
        if newlines == 0 and "\r" not in value:
            self.column += len(value)
            return
        if "\r" in value:
            value = value.replace("\r\n", "\n").replace("\r", "\n")
            newlines = value.count("\n")
        self.line += newlines
        self.column = len(value) - value.rfind("\n") - 1

    def pop_trailing_newline(self) -> None:
        pass

    def before_codegen(self, node: cst.CSTNode) -> None:
        self._stack.append((self.line, self.column) if isinstance(node, self.wanted) else None)

    def after_codegen(self, node: cst.CSTNode) -> None:
        start = self._stack.pop()
        if start is not None and id(node) not in self.spans:
            self.spans[id(node)] = (start[0], start[1], self.line, self.column)

    @contextmanager
    def record_syntactic_position(
        self,
        node: cst.CSTNode,
        *,
        start_node: cst.CSTNode | None = None,
        end_node: cst.CSTNode | None = None,
    ) -> Iterator[None]:
        start = (self.line, self.column)
        try:
            yield
        finally:
            if isinstance(node, self.wanted):
                self.spans[id(node)] = (start[0], start[1], self.line, self.column)


def positions_of(module: cst.Module, node_types: tuple[type, ...]) -> dict[int, Span]:
    """Spans of every node of `node_types`, keyed by id(node).

    Statements get their syntactic span (without decorators and leading comments), as PositionProvider does.
    """
    wanted = node_types
    state = _SpanRecordingState(
        default_indent=module.default_indent, default_newline=module.default_newline, wanted=wanted
    )
    module._codegen(state)
    return state.spans


# --- anchored positions ------------------------------------------------------------------------------------
# Replaying code generation over a whole module costs about 0.6x of its parse, and most of it is spent in
# function bodies whose positions nobody reads. Python's own tree (0.2x of a libcst parse) gives every
# statement's start; pairing its statements with libcst's, we replay only the subtrees whose nodes the
# collectors position: decorators, parameters, class bases, module- and class-level statements, and the few
# statements of a function body that declare apps, routers, routes or what a factory returns.

_BODY_CALLS = frozenset({"include_router", "add_api_route", "add_api_websocket_route", "FastAPI", "APIRouter"})


class PositionMismatch(Exception):
    """The two trees do not pair up (never expected; the caller falls back to the full replay)."""


def is_construction(call: cst.Call) -> bool:
    """A call with arguments of a capitalized name (`OrderService(repo)`) or of a capitalized name's
    attribute (`OrderService.create(repo)`): what a composition root writes (resolution decides)."""
    if not call.args:
        return False
    func = call.func
    name = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", None)
    owner = func.value if isinstance(func, cst.Attribute) else None
    owner_name = owner.attr.value if isinstance(owner, cst.Attribute) else getattr(owner, "value", None)
    return any(isinstance(part, str) and part[:1].isupper() for part in (name, owner_name))


def anchored_positions(module: cst.Module, tree: ast.Module, node_types: tuple[type, ...]) -> dict[int, Span]:
    """Spans like `positions_of`, for the nodes the collectors read; raises PositionMismatch when trees differ."""
    spans: dict[int, Span] = {}
    state = _SpanRecordingState(default_indent=module.default_indent, default_newline=module.default_newline,
                                wanted=node_types, spans=spans)

    def replay(node: cst.CSTNode, line: int, column: int, indents: list[str]) -> None:
        state.line, state.column = line, column
        state.indent_tokens = list(indents)
        node._codegen(state)

    def expression_start(node: cst.BaseExpression, anchor: ast.AST) -> int:
        # Python's tree points inside parentheses; libcst's expression starts at the first '('.
        return anchor.col_offset - sum(1 + len(getattr(paren.whitespace_after, "value", "")) for paren in node.lpar)

    def headers(node: cst.FunctionDef | cst.ClassDef, anchor, indents: list[str]) -> None:
        spans[id(node)] = (anchor.lineno, anchor.col_offset, anchor.end_lineno or anchor.lineno,
                           anchor.end_col_offset or anchor.col_offset)
        if len(node.decorators) != len(anchor.decorator_list):
            raise PositionMismatch("decorators")
        for decorator, expected in zip(node.decorators, anchor.decorator_list):
            replay(decorator.decorator, expected.lineno, expression_start(decorator.decorator, expected), indents)

    def parameters(node: cst.FunctionDef, anchor, indents: list[str]) -> None:
        params = node.params
        ours = [*params.posonly_params, *params.params]
        ours += [params.star_arg] if isinstance(params.star_arg, cst.Param) else []
        ours += [*params.kwonly_params] + ([params.star_kwarg] if params.star_kwarg is not None else [])
        arguments = anchor.args
        theirs = [*arguments.posonlyargs, *arguments.args] + ([arguments.vararg] if arguments.vararg else [])
        theirs += [*arguments.kwonlyargs] + ([arguments.kwarg] if arguments.kwarg else [])
        if len(ours) != len(theirs):
            raise PositionMismatch("parameters")
        for param, argument in zip(ours, theirs):
            star = param.star if isinstance(param.star, str) else ""
            spacing = getattr(param.whitespace_after_star, "value", "")
            replay(param, argument.lineno, argument.col_offset - len(star) - len(spacing), indents)

    def wanted_in_body(node: cst.BaseSmallStatement) -> bool:
        if isinstance(node, cst.Return):
            return True
        if isinstance(node, cst.Assign) and any(isinstance(t.target, cst.Subscript) for t in node.targets):
            return True  # `container[Repo] = SqlRepo`: a container binding
        value = getattr(node, "value", None)
        if isinstance(value, cst.Await):
            value = value.expression
        if isinstance(value, cst.Lambda):
            return True
        if isinstance(value, cst.Call):
            func = value.func
            if is_construction(value):
                return True  # maybe a composition root's
            name = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", None)
            return name in _BODY_CALLS or any(arg.keyword is not None and arg.keyword.value == "dependencies"
                                              for arg in value.args)
        return False

    def statements(ours, theirs: list[ast.stmt], indents: list[str], in_function: bool) -> None:
        flat: list[cst.CSTNode] = []
        for statement in ours:
            flat.extend(statement.body if isinstance(statement, cst.SimpleStatementLine) else [statement])
        if len(flat) != len(theirs):
            raise PositionMismatch("statements")
        for node, anchor in zip(flat, theirs):
            compound(node, anchor, indents, in_function)

    def block(node, theirs: list[ast.stmt], indents: list[str], in_function: bool) -> None:
        if isinstance(node, cst.IndentedBlock):
            indent = node.indent if node.indent is not None else module.default_indent
            statements(node.body, theirs, indents + [indent], in_function)
        else:  # `if x: a = 1; b = 2`
            if len(node.body) != len(theirs):
                raise PositionMismatch("suite")
            for small, anchor in zip(node.body, theirs):
                compound(small, anchor, indents, in_function)

    def compound(node, anchor: ast.stmt, indents: list[str], in_function: bool) -> None:
        if isinstance(node, cst.FunctionDef):
            if not isinstance(anchor, (ast.FunctionDef, ast.AsyncFunctionDef)):
                raise PositionMismatch("def")
            headers(node, anchor, indents)
            parameters(node, anchor, indents)
            block(node.body, anchor.body, indents, True)
        elif isinstance(node, cst.ClassDef):
            if not isinstance(anchor, ast.ClassDef):
                raise PositionMismatch("class")
            headers(node, anchor, indents)
            if len(node.bases) != len(anchor.bases):
                raise PositionMismatch("bases")
            for base, expected in zip(node.bases, anchor.bases):
                replay(base.value, expected.lineno, expression_start(base.value, expected), indents)
            block(node.body, anchor.body, indents, False)
        elif isinstance(node, cst.If):
            if not isinstance(anchor, ast.If):
                raise PositionMismatch("if")
            block(node.body, anchor.body, indents, in_function)
            if isinstance(node.orelse, cst.If):
                if len(anchor.orelse) != 1:
                    raise PositionMismatch("elif")
                compound(node.orelse, anchor.orelse[0], indents, in_function)
            elif node.orelse is not None:
                block(node.orelse.body, anchor.orelse, indents, in_function)
        elif isinstance(node, (cst.For, cst.While)):
            if not isinstance(anchor, (ast.For, ast.AsyncFor, ast.While)):
                raise PositionMismatch("loop")
            block(node.body, anchor.body, indents, in_function)
            if node.orelse is not None:
                block(node.orelse.body, anchor.orelse, indents, in_function)
        elif isinstance(node, (cst.Try, cst.TryStar)):
            if type(anchor).__name__ not in ("Try", "TryStar") or len(node.handlers) != len(anchor.handlers):
                raise PositionMismatch("try")
            block(node.body, anchor.body, indents, in_function)
            for handler, expected in zip(node.handlers, anchor.handlers):
                block(handler.body, expected.body, indents, in_function)
            if node.orelse is not None:
                block(node.orelse.body, anchor.orelse, indents, in_function)
            if node.finalbody is not None:
                block(node.finalbody.body, anchor.finalbody, indents, in_function)
        elif isinstance(node, cst.With):
            if not isinstance(anchor, (ast.With, ast.AsyncWith)):
                raise PositionMismatch("with")
            block(node.body, anchor.body, indents, in_function)
        elif isinstance(node, cst.Match):
            if not isinstance(anchor, ast.Match) or len(node.cases) != len(anchor.cases):
                raise PositionMismatch("match")
            # The cases sit one indentation deeper than `match`, their bodies deeper still.
            case_indent = node.indent if node.indent is not None else module.default_indent
            for case, expected in zip(node.cases, anchor.cases):
                block(case.body, expected.body, indents + [case_indent], in_function)
        elif not in_function or wanted_in_body(node):
            replay(node, anchor.lineno, anchor.col_offset, indents)

    statements(module.body, tree.body, [], False)
    return spans


# Generated data modules (`ROWS = [(1, 'a'), ...]` over thousands of lines) cost libcst a minute and gigabytes
# for a few megabytes of literals that can hold no dependency fact. Only files this long are searched for them,
# and only literals this long are emptied.
_DATA_FILE_CHARS = 200_000
_DATA_LITERAL_CHARS = 20_000
_CONSTANT_NODES = (ast.Constant, ast.List, ast.Tuple, ast.Set, ast.Dict, ast.UnaryOp, ast.unaryop, ast.Load)


def without_data_literals(source: str, tree: ast.Module) -> str | None:
    """`source` with its long literals of constants only (lists, tuples, sets, dicts of numbers and strings)
    emptied, or None when it has none. Every line break stays and the closing bracket keeps its column, so
    every other node keeps its position; the emptied literal keeps its type (`[]`, `{}`, `{0}`, `(0,)`)."""
    if len(source) < _DATA_FILE_CHARS:
        return None
    line_starts = [0]
    for match in LINE_BREAK_RE.finditer(source):
        line_starts.append(match.end())
    lines_bytes: dict[int, bytes] = {}

    def offset(line: int, byte_column: int) -> int:  # ast columns count UTF-8 bytes
        start = line_starts[line - 1]
        if line not in lines_bytes:
            end = line_starts[line] if line < len(line_starts) else len(source)
            lines_bytes[line] = source[start:end].encode("utf-8", "surrogatepass")
        return start + len(lines_bytes[line][:byte_column].decode("utf-8", "surrogatepass"))

    spans: list[tuple[int, int, str]] = []
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.List, ast.Set, ast.Dict, ast.Tuple)) and node.end_lineno is not None:
            start = offset(node.lineno, node.col_offset)
            end = offset(node.end_lineno, node.end_col_offset or 0)
            if end - start >= _DATA_LITERAL_CHARS and source[start] in "[({" and _constants_only(node):
                spans.append((start, end, type(node).__name__))
                continue
        stack.extend(ast.iter_child_nodes(node))
    if not spans:
        return None
    pieces, last = [], 0
    for start, end, kind in sorted(spans):
        interior = source[start + 1:end - 1]
        keep = {"Set": "0", "Tuple": "0,"}.get(kind, "")
        breaks = "".join(match.group() for match in LINE_BREAK_RE.finditer(interior))
        last_line = interior[max(interior.rfind("\n"), interior.rfind("\r")) + 1:]
        filler = keep + breaks + " " * max(len(last_line) - (0 if breaks else len(keep)), 0)
        pieces += [source[last:start + 1], filler]
        last = end - 1
    pieces.append(source[last:])
    return "".join(pieces)


def _constants_only(node: ast.AST) -> bool:
    stack = [node]
    while stack:
        current = stack.pop()
        if not isinstance(current, _CONSTANT_NODES):
            return False
        if isinstance(current, ast.UnaryOp) and not isinstance(current.operand, ast.Constant):
            return False
        stack.extend(ast.iter_child_nodes(current))
    return True


# --- syntax newer than the running interpreter -------------------------------------------------------------
# libcst parses Python up to 3.14 on any interpreter; `ast` only parses its own version. Where `ast` refuses a
# module that libcst accepts (`type X = ...` or a PEP 701 f-string under Python 3.11), the facts read from
# Python's tree would be missing for the whole file. Instead, the statements `ast` refuses are replaced one by
# one, innermost first, by `pass` on their first line and empty lines after, so that every other statement
# keeps its facts and its line numbers. PEP 695 type parameters are blanked in place first, so that a generic
# class or function keeps its whole body.

_MAX_REPLACED = 100


def ast_despite_newer_syntax(source: str, tree: cst.Module) -> tuple[ast.Module, tuple[int, ...]] | None:
    """Python's tree of `source` with the statements this interpreter cannot parse replaced by `pass`, and the
    first lines of those statements; None when it cannot be had that way."""
    statements = sorted({(line, end_line - (end_column == 0)) for line, _, end_line, end_column in
                         positions_of(tree, (cst.SimpleStatementLine, cst.BaseCompoundStatement)).values()})
    decorators = {end_line: line for line, _, end_line, _ in positions_of(tree, (cst.Decorator,)).values()}
    lines = [match.group() for match in _LINE_WITH_END_RE.finditer(source)]
    # `class Repo[T]:` and `def first[T](...)`: the type parameters become spaces, the definition stays whole.
    for line, column, end_line, end_column in positions_of(tree, (cst.TypeParameters,)).values():
        if line == end_line:
            text = lines[line - 1]
            lines[line - 1] = text[:column] + " " * (end_column - column) + text[end_column:]
    replaced: list[int] = []
    for _ in range(_MAX_REPLACED):
        try:
            return ast.parse("".join(lines)), tuple(sorted(replaced))
        except SyntaxError as error:
            failing = error.lineno or 0
        except (ValueError, RecursionError, MemoryError):
            return None
        containing = [(first, last) for first, last in statements
                      if first <= failing <= last and first not in replaced]
        if not containing:
            return None
        first, last = max(containing)  # the innermost: it starts last
        replaced.append(first)
        while first - 1 in decorators:  # `@decorator` lines belong to the definition they decorate
            first = decorators[first - 1]
        text = lines[first - 1]
        indent = text[:len(text) - len(text.lstrip(" \t"))]
        for number in range(first, last + 1):
            ending = LINE_BREAK_RE.search(lines[number - 1])
            lines[number - 1] = (indent + "pass" if number == first else "") + (ending.group() if ending else "")
    return None


_LINE_WITH_END_RE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
