"""DI012 hidden-dependency (bad). Twin: ``sample_app/fixed/hidden_dependency.py``.

``next_books`` uses ``recommender``, a ``Recommender`` built when the module is imported, directly. Its
signature does not say that it needs one, so neither ``/docs`` nor the dependency graph shows it, and a test
cannot replace it with ``app.dependency_overrides``: it has to monkeypatch this module's attribute (and know
that this is the module the route reads it from), or call the real recommendation API.
"""

from fastapi import APIRouter

from sample_app.services.recommendations import CATALOGUE, Recommender

router = APIRouter(prefix="/hidden")

recommender = Recommender(CATALOGUE)


@router.get("/books/{title}/next")
def next_books(title: str) -> dict:
    return {"next": recommender.suggest(title)}
