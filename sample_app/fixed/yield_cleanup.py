"""DI010 fixed twin of ``sample_app/antipatterns/yield_cleanup.py``.

The cleanup sits in ``finally``, which runs however the request ends; the rollback handler ends with
``raise``, so FastAPI still turns the endpoint's exception into its response (a 404 here).
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
    try:
        yield db
    finally:
        db.close()


def get_swallowing_db() -> Iterator[Session]:
    db = SessionLocal()
    try:
        yield db
    except Exception:
        db.rollback()
        raise
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
