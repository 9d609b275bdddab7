"""DI011 request-resource-escape: the FastAPI behaviour it rests on, checked at run time, and its look-alikes.

The rule reports background tasks only for `scope="function"` dependencies (or with the
`closed-before-background` option): since FastAPI 0.118 a request-scoped yield dependency is closed after
the response and its background tasks. The first test shows both on the FastAPI the tests run.
"""


from typing import Annotated

import pytest

from wirelint.rules import run_rules
from wirelint.rules.di011_request_resource_escape import RequestResourceEscape


@pytest.mark.parametrize(("scope", "closed_in_task"), [(None, False), ("function", True)])
def test_fastapi_closes_a_function_scoped_dependency_before_background_tasks(scope, closed_in_task):
    import fastapi
    from fastapi import BackgroundTasks, Depends, FastAPI
    from fastapi.testclient import TestClient

    if tuple(int(part) for part in fastapi.__version__.split(".")[:2]) < (0, 121):
        pytest.skip("Depends(scope=...) needs FastAPI 0.121")
    seen: list[bool] = []

    class Session:
        closed = False

    def get_db():
        db = Session()
        try:
            yield db
        finally:
            db.closed = True

    app = FastAPI()

    @app.post("/")
    def create(tasks: BackgroundTasks, db: Annotated[Session, Depends(get_db, scope=scope)]):
        tasks.add_task(lambda: seen.append(db.closed))
        return {}

    with TestClient(app) as client:
        client.post("/")
    assert seen == [closed_in_task]


HEADER = """\
import asyncio
from typing import Annotated
from fastapi import BackgroundTasks, Depends, FastAPI
app = FastAPI()
def get_db():
    db = object()
    try:
        yield db
    finally:
        pass
def get_settings():
    return {}
async def work(*values):
    return values
"""


def findings(analyze_project, body: str, **settings) -> list[tuple[int, str]]:
    index = analyze_project({"app.py": HEADER + body})
    return [(f.location.line, f.message.split(" in ", 1)[0])
            for f in run_rules(index, [RequestResourceEscape(settings)])]


def test_loop_tasks_lambdas_and_the_option(analyze_project):
    body = """\
@app.post("/")
async def create(tasks: BackgroundTasks, db=Depends(get_db), settings=Depends(get_settings)):
    loop = asyncio.get_running_loop()
    loop.create_task(work(db))
    tasks.add_task(lambda: work(db))
    asyncio.create_task(work(settings))
    return {}
"""
    assert findings(analyze_project, body) == [(18, "`loop.create_task(...)`")]
    assert findings(analyze_project, body, **{"closed-before-background": True}) == [
        (18, "`loop.create_task(...)`"), (19, "`tasks.add_task(...)`")]


def test_what_is_not_a_request_resource_or_not_a_handoff(analyze_project):
    assert findings(analyze_project, """\
class Queue:
    def create_task(self, value):
        return value
queue = Queue()
def helper(db):
    asyncio.create_task(work(db))   # not a function FastAPI calls: its caller decides
@app.post("/")
async def create(db=Depends(get_db)):
    queue.create_task(db)   # a project method named like asyncio's
    task = asyncio.create_task(work(db.id))   # a value computed from the session
    return await task
""") == []


def test_work_that_takes_the_session_over_stays_quiet(analyze_project):
    """openhands keeps the session open on purpose and the task closes it: not an escape. A task that
    closes something else still is one."""
    assert findings(analyze_project, """\
async def consume(items, session, client):
    try:
        return items
    finally:
        await session.close()
async def consume_only(items, session):
    return await work(items, session)
@app.post("/")
async def create(items: list[int], db=Depends(get_db)):
    asyncio.create_task(consume(items, db, None))
    asyncio.create_task(consume(items, client=None, session=db))
    asyncio.create_task(consume_only(items, db))
    return {}
""") == [(26, "`asyncio.create_task(...)`")]
