"""How a parameter becomes a dependency: Depends/Security, Annotated (last marker wins), aliases, shortcuts."""

from __future__ import annotations

from graph_helpers import edge_set

HEADER = """
from typing import Annotated, TypeAlias
from fastapi import APIRouter, Depends, Query, Security
router = APIRouter()
def get_db():
    yield 1
def get_user():
    return 1
"""


def test_default_and_annotated_markers(analyze_project):
    index = analyze_project({"app.py": HEADER + """
@router.get("/a")
def a(db=Depends(get_db), user: Annotated[int, Security(get_user, scopes=["x"])] = 0):
    return 1
"""})
    assert edge_set(index) == {("app.a", "app.get_db", "param"), ("app.a", "app.get_user", "param")}
    assert index.graph.node("app.get_db").yields is True


def test_last_fastapi_marker_in_annotated_wins(analyze_project):
    index = analyze_project({"app.py": HEADER + """
@router.get("/a")
def a(x: Annotated[int, Depends(get_db), Query()], y: Annotated[int, Query(), "doc", Depends(get_user)]):
    return 1
"""})
    assert edge_set(index) == {("app.a", "app.get_user", "param")}


def test_nested_annotated_and_alias_flatten(analyze_project):
    index = analyze_project({"app.py": HEADER + """
Db = Annotated[int, Depends(get_db)]
Db2: TypeAlias = Db
@router.get("/a")
def a(x: Annotated[Db, Query()], y: Db2):
    return 1
"""})
    assert edge_set(index) == {("app.a", "app.get_db", "param")}


def test_pep695_alias_unwrapped_once_at_top(analyze_project):
    index = analyze_project({"app.py": HEADER + """
type Db = Annotated[int, Depends(get_db)]
@router.get("/a")
def a(x: Db, y: Annotated[Db, "meta"]):
    return 1
"""})
    assert edge_set(index) == {("app.a", "app.get_db", "param")}


def test_depends_without_callable_takes_the_annotation(analyze_project):
    index = analyze_project({"app.py": HEADER + """
class Service:
    def __init__(self, db=Depends(get_db)):
        self.db = db
@router.get("/a")
def a(s: Annotated[Service, Depends()], t: Service = Depends()):
    return 1
"""})
    assert edge_set(index) == {("app.a", "app.Service", "param"), ("app.Service", "app.get_db", "param")}


def test_string_annotations_and_future_import(analyze_project):
    index = analyze_project({"app.py": "from __future__ import annotations\n" + HEADER + """
@router.get("/a")
def a(x: "Annotated[int, Depends(get_db)]", y: Annotated["Service", Depends()]):
    return 1
class Service:
    pass
"""})
    assert edge_set(index) == {("app.a", "app.get_db", "param"), ("app.a", "app.Service", "param")}


def test_depends_subclass_and_helper_returning_depends(analyze_project):
    index = analyze_project({"app.py": HEADER + """
from fastapi import params
class Inject(params.Depends):
    pass
def provide(dependency):
    return Depends(dependency, use_cache=False)
@router.get("/a")
def a(x=Inject(get_db), y: Annotated[int, provide(get_user)] = 0):
    return 1
"""})
    assert edge_set(index) == {("app.a", "app.get_db", "param"), ("app.a", "app.get_user", "param")}


def test_non_dependencies_are_not_edges(analyze_project):
    index = analyze_project({"app.py": HEADER + """
from fastapi import Request, BackgroundTasks, Header, Body
@router.post("/a/{x}")
def a(x: int, request: Request, tasks: BackgroundTasks, q: str = Query(""), h: str = Header(""),
      body: dict = Body(...), depends_word: str = "Depends(get_db)"):
    return 1
"""})
    assert edge_set(index) == set()
    assert [node.id for node in index.graph.nodes()] == ["app.a"]


def test_marker_held_in_a_variable(analyze_project):
    index = analyze_project({"app.py": HEADER + """
db_dependency = Depends(get_db)
@router.get("/a")
def a(db=db_dependency):
    return 1
"""})
    assert edge_set(index) == {("app.a", "app.get_db", "param")}
