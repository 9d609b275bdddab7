"""DI011 request-resource-escape (bad). Twin: ``sample_app/fixed/resource_escape.py``.

``request_review`` answers at once and leaves the review to a task: ``asyncio.create_task`` runs it after
the response, on the request's own session. FastAPI closes that session when the request ends, so the task
works on a closed session (with a pool, on a connection another request may be using by then).
"""

import asyncio
import logging
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException
from sqlalchemy.orm import Session

from sample_app.deps.database import get_db
from sample_app.models import Book

router = APIRouter(prefix="/resource-escape")
logger = logging.getLogger(__name__)


async def review_book(book_id: int, db: Session) -> str | None:
    await asyncio.sleep(0)  # the request goes on, and ends, while the review waits its turn
    book = db.get(Book, book_id)
    title = book.title if book is not None else None
    logger.info("reviewed %s", title)
    return title


@router.post("/books/{book_id}/review", status_code=202)
async def request_review(book_id: int, db: Annotated[Session, Depends(get_db)]) -> dict:
    if db.get(Book, book_id) is None:
        raise HTTPException(status_code=404, detail="book not found")
    asyncio.create_task(review_book(book_id, db))
    return {"queued": book_id}
