"""dependency-injector: a ``DeclarativeContainer`` of providers, injected with ``@inject`` and ``Provide``.

``Depends(Provide[Container.stats])`` gives FastAPI dependency-injector's marker; ``@inject`` (wired by
``container.wire(...)`` at the bottom) replaces it with what ``Container.stats`` builds:
``ShelfStats(shelf=BookShelf(session=<the session>))``.

Anti-pattern DI004 module-session-singleton: ``session`` is a ``providers.Singleton``, so the first request
creates one SQLAlchemy Session and every later request, on every worker thread, shares it (the same bug as
``db = SessionLocal()`` in ``sample_app/antipatterns/module_session.py``).
"""

from dependency_injector import containers, providers
from dependency_injector.wiring import Provide, inject
from fastapi import APIRouter, Depends
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sample_app.db import SessionLocal
from sample_app.models import Author, Book

router = APIRouter(prefix="/containers/injector", tags=["containers"])


class BookShelf:
    def __init__(self, session: Session) -> None:
        self.session = session

    def count_books(self) -> int:
        return self.session.scalar(select(func.count(Book.id))) or 0

    def count_authors(self) -> int:
        return self.session.scalar(select(func.count(Author.id))) or 0


class ShelfStats:
    def __init__(self, shelf: BookShelf) -> None:
        self.shelf = shelf

    def summary(self) -> dict:
        books, authors = self.shelf.count_books(), self.shelf.count_authors()
        return {"books": books, "authors": authors, "books_per_author": books / authors if authors else 0.0}


class Container(containers.DeclarativeContainer):
    # DI004 (bad): one Session for the whole process, never closed, shared by concurrent requests.
    # Fix: a session per use that is closed again. Either a Resource of a generator,
    #     def open_session() -> Iterator[Session]:
    #         with SessionLocal() as session:
    #             yield session
    #     session = providers.Resource(open_session)
    # initialised and shut down around each request (``init_resources()`` / ``shutdown_resources()``), or
    # ``session = providers.Factory(SessionLocal)`` and the endpoint closes ``stats.shelf.session``; or keep the
    # session out of the container and take FastAPI's per-request ``Depends(get_db)``.
    session = providers.Singleton(SessionLocal)
    shelf = providers.Factory(BookShelf, session=session)
    stats = providers.Factory(ShelfStats, shelf=shelf)


container = Container()


@router.get("/shelf/stats")
@inject
def shelf_stats(stats: ShelfStats = Depends(Provide[Container.stats])) -> dict:
    return stats.summary()


container.wire(modules=[__name__])
