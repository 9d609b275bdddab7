"""Mounts every fixed twin under /fixed (including the DI001 and DI007 twins)."""

from fastapi import APIRouter

from sample_app.fixed import (
    called_dependency,
    captive,
    dependency_cycle,
    hard_wired,
    hidden_dependency,
    module_session,
    over_injection,
    resource_escape,
    service_locator,
    shared_state,
    yield_cleanup,
)

router = APIRouter(prefix="/fixed", tags=["fixed"])
router.include_router(dependency_cycle.router)
router.include_router(over_injection.router)
router.include_router(service_locator.router)
router.include_router(module_session.router)
router.include_router(shared_state.router)
router.include_router(called_dependency.router)
router.include_router(hard_wired.router)
router.include_router(yield_cleanup.router)
router.include_router(captive.router)
router.include_router(resource_escape.router)
router.include_router(hidden_dependency.router)
