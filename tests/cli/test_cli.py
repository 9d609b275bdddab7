"""The command line as users and CI run it: exit codes, one-line errors, outputs written whole."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = {
    "app/__init__.py": "",
    "app/main.py": (
        "from __future__ import annotations\nfrom typing import Annotated\nfrom fastapi import FastAPI, Depends\n"
        "app = FastAPI()\n"
        "def a(x: Annotated[int, Depends(b)]):\n    return 1\n"
        "def b(y: Annotated[int, Depends(a)]):\n    return 1\n"
        "def get_db():\n    yield 1\n"
        "@app.get('/items')\ndef items(db=Depends(get_db)):\n    return []\n"
    ),
}


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "wirelint", *args], cwd=cwd, capture_output=True, text=True)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for relative, source in PROJECT.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
    return tmp_path


def test_check_reports_findings_with_exit_1(project):
    result = run("check", "app", "--no-cache", "--format", "concise", cwd=project)
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines()[0] == (
        "app/main.py:5:7: DI001 [dependency-cycle] dependency cycle: app.main.a -> app.main.b -> app.main.a. "
        "FastAPI raises RecursionError when a route depends on any of these; extract what they share into a "
        "provider that depends on neither"
    )


def test_all_clear_says_when_container_references_stay_unresolved(tmp_path):
    # The code imports its container as it runs from inside app/; analyzed from above, the import does not
    # resolve: the run is clean, but not because the rules saw what the container provides.
    files = {
        "app/__init__.py": "", "app/di/__init__.py": "",
        "app/di/containers.py": "from dependency_injector import containers, providers\nclass Repo:\n"
                                "    def load(self): ...\nclass Root(containers.DeclarativeContainer):\n"
                                "    repo = providers.Factory(Repo)\n",
        "app/api.py": "from dependency_injector.wiring import Provide, inject\nfrom fastapi import APIRouter, Depends\n"
                      "from di.containers import Root\nrouter = APIRouter()\n@router.get('/')\n@inject\n"
                      "def load(repo=Depends(Provide[Root.repo]), again=Depends(Provide[Root.repo])):\n    return 1\n",
    }
    for relative, source in files.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(source)
    result = run("check", "app", "--no-cache", cwd=tmp_path)
    assert (result.returncode, result.stdout.splitlines()[-1]) == (0, "All clear: 4 files checked, no findings.")
    assert result.stderr.splitlines() == [
        "wirelint: note: 2 container references could not be resolved statically, so the rules do not see what "
        "they provide (`wirelint graph --format json` lists each unresolved node with its reason)"]
    (tmp_path / "app/api.py").write_text(files["app/api.py"].replace("from di.containers", "from app.di.containers"))
    assert run("check", "app", "--no-cache", cwd=tmp_path).stderr == ""


def test_check_json_contract_and_exit_zero(project):
    result = run("check", "--no-cache", "--format", "json", "--exit-zero", cwd=project)
    assert result.returncode == 0
    document = json.loads(result.stdout)
    assert document["summary"] == {"files": 2, "findings": 1, "by_code": {"DI001": 1}, "parse_errors": 0}
    (finding,) = document["findings"]
    assert (finding["code"], finding["name"], finding["severity"], finding["path"], finding["line"]) == (
        "DI001", "dependency-cycle", "error", "app/main.py", 5)
    assert [(r["path"], r["line"]) for r in finding["related"]] == [("app/main.py", 5), ("app/main.py", 7)]


def test_select_and_ignore(project):
    assert run("check", "--no-cache", "--ignore", "DI001", cwd=project).returncode == 0
    assert run("check", "--no-cache", "--select", "DI002,DI000", cwd=project).returncode == 0
    assert run("check", "--no-cache", "--select", "DI0", cwd=project).returncode == 1


@pytest.mark.parametrize(
    "args, message",
    [
        (("check", "missing"), "wirelint: error: path does not exist: missing"),
        (("check", "--select", "XY1"), "wirelint: error: unknown rule code 'XY1' (see `wirelint rules`)"),
        (("graph", "--jobs", "0"), "wirelint graph: error: Invalid value for '--jobs' / '-j': "
                                   "0 is not in the range x>=1. (see --help)"),
        (("explain", "DI999"), "wirelint: error: unknown rule 'DI999' (see `wirelint rules`)"),
        (("nonsense",), "wirelint: error: No such command 'nonsense'. (see --help)"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(project, args, message):
    result = run(*args, cwd=project)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [message]


def test_graph_written_atomically_and_deterministic(project):
    first = run("graph", "--output", "graph.json", cwd=project)
    assert first.returncode == 0, first.stderr
    second = run("graph", "--no-cache", cwd=project)
    assert (project / "graph.json").read_text() == second.stdout
    document = json.loads(second.stdout)
    assert [n["id"] for n in document["nodes"]] == ["app.main.a", "app.main.b", "app.main.get_db", "app.main.items"]
    assert [p.name for p in project.iterdir() if p.name.startswith(".graph.json")] == []


def test_graph_to_missing_directory_fails_cleanly(project):
    result = run("graph", "-o", "nowhere/graph.json", cwd=project)
    assert result.returncode == 2
    assert result.stderr.splitlines() == ["wirelint: error: output directory does not exist: nowhere"]


def test_rules_and_explain(project):
    listed = run("rules", cwd=project).stdout.splitlines()
    assert [line.split()[0] for line in listed] == ["DI000", "DI001", "DI002", "DI003", "DI004", "DI005", "DI006", "DI007", "DI008", "DI009", "DI010", "DI011", "DI012"]
    explained = run("explain", "over-injection", cwd=project).stdout
    assert explained.startswith("# DI002 over-injection (warning)\n")
    assert "- `max-dependencies` (default 7): Most injected parameters allowed on one callable." in explained
    assert explained.rstrip().splitlines()[-1] == (
        "`wirelint explain DI002 --examples` shows the 5 flagged and 6 left-alone snippets it is tested on.")
    assert "## Left alone" not in explained
    with_examples = run("explain", "over-injection", "--examples", cwd=project).stdout
    assert with_examples.startswith(explained.rsplit("\n\n`wirelint explain", 1)[0])
    assert "`app.py` — reported at app.py:20" in with_examples
    assert "## Left alone (from the test suite)" in with_examples
    # What / Why / Example / Use instead fits a screen: ruff's `ruff rule B008` is 54 lines.
    for code in listed:
        assert len(run("explain", code.split()[0], cwd=project).stdout.splitlines()) <= 80, code


def test_text_format_shows_the_line_and_a_caret(project):
    result = run("check", "--no-cache", cwd=project)
    assert result.stdout.splitlines()[:5] == [
        "app/main.py:5:7: DI001 [dependency-cycle] dependency cycle: app.main.a -> app.main.b -> app.main.a. "
        "FastAPI raises RecursionError when a route depends on any of these; extract what they share into a "
        "provider that depends on neither",
        "  5 | def a(x: Annotated[int, Depends(b)]):",
        "    |       ^",
        "  = app/main.py:5: app.main.a depends on app.main.b",
        "  = app/main.py:7: app.main.b depends on app.main.a",
    ]


@pytest.mark.parametrize("comment, suppressed", [
    ("# wirelint: ignore[DI001]", True),
    ("# wirelint: ignore[DI002, di001]", True),
    ("# wirelint: ignore", True),
    ("# wirelint: ignore[DI002]", False),
])
def test_inline_suppression(project, comment, suppressed):
    main = project / "app/main.py"
    main.write_text(main.read_text().replace("def a(x: Annotated[int, Depends(b)]):",
                                             f"def a(x: Annotated[int, Depends(b)]):  {comment}"))
    result = run("check", "--no-cache", "--format", "concise", cwd=project)
    assert result.returncode == (0 if suppressed else 1)
    if suppressed:
        assert result.stdout == "All clear: 2 files checked, no findings (1 suppressed inline).\n"


def write_config(project: Path, text: str) -> None:
    (project / "pyproject.toml").write_text("[tool.wirelint]\n" + text)


def test_config_select_ignore_and_options(project):
    main = project / "app/main.py"
    params = ", ".join(f"d{n}=Depends(get_db)" for n in range(3))
    main.write_text(main.read_text() + f"@app.get('/many')\ndef many({params}):\n    return 1\n")
    write_config(project, 'ignore = ["DI001"]\n[tool.wirelint.rules.over-injection]\nmax-dependencies = 2\n')
    result = run("check", "--no-cache", "--format", "concise", cwd=project)
    assert [line.split(": ")[1].split(" ")[0] for line in result.stdout.splitlines()[:-1]] == ["DI002"]
    write_config(project, '[tool.wirelint.per-file-ignores]\n"app/*" = ["DI00"]\n')
    assert run("check", "--no-cache", cwd=project).returncode == 0


def test_config_exclude(project):
    write_config(project, 'exclude = ["app/main.py"]\n')
    result = run("check", "--no-cache", "--format", "json", cwd=project)
    assert json.loads(result.stdout)["summary"]["files"] == 1


@pytest.mark.parametrize("text, message", [
    ("selct = ['DI001']\n", "unknown key 'selct' (expected one of exclude, ignore, per-file-ignores, respect-gitignore, rules, select)"),
    ("select = ['DI999']\n", ".select: unknown rule code 'DI999'"),
    ("[tool.wirelint.rules.DI002]\nmax-deps = 3\n", ".rules.DI002: unknown option 'max-deps' (options: max-dependencies)"),
    ("[tool.wirelint.rules.DI002]\nmax-dependencies = 'x'\n", ".rules.DI002.max-dependencies must be an integer, not 'x'"),
    ("select = [\n", "invalid TOML"),
])
def test_bad_config_is_one_line_exit_2(project, text, message):
    write_config(project, text)
    result = run("check", "--no-cache", cwd=project)
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("wirelint: error: ") and message in line


def test_demo_analyzes_the_sample_app_and_writes_its_graph(tmp_path):
    from conftest import require_program

    result = run("demo", "-o", "pictures", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Found 22 findings in 63 files" in result.stdout
    for code in ("DI001", "DI002", "DI003", "DI004", "DI005", "DI006", "DI007", "DI008", "DI009", "DI010", "DI011", "DI012"):
        assert f"\n{code} " in result.stdout.split("Lessons", 1)[1]
    document = json.loads((tmp_path / "pictures" / "sample_app.graph.json").read_text())
    assert any(node["id"] == "sample_app.main.create_app.<locals>.health" for node in document["nodes"])
    html = (tmp_path / "pictures" / "sample_app.html").read_text()
    assert "sample_app.antipatterns.dependency_cycle.PricingService" in html
    assert "pictures/sample_app.html (interactive" in result.stdout
    require_program("dot")
    svg = (tmp_path / "pictures" / "sample_app.svg").read_text()
    assert "PricingService" in svg and 'stroke="#dc2626"' in svg
    assert result.stdout.rstrip().splitlines()[-3].endswith(
        "pictures/sample_app.svg (the picture; red edges are the cycle, red outlines findings)")


SARIF_SCHEMA = Path(__file__).resolve().parents[3] / "shared" / "schemas" / "sarif-schema-2.1.0.json"


@pytest.mark.skipif(not SARIF_SCHEMA.is_file(), reason=f"the SARIF 2.1.0 schema is not at {SARIF_SCHEMA}")
def test_sarif_validates_against_the_official_schema(project):
    import jsonschema

    result = run("check", "--no-cache", "--format", "sarif", cwd=project)
    assert result.returncode == 1
    document = json.loads(result.stdout)
    jsonschema.validate(document, json.loads(SARIF_SCHEMA.read_text()))
    run_ = document["runs"][0]
    assert [rule["id"] for rule in run_["tool"]["driver"]["rules"]][:3] == ["DI000", "DI001", "DI002"]
    (finding,) = run_["results"]
    assert finding["ruleId"] == "DI001" and finding["level"] == "error"
    location = finding["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "app/main.py", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 5, "startColumn": 7}
    assert run_["originalUriBaseIds"]["%SRCROOT%"]["uri"] == project.as_uri() + "/"
    assert re.fullmatch(r"[0-9a-f]{24}:0", finding["partialFingerprints"]["primaryLocationLineHash"])


def test_github_annotations(project):
    result = run("check", "--no-cache", "--format", "github", cwd=project)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "::error file=app/main.py,line=5,col=7,title=DI001 dependency-cycle::dependency cycle: app.main.a -> "
        "app.main.b -> app.main.a. FastAPI raises RecursionError when a route depends on any of these; extract "
        "what they share into a provider that depends on neither"
    ]


def test_junit_gitlab_statistics_quiet_extend_select(project):
    from xml.etree import ElementTree

    junit = run("check", "--no-cache", "--format", "junit", cwd=project).stdout
    case = ElementTree.fromstring(junit.split("?>", 1)[1]).find("testsuite/testcase")
    assert (case.get("classname"), case.get("name"), case.find("failure").get("message")) == (
        "DI001", "app/main.py", "1 finding")
    (issue,) = json.loads(run("check", "--no-cache", "--format", "gitlab", cwd=project).stdout)
    assert (issue["check_name"], issue["severity"], issue["location"]) == (
        "DI001 dependency-cycle", "major", {"path": "app/main.py", "lines": {"begin": 5}})
    assert run("check", "--no-cache", "--statistics", cwd=project).stdout == "    1  DI001  dependency-cycle\n"
    quiet = run("check", "--no-cache", "--quiet", "--format", "concise", cwd=project).stdout
    assert len(quiet.splitlines()) == 1 and quiet.startswith("app/main.py:5:7: DI001")
    assert run("check", "--no-cache", "--select", "DI002", "--extend-select", "DI001", cwd=project).returncode == 1
    assert run("check", "--no-cache", "--select", "DI002", cwd=project).returncode == 0


def test_graph_focus_and_image_formats(project):
    result = run("graph", "app", "--route", "GET /items", "--format", "mermaid", "--no-cache", cwd=project)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[:3] == [
        "flowchart LR", '    n0("app.main.get_db<br/>(yields)")', '    n1["app.main.items<br/>GET /items"]']
    focused = json.loads(run("graph", "app", "--focus", "a", "--depth", "1", cwd=project).stdout)
    assert [n["id"] for n in focused["nodes"]] == ["app.main.a", "app.main.b"]
    assert [(e["source"], e["target"]) for e in focused["edges"]] == [
        ("app.main.a", "app.main.b"), ("app.main.b", "app.main.a")]
    bad = run("graph", "app", "--focus", "nothing", cwd=project)
    assert (bad.returncode, bad.stderr.splitlines()) == (2, [
        "wirelint: error: --focus 'nothing' names no node of the graph (give a qualified name such as pkg.mod.func)"])
    markdown = run("graph", "app", "--format", "markdown", cwd=project)
    assert "| DI001 dependency-cycle | app/main.py:5 |" in markdown.stdout


def test_graph_svg_needs_dot_and_says_so_in_one_line(project):
    import os

    env = {**os.environ, "PATH": str(Path(sys.executable).parent)}  # python, but no Graphviz
    result = subprocess.run([sys.executable, "-m", "wirelint", "graph", "app", "-f", "svg", "-o", "g.svg"],
                            cwd=project, capture_output=True, text=True, env=env)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "wirelint: error: --format svg needs Graphviz's `dot` program, which is not installed (Debian/Ubuntu: "
        "apt-get install graphviz; macOS: brew install graphviz); --format dot, mermaid, json and html need "
        "nothing else"]
    assert not (project / "g.svg").exists()


def test_graph_svg_and_png_files(project):
    from conftest import require_program

    require_program("dot")
    assert run("graph", "app", "-f", "svg", "-o", "g.svg", cwd=project).returncode == 0
    svg = (project / "g.svg").read_text()
    assert svg.count('<g id="node') == 4 and "app.main.items" in svg and 'stroke="#dc2626"' in svg
    assert run("graph", "app", "-f", "png", "-o", "g.png", cwd=project).returncode == 0
    assert (project / "g.png").read_bytes().startswith(b"\x89PNG")
    assert oct((project / "g.png").stat().st_mode & 0o777) != oct(0o600)  # the umask's mode, not mkstemp's


def test_baseline_survives_unrelated_edits_and_reports_only_new_findings(project):
    written = run("check", "app", "--no-cache", "--write-baseline", "wirelint-baseline.json", cwd=project)
    assert written.returncode == 0, written.stderr
    assert written.stderr.splitlines() == ["wirelint: recorded 1 finding in wirelint-baseline.json"]
    baseline = json.loads((project / "wirelint-baseline.json").read_text())
    assert [(e["code"], e["path"], e["line"]) for e in baseline["findings"]] == [("DI001", "app/main.py", 5)]

    main = project / "app" / "main.py"
    main.write_text("# a comment\n\n# lines added above move every finding down\n" + main.read_text())
    quiet = run("check", "app", "--no-cache", "--baseline", "wirelint-baseline.json", cwd=project)
    assert (quiet.returncode, quiet.stdout) == (0, "All clear: 2 files checked, no findings (1 in the baseline).\n")

    main.write_text(main.read_text() + "def c(z=Depends(c)):\n    return 1\n")
    new = run("check", "app", "--no-cache", "--baseline", "wirelint-baseline.json", "--format", "concise",
              cwd=project)
    assert new.returncode == 1
    assert [line.split(": ")[0] for line in new.stdout.splitlines()[:-1]] == ["app/main.py:17:7"]

    main.write_text(PROJECT["app/main.py"].replace("Depends(a)", "Depends(get_db)"))
    fixed = run("check", "app", "--no-cache", "--baseline", "wirelint-baseline.json", cwd=project)
    assert fixed.returncode == 0
    assert fixed.stdout.splitlines() == [
        "All clear: 2 files checked, no findings.",
        "1 baseline entry no longer occurs: rerun with --write-baseline to remove it."]
    stats = run("check", "app", "--no-cache", "--baseline", "wirelint-baseline.json", "--statistics", cwd=project)
    assert stats.stdout.splitlines() == [
        "    1  fixed: baseline entries that no longer occur (rerun --write-baseline)"]


@pytest.mark.parametrize("content, message", [
    ("{", "wirelint: error: wirelint-baseline.json: not JSON (Expecting property name enclosed in double quotes "
          "at line 1)"),
    ('{"version": 1, "tool": "other", "findings": []}',
     "wirelint: error: wirelint-baseline.json: not a wirelint baseline (write one with --write-baseline)"),
    ('{"version": 1, "tool": "wirelint", "findings": [{"code": 1}]}',
     "wirelint: error: wirelint-baseline.json: entry 0 needs string code, path and fingerprint"),
])
def test_bad_baseline_is_one_line_exit_2(project, content, message):
    (project / "wirelint-baseline.json").write_text(content)
    result = run("check", "app", "--baseline", "wirelint-baseline.json", cwd=project)
    assert (result.returncode, result.stderr.splitlines()) == (2, [message])
    missing = run("check", "app", "--baseline", "nope.json", cwd=project)
    assert (missing.returncode, missing.stderr.splitlines()) == (
        2, ["wirelint: error: cannot read the baseline nope.json: No such file or directory"])


def test_gitignore_is_respected_and_force_exclude_applies_to_named_files(project):
    (project / ".git").mkdir()  # a repository root: its .gitignore files apply
    (project / ".gitignore").write_text("generated/\n*_gen.py\n!keep_gen.py\n")
    (project / "app" / "generated").mkdir()
    cycle = "from fastapi import Depends\ndef p(x=Depends(lambda: q)):\n    return 1\ndef q(y=Depends(q)):\n    return 1\n"
    (project / "app" / "generated" / "deps.py").write_text(cycle)
    (project / "app" / "deps_gen.py").write_text(cycle)
    (project / "app" / "keep_gen.py").write_text(cycle)
    (project / "pyproject.toml").write_text('[tool.wirelint]\nexclude = ["app/main.py"]\n')

    paths = lambda result: sorted({line.split(":")[0] for line in result.stdout.splitlines()[:-1]})  # noqa: E731
    assert paths(run("check", ".", "--no-cache", "--format", "concise", cwd=project)) == ["app/keep_gen.py"]
    named = ["app/deps_gen.py", "app/main.py", "app/generated/deps.py"]
    assert paths(run("check", *named, "--no-cache", "--format", "concise", cwd=project)) == sorted(named)
    forced = run("check", *named, "--no-cache", "--force-exclude", "--format", "concise", cwd=project)
    assert (forced.returncode, forced.stdout) == (0, "All clear: 0 files checked, no findings.\n")
    (project / "pyproject.toml").write_text("[tool.wirelint]\nrespect-gitignore = false\n")
    assert paths(run("check", ".", "--no-cache", "--format", "concise", cwd=project)) == [
        "app/deps_gen.py", "app/generated/deps.py", "app/keep_gen.py", "app/main.py"]


def test_terminal_escapes_in_source_are_shown_not_emitted(project):
    main = project / "app" / "main.py"
    main.write_text(main.read_text().replace("def a(x: Annotated[int, Depends(b)]):",
                                             "def a(x: Annotated[int, Depends(b)]):  # \x1b[2J\u202e"))
    result = run("check", "app", "--no-cache", cwd=project)
    assert "\x1b" not in result.stdout and "\u202e" not in result.stdout
    assert result.stdout.splitlines()[1] == "  5 | def a(x: Annotated[int, Depends(b)]):  # \\x1b[2J\\u202e"


@pytest.mark.parametrize("format", ["text", "concise", "json", "sarif", "github", "junit", "gitlab"])
def test_check_output_is_byte_identical_whatever_the_jobs(format, tmp_path):
    import shutil

    shutil.copytree(Path(__file__).resolve().parents[2] / "sample_app", tmp_path / "sample_app",
                    ignore=shutil.ignore_patterns("__pycache__", "*.db"))
    outputs = {run("check", "sample_app", "--no-cache", "-j", str(jobs), "-f", format, cwd=tmp_path).stdout
               for jobs in (1, 2)}
    assert len(outputs) == 1 and len(outputs.pop()) > 500


def test_cached_findings_follow_rule_options_and_file_edits(project):
    main = project / "app" / "main.py"
    main.write_text(main.read_text() + "def many(a=Depends(get_db), b=Depends(get_db), c=Depends(get_db)):\n"
                                       "    return 1\n")
    first = run("check", "app", "-f", "concise", cwd=project)
    assert [line.split(": ")[1].split()[0] for line in first.stdout.splitlines()[:-1]] == ["DI001"]
    # No pyproject.toml, setup.cfg or .git above: the project is the folder checked, and its cache is there.
    assert (project / "app" / ".wirelint_cache" / "findings.pickle").is_file()
    assert run("check", "app", "-f", "concise", cwd=project).stdout == first.stdout
    (project / "pyproject.toml").write_text("[tool.wirelint.rules.DI002]\nmax-dependencies = 2\n")
    tighter = run("check", "app", "-f", "concise", cwd=project).stdout.splitlines()
    assert [line.split(": ")[1].split()[0] for line in tighter[:-1]] == ["DI001", "DI002"]
    main.write_text(main.read_text().replace("Depends(b)", "Depends(get_db)"))
    edited = run("check", "app", "-f", "concise", cwd=project).stdout.splitlines()
    assert [line.split(": ")[1].split()[0] for line in edited[:-1]] == ["DI002"]


@pytest.mark.parametrize("format", ["json", "dot", "mermaid", "markdown", "html"])
def test_graph_output_is_byte_identical_whatever_the_jobs(format, tmp_path):
    import shutil

    shutil.copytree(Path(__file__).resolve().parents[2] / "sample_app", tmp_path / "sample_app",
                    ignore=shutil.ignore_patterns("__pycache__", "*.db"))
    outputs = {run("graph", "sample_app", "--no-cache", "-j", str(jobs), "-f", format, "--cluster", "module",
                   cwd=tmp_path).stdout for jobs in (1, 2)} if format != "json" else {
        run("graph", "sample_app", "--no-cache", "-j", str(jobs), cwd=tmp_path).stdout for jobs in (1, 2)}
    assert len(outputs) == 1 and len(outputs.pop()) > 2000


def test_large_graph_gets_a_hint_on_stderr(tmp_path):
    lines = ["from fastapi import APIRouter, Depends", "router = APIRouter()", "def db():", "    return 1"]
    for number in range(160):
        lines += [f"@router.get('/r{number}')", f"def r{number}(d=Depends(db)):", "    return 1"]
    (tmp_path / "app.py").write_text("\n".join(lines) + "\n")
    result = run("graph", "app.py", "-f", "mermaid", "--no-cache", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.startswith("flowchart LR")
    assert result.stderr.splitlines() == [
        "wirelint: hint: 161 nodes in one picture; --collapse (one node per module), --route 'GET /path' or "
        "--focus NAME --depth 2 make it readable"]
    assert run("graph", "app.py", "-f", "mermaid", "--collapse", "--no-cache", cwd=tmp_path).stderr == ""


def test_a_directory_named_explicitly_is_analyzed_even_when_gitignored(project):
    (project / ".git").mkdir()
    (project / ".gitignore").write_text("app/\nbuild/\n")
    assert run("check", "app", "--no-cache", "-f", "concise", cwd=project).stdout.splitlines()[0].startswith(
        "app/main.py:5:7: DI001")
    everything = run("check", ".", "--no-cache", cwd=project)
    assert (everything.returncode, everything.stdout) == (0, "All clear: 0 files checked, no findings.\n")
    assert everything.stderr.splitlines() == [
        "wirelint: warning: no Python files found in . (all excluded, or none there)"]


def test_runs_sharing_a_cache_agree_and_a_corrupt_cache_is_rebuilt(tmp_path):
    import shutil

    shutil.copytree(Path(__file__).resolve().parents[2] / "sample_app", tmp_path / "sample_app",
                    ignore=shutil.ignore_patterns("__pycache__", "*.db"))
    command = [sys.executable, "-m", "wirelint", "check", "sample_app", "-f", "concise", "--cache-dir", "shared"]
    runs = [subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(4)]
    outputs = [run.communicate() for run in runs]
    assert [run.returncode for run in runs] == [1, 1, 1, 1]
    assert len({stdout for stdout, _ in outputs}) == 1 and all(stderr == "" for _, stderr in outputs)
    expected = outputs[0][0]
    assert expected.splitlines()[-1].startswith("Found 22 findings")
    for name in ("facts.pickle", "result.pickle", "findings.pickle"):
        (tmp_path / "shared" / name).write_bytes(b"\x80\x05not a pickle")
    rebuilt = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True)
    assert (rebuilt.returncode, rebuilt.stdout, rebuilt.stderr) == (1, expected, "")
    assert [p.name for p in (tmp_path / "shared").iterdir() if p.name.startswith(".tmp")] == []


def test_the_command_line_is_a_layer_over_the_configuration(project):
    """--select replaces the configured selection and its ignores; --extend-select turns on what the
    configuration ignores; --ignore is applied last; an empty code is an error, not 'every rule'."""
    (project / "pyproject.toml").write_text('[tool.wirelint]\nignore = ["DI001"]\n')
    (project / "called.py").write_text("from fastapi import Depends\n\n\ndef get_x():\n    return 1\n\n\n"
                                       "def route(x=Depends(get_x())):\n    return x\n")

    def codes(*args: str) -> list[str]:
        result = run("check", "--no-cache", "-f", "json", *args, cwd=project)
        assert result.returncode in (0, 1), result.stderr
        return sorted({f["code"] for f in json.loads(result.stdout)["findings"]})

    everything = codes("--select", "DI")
    assert "DI001" in everything and len(everything) >= 2
    assert codes() == [code for code in everything if code != "DI001"]
    assert codes("--select", "DI001") == ["DI001"]
    assert codes("--extend-select", "DI001") == everything
    assert codes("--select", "DI", "--ignore", "DI001") == [code for code in everything if code != "DI001"]
    assert codes("--extend-select", "DI001", "--ignore", "DI00") == []
    for bad in ("", ",", "DI001,,DI002"):
        result = run("check", "--select", bad, cwd=project)
        assert (result.returncode, len(result.stderr.splitlines())) == (2, 1), result.stderr
        assert "empty rule code" in result.stderr


def test_a_baseline_used_on_part_of_the_project_counts_nothing_outside_it_as_fixed(project):
    (project / "other.py").write_text("from fastapi import Depends\n\n\ndef c(x=Depends(c)):\n    return 1\n")
    assert run("check", "--no-cache", "--write-baseline", "b.json", cwd=project).returncode == 0
    assert len(json.loads((project / "b.json").read_text())["findings"]) == 2
    part = run("check", "app", "--no-cache", "--baseline", "b.json", "--statistics", cwd=project)
    assert (part.returncode, part.stdout) == (0, "    1  hidden by the baseline\n")  # none fixed: other.py unseen
    rule = run("check", "--no-cache", "--baseline", "b.json", "--select", "DI002", cwd=project)
    assert (rule.returncode, rule.stdout) == (0, "All clear: 3 files checked, no findings.\n")
    (project / "other.py").write_text("x = 1\n")
    fixed = run("check", "--no-cache", "--baseline", "b.json", cwd=project)
    assert fixed.stdout.splitlines()[-1] == "1 baseline entry no longer occurs: rerun with --write-baseline to remove it."


def test_junit_of_a_clean_run_has_a_passing_case_per_rule(project):
    from xml.etree import ElementTree

    from wirelint.rules import all_rules

    junit = run("check", "--no-cache", "--format", "junit", "--ignore", "DI001", cwd=project).stdout
    suite = ElementTree.fromstring(junit.split("?>", 1)[1]).find("testsuite")
    cases = [(case.get("classname"), case.get("name"), case.find("failure")) for case in suite.iter("testcase")]
    assert cases == [(rule.code, "no findings", None) for rule in all_rules() if rule.code != "DI001"]
    assert (suite.get("tests"), suite.get("failures")) == (str(len(cases)), "0")
    mixed = ElementTree.fromstring(run("check", "--no-cache", "--format", "junit", cwd=project).stdout.split("?>")[1])
    assert (mixed.get("tests"), mixed.get("failures")) == (str(len(all_rules())), "1")


@pytest.mark.skipif(sys.platform == "win32", reason="a pseudo-terminal")
def test_colors_only_on_a_terminal_and_never_with_no_color(project):
    import os
    import pty

    def on_terminal(*args: str, **env: str) -> bytes:
        leader, follower = pty.openpty()
        process = subprocess.Popen([sys.executable, "-m", "wirelint", "check", "app", "--no-cache", *args],
                                   cwd=project, stdout=follower, stderr=subprocess.DEVNULL,
                                   env={**os.environ, "TERM": "xterm-256color", **env})
        os.close(follower)
        output = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closes when the process exits
                break
            if not chunk:
                break
            output += chunk
        process.wait(timeout=60)
        os.close(leader)
        return output

    colored = on_terminal()
    assert b"\x1b[" in colored and b"DI001" in colored
    assert b"\x1b[" not in on_terminal(NO_COLOR="1") and b"DI001" in on_terminal(NO_COLOR="1")
    assert b"\x1b[" not in run("check", "app", "--no-cache", cwd=project).stdout.encode()  # a pipe: plain
    on_terminal("-o", "report.txt")
    assert "\x1b[" not in (project / "report.txt").read_text() and "DI001" in (project / "report.txt").read_text()


def test_an_inline_ignore_naming_no_rule_is_a_warning(project):
    (project / "typo.py").write_text("from fastapi import Depends\n\n\ndef c(x=Depends(c)):  # wirelint: ignore[DI099, DI00]"
                                     "\n    return 1\n\n\ndef d(x=Depends(d)):  # wirelint: ignore[DI001]\n    return 1\n")
    result = run("check", "typo.py", "--no-cache", "-f", "concise", cwd=project)
    assert result.returncode == 1 and result.stdout.splitlines()[0].startswith("typo.py:4:7: DI001")
    assert len(result.stdout.splitlines()) == 2  # the finding on line 4 and the summary; line 8 is suppressed
    assert result.stderr.splitlines() == [
        f"wirelint: warning: typo.py:4: '# wirelint: ignore[...]' names {code!r}, which is not a rule code (see "
        "`wirelint rules`); it suppresses nothing" for code in ("DI00", "DI099")]
