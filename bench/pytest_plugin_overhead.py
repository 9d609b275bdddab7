"""Overhead of wirelint's pytest plugin (wirelint.pytest_plugin) on a generated 1,000-test FastAPI suite.

    python bench/pytest_plugin_overhead.py                 # 1,000 tests, 9 rounds
    python bench/pytest_plugin_overhead.py --tests 3000 --rounds 5 --keep

The suite (written to a temp dir) has one FastAPI app with a few routes, a session fixture that overrides a
dependency on purpose and restores it when the session ends, a module-scoped fixture that does the same per
module, function fixtures that override and restore (yield + pop, `monkeypatch.setitem`, `try/finally` in the
body), parametrized tests and plain tests; every override is restored, so the plugin reports nothing. Tests
do no HTTP requests by default: the cheaper a test, the larger the plugin's share of it (`--requests` makes
one test in ten call a route through TestClient).

Each round runs the suite in a fresh `python -m pytest` three ways, in rotating order:

* baseline:  the plugin not loaded at all;
* off:       loaded as the pytest11 entry point would load it, but not switched on (`--no-wirelint-overrides`);
* on:        `-p wirelint.pytest_plugin`.

Four numbers per run: wall and CPU time of the whole process (interpreter start, imports, collection, tests, as
a user waits) and of the session (sessionstart to unconfigure, measured by a tiny `-p bench_timer` plugin
written next to the suite; it also checks that the plugin is on exactly in the "on" variant). Reported: minimum
and median of each, with its ratio to the baseline's, as information: on a shared machine these A/B ratios move
by several percent from run to run (the session CPU ratio, best of 9, has read anywhere from 0.98x to 1.10x
for the same code on a busy 2-core VM; the "off" variant, which runs no per-test code, shows that noise floor).

The verdict comes from --timed-runs more "on" runs that time the plugin's hooks from inside (the bench_timer
plugin wraps each of them, and the fixture finalizers the plugin registers): the time spent inside them as a
share of the rest of the same session. Both halves of that share are slowed alike by a busy machine, so it
holds steady where the A/B ratio does not (1.8% to 3.0% over those runs), and it slightly overstates the cost
(the timing wrappers are counted). Exit status 1 when the median share is above --max-share (5%: a plugin
costing that share makes the session at most 1.05x as long).

The children get a private bytecode cache (PYTHONPYCACHEPREFIX in the temp dir), so pytest's assertion rewriting
is cached as on a developer machine even where PYTHONDONTWRITEBYTECODE is set; one warm-up run per variant fills
it.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

APP = '''
from fastapi import Depends, FastAPI

app = FastAPI(title="Bench")


def get_settings():
    return {"env": "prod"}


def get_db():
    return "real db"


def get_user(db=Depends(get_db)):
    return "real user"


def get_cache():
    return {}


def get_clock():
    return "now"


{providers}


@app.get("/items/{item_id}")
def read_item(item_id: int, db=Depends(get_db), user=Depends(get_user), settings=Depends(get_settings)):
    return {"id": item_id, "db": db, "user": user, "env": settings["env"]}


@app.get("/health")
def health(clock=Depends(get_clock)):
    return {"ok": True, "clock": clock}
'''

CONFTEST = '''
import pytest

from app import app, get_clock, get_db, get_user


@pytest.fixture(scope="session", autouse=True)
def frozen_clock():
    """Overrides on purpose for the whole session, restored when it ends."""
    app.dependency_overrides[get_clock] = lambda: "2024-01-01"
    yield
    app.dependency_overrides.pop(get_clock, None)


@pytest.fixture
def fake_db():
    app.dependency_overrides[get_db] = lambda: "fake db"
    yield "fake db"
    app.dependency_overrides.pop(get_db, None)


@pytest.fixture
def fake_user(fake_db):
    app.dependency_overrides[get_user] = lambda: "alice"
    yield "alice"
    del app.dependency_overrides[get_user]


@pytest.fixture(scope="session")
def client():
    from fastapi.testclient import TestClient

    with TestClient(app) as c:
        yield c
'''

MODULE = '''
import pytest

from app import app, get_cache, get_settings, {provider}


@pytest.fixture(scope="module")
def module_cache():
    app.dependency_overrides[get_cache] = lambda: {{"module": {index}}}
    yield
    app.dependency_overrides.pop(get_cache, None)


{tests}
'''

TEST_KINDS = [
    # (source template, number of tests it makes); {n} is a unique number, {provider} the module's provider
    ("def test_plain_{n}():\n    assert {n} + 1 > {n}\n", 1),
    ("def test_fixture_{n}(fake_db):\n    assert fake_db == \"fake db\"\n", 1),
    ("def test_two_fixtures_{n}(fake_user, fake_db):\n    assert fake_user == \"alice\"\n", 1),
    (
        "def test_monkeypatch_{n}(monkeypatch):\n"
        "    monkeypatch.setitem(app.dependency_overrides, get_settings, lambda: {{\"env\": \"test\"}})\n"
        "    assert get_settings in app.dependency_overrides\n",
        1,
    ),
    (
        "def test_try_finally_{n}():\n"
        "    app.dependency_overrides[{provider}] = lambda: {n}\n"
        "    try:\n"
        "        assert app.dependency_overrides[{provider}]() == {n}\n"
        "    finally:\n"
        "        app.dependency_overrides.pop({provider}, None)\n",
        1,
    ),
    ("def test_module_fixture_{n}(module_cache):\n    assert get_cache in app.dependency_overrides\n", 1),
    (
        "@pytest.mark.parametrize(\"value\", [1, 2, 3, 4])\n"
        "def test_param_{n}(value):\n    assert value * 2 > value\n",
        4,
    ),
]

REQUEST_TEST = (
    "def test_request_{n}(client, fake_user):\n"
    "    assert client.get(\"/items/{n}\").json()[\"user\"] == \"alice\"\n"
)


def generate(root: Path, tests: int, modules: int, requests: bool) -> int:
    """Write the suite; returns the number of tests it holds."""
    per_module = -(-tests // modules)
    providers = "\n\n".join(f"def get_provider_{m}():\n    return {m}" for m in range(modules))
    (root / "app.py").write_text(textwrap.dedent(APP).replace("{providers}", providers).lstrip())
    (root / "conftest.py").write_text(textwrap.dedent(CONFTEST).lstrip())
    (root / "bench_timer.py").write_text(textwrap.dedent(TIMER).lstrip())
    total = 0
    n = 0
    for m in range(modules):
        chunks, count = [], 0
        kind = 0
        while count < per_module and total < tests:
            if requests and n % 10 == 9:
                template, size = REQUEST_TEST, 1
            else:
                template, size = TEST_KINDS[kind % len(TEST_KINDS)]
                kind += 1
            if count + size > per_module or total + size > tests:
                template, size = TEST_KINDS[0]
            chunks.append(template.format(n=n, provider=f"get_provider_{m}"))
            count += size
            total += size
            n += 1
        source = textwrap.dedent(MODULE).format(
            provider=f"get_provider_{m}", index=m, tests="\n\n".join(chunks)
        )
        (root / f"test_bench_{m:03d}.py").write_text(source.lstrip())
    return total


TIMER = '''
"""Loaded with -p: CPU and wall time of the session (collection and tests), whether the guard is on, and, when
it is, the time spent inside its hooks (measured in the same run, so a busy machine slows both alike)."""
import gc
import os
import time

import pytest

_start = {}
_spent = [0.0, 0]


def _timed_wrapper(original):
    """A new-style hook wrapper (a generator function) timed around its two halves."""

    def wrapper(*args):
        start = time.perf_counter()
        try:
            inner = original(*args)
            value = next(inner)
        finally:
            _spent[0] += time.perf_counter() - start
            _spent[1] += 1
        try:
            sent = yield value
        except BaseException as exc:
            start = time.perf_counter()
            try:
                inner.throw(exc)
            except StopIteration as stop:
                return stop.value
            finally:
                _spent[0] += time.perf_counter() - start
            raise RuntimeError("hook wrapper did not stop")
        start = time.perf_counter()
        try:
            inner.send(sent)
        except StopIteration as stop:
            return stop.value
        finally:
            _spent[0] += time.perf_counter() - start
        raise RuntimeError("hook wrapper did not stop")

    return wrapper


def _timed(original):
    def timed(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            _spent[0] += time.perf_counter() - start
            _spent[1] += 1

    return timed


@pytest.hookimpl(trylast=True)
def pytest_configure(config):
    guard = config.pluginmanager.get_plugin("wirelint-overrides-guard")
    if guard is None or not os.environ.get("BENCH_TIME_HOOKS"):
        return
    for caller in vars(config.pluginmanager.hook).values():
        for impl in getattr(caller, "get_hookimpls", lambda: [])():
            if impl.plugin is guard and impl.function.__name__ not in ("pytest_terminal_summary",):
                impl.function = (_timed_wrapper if impl.wrapper else _timed)(impl.function)
    # the plugin's finalizers of wider-scoped fixtures are called by pytest, not through a hook
    guard._before_fixture_teardown = _timed(guard._before_fixture_teardown)
    guard._after_fixture_teardown = _timed(guard._after_fixture_teardown)


def pytest_sessionstart(session):
    _start["cpu"], _start["wall"] = time.process_time(), time.perf_counter()


def pytest_unconfigure(config):
    cpu, wall = time.process_time() - _start["cpu"], time.perf_counter() - _start["wall"]
    guard = config.pluginmanager.has_plugin("wirelint-overrides-guard")
    scan = 0.0
    if guard:  # what the one heap scan at start-up costs here (it ran before the session started)
        from fastapi import FastAPI

        start = time.perf_counter()
        gc.get_referrers(FastAPI, *FastAPI.__subclasses__())
        scan = time.perf_counter() - start
    print(f"BENCH cpu={cpu:.6f} wall={wall:.6f} guard={guard} inside={_spent[0]:.6f} calls={_spent[1]} "
          f"scan={scan:.6f}")
'''

VARIANTS = {
    "baseline": [],
    "off": ["-p", "wirelint.pytest_plugin", "--no-wirelint-overrides"],
    "on": ["-p", "wirelint.pytest_plugin"],
}

BENCH_LINE = re.compile(
    r"BENCH cpu=([0-9.]+) wall=([0-9.]+) guard=(True|False) inside=([0-9.]+) calls=([0-9]+) scan=([0-9.]+)"
)
MEASURES = ("process wall", "process cpu", "session wall", "session cpu")


def run(
    suite: Path, name: str, env: dict[str, str], expected: int, time_hooks: bool = False
) -> dict[str, float]:
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "bench_timer"]
    command += VARIANTS[name]
    start = time.perf_counter()
    if time_hooks:
        env = {**env, "BENCH_TIME_HOOKS": "1"}
    process = subprocess.Popen(
        command, cwd=suite, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    stdout, stderr = process.communicate()
    wall = time.perf_counter() - start
    lines = stdout.strip().splitlines()
    summary = next((line for line in reversed(lines) if " passed" in line), "")
    found = BENCH_LINE.search(stdout)
    clean = f"{expected} passed" in summary and "WirelintOverrideLeak" not in stdout
    if process.returncode != 0 or not clean or not found:
        raise SystemExit(f"suite run failed ({name}):\n{stdout[-3000:]}{stderr}")
    if (found.group(3) == "True") != (name == "on"):
        raise SystemExit(f"variant {name!r} ran with the plugin {'on' if found.group(3) == 'True' else 'off'}")
    return {
        "process wall": wall,
        "process cpu": _children_cpu_delta(),
        "session wall": float(found.group(2)),
        "session cpu": float(found.group(1)),
        "inside": float(found.group(4)),
        "hook calls": float(found.group(5)),
        "scan": float(found.group(6)),
    }


_last_children_cpu = [0.0]


def _children_cpu_delta() -> float:
    """CPU (user + system) of the child that just finished: the growth of RUSAGE_CHILDREN."""
    usage = os.times()
    total = usage.children_user + usage.children_system
    delta, _last_children_cpu[0] = total - _last_children_cpu[0], total
    return delta


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tests", type=int, default=1000)
    parser.add_argument("--modules", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--timed-runs", type=int, default=5,
                        help="runs that time the plugin's hooks from inside (the verdict's measurement)")
    parser.add_argument("--requests", action="store_true", help="one test in ten calls a route via TestClient")
    parser.add_argument(
        "--max-share", type=float, default=5.0,
        help="fail when the median time inside the plugin's hooks is above this percentage of the rest of the "
             "session (default 5, that is a session at most 1.05x as long)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the generated suite and print its path")
    args = parser.parse_args(argv)
    if args.timed_runs < 1:
        parser.error("--timed-runs must be at least 1: the verdict is measured in those runs")

    work = Path(tempfile.mkdtemp(prefix="wirelint-plugin-bench-"))
    try:
        suite = work / "suite"
        suite.mkdir()
        expected = generate(suite, args.tests, args.modules, args.requests)
        env = {key: value for key, value in os.environ.items() if key not in ("PYTHONDONTWRITEBYTECODE",)}
        env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
        env.pop("PYTEST_ADDOPTS", None)
        env.pop("PYTEST_PLUGINS", None)
        print(f"suite: {expected} tests in {args.modules} modules ({'with' if args.requests else 'no'} HTTP "
              f"requests); {args.rounds} rounds; python {sys.version.split()[0]}")
        names = list(VARIANTS)
        for name in names:  # warm-up: fills the bytecode cache, checks the suite is clean
            run(suite, name, env, expected)
        results: dict[str, dict[str, list[float]]] = {
            name: {m: [] for m in (*MEASURES, "inside", "hook calls", "scan")} for name in names
        }
        for round_ in range(args.rounds):
            order = names[round_ % len(names):] + names[: round_ % len(names)]
            for name in order:
                for measure, value in run(suite, name, env, expected).items():
                    results[name][measure].append(value)

        def cell(name: str, measure: str, pick) -> str:
            value = pick(results[name][measure])
            return f"{value:>9.3f} {value / pick(results['baseline'][measure]):>6.3f}x"

        print(f"{'':<10}" + "".join(f"{m:^34}" for m in MEASURES))
        print(f"{'variant':<10}" + f"{'min':>16}{'median':>18}" * len(MEASURES))
        for name in names:
            print(f"{name:<10}" + "".join(cell(name, m, min) + " " + cell(name, m, statistics.median)
                                          for m in MEASURES))
        on = min(results["on"]["session cpu"]) / min(results["baseline"]["session cpu"])
        off = min(results["off"]["session cpu"]) / min(results["baseline"]["session cpu"])
        extra = min(results["on"]["session cpu"]) - min(results["baseline"]["session cpu"])
        per_test_us = extra / expected * 1e6
        paired = statistics.median(
            a / b for a, b in zip(results["on"]["session cpu"], results["baseline"]["session cpu"])
        )
        print(f"information: plugin on, session CPU {on:.3f}x the baseline (best of {args.rounds}), "
              f"{per_test_us:+.0f} us per test; median of the per-round ratios {paired:.3f}x; loaded but off "
              f"{off:.3f}x (the noise floor: no per-test code runs)")
        if args.keep:
            print(f"suite kept in {suite}")
        on_runs: dict[str, list[float]] = {"inside": [], "session wall": [], "hook calls": [], "scan": []}
        for _ in range(args.timed_runs):
            measured = run(suite, "on", env, expected, time_hooks=True)
            for key in on_runs:
                on_runs[key].append(measured[key])
        shares = [inside / (wall - inside) * 100 for inside, wall in zip(on_runs["inside"], on_runs["session wall"])]
        share = statistics.median(shares)
        inside_ms = statistics.median(on_runs["inside"]) * 1e3
        per_call_us = inside_ms * 1e3 / max(on_runs["hook calls"][0], 1)
        verdict = "ok" if share <= args.max_share else "MISSED"
        print(
            f"inside the plugin's hooks ({args.timed_runs} more runs): {inside_ms:.1f} ms per session "
            f"({int(on_runs['hook calls'][0])} calls, {per_call_us:.1f} us each), {share:.1f}% of the rest of the "
            f"session (median; min {min(shares):.1f}%, max {max(shares):.1f}%); start-up heap scan "
            f"{statistics.median(on_runs['scan']) * 1e3:.1f} ms"
        )
        print(f"verdict: median in-hook share {share:.1f}% (target <= {args.max_share:g}%): {verdict}")
        return 0 if share <= args.max_share else 1
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
