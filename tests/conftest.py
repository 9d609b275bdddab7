"""Shared fixtures: write a small project to a temp dir and analyze it statically."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from wirelint.analyzer import ProjectIndex, analyze


def write_project(root: Path, files: dict[str, str]) -> None:
    for relative, source in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source).lstrip("\n"), encoding="utf-8")


@pytest.fixture
def analyze_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., ProjectIndex]:
    """analyze_project({"pkg/__init__.py": "", "pkg/a.py": "..."}) -> ProjectIndex (paths relative to tmp)."""
    monkeypatch.chdir(tmp_path)

    def run(files: dict[str, str], **options) -> ProjectIndex:
        write_project(tmp_path, files)
        options.setdefault("jobs", 1)
        return analyze([Path(".")], **options)

    return run


def require_program(*names: str) -> str:
    """The path of the first of `names` on PATH; skip the test when none is (fail instead in CI, where
    WIRELINT_REQUIRE_SYSTEM_TOOLS=1 says that scripts/install-system-deps.sh must have installed it)."""
    import shutil

    for name in names:
        found = shutil.which(name)
        if found:
            return found
    message = f"{' / '.join(names)} is not installed (scripts/install-system-deps.sh installs it)"
    if os.environ.get("WIRELINT_REQUIRE_SYSTEM_TOOLS"):
        pytest.fail(message)
    pytest.skip(message)
