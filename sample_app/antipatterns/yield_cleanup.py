"""DI010 yield-dependency-cleanup (bad). Twin: ``sample_app/fixed/yield_cleanup.py``.

When an endpoint raises (even a plain 404), FastAPI throws that exception into each yield dependency at its
``yield``. ``get_unguarded_db`` closes its session on the line after the ``yield``, so every failed request
leaves a session (and its pooled connection) open. ``get_swallowing_db`` catches the exception to roll back
and never raises it again: the client gets a bare 500 instead of the 404, and the server logs nothing.
"""

from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException
from sqlalchemy.orm import Session

from sample_app.db import SessionLocal
from sample_app.models import Book

router = APIRouter(prefix="/yield-cleanup")


def get_unguarded_db() -> Iterator[Session]:
    db = SessionLocal()
    yield db
    db.close()


def get_swallowing_db() -> Iterator[Session]:
    db = SessionLocal()
    try:
        yield db
    except Exception:
        db.rollback()
    finally:
        db.close()


@router.get("/books/{book_id}")
def book_title(book_id: int, db: Annotated[Session, Depends(get_unguarded_db)]) -> dict:
    book = db.get(Book, book_id)
    if book is None:
        raise HTTPException(status_code=404, detail="book not found")
    return {"title": book.title}


@router.get("/transactional/books/{book_id}")
def transactional_book_title(book_id: int, db: Annotated[Session, Depends(get_swallowing_db)]) -> dict:
    book = db.get(Book, book_id)
    if book is None:
        raise HTTPException(status_code=404, detail="book not found")
    return {"title": book.title}
