"""DI001 dependency-cycle (bad). Twin: ``sample_app/fixed/dependency_cycle.py``.

``get_pricing`` needs ``get_inventory`` which needs ``get_pricing`` again, and the two service
classes do the same through ``Depends()`` on their constructors. ``from __future__ import
annotations`` lets the module import (the Annotated metadata is evaluated lazily), but any route
that reaches either cycle makes FastAPI recurse until RecursionError, so NO route uses them.
The fix extracts the shared part (the catalog) that both sides really needed.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends


def get_pricing(inventory: Annotated[dict, Depends(get_inventory)]) -> dict:
    return {title: 10.0 if count else 25.0 for title, count in inventory.items()}


def get_inventory(pricing: Annotated[dict, Depends(get_pricing)]) -> dict:
    return {title: 1 for title in pricing}


class PricingService:
    def __init__(self, inventory: Annotated[InventoryService, Depends()]) -> None:
        self.inventory = inventory

    def price(self, title: str) -> float:
        return 10.0 if self.inventory.in_stock(title) else 25.0


class InventoryService:
    def __init__(self, pricing: Annotated[PricingService, Depends()]) -> None:
        self.pricing = pricing

    def in_stock(self, title: str) -> bool:
        return self.pricing.price(title) < 20.0
