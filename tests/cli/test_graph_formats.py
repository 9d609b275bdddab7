"""Graph views and their renderings (DOT, SVG/PNG, Mermaid, Markdown): exact text on small graphs."""

from __future__ import annotations

import pytest

from wirelint.report.graph_text import dot_string, mermaid_text, render_dot, render_image, render_markdown, render_mermaid
from wirelint.report.graph_view import ViewError, build_view
from wirelint.rules import all_rules, run_rules

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


def test_router_clusters_and_collapse(analyze_project):
    index = analyze_project(CYCLE)
    clusters = {node.id: node.cluster for node in view_of(index, cluster="router").nodes}
    assert clusters == {"svc.a.get_a": "svc.api.router", "svc.a.get_db": "svc.api.router",
                        "svc.api.create": "svc.api.router", "svc.api.item": "svc.api.router",
                        "svc.b.get_b": "svc.api.router"}
    collapsed = view_of(index, collapse=True)
    assert [(n.id, n.kind, n.detail, n.findings) for n in collapsed.nodes] == [
        ("svc.a", "module", ("2 provider",), ("DI001",)),
        ("svc.api", "module", ("2 endpoint",), ()),
        ("svc.b", "module", ("1 provider",), ()),
    ]
    assert [(e.source, e.target, e.in_cycle) for e in collapsed.edges] == [
        ("svc.a", "svc.b", True), ("svc.api", "svc.a", False), ("svc.api", "svc.b", False), ("svc.b", "svc.a", True)]


def test_markdown_report(analyze_project):
    text = render_markdown(view_of(analyze_project(CYCLE)))
    lines = text.splitlines()
    assert lines[0] == "## t"
    assert lines[2] == "5 nodes (2 endpoint, 3 provider), 5 edges, 2 on cycles."
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
