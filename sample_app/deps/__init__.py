"""Public dependency surface, re-exported for ``from sample_app.deps import ...``."""

from sample_app.deps.aliases import CurrentUser, DbSession, SettingsDep, WriterUser
from sample_app.deps.auth import get_current_user, oauth2_scheme
from sample_app.deps.common import Clock, api_version, audit_trail, request_id
from sample_app.deps.database import get_db
from sample_app.deps.pagination import Page, pagination
from sample_app.deps.roles import require_role

__all__ = [
    "Clock", "CurrentUser", "DbSession", "Page", "SettingsDep", "WriterUser", "api_version",
    "audit_trail", "get_current_user", "get_db", "oauth2_scheme", "pagination", "request_id",
    "require_role",
]
