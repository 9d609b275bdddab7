"""User endpoints: current user, admin-only listing via the require_role factory.

The router itself carries ``prefix``, ``tags`` and ``dependencies`` (``no_store`` runs on every route).
"""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Security
from sqlalchemy import select

from sample_app.deps import Clock, DbSession, get_current_user, no_store, require_role
from sample_app.models import User
from sample_app.schemas import UserOut

router = APIRouter(prefix="/users", tags=["users"], dependencies=[Depends(no_store)])


@router.get("/me")
def read_me(user: Annotated[User, Depends(get_current_user)], now: Annotated[datetime, Depends(Clock.now)]):
    return {"user": UserOut.model_validate(user).model_dump(), "server_time": now.isoformat()}


@router.get("", response_model=list[UserOut])
def list_users(
    db: DbSession,
    admin: Annotated[User, Depends(require_role("admin"))],
    _scoped: Annotated[User, Security(get_current_user, scopes=["users:admin"])],
):
    return list(db.scalars(select(User).order_by(User.id)))
