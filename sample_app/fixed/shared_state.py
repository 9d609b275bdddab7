"""DI006 fixed twin of ``sample_app/antipatterns/shared_state.py``.

Favorites live in a ``FavoritesStore`` (with a lock) handed out by the ``get_favorites_store``
provider; the endpoint only calls its methods, and tests override the provider with a fresh store.
"""

import threading
from functools import lru_cache
from typing import Annotated

from fastapi import APIRouter, Depends

from sample_app.deps import CurrentUser

router = APIRouter(prefix="/shared-state")


class FavoritesStore:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._data: dict[str, list[int]] = {}

    def add(self, username: str, book_id: int) -> list[int]:
        with self._lock:
            books = self._data.setdefault(username, [])
            if book_id not in books:
                books.append(book_id)
            return list(books)

    def list(self, username: str) -> list[int]:
        with self._lock:
            return list(self._data.get(username, []))


@lru_cache
def get_favorites_store() -> FavoritesStore:
    return FavoritesStore()


Favorites = Annotated[FavoritesStore, Depends(get_favorites_store)]


@router.post("/favorites/{book_id}")
def add_favorite(book_id: int, user: CurrentUser, store: Favorites) -> dict:
    return {"favorites": store.add(user.username, book_id)}


@router.get("/favorites")
def list_favorites(user: CurrentUser, store: Favorites) -> dict:
    return {"favorites": store.list(user.username)}
