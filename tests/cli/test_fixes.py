"""`check --fix`, `--unsafe-fixes` and `--diff`: the codemods, their applicability, and what a user sees."""

from __future__ import annotations

import subprocess
import sys

from wirelint.fixes import fix_source
from wirelint.rules import rule_by_code, run_rules

APP = """\
from fastapi import Depends, FastAPI
app = FastAPI()
def get_settings():
    return {"name": "x"}
class Session:
    def close(self):
        pass
    def commit(self):
        pass
def get_db():
    db = Session()
    yield db  # the request's session
    # closed when the request ends
    db.close()
def get_committing_db():
    db = Session()
    yield db
    db.commit()
    db.close()
def get_swallowing_db():
    db = Session()
    try:
        yield db
    except Exception:
        pass
    finally:
        db.close()
@app.get("/")
def read(settings=Depends(get_settings()), db=Depends(get_db), other=Depends(get_committing_db),
         third=Depends(get_swallowing_db)):
    return settings
"""


def findings_of(analyze_project, files: dict[str, str]):
    index = analyze_project(files)
    return run_rules(index, [rule_by_code("DI007")(), rule_by_code("DI010")()])


def test_each_fix_its_applicability_and_comments_kept(analyze_project):
    findings = findings_of(analyze_project, {"app.py": APP})
    assert [(f.code, f.location.line) for f in findings] == [
        ("DI010", 14), ("DI010", 19), ("DI010", 24), ("DI007", 29)]
    after, done = fix_source(APP, findings)
    assert sorted((f.location.line, kind) for f, kind in done) == [
        (14, "safe"), (19, "unsafe"), (24, "unsafe"), (29, "safe")]
    assert """\
def get_db():
    db = Session()
    try:
        yield db  # the request's session
    finally:
        # closed when the request ends
        db.close()
""" in after
    assert "    except Exception:\n        pass\n        raise\n    finally:" in after
    assert "def read(settings=Depends(get_settings), db=Depends(get_db)" in after
    compile(after, "app.py", "exec")
    again = findings_of(analyze_project, {"app.py": after})
    assert again == []
    assert fix_source(after, again) == (after, [])  # idempotent: nothing left to rewrite


def test_nothing_is_rewritten_where_the_finding_does_not_point_or_the_code_does_not_parse(analyze_project):
    findings = findings_of(analyze_project, {"app.py": APP})
    moved = "\n" * 100 + APP  # the code moved down: no node is where a finding points
    assert fix_source(moved, findings) == (moved, [])
    assert fix_source("def broken(:\n", findings) == ("def broken(:\n", [])


def run(*args, cwd):
    return subprocess.run([sys.executable, "-m", "wirelint", *args], cwd=cwd, capture_output=True, text=True)


def test_diff_writes_nothing_and_fix_rewrites_then_reports_what_is_left(tmp_path):
    (tmp_path / "app.py").write_text(APP)
    base = ("check", "app.py", "--select", "DI007,DI010", "--no-cache")
    shown = run(*base, cwd=tmp_path)
    assert shown.returncode == 1
    assert shown.stdout.count("  fix: `wirelint check --fix` rewrites it") == 2
    assert shown.stdout.count("  fix: `wirelint check --fix --unsafe-fixes` rewrites it") == 2
    assert shown.stdout.rstrip().endswith(
        "Found 4 findings in 1 file (DI007: 1, DI010: 3).\n2 fixable with `--fix` (2 more with `--unsafe-fixes`).")
    diff = run(*base, "--diff", cwd=tmp_path)
    assert diff.returncode == 1 and (tmp_path / "app.py").read_text() == APP
    assert diff.stdout.startswith("--- a/app.py\n+++ b/app.py\n")
    assert "-def read(settings=Depends(get_settings()), db=Depends(get_db), other=Depends(get_committing_db),\n" \
           "+def read(settings=Depends(get_settings), db=Depends(get_db), other=Depends(get_committing_db),\n" \
           in diff.stdout
    assert "+        raise\n" not in diff.stdout  # unsafe: not without --unsafe-fixes
    assert diff.stderr == "wirelint: 2 fixes in 1 file (nothing written)\n"
    fixed = run(*base, "--fix", "-f", "concise", cwd=tmp_path)
    assert fixed.returncode == 1
    assert [line.split(" [")[0] for line in fixed.stdout.splitlines()[:-1]] == [
        "app.py:21:5: DI010", "app.py:26:5: DI010"]
    assert fixed.stdout.splitlines()[-1] == "Found 2 findings in 1 file (DI010: 2)."
    assert fixed.stderr == "wirelint: fixed 2 findings\n"
    rest = run(*base, "--fix", "--unsafe-fixes", "-o", "report.txt", cwd=tmp_path)
    assert rest.returncode == 0 and rest.stderr == "wirelint: fixed 2 findings\n"
    assert (tmp_path / "report.txt").read_text().startswith("All clear: 1 file checked")
    assert run(*base, "--diff", "--unsafe-fixes", cwd=tmp_path).returncode == 0


def test_the_cli_knows_which_codes_are_fixable_without_loading_libcst():
    from wirelint import fixes
    from wirelint.cli.app import FIXABLE_CODES

    assert FIXABLE_CODES == fixes.FIXABLE_CODES
    code = "import sys, wirelint.cli.app; print('libcst' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout == "False\n"
