"""Annotated dependency aliases shared by routers and services."""

from typing import Annotated, TypeAlias

from fastapi import Depends, Security
from sqlalchemy.orm import Session

from sample_app.config import Settings, get_settings
from sample_app.deps.auth import get_current_user
from sample_app.deps.database import get_db
from sample_app.models import User

DbSession = Annotated[Session, Depends(get_db)]
CurrentUser = Annotated[User, Depends(get_current_user)]
WriterUser = Annotated[User, Security(get_current_user, scopes=["books:write"])]
SettingsDep: TypeAlias = Annotated[Settings, Depends(get_settings)]
