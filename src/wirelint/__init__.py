"""wirelint: static analysis of FastAPI dependency injection."""

__version__ = "0.1.0"
