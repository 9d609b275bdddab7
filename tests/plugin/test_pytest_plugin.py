"""wirelint's pytest plugin (wirelint.pytest_plugin) run on generated suites with pytester.

Each suite shares one `wlapp.py` and gives every way of leaking (or restoring) its own dependency, so the
expected reports are exact. Module names start with `wl`/`test_wl_` so that in-process runs never meet a module
of this session under the same name. Suites run in-process (fastapi stays imported here, so each run is fast) unless a
test needs a fresh interpreter: lazy imports, entry points. The plugin scans the heap once for apps that exist
before it starts, so an in-process run also sees this session's own apps; `run_suite` falls back to a
subprocess when one of those carries overrides that the inner run would (rightly) report.
"""

from __future__ import annotations

import os
import re
import sys
import textwrap

import pytest

pytest.importorskip("fastapi")

pytest_plugins = ["pytester"]

PLUGIN = ("-p", "wirelint.pytest_plugin")
# Third-party plugins installed next to pytest have nothing to do with these suites; blocking them keeps each
# run fast (without a bytecode cache, pytest re-rewrites their modules on every run).
# The outer session already imported the plugin through its entry point, so an in-process run's `-p` cannot
# assertion-rewrite it again; that warning is about the test harness, not about what is tested.
QUIET = ("-p", "no:cacheprovider", "-p", "no:randomly", "-p", "no:hypothesispytest", "-p", "no:anyio",
         "-W", "ignore::pytest.PytestAssertRewriteWarning")
TITLE = "wirelint: leaked dependency_overrides"
APP = "app 'Books' (wlapp:app)"

APP_PY = """
from fastapi import FastAPI

app = FastAPI(title="Books")


def create_app():
    return FastAPI(title="Fresh")


def get_db(): return "real"
def get_user(): return "real"
def get_settings(): return "real"
def get_cache(): return "real"
def get_mailer(): return "real"
def get_clock(): return "real"
def get_queue(): return "real"
def get_search(): return "real"
def get_storage(): return "real"
def get_metrics(): return "real"
def get_flags(): return "real"
def get_payments(): return "real"
def get_audit(): return "real"
def get_tokens(): return "real"


class Repository:
    def __init__(self): self.items = []
"""


def dedent(source: str) -> str:
    return textwrap.dedent(source).lstrip("\n")


def line_of(source: str, text: str) -> int:
    """1-based line of the first line of `source` (as written to disk) containing `text`."""
    for number, line in enumerate(dedent(source).splitlines(), start=1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} not in source")


def outer_apps_with_overrides() -> bool:
    from fastapi import FastAPI

    for module in list(sys.modules.values()):
        namespace = getattr(module, "__dict__", None) or {}
        for value in list(namespace.values()):
            if isinstance(value, FastAPI) and value.dependency_overrides:
                return True
    return False


def run_suite(
    pytester: pytest.Pytester, files: dict[str, str], *args: str, subprocess: bool = False
) -> pytest.RunResult:
    pytester.makepyfile(**{"wlapp": dedent(APP_PY)}, **{name: dedent(source) for name, source in files.items()})
    args = (*QUIET, *args)
    if subprocess or outer_apps_with_overrides():
        return pytester.runpytest_subprocess(*args)
    return pytester.runpytest_inprocess(*args)


def reports(result: pytest.RunResult) -> list[str]:
    """The lines of the plugin's terminal summary section, without its footer."""
    lines = result.outlines
    starts = [index for index, line in enumerate(lines) if line.startswith("=") and TITLE in line]
    if not starts:
        return []
    assert len(starts) == 1, result.stdout.str()
    found = []
    for line in lines[starts[0] + 1 :]:
        if re.match(r"\d+ leak\(s\), reported as ", line) or line.startswith("="):
            break
        found.append(line)
    return found


def leak_warnings(result: pytest.RunResult) -> list[str]:
    marker = "WirelintOverrideLeak: "
    return [line.split(marker, 1)[1] for line in result.outlines if marker in line]


# ----------------------------------------------------------------------------------------------- leaking

CONFTEST_LEAKS = """
import pytest
from wlapp import app, get_clock


@pytest.fixture(scope="session")
def session_clock():
    app.dependency_overrides[get_clock] = lambda: "frozen"
"""

LEAK_FILES = {
    "conftest": CONFTEST_LEAKS,
    "test_wl_01_module_level": """
        from wlapp import app, get_settings

        app.dependency_overrides[get_settings] = lambda: "test settings"


        def test_reads_settings():
            assert app.dependency_overrides
    """,
    "test_wl_02_body": """
        from wlapp import app, get_db


        def test_writes_in_body(session_clock):
            app.dependency_overrides[get_db] = lambda: "fake db"


        def test_clean(session_clock):
            pass
    """,
    "test_wl_03_function_fixture": """
        import pytest
        from wlapp import app, get_user


        @pytest.fixture
        def fake_user():
            app.dependency_overrides[get_user] = lambda: "alice"
            return "alice"


        def test_first(fake_user):
            pass


        def test_second(fake_user):
            pass


        def test_clean():
            pass
    """,
    "test_wl_04_module_fixture": """
        import pytest
        from wlapp import app, get_cache


        @pytest.fixture(scope="module")
        def memory_cache():
            app.dependency_overrides[get_cache] = lambda: {}


        def test_one(memory_cache, session_clock):
            pass


        def test_two(memory_cache):
            pass
    """,
    "test_wl_05_class_fixture": """
        import pytest
        from wlapp import app, get_mailer


        @pytest.fixture(scope="class")
        def outbox():
            app.dependency_overrides[get_mailer] = lambda: []
            yield []


        class TestMail:
            def test_send(self, outbox):
                pass

            def test_send_again(self, outbox):
                pass


        def test_after_class():
            pass
    """,
    "test_wl_06_xunit": """
        from wlapp import app, get_queue


        def setup_module():
            app.dependency_overrides[get_queue] = lambda: "in-memory queue"


        def test_queue():
            pass
    """,
    "test_wl_07_later": """
        def test_runs_after_everything(session_clock):
            pass
    """,
}


def test_each_way_of_leaking_is_reported_once_where_it_happens(pytester):
    result = run_suite(pytester, LEAK_FILES, *PLUGIN)
    result.assert_outcomes(passed=13, warnings=8)
    fixture_line = line_of(LEAK_FILES["test_wl_04_module_fixture"], "def memory_cache") - 1
    class_line = line_of(LEAK_FILES["test_wl_05_class_fixture"], "def outbox") - 1
    session_line = line_of(CONFTEST_LEAKS, "def session_clock") - 1
    expected = [
        f"test_wl_01_module_level.py (at import, module level): {APP}: wlapp.get_settings (added)",
        f"test_wl_02_body.py::test_writes_in_body: {APP}: wlapp.get_db (added)",
        f"test_wl_03_function_fixture.py::test_first: {APP}: "
        "wlapp.get_user (added, set in fixture 'fake_user')",
        # the second test leaks its own override on top of the first one's
        f"test_wl_03_function_fixture.py::test_second: {APP}: "
        "wlapp.get_user (replaced, set in fixture 'fake_user')",
        f"fixture 'memory_cache' (module scope, test_wl_04_module_fixture.py:{fixture_line}): {APP}: "
        "wlapp.get_cache (added)",
        f"fixture 'outbox' (class scope, test_wl_05_class_fixture.py:{class_line}): {APP}: "
        "wlapp.get_mailer (added)",
        f"fixture 'setup_module' (module scope, test_wl_06_xunit.py): {APP}: wlapp.get_queue (added)",
        # the session fixture is used by four tests in three modules: one report, when the session ends
        f"fixture 'session_clock' (session scope, conftest.py:{session_line}): {APP}: wlapp.get_clock (added)",
    ]
    assert reports(result) == expected
    warned = leak_warnings(result)
    assert len(warned) == len(expected)
    assert warned[1] == (
        f"test_wl_02_body.py::test_writes_in_body leaked dependency_overrides on {APP}: wlapp.get_db (added)"
    )
    result.stdout.fnmatch_lines(["8 leak(s), reported as warnings; --wirelint-overrides-strict makes them errors"])


def test_warnings_point_at_the_test_or_fixture(pytester):
    files = {"conftest": CONFTEST_LEAKS, "test_wl_02_body": LEAK_FILES["test_wl_02_body"]}
    result = run_suite(pytester, files, *PLUGIN)
    result.assert_outcomes(passed=2, warnings=2)
    result.stdout.fnmatch_lines(
        [
            "test_wl_02_body.py::test_writes_in_body",
            f"  */test_wl_02_body.py:{line_of(files['test_wl_02_body'], 'def test_writes_in_body')}: "
            "WirelintOverrideLeak: test_wl_02_body.py::test_writes_in_body leaked *",
        ]
    )
    # the session fixture's leak is found while the last test tears down, so pytest lists it under that test
    result.stdout.fnmatch_lines(
        [
            "test_wl_02_body.py::test_clean",
            f"  */conftest.py:{line_of(CONFTEST_LEAKS, 'def session_clock') - 1}: "
            "WirelintOverrideLeak: fixture 'session_clock' (session scope, *",
        ]
    )


def test_removing_an_active_session_override_is_a_leak_of_the_test_that_removed_it(pytester):
    files = {
        "conftest": """
            import pytest
            from wlapp import app, get_clock


            @pytest.fixture(scope="session", autouse=True)
            def frozen_clock():
                app.dependency_overrides[get_clock] = lambda: "frozen"
                yield
                app.dependency_overrides.pop(get_clock, None)
        """,
        "test_wl_clobber": """
            import pytest
            from wlapp import app, get_db


            @pytest.fixture
            def fake_db():
                app.dependency_overrides[get_db] = lambda: "fake"
                yield
                app.dependency_overrides.clear()  # also drops the session's clock


            def test_uses_fake_db(fake_db):
                pass


            def test_needs_the_frozen_clock():
                pass
        """,
    }
    result = run_suite(pytester, files, *PLUGIN)
    result.assert_outcomes(passed=2, warnings=1)
    assert reports(result) == [f"test_wl_clobber.py::test_uses_fake_db: {APP}: wlapp.get_clock (removed)"]


def test_cleaning_up_an_earlier_leak_is_not_reported(pytester):
    files = {
        "test_wl_a_leaks": """
            from wlapp import app, get_db


            def test_leaks():
                app.dependency_overrides[get_db] = lambda: "fake"
        """,
        "test_wl_b_cleans": """
            import pytest
            from wlapp import app, get_user


            @pytest.fixture
            def clean_app():
                yield
                app.dependency_overrides.clear()


            def test_cleans(clean_app):
                app.dependency_overrides[get_user] = lambda: "alice"
        """,
    }
    result = run_suite(pytester, files, *PLUGIN)
    result.assert_outcomes(passed=2, warnings=1)
    assert reports(result) == [f"test_wl_a_leaks.py::test_leaks: {APP}: wlapp.get_db (added)"]


def test_conftest_writes_at_import_are_reported_before_the_first_test(pytester):
    files = {
        "conftest": """
            from wlapp import app, get_db

            app.dependency_overrides[get_db] = lambda: "fake"
        """,
        "test_wl_x": "def test_x():\n    pass\n",
    }
    result = run_suite(pytester, files, *PLUGIN)
    result.assert_outcomes(passed=1, warnings=1)
    assert reports(result) == [
        f"before the first test (at import: a conftest.py or a module it imports): {APP}: wlapp.get_db (added)"
    ]


def test_keys_are_named_by_module_and_qualname(pytester):
    files = {
        "wldeps": """
            class Auth:
                def current_user(self):
                    return "real"

            auth = Auth()
        """,
        "test_wl_names": """
            from wlapp import app, Repository
            from wldeps import auth


            def test_leaks_two():
                app.dependency_overrides[Repository] = lambda: Repository()
                app.dependency_overrides[auth.current_user] = lambda: "alice"
        """,
    }
    result = run_suite(pytester, files, *PLUGIN)
    assert reports(result) == [
        f"test_wl_names.py::test_leaks_two: {APP}: wlapp.Repository (added), wldeps.Auth.current_user (added)"
    ]


def test_an_app_a_session_fixture_builds_is_its_own_but_shared_with_its_tests(pytester):
    files = {
        "conftest": """
            import pytest
            from wlapp import create_app, get_clock


            @pytest.fixture(scope="session")
            def fresh_app():
                app = create_app()
                app.dependency_overrides[get_clock] = lambda: "frozen"  # its own app: nothing to restore
                return app
        """,
        "test_wl_shared": """
            from wlapp import get_db


            def test_leaks(fresh_app):
                fresh_app.dependency_overrides[get_db] = lambda: "fake"


            def test_restores(fresh_app, monkeypatch):
                monkeypatch.setitem(fresh_app.dependency_overrides, get_db, lambda: "other")
        """,
    }
    result = run_suite(pytester, files, *PLUGIN)
    result.assert_outcomes(passed=2, warnings=1)
    found = reports(result)
    assert len(found) == 1
    expected = r"test_wl_shared\.py::test_leaks: app 'Fresh' \(id 0x[0-9a-f]+\): wlapp\.get_db \(added\)"
    assert re.fullmatch(expected, found[0]), found


# ----------------------------------------------------------------------------------------------- restoring

RESTORE_FILES = {
    # Idioms that wipe every override (clear(), `= {}`) run before the session-wide override is set up: on
    # top of it they would remove it, which is reported (see the clobber test above).
    "test_wl_a1_clear": """
        import pytest
        from wlapp import app, get_db


        @pytest.fixture
        def fake_db():
            app.dependency_overrides[get_db] = lambda: "fake"
            yield "fake"
            app.dependency_overrides.clear()


        def test_clear(fake_db):
            pass
    """,
    "test_wl_a2_reassign": """
        import pytest
        from wlapp import app, get_user


        @pytest.fixture
        def fake_user():
            app.dependency_overrides[get_user] = lambda: "alice"
            yield
            app.dependency_overrides = {}


        def test_reassign(fake_user):
            pass
    """,
    "test_wl_a3_autouse_clear": """
        import pytest
        from wlapp import app, get_settings, get_cache


        @pytest.fixture(autouse=True)
        def reset_overrides():
            yield
            app.dependency_overrides.clear()


        def test_body_write():
            app.dependency_overrides[get_settings] = lambda: "test settings"


        def test_two_body_writes():
            app.dependency_overrides[get_settings] = lambda: "other"
            app.dependency_overrides[get_cache] = lambda: {}
    """,
    "test_wl_a4_module_fixture_clear": """
        import pytest
        from wlapp import app, get_cache


        @pytest.fixture(scope="module")
        def module_cache():
            app.dependency_overrides[get_cache] = lambda: {}
            yield
            app.dependency_overrides.clear()


        def test_one(module_cache):
            pass


        def test_two(module_cache):
            pass
    """,
    "test_wl_b1_pop": """
        from wlapp import app, get_mailer


        def test_pop_in_finally():
            app.dependency_overrides[get_mailer] = lambda: []
            try:
                pass
            finally:
                app.dependency_overrides.pop(get_mailer, None)
    """,
    "test_wl_b2_del": """
        import pytest
        from wlapp import app, get_queue


        @pytest.fixture
        def fake_queue():
            app.dependency_overrides[get_queue] = lambda: []
            yield
            del app.dependency_overrides[get_queue]


        def test_del(fake_queue):
            pass
    """,
    "test_wl_b3_saved_copy": """
        from wlapp import app, get_search


        def test_saved_copy():
            saved = app.dependency_overrides.copy()
            app.dependency_overrides[get_search] = lambda: "fake search"
            try:
                pass
            finally:
                app.dependency_overrides = saved
    """,
    "test_wl_b4_monkeypatch": """
        from wlapp import app, get_storage


        def test_setitem(monkeypatch):
            monkeypatch.setitem(app.dependency_overrides, get_storage, lambda: "tmp")


        def test_setitem_twice(monkeypatch):
            monkeypatch.setitem(app.dependency_overrides, get_storage, lambda: "tmp")
            monkeypatch.setitem(app.dependency_overrides, get_storage, lambda: "tmp2")
    """,
    "test_wl_b5_try_finally": """
        from wlapp import app, get_metrics


        def test_try_finally():
            app.dependency_overrides[get_metrics] = lambda: "fake"
            try:
                assert app.dependency_overrides[get_metrics]() == "fake"
            finally:
                del app.dependency_overrides[get_metrics]
    """,
    "test_wl_b6_addfinalizer": """
        import pytest
        from wlapp import app, get_flags


        @pytest.fixture
        def flags(request):
            app.dependency_overrides[get_flags] = lambda: {"beta": True}
            request.addfinalizer(lambda: app.dependency_overrides.pop(get_flags))
            return {"beta": True}


        def test_finalizer(flags):
            pass
    """,
    "test_wl_b7_patch_dict": """
        from unittest.mock import patch
        from wlapp import app, get_payments


        def test_patch_dict():
            with patch.dict(app.dependency_overrides, {get_payments: lambda: "sandbox"}):
                pass
    """,
    "test_wl_b8_fresh_app": """
        import pytest
        from wlapp import create_app, get_db


        @pytest.fixture
        def fresh_app():
            app = create_app()
            app.dependency_overrides[get_db] = lambda: "fake"
            return app  # a private app: nothing to restore


        def test_fresh(fresh_app):
            fresh_app.dependency_overrides[get_db] = lambda: "other"
    """,
    "test_wl_b9_class_fixture": """
        import pytest
        from wlapp import app, get_audit


        @pytest.fixture(scope="class")
        def audit_log():
            app.dependency_overrides[get_audit] = lambda: []
            yield []
            app.dependency_overrides.pop(get_audit)


        class TestAudit:
            def test_one(self, audit_log):
                pass

            def test_two(self, audit_log):
                pass
    """,
    "test_wl_b10_xunit": """
        from wlapp import app, get_tokens


        def setup_module():
            app.dependency_overrides[get_tokens] = lambda: "token"


        def teardown_module():
            app.dependency_overrides.pop(get_tokens)


        def test_tokens():
            assert get_tokens in app.dependency_overrides
    """,
    # From here on a session fixture keeps get_clock overridden on purpose until the session ends.
    "conftest": """
        import pytest
        from wlapp import app, get_clock


        @pytest.fixture(scope="session")
        def frozen_clock():
            app.dependency_overrides[get_clock] = lambda: "frozen"
            yield "frozen"
            app.dependency_overrides.pop(get_clock)
    """,
    "test_wl_c1_session_users": """
        from wlapp import app, get_clock, get_db


        def test_session_one(frozen_clock):
            assert get_clock in app.dependency_overrides


        def test_session_two(frozen_clock, monkeypatch):
            monkeypatch.setitem(app.dependency_overrides, get_db, lambda: "fake")
    """,
    "test_wl_c2_session_users": """
        import pytest
        from wlapp import app, get_clock, get_user


        @pytest.fixture
        def fake_user():
            app.dependency_overrides[get_user] = lambda: "bob"
            yield
            app.dependency_overrides.pop(get_user)


        def test_session_three(frozen_clock, fake_user):
            assert get_clock in app.dependency_overrides


        def test_override_on_top_of_the_session_and_restore(frozen_clock):
            saved = dict(app.dependency_overrides)
            app.dependency_overrides[get_clock] = lambda: "later"
            try:
                pass
            finally:
                app.dependency_overrides = saved


        def test_without_fixtures():
            pass
    """,
}


def test_every_restoring_idiom_is_quiet(pytester):
    result = run_suite(pytester, RESTORE_FILES, *PLUGIN)
    result.assert_outcomes(passed=23)
    assert reports(result) == []
    assert leak_warnings(result) == []


@pytest.mark.parametrize(
    ("name", "source"),
    [
        pytest.param(
            "test_wl_clear",
            """
            from wlapp import app, get_db


            def test_clear():
                app.dependency_overrides[get_db] = lambda: "fake"
                app.dependency_overrides.clear()
            """,
            id="clear-at-end-of-body",
        ),
        pytest.param(
            "test_wl_session_restores",
            """
            import pytest
            from wlapp import app, get_clock


            @pytest.fixture(scope="session", autouse=True)
            def frozen_clock():
                app.dependency_overrides[get_clock] = lambda: "frozen"
                yield
                app.dependency_overrides = {}


            def test_a():
                pass


            def test_b():
                pass
            """,
            id="autouse-session-fixture-reassigns-at-session-end",
        ),
    ],
)
def test_more_restoring_idioms(pytester, name, source):
    result = run_suite(pytester, {name: source}, *PLUGIN)
    assert result.ret == 0
    assert reports(result) == []


# ----------------------------------------------------------------------------------------------- strict

STRICT_FILES = {
    "conftest": CONFTEST_LEAKS,
    "test_wl_strict": """
        from wlapp import app, get_db


        def test_leaks(session_clock):
            app.dependency_overrides[get_db] = lambda: "fake"


        def test_clean(session_clock):
            pass


        def test_last():
            pass
    """,
}


def test_strict_mode_fails_the_leaking_test_and_the_test_that_ends_a_leaking_fixture(pytester):
    result = run_suite(pytester, STRICT_FILES, *PLUGIN, "--wirelint-overrides-strict", "-rE")
    # Every test body passes; a leak is an error at the teardown of the test that leaked, and a leaking session
    # fixture is an error at the teardown of the last test, where the session ends.
    result.assert_outcomes(passed=3, errors=2)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_leaks*",
            f"wirelint: test_wl_strict.py::test_leaks leaked dependency_overrides on {APP}: wlapp.get_db (added)",
            "*ERROR at teardown of test_last*",
            "wirelint: fixture 'session_clock' (session scope, conftest.py:*) leaked dependency_overrides on "
            f"{APP}: wlapp.get_clock (added)",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "ERROR test_wl_strict.py::test_leaks - Failed: wirelint: *",
            "ERROR test_wl_strict.py::test_last - Failed: wirelint: *",
        ]
    )
    assert "ERROR test_wl_strict.py::test_clean" not in result.stdout.str()
    assert leak_warnings(result) == []
    assert len(reports(result)) == 2
    result.stdout.fnmatch_lines(["2 leak(s), reported as errors (strict)"])


def test_strict_mode_makes_a_module_level_write_a_collection_error(pytester):
    files = {
        "test_wl_module_level": LEAK_FILES["test_wl_01_module_level"],
        "test_wl_other": "def test_o():\n    pass\n",
    }
    result = run_suite(pytester, files, *PLUGIN, "--wirelint-overrides-strict")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(
        [
            "*ERROR collecting test_wl_module_level.py*",
            "wirelint: test_wl_module_level.py (at import, module level) leaked dependency_overrides on "
            f"{APP}: wlapp.get_settings (added)",
        ]
    )


def test_strict_mode_fails_the_session_for_a_conftest_write(pytester):
    files = {
        "conftest": "from wlapp import app, get_db\napp.dependency_overrides[get_db] = lambda: 1\n",
        "test_wl_x": "def test_x():\n    pass\n",
    }
    result = run_suite(pytester, files, *PLUGIN, "--wirelint-overrides-strict")
    result.assert_outcomes(passed=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert len(reports(result)) == 1


def test_warnings_as_errors_fail_where_strict_mode_would(pytester):
    result = run_suite(
        pytester, STRICT_FILES, *PLUGIN, "-W", "error::wirelint.pytest_plugin.WirelintOverrideLeak"
    )
    result.assert_outcomes(passed=3, errors=2)


# ----------------------------------------------------------------------------------------------- switching


def test_nothing_without_the_option(pytester):
    result = run_suite(pytester, LEAK_FILES)
    result.assert_outcomes(passed=13)
    assert reports(result) == []
    assert leak_warnings(result) == []


def test_no_option_wins_over_p(pytester):
    result = run_suite(pytester, STRICT_FILES, *PLUGIN, "--no-wirelint-overrides")
    result.assert_outcomes(passed=3)
    assert reports(result) == []


def test_enabled_by_pytest_plugins_in_the_root_conftest(pytester):
    files = {"conftest": 'pytest_plugins = ["wirelint.pytest_plugin"]\n' + dedent(CONFTEST_LEAKS)}
    result = run_suite(pytester, {**STRICT_FILES, **files})
    result.assert_outcomes(passed=3, warnings=2)
    assert len(reports(result)) == 2


def test_never_imports_fastapi_itself(pytester):
    files = {
        "test_wl_plain": """
            import sys


            def test_a():
                assert "fastapi" not in sys.modules


            def test_b():
                assert "fastapi" not in sys.modules
        """
    }
    pytester.makepyfile(**{name: dedent(source) for name, source in files.items()})
    result = pytester.runpytest_subprocess(*QUIET, *PLUGIN)
    result.assert_outcomes(passed=2)


def test_apps_imported_late_are_found(pytester):
    """FastAPI first imported inside a test body: the plugin starts tracking at the next checkpoint."""
    files = {
        "test_wl_late": """
            def test_imports_and_leaks():
                from wlapp import app, get_db
                app.dependency_overrides[get_db] = lambda: "fake"


            def test_leaks_again():
                from wlapp import app, get_user
                app.dependency_overrides[get_user] = lambda: "alice"
        """
    }
    result = run_suite(pytester, files, *PLUGIN, subprocess=True)
    # The first test imports the app and writes in the same interval: its app is module-level, so the write
    # is still attributed to it.
    assert reports(result) == [
        f"test_wl_late.py::test_imports_and_leaks: {APP}: wlapp.get_db (added)",
        f"test_wl_late.py::test_leaks_again: {APP}: wlapp.get_user (added)",
    ]


# ----------------------------------------------------------------------------------------------- entry point

ENTRY_POINT = "wirelint.pytest_plugin = wirelint.pytest_plugin"


@pytest.fixture
def entry_point(pytester, monkeypatch):
    """Install the pytest11 entry point as pyproject.toml will declare it, without touching the real install."""
    site = pytester.mkdir("fake_site")
    dist = site / "wirelint_entry_point_probe-0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: wirelint-entry-point-probe\nVersion: 0\n")
    (dist / "entry_points.txt").write_text(f"[pytest11]\n{ENTRY_POINT}\n")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")])))
    monkeypatch.delenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", raising=False)
    return site


GUARD_PROBE = """
    import sys


    def test_guard_state(pytestconfig):
        print("GUARD", pytestconfig.pluginmanager.has_plugin("wirelint-overrides-guard"))
        from fastapi import FastAPI
        print("PATCHED", hasattr(FastAPI.__init__, "__wrapped__"))
"""


@pytest.mark.slow
def test_entry_point_loads_the_plugin_but_it_stays_off(pytester, entry_point):
    result = run_suite(pytester, {**STRICT_FILES, "test_wl_probe": GUARD_PROBE}, "-s", subprocess=True)
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(["*GUARD False*", "*PATCHED False*"])
    assert reports(result) == []
    assert leak_warnings(result) == []
    # the option exists, so the plugin was loaded through the entry point
    assert "--wirelint-overrides" in pytester.runpytest_subprocess(*QUIET, "--help").stdout.str()


@pytest.mark.slow
@pytest.mark.parametrize(
    "switch",
    [
        ["--wirelint-overrides"],
        ["-p", "wirelint.pytest_plugin"],  # explicit -p with the entry point installed must not clash
        ["--wirelint-overrides", "-p", "wirelint.pytest_plugin"],
    ],
    ids=["option", "p", "option-and-p"],
)
def test_entry_point_switched_on(pytester, entry_point, switch):
    result = run_suite(pytester, {**STRICT_FILES, "test_wl_probe": GUARD_PROBE}, "-s", *switch, subprocess=True)
    result.assert_outcomes(passed=4, warnings=2)
    result.stdout.fnmatch_lines(["*GUARD True*", "*PATCHED True*"])
    assert len(reports(result)) == 2


@pytest.mark.slow
def test_entry_point_and_pytest_plugins_in_conftest(pytester, entry_point):
    files = {"conftest": 'pytest_plugins = ["wirelint.pytest_plugin"]\n' + dedent(CONFTEST_LEAKS)}
    result = run_suite(pytester, {**STRICT_FILES, **files}, subprocess=True)
    result.assert_outcomes(passed=3, warnings=2)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("ini", "outcomes"),
    [
        ("wirelint_overrides = true", {"passed": 3, "warnings": 2}),
        ("wirelint_overrides_strict = true", {"passed": 3, "errors": 2}),
        ("wirelint_overrides = false", {"passed": 3}),
    ],
)
def test_entry_point_configured_in_pyproject(pytester, entry_point, ini, outcomes):
    pytester.makepyprojecttoml(f"[tool.pytest.ini_options]\n{ini}\n")
    result = run_suite(pytester, STRICT_FILES, subprocess=True)
    result.assert_outcomes(**outcomes)


@pytest.mark.slow
def test_entry_point_disabled_with_no_colon(pytester, entry_point):
    result = run_suite(pytester, STRICT_FILES, "-p", "no:wirelint.pytest_plugin", subprocess=True)
    result.assert_outcomes(passed=3)
    assert "--wirelint-overrides" not in pytester.runpytest_subprocess(
        *QUIET, "-p", "no:wirelint.pytest_plugin", "--help"
    ).stdout.str()


def test_plugin_module_is_not_imported_by_the_static_analyzer():
    import subprocess
    import sys

    code = (
        "import sys, wirelint.cli.app, wirelint.analyzer, wirelint.rules, wirelint.report;"
        "print('wirelint.pytest_plugin' in sys.modules, 'pytest' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]
