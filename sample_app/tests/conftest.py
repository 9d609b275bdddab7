"""Test setup: an in-memory SQLite DB (StaticPool, see sample_app.db) recreated for every test."""

import os

os.environ["SAMPLE_APP_DATABASE_URL"] = "sqlite://"

from collections.abc import Iterator  # noqa: E402

import pytest  # noqa: E402
from fastapi import FastAPI  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from sample_app.antipatterns import shared_state  # noqa: E402
from sample_app.config import get_settings  # noqa: E402
from sample_app.db import Base, engine  # noqa: E402
from sample_app.main import app as module_app  # noqa: E402
from sample_app.seed import init_db  # noqa: E402

ALICE = {"Authorization": "Bearer alice-token"}
BOB = {"Authorization": "Bearer bob-token"}


@pytest.fixture(autouse=True)
def fresh_db() -> Iterator[None]:
    assert get_settings().database_url == "sqlite://"
    Base.metadata.drop_all(engine)
    init_db()
    shared_state._favorites.clear()
    yield


@pytest.fixture
def app() -> Iterator[FastAPI]:
    yield module_app
    module_app.dependency_overrides.clear()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


@pytest.fixture
def alice() -> dict[str, str]:
    return dict(ALICE)


@pytest.fixture
def bob() -> dict[str, str]:
    return dict(BOB)
