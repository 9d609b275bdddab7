"""Collaborators of the sales report: each does one job, and each is injected where it is needed.

They are small on purpose: what matters for the lesson is how many of them one callable needs.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from sqlalchemy import func, select

from sample_app.deps import DbSession
from sample_app.models import Book


class SalesLedger:
    """Sales figures (here: one sale per book in the catalogue)."""

    def __init__(self, db: DbSession) -> None:
        self.db = db

    def units_sold(self) -> int:
        return self.db.scalar(select(func.count()).select_from(Book)) or 0


class StockService:
    def stock_of(self, title: str) -> int:
        return 3 if title else 0


class PriceList:
    def price_of(self, title: str) -> float:
        return 9.5 + len(title) % 5


class ReportArchive:
    def __init__(self) -> None:
        self.stored: list[dict] = []

    def store(self, report: dict) -> str:
        self.stored.append(report)
        return f"report-{len(self.stored)}"


class AuditLog:
    def __init__(self) -> None:
        self.entries: list[str] = []

    def record(self, entry: str) -> None:
        self.entries.append(entry)


class TaxCalculator:
    def __init__(self, ledger: Annotated[SalesLedger, Depends()]) -> None:
        self.ledger = ledger

    def tax_due(self, rate: float = 0.2) -> float:
        return round(self.ledger.units_sold() * rate, 2)
