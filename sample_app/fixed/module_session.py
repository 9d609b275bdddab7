"""DI004 fixed twin of ``sample_app/antipatterns/module_session.py``.

The session comes from the per-request yield provider ``get_db`` (via the ``DbSession`` alias):
one session per request, always closed, never shared across threads.
"""

from fastapi import APIRouter

from sample_app.deps import DbSession
from sample_app.services.books import count_books

router = APIRouter(prefix="/module-session")


@router.get("/books/count")
def book_count(session: DbSession) -> dict:
    return {"count": count_books(session)}
