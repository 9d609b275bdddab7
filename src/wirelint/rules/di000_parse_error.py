"""DI000 parse-error."""

from __future__ import annotations

from ..analyzer.models import Location
from .base import Invalid, Rule, Valid, register


@register
class ParseError(Rule):
    code = "DI000"
    name = "parse-error"
    severity = "error"
    summary = "A file wirelint needs could not be parsed; the rest of the project is still analyzed."
    explanation = """\
## What it does
Reports a Python file that wirelint had to read (it uses FastAPI or may declare dependencies) but that does
not parse or decode or cannot be read, and a folder that cannot be listed. Such a file contributes nothing to
the graph, so dependencies it declares are missing.

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
        for path, reason in index.unreadable_directories:  # its files are missing from the graph: say so
            yield self.finding(f"cannot read directory {path}: {reason}; the files in it are not analyzed",
                               Location(path, 1, 1, 1, 1))
