"""DI004 module-session-singleton (bad). Twin: ``sample_app/fixed/module_session.py``.

``db = SessionLocal()`` runs once at import, so every request (on every worker thread) shares
one Session: it is not thread-safe, a failed transaction poisons all later requests, and the
identity map grows forever. The twin uses the per-request yield provider ``get_db``.
"""

from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from sample_app.db import SessionLocal
from sample_app.services.books import count_books

router = APIRouter(prefix="/module-session")

db = SessionLocal()


def get_shared_db() -> Session:
    return db


@router.get("/books/count")
def book_count(session: Annotated[Session, Depends(get_shared_db)]) -> dict:
    return {"count": count_books(session)}
