"""DI007 called-dependency (bad). Twin: ``sample_app/fixed/called_dependency.py``.

``Depends(get_settings())`` passes the *result* of the provider (a Settings object) instead of
the provider itself: FastAPI raises while decorating the route, and even if it did not, the
value would be computed once at import and never overridable. Importing this module crashes,
so NOTHING imports it and its router is never included; it exists for the analyzer only.
"""

from fastapi import APIRouter, Depends

from sample_app.config import Settings, get_settings

router = APIRouter(prefix="/called-dependency")


@router.get("/settings")
def show_settings(settings: Settings = Depends(get_settings())) -> dict:
    return {"app_name": settings.app_name}
