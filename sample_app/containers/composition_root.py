"""Plain constructor injection: no container library, the objects are built by hand in a composition root.

Every class takes its collaborators in ``__init__`` (typed with Protocols or project classes) and the module
builds the object graph once, at import, from the bottom up; ``get_reporting`` hands the finished
``ReportBuilder`` to FastAPI.

Anti-pattern DI002 over-injection: ``ReportBuilder.__init__`` takes eight collaborators (wirelint's limit is
seven). The fix is in the comment above the class.
"""

import logging
from datetime import datetime, timezone
from typing import Annotated, Protocol

from fastapi import APIRouter, Depends

router = APIRouter(prefix="/containers/plain", tags=["containers"])
logger = logging.getLogger("sample_app")


class Clock(Protocol):
    def now(self) -> datetime: ...


class SalesSource(Protocol):
    def copies_sold(self) -> dict[str, int]: ...


class StockSource(Protocol):
    def on_hand(self, title: str) -> int: ...


class PriceSource(Protocol):
    def price(self, title: str) -> float: ...


class Formatter(Protocol):
    def render(self, rows: list[list[str]]) -> str: ...


class ReportStore(Protocol):
    def save(self, body: str) -> str: ...


class Notifier(Protocol):
    def notify(self, message: str) -> None: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class InMemorySales:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.sold = {"A Wizard of Earthsea": 3, "The Dispossessed": 2}

    def copies_sold(self) -> dict[str, int]:
        return dict(self.sold)

    def period(self) -> str:
        return self.clock.now().strftime("%Y-%m")


class InMemoryStock:
    def __init__(self) -> None:
        self.stock = {"A Wizard of Earthsea": 7, "The Dispossessed": 0}

    def on_hand(self, title: str) -> int:
        return self.stock.get(title, 0)


class FixedPrices:
    def __init__(self) -> None:
        self.prices = {"A Wizard of Earthsea": 12.5, "The Dispossessed": 15.0}

    def price(self, title: str) -> float:
        return self.prices[title]


class CsvFormatter:
    def __init__(self, separator: str) -> None:
        self.separator = separator

    def render(self, rows: list[list[str]]) -> str:
        return "\n".join(self.separator.join(row) for row in rows)


class ReportIndex:
    def __init__(self) -> None:
        self.issued = 0

    def next_key(self, prefix: str) -> str:
        self.issued += 1
        return f"{prefix}-{self.issued}"


class MemoryStore:
    def __init__(self, index: ReportIndex) -> None:
        self.index = index
        self.reports: dict[str, str] = {}

    def save(self, body: str) -> str:
        key = self.index.next_key("sales")
        self.reports[key] = body
        return key


class LogNotifier:
    def __init__(self, channel: str) -> None:
        self.channel = channel
        self.sent: list[str] = []

    def notify(self, message: str) -> None:
        self.sent.append(message)
        logger.info("[%s] %s", self.channel, message)


class AuditLog:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.events: list[tuple[str, str]] = []

    def record(self, event: str) -> None:
        self.events.append((self.clock.now().isoformat(), event))


# DI002 (bad): eight collaborators. The builder reads sales, stock and prices, renders, stores, notifies, and
# audits: too many reasons to change, and every test must build all eight.
# Fix: group what belongs together behind two small facades,
#     ledger = SalesLedger(sales=sales, stock=InMemoryStock(), prices=FixedPrices())
#     publisher = ReportPublisher(formatter=CsvFormatter(separator=","), store=..., notifier=...)
#     reporting = ReportBuilder(ledger=ledger, publisher=publisher, clock=clock, audit=audit)
# so that ReportBuilder.__init__ takes four cohesive collaborators.
class ReportBuilder:
    def __init__(
        self,
        sales: SalesSource,
        stock: StockSource,
        prices: PriceSource,
        clock: Clock,
        formatter: Formatter,
        store: ReportStore,
        notifier: Notifier,
        audit: AuditLog,
    ) -> None:
        self.sales = sales
        self.stock = stock
        self.prices = prices
        self.clock = clock
        self.formatter = formatter
        self.store = store
        self.notifier = notifier
        self.audit = audit

    def build(self) -> dict:
        rows = [["title", "sold", "revenue", "on_hand"]]
        for title, sold in sorted(self.sales.copies_sold().items()):
            revenue = sold * self.prices.price(title)
            rows.append([title, str(sold), f"{revenue:.2f}", str(self.stock.on_hand(title))])
        body = self.formatter.render(rows)
        key = self.store.save(body)
        self.notifier.notify(f"report {key} ready")
        self.audit.record(f"built {key}")
        return {"key": key, "csv": body, "generated_at": self.clock.now().isoformat()}


# The composition root: built once at import, bottom up.
clock = SystemClock()
sales = InMemorySales(clock=clock)
audit = AuditLog(clock)
reporting = ReportBuilder(
    sales=sales,
    stock=InMemoryStock(),
    prices=FixedPrices(),
    clock=clock,
    formatter=CsvFormatter(separator=","),
    store=MemoryStore(index=ReportIndex()),
    notifier=LogNotifier(channel="reports"),
    audit=audit,
)


def get_reporting() -> ReportBuilder:
    return reporting


@router.get("/report")
def sales_report(builder: Annotated[ReportBuilder, Depends(get_reporting)]) -> dict:
    return builder.build()
