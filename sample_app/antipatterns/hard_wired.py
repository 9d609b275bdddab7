"""DI008 hard-wired-dependency (bad). Twin: ``sample_app/fixed/hard_wired.py``.

``BookAnnouncer.__init__`` builds its own collaborators (a repository over a fresh
``SessionLocal()`` and a concrete ``SmtpMailer``): FastAPI can construct it, but nothing can
replace the mailer or the session in tests, and the session's lifetime belongs to no one.
The twin receives both through Depends.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException

from sample_app.db import SessionLocal
from sample_app.services.books import BookRepository
from sample_app.services.notify import SmtpMailer

router = APIRouter(prefix="/hard-wired")


class BookAnnouncer:
    def __init__(self) -> None:
        self.repo = BookRepository(SessionLocal())
        self.mailer = SmtpMailer()

    def announce(self, book_id: int) -> str:
        try:
            book = self.repo.get(book_id)
            if book is None:
                raise HTTPException(404, detail="Book not found")
            return self.mailer.send("readers@example.com", f"New book: {book.title}")
        finally:
            self.repo.db.close()


@router.post("/books/{book_id}/announce")
def announce(book_id: int, announcer: Annotated[BookAnnouncer, Depends()]) -> dict:
    return {"message": announcer.announce(book_id)}
