"""The oracle: the graph wirelint computes statically equals the graph FastAPI builds at run time.

The run-time side imports each project in a worker subprocess (tests/oracle/runtime_graph.py); this process
never imports the code under test. Compared: every route of the app (endpoint id, methods, full path) and
every edge reachable from those endpoints (source, target, and whether it comes from a parameter or from a
`dependencies=[...]` list).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from project_gen import projects
from wirelint.analyzer import analyze
from wirelint.analyzer.graph import FASTAPI_VIAS
from wirelint.report.graph_tree import children
from wirelint.runtime import graph_from_document
from wirelint.runtime.crosscheck import CONTAINER, CONTAINER_LIBRARIES, fastapi_edges

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]


class Worker:
    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(HERE / "runtime_graph.py"), "--worker"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1,
        )

    def document(self, root: Path, reference: str) -> dict:
        self.process.stdin.write(json.dumps({"root": str(root), "app": reference}) + "\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)


@pytest.fixture(scope="module")
def worker():
    running = Worker()
    yield running
    running.close()


def static_document(root: Path, package: str, app_id: str) -> dict:
    cwd = Path.cwd()
    os.chdir(root)
    try:
        index = analyze([Path(package)], jobs=1)
    finally:
        os.chdir(cwd)
    graph = index.graph
    routes = set()
    endpoints = []
    for node in graph.endpoints():
        for route in graph.routes_of(node.id):
            if route.app == app_id:
                routes.add((node.id, tuple(route.methods), route.path))
                endpoints.append(node.id)
    # FastAPI's own edges: a dependency a container provides is one edge to the container on both sides.
    return {"routes": routes, "edges": fastapi_edges(graph, set(endpoints)),
            "lifetimes": lifetimes(graph, set(endpoints)), "order": resolution_order(graph, set(endpoints)),
            "factories": {node.id for node in graph.nodes() if node.kind == "factory"}}


def resolution_order(graph, endpoints: set[str]) -> dict[str, list[str]]:
    """Each reachable node's dependencies in the order `wirelint graph --format tree` draws them."""
    order = {}
    for node_id in graph.reachable_from(endpoints):
        targets = [CONTAINER if edge.via == "container-resolve" else edge.target
                   for edge in children(graph, node_id) if edge.via in FASTAPI_VIAS or edge.via == "container-resolve"]
        if targets:
            order[node_id] = targets
    return order


def lifetimes(graph, endpoints: set[str]) -> dict:
    """What FastAPI decides per node (awaited or threadpool, how long its value lives) and per edge
    (use_cache, scope, own Security scopes), below these endpoints; containers' own edges left out."""
    reachable = graph.reachable_from(endpoints)
    edges = {(edge.source, edge.target, edge.use_cache, edge.scope, edge.scopes) for edge in graph.edges()
             if edge.source in reachable and edge.via in FASTAPI_VIAS}
    uncached = {target for _source, target, use_cache, _scope, _scopes in edges if not use_cache}
    nodes = {}
    for node in graph.nodes():
        if (node.id not in reachable or node.kind in ("container", "container-provider", "unresolved")
                or node.id.startswith(CONTAINER_LIBRARIES)):
            continue
        # `call` comes from any use_cache=False edge of the graph; the running app sees only the routes' ones
        lifetime = "request" if node.lifetime == "call" and node.id not in uncached else node.lifetime
        nodes[node.id] = (node.is_async, node.yields, lifetime)
    return {"nodes": nodes, "edges": edges}


def compare(static: dict, runtime: dict) -> list[str]:
    assert "error" not in runtime, runtime
    runtime_routes = {(e, tuple(m), p) for e, m, p in runtime["routes"]}
    runtime_edges = {(source, CONTAINER if target.startswith(CONTAINER_LIBRARIES) else target, kind)
                     for source, target, kind in runtime["edges"] if not source.startswith(CONTAINER_LIBRARIES)}
    problems = []
    for label, ours, theirs in (("route", static["routes"], runtime_routes), ("edge", static["edges"], runtime_edges)):
        problems += [f"{label} only in wirelint: {item}" for item in sorted(ours - theirs)]
        problems += [f"{label} only in FastAPI: {item}" for item in sorted(theirs - ours)]
    for source, targets in sorted(runtime["order"].items()):
        targets = [CONTAINER if target.startswith(CONTAINER_LIBRARIES) else target for target in targets]
        ours = static["order"].get(source)
        if ours is not None and source in static["factories"]:
            # one node for every closure a factory returns (graph-model.md); FastAPI's order is of one of them
            ours = [target for target in ours if target in targets]
        if ours is not None and ours != targets:
            problems.append(f"order below {source}: wirelint {static['order'][source]}, FastAPI {targets}")
    theirs = runtime_lifetimes(runtime)
    ours = static["lifetimes"]
    problems += [f"node {node}: wirelint (is_async, yields, lifetime) {ours['nodes'][node]}, FastAPI {value}"
                 for node, value in sorted(theirs["nodes"].items())
                 if node in ours["nodes"] and not _agrees(ours["nodes"][node], value)]
    problems += [f"edge options only in wirelint: {item}" for item in sorted(ours["edges"] - theirs["edges"], key=str)
                 if item[1] in theirs["nodes"]]
    problems += [f"edge options only in FastAPI: {item}" for item in sorted(theirs["edges"] - ours["edges"], key=str)
                 if item[1] in ours["nodes"]]
    return problems


def _agrees(ours: tuple, theirs: tuple) -> bool:
    """Equal, where wirelint knows: `is_async` is None for a library callable whose code it does not read."""
    return all(mine is None or mine == value for mine, value in zip(ours, theirs))


def runtime_lifetimes(runtime: dict) -> dict:
    graph = graph_from_document(runtime, "runtime")
    return lifetimes(graph, {endpoint for endpoint, _methods, _path in runtime["routes"]})


def test_sample_app_matches_runtime(worker):
    runtime = worker.document(REPO, "sample_app.main:app")
    static = static_document(REPO, "sample_app", "sample_app.main.create_app.<locals>.app")
    assert compare(static, runtime) == []
    assert len(static["routes"]) == 44 and len(static["edges"]) > 100


@settings(max_examples=300, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture])
@given(project=projects())
def test_generated_projects_match_runtime(project, worker, tmp_path_factory):
    root = tmp_path_factory.mktemp("project")
    for relative, source in project.files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
    runtime = worker.document(root, project.app_reference)
    static = static_document(root, project.package, project.app_id)
    problems = compare(static, runtime)
    assert problems == [], "\n".join(problems + ["", *(f"# {p}\n{s}" for p, s in project.files.items())])
    assert static["routes"], "every generated project has routes"


def test_runtime_side_on_a_handwritten_project(worker, tmp_path):
    package = tmp_path / "oracle_hand"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "main.py").write_text(
        "from functools import lru_cache, partial\nfrom fastapi import APIRouter, Depends, FastAPI, Security\n"
        "def get_db():\n    yield 1\n"
        "def paged(size: int, db=Depends(get_db)):\n    return size\n"
        "class Checker:\n    async def __call__(self, db=Depends(get_db, use_cache=False)):\n        return True\n"
        "checker = Checker()\n"
        "@lru_cache\ndef settings():\n    return {}\n"
        "async def user(s=Security(settings, scopes=['me'])):\n    return s\n"
        "router = APIRouter(prefix='/r', dependencies=[Depends(checker)])\n"
        "@router.get('/items')\nasync def items(p=Depends(partial(paged, 5)), u=Depends(user)):\n    return []\n"
        "app = FastAPI()\napp.include_router(router, prefix='/api')\n"
    )
    path = str(package / "main.py")
    m = "oracle_hand.main."
    assert worker.document(tmp_path, "oracle_hand.main:app") == {
        "routes": [[m + "items", ["GET"], "/api/r/items"]],
        "edges": [
            [m + "checker", m + "get_db", "param"],
            [m + "items", m + "checker", "list"],
            [m + "items", m + "paged", "param"],
            [m + "items", m + "user", "param"],
            [m + "paged", m + "get_db", "param"],
            [m + "user", m + "settings", "param"],
        ],
        "parameters": [
            [m + "checker", m + "get_db", "db"],
            [m + "items", m + "paged", "p"],
            [m + "items", m + "user", "u"],
            [m + "paged", m + "get_db", "db"],
            [m + "user", m + "settings", "s"],
        ],
        "options": [
            [m + "checker", m + "get_db", "db", False, None, []],
            [m + "items", m + "checker", None, True, None, []],
            [m + "items", m + "paged", "p", True, None, []],
            [m + "items", m + "user", "u", True, None, []],
            [m + "paged", m + "get_db", "db", True, None, []],
            [m + "user", m + "settings", "s", True, None, ["me"]],
        ],
        "order": {
            m + "checker": [m + "get_db"], m + "items": [m + "checker", m + "paged", m + "user"],
            m + "paged": [m + "get_db"], m + "user": [m + "settings"],
        },
        "nodes": {
            m + "checker": {"kind": "instance", "yields": False, "is_async": True, "cached": False, "path": path,
                            "line": 10, "class": m + "Checker"},
            m + "get_db": {"kind": "provider", "yields": True, "is_async": False, "cached": False, "path": path,
                           "line": 3},
            m + "items": {"kind": "endpoint", "yields": False, "is_async": True, "cached": False, "path": path,
                          "line": 17},
            m + "paged": {"kind": "provider", "yields": False, "is_async": False, "cached": False, "path": path,
                          "line": 5},
            m + "settings": {"kind": "provider", "yields": False, "is_async": False, "cached": True, "path": path,
                             "line": 11},
            m + "user": {"kind": "provider", "yields": False, "is_async": True, "cached": False, "path": path,
                         "line": 14},
        },
    }
    static = static_document(tmp_path, "oracle_hand", "oracle_hand.main.app")["lifetimes"]
    assert static == runtime_lifetimes(worker.document(tmp_path, "oracle_hand.main:app"))
    assert static["nodes"] == {
        m + "checker": (True, False, "process"), m + "get_db": (False, True, "call"),
        m + "items": (True, False, "request"), m + "paged": (False, False, "request"),
        m + "settings": (False, False, "process"), m + "user": (True, False, "request"),
    }


def test_worker_reports_import_errors(worker, tmp_path):
    (tmp_path / "oracle_broken.py").write_text("raise RuntimeError('boom')\n")
    response = worker.document(tmp_path, "oracle_broken:app")
    assert response["error"] == "RuntimeError: boom"
