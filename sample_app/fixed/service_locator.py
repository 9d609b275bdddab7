"""DI003 fixed twin of ``sample_app/antipatterns/service_locator.py``.

The repository, the notifier and the mailer are declared as dependencies: the signature documents
what the endpoint needs, the session is per request, and tests can override each provider.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException

from sample_app.services.books import BookRepository
from sample_app.services.notify import Notifier, SmtpMailer, get_mailer

router = APIRouter(prefix="/service-locator")


def get_notifier(mailer: Annotated[SmtpMailer, Depends(get_mailer)]) -> Notifier:
    return Notifier(mailer)


class AnnouncementService:
    def __init__(self, notifier: Annotated[Notifier, Depends(get_notifier)]) -> None:
        self.notifier = notifier

    def announce(self, email: str, title: str) -> str:
        return self.notifier.book_added(email, title)


@router.post("/books/{book_id}/announce")
def announce_book(
    book_id: int,
    repo: Annotated[BookRepository, Depends()],
    service: Annotated[AnnouncementService, Depends()],
    mailer: Annotated[SmtpMailer, Depends(get_mailer)],
) -> dict:
    book = repo.get(book_id)
    if book is None:
        raise HTTPException(404, detail="Book not found")
    message = service.announce("readers@example.com", book.title)
    mailer.send("staff@example.com", f"announced {book.title}")
    return {"message": message, "staff_outbox": len(mailer.outbox)}
