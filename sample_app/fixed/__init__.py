"""Corrected twins of ``sample_app.antipatterns``: same module names, same behaviour, clean wiring."""
