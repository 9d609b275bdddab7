"""The per-file guard: a file that takes too long, kills its parser or trips a wirelint bug is reported as DI000
on its own, and every other file is still analyzed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from wirelint.analyzer.workers import run_guarded

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the guard's workers are forked")


def _work(item: str) -> str:
    if item == "slow":
        time.sleep(60)
    if item == "crash":
        os._exit(7)
    if item == "killed":
        os.kill(os.getpid(), 9)
    if item == "bug":
        raise KeyError("oops")
    return item.upper()


def _failed(item: str, why: str) -> str:
    return f"{item}: {why}"


@pytest.mark.parametrize("workers", [1, 2])
def test_each_failure_is_the_items_own_and_the_rest_is_done_in_order(workers):
    items = ["a", "slow", "b", "crash", "c", "killed", "d", "bug", "e"]
    started = time.monotonic()
    results = run_guarded(_work, items, workers=workers, timeout=1.0, on_failure=_failed)
    assert results == [
        "A", "slow: analysis stopped after 1 s (--file-timeout)", "B",
        "crash: wirelint's parser stopped on this file (exit code 7)", "C",
        "killed: wirelint's parser was killed by SIGKILL (out of memory?) on this file", "D",
        "bug: internal error on this file: KeyError: 'oops'", "E",
    ]
    assert time.monotonic() - started < 30  # the sleeping worker was killed, not waited for


def test_no_limit_and_no_items():
    assert run_guarded(_work, ["x", "y"], workers=2, timeout=None, on_failure=_failed) == ["X", "Y"]
    assert run_guarded(_work, [], workers=2, timeout=1.0, on_failure=_failed) == []


def test_no_worker_outlives_the_run():
    import multiprocessing

    run_guarded(_work, ["a", "slow", "b"], workers=2, timeout=0.5, on_failure=_failed)
    assert multiprocessing.active_children() == []


# Slow to analyze (names in the rows keep the literal from being emptied): under Python 3.11 the `type` statement
# sends the file to libcst, a minute of parsing; an interpreter that parses it itself needs more rows for seconds.
SLOW = ("from fastapi import Depends\ntype Row = tuple\nROWS = [\n"
        + "".join(f"    ({n}, NAME_{n % 7}),\n" for n in range(60_000 if sys.version_info < (3, 12) else 200_000))
        + "]\n")


def test_a_file_over_the_time_limit_is_di000_and_the_rest_is_reported(tmp_path):
    """A file over the time limit (see SLOW)."""
    (tmp_path / "app").mkdir()
    (tmp_path / "app/__init__.py").write_text("")
    (tmp_path / "app/rows.py").write_text(SLOW)
    (tmp_path / "app/cycle.py").write_text("from fastapi import Depends\n\n\ndef c(x=Depends(c)):\n    return 1\n")
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "wirelint", "check", "app", "--file-timeout", "1",
                             "-f", "json"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert time.monotonic() - started < 30
    assert (result.returncode, result.stderr) == (1, "")
    findings = [(f["code"], f["path"], f["line"], f["message"]) for f in json.loads(result.stdout)["findings"]]
    assert findings == [
        ("DI001", "app/cycle.py", 4, "dependency cycle: app.cycle.c -> app.cycle.c. FastAPI raises RecursionError "
                                     "when a route depends on any of these; extract what they share into a provider "
                                     "that depends on neither"),
        ("DI000", "app/rows.py", 1, "cannot parse app/rows.py: analysis stopped after 1 s (--file-timeout)"),
    ]
    # Nothing of a run the guard cut short is cached: the next run (maybe with more time) parses again.
    cache = tmp_path / ".wirelint_cache"
    assert not (cache / "result.pickle").exists() and not (cache / "findings.pickle").exists()


def test_a_guard_failure_is_never_cached(tmp_path):
    from wirelint.analyzer.models import ModuleFacts, ParseErrorFacts
    from wirelint.analyzer.project import FactsCache

    cache = FactsCache(tmp_path)
    cache.store("stopped", ModuleFacts.failed("m", "m.py", False, ParseErrorFacts("stopped", 1, 1, transient=True)))
    cache.store("broken", ModuleFacts.failed("n", "n.py", False, ParseErrorFacts("invalid syntax", 1, 1)))
    cache.flush()
    again = FactsCache(tmp_path)
    assert again.load("stopped") is None and again.load("broken") is not None


def test_the_option_is_checked(tmp_path):
    result = subprocess.run([sys.executable, "-m", "wirelint", "check", ".", "--file-timeout", "-1"], cwd=tmp_path,
                            capture_output=True, text=True)
    assert result.returncode == 2 and len(result.stderr.splitlines()) == 1 and "--file-timeout" in result.stderr
