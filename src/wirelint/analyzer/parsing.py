"""Source text before parsing: decoding as the interpreter does, and generated data literals emptied."""

from __future__ import annotations

import ast
import codecs
import re

from .discovery import LINE_BREAK_RE

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
        end_line = getattr(node, "end_lineno", None)
        if (end_line is not None and node.end_col_offset is not None
                and line_starts[end_line - 1] + node.end_col_offset - line_starts[node.lineno - 1] < _DATA_LITERAL_CHARS):
            continue  # too short to be or hold such a literal (a byte column counts at least its characters)
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


# Files this long (generators' data modules run to tens of megabytes) are not even parsed whole: Python's tree of
# 20 MB of rows takes gigabytes. Blocks of data written one value per line between an assignment's opening
# bracket and its closing bracket at the start of a line are blanked in the text first.
_BLOCK_FILE_CHARS = 1_000_000
_BLOCK_OPEN_RE = re.compile(r"^[A-Za-z_]\w*(?:[ \t]*:[^=\n]*)?[ \t]*=[ \t]*([\[{(])[ \t]*$", re.MULTILINE)
_BLOCK_CLOSE_RES = {opener: re.compile(rf"^\{closer}[ \t]*$", re.MULTILINE)
                    for opener, closer in (("[", "]"), ("{", "}"), ("(", ")"))}
_STRING_RE = re.compile(r"'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"")
_WORD_RE = re.compile(r"(?<![\w.])[A-Za-z_]\w*")
_CONSTANT_WORDS = frozenset({"True", "False", "None"})


def without_data_blocks(source: str) -> str | None:
    """`source` with the interior of its long data blocks (`ROWS = [` ... `]` with only numbers, one-line
    strings, True, False and None between) reduced to its line breaks, or None when it has none. Every other
    line keeps its text and its number. Decided on the text, before any parse: the caller parses the result and
    falls back to the original if it does not parse."""
    if len(source) < _BLOCK_FILE_CHARS:
        return None
    pieces: list[str] = []
    last = 0
    for match in _BLOCK_OPEN_RE.finditer(source):
        if match.start() < last:
            continue
        end = _BLOCK_CLOSE_RES[match.group(1)].search(source, match.end())
        if end is None:
            continue
        interior = source[match.end():end.start()]
        if len(interior) < _DATA_LITERAL_CHARS or '"""' in interior or "'''" in interior:
            continue
        values = _STRING_RE.sub("0", interior)
        if "#" in values or any(word.group() not in _CONSTANT_WORDS for word in _WORD_RE.finditer(values)):
            continue  # a comment, a name or a call: maybe more than data
        pieces += [source[last:match.end()], "".join(found.group() for found in LINE_BREAK_RE.finditer(interior))]
        last = end.start()
    if not pieces:
        return None
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
