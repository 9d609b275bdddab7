"""Dependency factory: ``require_role("admin")`` returns a checker bound to that role."""

from collections.abc import Callable

from fastapi import HTTPException, status

from sample_app.deps.aliases import CurrentUser
from sample_app.models import User


def require_role(role: str) -> Callable[..., User]:
    def checker(user: CurrentUser) -> User:
        if user.role != role:
            raise HTTPException(status.HTTP_403_FORBIDDEN, detail=f"Requires role {role!r}")
        return user

    return checker
