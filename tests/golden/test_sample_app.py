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
    ("DI009", "sample_app/antipatterns/captive.py", 25),
    ("DI009", "sample_app/antipatterns/captive.py", 32),
    ("DI001", "sample_app/antipatterns/dependency_cycle.py", 21),
    ("DI001", "sample_app/antipatterns/dependency_cycle.py", 34),
    ("DI008", "sample_app/antipatterns/hard_wired.py", 22),
    ("DI008", "sample_app/antipatterns/hard_wired.py", 23),
    ("DI012", "sample_app/antipatterns/hidden_dependency.py", 20),
    ("DI004", "sample_app/antipatterns/module_session.py", 18),
    ("DI002", "sample_app/antipatterns/over_injection.py", 22),
    ("DI002", "sample_app/antipatterns/over_injection.py", 48),
    ("DI011", "sample_app/antipatterns/resource_escape.py", 34),
    ("DI003", "sample_app/antipatterns/service_locator.py", 42),
    ("DI003", "sample_app/antipatterns/service_locator.py", 48),
    ("DI003", "sample_app/antipatterns/service_locator.py", 54),
    ("DI006", "sample_app/antipatterns/shared_state.py", 14),
    ("DI010", "sample_app/antipatterns/yield_cleanup.py", 24),
    ("DI010", "sample_app/antipatterns/yield_cleanup.py", 31),
    ("DI002", "sample_app/containers/composition_root.py", 136),
    ("DI004", "sample_app/containers/injector_style.py", 54),
    ("DI001", "sample_app/containers/lagom_style.py", 83),
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
    assert len(mounted) == 44
    assert [node.id for node in graph.unresolved()] == [
        "unresolved:sample_app.antipatterns.called_dependency:17:get_settings()"
    ]
    assert graph.node("sample_app.deps.auth.oauth2_scheme").kind == "instance"
    assert graph.node("sample_app.deps.roles.require_role.<locals>.checker").kind == "factory"
    assert graph.node("sample_app.deps.database.get_db").yields is True


# Reviewed by hand against sample_app/containers/*.py (and checked against the real containers by
# tests/oracle/test_container_oracle.py): (source, target, via, parameter, line), ids without the package.
CONTAINER_EDGES = {
    ("composition_root.AuditLog", "composition_root.SystemClock", "constructor", "clock", 172),
    ("composition_root.InMemorySales", "composition_root.SystemClock", "constructor", "clock", 171),
    ("composition_root.MemoryStore", "composition_root.ReportIndex", "constructor", "index", 179),
    ("composition_root.ReportBuilder", "composition_root.AuditLog", "constructor", "audit", 173),
    ("composition_root.ReportBuilder", "composition_root.CsvFormatter", "constructor", "formatter", 178),
    ("composition_root.ReportBuilder", "composition_root.FixedPrices", "constructor", "prices", 176),
    ("composition_root.ReportBuilder", "composition_root.InMemorySales", "constructor", "sales", 173),
    ("composition_root.ReportBuilder", "composition_root.InMemoryStock", "constructor", "stock", 175),
    ("composition_root.ReportBuilder", "composition_root.LogNotifier", "constructor", "notifier", 180),
    ("composition_root.ReportBuilder", "composition_root.MemoryStore", "constructor", "store", 179),
    ("composition_root.ReportBuilder", "composition_root.SystemClock", "constructor", "clock", 173),
    ("injector_style.Container.session", "sample_app.db.SessionLocal", "container-binding", None, 54),
    ("injector_style.Container.shelf", "injector_style.BookShelf", "container-binding", None, 55),
    ("injector_style.Container.shelf", "injector_style.Container.session", "constructor", "session", 55),
    ("injector_style.Container.stats", "injector_style.Container.shelf", "constructor", "shelf", 56),
    ("injector_style.Container.stats", "injector_style.ShelfStats", "container-binding", None, 56),
    ("injector_style.shelf_stats", "injector_style.Container.stats", "container-resolve", "stats", 64),
    ("lagom_style.InvoiceService", "lagom_style.Shipping", "constructor", "shipping", 83),
    ("lagom_style.PriceList", "lagom_style.StaticPriceList", "container-binding", None, 91),
    ("lagom_style.QuoteService", "lagom_style.PriceList", "constructor", "prices", 52),
    ("lagom_style.QuoteService", "lagom_style.TaxPolicy", "constructor", "tax", 52),
    ("lagom_style.Shipping", "lagom_style.ShippingService", "container-binding", None, 93),
    ("lagom_style.ShippingService", "lagom_style.InvoiceService", "constructor", "invoices", 75),
    ("lagom_style.StaticPriceList", "lagom_style.Currency", "constructor", "currency", 35),
    ("lagom_style.TaxPolicy", "lagom_style.FlatTax", "container-binding", None, 92),
    ("lagom_style.quote", "lagom_style.QuoteService", "container-resolve", "service", 99),
}


def test_container_edges(index):
    def short(node_id: str) -> str:
        return node_id.removeprefix("sample_app.containers.")

    found = {(short(e.source), short(e.target), e.via, e.parameter, e.location.line) for e in index.graph.edges()
             if e.via in ("constructor", "container-binding", "container-resolve")}
    assert found == CONTAINER_EDGES
    providers = {short(n.id): (n.provider_type, n.class_id) for n in index.graph.nodes() if n.kind == "container-provider"}
    assert providers == {
        "injector_style.Container.session": ("singleton", "sample_app.db.SessionLocal"),
        "injector_style.Container.shelf": ("factory", "sample_app.containers.injector_style.BookShelf"),
        "injector_style.Container.stats": ("factory", "sample_app.containers.injector_style.ShelfStats"),
    }
