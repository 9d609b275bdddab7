"""DI011 request-resource-escape."""

from __future__ import annotations

from collections.abc import Iterator

from ..analyzer.models import (
    AttributeExpr,
    CallExpr,
    Edge,
    Handoff,
    Location,
    NameExpr,
    render,
)
from ..analyzer.project import ProjectIndex
from ..analyzer.resolve import Ctx, DefSym, MethodSym
from .base import Finding, Invalid, Option, Rule, Valid, register
from .request_path import node_of_function, parameter_edges, per_request_object

# Calls that start work that outlives the request in every FastAPI version.
_TASKS = frozenset({
    "asyncio.create_task", "asyncio.tasks.create_task", "asyncio.ensure_future", "asyncio.tasks.ensure_future",
    "asyncio.run_coroutine_threadsafe", "asyncio.tasks.run_coroutine_threadsafe", "threading.Thread",
    "multiprocessing.Process", "multiprocessing.context.Process",
})
_LOOP_METHODS = frozenset({"create_task"})  # on an event loop (a task group's are awaited by its `with`)
_LOOPS = frozenset({"asyncio.get_running_loop", "asyncio.get_event_loop", "asyncio.new_event_loop",
                    "asyncio.events.get_running_loop", "asyncio.events.get_event_loop",
                    "asyncio.events.new_event_loop"})
# What runs after the response is sent: background tasks and a streaming body.
_AFTER_RESPONSE = frozenset({
    "fastapi.responses.StreamingResponse", "starlette.responses.StreamingResponse",
    "sse_starlette.EventSourceResponse", "sse_starlette.sse.EventSourceResponse",
    "starlette.background.BackgroundTask", "fastapi.background.BackgroundTask",
})
_CLOSERS = frozenset({"close", "aclose", "dispose", "release"})
_BACKGROUND_TASKS = frozenset({"fastapi.BackgroundTasks", "fastapi.background.BackgroundTasks",
                               "starlette.background.BackgroundTasks"})


@register
class RequestResourceEscape(Rule):
    code = "DI011"
    name = "request-resource-escape"
    severity = "error"
    summary = "A request's session is handed to work that runs after FastAPI closed it."
    options = (Option(
        "closed-before-background", False,
        "The project supports FastAPI 0.106 to 0.117, which close request-scoped yield dependencies before "
        "background tasks and streaming responses run: report those hand-offs too."),)
    explanation = """\
## What it does
Finds the value of a per-request yield dependency (a session, a connection) handed, as it is, to work that
runs after FastAPI has run the dependency's cleanup:
- a task or a thread that outlives the request: `asyncio.create_task(work(db))`, `asyncio.ensure_future`,
  `loop.create_task`, `threading.Thread(target=f, args=(db,))`, unless the endpoint awaits it;
- a background task or a streaming body (`background_tasks.add_task(f, db)`, `StreamingResponse(rows(db))`)
  when the dependency is declared with `scope="function"` (FastAPI 0.121+ closes it when the endpoint
  returns, before the response is sent). FastAPI 0.106 to 0.117 closed every yield dependency before
  background tasks ran; set `closed-before-background = true` if the project supports those versions.

Tasks awaited before the endpoint returns, task groups (`async with TaskGroup() as tg`), tasks given plain
values (ids) or a sessionmaker, and work that takes the session over (the function it runs closes what it
receives, as code that keeps the session open on purpose for a background consumer does) stay quiet.

## Why is this bad?
The task runs on a session FastAPI has closed (or is closing): `DetachedInstanceError`, "session is
closed", lazy loads that fail, or, with a pool, a connection another request is using at the same time.
It passes the tests, where the task finishes before teardown, and fails under load.

## Example
```python
@router.post("/orders/{order_id}/receipt")
async def send_receipt(order_id: int, db: Annotated[Session, Depends(get_db)]):
    asyncio.create_task(email_receipt(order_id, db))
```

## Use instead
Pass plain values, and let the task open its own session:
```python
async def email_receipt(order_id: int) -> None:
    with SessionLocal() as db:
        ...

@router.post("/orders/{order_id}/receipt")
async def send_receipt(order_id: int):
    asyncio.create_task(email_receipt(order_id))
```

## References
- https://fastapi.tiangolo.com/tutorial/dependencies/dependencies-with-yield/
- https://fastapi.tiangolo.com/tutorial/background-tasks/
"""
    valid = (
        # Awaited tasks, a task group, plain values, a sessionmaker; background tasks of a request-scoped session.
        Valid("""\
import asyncio
from fastapi import BackgroundTasks, Depends, FastAPI
app = FastAPI()
SessionLocal = object
def get_db():
    db = object()
    try:
        yield db
    finally:
        pass
async def work(value):
    return value
@app.post("/{item_id}")
async def create(item_id: int, tasks: BackgroundTasks, db=Depends(get_db)):
    await asyncio.create_task(work(db))
    pending = asyncio.ensure_future(work(db))
    await pending
    async with asyncio.TaskGroup() as group:
        group.create_task(work(db))
    asyncio.create_task(work(item_id))
    asyncio.create_task(work(SessionLocal))
    tasks.add_task(work, db)
    return item_id
"""),
    )
    invalid = (
        Invalid("""\
import asyncio
import threading
from fastapi import Depends, FastAPI
app = FastAPI()
def get_db():
    db = object()
    try:
        yield db
    finally:
        pass
async def work(value):
    return value
@app.post("/{item_id}")
async def create(item_id: int, db=Depends(get_db)):
    asyncio.create_task(work(db))
    threading.Thread(target=print, args=(db,)).start()
    return item_id
""", (("app.py", 15), ("app.py", 16))),
        # A function-scoped session closes when the endpoint returns, before the background task runs.
        Invalid("""\
from typing import Annotated
from fastapi import BackgroundTasks, Depends, FastAPI
from fastapi.responses import StreamingResponse
app = FastAPI()
def get_db():
    db = object()
    try:
        yield db
    finally:
        pass
FunctionDb = Annotated[object, Depends(get_db, scope="function")]
def rows(db):
    yield str(db)
@app.post("/")
def create(tasks: BackgroundTasks, db: FunctionDb):
    tasks.add_task(print, db)
    return StreamingResponse(rows(db))
""", (("app.py", 16), ("app.py", 17))),
    )

    def check(self, index: ProjectIndex) -> Iterator[Finding]:
        graph = index.graph
        assert graph is not None, "analyze() builds the graph before rules run"
        for name in sorted(index.sources):
            facts = index.modules[name]
            for handoff in facts.handoffs:
                node_id = node_of_function(graph, facts.module, handoff.function)
                if node_id is None:
                    continue
                resources = {edge.parameter: edge for edge in parameter_edges(graph, node_id)
                             if _yield_resource(graph, edge) and edge.parameter in handoff.passed
                             and not _transferred(index, facts.module, handoff, edge.parameter)}
                if not resources:
                    continue
                when = self.when(index, facts.module, handoff)
                if when is None:
                    continue
                for parameter in sorted(resources):
                    edge = resources[parameter]
                    if when == "after the response" and not (edge.scope == "function"
                                                             or self.settings["closed-before-background"]):
                        continue
                    yield self.escape(handoff, edge, when, Location(facts.path, handoff.line, handoff.column,
                                                                    handoff.line, handoff.column))

    def when(self, index: ProjectIndex, module: str, handoff: Handoff) -> str | None:
        """"after the request" (a task or thread), "after the response" (a background task, a streaming body),
        or None when the call is not a hand-off."""
        resolver = index.resolver
        function = resolver.function_facts(module, handoff.function)
        ctx = Ctx(module, function.scope if function is not None else "")
        callee = handoff.callee
        name = resolver.qualified_name(callee, ctx)
        if name in _TASKS:
            return None if handoff.awaited else "after the request"
        if name in _AFTER_RESPONSE:
            return "after the response"
        if not isinstance(callee, AttributeExpr):
            return None
        if callee.attr in _LOOP_METHODS and not handoff.scoped_receiver and _event_loop(
                resolver, callee.value, Ctx(module, handoff.function)):
            return None if handoff.awaited else "after the request"
        if callee.attr == "add_task" and isinstance(callee.value, NameExpr) and function is not None:
            for parameter in function.parameters:
                if parameter.name == callee.value.name and parameter.annotation is not None and (
                        resolver.qualified_name(parameter.annotation, ctx) in _BACKGROUND_TASKS):
                    return "after the response"
        return None

    def escape(self, handoff: Handoff, edge: Edge, when: str, location: Location) -> Finding:
        provider = edge.target.rsplit(".", 1)[-1]
        call = render(handoff.callee)
        if when == "after the request":
            return self.finding(
                f"`{call}(...)` in `{handoff.function}` hands `{edge.parameter}` (from `{provider}`, a yield "
                "dependency FastAPI closes when the request ends) to work that outlives the request: it runs on a "
                "closed session",
                location,
                fix="pass plain values (ids) and open a session in the task from the sessionmaker, or await it "
                    "before returning",
            )
        closed = ("with `scope=\"function\"`, closed when the endpoint returns" if edge.scope == "function"
                  else "closed before background tasks and streaming bodies run in FastAPI 0.106 to 0.117")
        return self.finding(
            f"`{call}(...)` in `{handoff.function}` runs after the response is sent, but `{edge.parameter}` comes "
            f"from `{provider}` {closed}: it gets a closed session",
            location,
            fix="pass plain values and open a session in the task, or keep the dependency request-scoped "
                "(FastAPI 0.118+ closes those after the background tasks)",
        )


def _transferred(index: ProjectIndex, module: str, handoff: Handoff, parameter: str) -> bool:
    """The work takes the session over: the function it runs closes what it receives (`finally: await
    db_session.close()`), as code does that keeps the session open on purpose for a background consumer."""
    resolver = index.resolver
    ctx = Ctx(module, handoff.function)
    for name, callee, position in handoff.receivers:
        if name != parameter:
            continue
        sym = resolver.deref(resolver.resolve(callee, ctx))
        if not isinstance(sym, (DefSym, MethodSym)) or getattr(sym, "kind", "function") != "function":
            continue
        facts = resolver.function_facts(sym.module, sym.qualname)
        if facts is None:
            continue
        parameters = [p.name for p in facts.parameters if p.name not in ("self", "cls")]
        received = (parameters[position] if isinstance(position, int) and position < len(parameters)
                    else position if isinstance(position, str) else None)
        module_facts = index.facts(sym.module)
        if received is None or module_facts is None:
            continue
        if any(function == sym.qualname and isinstance(called, AttributeExpr) and called.attr in _CLOSERS
               and isinstance(called.value, NameExpr) and called.value.name == received
               for function, called in module_facts.body_calls):
            return True
    return False


def _event_loop(resolver, receiver, ctx: Ctx) -> bool:
    """`asyncio.get_running_loop()`, or a name bound to it."""
    if isinstance(receiver, CallExpr):
        return resolver.qualified_name(receiver.func, ctx) in _LOOPS
    return resolver.built_by(resolver.resolve(receiver, ctx)) in _LOOPS


def _yield_resource(graph, edge: Edge) -> bool:
    """The edge brings a project yield dependency's value, built per request."""
    target = graph.node(edge.target)
    return target.yields and per_request_object(target)
