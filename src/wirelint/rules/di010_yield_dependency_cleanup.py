"""DI010 yield-dependency-cleanup."""

from __future__ import annotations

from collections.abc import Iterator

from ..analyzer.models import YieldGap
from ..analyzer.project import ProjectIndex
from .base import Finding, Invalid, Rule, Valid, register


@register
class YieldDependencyCleanup(Rule):
    code = "DI010"
    name = "yield-dependency-cleanup"
    severity = "error"
    summary = "A yield dependency's cleanup is skipped, or its exception swallowed, when the endpoint raises."
    explanation = """\
## What it does
Looks at the dependencies FastAPI calls that `yield` (providers, factories' inner functions, `__call__` of an
injected instance) and reports:
- a statement after the `yield` that gives back what the dependency opened (`db.close()`,
  `pool.release(conn)`, `Session.remove()`) but is not in a `finally` block or a context manager (using it
  after the `yield`, a commit or consuming a record only when the request succeeded, is a choice, not a
  cleanup);
- an `except` around the `yield` that never raises (neither the exception nor a new one).

## Why is this bad?
When the endpoint (or a dependency below it) raises, FastAPI throws that exception into the dependency at its
`yield`. Code after the `yield` then does not run: the session or connection is never closed, and a busy
service runs out of connections after enough failed requests. An `except` that does not raise again swallows
the exception: since FastAPI 0.110 the client gets a bare 500 and the server logs nothing about the error.
A statement after the `yield` inside a `with` block, or inside a `try` that has a handler or a `finally`, is the
success path (a commit) and is fine.

## Example
```python
def get_db():
    db = SessionLocal()
    yield db
    db.close()          # skipped when the endpoint raises


def get_tx_db():
    db = SessionLocal()
    try:
        yield db
    except SQLAlchemyError:
        db.rollback()   # the exception ends here: a 500 with no log
    finally:
        db.close()
```

## Use instead
```python
def get_db():
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()


def get_tx_db():
    with SessionLocal() as db:
        try:
            yield db
        except SQLAlchemyError:
            db.rollback()
            raise
```

## References
- https://fastapi.tiangolo.com/tutorial/dependencies/dependencies-with-yield/
"""
    valid = (
        # try/finally, a context manager (with a commit on the success path), and a handler that re-raises
        Valid("""\
from fastapi import FastAPI, Depends
app = FastAPI()
def get_db():
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()
async def get_session():
    async with session_maker() as session:
        yield session
        await session.commit()
def get_tx():
    db = SessionLocal()
    try:
        yield db
        db.commit()
    except Exception:
        db.rollback()
        raise
    finally:
        db.close()
def get_checked():
    try:
        yield 1
    except ValueError as error:
        raise HTTPException(400) from error
@app.get("/")
def read(a=Depends(get_db), b=Depends(get_session), c=Depends(get_tx), d=Depends(get_checked)):
    return a
"""),
        # After the yield, nothing the dependency opened is used: a log line is not a cleanup.
        Valid("""\
from fastapi import FastAPI, Depends
app = FastAPI()
def get_settings():
    settings = load_settings()
    yield settings
    logger.info("request done")
@app.get("/")
def read(settings=Depends(get_settings)):
    return settings
"""),
        # fief-server: a record consumed only when the request succeeded (a one-time authorization code) is a
        # choice, not a cleanup; neither is a commit.
        Valid("""\
from fastapi import FastAPI, Depends
app = FastAPI()
async def validate_grant(token: str, repository=Depends(get_repository)):
    code = await repository.get_valid_by_code(token)
    yield {"user_id": code.user_id}
    await repository.delete(code)
def get_db():
    db = SessionLocal()
    yield db
    db.commit()
@app.post("/token")
async def token(grant=Depends(validate_grant), db=Depends(get_db)):
    return grant
"""),
        # A generator FastAPI does not call (a lifespan, a contextmanager helper) is not a dependency.
        Valid("""\
from contextlib import contextmanager
from fastapi import FastAPI
@contextmanager
def session_scope():
    db = SessionLocal()
    yield db
    db.close()
app = FastAPI()
"""),
    )
    invalid = (
        Invalid("""\
from fastapi import FastAPI, Depends
app = FastAPI()
def get_db():
    db = SessionLocal()
    yield db
    db.close()
@app.get("/")
def read(db=Depends(get_db)):
    return db
""", 6),
        # A handler that re-raises, then the cleanup after the try: skipped all the same.
        Invalid("""\
from fastapi import FastAPI, Depends
app = FastAPI()
async def get_conn():
    conn = await pool.acquire()
    try:
        yield conn
    except Exception:
        await conn.execute("ROLLBACK")
        raise
    await pool.release(conn)
@app.get("/")
async def read(conn=Depends(get_conn)):
    return conn
""", 10),
        # A handler that logs and returns: the endpoint's exception is swallowed.
        Invalid("""\
from fastapi import FastAPI, Depends
app = FastAPI()
class Tx:
    def __call__(self):
        db = SessionLocal()
        try:
            yield db
        except Exception:
            logger.exception("rolled back")
            db.rollback()
        finally:
            db.close()
tx = Tx()
@app.get("/")
def read(db=Depends(tx)):
    return db
""", 8),
    )

    def check(self, index: ProjectIndex) -> Iterator[Finding]:
        dependencies = _yield_dependencies(index)
        for name in sorted(index.sources):
            facts = index.modules[name]
            for gap in facts.yield_gaps:
                node_id = f"{facts.module}.{gap.function}"
                if node_id in dependencies:
                    yield self.gap_finding(gap)

    def gap_finding(self, gap: YieldGap) -> Finding:
        function = gap.function
        if gap.kind == "skipped":
            return self.finding(
                f"`{gap.statement}` after the yield (line {gap.yield_line}) of dependency `{function}` is skipped "
                "when the endpoint raises, so what it cleans up leaks",
                gap.location,
                fix="move it into a `finally:` block around the yield, or open the resource with `with`",
            )
        return self.finding(
            f"`{gap.statement}` around the yield (line {gap.yield_line}) of dependency `{function}` does not "
            "raise again: the endpoint's exception is swallowed, the client gets a bare 500 and nothing is logged",
            gap.location,
            fix="end the handler with `raise` (or raise an HTTPException)",
        )


def _yield_dependencies(index: ProjectIndex) -> set[str]:
    """The qualified names of the functions FastAPI calls as dependencies: providers and factories' functions,
    and the `__call__` of injected instances and classes."""
    names: set[str] = set()
    graph = index.graph
    assert graph is not None, "analyze() builds the graph before rules run"
    for node in graph.nodes():
        if node.kind in ("provider", "factory") and node.location is not None:
            names.add(node.id)
        elif node.kind == "instance" and node.class_id is not None:
            names.add(f"{node.class_id}.__call__")
    return names
