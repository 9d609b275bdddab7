"""Toy bearer-token auth with OAuth2 scopes.

Tokens are looked up in the users table: "alice-token" is an admin, "bob-token" a member.
"""

from typing import Annotated

from fastapi import Depends, HTTPException, status
from fastapi.security import OAuth2PasswordBearer, SecurityScopes
from sqlalchemy import select
from sqlalchemy.orm import Session

from sample_app.deps.database import get_db
from sample_app.models import User

ROLE_SCOPES = {
    "admin": {"books:read", "books:write", "users:admin"},
    "member": {"books:read"},
}

oauth2_scheme = OAuth2PasswordBearer(
    tokenUrl="token",
    scopes={
        "books:read": "Read books",
        "books:write": "Create and edit books",
        "users:admin": "Manage users",
    },
)


def get_current_user(
    security_scopes: SecurityScopes,
    token: Annotated[str, Depends(oauth2_scheme)],
    db: Annotated[Session, Depends(get_db)],
) -> User:
    user = db.scalar(select(User).where(User.token == token))
    if user is None:
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="Invalid token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    granted = ROLE_SCOPES.get(user.role, set())
    missing = [s for s in security_scopes.scopes if s not in granted]
    if missing:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=f"Missing scopes: {', '.join(missing)}")
    return user
