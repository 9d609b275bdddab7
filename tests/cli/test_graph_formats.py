"""DOT and Mermaid renderings of a small graph, exactly."""

from __future__ import annotations

from wirelint.report.graph_text import render_dot, render_mermaid

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


def test_mermaid(analyze_project):
    text = render_mermaid(analyze_project(FILES).graph)
    assert text.splitlines() == [
        "flowchart LR",
        '    n0("app.#lt;lambda#gt;")',
        '    n1("app.get_db<br/>(yields)")',
        '    n2("app.make.#lt;locals#gt;.check")',
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
    ]


def test_dot(analyze_project):
    text = render_dot(analyze_project(FILES).graph)
    assert '\t"app.x" -> "app.<lambda>" [label=router style=dashed]' in text.splitlines()
    assert '\t"app.x" -> "app.get_db"' in text.splitlines()
    assert text.startswith("digraph wirelint {")
    assert text == render_dot(analyze_project(FILES).graph)
