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
    assert spans_equal(TRICKY) == 39


@pytest.mark.parametrize("path", sorted(Path(__file__).resolve().parents[2].joinpath("sample_app").rglob("*.py")),
                         ids=lambda path: path.name)
def test_sample_app_files(path):
    spans_equal(decode_source(path.read_bytes()))


def test_crlf_and_tabs():
    spans_equal("from fastapi import Depends\r\nclass A:\r\n\tdef f(self,\r\n\t      x=Depends(lambda: 1)):\r\n\t\treturn x\r\n")
