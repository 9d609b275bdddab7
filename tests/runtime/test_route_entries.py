"""Reading `app.routes` on every FastAPI the project allows (>= 0.110), and how instance nodes are described.

FastAPI copies included routes into `app.routes` before 0.137.0; 0.137.0 and 0.137.1 keep each included router
as one lazy `_IncludedRouter` entry (with `effective_route_contexts()`) and have no public reader; 0.137.2 and
later have `fastapi.routing.iter_route_contexts`. The installed FastAPI is the newest, so the older shapes are
exercised with duck-typed fakes, and with the installed FastAPI's own lazy entries read without its reader
(they still offer `effective_route_contexts()`).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import fastapi
import pytest
from fastapi import APIRouter, Depends, FastAPI, WebSocket
from fastapi.routing import iter_route_contexts
from starlette.routing import BaseRoute, Mount, Route

from wirelint.runtime.worker import UnreadableRoute, class_id, route_entries

REPO = Path(__file__).resolve().parents[2]


class FakeDependant:
    def __init__(self, *dependencies):
        self.dependencies = list(dependencies)


class FakeRoute:
    """An APIRoute as the worker reads it: endpoint, methods, path, dependant."""

    def __init__(self, path, dependant=None):
        self.path, self.methods, self.endpoint = path, {"GET"}, None
        self.dependant = FakeDependant() if dependant is None else dependant


class FakeContext:
    """0.137.0's `_EffectiveRouteContext`: carries the dependant of an APIRoute, or a rebuilt Starlette route."""

    def __init__(self, path=None, starlette_route=None, original_route=None):
        self.path = path
        self.dependant = FakeDependant() if path else None
        self.starlette_route = starlette_route
        self.original_route = original_route


class FakeIncludedRouter:
    """0.137.0's lazy `_IncludedRouter`: no dependant, its routes through effective_route_contexts()."""

    dependant = None

    def __init__(self, *contexts):
        self.contexts = contexts

    def effective_route_contexts(self):
        return iter(self.contexts)


class LazyEntryWithoutReader:
    """A route entry a future FastAPI might add: no dependant, no way to expand it."""


def starlette_route(path: str) -> Route:
    return Route(path, lambda request: None)


def paths(entries) -> list[str]:
    return [entry.path for entry in entries]


def test_flat_routes_before_0_137_are_read_as_they_are():
    routes = [FakeRoute("/a"), starlette_route("/docs"), Mount("/static", routes=[]), FakeRoute("/b")]
    assert paths(route_entries(routes)) == ["/a", "/b"]


def test_lazy_included_routers_of_0_137_0_are_expanded():
    websocket = FakeRoute("/api/ws")  # an APIWebSocketRoute rebuilt with the include's prefix and dependencies
    routes = [
        FakeRoute("/health"),
        FakeIncludedRouter(
            FakeContext("/api/items"),
            FakeContext(starlette_route=websocket),
            FakeContext(starlette_route=starlette_route("/api/plain")),  # a Starlette route: no dependencies
            FakeContext(starlette_route=Mount("/api/static", routes=[])),
            FakeIncludedRouter(FakeContext("/api/nested/deep")),  # expanded at any depth
        ),
        starlette_route("/openapi.json"),
    ]
    assert paths(route_entries(routes)) == ["/health", "/api/items", "/api/ws", "/api/nested/deep"]


def test_an_entry_neither_known_nor_expandable_fails_loudly_with_the_version_and_its_type():
    with pytest.raises(UnreadableRoute) as raised:
        list(route_entries([FakeRoute("/a"), LazyEntryWithoutReader()]))
    message = str(raised.value)
    assert message.startswith(f"FastAPI {fastapi.__version__}: app.routes holds an entry of type "
                              f"{__name__}.LazyEntryWithoutReader that is neither a route wirelint knows")
    assert "no effective_route_contexts()" in message and "\n" not in message
    # inside an included router too: a context with no dependant and no Starlette route names the route behind it
    with pytest.raises(UnreadableRoute, match=r"of type \S+\.LazyEntryWithoutReader that"):
        list(route_entries([FakeIncludedRouter(FakeContext(original_route=LazyEntryWithoutReader()))]))
    # a route class of its own that is not a Starlette route has no dependency tree wirelint can read
    with pytest.raises(UnreadableRoute, match=r"of type starlette\.routing\.BaseRoute that"):
        list(route_entries([BaseRoute()]))


def test_fastapis_own_reader_is_used_when_present():
    seen = []

    def reader(routes):
        seen.append(routes)
        return [FakeRoute("/from-reader"), starlette_route("/docs")]

    routes = [LazyEntryWithoutReader()]  # would fail if read without the reader
    assert paths(route_entries(routes, reader)) == ["/from-reader"]
    assert seen == [routes]


def installed_app() -> FastAPI:
    def get_db():
        yield 1

    def audit():
        return 1

    inner, outer = APIRouter(), APIRouter(dependencies=[Depends(audit)])

    @inner.get("/items")
    def items(db=Depends(get_db)):
        return 1

    @inner.websocket("/ws")
    async def ws(websocket: WebSocket, db=Depends(get_db)):
        await websocket.close()

    inner.add_route("/plain", lambda request: None)
    outer.include_router(inner, prefix="/inner")
    app = FastAPI()

    @app.get("/health")
    def health():
        return 1

    app.include_router(outer, prefix="/api")
    app.mount("/static", FastAPI())
    return app


def test_the_installed_fastapis_lazy_entries_read_with_and_without_its_reader_agree():
    app = installed_app()
    assert any(getattr(route, "dependant", None) is None and hasattr(route, "effective_route_contexts")
               for route in app.routes), "the installed FastAPI keeps included routers lazy"

    def described(entries):
        return sorted((entry.path, entry.endpoint.__name__, len(entry.dependant.dependencies)) for entry in entries)

    expected = [("/api/inner/items", "items", 2), ("/api/inner/ws", "ws", 2), ("/health", "health", 0)]
    assert described(route_entries(app.routes, iter_route_contexts)) == expected
    assert described(route_entries(app.routes)) == expected  # the 0.137.0 / 0.137.1 path


def worker_document(*setup: str) -> dict:
    code = "; ".join([*setup, "import json", "from wirelint.runtime.worker import runtime_document",
                      f"print(json.dumps(runtime_document({str(REPO)!r}, 'sample_app.main:app')))"])
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_sample_app_without_fastapis_reader_has_all_its_routes_and_edges():
    """FastAPI 0.137.0 and 0.137.1 lack iter_route_contexts: the old fallback drew 2 routes and 4 edges."""
    without_reader = worker_document("import fastapi.routing", "del fastapi.routing.iter_route_contexts")
    assert (len(without_reader["routes"]), len(without_reader["edges"])) == (44, 182)
    assert without_reader == worker_document()


def test_an_unreadable_route_entry_is_one_error_naming_fastapi_and_the_type(tmp_path):
    (tmp_path / "odd.py").write_text(
        "from fastapi import FastAPI\nfrom starlette.routing import BaseRoute\n"
        "class LazyThing(BaseRoute):\n    pass\n"
        "app = FastAPI()\n@app.get('/a')\ndef a():\n    return 1\napp.router.routes.append(LazyThing())\n")
    result = subprocess.run([sys.executable, "-m", "wirelint", "graph", "--app", "odd:app"], cwd=tmp_path,
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1].startswith(
        f"wirelint: error: could not build odd:app: UnreadableRoute: FastAPI {fastapi.__version__}: app.routes "
        "holds an entry of type odd.LazyThing that is neither a route wirelint knows")


INSTANCES = {
    "inst/__init__.py": "",
    "inst/main.py": """\
from fastapi import Depends, FastAPI
from fastapi.security import OAuth2PasswordBearer

class Checker:
    def __call__(self):
        return 1

scheme = OAuth2PasswordBearer(tokenUrl="token")
checker = Checker()
app = FastAPI()

@app.get("/a")
def a(token=Depends(scheme), ok=Depends(checker), inline=Depends(Checker())):
    return 1
""",
}


def test_instance_nodes_are_located_at_their_variable_and_keep_their_class(tmp_path):
    for relative, source in INSTANCES.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(source)
    result = subprocess.run([sys.executable, "-m", "wirelint", "graph", "--app", "inst.main:app", "-f", "json"],
                            cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    nodes = {node["id"]: node for node in json.loads(result.stdout)["nodes"] if node["kind"] == "instance"}
    assert {node_id: (node["path"], node["line"], node["class"]) for node_id, node in nodes.items()} == {
        # the variable's assignment, not OAuth2PasswordBearer's source in site-packages
        "inst.main.scheme": ("inst/main.py", 8, "fastapi.security.OAuth2PasswordBearer"),
        "inst.main.checker": ("inst/main.py", 9, "inst.main.Checker"),
        # created inline: no variable to point at, and the class's line would mislead
        "inst.main.Checker()": (None, None, "inst.main.Checker"),
    }


def test_sample_app_instances_match_the_static_graph():
    nodes = worker_document()["nodes"]
    assert nodes["sample_app.deps.auth.oauth2_scheme"] == {
        "kind": "instance", "yields": False, "is_async": True, "cached": False,
        "path": str(REPO / "sample_app/deps/auth.py"), "line": 21, "class": "fastapi.security.OAuth2PasswordBearer"}
    assert nodes["sample_app.deps.pagination.pagination"] == {
        "kind": "instance", "yields": False, "is_async": False, "cached": False,
        "path": str(REPO / "sample_app/deps/pagination.py"), "line": 24, "class": "sample_app.deps.pagination.Paginator"}


def test_class_ids():
    from collections import OrderedDict

    from fastapi.security import OAuth2PasswordBearer

    assert class_id(OAuth2PasswordBearer, "sample_app") == "fastapi.security.OAuth2PasswordBearer"
    assert class_id(OrderedDict, "sample_app") == "collections.OrderedDict"
    # a project class: where it is defined
    assert class_id(FakeRoute, __name__.split(".")[0]) == f"{__name__}.FakeRoute"
    assert class_id(FakeContext, "other") == f"{__name__}.FakeContext"  # no package above exports it
