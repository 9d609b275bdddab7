import logging

import pytest
from fastapi.dependencies.utils import get_dependant

from sample_app.antipatterns import dependency_cycle


def test_app_level_request_id_runs_everywhere(client):
    r = client.get("/health", headers={"X-Request-ID": "abc"})
    assert r.json() == {"status": "ok", "users": 2}
    assert r.headers["X-Request-ID"] == "abc"
    assert len(client.get("/health").headers["X-Request-ID"]) == 32


def test_include_level_dependencies_run(client, bob):
    books = client.get("/api/books", headers=bob)
    assert books.headers["X-API"] == "bookstore"
    assert books.headers["X-Books-Router"] == "1"
    users = client.get("/api/users/me", headers=bob)
    assert users.headers["X-API"] == "bookstore"
    assert "X-Books-Router" not in users.headers
    assert "X-API" not in client.get("/health").headers


def test_router_level_dependencies_run(client, alice, bob):
    """APIRouter(prefix="/users", tags=[...], dependencies=[Depends(no_store)]) applies to each of its routes."""
    me = client.get("/api/users/me", headers=bob)
    assert me.status_code == 200
    assert me.headers["Cache-Control"] == "no-store"
    assert client.get("/api/users", headers=alice).headers["Cache-Control"] == "no-store"
    assert "Cache-Control" not in client.get("/api/books", headers=bob).headers


def test_partial_router_dependency(client, bob):
    assert client.get("/api/books", headers={**bob, "X-API-Version": "1"}).status_code == 200
    assert client.get("/api/books", headers={**bob, "X-API-Version": "2"}).status_code == 400


def test_async_generator_audit_trail(client, alice, caplog):
    with caplog.at_level(logging.INFO, logger="sample_app"):
        r = client.post("/api/books", json={"title": "Lavinia", "author_id": 1}, headers=alice)
    assert r.status_code == 201
    assert f"alice created book {r.json()['id']}" in caplog.text


def test_websocket_echo(client):
    with client.websocket_connect("/ws/echo") as ws:
        ws.send_text("hello")
        assert ws.receive_text() == "wirelint bookstore: hello"


@pytest.mark.parametrize("provider", [dependency_cycle.get_pricing, dependency_cycle.InventoryService])
def test_dependency_cycle_module_imports_but_cannot_be_resolved(provider):
    """Resolving the cycle (what FastAPI does when a route uses it) recurses forever."""
    with pytest.raises(RecursionError):
        get_dependant(path="/", call=provider)
