"""DI011 fixed twin of ``sample_app/antipatterns/resource_escape.py``.

The task gets the book's id, a plain value, and opens its own session from the sessionmaker: it owns what
it uses, for as long as it runs, whatever happened to the request.
"""

import asyncio
import logging
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException
from sqlalchemy.orm import Session

from sample_app.db import SessionLocal
from sample_app.deps.database import get_db
from sample_app.models import Book

router = APIRouter(prefix="/resource-escape")
logger = logging.getLogger(__name__)


async def review_book(book_id: int) -> str | None:
    await asyncio.sleep(0)
    with SessionLocal() as db:
        book = db.get(Book, book_id)
        title = book.title if book is not None else None
    logger.info("reviewed %s", title)
    return title


@router.post("/books/{book_id}/review", status_code=202)
async def request_review(book_id: int, db: Annotated[Session, Depends(get_db)]) -> dict:
    if db.get(Book, book_id) is None:
        raise HTTPException(status_code=404, detail="book not found")
    asyncio.create_task(review_book(book_id))
    return {"queued": book_id}
