"""DI005 says what happens to a leaked override: each case has its own message."""

from __future__ import annotations

from wirelint.rules import run_rules
from wirelint.rules.di005_override_not_restored import OverrideNotRestored

APP = "from fastapi import FastAPI\napp = FastAPI()\ndef get_db():\n    yield 1\ndef get_user():\n    return 1\n"


def messages(analyze_project, test_source: str) -> list[tuple[int, str]]:
    index = analyze_project({"app.py": APP, "tests/test_it.py": test_source})
    return [(f.location.line, f.message) for f in run_rules(index, [OverrideNotRestored()])]


def test_cleared_at_import(analyze_project):
    assert messages(analyze_project, """\
from app import app, get_db
app.dependency_overrides[get_db] = lambda: 2
def test_read():
    assert True
app.dependency_overrides = {}
""") == [(2, "`app.dependency_overrides` is cleared at line 5 when the module is imported, before any test runs: "
             "the tests run against the real dependencies, not these overrides; set them in a fixture that "
             "restores them after the test")]


def test_written_at_import_and_never_restored(analyze_project):
    assert messages(analyze_project, "from app import app, get_db\napp.dependency_overrides[get_db] = lambda: 2\n") == [
        (2, "`app.dependency_overrides` is written at import time of a test module and never restored: it applies "
            "to every test that runs after; set it in a fixture that clears it")]


def test_restored_only_on_success(analyze_project):
    assert messages(analyze_project, """\
from app import app, get_db
def test_read():
    app.dependency_overrides[get_db] = lambda: 2
    assert True
    app.dependency_overrides.clear()
""") == [(3, "`app.dependency_overrides` is restored only when the test passes: the restore at line 5 is not in a "
             "`finally` block or a fixture teardown, so a failure leaks the override into later tests")]


def test_restored_for_some_keys_only(analyze_project):
    assert messages(analyze_project, """\
import pytest
from app import app, get_db, get_user
@pytest.fixture
def fakes():
    app.dependency_overrides[get_db] = lambda: 2
    app.dependency_overrides[get_user] = lambda: 3
    yield
    del app.dependency_overrides[get_db]
""") == [(6, "`app.dependency_overrides` is restored for some keys only: the teardown undoes `get_db`, so the "
             "override of `get_user` leaks into every later test; clear them all "
             "(`dependency_overrides.clear()`) or restore a saved copy")]


def test_never_restored(analyze_project):
    assert messages(analyze_project, """\
from app import app, get_db
def test_read():
    app.dependency_overrides[get_db] = lambda: 2
""") == [(3, "`app.dependency_overrides` is written and never restored: the override leaks into every later test; "
             "restore it in a fixture teardown (after `yield`) or a `finally` block, or use monkeypatch.setitem")]
