"""DI006 shared-mutable-state (bad). Twin: ``sample_app/fixed/shared_state.py``.

``_favorites`` is a module-level dict mutated by an endpoint: it is shared by all requests and
threads without a lock, leaks between tests, and cannot be swapped through dependency
overrides. The twin keeps the state in a store object provided by a dependency.
"""

from fastapi import APIRouter

from sample_app.deps import CurrentUser

router = APIRouter(prefix="/shared-state")

_favorites: dict[str, list[int]] = {}


@router.post("/favorites/{book_id}")
def add_favorite(book_id: int, user: CurrentUser) -> dict:
    books = _favorites.setdefault(user.username, [])
    if book_id not in books:
        books.append(book_id)
    return {"favorites": books}


@router.get("/favorites")
def list_favorites(user: CurrentUser) -> dict:
    return {"favorites": _favorites.get(user.username, [])}
