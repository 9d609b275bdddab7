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
    return {"routes": routes, "edges": fastapi_edges(graph, set(endpoints))}


def compare(static: dict, runtime: dict) -> list[str]:
    assert "error" not in runtime, runtime
    runtime_routes = {(e, tuple(m), p) for e, m, p in runtime["routes"]}
    runtime_edges = {(source, CONTAINER if target.startswith(CONTAINER_LIBRARIES) else target, kind)
                     for source, target, kind in runtime["edges"] if not source.startswith(CONTAINER_LIBRARIES)}
    problems = []
    for label, ours, theirs in (("route", static["routes"], runtime_routes), ("edge", static["edges"], runtime_edges)):
        problems += [f"{label} only in wirelint: {item}" for item in sorted(ours - theirs)]
        problems += [f"{label} only in FastAPI: {item}" for item in sorted(theirs - ours)]
    return problems


def test_sample_app_matches_runtime(worker):
    runtime = worker.document(REPO, "sample_app.main:app")
    static = static_document(REPO, "sample_app", "sample_app.main.create_app.<locals>.app")
    assert compare(static, runtime) == []
    assert len(static["routes"]) == 36 and len(static["edges"]) > 100


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
        "from functools import partial\nfrom fastapi import APIRouter, Depends, FastAPI\n"
        "def get_db():\n    yield 1\n"
        "def paged(size: int, db=Depends(get_db)):\n    return size\n"
        "class Checker:\n    def __call__(self, db=Depends(get_db)):\n        return True\n"
        "checker = Checker()\n"
        "router = APIRouter(prefix='/r', dependencies=[Depends(checker)])\n"
        "@router.get('/items')\ndef items(p=Depends(partial(paged, 5))):\n    return []\n"
        "app = FastAPI()\napp.include_router(router, prefix='/api')\n"
    )
    path = str(package / "main.py")
    assert worker.document(tmp_path, "oracle_hand.main:app") == {
        "routes": [["oracle_hand.main.items", ["GET"], "/api/r/items"]],
        "edges": [
            ["oracle_hand.main.checker", "oracle_hand.main.get_db", "param"],
            ["oracle_hand.main.items", "oracle_hand.main.checker", "list"],
            ["oracle_hand.main.items", "oracle_hand.main.paged", "param"],
            ["oracle_hand.main.paged", "oracle_hand.main.get_db", "param"],
        ],
        "parameters": [
            ["oracle_hand.main.checker", "oracle_hand.main.get_db", "db"],
            ["oracle_hand.main.items", "oracle_hand.main.paged", "p"],
            ["oracle_hand.main.paged", "oracle_hand.main.get_db", "db"],
        ],
        "nodes": {
            "oracle_hand.main.checker": {"kind": "instance", "yields": False, "path": path, "line": 10,
                                         "class": "oracle_hand.main.Checker"},
            "oracle_hand.main.get_db": {"kind": "provider", "yields": True, "path": path, "line": 3},
            "oracle_hand.main.items": {"kind": "endpoint", "yields": False, "path": path, "line": 12},
            "oracle_hand.main.paged": {"kind": "provider", "yields": False, "path": path, "line": 5},
        },
    }


def test_worker_reports_import_errors(worker, tmp_path):
    (tmp_path / "oracle_broken.py").write_text("raise RuntimeError('boom')\n")
    response = worker.document(tmp_path, "oracle_broken:app")
    assert response["error"] == "RuntimeError: boom"
