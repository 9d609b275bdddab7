"""sample_app: a small bookstore API used as wirelint's teaching example and golden fixture.

Run it with ``uvicorn sample_app.main:app`` from the repository root.
"""
