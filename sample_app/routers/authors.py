"""Author endpoints; uses the aliases module through a module-alias import."""

from fastapi import APIRouter, Depends, HTTPException
from sqlalchemy import select

import sample_app.deps.aliases as aliases
from sample_app.deps.roles import require_role
from sample_app.models import Author, Book, User
from sample_app.schemas import AuthorIn, AuthorOut, BookOut

router = APIRouter(prefix="/authors", tags=["authors"])

require_admin = require_role("admin")


@router.get("", response_model=list[AuthorOut])
def list_authors(db: aliases.DbSession, user: aliases.CurrentUser):
    return list(db.scalars(select(Author).order_by(Author.id)))


@router.post("", response_model=AuthorOut, status_code=201)
def create_author(payload: AuthorIn, db: aliases.DbSession, admin: User = Depends(require_admin)):
    author = Author(name=payload.name)
    db.add(author)
    db.commit()
    db.refresh(author)
    return author


@router.get("/{author_id}/books", response_model=list[BookOut])
def author_books(author_id: int, db: aliases.DbSession, user: aliases.CurrentUser):
    if db.get(Author, author_id) is None:
        raise HTTPException(404, detail="Author not found")
    return list(db.scalars(select(Book).where(Book.author_id == author_id)))
