"""What counts as a project service class (shared by DI002 and DI008; the analyzer's container wiring uses
the same test to tell collaborators from values)."""

from __future__ import annotations

from ..analyzer.containers import VALUE_BASES, service_class

__all__ = ["VALUE_BASES", "service_class"]
