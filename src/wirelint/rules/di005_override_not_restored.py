"""DI005 override-not-restored."""

from __future__ import annotations

from pathlib import PurePosixPath

from ..analyzer.models import Location, NameExpr, OverrideEvent, PytestFixture, render
from ..analyzer.resolve import Ctx, VarSym
from .base import Invalid, Related, Rule, Valid, register

_APP = """\
from fastapi import FastAPI
app = FastAPI()
def get_db():
    yield "real"
"""


@register
class OverrideNotRestored(Rule):
    code = "DI005"
    name = "override-not-restored"
    severity = "error"
    summary = "A test writes `app.dependency_overrides` and does not restore it on every path."
    explanation = """\
## What it does
Finds writes to `dependency_overrides` in test code (item assignment, `update`, `setdefault`, assigning a
non-empty dict) that are not undone on every path. Restores are `clear()`, `= {}`, `pop`, `del`,
re-assigning a saved copy; they count in a fixture's teardown (after its `yield`, or in a finalizer) or in a
`finally` block. `monkeypatch.setitem(app.dependency_overrides, ...)` and `patch.dict(...)` restore by
themselves. A write in a test is restored when the test uses (directly, through other fixtures, or through
`autouse` fixtures in the module or any `conftest.py` above it) a fixture whose teardown restores overrides.
A teardown that undoes only some keys (`pop(get_db)`) covers those keys only. Module-level writes are always
reported: never restored, or cleared when the module is imported (a module-level `= {}` after the tests),
which is before any test runs. A restore at the end of the test body, outside `finally`, is reported too: it
does not run when the test fails. Test code is a test path (`test_*.py`, `conftest.py`, a `tests/` folder) or
a module that imports pytest or defines test functions with assertions.

## Why is this bad?
`app.dependency_overrides` lives on the app object, which every test shares. An override left behind leaks
into the tests that run after it: they pass or fail depending on test order, and a fake database or a fake
user silently replaces the real dependency in tests meant to check it.

## Example
```python
def test_list_books(client):
    app.dependency_overrides[get_db] = lambda: fake_db
    assert client.get("/books").status_code == 200
```

## Use instead
```python
@pytest.fixture
def fake_database():
    app.dependency_overrides[get_db] = lambda: fake_db
    yield
    app.dependency_overrides.clear()

def test_list_books(client, fake_database): ...
```
or `monkeypatch.setitem(app.dependency_overrides, get_db, lambda: fake_db)`.

## References
- https://fastapi.tiangolo.com/advanced/testing-dependencies/
- https://docs.pytest.org/en/stable/how-to/fixtures.html#teardown-cleanup-aka-fixture-finalization
"""
    valid = (
        Valid({
            "app.py": _APP,
            "tests/conftest.py": """\
import pytest
from app import app, get_db
@pytest.fixture
def fake_db():
    app.dependency_overrides[get_db] = lambda: "fake"
    yield
    app.dependency_overrides.clear()
@pytest.fixture
def uses_fake(fake_db):
    return "client"
""",
            "tests/test_ok.py": """\
from unittest.mock import patch
from app import app, get_db
def test_fixture(uses_fake):
    app.dependency_overrides[get_db] = lambda: "other"
def test_finally():
    saved = dict(app.dependency_overrides)
    app.dependency_overrides[get_db] = lambda: "fake"
    try:
        assert True
    finally:
        app.dependency_overrides = saved
def test_monkeypatch(monkeypatch):
    monkeypatch.setitem(app.dependency_overrides, get_db, lambda: "fake")
def test_patch_dict():
    with patch.dict(app.dependency_overrides, {get_db: lambda: "fake"}):
        assert True
def test_finalizer(request):
    app.dependency_overrides.update({get_db: lambda: "fake"})
    request.addfinalizer(app.dependency_overrides.clear)
""",
        }),
        # An autouse fixture in a conftest.py above the test restores after every test.
        Valid({
            "app.py": _APP,
            "tests/conftest.py": """\
import pytest
from app import app
@pytest.fixture(autouse=True)
def reset_overrides():
    yield
    app.dependency_overrides = {}
""",
            "tests/api/test_deep.py": """\
from app import app, get_db
def test_covered_by_autouse():
    app.dependency_overrides[get_db] = lambda: "fake"
""",
        }),
        # An app built by the test itself is not shared.
        Valid({
            "app.py": _APP + "def create_app():\n    return FastAPI()\n",
            "tests/test_local.py": """\
from fastapi import FastAPI
from app import create_app, get_db
def test_local_app():
    app = FastAPI()
    app.dependency_overrides[get_db] = lambda: "fake"
def test_factory_app():
    application = create_app()
    application.dependency_overrides[get_db] = lambda: "fake"
""",
        }),
        # A function-scoped fixture that builds an app (or a client of one) for each test; methods of a test
        # class building their own app.
        Valid({
            "app.py": _APP + "def create_app():\n    return FastAPI()\n",
            "tests/conftest.py": """\
import pytest
from fastapi.testclient import TestClient
from app import create_app
@pytest.fixture
def fresh_app():
    return create_app()
@pytest.fixture
def fresh_client():
    application = create_app()
    yield TestClient(application)
""",
            "tests/test_fresh.py": """\
from app import create_app, get_db
def test_fresh_app(fresh_app):
    fresh_app.dependency_overrides[get_db] = lambda: "fake"
def test_fresh_client(fresh_client):
    fresh_client.app.dependency_overrides[get_db] = lambda: "fake"
class TestThing:
    def test_method(self):
        app = create_app()
        app.dependency_overrides[get_db] = lambda: "fake"
""",
        }),
        # A teardown that restores each key it set.
        Valid({
            "app.py": _APP + "def get_user():\n    return 1\n",
            "tests/test_each.py": """\
import pytest
from app import app, get_db, get_user
@pytest.fixture
def fakes():
    app.dependency_overrides[get_db] = lambda: "db"
    app.dependency_overrides.update({get_user: lambda: "user"})
    yield
    app.dependency_overrides.pop(get_db)
    del app.dependency_overrides[get_user]
def test_uses(fakes):
    app.dependency_overrides[get_user] = lambda: "other"
""",
        }),
        # Production code configuring overrides is not test code.
        Valid({"app.py": _APP + "app.dependency_overrides[get_db] = get_db\n"}),
    )
    invalid = (
        Invalid({
            "app.py": _APP,
            "tests/test_bad.py": """\
from app import app, get_db
app.dependency_overrides[get_db] = lambda: "everyone"
def test_leaks():
    app.dependency_overrides[get_db] = lambda: "fake"
    assert True
def test_restored_only_on_success():
    app.dependency_overrides.setdefault(get_db, lambda: "fake")
    assert True
    app.dependency_overrides.clear()
""",
        }, (("tests/test_bad.py", 2), ("tests/test_bad.py", 4), ("tests/test_bad.py", 7))),
        Invalid({
            "app.py": _APP,
            "tests/test_fixture.py": """\
import pytest
from app import app, get_db
@pytest.fixture
def fake_db():
    app.dependency_overrides[get_db] = lambda: "fake"
    return app
def test_uses(fake_db):
    assert fake_db
""",
        }, (("tests/test_fixture.py", 5),)),
        # One fixture writing three overrides with no teardown: one finding, at the first write.
        Invalid({
            "app.py": _APP + "def get_user():\n    return 1\ndef get_clock():\n    return 1\n",
            "tests/test_many.py": """\
import pytest
from app import app, get_clock, get_db, get_user
@pytest.fixture
def fakes():
    app.dependency_overrides[get_db] = lambda: "db"
    app.dependency_overrides[get_user] = lambda: "user"
    app.dependency_overrides[get_clock] = lambda: "clock"
def test_uses(fakes):
    assert True
""",
        }, (("tests/test_many.py", 5),)),
        # Look-alikes of a fresh app: a session-scoped one is shared by every test, and a client of the
        # module's app changes that app's overrides.
        Invalid({
            "app.py": _APP + "def create_app():\n    return FastAPI()\n",
            "tests/conftest.py": """\
import pytest
from fastapi.testclient import TestClient
from app import app, create_app
@pytest.fixture(scope="session")
def shared_app():
    return create_app()
@pytest.fixture
def client():
    return TestClient(app)
""",
            "tests/test_shared.py": """\
from app import get_db
def test_shared(shared_app):
    shared_app.dependency_overrides[get_db] = lambda: "fake"
def test_client(client):
    client.app.dependency_overrides[get_db] = lambda: "fake"
""",
        }, (("tests/test_shared.py", 3), ("tests/test_shared.py", 5))),
        # A fixture that overrides two dependencies and restores one: the other leaks, and a test that relies on
        # the fixture for a third key is not covered either.
        Invalid({
            "app.py": _APP + "def get_user():\n    return 1\ndef get_clock():\n    return 1\n",
            "tests/test_partial.py": """\
import pytest
from app import app, get_clock, get_db, get_user
@pytest.fixture
def fakes():
    app.dependency_overrides[get_db] = lambda: "db"
    app.dependency_overrides[get_user] = lambda: "user"
    yield
    app.dependency_overrides.pop(get_db)
def test_uses(fakes):
    app.dependency_overrides[get_clock] = lambda: "clock"
def test_db_only(fakes):
    app.dependency_overrides[get_db] = lambda: "other"
""",
        }, (("tests/test_partial.py", 6), ("tests/test_partial.py", 10))),
        # Cleared at import: the reset at module level runs before any test, so the test uses the real service.
        Invalid({
            "app.py": _APP,
            "tests/test_import_time.py": """\
from app import app, get_db
app.dependency_overrides[get_db] = lambda: "fake"
def test_read():
    assert True
app.dependency_overrides = {}
""",
        }, (("tests/test_import_time.py", 2),)),
        # Test code outside a test path: a documentation example with a test function.
        Invalid({
            "app.py": _APP,
            "docs/testing_example.py": """\
from fastapi.testclient import TestClient
from app import app, get_db
def test_read_items():
    app.dependency_overrides[get_db] = lambda: "fake"
    assert TestClient(app).get("/").status_code == 404
""",
        }, (("docs/testing_example.py", 4),)),
    )

    def check(self, index):
        self._exported: dict[str, list[tuple[str, PytestFixture]]] = {}
        modules = [index.modules[name] for name in sorted(index.sources)]
        by_path = {facts.path: facts for facts in modules}
        events_by_path = {facts.path: facts.tests.events for facts in modules if facts.tests is not None}
        for facts in modules:
            if facts.tests is None:
                continue
            visible = self.visible_fixtures(index, facts, by_path)
            requests = dict(facts.tests.requests)
            # One finding per function (or module) and app: a fixture writing ten overrides and restoring none
            # has one fault, at its first write; the other writes are its related locations.
            leaks: dict[tuple[str, str, object], list[OverrideEvent]] = {}
            for event in facts.tests.events:
                if event.kind != "write":
                    continue
                leak = self.leak(index, facts.module, event, facts.tests.events, visible, requests, events_by_path)
                if leak is not None:
                    leaks.setdefault((event.function, render(event.app) or "", leak), []).append(event)
            for (function, target, leak), writes in leaks.items():
                first, *others = writes
                location = Location(facts.path, first.line, first.column, first.line, first.column)
                related = [Related(Location(facts.path, e.line, e.column, e.line, e.column),
                                   "also written here, and not restored either") for e in others]
                message = self.message(leak, target or "the app", writes)
                if others:
                    where = f"`{function.split('.<locals>.')[0]}`" if function else "this module"
                    message += f" ({len(others)} more write{'s' if len(others) > 1 else ''} in {where}, listed below)"
                yield self.finding(message, location, related)

    @staticmethod
    def message(leak: tuple, target: str, writes: list[OverrideEvent]) -> str:
        overrides = f"`{target}.dependency_overrides`"
        kind = leak[0]
        if kind == "cleared-at-import":
            return (f"{overrides} is cleared at line {leak[1]} when the module is imported, before any test runs: "
                    "the tests run against the real dependencies, not these overrides; set them in a fixture "
                    "that restores them after the test")
        if kind == "import-time":
            return (f"{overrides} is written at import time of a test module and never restored: it applies to "
                    "every test that runs after; set it in a fixture that clears it")
        if kind == "only-on-success":
            return (f"{overrides} is restored only when the test passes: the restore at line {leak[1]} is not in a "
                    "`finally` block or a fixture teardown, so a failure leaks the override into later tests")
        if kind == "some-keys":
            leaking = sorted({key for write in writes for key in write.keys if key not in leak[1]})
            names = ", ".join(f"`{key}`" for key in leaking)
            restored = ", ".join(f"`{key}`" for key in sorted(leak[1]))
            return (f"{overrides} is restored for some keys only: the teardown undoes {restored}, so the override of "
                    f"{names} leaks into every later test; clear them all (`dependency_overrides.clear()`) or "
                    "restore a saved copy")
        return (f"{overrides} is written and never restored: the override leaks into every later test; restore "
                "it in a fixture teardown (after `yield`) or a `finally` block, or use monkeypatch.setitem")

    def visible_fixtures(self, index, facts, by_path) -> dict[str, tuple[str, PytestFixture]]:
        """Fixtures a test in this module can request, nearest first: the module's own (and those it imports),
        then each conftest.py upwards (and the fixtures it imports or lists in `pytest_plugins`)."""
        visible: dict[str, tuple[str, PytestFixture]] = {}
        chain = [facts]
        folder = PurePosixPath(facts.path).parent
        while True:
            conftest = by_path.get((folder / "conftest.py").as_posix().removeprefix("./"))
            if conftest is not None and conftest is not facts:
                chain.append(conftest)
            if folder == folder.parent:
                break
            folder = folder.parent
        for module in chain:
            for path, fixture in self.exported_fixtures(index, module.module, set()):
                visible.setdefault(fixture.name, (path, fixture))
        return visible

    def exported_fixtures(self, index, module: str, seen: set[str]) -> list[tuple[str, PytestFixture]]:
        """A module's fixtures, and the fixtures it brings in with `import *`, `from x import f` or pytest_plugins.
        Only test modules are followed (fixtures live there); results are memoized per module."""
        name = index.canonical(module)
        if name is None or name in seen:
            return []
        if name in self._exported:
            return self._exported[name]
        facts = index.modules[name]
        if facts.tests is None and not facts.path.endswith("__init__.py"):
            return []
        seen = seen | {name}
        found = [(facts.path, fixture) for fixture in (facts.tests.fixtures if facts.tests else ())]
        scope = facts.scopes[""]
        for star in scope.star_imports:
            found += self.exported_fixtures(index, star, seen)
        for variable, binding in scope.bindings.items():
            if binding.kind == "import":
                source, _, imported = binding.target.rpartition(".")
                found += [(path, fixture) for path, fixture in self.exported_fixtures(index, source, seen)
                          if fixture.name == imported]
            elif variable == "pytest_plugins":
                for plugin in index.resolver.string_list(NameExpr(variable), Ctx(name, "")) or []:
                    found += self.exported_fixtures(index, plugin, seen)
        self._exported[name] = found
        return found

    @staticmethod
    def local_app(index, module: str, event: OverrideEvent, function: str) -> bool:
        """An app the test builds itself (`app = FastAPI()`, `app = create_app()`) dies with the test."""
        root = event.app
        while hasattr(root, "value"):
            root = root.value
        if root is None:
            return False
        sym = index.resolver.resolve(root, Ctx(module, function))
        return isinstance(sym, VarSym) and sym.scope == function

    @staticmethod
    def fresh_from_fixture(event: OverrideEvent, function: str, visible, requests) -> bool:
        """An app (or client) a function-scoped fixture builds for each test, requested by the test or fixture
        that writes its overrides: the next test gets a new one, so nothing leaks."""
        root = event.app
        while hasattr(root, "value"):
            root = root.value
        if not isinstance(root, NameExpr) or root.name not in requests.get(function, ()):
            return False
        _, fixture = visible.get(root.name, (None, None))
        return fixture is not None and fixture.fresh and fixture.scope == "function"

    def leak(self, index, module: str, event: OverrideEvent, events, visible, requests,
             events_by_path) -> tuple | None:
        """Why a write leaks, as a hashable `(kind, detail)`: cleared-at-import (line), import-time,
        only-on-success (line of the restore), some-keys (the keys restored), never; None when it does not."""
        if not event.function:
            later = [e for e in events if e.kind == "restore" and not e.function and e.line > event.line
                     and _covers(_restored([e]), event)]
            return ("cleared-at-import", later[0].line) if later else ("import-time",)
        top = event.function.split(".<locals>.")[0]
        if self.local_app(index, module, event, top) or self.fresh_from_fixture(event, top, visible, requests):
            return None
        own = [e for e in events if e.kind == "restore" and e.function.split(".<locals>.")[0] == top]
        restored: frozenset[str] | None = _restored([e for e in own if e.in_finally or e.teardown])
        requested = list(requests.get(top, ()))
        requested += [name for name, (_, fixture) in visible.items() if fixture.autouse]
        for name in requested:
            restored = _union(restored, self.fixture_restores(name, visible, events_by_path, set()))
        if _covers(restored, event):
            return None
        if restored:
            return ("some-keys", restored)
        if own:
            return ("only-on-success", own[0].line)
        return ("never",)

    def fixture_restores(self, name: str, visible, events_by_path, seen: set[str]) -> frozenset[str] | None:
        """The keys a fixture's teardown (or the fixtures it requests) restores: None for all of them."""
        if name in seen or name not in visible:
            return frozenset()
        seen.add(name)
        path, fixture = visible[name]
        restored = _restored([event for event in events_by_path.get(path, ())
                              if event.kind == "restore" and event.function.split(".<locals>.")[0] == fixture.function
                              and (event.teardown or event.in_finally)])
        for param in fixture.params:
            restored = _union(restored, self.fixture_restores(param, visible, events_by_path, seen))
        return restored


def _restored(restores: list[OverrideEvent]) -> frozenset[str] | None:
    """The keys restores undo: None when one undoes every key (`clear()`, `= {}`, `= saved`)."""
    keys: set[str] = set()
    for event in restores:
        if not event.keys:
            return None
        keys.update(event.keys)
    return frozenset(keys)


def _union(first: frozenset[str] | None, second: frozenset[str] | None) -> frozenset[str] | None:
    return None if first is None or second is None else first | second


def _covers(restored: frozenset[str] | None, write: OverrideEvent) -> bool:
    if restored is None:
        return True
    if not write.keys:
        return bool(restored)  # a write whose keys we cannot name: any restore may undo it
    return set(write.keys) <= restored
