"""Golden: the exact findings on the bundled sample app — every anti-pattern flagged, every fixed twin quiet."""

from __future__ import annotations

from pathlib import Path

import pytest

from wirelint.analyzer import analyze
from wirelint.rules import all_rules, run_rules

REPO = Path(__file__).resolve().parents[2]

# (code, path, line): reviewed by hand against sample_app/README.md.
EXPECTED = [
    ("DI007", "sample_app/antipatterns/called_dependency.py", 17),
    ("DI001", "sample_app/antipatterns/dependency_cycle.py", 21),
    ("DI001", "sample_app/antipatterns/dependency_cycle.py", 34),
    ("DI008", "sample_app/antipatterns/hard_wired.py", 22),
    ("DI008", "sample_app/antipatterns/hard_wired.py", 23),
    ("DI004", "sample_app/antipatterns/module_session.py", 18),
    ("DI002", "sample_app/antipatterns/over_injection.py", 21),
    ("DI002", "sample_app/antipatterns/over_injection.py", 44),
    ("DI003", "sample_app/antipatterns/service_locator.py", 42),
    ("DI003", "sample_app/antipatterns/service_locator.py", 48),
    ("DI003", "sample_app/antipatterns/service_locator.py", 54),
    ("DI006", "sample_app/antipatterns/shared_state.py", 19),
    ("DI005", "sample_app/tests/test_overrides.py", 43),
]


@pytest.fixture(scope="module")
def index():
    import os

    cwd = Path.cwd()
    os.chdir(REPO)
    try:
        yield analyze([Path("sample_app")], jobs=1)
    finally:
        os.chdir(cwd)


def test_exact_findings(index):
    findings = run_rules(index, [rule() for rule in all_rules()])
    assert [(f.code, f.location.path, f.location.line) for f in findings] == EXPECTED


def test_fixed_twins_are_quiet(index):
    findings = run_rules(index, [rule() for rule in all_rules()])
    assert [f for f in findings if f.location.path.startswith("sample_app/fixed/")] == []


def test_graph_shape(index):
    graph = index.graph
    app = "sample_app.main.create_app.<locals>.app"
    mounted = [node.id for node in graph.endpoints() if any(r.app == app for r in graph.routes_of(node.id))]
    assert len(mounted) == 29
    assert [node.id for node in graph.unresolved()] == [
        "unresolved:sample_app.antipatterns.called_dependency:17:get_settings()"
    ]
    assert graph.node("sample_app.deps.auth.oauth2_scheme").kind == "instance"
    assert graph.node("sample_app.deps.roles.require_role.<locals>.checker").kind == "factory"
    assert graph.node("sample_app.deps.database.get_db").yields is True
