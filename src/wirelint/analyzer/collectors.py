"""Facts from one pass over one module: scopes and bindings, functions, classes, routes, includes.

The collector never resolves names across modules; it records what each name is bound to in each scope
(see `Binding`) and leaves the meaning to `resolve`. Expressions are kept in the small IR of `models`.

It walks Python's own tree (`ast`), the statements only, and converts just the expressions a fact keeps.
Its output is the one libcst's tree gave before (names, IR, positions): libcst is still loaded, lazily, for
syntax newer than the running interpreter, which `newer_syntax` rewrites into code `ast` accepts on the
same lines and columns.

Positions follow what the facts always held:
- lines are 1-based and columns count characters (`ast` counts UTF-8 bytes: converted on non-ASCII lines);
- a def or class starts at `def`/`async`/`class` (not at its decorators) and ends where Python's tree ends it;
- a parameter spans its stars and its name, not its annotation or default;
- calls, lambdas and assignments span what Python's tree says (without parentheses around them);
- only the statements that can hold a positioned fact are positioned in function bodies (see
  `_wanted_in_body`): elsewhere in a function body calls and lambdas keep line 0 (a call's column is 1).
"""

from __future__ import annotations

import ast
import re
import warnings
from bisect import bisect_right
from collections.abc import Callable

from .discovery import LINE_BREAK_RE, resolve_relative
from .generators import Gap, cleanup_gaps
from .lookups import body_lookups, constructor_calls, function_body_facts, mutable_globals
from .models import (
    UNION_OPERATOR,
    AttributeExpr,
    Binding,
    CallExpr,
    ClassFacts,
    ConditionalExpr,
    Expr,
    FormattedStringExpr,
    FunctionFacts,
    ImportTimeCall,
    IncludeFacts,
    ItemAssignment,
    LambdaExpr,
    Location,
    ModuleFacts,
    NameExpr,
    OtherExpr,
    Parameter,
    ParseErrorFacts,
    RouteFacts,
    ScopeFacts,
    SequenceExpr,
    StringExpr,
    SubscriptExpr,
    YieldGap,
)
from .overrides import is_test_code, test_facts
from .parsing import SourceDecodeError, decode_source, without_data_blocks, without_data_literals

ROUTE_DECORATORS = frozenset(
    {"get", "post", "put", "patch", "delete", "head", "options", "trace", "api_route", "websocket"}
)
ROUTE_CALLS = frozenset({"add_api_route", "add_api_websocket_route"})


def collect_module(module: str, path: str, data: bytes, is_package: bool) -> ModuleFacts:
    """Parse `data` and collect its facts; a file that does not decode or parse gives a failed ModuleFacts."""
    with warnings.catch_warnings():  # `"\d"` and the like: Python warns the code's authors, not wirelint's users
        warnings.simplefilter("ignore")  # (and under -W error, a warning must not become wirelint's exception)
        return _collect_module(module, path, data, is_package)


def _collect_module(module: str, path: str, data: bytes, is_package: bool) -> ModuleFacts:
    try:
        source = decode_source(data)
    except SourceDecodeError as error:
        return ModuleFacts.failed(module, path, is_package, ParseErrorFacts(str(error), error.line, error.column))
    # Python's own parser refuses nesting no interpreter compiles (more than 200 brackets, or deeper than its
    # recursion guard) in milliseconds; libcst, which decides about newer syntax, would take time and memory
    # quadratic in the depth and overflow the C stack a few thousand levels down.
    tree: ast.Module | None = None
    if (blanked := without_data_blocks(source)) is not None:
        try:
            source, tree = blanked, ast.parse(blanked)  # a tree of the original is never built
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            pass  # the text fooled the block search: the original is parsed
    try:
        tree = tree or ast.parse(source)
    except SyntaxError as error:
        if error.msg == _TOO_MANY_PARENTHESES:
            return ModuleFacts.failed(module, path, is_package,
                                      ParseErrorFacts(error.msg, error.lineno or 1, error.offset or 1))
        tree = None  # maybe syntax newer than this interpreter's: libcst decides
    except (RecursionError, MemoryError):
        return ModuleFacts.failed(module, path, is_package, ParseErrorFacts(_TOO_DEEP, 1, 1))
    except ValueError:
        tree = None
    if tree is None:
        return _newer_syntax_facts(module, path, is_package, source)
    if (slim := without_data_literals(source, tree)) is not None:
        try:
            source, tree = slim, ast.parse(slim)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            pass  # never expected: then the original is analyzed
    try:
        return _facts(module, path, is_package, source, tree, _Text(source))
    except RecursionError:  # valid Python, but deeper than the collectors' recursion allows
        return ModuleFacts.failed(module, path, is_package, ParseErrorFacts(_TOO_DEEP, 1, 1))


_TOO_MANY_PARENTHESES = "too many nested parentheses"  # CPython's limit (200 levels), the same in 3.11-3.14
_TOO_DEEP = "source nested too deeply"


def _newer_syntax_facts(module: str, path: str, is_package: bool, source: str) -> ModuleFacts:
    """Facts of a module Python's parser refuses: libcst parses it; if it is valid (newer) Python, the code is
    rewritten into what this interpreter parses, on the same lines and columns, and collected from that."""
    import libcst as cst  # only here: most runs never load libcst

    from .newer_syntax import rewrite

    try:
        tree = cst.parse_module(source)
    except cst.ParserSyntaxError as error:
        return ModuleFacts.failed(module, path, is_package, _syntax_error(source, path, error))
    except RecursionError:
        return ModuleFacts.failed(module, path, is_package, ParseErrorFacts(_TOO_DEEP, 1, 1))
    try:
        rewritten = rewrite(source, tree)
        if rewritten.tree is None:  # nothing Python parses: no facts, and every line said unanalysed
            return ModuleFacts(module, path, is_package, {}, {}, {"": ScopeFacts("", None)}, (), (),
                               line_count=_line_count(source), unanalysed_lines=rewritten.unanalysed_lines)
        return _facts(module, path, is_package, source, rewritten.tree,
                      _Text(rewritten.source, columns_of=source), rewritten)
    except RecursionError:
        return ModuleFacts.failed(module, path, is_package, ParseErrorFacts(_TOO_DEEP, 1, 1))


def _line_count(source: str) -> int:
    return source.count("\n") + (0 if source.endswith("\n") or not source else 1)


def _facts(module: str, path: str, is_package: bool, source: str, tree: ast.Module, text: _Text,
           newer=None) -> ModuleFacts:
    collector = _Collector(module, path, is_package, text, newer)
    body = function_body_facts(tree)
    is_test = is_test_code(path, tree)
    collector.walk_statements(tree.body)
    return ModuleFacts(
        module=module,
        path=path,
        is_package=is_package,
        functions=collector.functions,
        classes=collector.classes,
        scopes={name: ScopeFacts(name, parent, bindings, tuple(stars), name in collector.classes)
                for name, (parent, bindings, stars) in collector.scopes.items()},
        routes=tuple(collector.routes),
        includes=tuple(collector.includes),
        calls=tuple(collector.calls),
        lookups=body_lookups(source, tree),
        tests=test_facts(source, tree) if is_test else None,
        is_test=is_test,
        constructions=constructor_calls(tree),
        mutable_globals=mutable_globals(tree),
        global_writes=body.writes,
        import_time_calls=tuple(collector.import_time_calls),
        item_assignments=tuple(collector.item_assignments),
        compositions=tuple(collector.compositions),
        body_calls=body.calls,
        call_flows=body.flows,
        handoffs=body.handoffs,
        attribute_writes=body.attribute_writes,
        attribute_reads=body.attribute_reads,
        name_reads=body.name_reads,
        yield_gaps=tuple(collector.yield_gaps),
        line_count=_line_count(source),
        unanalysed_lines=newer.unanalysed_lines if newer is not None else (),
    )


def _syntax_error(source: str, path: str, error) -> ParseErrorFacts:
    """Python's own message and position when it agrees the code is invalid (libcst points past the error)."""
    try:
        compile(source, path, "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as python_error:
        return ParseErrorFacts(python_error.msg, python_error.lineno or 1, python_error.offset or 1)
    except (ValueError, RecursionError, MemoryError):
        pass
    return ParseErrorFacts(error.message, error.raw_line, error.raw_column + 1)


# --- source text -------------------------------------------------------------------------------------------


class _Text:
    """Text of a module (or of a string annotation) for what Python's tree does not say: characters instead of
    UTF-8 bytes, the text of a string literal, where a parenthesis closes."""

    __slots__ = ("_bytes_of", "_encoded", "_starts", "ascii", "text")

    def __init__(self, text: str, columns_of: str | None = None) -> None:
        self.text = text
        # Columns convert against the text the tree's byte offsets count (the original of rewritten syntax;
        # both have the same characters where the tree has nodes).
        self._bytes_of = _Text(columns_of) if columns_of is not None and columns_of != text else self
        self.ascii = text.isascii() and self._bytes_of.text.isascii()
        self._starts: list[int] | None = None
        self._encoded: dict[int, bytes] | None = None  # the lines that are not ASCII, in UTF-8

    def starts(self) -> list[int]:
        if self._starts is None:
            self._starts = [0] + [match.end() for match in LINE_BREAK_RE.finditer(self.text)]
        return self._starts

    def _non_ascii(self) -> dict[int, bytes]:
        if self._encoded is None:
            starts, text = self.starts(), self.text
            self._encoded = {}
            for match in _NON_ASCII_RE.finditer(text):
                line = bisect_right(starts, match.start())
                if line not in self._encoded:
                    end = starts[line] if line < len(starts) else len(text)
                    self._encoded[line] = text[starts[line - 1]:end].encode("utf-8", "surrogatepass")
        return self._encoded

    def ascii_line(self, line: int) -> bool:
        return self.ascii or line not in self._bytes_of._non_ascii()

    def column(self, line: int, byte_column: int) -> int:
        """Characters before `byte_column` on `line`."""
        if self.ascii:
            return byte_column
        encoded = self._bytes_of._non_ascii().get(line)
        if encoded is None:
            return byte_column
        return len(encoded[:byte_column].decode("utf-8", "surrogatepass"))

    def offset(self, line: int, column: int) -> int:
        """Index in the text of character `column` (0-based) of `line`."""
        return self.starts()[line - 1] + column

    def span(self, node: ast.AST) -> tuple[int, int]:
        """Indexes in the text where `node` starts and ends."""
        start = self.offset(node.lineno, self.column(node.lineno, node.col_offset))
        end = self.offset(node.end_lineno, self.column(node.end_lineno, node.end_col_offset))
        return start, end

    def segment(self, node: ast.AST) -> str:
        start, end = self.span(node)
        return self.text[start:end]


_NON_ASCII_RE = re.compile(r"[^\x00-\x7f]+")


def _string_literals(segment: str) -> list[tuple[str, str, str]]:
    """The string literals of an implicit concatenation, as (lowercase prefix, whole literal, body); raises
    ValueError when `segment` is not one."""
    literals = []
    index, length = 0, len(segment)
    while index < length:
        char = segment[index]
        if char in " \t\f\r\n\\":
            index += 1
            continue
        if char == "#":
            while index < length and segment[index] not in "\r\n":
                index += 1
            continue
        start = index
        while index < length and segment[index].isalpha():
            index += 1
        quote = segment[index:index + 3]
        if quote not in ('"""', "'''"):
            quote = segment[index:index + 1]
            if quote not in ('"', "'"):
                raise ValueError("not a string literal")
        index += len(quote)
        body_start = index
        while not segment.startswith(quote, index):
            if index >= length:
                raise ValueError("unterminated string literal")
            index += 2 if segment[index] == "\\" else 1
        literals.append((segment[start:body_start - len(quote)].lower(), segment[start:index + len(quote)],
                         segment[body_start:index]))
        index += len(quote)
    return literals


def _skip_string(body: str, index: int) -> int:
    quote = body[index:index + 3] if body[index:index + 3] in ('"""', "'''") else body[index]
    index += len(quote)
    while index < len(body) and not body.startswith(quote, index):
        index += 2 if body[index] == "\\" else 1
    return index + len(quote)


def _replacement_field(body: str, index: int) -> tuple[int, bool]:
    """The end of the replacement field whose expression starts at `index` (after its `{`), and whether it
    has a conversion or a non-empty format spec."""
    depth, length = 0, len(body)
    conversion = False
    while index < length:
        char = body[index]
        if char in "'\"":
            index = _skip_string(body, index)
            continue
        if char in "([{":
            depth += 1
        elif char in ")]}":
            if depth == 0:
                return index + 1, conversion
            depth -= 1
        elif depth == 0 and char == "!" and body[index + 1:index + 2] != "=":
            conversion = True
        elif depth == 0 and char == ":":
            spec_start = index = index + 1
            while index < length and body[index] != "}":
                if body[index] == "{":
                    index, _ = _replacement_field(body, index + 1)
                else:
                    index += 1
            return index + 1, conversion or index > spec_start
        index += 1
    raise ValueError("unterminated replacement field")


def _formatted_string_parts(body: str, raw: bool) -> list[str | bool]:
    """The parts of an f-string literal as libcst splits them: its raw text between replacement fields (str),
    and for each field whether it is formatted (a conversion or a format spec: True) or plain (False)."""
    parts: list[str | bool] = []
    index, length, text_start = 0, len(body), 0
    while index < length:
        char = body[index]
        if char == "\\" and not raw:
            if body.startswith("N{", index + 1):
                index = body.index("}", index) + 1
            else:
                index += 2 if index + 1 < length and body[index + 1] not in "{}" else 1
        elif char == "{" and body.startswith("{", index + 1):
            index += 2
        elif char == "{":
            if index > text_start:
                parts.append(body[text_start:index])
            index, formatted = _replacement_field(body, index + 1)
            parts.append(formatted)
            text_start = index
        elif char == "}":
            index += 2 if body.startswith("}", index + 1) else 1
        else:
            index += 1
    if text_start < length:
        parts.append(body[text_start:])
    return parts


# --- what was positioned -----------------------------------------------------------------------------------

_BODY_CALLS = frozenset({"include_router", "add_api_route", "add_api_websocket_route", "FastAPI", "APIRouter"})
_VALUED = (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Expr)
_CONSTANT_NAMES = {None: "None", True: "True", False: "False"}


def _constant_name(node: ast.AST) -> str | None:
    """`None`, `True`, `False`: names in libcst's tree, constants in Python's."""
    if type(node) is ast.Constant and (node.value is None or node.value is True or node.value is False):
        return _CONSTANT_NAMES[node.value]
    return None


def _is_name(node: ast.AST) -> bool:
    return type(node) is ast.Name or _constant_name(node) is not None


def _wanted_in_body(statement: ast.stmt, text: _Text) -> bool:
    """The statements of a function body whose positions facts keep: returns, container bindings, lambdas
    and the calls that declare apps, routers, routes, dependencies or what a factory builds."""
    if type(statement) is ast.Return:
        return True
    if type(statement) is ast.Assign and any(type(target) is ast.Subscript for target in statement.targets):
        return True  # `container[Repo] = SqlRepo`: a container binding
    value = statement.value if isinstance(statement, _VALUED) else None
    if type(value) is ast.Await:
        value = value.value
    if type(value) is ast.Lambda:
        return True
    if type(value) is ast.Call:
        if _is_construction(value, text):
            return True  # maybe a composition root's
        func = value.func
        name = func.attr if type(func) is ast.Attribute else func.id if type(func) is ast.Name else None
        return name in _BODY_CALLS or any(keyword.arg == "dependencies" for keyword in value.keywords)
    return False


def _is_construction(call: ast.Call, text: _Text) -> bool:
    """A call with arguments of a capitalized name (`OrderService(repo)`) or of a capitalized name's
    attribute (`OrderService.create(repo)`): what a composition root writes (resolution decides)."""
    if not call.args and not call.keywords:
        return False
    func = call.func
    if type(func) is ast.Attribute:
        return func.attr[:1].isupper() or _capitalized(func.value, text)
    return _capitalized(func, text)


def _capitalized(node: ast.AST, text: _Text) -> bool:
    # What libcst's node holds as its text: a name, `None`/`True`/`False`, and a string literal (`U"x"`).
    kind = type(node)
    if kind is ast.Name:
        return node.id[:1].isupper()
    if kind is ast.Attribute:
        return node.attr[:1].isupper()
    if kind is ast.Constant:
        if _constant_name(node) is not None:
            return True
        if isinstance(node.value, (str, bytes)):
            start, end = text.span(node)
            try:
                return text.text[start:start + 1].isupper() and len(_string_literals(text.text[start:end])) == 1
            except ValueError:
                return False
    return False


# --- the collector -----------------------------------------------------------------------------------------


class _Frame:
    __slots__ = ("kind", "qualname", "scope", "class_facts", "outer_names")

    def __init__(self, kind: str, qualname: str, scope: str) -> None:
        self.kind = kind  # module | class | function
        self.qualname = qualname  # qualname prefix for things defined inside
        self.scope = scope  # the function scope names bind in ("" = module); for classes: the class body
        self.class_facts: dict | None = None
        self.outer_names: set[str] = set()  # declared `global` or `nonlocal`: assignments bind elsewhere


_OTHER_NAMES = {
    ast.BinOp: "BinaryOperation", ast.UnaryOp: "UnaryOperation", ast.Compare: "Comparison",
    ast.YieldFrom: "Yield", ast.Starred: "StarredElement",
}
_NUMBER_NAMES = {int: "Integer", float: "Float", complex: "Imaginary"}


class _Collector:
    def __init__(self, module: str, path: str, is_package: bool, text: _Text, newer=None) -> None:
        self.module = module
        self.path = path
        self.is_package = is_package
        self.text = text
        # Syntax newer than Python's: libcst's positions of every node were used (see `_wanted_in_body`), a
        # definition ending where libcst ends it (after its block's trailing comments and newline).
        self.everywhere = newer is not None
        self.definition_ends = newer.definition_ends if newer is not None else {}
        self.strings = newer.strings if newer is not None else {}  # f-strings Python cannot parse, rewritten
        self.aliases = newer.aliases if newer is not None else frozenset()  # `type X = ...`, rewritten
        self.positioned = True
        self.functions: dict[str, FunctionFacts] = {}
        self.classes: dict[str, ClassFacts] = {}
        self.scopes: dict[str, tuple[str | None, dict[str, Binding], list[str]]] = {"": (None, {}, [])}
        self.routes: list[RouteFacts] = []
        self.includes: list[IncludeFacts] = []
        self.calls: list[tuple[str, CallExpr]] = []
        self.import_time_calls: list[ImportTimeCall] = []
        self.item_assignments: list[ItemAssignment] = []
        self.compositions: list[tuple[str, CallExpr]] = []
        self.yield_gaps: list[YieldGap] = []
        self.main_guard = 0
        self.frames: list[_Frame] = [_Frame("module", "", "")]
        # per open function: [yields, returns]
        self.function_state: list[list] = []
        self.lambda_counter = 0

    # --- traversal ---------------------------------------------------------------------------------------

    def walk_statements(self, statements: list[ast.stmt]) -> None:
        for statement in statements:
            kind = type(statement)
            if kind is ast.FunctionDef or kind is ast.AsyncFunctionDef:
                self.visit_FunctionDef(statement)
                self.walk_statements(statement.body)
                self.leave_FunctionDef(statement)
            elif kind is ast.ClassDef:
                self.visit_ClassDef(statement)
                self.walk_statements(statement.body)
                self.leave_ClassDef(statement)
            elif kind is ast.If:
                self.walk_if(statement)
            elif kind is ast.For or kind is ast.AsyncFor or kind is ast.While:
                if kind is not ast.While:
                    self._bind_targets(statement.target)
                self.walk_statements(statement.body)
                self.walk_statements(statement.orelse)
            elif kind is ast.Try or kind is ast.TryStar:
                self.walk_statements(statement.body)
                for handler in statement.handlers:
                    self.visit_ExceptHandler(handler)
                    self.walk_statements(handler.body)
                self.walk_statements(statement.orelse)
                self.walk_statements(statement.finalbody)
            elif kind is ast.With or kind is ast.AsyncWith:
                for item in statement.items:
                    self.visit_WithItem(item)
                self.walk_statements(statement.body)
            elif kind is ast.Match:
                for case in statement.cases:
                    self.walk_statements(case.body)
            else:
                self.positioned = (self.everywhere or self.frames[-1].kind != "function"
                                   or _wanted_in_body(statement, self.text))
                self.small_statement(statement)

    def walk_if(self, statement: ast.If) -> None:
        # `elif` and `else: if` alike: the inner `if` is walked by walk_statements
        if self._is_main_guard(statement.test) and not self.function_state:
            self.main_guard += 1  # `if __name__ == "__main__":` runs as a script, not at import
            self.walk_statements(statement.body)
            self.main_guard -= 1
        else:
            self.walk_statements(statement.body)
        self.walk_statements(statement.orelse)

    def small_statement(self, node: ast.stmt) -> None:
        kind = type(node)
        value = node.value if isinstance(node, _VALUED) or kind is ast.Return else None
        if type(value) is ast.Await:
            value = value.value
        if (type(value) is ast.Yield or type(value) is ast.YieldFrom) and self.function_state:
            self.function_state[-1][0] = True
        if kind is ast.Assign:
            if self.aliases and self._start(node) in self.aliases:
                self.visit_TypeAlias(node)
            else:
                self.visit_Assign(node)
        elif kind is ast.AnnAssign:
            self.visit_AnnAssign(node)
        elif kind is ast.Import:
            self.visit_Import(node)
        elif kind is ast.ImportFrom:
            self.visit_ImportFrom(node)
        elif kind is ast.Return:
            self.visit_Return(node)
        elif kind is ast.Global or kind is ast.Nonlocal:
            self.frame.outer_names.update(node.names)
        if type(value) is ast.Call:
            self.visit_Call(value)
            if kind is ast.Expr:
                self._composition(value)
        elif type(value) is ast.NamedExpr:
            self.visit_NamedExpr(value)

    # --- positions and names -----------------------------------------------------------------------------

    def _start(self, node: ast.AST) -> tuple[int, int]:
        return node.lineno, self.text.column(node.lineno, node.col_offset)

    def _span(self, node: ast.AST) -> tuple[int, int, int, int]:
        text = self.text
        return (node.lineno, text.column(node.lineno, node.col_offset),
                node.end_lineno, text.column(node.end_lineno, node.end_col_offset))

    def location(self, node: ast.AST) -> Location:
        """A call's, lambda's or assignment's span, if its statement was positioned."""
        if not self.positioned:
            return Location(self.path, 0, 0, 0, 0)
        line, column, end_line, end_column = self._span(node)
        return Location(self.path, line, column + 1, end_line, end_column + 1)

    def definition_location(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> Location:
        line, column, end_line, end_column = self._span(node)
        if self.everywhere:
            end_line, end_column = self.definition_ends.get((line, column), (end_line, end_column))
        return Location(self.path, line, column + 1, end_line, end_column + 1)

    def parameter_location(self, arg: ast.arg, star: str, name: str) -> Location:
        """The parameter's stars and name (libcst's Param span)."""
        if not self.positioned:
            return Location(self.path, 0, 0, 0, 0)
        line, column = self._start(arg)
        start_line, start_column = line, column
        if star:
            text = self.text.text
            index = self.text.offset(line, column)
            while index > 0 and text[index - 1] in " \t\f\\\r\n":
                index -= 1
            if text[index - len(star):index] == star:
                index -= len(star)
                starts = self.text.starts()
                while start_line > 1 and starts[start_line - 1] > index:
                    start_line -= 1
                start_column = index - starts[start_line - 1]
        return Location(self.path, start_line, start_column + 1, line, column + len(name) + 1)

    def _line(self, node: ast.AST) -> int:
        # Of expressions, only calls and lambdas had positions.
        return node.lineno if self.positioned and type(node) in (ast.Call, ast.Lambda) else 0

    def _statement_line(self, node: ast.stmt) -> int:
        return node.lineno if self.positioned else 0

    # Python's tree holds identifiers NFKC-normalized (`ﬁle` is `file`), libcst's as written: on lines that
    # are not ASCII, names are read in the text.

    def _identifier_at(self, index: int, name: str) -> str:
        text = self.text.text
        end = index
        while end < len(text) and (text[end] == "_" or ("a" + text[end]).isidentifier()):
            end += 1
        return text[index:end] or name

    def name_of(self, node: ast.Name) -> str:
        text = self.text
        if text.ascii or text.ascii_line(node.lineno):
            return node.id
        return self._identifier_at(self.text.offset(*self._start(node)), node.id)

    def arg_name(self, node: ast.arg | ast.keyword) -> str:
        text = self.text
        if text.ascii or text.ascii_line(node.lineno):
            return node.arg
        return self._identifier_at(self.text.offset(*self._start(node)), node.arg)

    keyword_name = arg_name

    def attr_of(self, node: ast.Attribute) -> str:
        text = self.text
        if text.ascii or text.ascii_line(node.end_lineno):
            return node.attr
        source = text.text
        end = text.span(node)[1]
        start = end
        while start > 0 and (source[start - 1] == "_" or ("a" + source[start - 1]).isidentifier()):
            start -= 1
        return source[start:end] or node.attr

    def definition_name(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> str:
        text = self.text
        if text.ascii or text.ascii_line(node.lineno):
            return node.name
        source = text.text
        index = text.offset(*self._start(node))
        for keyword in ("async", "def", "class"):
            if source.startswith(keyword, index):
                index += len(keyword)
                while index < len(source) and source[index] in " \t\f\\\r\n":
                    index += 1
        return self._identifier_at(index, node.name)

    def dotted_name(self, node: ast.AST) -> str | None:
        kind = type(node)
        if kind is ast.Name:
            return self.name_of(node)
        if kind is ast.Attribute:
            base = self.dotted_name(node.value)
            return f"{base}.{self.attr_of(node)}" if base else None
        return _constant_name(node)

    def _single_string(self, node: ast.Constant) -> bool:
        """One string literal (libcst's SimpleString), not an implicit concatenation."""
        try:
            return len(_string_literals(self.text.segment(node))) == 1
        except ValueError:
            return False

    def _is_main_guard(self, test: ast.expr) -> bool:
        """`__name__ == "__main__"` (either way round)."""
        if type(test) is not ast.Compare or len(test.ops) != 1 or type(test.ops[0]) is not ast.Eq:
            return False
        sides = {self._kind(test.left): test.left, self._kind(test.comparators[0]): test.comparators[0]}
        name, string = sides.get("Name"), sides.get("SimpleString")
        return (type(name) is ast.Name and name.id == "__name__" and string is not None
                and string.value == "__main__")

    def _kind(self, node: ast.expr) -> str:
        if _is_name(node):
            return "Name"
        if type(node) is ast.Constant and isinstance(node.value, (str, bytes)) and self._single_string(node):
            return "SimpleString"
        return type(node).__name__

    def _slice(self, node: ast.Subscript) -> list[ast.expr]:
        """The subscript's elements as libcst lists them: `x[a, b]` two, `x[(a, b)]` one; `*a` as `a`."""
        index = node.slice
        if type(index) is ast.Tuple and not self._parenthesized(index):
            return [element.value if type(element) is ast.Starred else element for element in index.elts]
        return [index]

    def _parenthesized(self, node: ast.Tuple) -> bool:
        """Whether the tuple's own parentheses enclose it (`(a, b)`, not `(a), (b)`)."""
        start, end = self.text.span(node)
        text = self.text.text
        if text[start:start + 1] != "(" or text[end - 1:end] != ")":
            return False
        depth, index = 0, start
        while index < end:
            char = text[index]
            if char in "'\"":
                index = _skip_string(text, index)
                continue
            if char == "#":
                while index < end and text[index] not in "\r\n":
                    index += 1
                continue
            if char in "([{":
                depth += 1
            elif char in ")]}":
                depth -= 1
                if depth == 0:
                    return index == end - 1
            index += 1
        return False

    @property
    def frame(self) -> _Frame:
        return self.frames[-1]

    def function_scope(self) -> str:
        """The function scope a name bound here lives in (class bodies bind into the class, see bind)."""
        for frame in reversed(self.frames):
            if frame.kind != "class":
                return frame.scope
        return ""

    def bind(self, name: str, binding: Binding) -> None:
        # A class body binds into its own scope, which methods do not see (their parent is the enclosing
        # function scope); annotated class-level names are also recorded as fields.
        frame = self.frame
        if name in frame.outer_names:
            return  # `global _store` then `_store = Store()`: the module's name, whose binding stays
        self.scopes[frame.scope][1][name] = binding

    def child_qualname(self, name: str) -> str:
        frame = self.frame
        if frame.kind == "module":
            return name
        if frame.kind == "class":
            return f"{frame.qualname}.{name}"
        return f"{frame.qualname}.<locals>.{name}"

    # --- expressions -------------------------------------------------------------------------------------
    # The order of the conversions matters: each lambda met is numbered (see lambda_expr).

    def expr(self, node: ast.expr | None) -> Expr | None:
        if node is None:
            return None
        kind = type(node)
        if kind is ast.Name:
            return NameExpr(self.name_of(node))
        if kind is ast.Attribute:
            return AttributeExpr(self.expr(node.value), self.attr_of(node))
        if kind is ast.Call:
            args: list[Expr] = []
            keywords: list[tuple[str, Expr]] = []
            star = False
            for arg in node.args:  # positional arguments all come before the keywords
                if type(arg) is ast.Starred:
                    star = True
                else:
                    args.append(self.expr(arg))
            for keyword in node.keywords:
                if keyword.arg is None:
                    star = True
                else:
                    keywords.append((self.keyword_name(keyword), self.expr(keyword.value)))
            line, column = self._start(node) if self.positioned else (0, 0)
            return CallExpr(self.expr(node.func), tuple(args), tuple(keywords), line, column + 1, star)
        if kind is ast.Subscript:
            items = [OtherExpr("slice") if type(element) is ast.Slice else self.expr(element)
                     for element in self._slice(node)]
            return SubscriptExpr(self.expr(node.value), tuple(items))
        if kind is ast.Constant:
            value = node.value
            if isinstance(value, str):
                return StringExpr(value)
            if isinstance(value, bytes):
                return StringExpr(value.decode("latin-1"))
            name = _constant_name(node)
            if name is not None:
                return NameExpr(name)
            if value is Ellipsis:
                return OtherExpr("Ellipsis")
            return OtherExpr(_NUMBER_NAMES.get(type(value), type(value).__name__))
        if kind is ast.JoinedStr:
            return self._formatted_string(node)
        if kind is ast.BinOp and type(node.op) is ast.Add:
            left, right = self.expr(node.left), self.expr(node.right)
            if isinstance(left, (StringExpr, FormattedStringExpr)) or isinstance(
                right, (StringExpr, FormattedStringExpr)
            ):
                return self._join(self._flatten(left) + self._flatten(right))
            return OtherExpr("BinaryOperation")
        if kind is ast.Tuple and self.strings and (rewritten := self.strings.get(self._span(node))) is not None:
            # an f-string or t-string Python cannot parse, rewritten as the tuple of its fields' expressions
            string, elements = rewritten
            return self._libcst_string(
                string, lambda part: None if part is None else self.expr(node.elts[elements[id(part)]]))
        if kind is ast.List or kind is ast.Tuple or kind is ast.Set:
            return SequenceExpr(
                tuple(
                    self.expr(element) if type(element) is not ast.Starred else OtherExpr("*")
                    for element in node.elts
                )
            )
        if kind is ast.Lambda:
            return self.lambda_expr(node)
        if kind is ast.BoolOp:
            # libcst nests `a or b or c` as `(a or b) or c`
            result = self.expr(node.values[0])
            for value in node.values[1:]:
                right = self.expr(value)
                if type(node.op) is ast.Or:  # `a or b` is `a if a else b`
                    result = ConditionalExpr(result, result, right)
                else:  # `a and b` is `b if a else a`
                    result = ConditionalExpr(result, right, result)
            return result
        if kind is ast.IfExp:
            return ConditionalExpr(self.expr(node.test), self.expr(node.body), self.expr(node.orelse))
        return OtherExpr(_OTHER_NAMES.get(kind) or kind.__name__)

    def _formatted_string(self, node: ast.JoinedStr) -> Expr:
        """An f-string (maybe concatenated with other strings) as libcst's parts: text as written, with
        `{{`/`}}` unescaped; a field with a conversion or a format spec as "formatted"."""
        values = [value.value for value in node.values if type(value) is ast.FormattedValue]
        try:
            plan = self._formatted_plan(node)
        except ValueError:
            plan = None
        if plan is None or sum(1 for part in plan if isinstance(part, bool)) != len(values):
            # never expected: the f-string as libcst reads it, with its fields in Python's order
            import libcst as cst

            fields = iter(values)
            try:
                string = cst.parse_expression(f"({self.text.segment(node)}\n)")
            except (cst.ParserSyntaxError, RecursionError):
                return FormattedStringExpr(tuple(self.expr(value) for value in values))
            return self._libcst_string(string, lambda part: self.expr(next(fields)))
        parts: list[Expr] = []
        fields = iter(values)
        for part in plan:
            if isinstance(part, StringExpr):
                parts.append(part)
            elif part:
                next(fields)
                parts.append(OtherExpr("formatted"))
            else:
                parts.append(self.expr(next(fields)))
        return self._join(parts)

    def _formatted_plan(self, node: ast.JoinedStr) -> list[StringExpr | bool]:
        """The parts of a string: its text, and for each field whether it is formatted."""
        plan: list[StringExpr | bool] = []
        for prefix, literal, body in _string_literals(self.text.segment(node)):
            if "f" not in prefix:
                value = ast.literal_eval(literal)
                plan.append(StringExpr(value if isinstance(value, str) else value.decode("latin-1")))
                continue
            for part in _formatted_string_parts(body, "r" in prefix):
                plan.append(StringExpr(part.replace("{{", "{").replace("}}", "}")) if isinstance(part, str) else part)
        return plan

    def _libcst_string(self, string, expression: Callable[[object], Expr | None]) -> Expr:
        """libcst's string node (an f-string or t-string, maybe concatenated) in the IR, `expression` giving
        each field's expression."""
        import libcst as cst

        def parts(string) -> list[Expr]:
            if isinstance(string, cst.ConcatenatedString):
                return parts(string.left) + parts(string.right)
            if isinstance(string, cst.FormattedString):
                found: list[Expr] = []
                for part in string.parts:
                    if isinstance(part, cst.FormattedStringText):
                        found.append(StringExpr(part.value.replace("{{", "{").replace("}}", "}")))
                    elif part.format_spec or part.conversion:
                        expression(None)  # the field is not read
                        found.append(OtherExpr("formatted"))
                    else:
                        found.append(expression(part))
                return found
            if isinstance(string, cst.SimpleString):
                value = string.evaluated_value
                return [StringExpr(value if isinstance(value, str) else value.decode("latin-1"))]
            return [OtherExpr(type(string).__name__)]  # TemplatedString

        if isinstance(string, (cst.ConcatenatedString, cst.FormattedString)):
            return self._join(parts(string))
        return OtherExpr(type(string).__name__)

    @staticmethod
    def _flatten(expr: Expr) -> list[Expr]:
        return list(expr.parts) if isinstance(expr, FormattedStringExpr) else [expr]

    @staticmethod
    def _join(parts: list[Expr]) -> Expr:
        if all(isinstance(part, StringExpr) for part in parts):
            return StringExpr("".join(part.value for part in parts))
        return FormattedStringExpr(tuple(parts))

    def annotation(self, node: ast.expr | None) -> Expr | None:
        """An annotation: string annotations (and strings inside subscripts) are parsed as expressions."""
        if node is None:
            return None
        kind = type(node)
        if kind is ast.Constant and isinstance(node.value, str) and self._single_string(node):
            return self._string_annotation(node.value.strip())
        if kind is ast.Subscript:
            items = []
            for position, element in enumerate(self._slice(node)):
                if type(element) is ast.Slice:
                    items.append(OtherExpr("slice"))
                elif position == 0:
                    items.append(self.annotation(element))
                else:
                    items.append(self.expr(element))
            return SubscriptExpr(self.expr(node.value), tuple(items))
        if kind is ast.BinOp and type(node.op) is ast.BitOr:
            # `Store | None`: kept as a union (`|`[Store, None]) so that what it names can be read
            return SubscriptExpr(OtherExpr(UNION_OPERATOR), (self.annotation(node.left), self.annotation(node.right)))
        return self.expr(node)

    def _string_annotation(self, text: str) -> Expr | None:
        try:
            parsed = ast.parse(text, mode="eval").body
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            if text.startswith("*"):  # `"*Ts"`: a starred expression, as libcst reads it
                try:
                    ast.parse(f"({text},)", mode="eval")
                    return OtherExpr("StarredElement")
                except (SyntaxError, ValueError, RecursionError, MemoryError):
                    pass
            return OtherExpr("string annotation")
        # Nothing in a string has a position; names and strings in it are read in its own text.
        outer, positioned = self.text, self.positioned
        self.text, self.positioned = _Text(text), False
        try:
            return self.annotation(parsed)
        finally:
            self.text, self.positioned = outer, positioned

    def lambda_expr(self, node: ast.Lambda) -> LambdaExpr:
        qualname = self.child_qualname("<lambda>")
        key = f"{qualname}#{node.lineno if self.positioned else 0}:{self.lambda_counter}"
        self.lambda_counter += 1
        location = self.location(node)
        self.functions[key] = FunctionFacts(
            qualname=qualname,
            name="<lambda>",
            parameters=self.parameters(node.args),
            is_async=False,
            yields=False,
            decorators=(),
            returns=(self.expr(node.body),),
            location=location,
            scope=self.function_scope(),
            is_lambda=True,
        )
        return LambdaExpr(key, location.line)

    def parameters(self, arguments: ast.arguments) -> tuple[Parameter, ...]:
        result: list[Parameter] = []

        def add(arg: ast.arg, kind: str, default: ast.expr | None, star: str = "") -> None:
            name = self.arg_name(arg)
            result.append(
                Parameter(
                    name=name,
                    kind=kind,
                    annotation=self.annotation(arg.annotation) if arg.annotation is not None else None,
                    default=self.expr(default),
                    location=self.parameter_location(arg, star, name),
                )
            )

        positional = [*arguments.posonlyargs, *arguments.args]
        defaults = [None] * (len(positional) - len(arguments.defaults)) + list(arguments.defaults)
        for arg, default in zip(arguments.posonlyargs, defaults):
            add(arg, "positional_only", default)
        for arg, default in zip(arguments.args, defaults[len(arguments.posonlyargs):]):
            add(arg, "positional", default)
        if arguments.vararg is not None:
            add(arguments.vararg, "var_positional", None, "*")
        for arg, default in zip(arguments.kwonlyargs, arguments.kw_defaults):
            add(arg, "keyword_only", default)
        if arguments.kwarg is not None:
            add(arguments.kwarg, "var_keyword", None, "**")
        return tuple(result)

    # --- definitions -------------------------------------------------------------------------------------

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        name = self.definition_name(node)
        qualname = self.child_qualname(name)
        frame = self.frame
        class_qualname = frame.qualname if frame.kind == "class" else None
        location = self.definition_location(node)
        self.bind(name, Binding("function", target=qualname, line=location.line))
        if frame.kind == "class" and frame.class_facts is not None:
            frame.class_facts["methods"].append(name)
        self.positioned = True  # decorators and parameters always were
        decorators = tuple(self.expr(d) for d in node.decorator_list)
        for decorator in node.decorator_list:
            self._route_decorator(decorator, qualname)
        scope = qualname
        self.scopes[scope] = (self.function_scope(), {}, [])
        parameters = self.parameters(node.args)
        self.positioned = self.everywhere  # the return annotation only with newer syntax
        facts_args = dict(
            qualname=qualname,
            name=name,
            parameters=parameters,
            is_async=type(node) is ast.AsyncFunctionDef,
            decorators=decorators,
            location=location,
            scope=self.function_scope(),
            class_qualname=class_qualname,
            return_annotation=self.annotation(node.returns) if node.returns is not None else None,
        )
        for parameter in facts_args["parameters"]:
            self.scopes[scope][1][parameter.name] = Binding("parameter", line=parameter.location.line)
        self.frames.append(_Frame("function", qualname, scope))
        self.function_state.append([False, [], facts_args])

    def leave_FunctionDef(self, original_node: ast.AST) -> None:
        self.frames.pop()
        yields, returns, facts_args = self.function_state.pop()
        facts = FunctionFacts(yields=yields, returns=tuple(returns), **facts_args)
        self.functions[facts.qualname] = facts
        if yields:
            self.yield_gaps.extend(self.yield_gap(facts.qualname, gap) for gap in cleanup_gaps(original_node))

    def yield_gap(self, function: str, gap: Gap) -> YieldGap:
        node = gap.node
        line, column = self._start(node)
        starts = self.text.starts()
        end = starts[line] if line < len(starts) else len(self.text.text)
        first_line = self.text.text[starts[line - 1]:end].strip()
        return YieldGap(function, gap.kind, first_line, Location(self.path, line, column + 1, line, column + 1),
                        gap.yield_line)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        name = self.definition_name(node)
        qualname = self.child_qualname(name)
        location = self.definition_location(node)
        self.bind(name, Binding("class", target=qualname, line=location.line))
        frame = _Frame("class", qualname, qualname)
        self.scopes[qualname] = (self.function_scope(), {}, [])
        self.positioned = True  # bases and decorators always were
        frame.class_facts = {
            "qualname": qualname,
            "name": name,
            "bases": tuple(self.expr(base) for base in node.bases if type(base) is not ast.Starred),
            "decorators": tuple(self.expr(d) for d in node.decorator_list),
            "methods": [],
            "fields": [],
            "location": location,
            "scope": self.function_scope(),
        }
        self.frames.append(frame)

    def leave_ClassDef(self, original_node: ast.AST) -> None:
        frame = self.frames.pop()
        data = frame.class_facts
        data["methods"] = tuple(data["methods"])
        data["fields"] = tuple(data["fields"])
        self.classes[data["qualname"]] = ClassFacts(**data)

    def visit_Return(self, node: ast.Return) -> None:
        if self.function_state and node.value is not None:
            self.function_state[-1][1].append(self.expr(node.value))
            self._composition(node.value)

    def _composition(self, value: ast.expr | None) -> None:
        """Record a call of a capitalized name with arguments (a construction, maybe a composition root's)."""
        if type(value) is ast.Await:
            value = value.value
        if type(value) is ast.Call and self.frame.kind != "class" and _is_construction(value, self.text):
            self.compositions.append((self.function_scope(), self.expr(value)))

    # --- bindings ----------------------------------------------------------------------------------------

    def _assign_value(self, value: ast.expr) -> Expr:
        # Subscripts assigned to names are usually type aliases: read strings in them as annotations.
        return self.annotation(value) if type(value) is ast.Subscript else self.expr(value)

    def visit_Assign(self, node: ast.Assign) -> None:
        value = None
        self._composition(node.value)
        for target in node.targets:
            self._import_time_call(target, node.value)
            if type(target) is ast.Subscript:
                elements = self._slice(target)
                if len(elements) == 1 and (type(elements[0]) is ast.Attribute or _is_name(elements[0])):
                    self.item_assignments.append(ItemAssignment(
                        self.function_scope(), self.expr(target.value), self.expr(elements[0]),
                        self.expr(node.value), self.location(node)))
            if type(target) is ast.Name:
                if value is None:
                    value = self._assign_value(node.value)
                self.bind(self.name_of(target), Binding("assign", value=value, line=self._line(node.value) or self._statement_line(node)))
            else:
                self._bind_targets(target)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        target = node.target
        if type(target) is not ast.Name:
            return
        name = self.name_of(target)
        annotation = self.annotation(node.annotation)
        if self.frame.kind == "class" and self.frame.class_facts is not None:
            self.frame.class_facts["fields"].append(
                Parameter(name, "keyword_only", annotation, self.expr(node.value), self.location(node))
            )
            if node.value is not None:  # `orders: providers.Factory[Orders] = providers.Factory(Orders)`
                self.bind(name, Binding("assign", value=self._assign_value(node.value),
                                        annotation=annotation, line=self._line(node.value)))
            return
        if node.value is None:
            return
        self._import_time_call(target, node.value)
        self._composition(node.value)
        self.bind(
            name,
            Binding("assign", value=self._assign_value(node.value), annotation=annotation, line=self._line(node.value) or self._statement_line(node)),
        )

    def visit_TypeAlias(self, node: ast.Assign) -> None:
        """`type X = ...` (PEP 695), rewritten as `X = ...` for this interpreter; it never had a line."""
        self.bind(self.name_of(node.targets[0]), Binding("type_statement", value=self.annotation(node.value)))

    def _import_time_call(self, target: ast.expr, value: ast.expr) -> None:
        if self.function_state or self.main_guard:
            return  # in a function or under `if __name__ == "__main__":`, not at import
        if (type(target) in (ast.Tuple, ast.List) and type(value) in (ast.Tuple, ast.List)
                and len(target.elts) == len(value.elts) and not (self.strings and self._span(value) in self.strings)):
            for target_element, value_element in zip(target.elts, value.elts):
                self._import_time_call(_unstarred(target_element), _unstarred(value_element))
            return
        name = self.dotted_name(target)
        if type(target) is ast.Subscript:
            elements = self._slice(target)
            if (len(elements) == 1 and type(elements[0]) is not ast.Slice
                    and (receiver := self.dotted_name(target.value)) and (key := self.dotted_name(elements[0]))):
                name = f"{receiver}[{key}]"  # `container[Session] = SessionLocal()`: a container bound at import
        if type(value) is ast.Call and name is not None:
            prefix = f"{self.frame.qualname}." if self.frame.kind == "class" else ""
            self.import_time_calls.append(ImportTimeCall(prefix + name, self.expr(value), self.location(value)))

    def _bind_targets(self, target: ast.expr) -> None:
        kind = type(target)
        if kind is ast.Name:
            self.bind(self.name_of(target), Binding("assign", value=OtherExpr("unpacked")))
        elif kind is ast.Tuple or kind is ast.List:
            for element in target.elts:
                self._bind_targets(_unstarred(element))
        elif kind is ast.Starred:
            self._bind_targets(target.value)

    def visit_WithItem(self, node: ast.withitem) -> None:
        if node.optional_vars is not None:
            self._bind_targets(node.optional_vars)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name is not None:
            self.bind(node.name, Binding("assign", value=OtherExpr("exception")))

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        if type(node.target) is ast.Name:
            self.bind(self.name_of(node.target), Binding("assign", value=self.expr(node.value)))

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            name = alias.name
            if alias.asname is not None:
                self.bind(alias.asname, Binding("import_module", target=name))
            else:
                top = name.split(".")[0]
                self.bind(top, Binding("import_module", target=top))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module_name = node.module
        level = node.level or 0
        if level:
            source = resolve_relative(self.module, self.is_package, level, module_name)
        else:
            source = module_name or ""
        if len(node.names) == 1 and node.names[0].name == "*":
            if self.frame.kind != "class":
                self.scopes[self.frame.scope][2].append(source)
            return
        for alias in node.names:
            name = alias.name
            local = alias.asname if alias.asname is not None else name
            target = f"{source}.{name}" if source else name
            self.bind(local, Binding("import", target=target))

    # --- routes and includes -----------------------------------------------------------------------------

    def _route_decorator(self, decorator: ast.expr, qualname: str) -> None:
        if not (type(decorator) is ast.Call and type(decorator.func) is ast.Attribute):
            return
        method = self.attr_of(decorator.func)
        if method not in ROUTE_DECORATORS:
            return
        call = self.expr(decorator)
        self.routes.append(
            RouteFacts(
                scope=self.function_scope(),
                router=call.func.value,
                method=method,
                call=call,
                endpoint=None,
                location=self.location(decorator),
                endpoint_qualname=qualname,
            )
        )

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        attr = self.attr_of(func) if type(func) is ast.Attribute else None
        if attr == "include_router":
            call = self.expr(node)
            child = call.argument(0, "router")
            if child is not None:
                self.includes.append(
                    IncludeFacts(self.function_scope(), call.func.value, child, call, self.location(node))
                )
        elif attr in ROUTE_CALLS:
            call = self.expr(node)
            self.routes.append(
                RouteFacts(
                    scope=self.function_scope(),
                    router=call.func.value,
                    method=attr,
                    call=call,
                    endpoint=call.argument(1, "endpoint"),
                    location=self.location(node),
                )
            )
        elif (type(func) is ast.Attribute or _is_name(func)) and (
            any(type(value := _unstarred(arg)) is ast.Attribute or _is_name(value) for arg in node.args)
            or any(type(keyword.value) is ast.Attribute or _is_name(keyword.value) for keyword in node.keywords)
        ):
            self.calls.append((self.function_scope(), self.expr(node)))


def _unstarred(node: ast.expr) -> ast.expr:
    return node.value if type(node) is ast.Starred else node
