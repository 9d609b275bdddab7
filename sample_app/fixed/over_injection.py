"""DI002 fixed twin of ``sample_app/antipatterns/over_injection.py``.

The eight collaborators are grouped by what changes together: ``Catalog`` (books, stock, prices) and
``Bookkeeping`` (ledger, tax, archive, audit). ``ReportService`` and the endpoint now take two or three
cohesive collaborators, each testable on its own.
"""

from typing import Annotated

from fastapi import APIRouter, Depends

from sample_app.deps import CurrentUser, Page, api_version, pagination
from sample_app.services.books import BookRepository
from sample_app.services.notify import SmtpMailer, get_mailer
from sample_app.services.reporting import AuditLog, PriceList, ReportArchive, SalesLedger, StockService, TaxCalculator

router = APIRouter(prefix="/over-injection")


class Catalog:
    def __init__(self, repo: Annotated[BookRepository, Depends()], stock: Annotated[StockService, Depends()],
                 prices: Annotated[PriceList, Depends()]) -> None:
        self.repo, self.stock, self.prices = repo, stock, prices

    def describe(self, page: Page) -> dict:
        titles = [b.title for b in self.repo.list(page)]
        return {"titles": titles, "stock": {t: self.stock.stock_of(t) for t in titles},
                "prices": {t: self.prices.price_of(t) for t in titles}}


class Bookkeeping:
    def __init__(self, ledger: Annotated[SalesLedger, Depends()], tax: Annotated[TaxCalculator, Depends()],
                 archive: Annotated[ReportArchive, Depends()], audit: Annotated[AuditLog, Depends()]) -> None:
        self.ledger, self.tax, self.archive, self.audit = ledger, tax, archive, audit

    def close(self, report: dict, who: str) -> dict:
        report.update(sold=self.ledger.units_sold(), tax=self.tax.tax_due())
        report["id"] = self.archive.store(report)
        self.audit.record(f"report for {who}")
        return report


class ReportService:
    def __init__(self, catalog: Annotated[Catalog, Depends()], books: Annotated[Bookkeeping, Depends()],
                 mailer: Annotated[SmtpMailer, Depends(get_mailer)]) -> None:
        self.catalog, self.books, self.mailer = catalog, books, mailer

    def build(self, user: CurrentUser, page: Page) -> dict:
        report = self.books.close(self.catalog.describe(page), user.username)
        self.mailer.send(user.email, f"{len(report['titles'])} books")
        return report


@router.get("/report")
def sales_report(service: Annotated[ReportService, Depends()], user: CurrentUser,
                 page: Annotated[Page, Depends(pagination)], version: Annotated[str, Depends(api_version)]) -> dict:
    return {**service.build(user, page), "api": version}
