"""One libcst parse per file, and positions for just the nodes the collectors keep.

libcst's PositionProvider records a range for every node and costs about twice the parse itself; the
collectors need positions for a few node types. `positions_of` replays libcst's code generation once,
counting lines and columns without building the text, and records only nodes of those types.
"""

from __future__ import annotations

import codecs
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator

import libcst as cst
from libcst._nodes.internal import CodegenState

Span = tuple[int, int, int, int]  # line, column, end_line, end_column; lines 1-based, columns 0-based

_CODING_RE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")


class SourceDecodeError(ValueError):
    pass


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
        raise SourceDecodeError("source contains NUL bytes")
    try:
        return data.decode(encoding)
    except LookupError:
        raise SourceDecodeError(f"unknown encoding {encoding!r}") from None
    except UnicodeDecodeError as error:
        raise SourceDecodeError(f"cannot decode as {encoding}: {error.reason} at byte {error.start}") from None


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
