"""Each anti-pattern endpoint and its fixed twin behave the same from the outside."""

import pytest

from sample_app.fixed.shared_state import FavoritesStore, get_favorites_store
from sample_app.services.notify import SmtpMailer, get_mailer


@pytest.mark.parametrize("kind", ["antipatterns", "fixed"])
def test_over_injection_report(client, bob, kind):
    r = client.get(f"/{kind}/over-injection/report", params={"limit": 1}, headers=bob)
    assert r.status_code == 200
    assert r.json()["titles"] == ["A Wizard of Earthsea"]


def test_over_injection_service_report(client, bob):
    assert client.get("/antipatterns/over-injection/service-report", headers=bob).json()["titles"]


@pytest.mark.parametrize("kind", ["antipatterns", "fixed"])
def test_service_locator_announce(client, kind):
    r = client.post(f"/{kind}/service-locator/books/1/announce")
    assert r.status_code == 200
    assert r.json()["message"].endswith("New book: A Wizard of Earthsea")
    assert client.post(f"/{kind}/service-locator/books/99/announce").status_code == 404


def test_fixed_service_locator_mailer_is_overridable(app, client):
    mailer = SmtpMailer(host="test")
    app.dependency_overrides[get_mailer] = lambda: mailer
    client.post("/fixed/service-locator/books/1/announce")
    assert len(mailer.outbox) == 2


@pytest.mark.parametrize("kind", ["antipatterns", "fixed"])
def test_module_session_count(client, kind):
    assert client.get(f"/{kind}/module-session/books/count").json() == {"count": 2}


@pytest.mark.parametrize("kind", ["antipatterns", "fixed"])
def test_shared_state_favorites(app, client, alice, bob, kind):
    store = FavoritesStore()
    app.dependency_overrides[get_favorites_store] = lambda: store
    client.post(f"/{kind}/shared-state/favorites/1", headers=alice)
    r = client.post(f"/{kind}/shared-state/favorites/2", headers=alice)
    assert r.json() == {"favorites": [1, 2]}
    assert client.get(f"/{kind}/shared-state/favorites", headers=bob).json() == {"favorites": []}


@pytest.mark.parametrize("kind", ["antipatterns", "fixed"])
def test_hard_wired_announce(client, kind):
    r = client.post(f"/{kind}/hard-wired/books/2/announce")
    assert r.json()["message"].endswith("New book: The Dispossessed")


def test_fixed_cycle_routes(client):
    inventory = client.get("/fixed/cycle/inventory").json()["inventory"]
    assert set(inventory) == {"A Wizard of Earthsea", "The Dispossessed"}
    assert set(client.get("/fixed/cycle/inventory-service").json()["prices"]) == set(inventory)


def test_fixed_called_dependency(client):
    assert client.get("/fixed/called-dependency/settings").json() == {"app_name": "wirelint bookstore"}


@pytest.fixture
def closed_sessions(monkeypatch):
    """The sessions the yield-cleanup dependencies open, with whether each was closed."""
    from sample_app.antipatterns import yield_cleanup as bad
    from sample_app.db import SessionLocal
    from sample_app.fixed import yield_cleanup as good

    opened: list[list] = []

    def tracked_session():
        session = SessionLocal()
        record = [session, False]
        opened.append(record)
        close = session.close

        def tracked_close():
            record[1] = True
            close()

        session.close = tracked_close
        return session

    monkeypatch.setattr(bad, "SessionLocal", tracked_session)
    monkeypatch.setattr(good, "SessionLocal", tracked_session)
    return opened


@pytest.mark.parametrize("kind", ["antipatterns", "fixed"])
def test_yield_cleanup_found_book(client, closed_sessions, kind):
    assert client.get(f"/{kind}/yield-cleanup/books/1").json() == {"title": "A Wizard of Earthsea"}
    assert [closed for _, closed in closed_sessions] == [True]


@pytest.mark.parametrize(("kind", "closed"), [("antipatterns", False), ("fixed", True)])
def test_yield_cleanup_a_404_leaks_the_unguarded_session(client, closed_sessions, kind, closed):
    assert client.get(f"/{kind}/yield-cleanup/books/99").status_code == 404
    assert [was_closed for _, was_closed in closed_sessions] == [closed]


@pytest.mark.parametrize(("kind", "status"), [("antipatterns", 500), ("fixed", 404)])
def test_yield_cleanup_a_swallowing_handler_turns_the_404_into_a_500(app, kind, status):
    from fastapi.testclient import TestClient

    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.get(f"/{kind}/yield-cleanup/transactional/books/99").status_code == status


@pytest.fixture
def opened_sessions(monkeypatch):
    """The sessions ``get_db`` opens, in order."""
    from sample_app.db import SessionLocal
    from sample_app.deps import database

    opened: list = []

    def recorded_session():
        opened.append(SessionLocal())
        return opened[-1]

    monkeypatch.setattr(database, "SessionLocal", recorded_session)
    return opened


@pytest.mark.parametrize("kind", ["antipatterns", "fixed"])
@pytest.mark.parametrize("route", ["cached", "first"])
def test_captive_routes_answer(client, kind, route):
    assert client.get(f"/{kind}/captive/{route}/books/1").json() == {"title": "A Wizard of Earthsea"}
    assert client.get(f"/{kind}/captive/{route}/books/99").status_code == 404


def test_captive_lru_cache_never_hits_and_keeps_every_session(client, opened_sessions):
    from sample_app.antipatterns import captive

    captive.get_cached_repository.cache_clear()
    for _ in range(3):
        client.get("/antipatterns/captive/cached/books/1")
    info = captive.get_cached_repository.cache_info()
    assert (info.hits, info.misses, info.currsize, len(opened_sessions)) == (0, 3, 3, 3)


def test_captive_global_keeps_the_first_requests_session(client, opened_sessions, monkeypatch):
    from sample_app.antipatterns import captive

    monkeypatch.setattr(captive, "_first_repository", None)
    client.get("/antipatterns/captive/first/books/1")
    client.get("/antipatterns/captive/first/books/2")
    assert len(opened_sessions) == 2
    assert captive._first_repository.db is opened_sessions[0]  # the second request ran on the first's session


@pytest.fixture
def review_sessions(monkeypatch):
    """For each review task: the session it was given (None when it opens its own), and every session
    opened, with whether it was closed once the task finished."""
    import asyncio

    from sample_app.antipatterns import resource_escape as bad
    from sample_app.db import SessionLocal
    from sample_app.deps import database
    from sample_app.fixed import resource_escape as good

    record: dict = {"given": [], "opened": [], "tasks": []}

    def tracked_session():
        session = SessionLocal()
        entry = {"session": session, "closed": False}
        record["opened"].append(entry)
        close = session.close

        def tracked_close():
            entry["closed"] = True
            close()

        session.close = tracked_close
        return session

    for module in (bad, good):
        original = module.review_book

        async def review(*args, _original=original):
            record["given"].append(args[1] if len(args) > 1 else None)
            return await _original(*args)

        def create_task(coroutine):
            task = asyncio.get_running_loop().create_task(coroutine)
            record["tasks"].append(task)
            return task

        monkeypatch.setattr(module, "review_book", review)
        monkeypatch.setattr(module.asyncio, "create_task", create_task)
    monkeypatch.setattr(database, "SessionLocal", tracked_session)
    monkeypatch.setattr(good, "SessionLocal", tracked_session)
    return record


@pytest.mark.parametrize("kind", ["antipatterns", "fixed"])
def test_resource_escape_the_task_works_on_the_requests_session_or_its_own(app, review_sessions, kind):
    from fastapi.testclient import TestClient

    with TestClient(app) as client:
        assert client.post(f"/{kind}/resource-escape/books/1/review").json() == {"queued": 1}

        async def finish():
            for task in review_sessions["tasks"]:
                await task

        client.portal.call(finish)
    request_session, *task_sessions = review_sessions["opened"]
    assert request_session["closed"]  # FastAPI closed the request's session at the end of the request
    if kind == "antipatterns":  # ... and that is the session the task was given
        assert review_sessions["given"] == [request_session["session"]] and task_sessions == []
    else:  # the task was given the id only, and opened and closed a session of its own
        assert review_sessions["given"] == [None] and [entry["closed"] for entry in task_sessions] == [True]


class FakeRecommender:
    def suggest(self, title: str, limit: int = 2) -> list[str]:
        return ["(fake)"]


@pytest.mark.parametrize("kind", ["antipatterns", "fixed"])
def test_hidden_dependency_next_books(client, kind):
    r = client.get(f"/{kind}/hidden/books/The Dispossessed/next")
    assert r.json() == {"next": ["A Wizard of Earthsea", "The Left Hand of Darkness"]}


def test_hidden_dependency_cannot_be_overridden_but_its_fix_can(app, client):
    from sample_app.fixed.hidden_dependency import get_recommender

    app.dependency_overrides[get_recommender] = FakeRecommender
    assert client.get("/fixed/hidden/books/x/next").json() == {"next": ["(fake)"]}
    # Nothing FastAPI knows of stands for the module-level instance: the bad route still calls the real one.
    assert client.get("/antipatterns/hidden/books/x/next").json()["next"] != ["(fake)"]
