"""Which callable FastAPI calls: functions, classes, instances, factories, partials, methods, lambdas."""

from __future__ import annotations

from graph_helpers import edge_set

HEADER = """
from typing import Annotated
from functools import partial, lru_cache
from fastapi import APIRouter, Depends, Request
router = APIRouter()
def get_db():
    yield 1
async def get_conn():
    yield 1
def get_user():
    return 1
"""


def test_kinds_and_yield_flags(analyze_project):
    index = analyze_project({"app.py": HEADER + """
@lru_cache
def get_settings():
    return 1
class Service:
    def __init__(self, db=Depends(get_db), settings=Depends(get_settings)):
        pass
class Checker:
    def __call__(self, request: Request, conn=Depends(get_conn)):
        return True
checker = Checker()
@router.get("/")
def a(s: Annotated[Service, Depends()], ok=Depends(checker)):
    return 1
"""})
    assert edge_set(index) == {
        ("app.a", "app.Service", "param"),
        ("app.a", "app.checker", "param"),
        ("app.Service", "app.get_db", "param"),
        ("app.Service", "app.get_settings", "param"),
        ("app.checker", "app.get_conn", "param"),
    }
    graph = index.graph
    assert {n.id: (n.kind, n.yields, n.class_id) for n in graph.nodes()} == {
        "app.a": ("endpoint", False, None),
        "app.Service": ("class", False, None),
        "app.checker": ("instance", False, "app.Checker"),
        "app.get_db": ("provider", True, None),
        "app.get_conn": ("provider", True, None),
        "app.get_settings": ("provider", False, None),
    }


def test_factory_binds_its_arguments(analyze_project):
    index = analyze_project({"app.py": HEADER + """
def require(dependency, role: str):
    def checker(value=Depends(dependency)):
        return role
    return checker
make = lambda: (lambda user=Depends(get_user): user)
@router.get("/")
def a(x=Depends(require(get_db, "admin")), y=Depends(require(dependency=get_user, role="x"))):
    return 1
"""})
    assert edge_set(index) == {
        ("app.a", "app.require.<locals>.checker", "param"),
        ("app.require.<locals>.checker", "app.get_db", "param"),
        ("app.require.<locals>.checker", "app.get_user", "param"),
    }
    assert index.graph.node("app.require.<locals>.checker").kind == "factory"


def test_partial_methods_and_lambdas(analyze_project):
    index = analyze_project({"app.py": HEADER + """
def paged(limit: int, db=Depends(get_db)):
    return limit
class Repo:
    def __init__(self):
        pass
    def current(self, user=Depends(get_user)):
        return 1
    @classmethod
    def build(cls, conn=Depends(get_conn)):
        return cls()
    @staticmethod
    def plain(db=Depends(get_db)):
        return 1
repo = Repo()
region = lambda db=Depends(get_db): "eu"
@router.get("/")
def a(p=Depends(partial(paged, 10)), c=Depends(repo.current), b=Depends(Repo.build), s=Depends(Repo.plain),
      r=Depends(region), inline=Depends(lambda user=Depends(get_user): user)):
    return 1
"""})
    assert edge_set(index) == {
        ("app.a", "app.paged", "param"),
        ("app.paged", "app.get_db", "param"),
        ("app.a", "app.Repo.current", "param"),
        ("app.Repo.current", "app.get_user", "param"),
        ("app.a", "app.Repo.build", "param"),
        ("app.Repo.build", "app.get_conn", "param"),
        ("app.a", "app.Repo.plain", "param"),
        ("app.Repo.plain", "app.get_db", "param"),
        ("app.a", "app.region", "param"),
        ("app.region", "app.get_db", "param"),
        ("app.a", "app.<lambda>", "param"),
        ("app.<lambda>", "app.get_user", "param"),
    }


def test_dataclass_fields_are_the_signature(analyze_project):
    index = analyze_project({"app.py": HEADER + """
from dataclasses import dataclass
@dataclass
class Filters:
    q: str = ""
    db: Annotated[int, Depends(get_db)] = 0
@router.get("/")
def a(f: Annotated[Filters, Depends()]):
    return 1
"""})
    assert edge_set(index) == {("app.a", "app.Filters", "param"), ("app.Filters", "app.get_db", "param")}


def test_unresolvable_callables_become_unresolved_nodes(analyze_project):
    index = analyze_project({"app.py": HEADER + """
import random
chosen = random.choice([get_db, get_user])
def pick():
    if random.random() > 0.5:
        return get_db
    return get_user
@router.get("/")
def a(x=Depends(pick()), y=Depends(registry["db"])):
    return 1
"""})
    unresolved = {node.id: node.reason for node in index.graph.unresolved()}
    assert set(unresolved) == {'unresolved:app:19:pick()', "unresolved:app:19:registry['db']"}
    assert "returns different callables" in unresolved["unresolved:app:19:pick()"]


def test_factory_choosing_by_a_constant_argument(analyze_project):
    index = analyze_project({"app.py": HEADER + """
import os
def _strict(user=Depends(get_user)):
    return user
def _lenient():
    return None
def authorizer(*, required: bool = True):
    return _strict if required else _lenient
def pick(flag):
    return _strict if flag else _lenient
@router.get("/")
def a(x=Depends(authorizer()), y=Depends(authorizer(required=False)), z=Depends(pick(os.getenv("STRICT"))),
      w=Depends(pick(get_db))):
    return 1
"""})
    assert {e for e in edge_set(index) if e[0] == "app.a"} == {
        ("app.a", "app._strict", "param"),
        ("app.a", "app._lenient", "param"),
        ("app.a", "unresolved:app:22:pick(os.getenv('STRICT'))", "param"),
    }
    assert index.graph.node("unresolved:app:22:pick(os.getenv('STRICT'))").reason == (
        "one of app._strict or app._lenient, chosen at run time by flag"
    )
