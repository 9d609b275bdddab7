"""CI integrations as users wire them up: the pre-commit hook (run by pre-commit itself, in a real git repository)
and the GitHub Action (its definition, and its run step's script run with bash on real projects)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import urllib.request
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
HOOKS_FILE = ROOT / ".pre-commit-hooks.yaml"
ACTION_FILE = ROOT / "action.yml"
ACTION_SCRIPT = ROOT / "scripts" / "action-run.sh"
BIN = Path(sys.executable).parent  # the venv running the tests, where `pip install -e .` put `wirelint`
WIRELINT = BIN / "wirelint"

# A dependency cycle across two modules: each file alone is clean, so only whole-project analysis finds it.
CYCLE = {
    "app/__init__.py": "",
    "app/users.py": """
        from fastapi import Depends

        from app.sessions import get_session


        def get_user(session=Depends(get_session)):
            return session
        """,
    "app/sessions.py": """
        from fastapi import Depends

        from app import users


        def get_session(user=Depends(users.get_user)):
            return user
        """,
}
# The fix: the session no longer depends on the user.
FIXED_SESSIONS = """
    def get_session():
        yield "session"
    """
CYCLE_ANNOTATION = "::error file=app/sessions.py,line=6,col=17,title=DI001 dependency-cycle::dependency cycle: "


def write(root: Path, files: dict[str, str]) -> None:
    for relative, source in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source).lstrip("\n"), encoding="utf-8")


def hook_manifest() -> list[dict]:
    return yaml.safe_load(HOOKS_FILE.read_text(encoding="utf-8"))


# --- the definitions -------------------------------------------------------------------------------------------


def test_pre_commit_hook_definition():
    (hook,) = hook_manifest()
    assert hook["id"] == "wirelint"
    assert hook["entry"] == "wirelint check"
    assert hook["language"] == "python"
    assert hook["types_or"] == ["python", "pyi"]
    # The whole project, never the staged files: a cycle spans files (see docs/ci.md).
    assert hook["pass_filenames"] is False
    assert hook["require_serial"] is True
    assert hook["name"] and hook["description"]
    assert "args" not in hook  # options are the user's, through `args:` in their config


def test_pre_commit_accepts_the_manifest():
    pytest.importorskip("pre_commit", reason="pre-commit is a dev dependency")
    result = subprocess.run([sys.executable, "-m", "pre_commit", "validate-manifest", str(HOOKS_FILE)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_action_definition():
    action = yaml.safe_load(ACTION_FILE.read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    inputs = action["inputs"]
    assert {name: spec["default"] for name, spec in inputs.items()} == {
        "paths": ".", "args": "", "version": "", "sarif": "wirelint.sarif", "upload-sarif": "true",
        "python-version": "3.12"}
    assert all(spec["description"] for spec in inputs.values())

    steps = {step.get("id", step.get("name")): step for step in action["runs"]["steps"]}
    setup, install, run, upload = action["runs"]["steps"]
    assert setup["uses"].startswith("actions/setup-python@")
    assert setup["with"]["python-version"] == "${{ inputs.python-version }}"
    assert "pip install" in install["run"] and "$GITHUB_ACTION_PATH" in install["run"]
    assert install["env"]["INPUT_VERSION"] == "${{ inputs.version }}"

    # The run step is the script the tests below run, fed the same environment.
    assert run["id"] == "run" and run["shell"] == "bash"
    assert run["run"] == 'bash "$GITHUB_ACTION_PATH/scripts/action-run.sh"'
    assert run["env"] == {"INPUT_PATHS": "${{ inputs.paths }}", "INPUT_ARGS": "${{ inputs.args }}",
                          "INPUT_SARIF": "${{ inputs.sarif }}", "WIRELINT": "${{ steps.install.outputs.wirelint }}"}

    assert upload["uses"] == "github/codeql-action/upload-sarif@v3"
    assert upload["if"].startswith("always() && inputs.upload-sarif == 'true'")
    assert upload["with"]["sarif_file"] == "${{ steps.run.outputs.sarif }}"

    # Every expression names a declared input and a step that exists.
    text = ACTION_FILE.read_text(encoding="utf-8")
    assert set(re.findall(r"inputs\.([\w-]+)", text)) <= set(inputs)
    assert set(re.findall(r"steps\.([\w-]+)\.outputs", text)) <= set(steps)
    assert {output["value"] for output in action["outputs"].values()} == {
        "${{ steps.run.outputs.exit-code }}", "${{ steps.run.outputs.sarif }}"}


# --- the action's run step --------------------------------------------------------------------------------------


def run_action_script(project: Path, **env: str) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("INPUT_", "GITHUB_"))}
    environment.update({"WIRELINT": str(WIRELINT), "GITHUB_OUTPUT": str(project / "github_output")}, **env)
    return subprocess.run(["bash", str(ACTION_SCRIPT)], cwd=project, env=environment, capture_output=True,
                          text=True)


def step_outputs(project: Path) -> dict[str, str]:
    lines = (project / "github_output").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines)


def test_action_script_annotates_findings_and_writes_sarif(tmp_path):
    write(tmp_path, CYCLE)
    result = run_action_script(tmp_path, INPUT_PATHS=".", INPUT_ARGS="", INPUT_SARIF="wirelint.sarif")
    assert result.returncode == 1, result.stderr
    (annotation,) = result.stdout.splitlines()
    assert annotation.startswith(CYCLE_ANNOTATION), annotation

    document = json.loads((tmp_path / "wirelint.sarif").read_text())
    assert document["version"] == "2.1.0"
    (sarif_run,) = document["runs"]
    assert sarif_run["tool"]["driver"]["name"] == "wirelint"
    (sarif_result,) = sarif_run["results"]
    assert sarif_result["ruleId"] == "DI001"
    location = sarif_result["locations"][0]["physicalLocation"]
    assert (location["artifactLocation"]["uri"], location["region"]["startLine"]) == ("app/sessions.py", 6)
    assert step_outputs(tmp_path) == {"sarif": "wirelint.sarif", "exit-code": "1"}


def test_action_script_on_a_clean_project(tmp_path):
    write(tmp_path, {**CYCLE, "app/sessions.py": FIXED_SESSIONS})
    (tmp_path / "reports").mkdir()
    result = run_action_script(tmp_path, INPUT_PATHS="app", INPUT_SARIF="reports/wirelint.sarif")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""  # no annotations
    document = json.loads((tmp_path / "reports" / "wirelint.sarif").read_text())
    assert document["version"] == "2.1.0" and document["runs"][0]["results"] == []
    assert step_outputs(tmp_path) == {"sarif": "reports/wirelint.sarif", "exit-code": "0"}


def test_action_script_fails_when_the_sarif_cannot_be_written(tmp_path):
    write(tmp_path, {**CYCLE, "app/sessions.py": FIXED_SESSIONS})
    result = run_action_script(tmp_path, INPUT_SARIF="missing/wirelint.sarif")
    assert result.returncode == 2
    assert result.stderr.splitlines() == ["wirelint: error: output directory does not exist: missing"]
    assert result.stdout == ("::error title=wirelint::writing the SARIF report to missing/wirelint.sarif failed "
                             "(exit code 2)\n")
    assert step_outputs(tmp_path) == {"exit-code": "2"}  # no `sarif`: the upload step is skipped


def test_action_script_splits_paths_and_args_and_reports_usage_errors(tmp_path):
    write(tmp_path, CYCLE)
    # Multi-line inputs (YAML `|` blocks) are split like spaces; --select keeps DI001 out.
    result = run_action_script(tmp_path, INPUT_PATHS="app/users.py\napp/sessions.py\n",
                               INPUT_ARGS="--select\nDI002 --no-cache", INPUT_SARIF="")
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "wirelint.sarif").exists()
    assert step_outputs(tmp_path) == {"exit-code": "0"}

    # A command of several words, as WIRELINT may be.
    (tmp_path / "github_output").unlink()
    result = run_action_script(tmp_path, WIRELINT=f"{sys.executable} -m wirelint", INPUT_ARGS="--select DI0")
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith(CYCLE_ANNOTATION)
    assert step_outputs(tmp_path) == {"sarif": "wirelint.sarif", "exit-code": "1"}

    # A usage error: exit 2, an annotation saying so, no SARIF run and so no upload.
    (tmp_path / "github_output").unlink()
    (tmp_path / "wirelint.sarif").unlink()
    result = run_action_script(tmp_path, INPUT_ARGS="--select XY1")
    assert result.returncode == 2
    assert result.stderr.splitlines() == ["wirelint: error: unknown rule code 'XY1' (see `wirelint rules`)"]
    assert result.stdout.startswith("::error title=wirelint::wirelint check exited with code 2")
    assert not (tmp_path / "wirelint.sarif").exists()
    assert step_outputs(tmp_path) == {"exit-code": "2"}


# --- pre-commit -------------------------------------------------------------------------------------------------


def pre_commit_env(home: Path) -> dict[str, str]:
    """An environment no user or CI setting leaks into: an empty global git config (no hooksPath, no signing),
    no GIT_* of an enclosing hook, pre-commit's store in `home`, and the test venv's `wirelint` on PATH."""
    home.mkdir(parents=True, exist_ok=True)
    global_config = home / "gitconfig"
    global_config.write_text("")
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith(("GIT_", "PRE_COMMIT", "VIRTUAL_ENV"))}
    environment.update(GIT_CONFIG_GLOBAL=str(global_config), GIT_CONFIG_NOSYSTEM="1", PRE_COMMIT_HOME=str(home),
                       PRE_COMMIT_COLOR="never", PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    return environment


def git(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True)


def git_repo(root: Path, env: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    git("init", "--quiet", cwd=root, env=env)
    for key, value in (("user.name", "wirelint tests"), ("user.email", "tests@wirelint.invalid"),
                       ("commit.gpgsign", "false")):
        git("config", key, value, cwd=root, env=env)
    return root


def pre_commit(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pre_commit", *args], cwd=cwd, env=env, capture_output=True,
                          text=True)


@pytest.fixture
def pre_commit_home(tmp_path: Path) -> Path:
    pytest.importorskip("pre_commit", reason="pre-commit is a dev dependency")
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    return tmp_path / "pre-commit-home"


def test_pre_commit_hook_sees_the_whole_project(tmp_path, pre_commit_home):
    """Our hook definition, run by pre-commit with `language: system` (no install, no network): a change to one
    file of a cross-file cycle still reports the cycle, and a change to no Python file skips the hook."""
    env = pre_commit_env(pre_commit_home)
    project = git_repo(tmp_path / "project", env)
    (hook,) = hook_manifest()
    local = {**hook, "language": "system"}  # `wirelint` from PATH, i.e. the venv under test
    config = {"repos": [{"repo": "local", "hooks": [local]}]}
    write(project, {**CYCLE, "README.md": "# project\n", ".gitignore": ".wirelint_cache/\n",
                    ".pre-commit-config.yaml": yaml.safe_dump(config, sort_keys=False)})
    git("add", "--all", cwd=project, env=env)

    result = pre_commit("run", "--files", "app/users.py", cwd=project, env=env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert re.search(r"^wirelint\.+Failed$", result.stdout, re.M), result.stdout
    assert "app/sessions.py:6:17: DI001 [dependency-cycle]" in result.stdout

    result = pre_commit("run", "--files", "README.md", cwd=project, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"^wirelint\.+\(no files to check\)Skipped$", result.stdout, re.M), result.stdout

    write(project, {"app/sessions.py": FIXED_SESSIONS})
    result = pre_commit("run", "--files", "app/users.py", cwd=project, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"^wirelint\.+Passed$", result.stdout, re.M), result.stdout


def copy_working_tree(destination: Path) -> None:
    """This checkout as it is on disk, committed or not (without what .gitignore ignores), so that the hook
    repository pre-commit installs is the code under test."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            env=environment, capture_output=True, text=True)
    if listed.returncode == 0:
        files = [name for name in listed.stdout.split("\0") if name and (ROOT / name).is_file()]
    else:  # not a git checkout (an unpacked sdist): what `pip install .` reads
        files = [str(path.relative_to(ROOT)) for top in ("src", "sample_app") for path in (ROOT / top).rglob("*")
                 if path.is_file() and "__pycache__" not in path.parts]
        files += ["pyproject.toml", "README.md", ".pre-commit-hooks.yaml"]
    for name in files:
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)


def package_index_reachable() -> bool:
    index = os.environ.get("PIP_INDEX_URL", "https://pypi.org/simple/")
    try:
        with urllib.request.urlopen(index, timeout=10):
            return True
    except OSError:
        return False


@pytest.mark.slow  # ~20 s: pre-commit builds the hook's virtualenv and pip-installs wirelint into it
def test_pre_commit_hook_installed_from_the_repository_blocks_a_commit(tmp_path, pre_commit_home):
    """The real thing: `repo:` pointing at a git repository holding this project, pre-commit builds the hook's
    virtualenv from it (`language: python`: `pip install .`, which needs the package index for the
    dependencies), `pre-commit install`, and `git commit` is refused while the cycle is there."""
    if not package_index_reachable():
        message = "the package index is not reachable: pre-commit cannot install the hook's dependencies"
        if os.environ.get("WIRELINT_REQUIRE_SYSTEM_TOOLS"):  # CI: everything runs
            pytest.fail(message)
        pytest.skip(message)
    env = pre_commit_env(pre_commit_home)

    hook_repo = git_repo(tmp_path / "wirelint", env)
    copy_working_tree(hook_repo)
    git("add", "--all", cwd=hook_repo, env=env)
    git("commit", "--quiet", "-m", "wirelint under test", cwd=hook_repo, env=env)
    rev = git("rev-parse", "HEAD", cwd=hook_repo, env=env).stdout.strip()

    project = git_repo(tmp_path / "project", env)
    config = {"repos": [{"repo": str(hook_repo), "rev": rev, "hooks": [{"id": "wirelint"}]}]}
    write(project, {"README.md": "# project\n", ".gitignore": ".wirelint_cache/\n",
                    ".pre-commit-config.yaml": yaml.safe_dump(config, sort_keys=False)})
    installed = pre_commit("install", "--install-hooks", cwd=project, env=env)
    assert installed.returncode == 0, installed.stdout + installed.stderr

    def commit(message: str) -> subprocess.CompletedProcess:
        git("add", "--all", cwd=project, env=env)
        return subprocess.run(["git", "commit", "-m", message], cwd=project, env=env, capture_output=True,
                              text=True)

    # No Python file in the commit: the hook is skipped (types_or).
    result = commit("configuration")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert re.search(r"^wirelint\.+\(no files to check\)Skipped$", output, re.M), output

    write(project, CYCLE)
    result = commit("the cycle")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert re.search(r"^wirelint\.+Failed$", output, re.M), output
    assert "- exit code: 1" in output, output
    assert "app/sessions.py:6:17: DI001 [dependency-cycle] dependency cycle: app.sessions.get_session -> " \
           "app.users.get_user -> app.sessions.get_session." in output, output
    assert git("log", "--format=%s", cwd=project, env=env).stdout.splitlines() == ["configuration"]

    write(project, {"app/sessions.py": FIXED_SESSIONS})
    result = commit("no cycle")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert re.search(r"^wirelint\.+Passed$", output, re.M), output
    assert git("log", "--format=%s", cwd=project, env=env).stdout.splitlines() == ["no cycle", "configuration"]

    result = pre_commit("run", "--all-files", cwd=project, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"^wirelint\.+Passed$", result.stdout, re.M), result.stdout


@pytest.mark.slow
def test_action_install_step_installs_a_working_wirelint_from_the_action_checkout(tmp_path):
    """The install step's own script, run with bash as the runner would: a fresh venv, `pip install` of this
    checkout (the action's ref), and the `wirelint` it reports in the step outputs checks a project."""
    (install,) = [step for step in yaml.safe_load(ACTION_FILE.read_text())["runs"]["steps"]
                  if step.get("id") == "install"]
    outputs = tmp_path / "outputs"
    env = {**os.environ, "PYTHON": sys.executable, "INPUT_VERSION": "", "RUNNER_TEMP": str(tmp_path),
           "GITHUB_ACTION_PATH": str(ROOT), "GITHUB_OUTPUT": str(outputs), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    result = subprocess.run(["bash", "-c", install["run"]], env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    (line,) = outputs.read_text().splitlines()
    name, _, installed = line.partition("=")
    assert name == "wirelint" and Path(installed).is_relative_to(tmp_path / "wirelint-venv")
    project = tmp_path / "project"
    write(project, CYCLE)
    check = subprocess.run([installed, "check", "--no-cache", "-f", "concise"], cwd=project, capture_output=True,
                           text=True, timeout=120)
    assert check.returncode == 1 and check.stdout.startswith("app/sessions.py:6:17: DI001"), check.stderr
