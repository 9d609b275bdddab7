"""The /api router: nests the books router under /books with include-level dependencies."""

from fastapi import APIRouter, Depends

from sample_app.deps.common import books_marker
from sample_app.routers import authors, books, users

router = APIRouter()
router.include_router(books.router, prefix="/books", dependencies=[Depends(books_marker)])
router.include_router(authors.router)
router.include_router(users.router)
