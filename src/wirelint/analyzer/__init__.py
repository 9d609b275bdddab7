"""Source -> facts -> graph. Knows FastAPI, knows nothing of rules or output."""

from .project import ProjectIndex, analyze

__all__ = ["ProjectIndex", "analyze"]
