"""DI001 fixed twin of ``sample_app/antipatterns/dependency_cycle.py``.

Pricing and inventory both really needed the catalog, so the catalog is extracted into its own
provider / service and the graph becomes a DAG: catalog <- pricing <- inventory.
"""

from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy import select

from sample_app.deps import DbSession
from sample_app.models import Book

router = APIRouter(prefix="/cycle")


def get_catalog(db: DbSession) -> list[str]:
    return list(db.scalars(select(Book.title).order_by(Book.id)))


def get_pricing(catalog: Annotated[list[str], Depends(get_catalog)]) -> dict[str, float]:
    return {title: 10.0 + len(title) % 5 for title in catalog}


def get_inventory(
    catalog: Annotated[list[str], Depends(get_catalog)],
    pricing: Annotated[dict[str, float], Depends(get_pricing)],
) -> dict[str, dict]:
    return {title: {"in_stock": 1, "price": pricing[title]} for title in catalog}


class CatalogService:
    def __init__(self, db: DbSession) -> None:
        self.titles = list(db.scalars(select(Book.title).order_by(Book.id)))


class PricingService:
    def __init__(self, catalog: Annotated[CatalogService, Depends()]) -> None:
        self.catalog = catalog

    def price(self, title: str) -> float:
        return 10.0 + len(title) % 5


class InventoryService:
    def __init__(
        self,
        catalog: Annotated[CatalogService, Depends()],
        pricing: Annotated[PricingService, Depends()],
    ) -> None:
        self.catalog = catalog
        self.pricing = pricing

    def snapshot(self) -> dict[str, float]:
        return {title: self.pricing.price(title) for title in self.catalog.titles}


@router.get("/inventory")
def inventory(stock: Annotated[dict[str, dict], Depends(get_inventory)]) -> dict:
    return {"inventory": stock}


@router.get("/inventory-service")
def inventory_service(service: Annotated[InventoryService, Depends()]) -> dict:
    return {"prices": service.snapshot()}
