"""Per-request database session providers."""

from collections.abc import Iterator

from sqlalchemy.orm import Session

from sample_app.db import SessionLocal


def get_db() -> Iterator[Session]:
    """Yield one session per request and always close it afterwards."""
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()
