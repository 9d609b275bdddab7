"""DI002 over-injection (bad). Twin: ``sample_app/fixed/over_injection.py``.

``sales_report`` takes nine injected dependencies and ``ReportService.__init__`` eight: the
signatures are hard to read, every caller and test must satisfy all of them, and the unit has
clearly too many responsibilities. The twin groups them behind facade dependency classes.
"""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends

from sample_app.config import Settings, get_settings
from sample_app.deps import Clock, CurrentUser, DbSession, Page, SettingsDep, api_version, audit_trail, pagination
from sample_app.services.books import BookRepository
from sample_app.services.notify import SmtpMailer, get_mailer

router = APIRouter(prefix="/over-injection")


class ReportService:
    def __init__(
        self,
        db: DbSession,
        user: CurrentUser,
        settings: Annotated[Settings, Depends(get_settings)],
        page: Annotated[Page, Depends(pagination)],
        repo: Annotated[BookRepository, Depends()],
        mailer: Annotated[SmtpMailer, Depends(get_mailer)],
        now: Annotated[datetime, Depends(Clock.now)],
        audit: Annotated[list[str], Depends(audit_trail)],
    ) -> None:
        self.db, self.user, self.settings, self.page = db, user, settings, page
        self.repo, self.mailer, self.now, self.audit = repo, mailer, now, audit

    def build(self) -> dict:
        titles = [b.title for b in self.repo.list(self.page)]
        self.audit.append(f"report for {self.user.username}")
        self.mailer.send(self.user.email, f"{len(titles)} books")
        return {"store": self.settings.app_name, "titles": titles, "at": self.now.isoformat()}


@router.get("/report")
def sales_report(
    db: DbSession,
    user: CurrentUser,
    settings: SettingsDep,
    page: Annotated[Page, Depends(pagination)],
    repo: Annotated[BookRepository, Depends()],
    mailer: Annotated[SmtpMailer, Depends(get_mailer)],
    now: Annotated[datetime, Depends(Clock.now)],
    audit: Annotated[list[str], Depends(audit_trail)],
    version: Annotated[str, Depends(api_version)],
) -> dict:
    titles = [b.title for b in repo.list(page)]
    audit.append(f"report for {user.username}")
    mailer.send(user.email, f"{len(titles)} books")
    return {"store": settings.app_name, "titles": titles, "at": now.isoformat(), "api": version}


@router.get("/service-report")
def service_report(service: Annotated[ReportService, Depends()]) -> dict:
    return service.build()
