"""Positions: the anchored replay gives the same starts as replaying code generation over the whole module."""

from __future__ import annotations

import ast
from pathlib import Path

import libcst as cst
import pytest

from wirelint.analyzer.collectors import _POSITIONED
from wirelint.analyzer.parsing import anchored_positions, decode_source, positions_of

TRICKY = '''\
import fastapi; from fastapi import Depends, APIRouter
router = APIRouter(prefix="/x",
                   dependencies=[Depends(lambda: 1),
                                 Depends(  (lambda: 2)  )])
class Base: pass
@( router.get )("/a")
async def a(x=Depends(lambda: 1), *args, y: int = 0, **kwargs): return 1
class Service(Base, metaclass=type):
    field: int = Depends(lambda: 3)
    def __init__(self, db=Depends(lambda: 4)):
        if db: pass
        elif db is None:
            app = fastapi.FastAPI(dependencies=[Depends(lambda: 5)])
        else:
            pass
        try:
            x = 1
        except* ValueError:
            pass
        match db:
            case 1:
                router.include_router(APIRouter(),
                                      prefix="/y")
            case _:
                return lambda q=Depends(lambda: 6): q
def factory(
    a,
    /,
    b=Depends(
        lambda: 7
    ),
):
    with open("f") as h, open("g"):
        for item in h: router.add_api_route("/z", factory)
    return (lambda: 8)
'''


def spans_equal(source: str) -> int:
    module = cst.parse_module(source)
    full = positions_of(module, _POSITIONED)
    anchored = anchored_positions(module, ast.parse(source), _POSITIONED)
    # Starts agree everywhere; definitions end where Python's tree says (before the trailing newline).
    assert {key: value[:2] for key, value in anchored.items()} == {key: full[key][:2] for key in anchored}
    return len(anchored)


def test_tricky_syntax():
    assert spans_equal(TRICKY) == 41


@pytest.mark.parametrize("path", sorted(Path(__file__).resolve().parents[2].joinpath("sample_app").rglob("*.py")),
                         ids=lambda path: path.name)
def test_sample_app_files(path):
    spans_equal(decode_source(path.read_bytes()))


def test_crlf_and_tabs():
    spans_equal("from fastapi import Depends\r\nclass A:\r\n\tdef f(self,\r\n\t      x=Depends(lambda: 1)):\r\n\t\treturn x\r\n")


# --- generated data literals: emptied before libcst sees them, every other position unchanged --------------

from wirelint.analyzer.parsing import without_data_literals  # noqa: E402

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

import sys  # noqa: E402

from wirelint.analyzer.parsing import ast_despite_newer_syntax  # noqa: E402

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


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="this interpreter parses PEP 695 and PEP 701 itself")
def test_statements_python_cannot_parse_become_pass_and_the_rest_keeps_its_lines():
    tree, replaced = ast_despite_newer_syntax(NEWER, cst.parse_module(NEWER))
    # The innermost statements: the type alias, the f-string's `return`, and the `try` with `except A, B`.
    assert replaced == (2, 14, 18)
    assert [(type(s).__name__, getattr(s, "name", ""), s.lineno) for s in tree.body] == [
        ("ImportFrom", "", 1), ("Pass", "", 2), ("ClassDef", "Repo", 5), ("FunctionDef", "label", 13),
        ("FunctionDef", "tolerant", 17), ("Assign", "", 24)]
    assert len(tree.body[3].decorator_list) == 2 and type(tree.body[3].body[0]).__name__ == "Pass"
    assert [type(s).__name__ for s in tree.body[4].body] == ["Pass"]
    (method,) = tree.body[2].body
    assert (method.name, method.body[0].lineno, method.body[0].value.col_offset) == ("read", 7, 15)


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
    tree, replaced = ast_despite_newer_syntax(source, cst.parse_module(source))
    assert replaced == () and ast.dump(tree) == ast.dump(ast.parse(source))


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="this interpreter parses PEP 701 itself")
def test_a_definition_python_cannot_parse_goes_with_its_decorators():
    source = ('x = 1\n\n\n@app.get(\n    "/a")\n@other\ndef f(x=f"{a["b"]}"):\n    return x\n\n\n'
              'def g(request):\n    return request.app.state.y\n')
    tree, replaced = ast_despite_newer_syntax(source, cst.parse_module(source))
    assert replaced == (7,)
    assert [(type(s).__name__, s.lineno) for s in tree.body] == [("Assign", 1), ("Pass", 4), ("FunctionDef", 11)]
