"""DI009 captive-dependency (bad). Twin: ``sample_app/fixed/captive.py``.

A longer-lived object keeps a per-request one. ``get_cached_repository`` is an ``lru_cache`` provider that takes
the request's session: the cache keys on each new session, so it never hits, and it keeps the last 128
repositories (and their sessions, closed by ``get_db``) alive. ``get_first_repository`` builds its repository
once, on the first request, with that request's session: every later request, from any thread, uses the
first request's session after ``get_db`` closed it.
"""

from functools import lru_cache
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException
from sqlalchemy.orm import Session

from sample_app.deps.database import get_db
from sample_app.services.books import BookRepository

router = APIRouter(prefix="/captive")

_first_repository: BookRepository | None = None


@lru_cache
def get_cached_repository(db: Annotated[Session, Depends(get_db)]) -> BookRepository:
    return BookRepository(db)


def get_first_repository(db: Annotated[Session, Depends(get_db)]) -> BookRepository:
    global _first_repository
    if _first_repository is None:
        _first_repository = BookRepository(db)
    return _first_repository


@router.get("/cached/books/{book_id}")
def cached_book_title(book_id: int,
                      repo: Annotated[BookRepository, Depends(get_cached_repository)]) -> dict:
    return _title(repo, book_id)


@router.get("/first/books/{book_id}")
def first_book_title(book_id: int, repo: Annotated[BookRepository, Depends(get_first_repository)]) -> dict:
    return _title(repo, book_id)


def _title(repo: BookRepository, book_id: int) -> dict:
    book = repo.get(book_id)
    if book is None:
        raise HTTPException(status_code=404, detail="book not found")
    return {"title": book.title}
