"""wirelint reads code and never runs it: a project whose every module writes a sentinel file, exits and raises
at import (and in its decorators, default values, class bodies and `__main__` blocks) is checked and drawn in
every format, and no sentinel appears; the static path imports neither FastAPI nor the analyzed code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import require_program


def trap(sentinels: Path, name: str) -> str:
    """Code that leaves a trace, then exits, then raises: whichever runs first gives the game away. Builtins
    only, so that it works in a module shadowing the standard library (`re.py`) too."""
    return (f"open({str(sentinels / name)!r}, 'w').write('imported')\n"
            f"__import__('sys').exit(3)\n"
            f"raise RuntimeError('wirelint imported {name}')\n")


def touch(sentinels: Path, what: str) -> str:
    """An expression that leaves a trace when evaluated."""
    return f"open({str(sentinels / what)!r}, 'w').write('evaluated')"


def write_project(root: Path, sentinels: Path) -> None:
    def module(relative: str, body: str = "") -> None:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(trap(sentinels, relative.replace("/", ".")) + textwrap.dedent(body))

    module("setup.py", "from setuptools import setup\nsetup(name='svc')\n")
    module("conftest.py", "import pytest\n@pytest.fixture\ndef client():\n    return None\n")
    for shadow in ("functools.py", "typing.py", "json.py", "re.py", "enum.py", "ast.py", "tomllib.py"):
        module(shadow)  # the standard library's names, at the root the command runs from
    module("svc/__init__.py", f"{touch(sentinels, 'package-body')}\n")
    module("svc/deps.py", f"""
        from fastapi import Depends


        def get_settings(trace={touch(sentinels, 'default-value')}):
            return {{}}


        def get_db(settings=Depends(get_settings)):
            yield settings


        class Repo:
            {touch(sentinels, 'class-body')}

            def __init__(self, db=Depends(get_db)):
                self.db = db


        def __getattr__(name):
            {touch(sentinels, 'module-getattr')}
    """)
    module("svc/routers/__init__.py")
    module("svc/routers/items.py", f"""
        from fastapi import APIRouter, Depends

        from svc.deps import Repo, get_settings

        router = APIRouter(prefix="/items", dependencies=[Depends(get_settings)])


        def traced(function):
            {touch(sentinels, 'decorator')}
            return function


        @router.get("/{{item_id}}")
        @traced
        def read_item(item_id: int, repo: Repo = Depends()):
            return repo
    """)
    module("svc/main.py", f"""
        from fastapi import Depends, FastAPI

        from svc.deps import get_db
        from svc.routers import items

        app = FastAPI(on_startup=[lambda: {touch(sentinels, 'startup')}])
        app.include_router(items.router)


        @app.get("/health")
        def health(db=Depends(get_db)):
            return {{"ok": True}}


        if __name__ == "__main__":
            {touch(sentinels, 'main-block')}
    """)
    module("tests/__init__.py")
    module("tests/conftest.py", """
        import pytest

        from svc.main import app


        @pytest.fixture
        def overridden():
            app.dependency_overrides[object] = lambda: 1
            yield
            app.dependency_overrides.clear()
    """)
    module("tests/test_api.py", "def test_health(overridden):\n    assert True\n")


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, Path]:
    root, sentinels = tmp_path / "project", tmp_path / "sentinels"
    sentinels.mkdir()
    write_project(root, sentinels)
    return root, sentinels


def wirelint_command() -> list[str]:
    """The console script, as users, pre-commit and the GitHub Action run it. (`python -m wirelint` from the
    project's root would put that root first on sys.path - Python's rule for -m - so a `functools.py` there
    would be imported by Python itself; `python -P -m wirelint` avoids that.)"""
    script = Path(sys.executable).with_name("wirelint")
    return [str(script)] if script.is_file() else [sys.executable, "-P", "-m", "wirelint"]


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*wirelint_command(), *args], cwd=cwd, capture_output=True, text=True, timeout=120)


EXPECTED_NODES = [
    ("svc.deps.Repo", "class", "svc/deps.py", 16),
    ("svc.deps.get_db", "provider", "svc/deps.py", 12),
    ("svc.deps.get_settings", "provider", "svc/deps.py", 8),
    ("svc.main.health", "endpoint", "svc/main.py", 15),
    ("svc.routers.items.read_item", "endpoint", "svc/routers/items.py", 19),
]
EXPECTED_EDGES = [
    ("svc.deps.Repo", "svc.deps.get_db", "param"),
    ("svc.deps.get_db", "svc.deps.get_settings", "param"),
    ("svc.main.health", "svc.deps.get_db", "param"),
    ("svc.routers.items.read_item", "svc.deps.Repo", "param"),
    ("svc.routers.items.read_item", "svc.deps.get_settings", "router"),
]


def test_check_and_graph_never_run_the_project(project):
    root, sentinels = project
    check = run("check", "--no-cache", cwd=root)
    assert (check.returncode, check.stderr, check.stdout) == (0, "", "All clear: 17 files checked, no findings.\n")

    graph = run("graph", "--no-cache", cwd=root)
    assert graph.returncode == 0, graph.stderr
    document = json.loads(graph.stdout)
    assert [(n["id"], n["kind"], n["path"], n["line"]) for n in document["nodes"]] == EXPECTED_NODES
    assert [(e["source"], e["target"], e["via"]) for e in document["edges"]] == EXPECTED_EDGES
    (read_item,) = [n for n in document["nodes"] if n["id"] == "svc.routers.items.read_item"]
    assert [(r["methods"], r["path"]) for r in read_item["routes"]] == [(["GET"], "/items/{item_id}")]

    formats = ["dot", "mermaid", "html", "markdown"]
    try:
        require_program("dot")
        formats.append("svg")
    except pytest.skip.Exception:
        pass
    for fmt in formats:
        drawn = run("graph", "--format", fmt, "--output", f"graph.{fmt}", cwd=root)
        assert drawn.returncode == 0, (fmt, drawn.stderr)
        assert "read_item" in (root / f"graph.{fmt}").read_text(), fmt
    assert sorted(os.listdir(sentinels)) == []


STATIC_PATH = """
import json, sys
from pathlib import Path

project = Path(sys.argv[1]).resolve()
from wirelint.analyzer import analyze
from wirelint.report.findings import make_report, render_json, render_sarif, render_text
from wirelint.report.graph_html import render_html
from wirelint.report.graph_json import render_graph_json
from wirelint.report.graph_text import render_dot, render_mermaid
from wirelint.report.graph_view import build_view
from wirelint.rules import all_rules, run_rules

index = analyze([project], jobs=2)
rules = all_rules()
findings = run_rules(index, [rule() for rule in rules])
report = make_report(findings, len(index.sources), len(index.parse_errors))
render_json(report), render_text(report), render_sarif(report, rules, project.as_uri() + "/", "0")
view = build_view(index.graph, report.findings, modules=list(index.sources))
render_graph_json(index), render_dot(view), render_mermaid(view), render_html(view.to_dict())
loaded = {name: getattr(module, "__file__", None) for name, module in list(sys.modules.items())}
print(json.dumps({"nodes": len(index.graph), "loaded": loaded}))
"""


def test_the_static_path_imports_neither_fastapi_nor_the_project(project):
    root, sentinels = project
    # -P: the current directory (the project) is not put on sys.path, as for the console script.
    result = subprocess.run([sys.executable, "-P", "-c", STATIC_PATH, str(root)], cwd=root, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    assert output["nodes"] == len(EXPECTED_NODES)
    loaded = output["loaded"]
    third_party = sorted(name for name in loaded if name.split(".")[0] in ("fastapi", "starlette", "pydantic",
                                                                          "pydantic_core", "uvicorn", "httpx"))
    assert third_party == []
    from_project = sorted(name for name, file in loaded.items() if file and Path(file).resolve().is_relative_to(root))
    assert from_project == []
    assert not {"svc", "svc.main", "svc.deps", "conftest", "setup", "tests"} & set(loaded)
    assert sorted(os.listdir(sentinels)) == []


class _Payload:
    """Pickles as a call of `os.system`: what a cache file committed to a pull request could hold."""

    def __init__(self, command: str) -> None:
        self.command = command

    def __reduce__(self):
        return (os.system, (self.command,))


@pytest.mark.parametrize("name", ["facts.pickle", "result.pickle", "findings.pickle"])
def test_a_planted_cache_file_runs_nothing(project, name):
    import pickle

    root, sentinels = project
    cache = root / ".wirelint_cache"
    cache.mkdir()
    planted = _Payload(f"touch {sentinels / 'cache-ran'}")
    payload = {"key": planted} if name == "facts.pickle" else ("key", planted)
    (cache / name).write_bytes(pickle.dumps(payload))
    check = run("check", cwd=root)
    assert (check.returncode, check.stderr, check.stdout) == (0, "", "All clear: 17 files checked, no findings.\n")
    assert sorted(os.listdir(sentinels)) == []
    again = run("check", cwd=root)  # the planted file was replaced by a real cache
    assert again.stdout == check.stdout and sorted(os.listdir(sentinels)) == []


def test_planted_entries_inside_a_real_facts_pack_run_nothing(project):
    """The pack keeps each file's facts pickled on their own: entries are unpickled as restrictively as the
    pack, so a pack whose every entry was replaced by a payload is read as a cache miss, then rebuilt."""
    import pickle

    root, sentinels = project
    first = run("check", cwd=root)
    pack = root / ".wirelint_cache" / "facts.pickle"
    entries = pickle.loads(pack.read_bytes())
    assert entries and all(isinstance(blob, bytes) for blob in entries.values())
    payload = pickle.dumps(_Payload(f"touch {sentinels / 'entry-ran'}"))
    pack.write_bytes(pickle.dumps({key: payload for key in entries}))
    (root / ".wirelint_cache" / "result.pickle").unlink()
    (root / ".wirelint_cache" / "findings.pickle").unlink()
    again = run("check", cwd=root)
    assert (again.returncode, again.stdout) == (first.returncode, first.stdout)
    assert sorted(os.listdir(sentinels)) == []
