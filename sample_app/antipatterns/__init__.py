"""Deliberately bad dependency-injection code, one module per wirelint rule.

Every module here has a corrected twin in ``sample_app.fixed`` with the same name.
``called_dependency`` is never imported (FastAPI crashes at import on it) and
``dependency_cycle`` is importable but no route uses it (FastAPI recurses forever on a cycle).
"""
