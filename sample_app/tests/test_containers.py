"""The three container styles of ``sample_app/containers`` at run time: each endpoint works, and the
anti-patterns are real (the lagom cycle cannot be resolved, the dependency-injector session is one singleton)."""

from collections.abc import Iterator
from datetime import datetime

import pytest
from dependency_injector import providers
from lagom.exceptions import RecursiveDefinitionError
from sqlalchemy.orm import Session

from sample_app.containers import composition_root, injector_style, lagom_style
from sample_app.db import SessionLocal, engine


@pytest.fixture
def test_session() -> Iterator[Session]:
    """Stands in for the container's process-wide Singleton: one session per test, on the in-memory test DB."""
    assert str(engine.url) == "sqlite://" and SessionLocal.kw["bind"] is engine
    session = Session(engine)
    container = injector_style.container
    with container.session.override(providers.Object(session)):
        yield session
    container.session.reset()
    session.close()


def test_lagom_quote(client):
    r = client.get("/containers/lagom/quote", params={"title": "The Dispossessed", "quantity": 2})
    assert r.status_code == 200
    assert r.json() == {"title": "The Dispossessed", "quantity": 2, "subtotal": 30.0, "tax": 6.0, "total": 36.0}
    assert client.get("/containers/lagom/quote", params={"title": "Unknown"}).status_code == 404


def test_lagom_builds_quote_service_through_the_bindings():
    service = lagom_style.container[lagom_style.QuoteService]
    assert isinstance(service.prices, lagom_style.StaticPriceList)
    assert isinstance(service.prices.currency, lagom_style.Currency)
    assert isinstance(service.tax, lagom_style.FlatTax) and service.tax.rate == 0.2
    assert lagom_style.container[lagom_style.TaxPolicy] is service.tax  # an instance binding is shared


def test_lagom_override_for_test(client):
    class NoTax:
        def apply(self, amount: float) -> float:
            return 0.0

    with lagom_style.deps.override_for_test() as test_container:
        test_container[lagom_style.TaxPolicy] = NoTax()
        r = client.get("/containers/lagom/quote", params={"title": "A Wizard of Earthsea"})
    assert r.json()["total"] == 12.5


@pytest.mark.parametrize("wanted", [lagom_style.InvoiceService, lagom_style.ShippingService, lagom_style.Shipping])
def test_lagom_cycle_cannot_be_resolved(wanted):
    """lagom turns the RecursionError into its RecursiveDefinitionError (a SyntaxError subclass)."""
    with pytest.raises(RecursiveDefinitionError, match="recursion limit") as raised:
        lagom_style.container[wanted]
    assert isinstance(raised.value.__context__, RecursionError)


def test_injector_shelf_stats(client, test_session):
    assert not test_session.in_transaction()
    r = client.get("/containers/injector/shelf/stats")
    assert test_session.in_transaction()  # the endpoint counted through the overriding session
    assert r.status_code == 200
    assert r.json() == {"books": 2, "authors": 1, "books_per_author": 2.0}
    assert injector_style.container.stats().shelf.session is test_session


def test_injector_session_is_one_singleton(test_session):
    """DI004: the Factory providers build new objects, but they all share the one session."""
    container = injector_style.container
    container.session.reset()
    with container.session.override(providers.Singleton(Session, engine)):
        first, second = container.stats(), container.stats()
        assert first is not second and first.shelf is not second.shelf
        assert first.shelf.session is second.shelf.session
        first.shelf.session.close()
    assert isinstance(injector_style.Container.session, providers.Singleton)


def test_plain_report(client):
    before = composition_root.reporting.store.index.issued
    r = client.get("/containers/plain/report")
    assert r.status_code == 200
    body = r.json()
    assert body["key"] == f"sales-{before + 1}"
    assert body["csv"] == "title,sold,revenue,on_hand\nA Wizard of Earthsea,3,37.50,7\nThe Dispossessed,2,30.00,0"
    assert datetime.fromisoformat(body["generated_at"]).tzinfo is not None
    assert composition_root.reporting.notifier.sent[-1] == f"report sales-{before + 1} ready"


def test_plain_composition_root_shares_one_clock():
    reporting = composition_root.reporting
    assert reporting.clock is composition_root.clock is reporting.sales.clock is reporting.audit.clock
    assert reporting.sales is composition_root.sales and reporting.audit is composition_root.audit
