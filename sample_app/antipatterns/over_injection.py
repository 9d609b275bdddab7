"""DI002 over-injection (bad). Twin: ``sample_app/fixed/over_injection.py``.

``sales_report`` and ``ReportService.__init__`` each take eight collaborators: a repository, a mailer, a
ledger, stock, prices, an archive, an audit log and a tax calculator. Every test must override all eight,
every request builds all eight, and one function does the work of three. (The user, the page and the API
version are values the request carries, not collaborators, and do not count.) The twin groups the
collaborators that change together behind two facades.
"""

from typing import Annotated

from fastapi import APIRouter, Depends

from sample_app.deps import CurrentUser, Page, api_version, pagination
from sample_app.services.books import BookRepository
from sample_app.services.notify import SmtpMailer, get_mailer
from sample_app.services.reporting import AuditLog, PriceList, ReportArchive, SalesLedger, StockService, TaxCalculator

router = APIRouter(prefix="/over-injection")


class ReportService:
    def __init__(
        self,
        repo: Annotated[BookRepository, Depends()],
        mailer: Annotated[SmtpMailer, Depends(get_mailer)],
        ledger: Annotated[SalesLedger, Depends()],
        stock: Annotated[StockService, Depends()],
        prices: Annotated[PriceList, Depends()],
        archive: Annotated[ReportArchive, Depends()],
        audit: Annotated[AuditLog, Depends()],
        tax: Annotated[TaxCalculator, Depends()],
    ) -> None:
        self.repo, self.mailer, self.ledger, self.stock = repo, mailer, ledger, stock
        self.prices, self.archive, self.audit, self.tax = prices, archive, audit, tax

    def build(self, user: CurrentUser, page: Page) -> dict:
        titles = [b.title for b in self.repo.list(page)]
        report = {"titles": titles, "sold": self.ledger.units_sold(), "tax": self.tax.tax_due(),
                  "stock": {t: self.stock.stock_of(t) for t in titles}, "prices": {t: self.prices.price_of(t) for t in titles}}
        report["id"] = self.archive.store(report)
        self.audit.record(f"report for {user.username}")
        self.mailer.send(user.email, f"{len(titles)} books")
        return report


@router.get("/report")
def sales_report(
    user: CurrentUser,
    page: Annotated[Page, Depends(pagination)],
    version: Annotated[str, Depends(api_version)],
    repo: Annotated[BookRepository, Depends()],
    mailer: Annotated[SmtpMailer, Depends(get_mailer)],
    ledger: Annotated[SalesLedger, Depends()],
    stock: Annotated[StockService, Depends()],
    prices: Annotated[PriceList, Depends()],
    archive: Annotated[ReportArchive, Depends()],
    audit: Annotated[AuditLog, Depends()],
    tax: Annotated[TaxCalculator, Depends()],
) -> dict:
    titles = [b.title for b in repo.list(page)]
    report = {"titles": titles, "sold": ledger.units_sold(), "tax": tax.tax_due(), "api": version,
              "stock": {t: stock.stock_of(t) for t in titles}, "prices": {t: prices.price_of(t) for t in titles}}
    report["id"] = archive.store(report)
    audit.record(f"report for {user.username}")
    mailer.send(user.email, f"{len(titles)} books")
    return report


@router.get("/service-report")
def service_report(service: Annotated[ReportService, Depends()], user: CurrentUser,
                   page: Annotated[Page, Depends(pagination)]) -> dict:
    return service.build(user, page)
