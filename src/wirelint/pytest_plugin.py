"""wirelint's pytest plugin: catch leaked FastAPI ``app.dependency_overrides`` as they happen.

Static analysis (rule DI005) can only infer whether a test restores the overrides it writes; this plugin
sees it. It is off by default, and while off it only registers its options: no per-test hook runs. Turn it
on with any of

* ``--wirelint-overrides`` (``--no-wirelint-overrides`` turns it off again),
* ``--wirelint-overrides-strict`` (on, and leaks fail: see below),
* ``-p wirelint.pytest_plugin`` (or ``PYTEST_PLUGINS=wirelint.pytest_plugin``, or
  ``pytest_plugins = ["wirelint.pytest_plugin"]`` in the root ``conftest.py``),
* ``wirelint_overrides = true`` / ``wirelint_overrides_strict = true`` in ``[tool.pytest.ini_options]``.

How it works
------------
Apps are found without scanning the heap per test: when FastAPI is (or becomes) imported, the plugin wraps
``FastAPI.__init__`` so every app created afterwards registers itself (weakly), and finds the apps created
before that once, with ``gc.get_referrers`` of the FastAPI classes. FastAPI is never imported by the plugin: a
suite that never imports it costs one ``sys.modules`` lookup per checkpoint. An app built by a test or fixture
outside any import (``create_app()`` in a fixture) belongs to it: what it does to that app is not judged.

Every app's ``dependency_overrides`` is compared with a snapshot at *checkpoints*: around collecting each
module, around the setup of each fixture, before a fixture's own teardown and after its finalization, before a
test's setup and after its teardown. What changed between two checkpoints belongs to the *owner* of that
interval, the innermost of:

* a test item (its body, its function-scoped fixtures' setup and teardown);
* a fixture with a wider scope (class, module, package, session), from its setup to its finalization, so a
  session fixture that overrides on purpose is judged once, when the session ends, not at every test;
* a collector (overrides written at import time, at module level: always a leak);
* nothing (before the first collection: a ``conftest.py`` or a module it imports wrote them).

When an owner ends, every key it touched must be back to the value it had before the owner first touched it.
A key left as the owner set it is a leak (``added`` or ``replaced``); a key that a still-active wider fixture
had set and the owner removed is a leak too (``removed``: the rest of that fixture's scope runs without it).
Undoing someone else's leak is never reported.

Reports: a ``WirelintOverrideLeak`` warning (a ``pytest.PytestWarning``, so ``-W error::...`` and
``filterwarnings`` apply) and a section in the terminal summary. In strict mode a leak is an error instead: at
the teardown of the test that leaked (or during whose teardown the leaking fixture was finalized), a collection
error for a module-level write, and a failing exit status for leaks outside any test.
"""

from __future__ import annotations

import functools
import gc
import os
import sys
import warnings
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

PLUGIN_NAME = "wirelint.pytest_plugin"
_GUARD_NAME = "wirelint-overrides-guard"
_SUMMARY_TITLE = "wirelint: leaked dependency_overrides"


class WirelintOverrideLeak(pytest.PytestWarning):
    """A test, fixture or module left ``app.dependency_overrides`` different from how it found them."""


# --------------------------------------------------------------------------------------------- options


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("wirelint", "wirelint: leaked FastAPI dependency_overrides")
    group.addoption(
        "--wirelint-overrides",
        action="store_true",
        dest="wirelint_overrides",
        default=None,
        help="report tests and fixtures that leave FastAPI app.dependency_overrides changed",
    )
    group.addoption(
        "--no-wirelint-overrides",
        action="store_false",
        dest="wirelint_overrides",
        help="turn the dependency_overrides check off (wins over the ini file and -p)",
    )
    group.addoption(
        "--wirelint-overrides-strict",
        action="store_true",
        dest="wirelint_overrides_strict",
        default=None,
        help="like --wirelint-overrides, and a leak is an error instead of a warning",
    )
    parser.addini(
        "wirelint_overrides",
        type="bool",
        default=False,
        help="wirelint: report leaked FastAPI app.dependency_overrides (default: false)",
    )
    parser.addini(
        "wirelint_overrides_strict",
        type="bool",
        default=False,
        help="wirelint: leaked dependency_overrides are errors, not warnings; implies wirelint_overrides",
    )


def _explicitly_loaded(config: pytest.Config) -> bool:
    """Whether the user asked for this module as a plugin, as opposed to pytest auto-loading its entry point."""
    names = {PLUGIN_NAME, "wirelint"}
    if names & set(getattr(config.option, "plugins", None) or ()):  # -p, also from addopts / PYTEST_ADDOPTS
        return True
    if names & {name.strip() for name in os.environ.get("PYTEST_PLUGINS", "").split(",")}:
        return True
    manager = config.pluginmanager
    for plugin in manager.get_plugins():  # `pytest_plugins = [...]` in a conftest.py (a no-op for pytest
        try:  # when the entry point already loaded us)
            requested = getattr(plugin, "pytest_plugins", None)
        except Exception:  # noqa: BLE001 - plugin objects with odd __getattr__
            continue
        if isinstance(requested, str):
            requested = [requested]
        if isinstance(requested, (list, tuple)) and names & set(requested):
            return True
    module = sys.modules.get(__name__)
    if manager.get_plugin(PLUGIN_NAME) is not module:
        return False
    # Registered under its module name: by `-p`/`pytest_plugins`/PYTEST_PLUGINS, or by an entry point of that
    # name. Entry-point plugins are listed with their distribution.
    return not any(plugin is module for plugin, _dist in manager.list_plugin_distinfo())


def _settings(config: pytest.Config) -> tuple[bool, bool]:
    option = config.option
    strict = bool(getattr(option, "wirelint_overrides_strict", None)) or bool(
        config.getini("wirelint_overrides_strict")
    )
    switch = getattr(option, "wirelint_overrides", None)
    if switch is not None:
        return bool(switch), strict
    enabled = (
        strict
        or bool(config.getini("wirelint_overrides"))
        or _explicitly_loaded(config)
    )
    return enabled, strict


def pytest_configure(config: pytest.Config) -> None:
    enabled, strict = _settings(config)
    if enabled and not config.pluginmanager.has_plugin(_GUARD_NAME):
        config.pluginmanager.register(_OverrideGuard(config, strict), _GUARD_NAME)


# --------------------------------------------------------------------------------------------- model


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "<missing>"


MISSING: Any = _Missing()


def _overrides_of(app: Any) -> dict:
    current = getattr(app, "dependency_overrides", None)
    return current if isinstance(current, dict) else {}


def _same(current: dict, snapshot: dict) -> bool:
    if len(current) != len(snapshot):
        return False
    get = snapshot.get
    for key, value in current.items():
        if get(key, MISSING) is not value:
            return False
    return True


def qualified_name(obj: Any) -> str:
    """``module.qualname`` of a dependency callable (a function, a class, a bound method...)."""
    target = obj
    for _ in range(3):  # functools.partial(...), bound methods
        inner = getattr(target, "func", None) or getattr(target, "__func__", None)
        if inner is None or getattr(target, "__qualname__", None):
            break
        target = inner
    qualname = getattr(target, "__qualname__", None) or getattr(type(target), "__qualname__", None)
    module = getattr(target, "__module__", None) or getattr(type(target), "__module__", None)
    if not qualname:
        return repr(obj)
    return f"{module}.{qualname}" if module else qualname


def _is_test_module(name: str) -> bool:
    last = name.rsplit(".", 1)[-1]
    return last == "conftest" or last.startswith("test_") or last.endswith("_test") or ".tests." in f".{name}."


def _module_bindings(app: Any) -> list[tuple[str, str]]:
    """(module, attribute) pairs of every module global bound to ``app``; one pass over sys.modules."""
    found = []
    for name, module in list(sys.modules.items()):
        try:
            namespace = module.__dict__
        except Exception:  # noqa: BLE001 - lazy loaders and proxies in sys.modules
            continue
        if not isinstance(namespace, dict):
            continue
        for attribute, value in list(namespace.items()):
            if value is app:
                found.append((name, attribute))
    return found


class _App:
    """One tracked app: its snapshot at the last checkpoint and who set each key."""

    __slots__ = ("ref", "on_heap", "creator", "creator_module", "owner", "snapshot", "setter", "_label")

    def __init__(self, app: Any, on_heap: bool, creator: str | None, owner: _Owner | None, on_death) -> None:
        self.ref = weakref.ref(app, on_death)
        self.on_heap = on_heap  # found by the heap scan: built before the plugin started watching
        self.creator = creator  # module of the code that called FastAPI(...), when seen
        module = sys.modules.get(creator) if creator else None
        self.creator_module = weakref.ref(module) if module is not None else None
        # The test or fixture that built this app outside any import (`create_app()` in a fixture): the app is
        # its own, so what it does to the app's overrides is never its leak. None for module-level apps.
        self.owner = owner
        self.snapshot: dict | None = None  # None: not seen at a checkpoint yet
        self.setter: dict[Any, _Owner] = {}
        self._label: str | None = None

    def unloaded(self) -> bool:
        """Whether the module that built this app at import has since left sys.modules (a test that reloads
        or unloads it, or a nested pytest run): nothing can import this app any more."""
        if self.creator_module is None:
            return False
        module = self.creator_module()
        return module is None or sys.modules.get(self.creator) is not module

    def label(self) -> str:
        if self._label is None:
            app = self.ref()
            if app is None:
                return "<collected app>"
            title = getattr(app, "title", None) or type(app).__name__
            bindings = _module_bindings(app)
            if bindings:
                bindings.sort(key=lambda b: (b[0] != self.creator, _is_test_module(b[0]), b[0].count("."), b))
                where = "{}:{}".format(*bindings[0])
            else:
                where = f"id 0x{id(app):x}"
            self._label = f"app {title!r} ({where})"
        return self._label


@dataclass
class Leak:
    """One owner's leaked keys on one app."""

    kind: str  # "test", "fixture", "module", "import"
    where: str  # node id, "fixture 'name' (session scope, path:line)", ...
    app: str
    keys: list[tuple[str, str, str | None]]  # (qualified name, added/replaced/removed, function fixture or None)
    nodeid: str | None = None
    fixture: str | None = None
    scope: str | None = None
    location: tuple[str, int] | None = field(default=None, repr=False)

    def describe_keys(self) -> str:
        parts = []
        for name, change, via in self.keys:
            parts.append(f"{name} ({change}{f', set in fixture {via!r}' if via else ''})")
        return ", ".join(parts)

    def line(self) -> str:
        return f"{self.where}: {self.app}: {self.describe_keys()}"

    def message(self) -> str:
        return f"{self.where} leaked dependency_overrides on {self.app}: {self.describe_keys()}"


class _Owner:
    """Whoever is responsible for the changes made while it is innermost: a test, a fixture, a collector."""

    __slots__ = ("kind", "node", "fixturedef", "alive", "ledger", "tags")

    def __init__(self, kind: str, node: Any = None, fixturedef: Any = None) -> None:
        self.kind = kind  # "import", "module", "test", "fixture"
        self.node = node
        self.fixturedef = fixturedef
        self.alive = kind == "fixture"
        # (app, key) -> (value before this owner first touched it, who had set that value)
        self.ledger: dict[tuple[_App, Any], tuple[Any, _Owner | None]] = {}
        self.tags: dict[tuple[_App, Any], str] = {}


# --------------------------------------------------------------------------------------------- the guard


_GENERATED_FIXTURES = {
    # pytest runs xunit-style setup functions and unittest's setUpClass as generated fixtures.
    "_xunit_setup_module_fixture_": "setup_module",
    "_xunit_setup_class_fixture_": "setup_class",
    "_xunit_setup_function_fixture_": "setup_function",
    "_xunit_setup_method_fixture_": "setup_method",
    "_unittest_setUpClass_fixture_": "setUpClass",
    "_unittest_setup_method_fixture_": "setUp",
}


def _generated_fixture_name(name: str) -> str | None:
    if name.startswith("_"):
        for prefix, shown in _GENERATED_FIXTURES.items():
            if name.startswith(prefix):
                return shown
    return None


def _creation_site() -> tuple[str | None, bool]:
    """(module that called FastAPI(...), whether that happened while a module was being imported).

    Walks up from the caller of the wrapped __init__ until pytest's or pluggy's own frames: a module body
    (`<module>`) on the way means an import built the app (`app = FastAPI()`, `app = create_app()`), so it
    is shared by whoever imports it.
    """
    frame = sys._getframe(2)
    creator = None
    while frame is not None:
        name = frame.f_globals.get("__name__")
        if isinstance(name, str) and name.startswith(("_pytest.", "pluggy.")):
            break
        code_name = frame.f_code.co_name
        if creator is None and code_name != "__init__":  # skip subclasses calling super().__init__
            creator = name
        if code_name == "<module>" and name not in (None, "__main__"):
            return creator, True
        frame = frame.f_back
    return creator, False


class _OverrideGuard:
    """The enabled plugin: registered by pytest_configure only when the check is on."""

    def __init__(self, config: pytest.Config, strict: bool) -> None:
        self.config = config
        self.strict = strict
        self.leaks: list[Leak] = []
        self._apps: dict[int, _App] = {}
        self._states: tuple[_App, ...] = ()  # self._apps' values, iterated at every checkpoint
        self._dead: list[int] = []
        self._tags: dict[Any, str | None] = {}  # function fixturedef -> its name in reports; None: pytest's own
        self._root = _Owner("import")
        self._stack: list[tuple[_Owner, str | None]] = [(self._root, None)]
        self._pending: list[str] = []  # strict failures waiting for the end of the current test's teardown
        self._unraised = 0  # strict failures that no test or collector could carry
        self._patch: tuple[type, Any, Any] | None = None
        self._active = True
        self._ensure_tracking()

    # ---- finding apps

    def _ensure_tracking(self) -> bool:
        if self._patch is not None:
            return True
        fastapi = sys.modules.get("fastapi")
        cls = getattr(fastapi, "FastAPI", None) if fastapi is not None else None
        if not isinstance(cls, type):
            return False
        original = cls.__dict__.get("__init__", cls.__init__)
        guard = weakref.ref(self)

        @functools.wraps(original)
        def __init__(app, *args, **kwargs):  # noqa: N807
            original(app, *args, **kwargs)
            owner = guard()
            if owner is not None and owner._active:
                owner._register(app, *_creation_site())

        cls.__init__ = __init__
        self._patch = (cls, original, __init__)
        # Apps created before FastAPI was patched: one pass over the heap. An instance of a Python class refers
        # to its class, so gc.get_referrers of FastAPI and its subclasses finds them all, in C.
        classes, pending = set(), [cls]
        while pending:
            klass = pending.pop()
            if klass not in classes:
                classes.add(klass)
                pending.extend(type.__subclasses__(klass))
        for obj in gc.get_referrers(*classes):
            if type(obj) in classes:
                self._register(obj, None, None)
        return True

    def _register(self, app: Any, creator: str | None, at_import: bool | None) -> None:
        """Track an app; ``at_import`` is None for apps found on the heap (how they were built is unknown)."""
        key = id(app)
        known = self._apps.get(key)
        if known is not None and known.ref() is app:
            return
        owner = self._stack[-1][0] if at_import is False else None
        on_heap = at_import is None
        self._apps[key] = _App(app, on_heap, creator, owner, lambda _ref, key=key: self._dead.append(key))
        self._states = tuple(self._apps.values())

    def _purge(self) -> None:
        dead, self._dead = self._dead, []
        for key in dead:
            state = self._apps.get(key)
            if state is not None and state.ref() is None:
                del self._apps[key]
        self._states = tuple(self._apps.values())

    def _unpatch(self) -> None:
        self._active = False
        if self._patch is not None:
            cls, original, wrapper = self._patch
            if cls.__dict__.get("__init__") is wrapper:
                cls.__init__ = original
            self._patch = None

    # ---- checkpoints

    def _checkpoint(self) -> None:
        if self._patch is None and not self._ensure_tracking():
            return
        if self._dead:
            self._purge()
        owner, tag = self._stack[-1]
        for state in self._states:
            app = state.ref()
            if app is None:
                continue
            current = _overrides_of(app)
            snapshot = state.snapshot
            if snapshot is None:  # first sight
                if not current:
                    state.snapshot = {}
                    continue
                if state.on_heap and not _module_bindings(app):
                    # Found on the heap, bound to no module global: somebody's private app. Adopt its overrides.
                    state.snapshot = dict(current)
                    continue
                # Built during this interval, or a module-level app: what it holds was written in this interval.
                snapshot = {}
            elif _same(current, snapshot):
                continue
            for key in set(current) | set(snapshot):
                before = snapshot.get(key, MISSING)
                after = current.get(key, MISSING)
                if before is after:
                    continue
                slot = (state, key)
                if slot not in owner.ledger:
                    owner.ledger[slot] = (before, state.setter.get(key))
                if tag is not None and after is not MISSING:
                    owner.tags[slot] = tag  # the function fixture that set it, for the report
                else:
                    owner.tags.pop(slot, None)
                if after is MISSING:
                    state.setter.pop(key, None)
                else:
                    state.setter[key] = owner
            state.snapshot = dict(current)
        if owner is self._root and owner.ledger:
            self._report(self._close(owner), None)

    def _push(self, owner: _Owner, tag: str | None = None) -> None:
        self._checkpoint()
        self._stack.append((owner, tag))

    def _pop(self, owner: _Owner) -> None:
        self._checkpoint()
        while len(self._stack) > 1:
            top, _tag = self._stack.pop()
            if top is owner:
                break

    def _current_test(self) -> _Owner | None:
        for owner, _tag in reversed(self._stack):
            if owner.kind == "test":
                return owner
        return None

    # ---- judging an owner

    def _close(self, owner: _Owner) -> list[Leak]:
        owner.alive = False
        per_app: dict[_App, list[tuple[str, str, str | None]]] = {}
        for (state, key), (before, before_setter) in owner.ledger.items():
            app = state.ref()
            if app is None or state.owner is owner:
                continue
            now = _overrides_of(app).get(key, MISSING)
            if now is before:
                continue
            if now is not MISSING and state.setter.get(key) is owner:
                if state.unloaded():
                    continue
                change = "added" if before is MISSING else "replaced"
            elif now is MISSING and before_setter is not None and before_setter.alive:
                change = "removed"  # taken from under a wider fixture that is still active
            else:
                continue  # undoing (or overwriting) somebody else's leak: not this owner's
            per_app.setdefault(state, []).append((qualified_name(key), change, owner.tags.get((state, key))))
        owner.ledger.clear()
        owner.tags.clear()
        leaks = []
        for state, keys in per_app.items():
            keys.sort(key=lambda entry: (entry[0], entry[1], entry[2] or ""))
            leaks.append(self._leak(owner, state.label(), keys))
        return leaks

    def _leak(self, owner: _Owner, app: str, keys: list) -> Leak:
        rootpath = self.config.rootpath
        if owner.kind == "test":
            item = owner.node
            path, line = item.path, (item.location[1] or 0) + 1
            return Leak("test", item.nodeid, app, keys, nodeid=item.nodeid, location=(str(path), line))
        if owner.kind == "fixture":
            fixturedef = owner.fixturedef
            name, scope = fixturedef.argname, fixturedef.scope
            code = getattr(getattr(fixturedef, "func", None), "__code__", None)
            location = None
            shown, shown_at = name, None
            if _generated_fixture_name(name) is not None:
                shown = _generated_fixture_name(name)
                shown_at = fixturedef.baseid or "."
                location = (str(rootpath / shown_at.split("::")[0]), 1)
            elif code is not None:
                location = (code.co_filename, code.co_firstlineno)
                try:
                    shown_path = Path(code.co_filename).relative_to(rootpath).as_posix()
                except ValueError:
                    shown_path = code.co_filename
                shown_at = f"{shown_path}:{code.co_firstlineno}"
            where = f"fixture {shown!r} ({scope} scope" + (f", {shown_at})" if shown_at else ")")
            return Leak("fixture", where, app, keys, fixture=name, scope=scope, location=location)
        if owner.kind == "module":
            node = owner.node
            path = getattr(node, "path", None)
            return Leak(
                "module",
                f"{node.nodeid or '.'} (at import, module level)",
                app,
                keys,
                nodeid=node.nodeid,
                location=(str(path), 1) if path is not None else None,
            )
        return Leak("import", "before the first test (at import: a conftest.py or a module it imports)", app, keys)

    def _report(self, leaks: list[Leak], failures: list[str] | None) -> None:
        """Record and announce leaks. A leak that must fail (strict, or its warning turned into an error by
        ``-W error``/``filterwarnings``) goes to ``failures`` when the caller can raise it where it belongs,
        else it only fails the session's exit status."""
        for leak in leaks:
            self.leaks.append(leak)
            message = leak.message()
            if not self.strict:
                filename, lineno = leak.location or ("wirelint", 0)
                try:
                    warnings.warn_explicit(WirelintOverrideLeak(message), WirelintOverrideLeak, filename, lineno)
                    continue
                except WirelintOverrideLeak:
                    pass
            if failures is not None:
                failures.append(message)
            else:
                self._unraised += 1

    # ---- hooks: collection

    @pytest.hookimpl(wrapper=True)
    def pytest_make_collect_report(self, collector: pytest.Collector):
        owner = _Owner("module", node=collector)
        self._push(owner)
        try:
            report = yield
        finally:
            self._pop(owner)
            failures: list[str] = []
            self._report(self._close(owner), failures)
        if failures:
            if report.passed:
                report.outcome = "failed"
                report.longrepr = "\n".join(f"wirelint: {message}" for message in failures)
            else:
                self._unraised += len(failures)
        return report

    # ---- hooks: tests

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_setup(self, item: pytest.Item):
        self._push(_Owner("test", node=item))
        return (yield)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_teardown(self, item: pytest.Item, nextitem: pytest.Item | None):
        try:
            result = yield
        except BaseException:
            self._end_test(item, raise_failures=False)
            raise
        self._end_test(item, raise_failures=True)
        return result

    def _end_test(self, item: pytest.Item, raise_failures: bool) -> None:
        owner = self._current_test()
        if owner is None or owner.node is not item:
            return
        self._pop(owner)
        failures, self._pending = self._pending, []
        self._report(self._close(owner), failures)
        if failures:
            if raise_failures:
                pytest.fail("\n".join(f"wirelint: {message}" for message in failures), pytrace=False)
            self._unraised += len(failures)

    # ---- hooks: fixtures

    @pytest.hookimpl(wrapper=True, trylast=True)
    def pytest_fixture_setup(self, fixturedef, request: pytest.FixtureRequest):
        if fixturedef.scope == "function":
            tag = self._tags.get(fixturedef, "")
            if tag == "":
                module = getattr(getattr(fixturedef, "func", None), "__module__", None) or ""
                if module.startswith("_pytest."):  # monkeypatch, tmp_path, capsys...: no overrides at setup
                    tag = None
                else:
                    tag = _generated_fixture_name(fixturedef.argname) or fixturedef.argname
                self._tags[fixturedef] = tag
            if tag is None:
                return (yield)
            test = self._current_test()
            owner = test if test is not None else self._stack[-1][0]
            self._push(owner, tag)
            try:
                return (yield)
            finally:
                self._pop_tag(owner, tag)
        owner = _Owner("fixture", fixturedef=fixturedef)
        # A fixture's finalizers run last-in first-out. Registered before its setup, this one runs after its
        # own teardown (a generator's rest, request.addfinalizer callbacks): the owner is judged then.
        fixturedef.addfinalizer(functools.partial(self._after_fixture_teardown, owner))
        self._push(owner)
        try:
            return (yield)
        finally:
            self._pop(owner)
            # Registered after its setup, this one runs first: right before its own teardown, after the
            # fixtures that depend on it are torn down.
            fixturedef.addfinalizer(functools.partial(self._before_fixture_teardown, owner))

    def _pop_tag(self, owner: _Owner, tag: str) -> None:
        self._checkpoint()
        for index in range(len(self._stack) - 1, 0, -1):
            if self._stack[index] == (owner, tag):
                del self._stack[index:]
                return

    def _before_fixture_teardown(self, owner: _Owner) -> None:
        self._push(owner)

    def _after_fixture_teardown(self, owner: _Owner) -> None:
        if not owner.alive:
            return
        if any(entry is owner for entry, _tag in self._stack):
            self._pop(owner)
        else:
            self._checkpoint()
        in_test = self._current_test() is not None
        self._report(self._close(owner), self._pending if in_test else None)

    # ---- hooks: end of session

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        self._checkpoint()
        if self._pending:
            self._unraised += len(self._pending)
            self._pending = []
        if self._unraised and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter, exitstatus: int, config: pytest.Config) -> None:
        if not self.leaks:
            if config.option.verbose > 0:
                terminalreporter.write_line(f"wirelint: no leaked dependency_overrides ({len(self._apps)} apps)")
            return
        terminalreporter.section(_SUMMARY_TITLE, sep="=", red=self.strict, yellow=not self.strict)
        for leak in self.leaks:
            terminalreporter.line(leak.line())
        how = "errors (strict)" if self.strict else "warnings; --wirelint-overrides-strict makes them errors"
        terminalreporter.line(f"{len(self.leaks)} leak(s), reported as {how}")

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        self._unpatch()
