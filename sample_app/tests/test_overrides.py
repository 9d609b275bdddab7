"""DI005 override-not-restored: one leaky test next to three correct restoration styles.

The leaky test writes to the shared module-level app and never restores it: its override stays for every
test that runs after it (until a fixture that clears overrides happens to run). Here it is harmless only
because the leaked override behaves like ``get_db``. The correct tests build a fresh app with
``create_app()`` or restore what they change.
"""

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from sample_app.config import Settings, get_settings
from sample_app.db import SessionLocal
from sample_app.deps import get_db
from sample_app.main import app as shared_app
from sample_app.main import create_app


class CountingSessions:
    """Override for get_db that counts how many sessions were opened and closed."""

    def __init__(self) -> None:
        self.opened = 0
        self.closed = 0

    def __call__(self) -> Iterator[Session]:
        self.opened += 1
        db = SessionLocal()
        try:
            yield db
        finally:
            db.close()
            self.closed += 1


def test_override_not_restored_bad():
    """BAD (DI005): sets an override on the shared app and never restores it."""
    sessions = CountingSessions()
    shared_app.dependency_overrides[get_db] = sessions
    with TestClient(shared_app) as client:
        assert client.get("/health").status_code == 200
    assert sessions.opened == sessions.closed == 1


@pytest.fixture
def overridden_app() -> Iterator[tuple[FastAPI, CountingSessions]]:
    app = create_app()
    sessions = CountingSessions()
    app.dependency_overrides[get_db] = sessions
    yield app, sessions
    app.dependency_overrides.clear()


def test_override_restored_by_yield_fixture_good(overridden_app):
    app, sessions = overridden_app
    with TestClient(app) as client:
        client.get("/health")
        client.get("/fixed/module-session/books/count")
    assert sessions.opened == sessions.closed == 2


def test_override_restored_with_try_finally_good():
    app = create_app()
    app.dependency_overrides[get_settings] = lambda: Settings(database_url="sqlite://", app_name="test store")
    try:
        with TestClient(app) as client:
            assert client.get("/fixed/called-dependency/settings").json() == {"app_name": "test store"}
    finally:
        app.dependency_overrides.pop(get_settings, None)
    assert get_settings not in app.dependency_overrides


def test_override_restored_with_monkeypatch_good(monkeypatch):
    app = create_app()
    sessions = CountingSessions()
    monkeypatch.setitem(app.dependency_overrides, get_db, sessions)
    with TestClient(app) as client:
        client.get("/health")
    assert sessions.closed == 1
