"""DI008 fixed twin of ``sample_app/antipatterns/hard_wired.py``.

``BookAnnouncer`` receives its repository (over the per-request session) and its mailer through
Depends, so both can be overridden and the session is closed by ``get_db``.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException

from sample_app.services.books import BookRepository
from sample_app.services.notify import SmtpMailer, get_mailer

router = APIRouter(prefix="/hard-wired")


class BookAnnouncer:
    def __init__(
        self,
        repo: Annotated[BookRepository, Depends()],
        mailer: Annotated[SmtpMailer, Depends(get_mailer)],
    ) -> None:
        self.repo = repo
        self.mailer = mailer

    def announce(self, book_id: int) -> str:
        book = self.repo.get(book_id)
        if book is None:
            raise HTTPException(404, detail="Book not found")
        return self.mailer.send("readers@example.com", f"New book: {book.title}")


@router.post("/books/{book_id}/announce")
def announce(book_id: int, announcer: Annotated[BookAnnouncer, Depends()]) -> dict:
    return {"message": announcer.announce(book_id)}
