"""`--app`: the graph FastAPI builds for a running app, and the cross-check against the static graph."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

LOOPED = {
    "looped/__init__.py": "",
    "looped/main.py": """\
import sys
from fastapi import APIRouter, Depends, FastAPI
def get_db():
    yield 1
def pick():
    return get_db
def audit():
    return 1
app = FastAPI()
router = APIRouter()
@router.get("/static")
def static_route(db=Depends(get_db)):
    return 1
@router.get("/dynamic")
def dynamic(x=Depends(getattr(sys.modules[__name__], "audit"))):
    return 1
for name in ("a", "b"):
    def handler(db=Depends(pick())):
        return 1
    app.add_api_route(f"/{name}", handler, methods=["GET"], name=name)
app.include_router(router, prefix="/api", dependencies=[Depends(audit)])
""",
}


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "wirelint", *args], cwd=cwd, capture_output=True, text=True)


def write(root: Path, files: dict[str, str]) -> None:
    for relative, source in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(source)


def test_runtime_graph_of_the_sample_app_equals_the_static_one():
    result = run("check", "sample_app", "--no-cache", "--app", "sample_app.main:create_app()", "-f", "concise",
                 cwd=REPO)
    assert result.returncode == 1  # the sample app's findings
    assert result.stdout.splitlines()[-2:] == [
        "Cross-check with the running app sample_app.main:create_app() (static app: "
        "sample_app.main.create_app.<locals>.app): 44 routes and 181 dependency edges agree, 0 differences.",
        # the called-dependency router is deliberately not mounted (calling it would fail at start-up)
        "  not compared: 1 static route that this app does not serve (routers no app includes, or another app's)"]
    assert result.stderr.splitlines() == [
        "wirelint: importing sample_app.main:create_app() to read the graph FastAPI builds (--app runs your "
        "code; wirelint's static analysis never does)"]


def test_runtime_graph_json_and_the_differences_explained(tmp_path):
    write(tmp_path, LOOPED)
    graph = run("graph", "--app", "looped.main:app", cwd=tmp_path)
    assert graph.returncode == 0, graph.stderr
    document = json.loads(graph.stdout)
    endpoints = {node["id"]: node for node in document["nodes"] if node["kind"] == "endpoint"}
    assert sorted((route["path"], node_id) for node_id, node in endpoints.items() for route in node["routes"]) == [
        ("/a", "looped.main.handler"), ("/api/dynamic", "looped.main.dynamic"),
        ("/api/static", "looped.main.static_route"), ("/b", "looped.main.handler")]
    assert {(e["source"], e["target"], e["via"], e["parameter"]) for e in document["edges"]} == {
        ("looped.main.dynamic", "looped.main.audit", "param", "x"),
        ("looped.main.dynamic", "looped.main.audit", "dependencies", None),
        ("looped.main.handler", "looped.main.get_db", "param", "db"),
        ("looped.main.static_route", "looped.main.get_db", "param", "db"),
        ("looped.main.static_route", "looped.main.audit", "dependencies", None),
    }
    assert endpoints["looped.main.static_route"]["path"] == "looped/main.py"

    check = run("check", "looped", "--no-cache", "--app", "looped.main:app", cwd=tmp_path)
    assert check.returncode == 0, check.stderr
    section = check.stdout.split("\n\n", 1)[1].splitlines()
    assert section == [
        "Cross-check with the running app looped.main:app (static app: looped.main.app): 2 routes and 4 "
        "dependency edges agree, 5 differences.",
        "  route only at run time: GET /a -> looped.main.handler",
        "    why: the path is computed at run time; static analysis knows it as /{?unpacked} (placeholders in {?...})",
        "  route only at run time: GET /b -> looped.main.handler",
        "    why: the path is computed at run time; static analysis knows it as /{?unpacked} (placeholders in {?...})",
        "  route only in the static graph: GET /{?unpacked} -> looped.main.handler",
        "    why: a path static analysis could not compute (placeholders in {?...}); the run-time routes above are "
        "the real ones",
        "  edge only at run time: looped.main.dynamic -> looped.main.audit (param)",
        "    why: a callable computed at run time: static analysis sees builtins.getattr() there, FastAPI got this one",
        "  edge only in the static graph: looped.main.dynamic -> builtins.getattr() (param)",
        "    why: what static analysis could name of a callable computed at run time; FastAPI got looped.main.audit",
    ]


def test_app_errors_are_one_line_and_exit_2(tmp_path):
    (tmp_path / "broken.py").write_text("raise RuntimeError('boom at import')\n")
    (tmp_path / "quits.py").write_text("import sys\nsys.exit(3)\n")
    for reference, message in [
        ("broken:app", "wirelint: error: could not build broken:app: RuntimeError: boom at import"),
        ("quits:app", "wirelint: error: could not build quits:app: SystemExit: 3"),
        ("nocolon", "wirelint: error: --app 'nocolon': expected MODULE:ATTRIBUTE, e.g. app.main:app"),
    ]:
        result = run("graph", "--app", reference, cwd=tmp_path)
        assert (result.returncode, result.stderr.splitlines()[-1]) == (2, message)


def test_static_path_never_imports_the_runtime_package():
    code = ("import sys; from pathlib import Path; from wirelint.analyzer import analyze; "
            "from wirelint.rules import all_rules, run_rules; from wirelint.report import graph_view, findings; "
            "index = analyze([Path('sample_app')], cache_dir=None); run_rules(index, [r() for r in all_rules()]); "
            "print(sorted(m for m in sys.modules if m.startswith(('wirelint.runtime', 'fastapi', 'sample_app'))))")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert (result.returncode, result.stdout) == (0, "[]\n"), result.stderr


def test_the_tree_fastapi_builds_is_the_static_tree(tmp_path):
    """Order, async/sync, yield, uncached, shared and lifetimes: the running app's tree is the static one;
    only the names of the lists differ (at run time FastAPI has merged app, router and decorator lists)."""
    import re
    import textwrap

    sys.path.insert(0, str(REPO / "tests" / "report"))
    try:
        from test_graph_tree import SHOP
    finally:
        sys.path.pop(0)
    for relative, source in SHOP.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(textwrap.dedent(source).lstrip("\n"))
    static = run("graph", "shop", "--format", "tree", "--no-cache", cwd=tmp_path)
    runtime = run("graph", "--app", "shop.main:app", "--format", "tree", cwd=tmp_path)
    assert static.returncode == runtime.returncode == 0
    assert re.sub(r"\[(app|router|include|decorator)\]", "[dependencies]", static.stdout) == runtime.stdout
    assert "[dependencies] deps.new_id  sync · call" in runtime.stdout
