"""Syntax newer than the running interpreter, rewritten into code it parses, on the same lines and columns.

libcst parses Python up to 3.14 on any interpreter; `ast` only parses its own version. Where `ast` refuses a
module that libcst accepts, the constructs it refuses are rewritten from libcst's tree, keeping every line
and the column of everything a fact holds:

- `class Repo[T]:`, `def first[T](...)`: the type parameters become spaces;
- `type Name[T] = value`: `Name         = value`, an assignment the collector records as a type statement;
- `except A, B:` (3.14): `except(A, B):`;
- an f-string Python cannot parse (PEP 701: nested quotes, backslashes, comments) and a t-string (PEP 750):
  the parenthesized tuple of the expressions in it, each where it was, so that the calls in them are still
  seen; the collector reads the string's parts from libcst's node.

Whatever still does not parse is replaced statement by statement by `pass`, innermost first (decorators go
with their definition), and its lines are reported as not analysed.

libcst is imported by this module only: it is loaded for these modules alone.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import libcst as cst
from libcst._nodes.internal import CodegenState

from .discovery import LINE_BREAK_RE

Span = tuple[int, int, int, int]  # line, column, end_line, end_column; lines 1-based, columns 0-based characters
Position = tuple[int, int]  # line (1-based), column (0-based, characters)


# --- libcst's positions ------------------------------------------------------------------------------------
# libcst's PositionProvider records a range for every node and costs about twice the parse itself;
# `positions_of` replays libcst's code generation once, counting lines and columns without building the text.


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

    Statements and expressions get their syntactic span (without decorators, leading comments and their own
    parentheses), as PositionProvider does; a definition ends after its block (its trailing newline).
    """
    state = _SpanRecordingState(
        default_indent=module.default_indent, default_newline=module.default_newline, wanted=node_types
    )
    module._codegen(state)
    return state.spans


# --- the rewrite -------------------------------------------------------------------------------------------


@dataclass
class Rewritten:
    source: str  # what Python parsed: the original's lines and character columns
    tree: ast.Module | None  # its tree, with the original's UTF-8 byte columns; None: nothing parsed
    # The f-strings and t-strings rewritten as tuples, by the tuple's span: libcst's node, and for each field
    # of the string that has an expression (id of libcst's node) its index in the tuple.
    strings: dict[Span, tuple[cst.BaseExpression, dict[int, int]]] = field(default_factory=dict)
    aliases: set[Position] = field(default_factory=set)  # where a `type X = ...` became `X = ...`
    definition_ends: dict[Position, Position] = field(default_factory=dict)  # libcst's, by the def's start
    unanalysed_lines: tuple[int, ...] = ()


_MAX_REPLACED = 100
_STRINGS = (cst.FormattedString, cst.ConcatenatedString, cst.TemplatedString)
_FIELDS = (cst.FormattedStringExpression, cst.TemplatedStringExpression)


def rewrite(source: str, module: cst.Module) -> Rewritten:
    """`source`, which libcst parsed and Python did not, as code Python parses (see the module's doc)."""
    spans = positions_of(module, (cst.CSTNode,))
    found = _Found()
    module.visit(found)
    text = _Buffer(source)
    result = Rewritten(source, None)
    for node in found.definitions:
        line, column, end_line, end_column = spans[id(node)]
        result.definition_ends[(line, column)] = (end_line, end_column)
        if node.type_parameters is not None:  # `class Repo[T](Base):` -> `class Repo   (Base):`
            text.blank(*spans[id(node.type_parameters)], continued=True)
    for node in found.aliases:
        if (start := _type_alias(text, node, spans)) is not None:
            result.aliases.add(start)
    for node in found.handlers:
        _parenthesize_exceptions(text, spans[id(node.type)])
    for root in sorted(found.strings, key=lambda node: _length(spans[id(node)])):  # innermost first
        rewritten = _string(text, root, spans)
        if rewritten is not None:
            result.strings[spans[id(root)]] = rewritten
    statements = sorted({(line, end_line - (end_column == 0)) for line, _, end_line, end_column in
                         (spans[id(node)] for node in found.statements)})
    decorators = {spans[id(node)][2]: spans[id(node)][0] for node in found.decorators}
    result.source, result.tree, result.unanalysed_lines = _parse(text, statements, decorators)
    if result.tree is not None:
        _count_bytes_of(source, result.source, result.tree)
    return result


class _Found(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.definitions: list[cst.FunctionDef | cst.ClassDef] = []
        self.aliases: list[cst.TypeAlias] = []
        self.handlers: list[cst.ExceptHandler | cst.ExceptStarHandler] = []
        self.strings: list[cst.BaseExpression] = []
        self.statements: list[cst.CSTNode] = []
        self.decorators: list[cst.Decorator] = []
        self._concatenated: set[int] = set()

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            self.definitions.append(node)
        elif isinstance(node, cst.TypeAlias):
            self.aliases.append(node)
        elif isinstance(node, (cst.ExceptHandler, cst.ExceptStarHandler)):
            if isinstance(node.type, cst.Tuple) and not node.type.lpar:
                self.handlers.append(node)
        elif isinstance(node, _STRINGS):
            if isinstance(node, cst.ConcatenatedString):
                self._concatenated.update((id(node.left), id(node.right)))
            if id(node) not in self._concatenated:
                self.strings.append(node)
        elif isinstance(node, cst.Decorator):
            self.decorators.append(node)
        if isinstance(node, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
            self.statements.append(node)
        return True


def _length(span: Span) -> tuple[int, int]:
    return span[2] - span[0], span[3] - span[1]


class _Buffer:
    """The module's lines, changed in place character for character."""

    def __init__(self, source: str) -> None:
        self.lines: list[list[str]] = []
        self.breaks: list[str] = []
        start = 0
        for match in LINE_BREAK_RE.finditer(source):
            self.lines.append(list(source[start:match.start()]))
            self.breaks.append(match.group())
            start = match.end()
        self.lines.append(list(source[start:]))
        self.breaks.append("")

    def text(self) -> str:
        return "".join("".join(line) + end for line, end in zip(self.lines, self.breaks))

    def get(self, line: int, column: int, end_line: int, end_column: int) -> str:
        if line == end_line:
            return "".join(self.lines[line - 1][column:end_column])
        parts = ["".join(self.lines[line - 1][column:]) + self.breaks[line - 1]]
        parts += ["".join(self.lines[number - 1]) + self.breaks[number - 1] for number in range(line + 1, end_line)]
        return "".join(parts) + "".join(self.lines[end_line - 1][:end_column])

    def char(self, line: int, column: int) -> str:
        row = self.lines[line - 1]
        return row[column] if 0 <= column < len(row) else ""

    def put(self, line: int, column: int, char: str) -> None:
        self.lines[line - 1][column] = char

    def blank(self, line: int, column: int, end_line: int, end_column: int, continued: bool = False) -> None:
        """Spaces for the characters of a span; `continued`: a backslash ends each of its lines but the last,
        for a span that is not inside brackets once blanked."""
        for number in range(line, end_line + 1):
            row = self.lines[number - 1]
            first = column if number == line else 0
            last = end_column if number == end_line else len(row)
            row[first:last] = [" "] * (last - first)
            if continued and number < end_line:
                if last > first:
                    row[-1] = "\\"
                else:
                    row.append("\\")

    def positions(self, line: int, column: int, end_line: int, end_column: int) -> Iterator[Position]:
        """Every character position of a span, in order."""
        for number in range(line, end_line + 1):
            first = column if number == line else 0
            last = end_column if number == end_line else len(self.lines[number - 1])
            for position in range(first, last):
                yield number, position


def _outer(node: cst.BaseExpression, spans: dict[int, Span]) -> Span:
    """An expression's span with its own parentheses."""
    start = spans[id(node.lpar[0])] if getattr(node, "lpar", None) else spans[id(node)]
    end = spans[id(node.rpar[-1])] if getattr(node, "rpar", None) else spans[id(node)]
    return start[0], start[1], end[2], end[3]


def _before(text: _Buffer, line: int, column: int) -> Position | None:
    """The position of the last character before (line, column) that is not a space or a line continuation."""
    while True:
        column -= 1
        while column < 0:
            if line == 1:
                return None
            line -= 1
            column = len(text.lines[line - 1]) - 1
        if text.char(line, column) not in (" ", "\t", "\f", "\\"):
            return line, column


def _type_alias(text: _Buffer, node: cst.TypeAlias, spans: dict[int, Span]) -> Position | None:
    """`type Name[T] = value` -> `Name         = value`: what precedes `=` becomes the name and spaces."""
    line, column = spans[id(node)][:2]
    equal = _before(text, *_outer(node.value, spans)[:2])
    if equal is None or text.char(*equal) != "=" or equal < (line, column):
        return None
    name = node.name.value
    room = (equal[1] if equal[0] == line else len(text.lines[line - 1]) - 1) - column
    if room < len(name):
        return None
    text.blank(line, column, *equal, continued=True)
    for offset, char in enumerate(name):
        text.put(line, column + offset, char)
    return line, column


def _parenthesize_exceptions(text: _Buffer, span: Span) -> None:
    """`except A, B:` -> `except(A, B):` (or `except (A,B):`): the same columns for what follows."""
    line, column, end_line, end_column = span
    if line != end_line:
        return  # left to the statement fallback
    row = text.lines[line - 1]
    inside = [index for index in range(column, end_column) if row[index] in " \t"
              and _outside_strings("".join(row[column:index]))]
    # `(`: the space before the tuple, else one inside it given up
    if column > 0 and row[column - 1] in " \t":
        row[column - 1] = "("
    elif inside:
        gap = inside.pop(0)
        row[column + 1:gap + 1] = row[column:gap]
        row[column] = "("
    else:
        return
    # `)`: a space before the colon, else one inside the tuple, else after the colon when nothing follows it
    after = end_column
    while after < len(row) and row[after] in " \t":
        after += 1
    if after > end_column:
        row[end_column] = ")"
    elif inside:
        gap = inside.pop()
        row[gap:end_column - 1] = row[gap + 1:end_column]
        row[end_column - 1] = ")"
    else:
        row.insert(end_column, ")")  # shifts only the `:` and what follows it on the line


def _outside_strings(prefix: str) -> bool:
    return prefix.count('"') % 2 == 0 and prefix.count("'") % 2 == 0


def _string(text: _Buffer, root: cst.BaseExpression,
            spans: dict[int, Span]) -> tuple[cst.BaseExpression, dict[int, int]] | None:
    """An f-string or t-string (or a concatenation with one) Python cannot parse -> the tuple of its
    expressions, each where it was; None when Python parses it as it is (or it cannot be rewritten)."""
    span = spans[id(root)]
    if not any(isinstance(node, cst.TemplatedString) for node in _concatenated(root)):
        try:
            ast.parse(f"({text.get(*span)}\n)", mode="eval")
            return None
        except (SyntaxError, ValueError):
            pass
        except (RecursionError, MemoryError):
            return None
    fields: list[tuple[cst.CSTNode, bool]] = []  # (field, top-level), in source order
    for node in _concatenated(root):
        if isinstance(node, (cst.FormattedString, cst.TemplatedString)):
            for part in node.parts:
                if isinstance(part, _FIELDS):
                    _fields(part, True, fields)
    elements: dict[int, int] = {}
    kept: list[tuple[Span, bool]] = []  # each expression's span, and whether it needs parentheses of its own
    for field_node, top_level in fields:
        if top_level:
            elements[id(field_node)] = len(kept)
        expression = field_node.expression
        bare = isinstance(expression, (cst.Tuple, cst.Yield)) and not expression.lpar  # `{a, b}`
        kept.append((_outer(expression, spans), bare))
    taken: set[Position] = set()
    for element, _ in kept:
        taken.update(text.positions(*element))
    free = [position for position in text.positions(*span) if position not in taken]
    # `(` at the string's start, `)` at its end, a `,` after each expression (inside parentheses if bare)
    marks: dict[Position, str] = {free[0]: "(", free[-1]: ")"}
    cursor = 1
    for number, (element, bare) in enumerate(kept):
        following = kept[number + 1][0][:2] if number + 1 < len(kept) else free[-1]
        if bare:
            before = [index for index in range(cursor, len(free)) if free[index] < element[:2]]
            if not before:
                return None
            marks[free[before[-1]]] = "("
        after = [index for index in range(cursor, len(free) - 1) if element[2:] <= free[index] < following]
        if len(after) < 1 + bare:
            return None  # never expected: a `}` at least follows an expression
        if bare:
            marks[free[after[0]]] = ")"
        marks[free[after[bare]]] = ","
        cursor = after[bare] + 1
    for position in free:
        text.put(*position, marks.get(position, " "))
    return root, elements


def _concatenated(node: cst.BaseExpression) -> list[cst.BaseExpression]:
    if isinstance(node, cst.ConcatenatedString):
        return _concatenated(node.left) + _concatenated(node.right)
    return [node]


def _fields(node: cst.CSTNode, top_level: bool, found: list[tuple[cst.CSTNode, bool]]) -> None:
    found.append((node, top_level))
    for spec in node.format_spec or ():
        if isinstance(spec, _FIELDS):
            _fields(spec, False, found)


def _parse(text: _Buffer, statements: list[tuple[int, int]],
           decorators: dict[int, int]) -> tuple[str, ast.Module | None, tuple[int, ...]]:
    """Python's tree of the rewritten text; statements it still refuses become `pass`, innermost first."""
    unanalysed: set[int] = set()
    replaced: set[int] = set()
    for _ in range(_MAX_REPLACED):
        source = text.text()
        try:
            return source, ast.parse(source), tuple(sorted(unanalysed))
        except SyntaxError as error:
            failing = error.lineno or 0
        except (ValueError, RecursionError, MemoryError):
            break
        containing = [(first, last) for first, last in statements
                      if first <= failing <= last and first not in replaced]
        if not containing:
            break
        first, last = max(containing)  # the innermost: it starts last
        replaced.add(first)
        while first - 1 in decorators:  # `@decorator` lines belong to the definition they decorate
            first = decorators[first - 1]
        row = text.lines[first - 1]
        indent = row[:len(row) - len("".join(row).lstrip(" \t"))]
        for number in range(first, last + 1):
            text.lines[number - 1] = indent + list("pass") if number == first else []
            unanalysed.add(number)
    return text.text(), None, tuple(range(1, len(text.lines) + 1))


def _count_bytes_of(original: str, rewritten: str, tree: ast.Module) -> None:
    """Python's tree counts the UTF-8 bytes of the rewritten text; where a line changed and is not ASCII,
    its columns are made to count the original's bytes (the characters are where they were)."""
    old_lines = [match.group() for match in _LINE_RE.finditer(original)]
    new_lines = [match.group() for match in _LINE_RE.finditer(rewritten)]
    changed = {number for number, (old, new) in enumerate(zip(old_lines, new_lines), 1)
               if old != new and not (old.isascii() and new.isascii())}
    if not changed:
        return

    def convert(line: int, column: int) -> int:
        new = new_lines[line - 1].encode("utf-8", "surrogatepass")[:column].decode("utf-8", "surrogatepass")
        return len(old_lines[line - 1][:len(new)].encode("utf-8", "surrogatepass"))

    for node in ast.walk(tree):
        line = getattr(node, "lineno", None)
        if line is None:
            continue
        if line in changed:
            node.col_offset = convert(line, node.col_offset)
        end_line = getattr(node, "end_lineno", None)
        if end_line in changed and node.end_col_offset is not None:
            node.end_col_offset = convert(end_line, node.end_col_offset)


_LINE_RE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
