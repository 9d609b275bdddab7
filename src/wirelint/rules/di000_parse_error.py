"""DI000 parse-error."""

from __future__ import annotations

import sys

from ..analyzer.models import Location
from .base import Finding, Invalid, Rule, Valid, register


@register
class ParseError(Rule):
    code = "DI000"
    name = "parse-error"
    severity = "error"
    summary = "A file wirelint needs could not be parsed; the rest of the project is still analyzed."
    explanation = """\
## What it does
Reports a Python file that does not parse or decode or cannot be read, and a folder that cannot be listed.
Such a file contributes nothing to the graph, so dependencies it declares are missing. As a warning, it also
reports the lines of a valid file that use syntax newer than the running Python which wirelint could not
rewrite into an equivalent: the statements on them are not analyzed.

## Why is this bad?
A file that does not parse will not import either: the application fails at start-up. It also hides its
dependencies from every other rule, so the lint gate would pass for the wrong reason.

## Example
```python
from fastapi import Depends

def get_db(:
    ...
```

## Use instead
Fix the syntax error (or the encoding declaration); wirelint then analyzes the file like any other.

## References
- https://docs.python.org/3/reference/lexical_analysis.html#encoding-declarations
"""
    valid = (Valid("from fastapi import Depends\n\ndef get_db():\n    yield 1\n"),)
    invalid = (
        Invalid("from fastapi import Depends\n\ndef get_db(:\n    yield 1\n", 3),
        Invalid({"app.py": "import fastapi\nx = (\n", "ok.py": "import fastapi\n"}, 2),
    )

    def check(self, index):
        for facts in index.parse_errors:
            error = facts.parse_error
            yield self.finding(
                f"cannot parse {facts.path}: {error.message}",
                Location(facts.path, error.line, error.column, error.line, error.column),
            )
        for facts in sorted(index.modules.values(), key=lambda facts: facts.path):
            for first, last in _runs(facts.unanalysed_lines):
                lines = f"line {first}" if first == last else f"lines {first}-{last}"
                yield Finding(self.code, self.name, "warning",
                              f"{lines} of {facts.path} use syntax newer than this Python "
                              f"({sys.version_info.major}.{sys.version_info.minor}) that wirelint cannot rewrite: "
                              "the statements there are not analyzed; run wirelint on the Python the project targets",
                              Location(facts.path, first, 1, last, 1))
        for path, reason in index.unreadable_directories:  # its files are missing from the graph: say so
            yield self.finding(f"cannot read directory {path}: {reason}; the files in it are not analyzed",
                               Location(path, 1, 1, 1, 1))


def _runs(lines: tuple[int, ...]) -> list[tuple[int, int]]:
    """Consecutive line numbers as (first, last) runs."""
    runs: list[tuple[int, int]] = []
    for line in lines:
        if runs and line == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], line)
        else:
            runs.append((line, line))
    return runs
