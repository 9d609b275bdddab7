"""DI007 fixed twin of ``sample_app/antipatterns/called_dependency.py``.

The provider is passed, not called: ``Depends(get_settings)``. FastAPI calls it per request
(``lru_cache`` makes that cheap) and ``app.dependency_overrides[get_settings]`` works.
"""

from fastapi import APIRouter, Depends

from sample_app.config import Settings, get_settings

router = APIRouter(prefix="/called-dependency")


@router.get("/settings")
def show_settings(settings: Settings = Depends(get_settings)) -> dict:
    return {"app_name": settings.app_name}
