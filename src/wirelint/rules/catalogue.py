"""Imports every rule module so that each registers itself (one rule per file)."""

from . import (  # noqa: F401
    di000_parse_error,
    di001_dependency_cycle,
    di002_over_injection,
    di003_service_locator,
    di004_module_session_singleton,
    di005_override_not_restored,
    di006_shared_mutable_state,
    di007_called_dependency,
    di008_hard_wired_dependency,
    di009_captive_dependency,
    di010_yield_dependency_cleanup,
    di011_request_resource_escape,
    di012_hidden_dependency,
)
