"""Application settings, read once from the environment and cached."""

import os
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Settings:
    database_url: str
    app_name: str = "wirelint bookstore"
    max_page_size: int = 100
    smtp_host: str = "localhost"


@lru_cache
def get_settings() -> Settings:
    """Cached settings provider; use it as ``Depends(get_settings)`` (never call it inside Depends)."""
    return Settings(
        database_url=os.environ.get("SAMPLE_APP_DATABASE_URL", "sqlite:///./sample_app.db"),
        app_name=os.environ.get("SAMPLE_APP_NAME", "wirelint bookstore"),
    )
