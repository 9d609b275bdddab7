"""DI002 fixed twin of ``sample_app/antipatterns/over_injection.py``.

The nine loose dependencies are grouped behind two facade dependency classes:
``RequestContext`` (who / when / audit / settings) and ``BookCatalog`` (data access + paging).
The endpoint and ``ReportService`` now each take two or three cohesive collaborators.
"""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends

from sample_app.deps import Clock, CurrentUser, Page, SettingsDep, audit_trail, pagination
from sample_app.services.books import BookRepository
from sample_app.services.notify import SmtpMailer, get_mailer

router = APIRouter(prefix="/over-injection")


class RequestContext:
    def __init__(
        self,
        user: CurrentUser,
        settings: SettingsDep,
        now: Annotated[datetime, Depends(Clock.now)],
        audit: Annotated[list[str], Depends(audit_trail)],
    ) -> None:
        self.user, self.settings, self.now, self.audit = user, settings, now, audit


class BookCatalog:
    def __init__(
        self,
        repo: Annotated[BookRepository, Depends()],
        page: Annotated[Page, Depends(pagination)],
    ) -> None:
        self.repo, self.page = repo, page

    def titles(self) -> list[str]:
        return [b.title for b in self.repo.list(self.page)]


class ReportService:
    def __init__(
        self,
        ctx: Annotated[RequestContext, Depends()],
        catalog: Annotated[BookCatalog, Depends()],
        mailer: Annotated[SmtpMailer, Depends(get_mailer)],
    ) -> None:
        self.ctx, self.catalog, self.mailer = ctx, catalog, mailer

    def build(self) -> dict:
        titles = self.catalog.titles()
        self.ctx.audit.append(f"report for {self.ctx.user.username}")
        self.mailer.send(self.ctx.user.email, f"{len(titles)} books")
        return {"store": self.ctx.settings.app_name, "titles": titles, "at": self.ctx.now.isoformat()}


@router.get("/report")
def sales_report(service: Annotated[ReportService, Depends()]) -> dict:
    return service.build()
