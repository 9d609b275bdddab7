"""Public dependency surface, re-exported for ``from sample_app.deps import ...``."""

from .aliases import CurrentUser, DbSession, SettingsDep, WriterUser
from .auth import get_current_user, oauth2_scheme
from .common import Clock, api_version, audit_trail, no_store, request_id
from .database import get_db
from .pagination import Page, pagination
from .roles import require_role

__all__ = [
    "Clock", "CurrentUser", "DbSession", "Page", "SettingsDep", "WriterUser", "api_version",
    "audit_trail", "get_current_user", "get_db", "no_store", "oauth2_scheme", "pagination", "request_id",
    "require_role",
]
