"""Graph views and their renderings (DOT, SVG/PNG, Mermaid, Markdown): exact text on small graphs, and the
`graph` command's errors for them."""

from __future__ import annotations

import subprocess
import sys

import pytest

from wirelint.analyzer.models import Location
from wirelint.report.graph_text import (MERMAID_MAX_CHARACTERS, RenderError, dot_string, mermaid_flowchart,
                                        mermaid_text, render_dot, render_image, render_markdown, render_mermaid)
from wirelint.report.graph_view import (GraphView, ViewEdge, ViewError, ViewNode, build_view, collapse_modules,
                                        counted)
from wirelint.rules import all_rules, run_rules
from wirelint.rules.base import Finding

from conftest import require_program

FILES = {
    "app.py": """
        from fastapi import APIRouter, Depends
        router = APIRouter(prefix="/r", dependencies=[Depends(lambda: 1)])
        def get_db():
            yield 1
        def make(role):
            def check(db=Depends(get_db)):
                return role
            return check
        @router.get("/x")
        def x(db=Depends(get_db), c=Depends(make("admin")), u=Depends(unknown_thing)):
            return 1
    """,
}

CYCLE = {
    "svc/__init__.py": "",
    "svc/a.py": """
        from fastapi import Depends
        from svc import b
        def get_a(x=Depends(b.get_b)):
            return x
        def get_db():
            return 1
    """,
    "svc/b.py": """
        from fastapi import Depends
        from svc import a
        def get_b(y=Depends(a.get_a), db=Depends(a.get_db)):
            return y
    """,
    "svc/api.py": """
        from fastapi import APIRouter, Depends
        from svc import a, b
        router = APIRouter()
        @router.get("/items/{item_id}")
        def item(item_id: int, v=Depends(b.get_b)):
            return v
        @router.post("/items")
        def create(db=Depends(a.get_db)):
            return db
    """,
}


def view_of(index, **options):
    findings = run_rules(index, [rule() for rule in all_rules()])
    return build_view(index.graph, findings, modules=list(index.modules), title="t", **options)


def test_mermaid(analyze_project):
    text = render_mermaid(view_of(analyze_project(FILES)))
    assert text.splitlines() == [
        "flowchart LR",
        '    n0("app.&lt;lambda&gt;")',
        '    n1("app.get_db<br/>(yields)")',
        '    n2("app.make.&lt;locals&gt;.check")',
        '    n3["app.x<br/>GET /r/x"]',
        '    n4>"unresolved: unknown_thing<br/>name \'unknown_thing\' is not defined in app"]',
        "    n2 --> n1",
        "    n3 -.->|router| n0",
        "    n3 --> n1",
        "    n3 --> n2",
        "    n3 --> n4",
        "    classDef kind_endpoint fill:#dbeafe",
        "    class n3 kind_endpoint",
        "    classDef kind_unresolved fill:#fee2e2,stroke:#b91c1c,stroke-dasharray:4",
        "    class n4 kind_unresolved",
        "    classDef yields stroke:#0f766e,stroke-width:2px,stroke-dasharray:6 2",
        "    class n1 yields",
    ]


def test_mermaid_clusters_cycles_and_findings(analyze_project):
    text = render_mermaid(view_of(analyze_project(CYCLE), cluster="module"))
    assert text.splitlines() == [
        "flowchart LR",
        '    subgraph c0["svc.a"]',
        '        n0("get_a<br/>findings: DI001")',
        '        n1("get_db")',
        "    end",
        '    subgraph c1["svc.api"]',
        '        n2["create<br/>POST /items"]',
        '        n3["item<br/>GET /items/{item_id}"]',
        "    end",
        '    subgraph c2["svc.b"]',
        '        n4("get_b")',
        "    end",
        "    n0 --> n4",
        "    n2 --> n1",
        "    n3 --> n4",
        "    n4 --> n0",
        "    n4 --> n1",
        "    classDef kind_endpoint fill:#dbeafe",
        "    class n2,n3 kind_endpoint",
        "    classDef finding stroke:#b91c1c,stroke-width:3px",
        "    class n0 finding",
        "    linkStyle 0,3 stroke:#dc2626,stroke-width:3px",
    ]


def test_dot_quotes_names_and_draws_cycles_red(analyze_project):
    text = render_dot(view_of(analyze_project(FILES)))
    lines = text.splitlines()
    assert lines[0] == "digraph wirelint {"
    assert '\t"app.x" -> "app.<lambda>" [style="dashed" label="router"]' in lines
    assert '\t"app.x" -> "unresolved:app:10:unknown_thing"' in lines  # quoted: never read as a node port
    assert ('\t"app.<lambda>" [label="app.<lambda>" shape="ellipse" style="filled" fillcolor="#f1f5f9" '
            'tooltip="app.<lambda>"]') in lines
    assert text == render_dot(view_of(analyze_project(FILES)))
    cyclic = render_dot(view_of(analyze_project(CYCLE), cluster="module")).splitlines()
    assert '\t"svc.a.get_a" -> "svc.b.get_b" [color="#dc2626" penwidth="2" fontcolor="#dc2626"]' in cyclic
    assert '\t"svc.b.get_b" -> "svc.a.get_db"' in cyclic
    assert '\tsubgraph "cluster_svc.a" {' in cyclic
    assert any(line.startswith('\t\t"svc.a.get_a" [label="get_a\\nfindings: DI001"') and 'color="#b91c1c"' in line
               for line in cyclic)


def test_untrusted_text_is_quoted_for_dot_and_mermaid():
    assert dot_string('a"b\\n\nc') == '"a\\"b\\\\n c"'
    assert mermaid_text('/x/{id}"|`<script>#1;&\\') == "/x/{id}&quot;|&grave;&lt;script&gt;&num;1;&amp;&bsol;"


def test_focus_depth_reverse_route_and_hide_unresolved(analyze_project):
    index = analyze_project(CYCLE)
    ids = lambda view: [node.id for node in view.nodes]  # noqa: E731
    assert ids(view_of(index, route="GET /items/{item_id}")) == [
        "svc.a.get_a", "svc.a.get_db", "svc.api.item", "svc.b.get_b"]
    assert ids(view_of(index, route="GET /items/{item_id}", depth=1)) == ["svc.api.item", "svc.b.get_b"]
    assert ids(view_of(index, route="/items")) == ["svc.a.get_db", "svc.api.create"]
    assert ids(view_of(index, focus="get_db", reverse=True)) == [
        "svc.a.get_a", "svc.a.get_db", "svc.api.create", "svc.api.item", "svc.b.get_b"]
    assert ids(view_of(index, focus="svc.a.get_db")) == ["svc.a.get_db"]
    focused = view_of(index, focus="get_b", depth=1)
    assert ids(focused) == ["svc.a.get_a", "svc.a.get_db", "svc.b.get_b"] and focused.hidden == 2


def test_hide_unresolved(analyze_project):
    view = view_of(analyze_project(FILES), hide_unresolved=True)
    assert [node.id for node in view.nodes] == ["app.<lambda>", "app.get_db", "app.make.<locals>.check", "app.x"]
    assert view.hidden == 1


def test_view_errors_name_what_exists(analyze_project):
    index = analyze_project(CYCLE)
    with pytest.raises(ViewError, match=r"--route 'GET /nope' matches no route \(for example: "):
        view_of(index, route="GET /nope")
    with pytest.raises(ViewError, match="expected 'METHOD /path'"):
        view_of(index, route="items")
    with pytest.raises(ViewError, match="names no node"):
        view_of(index, focus="missing")
    with pytest.raises(ViewError, match="--depth needs --focus or --route"):
        view_of(index, depth=2)
    with pytest.raises(ViewError, match="^--reverse needs --focus or --route$"):
        view_of(index, reverse=True)


def test_router_clusters_and_collapse(analyze_project):
    index = analyze_project(CYCLE)
    clusters = {node.id: node.cluster for node in view_of(index, cluster="router").nodes}
    assert clusters == {"svc.a.get_a": "svc.api.router", "svc.a.get_db": "svc.api.router",
                        "svc.api.create": "svc.api.router", "svc.api.item": "svc.api.router",
                        "svc.b.get_b": "svc.api.router"}
    collapsed = view_of(index, collapse=True)
    assert [(n.id, n.kind, n.detail, n.findings) for n in collapsed.nodes] == [
        ("svc.a", "module", ("2 providers",), ("DI001",)),
        ("svc.api", "module", ("2 endpoints",), ()),
        ("svc.b", "module", ("1 provider",), ()),
    ]
    assert [(e.source, e.target, e.in_cycle) for e in collapsed.edges] == [
        ("svc.a", "svc.b", True), ("svc.api", "svc.a", False), ("svc.api", "svc.b", False), ("svc.b", "svc.a", True)]


def test_markdown_report(analyze_project):
    text = render_markdown(view_of(analyze_project(CYCLE)))
    lines = text.splitlines()
    assert lines[0] == "## t"
    assert lines[2] == "5 nodes (2 endpoints, 3 providers), 5 edges, 2 on cycles."
    assert lines[4] == "**1 finding**: DI001 × 1"
    assert lines[6:8] == ["| code | location | message |", "|---|---|---|"]
    assert lines[8].startswith("| DI001 dependency-cycle | svc/a.py:3 | ")
    assert "```mermaid" in lines and lines[-1] == "</details>"


def test_svg_and_png_come_from_dot(analyze_project):
    require_program("dot")
    view = view_of(analyze_project(CYCLE))
    svg = render_image(view, "svg").decode()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg and svg.count('class="node"') == 5
    assert "&lt;lambda&gt;" not in svg and 'stroke="#dc2626"' in svg
    assert render_image(view, "png").startswith(b"\x89PNG\r\n\x1a\n")


def run_cli(*args: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "wirelint", *args], cwd=cwd, capture_output=True, text=True)


def test_reverse_needs_a_focus_or_a_route(analyze_project, tmp_path):
    analyze_project(CYCLE)
    for extra in ((), ("--format", "json"), ("--format", "mermaid", "--depth", "1")):
        result = run_cli("graph", ".", "--reverse", "--no-cache", *extra, cwd=tmp_path)
        message = "--depth needs --focus or --route" if "--depth" in extra else "--reverse needs --focus or --route"
        assert (result.returncode, result.stdout, result.stderr) == (2, "", f"wirelint: error: {message}\n")
    focused = run_cli("graph", ".", "--reverse", "--focus", "get_db", "-f", "mermaid", "--no-cache", cwd=tmp_path)
    assert focused.returncode == 0 and focused.stderr == ""


INNER_CYCLE = {
    "pkg/__init__.py": "",
    "pkg/deps.py": """
        from __future__ import annotations
        from typing import Annotated
        from fastapi import Depends
        def get_a(b: Annotated[int, Depends(get_b)]):
            return b
        def get_b(a: Annotated[int, Depends(get_a)], db: Annotated[int, Depends(get_db)]):
            return a
        def get_db():
            return 1
    """,
    "pkg/api.py": """
        from fastapi import APIRouter, Depends
        from pkg import deps
        router = APIRouter()
        @router.get("/a")
        def read(a=Depends(deps.get_a)):
            return a
    """,
}


def test_collapse_keeps_a_cycle_inside_one_module_as_a_red_self_loop(analyze_project):
    view = view_of(analyze_project(INNER_CYCLE), collapse=True)
    assert [(n.id, n.detail, n.findings) for n in view.nodes] == [
        ("pkg.api", ("1 endpoint",), ()),
        ("pkg.deps", ("3 providers", "cycle inside (2 nodes)"), ("DI001",)),
    ]
    # the module's other inner edge (get_b -> get_db) is left out; the cycle's edges become one red self-loop
    assert [(e.source, e.target, e.in_cycle) for e in view.edges] == [
        ("pkg.api", "pkg.deps", False), ("pkg.deps", "pkg.deps", True)]
    dot = render_dot(view).splitlines()
    assert '\t"pkg.deps" -> "pkg.deps" [color="#dc2626" penwidth="2" fontcolor="#dc2626"]' in dot
    assert ('\t"pkg.deps" [label="pkg.deps\\n3 providers\\ncycle inside (2 nodes)\\nfindings: DI001" shape="folder" '
            'style="filled" fillcolor="#e0e7ff" tooltip="pkg.deps: DI001" color="#b91c1c" penwidth="2"]') in dot
    assert render_mermaid(view).splitlines() == [
        "flowchart LR",
        '    n0[/"pkg.api<br/>1 endpoint"/]',
        '    n1[/"pkg.deps<br/>3 providers<br/>cycle inside (2 nodes)<br/>findings: DI001"/]',
        "    n0 --> n1",
        "    n1 --> n1",
        "    classDef kind_module fill:#e0e7ff",
        "    class n0,n1 kind_module",
        "    classDef finding stroke:#b91c1c,stroke-width:3px",
        "    class n1 finding",
        "    linkStyle 1 stroke:#dc2626,stroke-width:3px",
    ]
    assert collapse_modules(view) == view  # collapsing twice changes nothing
    assert view_of(analyze_project(INNER_CYCLE), collapse=True, cluster="module").edges == view.edges


STORE = {
    "app/__init__.py": "",
    "app/store.py": """
        from fastapi import Depends
        registry = {}
        def get_store():
            return registry
    """,
    "app/api.py": """
        from fastapi import APIRouter, Depends
        from app.store import get_store
        router = APIRouter()
        @router.get("/s")
        def read(s=Depends(get_store)):
            return s
    """,
    "app/jobs.py": "x = 1\n",
}


def module_level_findings() -> list[Finding]:
    """One finding in module-level code of a module the graph has nodes of, one in a file it has none of."""
    return [
        Finding("DI004", "module-session-singleton", "error", "a session at import time",
                Location("app/store.py", 2, 1, 2, 14)),
        Finding("DI005", "override-not-restored", "warning", "an override leaks", Location("app/jobs.py", 1, 1, 1, 6)),
    ]


def test_findings_in_no_node_are_drawn_on_their_module_or_in_a_box(analyze_project):
    index = analyze_project(STORE)

    def view(**options):
        return build_view(index.graph, module_level_findings(), modules=list(index.modules), title="t", **options)

    flat = view()
    assert [(f.code, f.node, f.module, f.cluster) for f in flat.findings] == [
        ("DI005", None, None, None), ("DI004", None, "app.store", None)]
    assert [f.code for f in flat.loose_findings()] == ["DI005", "DI004"]
    box = ('\t"wirelint:findings-outside-nodes" [label="2 findings outside the drawn nodes\\l'
           'DI005 override-not-restored: app/jobs.py:1\\lDI004 module-session-singleton: app/store.py:2\\l" '
           'shape="note" style="filled" fillcolor="#fef2f2" color="#b91c1c" penwidth="2" fontcolor="#7f1d1d" '
           'tooltip="findings in module-level code or in files the picture draws no node of"]')
    assert box in render_dot(flat).splitlines()
    mermaid = render_mermaid(flat).splitlines()
    assert ('    nf["2 findings outside the drawn nodes<br/>DI005 override-not-restored: app/jobs.py:1<br/>'
            'DI004 module-session-singleton: app/store.py:2"]') in mermaid
    assert mermaid[-2:] == ["    classDef outside fill:#fef2f2,stroke:#b91c1c,stroke-width:2px,color:#7f1d1d",
                            "    class nf outside"]

    clustered = view(cluster="module")  # DI004 goes on the cluster of app.store, DI005 stays in the box
    assert [(f.code, f.cluster) for f in clustered.findings] == [("DI005", None), ("DI004", "app.store")]
    assert clustered.cluster_findings() == {"app.store": ("DI004",)}
    dot = render_dot(clustered).splitlines()
    assert ('\t\tgraph [label="app.store\\nfindings: DI004" style="rounded,filled" fillcolor="#f8fafc" '
            'color="#b91c1c" penwidth=2 fontcolor="#b91c1c" fontsize=11]') in dot
    assert '\t\tgraph [label="app.api" style="rounded,filled" fillcolor="#f8fafc" color="#cbd5e1" fontsize=11]' in dot
    assert any(line.startswith('\t"wirelint:findings-outside-nodes" [label="1 finding outside the drawn nodes\\l'
                               'DI005 ') for line in dot)
    mermaid = render_mermaid(clustered).splitlines()
    assert '    subgraph c1["app.store · findings: DI004"]' in mermaid
    assert mermaid[-1] == "    style c1 stroke:#b91c1c,stroke-width:3px"

    collapsed = view(collapse=True)  # DI004 goes on the module's node
    assert [(n.id, n.findings) for n in collapsed.nodes] == [("app.api", ()), ("app.store", ("DI004",))]
    assert [(f.code, f.node) for f in collapsed.findings] == [("DI005", None), ("DI004", "app.store")]
    assert '    n1[/"app.store<br/>1 provider<br/>findings: DI004"/]' in render_mermaid(collapsed).splitlines()

    # a focused view keeps the module-level findings of the modules it draws a node of
    assert [f.code for f in view(focus="read").findings] == ["DI004"]
    assert [f.code for f in view(focus="read", depth=0).findings] == []
    assert view(focus="read", depth=0).to_dict()["findings"] == []
    assert flat.to_dict()["findings"][1] == {
        "code": "DI004", "name": "module-session-singleton", "severity": "error", "message": "a session at import time",
        "path": "app/store.py", "line": 2, "node": None, "module": "app.store", "cluster": None,
        "summary": flat.findings[1].summary, "explanation": flat.findings[1].explanation}


def wide_project(root, endpoints: int = 260) -> None:
    """`endpoints` routes in api.py that each use the two providers of deps.py: 2 * endpoints edges."""
    lines = ["from fastapi import APIRouter, Depends", "from deps import a, b", "router = APIRouter()"]
    for number in range(endpoints):
        lines += [f"@router.get('/r{number}')", f"def r{number}(x=Depends(a), y=Depends(b)):", "    return 1"]
    (root / "api.py").write_text("\n".join(lines) + "\n")
    (root / "deps.py").write_text("def a():\n    return 1\ndef b():\n    return 2\n")


def test_mermaid_over_its_edge_limit_is_refused_and_markdown_draws_modules(tmp_path):
    wide_project(tmp_path)
    result = run_cli("graph", ".", "-f", "mermaid", "--no-cache", cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr.splitlines()) == (2, "", [
        "wirelint: error: the Mermaid graph would have 520 edges; Mermaid draws at most 500 edges and 50,000 "
        "characters (GitHub shows an error instead of the picture): draw less with --collapse (one node per module, "
        "1 edge), --route 'GET /path' or --focus NAME --depth 2, or use --format html or svg"])
    assert run_cli("graph", ".", "-f", "mermaid", "--collapse", "--no-cache", cwd=tmp_path).returncode == 0
    report = run_cli("graph", ".", "-f", "markdown", "--no-cache", cwd=tmp_path)
    assert report.returncode == 0
    assert report.stdout.splitlines() == [
        f"## wirelint: {tmp_path.name.replace('_', chr(92) + '_')}",  # the folder's name, Markdown-escaped
        "",
        "262 nodes (260 endpoints, 2 providers), 520 edges, 0 on cycles.",
        "",
        "No findings.",
        "",
        "<details><summary>Dependency graph, one node per module (the whole graph, 520 edges, is more than Mermaid "
        "draws)</summary>",
        "",
        "```mermaid",
        "flowchart LR",
        '    n0[/"api<br/>260 endpoints"/]',
        '    n1[/"deps<br/>2 providers"/]',
        "    n0 --> n1",
        "    classDef kind_module fill:#e0e7ff",
        "    class n0,n1 kind_module",
        "```",
        "",
        "</details>",
    ]


def module_web(modules: int) -> GraphView:
    """`modules` modules of one provider each, every module's provider using every later one's."""
    nodes = tuple(ViewNode(f"m{i:02d}.p", "provider", "p", (), f"m{i:02d}", None, f"m{i:02d}.py", 1, False, ())
                  for i in range(modules))
    edges = tuple(ViewEdge(a.id, b.id, ("param",), ("x",), False) for a in nodes for b in nodes if a.id < b.id)
    return GraphView("web", nodes, edges, (), 0)


def test_markdown_says_why_it_has_no_diagram_when_even_modules_are_too_many():
    view = module_web(35)
    assert len(view.edges) == len(collapse_modules(view).edges) == 595
    lines = render_markdown(view).splitlines()
    assert lines[2:] == [
        "35 nodes (35 providers), 595 edges, 0 on cycles.",
        "",
        "No findings.",
        "",
        "No dependency graph: it would have 595 edges, and 595 edges with one node per module; Mermaid draws at most "
        "500 edges and 50,000 characters (GitHub shows an error instead). `wirelint graph --format html` draws it "
        "all; `--route` or `--focus` narrow it.",
    ]
    with pytest.raises(RenderError) as refused:
        render_mermaid(view)
    assert str(refused.value) == (
        "the Mermaid graph would have 595 edges; Mermaid draws at most 500 edges and 50,000 characters (GitHub shows "
        "an error instead of the picture): draw less with --route 'GET /path' or --focus NAME --depth 2, or use "
        "--format html or svg")
    assert len(module_web(32).edges) == 496 and render_mermaid(module_web(32)).startswith("flowchart LR")


def test_mermaid_over_its_text_limit_is_refused():
    detail = ("GET /" + "x" * 295,)
    nodes = tuple(ViewNode(f"app.api.e{i:03d}", "endpoint", f"e{i:03d}", detail, "app.api", None, "app/api.py", i,
                           False, ()) for i in range(170))
    view = GraphView("long", nodes, (), (), 0)
    text = mermaid_flowchart(view)
    assert len(text) > MERMAID_MAX_CHARACTERS
    with pytest.raises(RenderError) as refused:
        render_mermaid(view)
    assert str(refused.value) == (
        f"the Mermaid graph would have {len(text):,} characters; Mermaid draws at most 500 edges and 50,000 "
        "characters (GitHub shows an error instead of the picture): draw less with --collapse (one node per module, "
        "0 edges), --route 'GET /path' or --focus NAME --depth 2, or use --format html or svg")
    assert render_markdown(view).splitlines()[6] == (
        f"<details><summary>Dependency graph, one node per module (the whole graph, {len(text):,} characters, is "
        "more than Mermaid draws)</summary>")


def test_counts_are_pluralised():
    assert [counted(n, word) for n, word in [(1, "endpoint"), (2, "endpoint"), (2, "class"), (1, "class"),
                                             (3, "factory"), (2, "unresolved"), (1_234, "edge")]] == [
        "1 endpoint", "2 endpoints", "2 classes", "1 class", "3 factories", "2 unresolved", "1,234 edges"]
    one = GraphView("t", module_web(2).nodes, module_web(2).edges, (), 1)
    assert render_markdown(one).splitlines()[2] == "2 nodes (2 providers), 1 edge, 0 on cycles; 1 node not shown."
    assert 'label="t (1 node not shown)"' in render_dot(one)


def _findings(count: int, message_length: int):
    from wirelint.report.graph_view import ViewFinding

    return tuple(ViewFinding("DI001", "dependency-cycle", "error", "m" * message_length, f"app/m{i:03}.py", i + 1,
                             None, None, None, "", "") for i in range(count))


def test_markdown_over_githubs_comment_limit_keeps_the_findings_first():
    from wirelint.report.graph_text import COMMENT_LIMIT, render_markdown

    many = render_markdown(GraphView("t", (), (), _findings(400, 300), 0))
    lines = many.splitlines()
    assert len(many) <= COMMENT_LIMIT
    listed = [line for line in lines if line.startswith("| DI001 ")]
    assert listed and len(listed) < 400 and listed[-1].startswith(f"| DI001 dependency-cycle | app/m{len(listed) - 1:03}.py:")
    assert lines[lines.index(listed[-1]) + 1] == (
        f"| … | | {400 - len(listed)} more findings not listed, to stay under GitHub's limit: see "
        "`wirelint check --format json` or the SARIF report |")
    assert lines[-1].startswith("_The diagram is left out: with it this report would be over GitHub's 65,536-")
    few = render_markdown(GraphView("t", (), (), _findings(3, 30), 0))
    assert "left out" not in few and "not listed" not in few and few.count("| DI001 ") == 3


def test_focus_finds_an_instance_by_its_class():
    from wirelint.analyzer.graph import DependencyGraph
    from wirelint.analyzer.models import Node
    from wirelint.report.graph_view import find_node

    graph = DependencyGraph()
    graph.add_node(Node("app.auth.checker", "instance", None, class_id="app.auth.RequestPermission"))
    graph.add_node(Node("app.deps.Paginator()", "instance", None, class_id="app.deps.Paginator"))
    graph.add_node(Node("app.deps.get_db", "provider", None))
    assert find_node(graph, "RequestPermission") == "app.auth.checker"
    assert find_node(graph, "app.auth.RequestPermission") == "app.auth.checker"
    assert find_node(graph, "Paginator") == "app.deps.Paginator()"
    assert find_node(graph, "get_db") == "app.deps.get_db"
    with pytest.raises(ViewError, match="names no node"):
        find_node(graph, "Missing")


# ---------------------------------------------------------------- containers and composition roots (graph v2)


def container_graph():
    """A lagom container, a dependency-injector container's providers and a composition root's constructor
    arguments: every container kind and via (docs/graph-model.md), a FastAPI param and decorator edge, and a
    cycle through constructors."""
    from wirelint.analyzer.graph import DependencyGraph
    from wirelint.analyzer.models import Edge, Node, RouteInfo

    def at(path: str, line: int) -> Location:
        return Location(path, line, 1, line + 2, 1)

    graph = DependencyGraph()
    for node_id, kind, path, line, extra in [
        ("app.api.create_order", "endpoint", "app/api.py", 10, {}),
        ("app.api.list_orders", "endpoint", "app/api.py", 20, {}),
        ("app.containers.Container.orders", "container-provider", "app/containers.py", 8,
         {"class_id": "app.services.OrderService", "provider_type": "factory"}),
        ("app.containers.Container.repository", "container-provider", "app/containers.py", 7,
         {"class_id": "app.repos.SqlOrderRepository", "provider_type": "singleton"}),
        ("app.cycle.Alpha", "class", "app/cycle.py", 1, {}),
        ("app.cycle.Beta", "class", "app/cycle.py", 5, {}),
        ("app.deps.get_db", "provider", "app/deps.py", 1, {"yields": True}),
        ("app.repos.OrderRepository", "class", "app/repos.py", 3, {}),
        ("app.repos.SqlOrderRepository", "class", "app/repos.py", 10, {}),
        ("app.services.Locator", "class", "app/services.py", 30, {}),
        ("app.services.OrderService", "class", "app/services.py", 4, {}),
        ("app.wiring.container", "container", "app/wiring.py", 3, {}),
    ]:
        graph.add_node(Node(node_id, kind, at(path, line), **extra))
    graph.add_route("app.api.create_order", RouteInfo(("POST",), "/orders", "app.main.app"))
    graph.add_route("app.api.list_orders", RouteInfo(("GET",), "/orders", "app.main.app"))
    for source, target, via, line, parameter in [
        ("app.api.create_order", "app.cycle.Alpha", "container-resolve", 12, "alpha"),
        ("app.api.create_order", "app.services.OrderService", "container-resolve", 11, "service"),
        ("app.api.list_orders", "app.containers.Container.orders", "container-resolve", 21, "orders"),
        ("app.api.list_orders", "app.deps.get_db", "decorator", 19, None),
        ("app.api.list_orders", "app.services.Locator", "param", 22, "locator"),
        ("app.containers.Container.orders", "app.containers.Container.repository", "constructor", 8, "repo"),
        ("app.containers.Container.orders", "app.services.OrderService", "container-binding", 8, None),
        ("app.containers.Container.repository", "app.repos.SqlOrderRepository", "container-binding", 7, None),
        ("app.cycle.Alpha", "app.cycle.Beta", "constructor", 2, "beta"),
        ("app.cycle.Beta", "app.cycle.Alpha", "constructor", 6, "alpha"),
        ("app.repos.OrderRepository", "app.repos.SqlOrderRepository", "container-binding", 3, None),
        ("app.repos.SqlOrderRepository", "app.deps.get_db", "param", 11, "db"),
        ("app.services.Locator", "app.wiring.container", "constructor", 31, "container"),
        ("app.services.OrderService", "app.repos.OrderRepository", "constructor", 5, "repo"),
    ]:
        graph.add_edge(Edge(source, target, via, at("app/x.py", line), parameter))
    return graph


CONTAINER_MODULES = ["app.api", "app.containers", "app.cycle", "app.deps", "app.repos", "app.services", "app.wiring"]


def container_view(**options) -> GraphView:
    return build_view(container_graph(), modules=CONTAINER_MODULES, title="containers", **options)


def test_container_providers_say_their_type_and_what_they_call():
    view = container_view()
    orders = view.node("app.containers.Container.orders")
    assert (orders.kind, orders.label, orders.detail, orders.provider_type, orders.calls) == (
        "container-provider", "Container.orders", ("factory provider", "calls app.services.OrderService"),
        "factory", "app.services.OrderService")
    container = view.node("app.wiring.container")
    assert (container.kind, container.detail, container.provider_type, container.calls) == (
        "container", (), None, None)
    document = {item["id"]: item for item in view.to_dict()["nodes"]}
    assert (document["app.containers.Container.repository"]["provider_type"],
            document["app.containers.Container.repository"]["calls"]) == ("singleton", "app.repos.SqlOrderRepository")
    # only container-providers carry the two keys
    assert "provider_type" not in document["app.wiring.container"] and "calls" not in document["app.services.Locator"]
    assert [(e.source.rsplit(".", 1)[1], e.target.rsplit(".", 1)[1], e.vias, e.parameters, e.in_cycle)
            for e in view.edges if e.source.startswith("app.c")] == [
        ("orders", "repository", ("constructor",), ("repo",), False),
        ("orders", "OrderService", ("container-binding",), (), False),
        ("repository", "SqlOrderRepository", ("container-binding",), (), False),
        ("Alpha", "Beta", ("constructor",), ("beta",), True),
        ("Beta", "Alpha", ("constructor",), ("alpha",), True)]
    from wirelint.analyzer.models import Node
    from wirelint.report.graph_view import node_detail

    unnamed = Node("app.c.Container.config", "container-provider", None)  # no type read, no callable
    assert node_detail(container_graph(), unnamed) == ("container provider", "(external)")
    # a callable of the container's own module is named as that module's code names it
    local = Node("app.c.Container.shelf", "container-provider", None, class_id="app.c.BookShelf",
                 provider_type="thread_safe_singleton")
    assert node_detail(container_graph(), local) == ("thread_safe_singleton provider", "calls BookShelf", "(external)")


def test_dot_draws_container_kinds_and_edges_in_purple_and_cycles_still_red():
    assert render_dot(container_view()) == render_dot(container_view())
    lines = render_dot(container_view()).splitlines()
    assert ('\t"app.containers.Container.orders" [label="app.containers.Container.orders\\nfactory provider\\n'
            'calls app.services.OrderService" shape="box3d" style="filled" fillcolor="#f3e8ff" color="#7e22ce" '
            'tooltip="app.containers.Container.orders"]') in lines
    assert ('\t"app.wiring.container" [label="app.wiring.container" shape="cylinder" style="filled" '
            'fillcolor="#ede9fe" color="#6d28d9" tooltip="app.wiring.container"]') in lines
    edges = [line for line in lines if " -> " in line]
    assert edges == [
        '\t"app.api.create_order" -> "app.cycle.Alpha" [color="#6d28d9" fontcolor="#6d28d9" style="dashed" '
        'penwidth="2" arrowhead="vee" label="container-resolve"]',
        '\t"app.api.create_order" -> "app.services.OrderService" [color="#6d28d9" fontcolor="#6d28d9" '
        'style="dashed" penwidth="2" arrowhead="vee" label="container-resolve"]',
        '\t"app.api.list_orders" -> "app.containers.Container.orders" [color="#6d28d9" fontcolor="#6d28d9" '
        'style="dashed" penwidth="2" arrowhead="vee" label="container-resolve"]',
        '\t"app.api.list_orders" -> "app.deps.get_db" [style="dashed" label="decorator"]',
        '\t"app.api.list_orders" -> "app.services.Locator"',
        '\t"app.containers.Container.orders" -> "app.containers.Container.repository" [color="#7c3aed" '
        'fontcolor="#6d28d9" label="constructor: repo"]',
        '\t"app.containers.Container.orders" -> "app.services.OrderService" [color="#9333ea" fontcolor="#7e22ce" '
        'style="dotted" penwidth="1.5" arrowhead="empty" label="container-binding"]',
        '\t"app.containers.Container.repository" -> "app.repos.SqlOrderRepository" [color="#9333ea" '
        'fontcolor="#7e22ce" style="dotted" penwidth="1.5" arrowhead="empty" label="container-binding"]',
        # on a cycle: red, whatever made the edge
        '\t"app.cycle.Alpha" -> "app.cycle.Beta" [color="#dc2626" fontcolor="#dc2626" label="constructor: beta" '
        'penwidth="2"]',
        '\t"app.cycle.Beta" -> "app.cycle.Alpha" [color="#dc2626" fontcolor="#dc2626" label="constructor: alpha" '
        'penwidth="2"]',
        '\t"app.repos.OrderRepository" -> "app.repos.SqlOrderRepository" [color="#9333ea" fontcolor="#7e22ce" '
        'style="dotted" penwidth="1.5" arrowhead="empty" label="container-binding"]',
        '\t"app.repos.SqlOrderRepository" -> "app.deps.get_db"',
        '\t"app.services.Locator" -> "app.wiring.container" [color="#7c3aed" fontcolor="#6d28d9" '
        'label="constructor: container"]',
        '\t"app.services.OrderService" -> "app.repos.OrderRepository" [color="#7c3aed" fontcolor="#6d28d9" '
        'label="constructor: repo"]',
    ]


def test_graphviz_draws_the_container_picture(tmp_path):
    require_program("dot")
    for options in ({}, {"cluster": "module"}, {"collapse": True}):
        view = container_view(**options)
        drawn = subprocess.run(["dot", "-Tsvg"], input=render_dot(view), capture_output=True, text=True, timeout=60)
        assert (drawn.returncode, drawn.stderr) == (0, ""), options
        assert drawn.stdout.count('class="node"') == len(view.nodes)
        assert drawn.stdout.count('class="edge"') == len(view.edges)
        assert 'stroke="#6d28d9"' in drawn.stdout and 'stroke="#dc2626"' in drawn.stdout
        assert 'stroke-dasharray="1,5"' in drawn.stdout  # container-binding's dots
    png = render_image(container_view(), "png")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    (tmp_path / "containers.png").write_bytes(png)


def test_mermaid_draws_container_edges_distinctly():
    assert render_mermaid(container_view()).splitlines() == [
        "flowchart LR",
        '    n0["app.api.create_order<br/>POST /orders"]',
        '    n1["app.api.list_orders<br/>GET /orders"]',
        '    n2(["app.containers.Container.orders<br/>factory provider<br/>calls app.services.OrderService"])',
        '    n3(["app.containers.Container.repository<br/>singleton provider<br/>calls app.repos.SqlOrderRepository"])',
        '    n4[["app.cycle.Alpha"]]',
        '    n5[["app.cycle.Beta"]]',
        '    n6("app.deps.get_db<br/>(yields)")',
        '    n7[["app.repos.OrderRepository"]]',
        '    n8[["app.repos.SqlOrderRepository"]]',
        '    n9[["app.services.Locator"]]',
        '    n10[["app.services.OrderService"]]',
        '    n11[("app.wiring.container")]',
        "    n0 ==>|container-resolve| n4",
        "    n0 ==>|container-resolve| n10",
        "    n1 ==>|container-resolve| n2",
        "    n1 -.->|decorator| n6",
        "    n1 --> n9",
        "    n2 -->|constructor: repo| n3",
        "    n2 -.->|container-binding| n10",
        "    n3 -.->|container-binding| n8",
        "    n4 -->|constructor: beta| n5",
        "    n5 -->|constructor: alpha| n4",
        "    n7 -.->|container-binding| n8",
        "    n8 --> n6",
        "    n9 -->|constructor: container| n11",
        "    n10 -->|constructor: repo| n7",
        "    classDef kind_endpoint fill:#dbeafe",
        "    class n0,n1 kind_endpoint",
        "    classDef kind_class fill:#fef9c3",
        "    class n4,n5,n7,n8,n9,n10 kind_class",
        "    classDef kind_container fill:#ede9fe,stroke:#6d28d9",
        "    class n11 kind_container",
        "    classDef kind_container_provider fill:#f3e8ff,stroke:#7e22ce",
        "    class n2,n3 kind_container_provider",
        "    classDef yields stroke:#0f766e,stroke-width:2px,stroke-dasharray:6 2",
        "    class n6 yields",
        "    linkStyle 0,1,2 stroke:#6d28d9",
        "    linkStyle 6,7,10 stroke:#9333ea,stroke-width:2px",
        "    linkStyle 5,12,13 stroke:#7c3aed",
        "    linkStyle 8,9 stroke:#dc2626,stroke-width:3px",  # the cycle's constructor edges: red only
    ]


def test_a_collapsed_view_names_every_via_it_merges():
    view = container_view(collapse=True)
    merged = {(e.source, e.target): e for e in view.edges}
    assert merged["app.api", "app.services"].vias == ("container-resolve", "param")
    assert merged["app.cycle", "app.cycle"].parameters == ("alpha", "beta")
    dot = render_dot(view).splitlines()
    assert ('\t"app.api" -> "app.services" [color="#6d28d9" fontcolor="#6d28d9" style="dashed" penwidth="2" '
            'arrowhead="vee" label="container-resolve,param"]') in dot
    assert ('\t"app.cycle" -> "app.cycle" [color="#dc2626" fontcolor="#dc2626" label="constructor: alpha, beta" '
            'penwidth="2"]') in dot
    assert ('\t"app.containers" [label="app.containers\\n2 container-providers" shape="folder" style="filled" '
            'fillcolor="#e0e7ff" tooltip="app.containers"]') in dot
    mermaid = render_mermaid(view).splitlines()
    assert "    n0 ==>|container-resolve,param| n5" in mermaid
    assert "    n2 -->|constructor: alpha, beta| n2" in mermaid
    assert mermaid[-4:] == ["    linkStyle 0,1,3 stroke:#6d28d9", "    linkStyle 4,5 stroke:#9333ea,stroke-width:2px",
                            "    linkStyle 8,9 stroke:#7c3aed", "    linkStyle 6 stroke:#dc2626,stroke-width:3px"]


def test_a_constructor_label_lists_three_parameters_and_counts_the_rest():
    from wirelint.report.graph_text import edge_label

    wide = ViewEdge("a.A", "a.B", ("constructor",), ("p1", "p2", "p3", "p4", "p5"), False)
    assert edge_label(wide) == "constructor: p1, p2, p3, +2"
    assert edge_label(ViewEdge("a.A", "a.B", ("constructor",), (), False)) == "constructor"
    assert edge_label(ViewEdge("a.A", "a.B", ("container-resolve",), ("service",), False)) == "container-resolve"
    assert edge_label(ViewEdge("a.A", "a.B", ("param",), ("x",), False)) == ""
    assert edge_label(ViewEdge("a.A", "a.B", ("param", "router"), ("x",), False)) == "param,router"


def test_markdown_counts_container_edges_and_says_what_their_lines_mean():
    lines = render_markdown(container_view()).splitlines()
    assert lines[2] == ("12 nodes (6 classes, 1 container, 2 container-providers, 2 endpoints, 1 provider), 14 edges "
                        "(5 via constructor, 3 via container-binding, 3 via container-resolve), 2 on cycles.")
    key = lines.index("```", lines.index("```mermaid")) + 2
    assert lines[key].startswith("Purple edges are built by a DI container or a composition root, not by FastAPI: "
                                 "thick `container-resolve`")
    assert lines[key + 2] == "</details>"
    plain = render_markdown(module_web(3)).splitlines()
    assert plain[2] == "3 nodes (3 providers), 3 edges, 0 on cycles." and not any("Purple" in line for line in plain)
