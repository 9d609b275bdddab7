"""Untrusted text (file paths, names in messages) in the text, concise, GitHub and JUnit formats: one
well-formed line or workflow command per finding, terminal control characters shown rather than emitted,
and file names that are not UTF-8 printed rather than crashing the run."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

from wirelint.analyzer.models import Location
from wirelint.report.findings import Report, render_concise, render_github, render_junit, render_text
from wirelint.rules.base import Finding, Related

HOSTILE_PATH = "pkg/50%\r\n::warning file=x::forged,\x1b[2J\u202eevil.py"
HOSTILE_MESSAGE = "100% sure\r\n::error::forged annotation\x1b]0;title\x07 and \u2028 more"


def finding(path: str = HOSTILE_PATH, message: str = HOSTILE_MESSAGE, code: str = "DI001") -> Finding:
    return Finding(code, "dependency-cycle", "error", message, Location(path, 3, 5, 3, 6),
                   (Related(Location(path, 7, 1, 7, 2), f"see {message}"),))


def report(*findings: Finding, source: dict[tuple[str, int], str] | None = None) -> Report:
    return Report(tuple(findings), files=1, parse_errors=0, source_lines=source or {})


def test_github_one_workflow_command_per_finding():
    text = render_github(report(finding(), finding(path="ok.py", message="plain", code="DI002")))
    assert text.splitlines() == [
        "::error file=pkg/50%25%0D%0A%3A%3Awarning file=x%3A%3Aforged%2C\\x1b[2J\\u202eevil.py,line=3,col=5,"
        "title=DI001 dependency-cycle::100%25 sure%0D%0A::error::forged annotation\\x1b]0;title\\x07 and \\u2028 more",
        "::error file=ok.py,line=3,col=5,title=DI002 dependency-cycle::plain",
    ]
    assert "\r" not in text and "\x1b" not in text and text.count("\n") == 2


def unescape_property(value: str) -> str:
    """What the GitHub runner makes of a property value (actions/toolkit's command.ts, reversed)."""
    for escaped, raw in (("%2C", ","), ("%3A", ":"), ("%0A", "\n"), ("%0D", "\r"), ("%25", "%")):
        value = value.replace(escaped, raw)
    return value


def test_github_property_round_trips_to_the_real_path():
    path = "dir/a%b\r\nc::d,e.py"
    (line,) = render_github(report(finding(path=path, message="m"))).splitlines()
    properties = line.removeprefix("::error ").split("::", 1)[0]
    fields = dict(item.split("=", 1) for item in properties.split(","))
    assert unescape_property(fields["file"]) == path
    assert (fields["line"], fields["col"], fields["title"]) == ("3", "5", "DI001 dependency-cycle")


def test_concise_one_line_per_finding_with_controls_made_visible():
    text = render_concise(report(finding(), finding(path="ok.py", message="plain")))
    assert text.splitlines() == [
        "pkg/50%\\r\\n::warning file=x::forged,\\x1b[2J\\u202eevil.py:3:5: DI001 [dependency-cycle] "
        "100% sure\\r\\n::error::forged annotation\\x1b]0;title\\x07 and \\u2028 more",
        "ok.py:3:5: DI001 [dependency-cycle] plain",
        "Found 2 findings in 1 file (DI001: 2).",
    ]


def test_text_header_frame_and_related_lines_are_escaped():
    text = render_text(report(finding(), source={(HOSTILE_PATH, 3): "x = '\x1b[31mred\x1b[0m'\r"}))
    assert "\x1b" not in text and "\r" not in text and "\u202e" not in text and "\u2028" not in text
    assert text.splitlines()[:4] == [
        "pkg/50%\\r\\n::warning file=x::forged,\\x1b[2J\\u202eevil.py:3:5: DI001 [dependency-cycle] "
        "100% sure\\r\\n::error::forged annotation\\x1b]0;title\\x07 and \\u2028 more",
        "  3 | x = '\\x1b[31mred\\x1b[0m'",
        "    |     ^",
        "  = pkg/50%\\r\\n::warning file=x::forged,\\x1b[2J\\u202eevil.py:7: see 100% sure\\r\\n::error::forged "
        "annotation\\x1b]0;title\\x07 and \\u2028 more",
    ]


def test_undecodable_file_name_bytes_are_shown_not_encoded():
    path = "pkg/caf\udce9.py"  # os.fsdecode(b"pkg/caf\xe9.py"): a Latin-1 file name on a UTF-8 system
    rendered = {"concise": render_concise(report(finding(path=path, message=f"in {path}"))),
                "github": render_github(report(finding(path=path, message=f"in {path}"))),
                "junit": render_junit(report(finding(path=path, message=f"in {path}")))}
    for text in rendered.values():
        text.encode("utf-8")  # strict: what a UTF-8 terminal or file accepts
        assert "caf\\udce9.py" in text


def test_junit_stays_well_formed_xml():
    document = ElementTree.fromstring(render_junit(report(finding())).split("?>", 1)[1])
    case = document.find("testsuite/testcase")
    assert case.get("name") == "pkg/50%\\r\\n::warning file=x::forged,\\x1b[2J\\u202eevil.py"


# --- end to end: files whose names carry the hostile characters --------------------------------------------

CYCLE = "from fastapi import Depends\n\n\ndef c(x=Depends(c)):\n    return 1\n"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8:strict"}  # as on a desktop with an en_US.UTF-8 locale
    return subprocess.run([sys.executable, "-m", "wirelint", *args], cwd=cwd, capture_output=True, env=env)


@pytest.fixture
def hostile_project(tmp_path: Path) -> Path:
    if not sys.platform.startswith("linux"):
        pytest.skip("file names with CR, LF and bytes that are not UTF-8 need a Linux file system")
    root = tmp_path / "app"
    root.mkdir()
    (root / "__init__.py").write_text("")
    (root / "odd%\r\n::name,\x1b[2J.py").write_text(CYCLE)
    (root / "broken%\n::x.py").write_text("from fastapi import Depends\ndef f(:\n")
    with open(os.fsencode(root) + b"/caf\xe9.py", "wb") as handle:  # a file name that is not UTF-8
        handle.write(CYCLE.encode())
    return tmp_path


def test_hostile_file_names_end_to_end(hostile_project):
    github = run("check", "app", "--no-cache", "-f", "github", cwd=hostile_project)
    assert (github.returncode, github.stderr) == (1, b"")
    lines = github.stdout.decode("utf-8").splitlines()
    assert lines == [
        "::error file=app/broken%25%0A%3A%3Ax.py,line=2,col=7,title=DI000 parse-error::cannot parse "
        "app/broken%25%0A::x.py: invalid syntax",
        "::error file=app/caf\\udce9.py,line=4,col=7,title=DI001 dependency-cycle::dependency cycle: "
        "app.caf\\udce9.c -> app.caf\\udce9.c. FastAPI raises RecursionError when a route depends on any of these; "
        "extract what they share into a provider that depends on neither",
        "::error file=app/odd%25%0D%0A%3A%3Aname%2C\\x1b[2J.py,line=4,col=7,title=DI001 dependency-cycle::"
        "dependency cycle: app.odd%25%0D%0A::name,\\x1b[2J.c -> app.odd%25%0D%0A::name,\\x1b[2J.c. FastAPI raises "
        "RecursionError when a route depends on any of these; extract what they share into a provider that "
        "depends on neither",
    ]
    concise = run("check", "app", "--no-cache", "-f", "concise", cwd=hostile_project)
    assert (concise.returncode, concise.stderr) == (1, b"")
    assert [line.split(": ")[0] for line in concise.stdout.decode("utf-8").splitlines()] == [
        "app/broken%\\n::x.py:2:7", "app/caf\\udce9.py:4:7", "app/odd%\\r\\n::name,\\x1b[2J.py:4:7",
        "Found 3 findings in 4 files (DI000"]
    text = run("check", "app", "--no-cache", cwd=hostile_project)
    assert (text.returncode, text.stderr) == (1, b"")
    assert b"\x1b" not in text.stdout and b"\r" not in text.stdout


@pytest.mark.parametrize("fmt", ["json", "sarif", "gitlab", "junit"])
def test_hostile_file_names_keep_machine_formats_valid(hostile_project, fmt):
    result = run("check", "app", "--no-cache", "-f", fmt, cwd=hostile_project)
    assert (result.returncode, result.stderr) == (1, b"")
    text = result.stdout.decode("utf-8")
    if fmt == "junit":
        suite = ElementTree.fromstring(text.split("?>", 1)[1]).find("testsuite")
        assert len([case for case in suite.findall("testcase") if case.find("failure") is not None]) == 3
        return
    document = json.loads(text)
    if fmt == "sarif":
        uris = sorted(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                      for r in document["runs"][0]["results"])
        assert uris == ["app/broken%25%0A%3A%3Ax.py", "app/caf%E9.py", "app/odd%25%0D%0A%3A%3Aname%2C%1B%5B2J.py"]
        assert all(re.fullmatch(r"[A-Za-z0-9/%._~-]+", uri) for uri in uris)
    elif fmt == "json":
        assert sorted(f["path"] for f in document["findings"]) == [
            "app/broken%\n::x.py", "app/caf\udce9.py", "app/odd%\r\n::name,\x1b[2J.py"]
    else:
        assert len(document) == 3 and len({issue["fingerprint"] for issue in document}) == 3
