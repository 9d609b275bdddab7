"""Checking part of a project: the project around the paths is analyzed, the paths select what is reported,
and the configuration is the nearest one from the paths, wherever wirelint runs from."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BACKEND = {
    "backend/pyproject.toml": "[project]\nname = 'backend'\n[tool.wirelint]\nignore = ['DI001']\n",
    "backend/app/__init__.py": "",
    "backend/app/deps.py": (
        "from fastapi import Depends\n"
        "def get_settings():\n    return {'debug': True}\n"
        "def get_a(b=Depends(lambda: 1)):\n    return b\n"
    ),
    "backend/app/cycle.py": (
        "from typing import Annotated\nfrom fastapi import Depends\n"
        "def a(x: Annotated[int, Depends(lambda: 1)], y=Depends('b')):\n    return 1\n"
    ),
    "backend/app/routes.py": (
        "from fastapi import APIRouter, Depends\nfrom app.deps import get_settings\nrouter = APIRouter()\n"
        "_seen: dict[str, str] = {}\n"
        "@router.get('/{name}')\ndef read(name: str, settings=Depends(get_settings())):\n"
        "    _seen[name] = name + '!'\n    return settings\n"
    ),
}


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "wirelint", *args], cwd=cwd, capture_output=True, text=True)


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    for relative, source in BACKEND.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
    return tmp_path


def concise(result: subprocess.CompletedProcess) -> list[str]:
    return [line.split(" ", 2)[0] + " " + line.split(" ", 2)[1] for line in result.stdout.splitlines()[:-1]]


def test_a_file_checked_alone_gets_what_the_whole_project_run_gives_it(repository):
    whole = run("check", "backend", "--no-cache", "-f", "concise", cwd=repository)
    alone = run("check", "backend/app/routes.py", "--no-cache", "-f", "concise", cwd=repository)
    assert concise(whole) == ["backend/app/routes.py:4:1: DI006", "backend/app/routes.py:6:38: DI007"]
    assert concise(alone) == concise(whole)
    assert alone.stdout.splitlines()[-1] == "Found 2 findings in 1 file (DI006: 1, DI007: 1)."


def test_a_file_whose_findings_are_elsewhere_reports_nothing_it_does_not_hold(repository):
    result = run("check", "backend/app/deps.py", "--no-cache", "-f", "concise", cwd=repository)
    assert result.returncode == 0, result.stdout
    assert result.stdout == "All clear: 1 file checked, no findings.\n"


def test_the_nearest_configuration_from_the_paths_applies(repository):
    # From the repository root, backend/pyproject.toml's [tool.wirelint] still applies (DI001 is ignored there).
    from_root = run("check", "backend", "--no-cache", "-f", "concise", cwd=repository)
    from_backend = run("check", ".", "--no-cache", "-f", "concise", cwd=repository / "backend")
    assert all("DI001" not in line for line in from_root.stdout.splitlines())
    assert [line.removeprefix("backend/") for line in concise(from_root)] == concise(from_backend)


def test_config_option_overrides_the_discovered_file(repository):
    (repository / "strict.toml").write_text("[tool.wirelint]\nselect = ['DI007']\n")
    result = run("check", "backend", "--no-cache", "-f", "concise", "--config", "strict.toml", cwd=repository)
    assert concise(result) == ["backend/app/routes.py:6:38: DI007"]
    missing = run("check", "backend", "--config", "nope.toml", cwd=repository)
    assert missing.returncode == 2 and missing.stderr == "wirelint: error: --config nope.toml: no such file\n"


def test_project_root_option_must_hold_the_paths(repository):
    result = run("check", "backend", "--project-root", "backend/app", cwd=repository)
    assert result.returncode == 2
    assert result.stderr == "wirelint: error: --project-root backend/app does not hold backend\n"


def test_the_cache_lives_in_the_project_root_and_serves_any_part(repository):
    run("check", "backend/app/routes.py", "-f", "concise", cwd=repository)
    assert (repository / "backend" / ".wirelint_cache" / "findings.pickle").is_file()
    assert not (repository / ".wirelint_cache").exists()
    again = run("check", "backend/app/cycle.py", "-f", "concise", cwd=repository)
    assert again.returncode == 0 and again.stdout == "All clear: 1 file checked, no findings.\n"
