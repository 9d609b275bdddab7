"""What an exception thrown at a generator's yield skips or is swallowed by (analyzer/generators.py)."""

from __future__ import annotations

import ast
import textwrap

import pytest

from wirelint.analyzer.collectors import collect_module
from wirelint.analyzer.generators import cleanup_gaps


def gaps(source: str) -> list[tuple[str, int]]:
    function = ast.parse(textwrap.dedent(source)).body[0]
    return [(gap.kind, gap.node.lineno) for gap in cleanup_gaps(function)]


@pytest.mark.parametrize(("source", "expected"), [
    # the classic: the close after the yield is skipped (shown rather than the commit before it)
    ("""
     def get_db():
         db = SessionLocal()
         yield db
         db.commit()
         db.close()
     """, [("skipped", 6)]),
    # using the resource is not cleaning it up: a commit only on success is a choice
    ("""
     def get_db():
         db = SessionLocal()
         yield db
         logger.info("done")
         db.commit()
     """, []),
    # fief-server: a record consumed only when the request succeeded (an authorization code used once)
    ("""
     async def validate_grant(repository=Depends(get_repository)):
         code = await repository.get_valid_by_code(hash_of(token))
         yield {"user_id": code.user_id}
         await repository.delete(code)
     """, []),
    # a scoped session removed, a connection given back by a helper
    ("""
     def get_db():
         Session = scoped_session(factory)
         conn = checkout()
         yield Session()
         Session.remove()
         release_connection(conn)
     """, [("skipped", 6)]),
    # passed to a call: a pool takes its connection back
    ("""
     async def get_conn():
         conn = await pool.acquire()
         yield conn
         await pool.release(conn)
     """, [("skipped", 5)]),
    # try/finally: guarded; the commit in the try body is the success path
    ("""
     def get_db():
         db = SessionLocal()
         try:
             yield db
             db.commit()
         finally:
             db.close()
     """, []),
    # a with block closes its target; a commit inside it is the success path
    ("""
     async def get_session():
         async with maker() as session:
             yield session
             await session.commit()
     """, []),
    # a with that only opens a transaction: what follows it is still skipped
    ("""
     def get_db():
         db = SessionLocal()
         with db.begin():
             yield db
         db.close()
     """, [("skipped", 6)]),
    # re-raising handler, then a cleanup after the try: skipped
    ("""
     def get_db():
         db = SessionLocal()
         try:
             yield db
             db.commit()
         except Exception:
             db.rollback()
             raise
         db.close()
     """, [("skipped", 10)]),
    # a handler that does not raise swallows; the finally still closes
    ("""
     def get_db():
         db = SessionLocal()
         try:
             yield db
         except SQLAlchemyError:
             db.rollback()
         except ValueError as error:
             raise HTTPException(400) from error
         finally:
             db.close()
     """, [("swallowed", 6)]),
    # a raise under a condition counts as raising (precision over recall)
    ("""
     def get_db():
         db = SessionLocal()
         try:
             yield db
         except Exception as error:
             if not isinstance(error, HTTPException):
                 raise
         finally:
             db.close()
     """, []),
    # after the yield, only what the generator did not open: nothing to clean up
    ("""
     def get_user(token=Depends(scheme)):
         user = decode(token)
         yield user
         logger.info("done")
         audit(token)
     """, []),
    # a raise in a nested function does not make the handler raise
    ("""
     def get_db():
         db = SessionLocal()
         try:
             yield db
         except Exception:
             def later():
                 raise RuntimeError
         finally:
             db.close()
     """, [("swallowed", 6)]),
    # openhands: `yield; return` on one path; the other path's try/finally is not after the first yield
    ("""
     async def inject(state):
         client = getattr(state, "client", None)
         if client:
             yield client
             return
         client = httpx.AsyncClient()
         try:
             yield client
         finally:
             await client.aclose()
     """, []),
    # yields of nested functions are theirs, not the outer function's
    ("""
     def factory():
         db = SessionLocal()
         def inner():
             yield db
         db.close()
         return inner
     """, []),
])
def test_cleanup_gaps(source, expected):
    assert gaps(source) == expected


def test_facts_carry_the_statement_the_location_and_the_yield_line():
    source = "def get_db():\n    db = SessionLocal()\n    yield db\n    db.close()  # leaks\n"
    (gap,) = collect_module("app", "app.py", source.encode(), False).yield_gaps
    assert (gap.function, gap.kind, gap.statement, gap.yield_line) == ("get_db", "skipped", "db.close()  # leaks", 3)
    assert (gap.location.line, gap.location.column) == (4, 5)


def test_methods_and_nested_functions_are_named_by_qualname():
    source = textwrap.dedent("""\
        class Tx:
            def __call__(self):
                db = SessionLocal()
                try:
                    yield db
                except Exception:
                    pass
                finally:
                    db.close()
        """)
    (gap,) = collect_module("app", "app.py", source.encode(), False).yield_gaps
    assert (gap.function, gap.kind, gap.statement, gap.location.line) == (
        "Tx.__call__", "swallowed", "except Exception:", 6)
