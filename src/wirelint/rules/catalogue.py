"""Imports every rule module so that each registers itself (one rule per file)."""

from . import di000_parse_error, di001_dependency_cycle, di002_over_injection  # noqa: F401
