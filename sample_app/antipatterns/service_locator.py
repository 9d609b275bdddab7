"""DI003 service-locator (bad). Twin: ``sample_app/fixed/service_locator.py``.

Dependencies are pulled at call time from a global container (``registry.resolve(Notifier)``,
``container.get(BookRepository)``) and from ``request.app.state.mailer``. Nothing in the
signatures says what the endpoint needs, ``app.dependency_overrides`` cannot replace them, and
the repository gets a session nobody owns. The twin declares each one with Depends.
"""

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, HTTPException, Request

from sample_app.db import SessionLocal
from sample_app.services.books import BookRepository
from sample_app.services.notify import Notifier, SmtpMailer

router = APIRouter(prefix="/service-locator")


class Container:
    def __init__(self) -> None:
        self._factories: dict[type, Callable[[], Any]] = {}

    def register(self, key: type, factory: Callable[[], Any]) -> None:
        self._factories[key] = factory

    def resolve(self, key: type) -> Any:
        return self._factories[key]()

    get = resolve


registry = Container()
container = registry
registry.register(Notifier, lambda: Notifier(SmtpMailer()))
container.register(BookRepository, lambda: BookRepository(SessionLocal()))


class AnnouncementService:
    def announce(self, email: str, title: str) -> str:
        notifier = registry.resolve(Notifier)
        return notifier.book_added(email, title)


@router.post("/books/{book_id}/announce")
def announce_book(book_id: int, request: Request) -> dict:
    repo = container.get(BookRepository)
    try:
        book = repo.get(book_id)
        if book is None:
            raise HTTPException(404, detail="Book not found")
        message = AnnouncementService().announce("readers@example.com", book.title)
        mailer = request.app.state.mailer
        mailer.send("staff@example.com", f"announced {book.title}")
        return {"message": message, "staff_outbox": len(mailer.outbox)}
    finally:
        repo.db.close()
