"""lagom: Protocols bound to implementations in a ``Container``, resolved by ``deps.depends``.

``deps.depends(QuoteService)`` hands FastAPI a ``Depends`` on lagom's own resolver: per request lagom clones
the container and builds ``QuoteService`` from the constructor's annotations, through the bindings below
(``PriceList -> StaticPriceList``, ``TaxPolicy -> FlatTax(rate=0.2)``, ``Currency`` by autowiring).

Anti-pattern DI001 dependency-cycle: ``InvoiceService`` needs a ``Shipping``, bound to ``ShippingService``,
which needs an ``InvoiceService`` again. lagom gives up with ``RecursiveDefinitionError`` (after Python hits
its recursion limit), so no route resolves either class, like ``sample_app/antipatterns/dependency_cycle.py``.
"""

from typing import Protocol

from fastapi import APIRouter, HTTPException
from lagom import Container
from lagom.integrations.fast_api import FastApiIntegration

router = APIRouter(prefix="/containers/lagom", tags=["containers"])


class PriceList(Protocol):
    def price(self, title: str) -> float | None: ...


class TaxPolicy(Protocol):
    def apply(self, amount: float) -> float: ...


class Currency:
    def __init__(self) -> None:
        self.code = "EUR"


class StaticPriceList:
    def __init__(self, currency: Currency) -> None:
        self.currency = currency
        self.prices = {"A Wizard of Earthsea": 12.5, "The Dispossessed": 15.0}

    def price(self, title: str) -> float | None:
        return self.prices.get(title)


class FlatTax:
    def __init__(self, rate: float) -> None:
        self.rate = rate

    def apply(self, amount: float) -> float:
        return round(amount * self.rate, 2)


class QuoteService:
    def __init__(self, prices: PriceList, tax: TaxPolicy) -> None:
        self.prices = prices
        self.tax = tax

    def quote(self, title: str, quantity: int) -> dict:
        unit = self.prices.price(title)
        if unit is None:
            raise HTTPException(404, detail="No price for this title")
        subtotal = round(unit * quantity, 2)
        tax = self.tax.apply(subtotal)
        return {"title": title, "quantity": quantity, "subtotal": subtotal, "tax": tax,
                "total": round(subtotal + tax, 2)}


# DI001 (bad): InvoiceService -> Shipping -> ShippingService -> InvoiceService -> ...
# Fix: take out what both sides really need, e.g. an ``OrderBook`` of placed orders that ShippingService
# reads instead of InvoiceService (``ShippingService(orders: OrderBook)``, ``InvoiceService(shipping:
# Shipping, orders: OrderBook)``): the graph is a tree again and lagom can build both.
class Shipping(Protocol):
    def cost(self, order_id: int) -> float: ...


class ShippingService:
    def __init__(self, invoices: "InvoiceService") -> None:
        self.invoices = invoices

    def cost(self, order_id: int) -> float:
        return 4.5 if self.invoices.total(order_id) < 50 else 0.0


class InvoiceService:
    def __init__(self, shipping: Shipping) -> None:
        self.shipping = shipping

    def total(self, order_id: int) -> float:
        return 20.0 + self.shipping.cost(order_id)


container = Container()
container[PriceList] = StaticPriceList
container[TaxPolicy] = FlatTax(rate=0.2)
container[Shipping] = ShippingService  # the cycle: never resolved by a route

deps = FastApiIntegration(container)


@router.get("/quote")
def quote(title: str, quantity: int = 1, service: QuoteService = deps.depends(QuoteService)) -> dict:
    return service.quote(title, quantity)
