"""DI009 fixed twin of ``sample_app/antipatterns/captive.py``.

FastAPI already builds a dependency once per request and shares it among every parameter that asks for it:
the repository is built per request with that request's session, and nothing outlives the request. What
lives as long as the process (settings, the engine, the sessionmaker) is what may be cached.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException
from sqlalchemy.orm import Session

from sample_app.deps.database import get_db
from sample_app.services.books import BookRepository

router = APIRouter(prefix="/captive")


def get_repository(db: Annotated[Session, Depends(get_db)]) -> BookRepository:
    return BookRepository(db)


@router.get("/cached/books/{book_id}")
def cached_book_title(book_id: int, repo: Annotated[BookRepository, Depends(get_repository)]) -> dict:
    return _title(repo, book_id)


@router.get("/first/books/{book_id}")
def first_book_title(book_id: int, repo: Annotated[BookRepository, Depends(get_repository)]) -> dict:
    return _title(repo, book_id)


def _title(repo: BookRepository, book_id: int) -> dict:
    book = repo.get(book_id)
    if book is None:
        raise HTTPException(status_code=404, detail="book not found")
    return {"title": book.title}
