"""Book repository and service, wired with ``Depends()`` class shortcuts.

This module uses ``from __future__ import annotations``: FastAPI resolves the string annotations
against the module globals, so every name used in a signature must be importable at module level.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException
from sqlalchemy import select
from sqlalchemy.orm import Session

from sample_app.deps import DbSession, SettingsDep
from sample_app.deps.pagination import Page
from sample_app.models import Author, Book


class BookRepository:
    def __init__(self, db: DbSession) -> None:
        self.db = db

    def list(self, page: Page) -> list[Book]:
        stmt = select(Book).order_by(Book.id).offset(page.offset).limit(page.limit)
        return list(self.db.scalars(stmt))

    def get(self, book_id: int) -> Book | None:
        return self.db.get(Book, book_id)

    def add(self, title: str, author_id: int) -> Book:
        if self.db.get(Author, author_id) is None:
            raise HTTPException(404, detail="Author not found")
        book = Book(title=title, author_id=author_id)
        self.db.add(book)
        self.db.commit()
        self.db.refresh(book)
        return book

    def delete(self, book: Book) -> None:
        self.db.delete(book)
        self.db.commit()

    @classmethod
    def for_session(cls, db: DbSession) -> BookRepository:
        """Classmethod provider, usable as ``Depends(BookRepository.for_session)``."""
        return cls(db)


class BookService:
    def __init__(self, repo: Annotated[BookRepository, Depends()], settings: SettingsDep) -> None:
        self.repo = repo
        self.settings = settings

    def list_books(self, page: Page) -> list[Book]:
        return self.repo.list(Page(page.offset, min(page.limit, self.settings.max_page_size)))

    def get_book(self, book_id: int) -> Book:
        book = self.repo.get(book_id)
        if book is None:
            raise HTTPException(404, detail="Book not found")
        return book

    def create_book(self, title: str, author_id: int) -> Book:
        return self.repo.add(title.strip(), author_id)

    def delete_book(self, book_id: int) -> None:
        self.repo.delete(self.get_book(book_id))


def count_books(db: Session) -> int:
    return len(list(db.scalars(select(Book.id))))
