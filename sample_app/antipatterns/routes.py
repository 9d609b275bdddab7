"""Mounts the runnable anti-pattern routers under /antipatterns.

``dependency_cycle`` (would recurse) and ``called_dependency`` (crashes at import) are left out.
"""

from fastapi import APIRouter

from sample_app.antipatterns import (
    captive,
    hard_wired,
    hidden_dependency,
    module_session,
    over_injection,
    resource_escape,
    service_locator,
    shared_state,
    yield_cleanup,
)

router = APIRouter(prefix="/antipatterns", tags=["antipatterns"])
router.include_router(over_injection.router)
router.include_router(service_locator.router)
router.include_router(module_session.router)
router.include_router(shared_state.router)
router.include_router(hard_wired.router)
router.include_router(yield_cleanup.router)
router.include_router(captive.router)
router.include_router(resource_escape.router)
router.include_router(hidden_dependency.router)
