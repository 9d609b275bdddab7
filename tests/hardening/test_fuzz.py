"""Fuzzing: programs generated from Python's grammar (hypothesmith) and mutated copies of the sample app's real
FastAPI modules go through the whole static path (analysis, every rule, JSON and SARIF); no exception may
escape and the output must stay valid.

CI runs a bounded number of examples; `make fuzz` runs many more (WIRELINT_FUZZ_EXAMPLES).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import hypothesmith
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wirelint.analyzer import analyze
from wirelint.report.findings import make_report, render_json, render_sarif
from wirelint.rules import all_rules, run_rules

EXAMPLES = int(os.environ.get("WIRELINT_FUZZ_EXAMPLES", "60"))
SAMPLE_APP = Path(__file__).resolve().parents[2] / "sample_app"
SEEDS = sorted(p.relative_to(SAMPLE_APP.parent).as_posix() for p in SAMPLE_APP.rglob("*.py")
               if "tests" not in p.parts)
HEADER = "from fastapi import APIRouter, Depends, FastAPI, Request\n"  # makes every file one that can matter
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=EXAMPLES <= 100, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def run_static_path(root: Path, paths: list[str]) -> dict:
    """What `wirelint check --format json|sarif` does, in process; returns the JSON document."""
    cwd = os.getcwd()
    os.chdir(root)
    try:
        index = analyze([Path(p) for p in paths], jobs=1)
        rules = [rule() for rule in all_rules()]
        report = make_report(run_rules(index, rules), len(index.sources), len(index.parse_errors))
        document = json.loads(render_json(report))
        sarif = json.loads(render_sarif(report, [type(rule) for rule in rules], root.as_uri() + "/", "0"))
    finally:
        os.chdir(cwd)
    assert document["summary"]["findings"] == len(document["findings"]) == len(sarif["runs"][0]["results"])
    for finding in document["findings"]:
        assert finding["line"] >= 1 and finding["column"] >= 1 and finding["code"].startswith("DI")
    return document


@pytest.fixture(scope="module")
def workdir():
    directory = Path(tempfile.mkdtemp(prefix="wirelint-fuzz-"))
    shutil.copytree(SAMPLE_APP, directory / "sample_app", ignore=shutil.ignore_patterns("tests", "__pycache__"))
    yield directory
    shutil.rmtree(directory)


@pytest.mark.filterwarnings("ignore::SyntaxWarning")  # hypothesmith compiles what it generates; wirelint never warns
@FUZZ
@given(source=hypothesmith.from_grammar())
def test_programs_from_the_grammar(source, workdir):
    target = workdir / "grammar" / "generated.py"
    target.parent.mkdir(exist_ok=True)
    target.write_text(HEADER + source, encoding="utf-8", errors="surrogatepass")
    document = run_static_path(workdir, ["grammar"])
    assert document["summary"]["files"] == 1
    assert {f["code"] for f in document["findings"]} <= {"DI000", "DI001", "DI002", "DI003", "DI004", "DI005",
                                                        "DI006", "DI007", "DI008", "DI010"}


# Mutations a half-edited or half-merged file shows: lines lost, repeated, swapped, re-indented or cut; a
# token or a character dropped in. Each is (kind, position, position, text) on the file's lines.
TOKENS = ["Depends(", ")", "(", "]", "[", "{", "}", ":", "=", ",", "lambda", "yield", "await", "async ", "def ",
          "class ", "@router.get('/x')", "app.dependency_overrides", "request.app.state.", "Annotated[", "*", "**",
          "return", "\\", "'", '"', '"""', "#", "\t", "\x00", "\ufeff", "\r", "é", "if", "else", "None", "."]
MUTATION = st.tuples(st.sampled_from(["delete", "duplicate", "swap", "indent", "dedent", "insert", "truncate"]),
                     st.integers(0, 400), st.integers(0, 400), st.sampled_from(TOKENS))


def mutate(text: str, mutations: list[tuple[str, int, int, str]]) -> str:
    lines = text.splitlines(keepends=True) or [""]
    for kind, first, second, token in mutations:
        i, j = first % len(lines), second % len(lines)
        if kind == "delete":
            del lines[min(i, j):max(i, j) + 1]
        elif kind == "duplicate":
            lines[i:i] = lines[min(i, j):max(i, j) + 1]
        elif kind == "swap":
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == "indent":
            lines[i] = "    " + lines[i]
        elif kind == "dedent":
            lines[i] = lines[i][4:] if lines[i].startswith("    ") else lines[i].lstrip()
        elif kind == "insert":
            column = second % (len(lines[i]) + 1)
            lines[i] = lines[i][:column] + token + lines[i][column:]
        elif kind == "truncate":
            lines = lines[:i + 1]
            lines[-1] = lines[-1][:second % (len(lines[-1]) + 1)]
        lines = lines or [""]
    return "".join(lines)


@FUZZ
@given(seed=st.sampled_from(SEEDS), mutations=st.lists(MUTATION, min_size=1, max_size=6))
def test_mutated_sample_app_modules(seed, mutations, workdir):
    """One mutated module among the real ones: names still resolve across modules into and out of it."""
    target = workdir / seed
    original = target.read_text(encoding="utf-8")
    target.write_text(mutate(original, mutations), encoding="utf-8", errors="surrogatepass")
    try:
        document = run_static_path(workdir, ["sample_app"])
    finally:
        target.write_text(original, encoding="utf-8")
    assert document["summary"]["files"] == len(SEEDS)


def test_the_mutations_do_what_they_say():
    text = "a\nb\nc\n"
    assert mutate(text, [("delete", 0, 1, "")]) == "c\n"
    assert mutate(text, [("duplicate", 2, 2, "")]) == "a\nb\nc\nc\n"
    assert mutate(text, [("swap", 0, 2, "")]) == "c\nb\na\n"
    assert mutate(text, [("insert", 1, 0, "Depends(")]) == "a\nDepends(b\nc\n"
    assert mutate(text, [("truncate", 1, 1, "")]) == "a\nb"
    assert mutate(text, [("delete", 0, 2, ""), ("indent", 0, 0, "")]) == "    "
