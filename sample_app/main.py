"""Application factory. ``uvicorn sample_app.main:app`` serves the module-level ``app``."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException
from sqlalchemy import select
from sqlalchemy.orm import Session

from . import deps
from sample_app.antipatterns.routes import router as antipatterns_router
from sample_app.config import get_settings
from sample_app.containers import composition_root, injector_style, lagom_style
from sample_app.deps.common import api_marker, request_id
from sample_app.fixed.routes import router as fixed_router
from sample_app.models import User
from sample_app.routers import api, ws
from sample_app.schemas import TokenOut, TokenRequest
from sample_app.seed import init_db
from sample_app.services.notify import SmtpMailer


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    init_db()
    yield


def create_app() -> FastAPI:
    settings = get_settings()
    app = FastAPI(title=settings.app_name, lifespan=lifespan, dependencies=[Depends(request_id)])
    # Only the DI003 anti-pattern reads this; everything else injects its mailer.
    app.state.mailer = SmtpMailer(host=settings.smtp_host)

    @app.get("/health")
    def health(db: Annotated[Session, Depends(deps.get_db)]) -> dict:
        users = len(list(db.scalars(select(User.id))))
        return {"status": "ok", "users": users}

    @app.post("/token", response_model=TokenOut)
    def issue_token(payload: TokenRequest, db: Annotated[Session, Depends(deps.get_db)]):
        """Toy login: returns the seeded token for a known username (no passwords)."""
        user = db.scalar(select(User).where(User.username == payload.username))
        if user is None:
            raise HTTPException(400, detail="Unknown user")
        return TokenOut(access_token=user.token)

    app.include_router(api.router, prefix="/api", dependencies=[Depends(api_marker)])
    app.include_router(ws.router)
    app.include_router(antipatterns_router)
    app.include_router(fixed_router)
    app.include_router(lagom_style.router)
    app.include_router(injector_style.router)
    app.include_router(composition_root.router)
    return app


app = create_app()
