"""Source before the collectors see it: generated data literals emptied, newer syntax rewritten, same positions."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import libcst as cst
import pytest

from wirelint.analyzer.models import FormattedStringExpr, NameExpr, StringExpr, SubscriptExpr
from wirelint.analyzer.newer_syntax import rewrite
from wirelint.analyzer.collectors import collect_module
from wirelint.analyzer.parsing import without_data_literals

# --- generated data literals: emptied, every other position unchanged -------------------------------------

ROWS = "".join(f"    ({n}, 'row é {n}', {n * 0.5}, -{n}, None, b'x'),\r\n" for n in range(1200))


def _statements(source: str) -> list[str]:
    return [ast.dump(statement, include_attributes=True) for statement in ast.parse(source).body]


def test_data_literals_are_emptied_and_everything_else_keeps_its_position():
    source = ("from fastapi import Depends\r\n"
              f"ROWS = [\r\n{ROWS}]; late = Depends(print)\r\n"
              f"PAIRS = {{\r\n{ROWS.replace('),', '): 1,')}}}\r\n"
              f"SEEN = {{\r\n{ROWS}}}\r\n"
              f"ALL = (\r\n{ROWS})\r\n"
              f"ÉTAT = ['e', {', '.join(str(n) for n in range(6000))}]; after = Depends(print)\r\n"
              "def c(x=Depends(c)):\r\n    return 1\r\n")
    slim = without_data_literals(source, ast.parse(source))
    assert slim is not None and len(slim) < len(source) // 3
    assert slim.count("\r\n") == source.count("\r\n") and "\n" not in slim.replace("\r\n", "")
    before, after = ast.parse(source).body, ast.parse(slim).body
    literals = ("ROWS", "PAIRS", "SEEN", "ALL", "ÉTAT")  # a non-ASCII name: ast counts bytes
    kinds = {s.targets[0].id: s.value for s in after
             if isinstance(s, ast.Assign) and getattr(s.targets[0], "id", "") in literals}
    assert ast.unparse(kinds["ROWS"]) == "[]" and ast.unparse(kinds["PAIRS"]) == "{}"
    assert ast.unparse(kinds["SEEN"]) == "{0}" and ast.unparse(kinds["ALL"]) == "(0,)"
    assert ast.unparse(kinds["ÉTAT"]) == "[]"
    untouched = [ast.dump(s, include_attributes=True) for s in before if not isinstance(s, ast.Assign)
                 or not isinstance(s.targets[0], ast.Name) or s.targets[0].id not in kinds]
    assert untouched == [ast.dump(s, include_attributes=True) for s in after if not isinstance(s, ast.Assign)
                         or not isinstance(s.targets[0], ast.Name) or s.targets[0].id not in kinds]
    assert len(untouched) == 4  # the import, both `= Depends(print)` after a literal on its line, and `def c`
    for target in kinds:  # each literal still ends where it ended
        old = next(s.value for s in before if isinstance(s, ast.Assign) and getattr(s.targets[0], "id", "") == target)
        assert (kinds[target].end_lineno, kinds[target].end_col_offset) == (old.end_lineno, old.end_col_offset)


@pytest.mark.parametrize("literal", [
    "[" + ", ".join(f"({n}, name_{n})" for n in range(3000)) + "]",  # a name: could be anything
    "[" + ", ".join(f"Depends(f{n})" for n in range(3000)) + "]",
    "{" + ", ".join(f"'k{n}': [{n}, g()]" for n in range(3000)) + "}",
    "(" + ", ".join(f"-(-{n})" for n in range(3000)) + ")",  # an operator on an operator: not a plain number
    ", ".join(str(n) for n in range(6000)),  # a tuple without parentheses is left as it is
])
def test_literals_that_are_not_plain_data_are_kept(literal):
    source = "x = 1\n" * 40_000 + f"DATA = {literal}\n"
    assert without_data_literals(source, ast.parse(source)) is None


def test_small_files_and_short_literals_are_not_searched():
    short = f"ROWS = [{', '.join(str(n) for n in range(100))}]\n"
    assert without_data_literals(short * 3000, ast.parse(short * 3000)) is None  # a long file of short literals
    big = f"ROWS = [{', '.join(str(n) for n in range(30_000))}]\n"
    assert len(big) < 200_000 and without_data_literals(big, ast.parse(big)) is None


def test_a_generated_data_module_is_analyzed_and_its_findings_kept(tmp_path):
    from wirelint.analyzer.collectors import collect_module

    source = ("from fastapi import Depends\n" + f"ROWS = [\n{ROWS.replace(chr(13), '')}]\n" * 4
              + "def c(x=Depends(c)):\n    return 1\n")
    facts = collect_module("gen", "gen.py", source.encode(), False)
    assert facts.parse_error is None and facts.line_count == source.count("\n")
    assert facts.functions["c"].location.line == 2 + 4 * 1202


# --- syntax newer than the running interpreter -------------------------------------------------------------

NEWER = '''\
from fastapi import Request
type Name = str


class Repo[T: int](object):
    def read(self, request: Request):
        return request.app.state.repo


@decorate
@decorate(
    1)
def label(items):
    return f"{items["a"]}"


def tolerant():
    try:
        pass
    except ValueError, TypeError:
        return 1


ITEMS = []
'''


def test_newer_syntax_is_rewritten_on_the_same_lines_and_columns():
    result = rewrite(NEWER, cst.parse_module(NEWER))
    assert result.unanalysed_lines == ()
    lines = result.source.splitlines()
    assert len(lines) == len(NEWER.splitlines())
    assert lines[1] == "Name      = str"  # a type statement, recorded as one
    assert lines[4] == "class Repo        (object):"  # the type parameters are spaces
    assert lines[13] == '    return (  items["a"],)'  # an f-string as the tuple of its expressions
    assert lines[19] == "    except(ValueError,TypeError):"
    changed = {1, 4, 13, 19}
    assert [line for number, line in enumerate(lines) if number not in changed] == [
        line for number, line in enumerate(NEWER.splitlines()) if number not in changed]
    assert result.aliases == {(2, 0)} and list(result.strings) == [(14, 11, 14, 26)]
    assert [(type(s).__name__, getattr(s, "name", ""), s.lineno) for s in result.tree.body] == [
        ("ImportFrom", "", 1), ("Assign", "", 2), ("ClassDef", "Repo", 5), ("FunctionDef", "label", 13),
        ("FunctionDef", "tolerant", 17), ("Assign", "", 24)]
    (method,) = result.tree.body[2].body
    assert (method.name, method.body[0].lineno, method.body[0].value.col_offset) == ("read", 7, 15)


def test_a_module_with_newer_syntax_keeps_its_facts():
    from wirelint.analyzer.collectors import collect_module

    facts = collect_module("m", "m.py", NEWER.encode(), False)
    assert facts.parse_error is None and facts.unanalysed_lines == ()
    assert facts.scopes[""].bindings["Name"].kind == "type_statement"
    assert facts.functions["label"].returns == (  # libcst's reading of the f-string
        FormattedStringExpr((SubscriptExpr(NameExpr("items"), (StringExpr("a"),)),)),)
    assert [(lookup.function, lookup.name) for lookup in facts.lookups] == [("Repo.read", "repo")]
    assert facts.functions["tolerant"].returns[0].text == "Integer"  # `try` with `except A, B` kept


def test_byte_columns_of_a_rewritten_line_count_the_original():
    source = 'def f(request):\n    return f"é {request.app.state.x["k"]}"\n'
    from wirelint.analyzer.collectors import collect_module

    (lookup,) = collect_module("m", "m.py", source.encode(), False).lookups
    assert (lookup.line, lookup.column) == (2, 1 + len('    return f"é {'.encode()))  # Python's byte columns


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="this interpreter parses PEP 695 and PEP 701 itself")
def test_a_module_with_newer_syntax_keeps_its_request_time_findings(tmp_path, monkeypatch):
    from wirelint.analyzer import analyze
    from wirelint.report.findings import make_report
    from wirelint.rules import all_rules, run_rules

    (tmp_path / "app").mkdir()
    (tmp_path / "app/main.py").write_text(
        "from fastapi import FastAPI, Request\n\napp = FastAPI()\ntype Name = str\nITEMS: list[str] = []\n\n\n"
        "@app.post('/i')\ndef add(n: str, request: Request):\n    ITEMS.append(n)\n    return request.app.state.repo\n"
        "\n\n@app.get('/g')\ndef generic[T](request: Request) -> T:\n    return request.app.state.mailer\n\n\n"
        "def label(items):\n    return f\"{items[\"a\"]}\"\n")
    monkeypatch.chdir(tmp_path)
    index = analyze([Path("app")], jobs=1)
    report = make_report(run_rules(index, [rule() for rule in all_rules()]), 1, 0)
    assert [(f.code, f.location.line, f.location.column) for f in report.findings] == [
        ("DI006", 5, 1), ("DI003", 11, 12), ("DI003", 16, 12)]


def test_source_python_parses_is_returned_as_it_is():
    source = "import os\nx = 1\n"
    result = rewrite(source, cst.parse_module(source))
    assert result.source == source and result.unanalysed_lines == ()
    assert ast.dump(result.tree) == ast.dump(ast.parse(source))


def test_what_cannot_be_rewritten_becomes_pass_and_its_lines_are_reported():
    # `{a, b[...]}` right before the closing quote: no room for the parentheses a bare tuple needs
    source = ('x = 1\n\n\n@app.get(\n    "/a")\n@other\ndef f(x=f"{a, b["b"]}"):\n    return x\n\n\n'
              'def g(request):\n    return request.app.state.y\n')
    result = rewrite(source, cst.parse_module(source))
    assert result.unanalysed_lines == (4, 5, 6, 7, 8)  # the definition goes with its decorators
    assert [(type(s).__name__, s.lineno) for s in result.tree.body] == [("Assign", 1), ("Pass", 4), ("FunctionDef", 11)]
    from wirelint.analyzer.collectors import collect_module

    facts = collect_module("m", "m.py", source.encode(), False)
    assert facts.unanalysed_lines == (4, 5, 6, 7, 8) and sorted(facts.functions) == ["g"]
    assert [lookup.function for lookup in facts.lookups] == ["g"]


def test_data_blocks_are_blanked_on_the_text_before_any_parse(monkeypatch):
    from wirelint.analyzer import parsing

    monkeypatch.setattr(parsing, "_BLOCK_FILE_CHARS", 10)
    monkeypatch.setattr(parsing, "_DATA_LITERAL_CHARS", 10)
    source = ("ROWS = [\n    (1, 'a # b', 0.5, None),\n    (2, \"c\", -1e3, True),\n]\n"
              "CODES: dict[str, int] = {\n    'x': 1,\n    'y': 2,\n}\n"
              "CALLS = [\n    make(1),\n    make(2),\n]\n"
              "NAMES = [\n    ADMIN,\n    USER,\n]\n")
    assert parsing.without_data_blocks(source) == (
        "ROWS = [\n\n\n]\nCODES: dict[str, int] = {\n\n\n}\n"
        "CALLS = [\n    make(1),\n    make(2),\n]\nNAMES = [\n    ADMIN,\n    USER,\n]\n")


def test_a_generated_data_module_keeps_its_facts_and_lines(monkeypatch):
    from wirelint.analyzer import parsing

    monkeypatch.setattr(parsing, "_BLOCK_FILE_CHARS", 10)
    monkeypatch.setattr(parsing, "_DATA_LITERAL_CHARS", 10)
    source = ("from fastapi import Depends\nROWS = [\n" + "    (1, 'x'),\n" * 50 + "]\n"
              "def lookup(key: int, db=Depends(lambda: ROWS)):\n    return db[key]\n")
    facts = collect_module("m", "m.py", source.encode(), False)
    assert facts.line_count == 55
    assert facts.functions["lookup"].location.line == 54
    assert facts.scopes[""].bindings["ROWS"].kind == "assign"


def test_unanalysed_lines_are_reported_as_a_warning(analyze_project):
    from wirelint.rules import run_rules
    from wirelint.rules.di000_parse_error import ParseError

    source = ('x = 1\n\n\n@app.get(\n    "/a")\n@other\ndef f(x=f"{a, b["b"]}"):\n    return x\n')
    index = analyze_project({"app/m.py": source})
    findings = run_rules(index, [ParseError()])
    if sys.version_info >= (3, 12):  # this Python parses it: nothing is left out
        assert findings == []
        return
    assert [(f.code, f.severity, f.location.path, f.location.line, f.location.end_line, f.message)
            for f in findings] == [
        ("DI000", "warning", "app/m.py", 4, 8, "lines 4-8 of app/m.py use syntax newer than this Python (3.11) "
         "that wirelint cannot rewrite: the statements there are not analyzed; run wirelint on the Python the "
         "project targets")]
