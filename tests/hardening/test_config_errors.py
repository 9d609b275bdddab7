"""Configuration and usage errors: one line on stderr naming the file, the key and the problem, exit 2.
(tests/cli/test_cli.py covers an unknown key, an unknown code in `select`, an unknown option, a string
`max-dependencies` in a [tool.wirelint.rules.DI002] table, unterminated TOML and a missing path.)"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CYCLE = "from fastapi import Depends\n\n\ndef a(x=Depends(a)):\n    return 1\n"
PRIVILEGE_DROP = ["setpriv", "--inh-caps=-dac_override,-dac_read_search",
                  "--bounding-set=-dac_override,-dac_read_search"]


def run(*args: str, cwd: Path, prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    return subprocess.run([*prefix, sys.executable, "-m", "wirelint", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=60)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "main.py").write_text(CYCLE)
    return tmp_path.resolve()  # the CLI names the pyproject.toml it found from the real current directory


def one_error_line(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("wirelint: error: ") and "internal error" not in line
    return line.removeprefix("wirelint: error: ")


WHERE = "[tool.wirelint]"


@pytest.mark.parametrize("toml, message", [
    # wrong types, key by key
    ('select = "DI001"', f"{WHERE}.select must be a list of rule codes"),
    ('select = ["DI001", 1]', f"{WHERE}.select must be a list of rule codes"),
    ('ignore = "DI002"', f"{WHERE}.ignore must be a list of rule codes"),
    ('exclude = "migrations/*"', f"{WHERE}.exclude must be a list of glob patterns"),
    ("exclude = [1]", f"{WHERE}.exclude must be a list of glob patterns"),
    ('respect-gitignore = "yes"', f"{WHERE}.respect-gitignore must be true or false"),
    ("respect-gitignore = 1", f"{WHERE}.respect-gitignore must be true or false"),
    ('per-file-ignores = ["tests/*"]', f"{WHERE}.per-file-ignores must be a table of pattern = [codes]"),
    ('per-file-ignores = {"tests/*" = "DI001"}', f"{WHERE}.per-file-ignores.'tests/*' must be a list of rule codes"),
    ("rules = 1", f"{WHERE}.rules must be a table of rule tables"),
    ("rules.DI002 = 5", f"{WHERE}.rules.DI002 must be a table of options"),
    ('rules.DI002.max-dependencies = "x"', f"{WHERE}.rules.DI002.max-dependencies must be an integer, not 'x'"),
    ('rules.over-injection.max-dependencies = "x"',
     f"{WHERE}.rules.over-injection.max-dependencies must be an integer, not 'x'"),
    ("rules.DI002.max-dependencies = true", f"{WHERE}.rules.DI002.max-dependencies must be an integer, not True"),
    ("rules.DI002.max-dependencies = 3.5", f"{WHERE}.rules.DI002.max-dependencies must be an integer, not 3.5"),
    ("rules.DI002.max-dependencies = -1", f"{WHERE}.rules.DI002.max-dependencies must be 0 or more, not -1"),
    # unknown rule codes and rules
    ('ignore = ["DI9"]', f"{WHERE}.ignore: unknown rule code 'DI9'"),
    ('per-file-ignores = {"tests/*" = ["XY001"]}', f"{WHERE}.per-file-ignores.'tests/*': unknown rule code 'XY001'"),
    ('select = [""]', f"{WHERE}.select: empty rule code (it would match every rule)"),
    ('ignore = ["  "]', f"{WHERE}.ignore: empty rule code (it would match every rule)"),
    ("rules.DI999 = {}", f"{WHERE}.rules: unknown rule 'DI999'"),
    ("rules.over-injektion.max-dependencies = 3", f"{WHERE}.rules: unknown rule 'over-injektion'"),
    ("rules.DI001.max-dependencies = 3", f"{WHERE}.rules.DI001: unknown option 'max-dependencies' (this rule has no options)"),
    # malformed TOML
    ("select = []\nselect = []", "invalid TOML: Cannot overwrite a value (at line 3, column 12)"),
    ("select = [DI001]", "invalid TOML: Invalid value (at line 2, column 11)"),
])
def test_bad_tool_wirelint_table(project, toml, message):
    """In process, for speed: the CLI prints a ConfigError as one line (shown end to end below)."""
    from wirelint.cli.config import ConfigError, find_pyproject, load_config
    from wirelint.rules import all_rules

    (project / "pyproject.toml").write_text(f"[tool.wirelint]\n{toml}\n")
    with pytest.raises(ConfigError) as error:
        load_config(find_pyproject(project / "app"), all_rules())
    assert str(error.value) == f"{project}/pyproject.toml: {message}"


@pytest.mark.parametrize("toml, message", [
    ('exclude = "migrations/*"', f"{WHERE}.exclude must be a list of glob patterns"),
    ('per-file-ignores = {"tests/*" = ["XY001"]}', f"{WHERE}.per-file-ignores.'tests/*': unknown rule code 'XY001'"),
    ("rules.DI002.max-dependencies = -1", f"{WHERE}.rules.DI002.max-dependencies must be 0 or more, not -1"),
    ("select = []\nselect = []", "invalid TOML: Cannot overwrite a value (at line 3, column 12)"),
])
def test_bad_tool_wirelint_table_end_to_end(project, toml, message):
    (project / "pyproject.toml").write_text(f"[tool.wirelint]\n{toml}\n")
    assert one_error_line(run("check", "app", cwd=project)) == f"{project}/pyproject.toml: {message}"


def test_graph_reads_the_same_configuration_and_fails_the_same_way(project):
    (project / "pyproject.toml").write_text('[tool.wirelint]\nrules.DI002.max-dependencies = "x"\n')
    assert one_error_line(run("graph", "app", "-f", "mermaid", cwd=project)) == (
        f"{project}/pyproject.toml: {WHERE}.rules.DI002.max-dependencies must be an integer, not 'x'")


@pytest.mark.parametrize("toml, message", [
    ('[tool]\nwirelint = "DI001"\n', f"{WHERE} must be a table of options, not str 'DI001'"),
    ('[tool]\nwirelint = ["select"]\n', f"{WHERE} must be a table of options, not list ['select']"),
])
def test_tool_wirelint_that_is_not_a_table(project, toml, message):
    (project / "pyproject.toml").write_text(toml)
    assert one_error_line(run("check", "app", cwd=project)) == f"{project}/pyproject.toml: {message}"


def test_pyproject_that_is_not_utf8(project):
    (project / "pyproject.toml").write_bytes(b'[tool.wirelint]\nselect = ["caf\xe9"]\n')
    assert one_error_line(run("check", "app", cwd=project)) == (
        f"{project}/pyproject.toml: invalid TOML: not UTF-8 (invalid continuation byte at byte 30)")


def test_pyproject_without_a_tool_table_configures_nothing(project):
    (project / "pyproject.toml").write_text("tool = 1\n[project]\nname = 'x'\n")
    result = run("check", "app", "-f", "concise", cwd=project)
    assert (result.returncode, result.stderr) == (1, "")


def test_broken_pyproject_is_reported_even_without_a_wirelint_table(project):
    """It might have held one: a lint gate does not silently fall back to the defaults."""
    (project / "pyproject.toml").write_text("[project\nname = 'x'\n")
    assert one_error_line(run("check", "app", cwd=project)) == (
        f"{project}/pyproject.toml: invalid TOML: Expected ']' at the end of a table declaration (at line 1, column 9)")


def test_pyproject_that_is_a_directory_is_not_a_configuration(project):
    """Only a file configures wirelint: the search goes on upwards, here to the project's own configuration."""
    (project / "pyproject.toml").write_text('[tool.wirelint]\nignore = ["DI001"]\n')
    (project / "app" / "pyproject.toml").mkdir()
    result = run("check", ".", cwd=project / "app")
    assert (result.returncode, result.stderr, result.stdout) == (0, "", "All clear: 1 file checked, no findings.\n")


def test_unreadable_pyproject_is_an_error_not_a_silent_default(project):
    config = project / "pyproject.toml"
    config.write_text('[tool.wirelint]\nignore = ["DI001"]\n')
    config.chmod(0)
    prefix: tuple[str, ...] = ()
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv: chmod 000 does not stop root from reading")
        prefix = tuple(PRIVILEGE_DROP)
    try:
        result = run("check", "app", cwd=project, prefix=prefix)
    finally:
        config.chmod(0o644)
    if result.returncode == 1:
        pytest.skip("chmod 000 does not make the file unreadable here")
    assert one_error_line(result) == f"{project}/pyproject.toml: Permission denied"


@pytest.mark.parametrize("args, message", [
    (("check", "app", "missing.py"), "path does not exist: missing.py"),
    (("graph", "missing"), "path does not exist: missing"),
    (("check", "README.md"), "not a Python file: README.md"),
    (("check", "dangling.py"), "broken symbolic link: dangling.py"),
    (("check", "loop.py"), "broken symbolic link: loop.py"),
])
def test_bad_paths(project, args, message):
    (project / "README.md").write_text("# readme\n")
    os.symlink("gone.py", project / "dangling.py")
    os.symlink("loop.py", project / "loop.py")
    assert one_error_line(run(*args, cwd=project)) == message
