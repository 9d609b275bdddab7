"""DI012 fixed twin of ``sample_app/antipatterns/hidden_dependency.py``.

The route receives its ``Recommender`` from a provider. ``lru_cache`` keeps the one instance the process needs
(its lifetime is unchanged), the signature says what the route uses, and a test swaps it with
``app.dependency_overrides[get_recommender]``.
"""

from functools import lru_cache
from typing import Annotated

from fastapi import APIRouter, Depends

from sample_app.services.recommendations import CATALOGUE, Recommender

router = APIRouter(prefix="/hidden")


@lru_cache
def get_recommender() -> Recommender:
    return Recommender(CATALOGUE)


@router.get("/books/{title}/next")
def next_books(title: str, recommender: Annotated[Recommender, Depends(get_recommender)]) -> dict:
    return {"next": recommender.suggest(title)}
