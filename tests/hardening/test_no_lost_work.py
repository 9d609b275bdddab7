"""No lost work: an interrupted run leaves no partial or temporary file and no worker behind, and every output
target (missing folder, directory, read-only folder, full device, stream, symbolic link) is written whole or
refused in one line."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from wirelint.cli import app as cli

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals, devices and permissions")

# Slow to analyze (names in the rows keep the literal from being emptied): under Python 3.11 the `type` statement
# sends the file to libcst, a minute of parsing; an interpreter that parses it itself needs more rows for seconds.
SLOW = ("from fastapi import Depends\ntype Row = tuple\nROWS = [\n"
        + "".join(f"    ({n}, NAME_{n % 7}),\n" for n in range(60_000 if sys.version_info < (3, 12) else 200_000))
        + "]\n")
CYCLE = "from fastapi import Depends\n\n\ndef c(x=Depends(c)):\n    return 1\n"


def wirelint(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "wirelint", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "app").mkdir()
    (tmp_path / "app/__init__.py").write_text("")
    (tmp_path / "app/cycle.py").write_text(CYCLE)
    return tmp_path


@pytest.mark.parametrize("how, code, message", [
    ("SIGTERM to wirelint", 143, "wirelint: terminated"),
    ("SIGINT to the process group, as ^C in a terminal", 130, "wirelint: interrupted"),
])
def test_an_interrupted_run_leaves_nothing_behind(project, how, code, message):
    (project / "app/rows.py").write_text(SLOW)  # minutes of parsing without the time limit
    for name in ("a", "b", "c", "d"):
        (project / f"app/{name}.py").write_text(CYCLE)
    (project / "graph.json").write_text("the previous graph\n")
    process = subprocess.Popen([sys.executable, "-m", "wirelint", "graph", "app", "--file-timeout", "0",
                                "-o", "graph.json", "-j", "2"], cwd=project, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True,
                               # as a terminal starts it: a test run in the background (`make test &`) has
                               # SIGINT ignored, which wirelint, by design, then leaves ignored
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    time.sleep(3)  # workers started, the big file being parsed
    if how.startswith("SIGTERM"):
        process.send_signal(signal.SIGTERM)
    else:
        os.killpg(process.pid, signal.SIGINT)
    started = time.monotonic()
    stdout, stderr = process.communicate(timeout=60)
    assert time.monotonic() - started < 20  # not after the minutes of parsing
    assert (process.returncode, stdout, stderr.splitlines()) == (code, "", [message])
    with pytest.raises(ProcessLookupError):  # no worker survives its parent
        os.killpg(process.pid, 0)
    assert (project / "graph.json").read_text() == "the previous graph\n"
    leftovers = [p.relative_to(project).as_posix() for p in project.rglob("*") if p.name.startswith(".")
                 and p.name != ".wirelint_cache" and p.parent.name != ".wirelint_cache" or p.suffix == ".tmp"]
    assert leftovers == []


def test_an_interrupted_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "report.json"
    target.write_text("old\n")

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        cli.write_output("new\n", target)
    assert target.read_text() == "old\n" and sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_output_into_a_directory_or_a_missing_folder(project):
    (project / "out").mkdir()
    assert (wirelint("check", "app", "-o", "out", cwd=project).stderr.splitlines()
            == ["wirelint: error: cannot write out: it is a directory"])
    result = wirelint("graph", "app", "-o", "missing/graph.json", cwd=project)
    assert (result.returncode, result.stderr.splitlines()) == (
        2, ["wirelint: error: output directory does not exist: missing"])


def test_output_to_a_full_device_is_one_line(project):
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    result = wirelint("check", "app", "-f", "json", "-o", "/dev/full", cwd=project)
    assert (result.returncode, result.stderr.splitlines()) == (
        2, ["wirelint: error: cannot write /dev/full: No space left on device"])
    assert Path("/dev/full").is_char_device()  # written to, never replaced by a file (as root, it could be)


def test_output_to_streams_writes_into_them(project):
    result = wirelint("check", "app", "-f", "concise", "-o", "/dev/stdout", cwd=project)
    assert result.returncode == 1 and result.stdout.startswith("app/cycle.py:4:7: DI001")
    assert wirelint("graph", "app", "-o", "/dev/null", cwd=project).returncode == 0
    assert Path("/dev/null").is_char_device()
    dash = wirelint("graph", "app", "-o", "-", cwd=project)
    assert dash.returncode == 0 and dash.stdout.startswith("{") and not (project / "-").exists()


def test_a_symbolic_link_keeps_pointing_at_the_file_it_names(project):
    (project / "reports").mkdir()
    (project / "reports/graph.json").write_text("old\n")
    (project / "reports/graph.json").chmod(0o640)
    os.symlink("reports/graph.json", project / "latest.json")
    assert wirelint("graph", "app", "-o", "latest.json", cwd=project).returncode == 0
    assert (project / "latest.json").is_symlink()
    assert (project / "reports/graph.json").read_text().startswith("{")
    assert (project / "reports/graph.json").stat().st_mode & 0o777 == 0o640  # its permissions are kept
    assert sorted(p.name for p in (project / "reports").iterdir()) == ["graph.json"]


def test_a_read_only_folder_is_one_line(project):
    from test_hostile_inputs import PRIVILEGE_DROP

    (project / "locked").mkdir()
    (project / "locked").chmod(0o555)
    prefix = PRIVILEGE_DROP if os.geteuid() == 0 else []
    try:
        probe = subprocess.run([*prefix, "touch", str(project / "locked/probe")], capture_output=True)
        if probe.returncode == 0:
            pytest.skip("this user can write into a read-only folder")
        result = subprocess.run([*prefix, sys.executable, "-m", "wirelint", "check", "app", "-o",
                                 "locked/report.txt"], cwd=project, capture_output=True, text=True, timeout=120)
    finally:
        (project / "locked").chmod(0o755)
    assert (result.returncode, result.stderr.splitlines()) == (
        2, ["wirelint: error: cannot write locked/report.txt: Permission denied"])
    assert list((project / "locked").iterdir()) == []
