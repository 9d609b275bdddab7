"""Hostile inputs, end to end through the CLI: each problem file gives exactly one DI000 (or nothing, where
nothing is wrong), every other file is still analyzed (a planted cycle is still reported), nothing crashes,
and the exit code is 1 (findings), never 2 (usage or internal error)."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file system features: FIFOs, symlinks, chmod")

PLANTED = (
    "from fastapi import Depends\n"
    "\n"
    "\n"
    "def a(x=Depends(b)):\n"
    "    return 1\n"
    "\n"
    "\n"
    "def b(y=Depends(a)):\n"
    "    return 1\n"
)
PLANTED_FINDING = ("DI001", "app/planted.py", 4, 7)
BASE_FILES = 2  # app/__init__.py and app/planted.py

SELF_CYCLE = "from fastapi import Depends\n\n\ndef c(x=Depends(c)):\n    return 1\n"  # DI001 at 4:7

PRIVILEGE_DROP = ["setpriv", "--inh-caps=-dac_override,-dac_read_search",
                  "--bounding-set=-dac_override,-dac_read_search"]


def wirelint(*args: str, cwd: Path, privileged: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run the CLI. `privileged=False` drops root's power to read any file (chmod 000 then means unreadable)."""
    prefix = [] if privileged or os.geteuid() != 0 else PRIVILEGE_DROP
    return subprocess.run([*prefix, sys.executable, "-m", "wirelint", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout)


def write(root: Path, relative: str, content: str | bytes) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_bytes(content.encode("utf-8"))
    return path


def make_project(root: Path) -> Path:
    write(root, "app/__init__.py", "")
    write(root, "app/planted.py", PLANTED)
    return root


def require_unreadable(path: Path) -> None:
    """Skip unless `path` is unreadable to the (possibly privilege-dropped) wirelint process."""
    if os.geteuid() == 0 and shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: chmod 000 does not stop root from reading")
    probe = subprocess.run(
        [*(PRIVILEGE_DROP if os.geteuid() == 0 else []), sys.executable, "-c",
         f"import os; os.listdir({str(path)!r}) if os.path.isdir({str(path)!r}) else open({str(path)!r}).read()"],
        capture_output=True)
    if probe.returncode == 0:
        pytest.skip("chmod 000 does not make a file unreadable here (root without a working setpriv?)")


# --- the corpus -------------------------------------------------------------------------------------------


@dataclass
class Case:
    build: Callable[[Path], None]
    di000: list[tuple[str, int, int, str]] = field(default_factory=list)  # path, line, column, reason
    other: list[tuple[str, str, int, int]] = field(default_factory=list)  # further findings that prove analysis
    files: int = 0  # Python files the case adds to the count
    unprivileged: bool = False  # needs chmod 000 to bite
    paths: tuple[str, ...] = ()  # analyzed besides app/


def _deep(name: str, text: str) -> Callable[[Path], None]:
    return lambda root: write(root, f"app/{name}.py", "from fastapi import Depends\n" + text + "\n")


def _generated_data_module(root: Path) -> None:
    """About 20 MB of generated data, as protobuf/ORM generators write it (no FastAPI in it): every file is
    parsed, so its rows are blanked on the text first (a tree of them takes gigabytes)."""
    rows = "".join(f"    ({n}, 'item number {n}', {n * 0.5}, ['a', 'b', 'c'], {{'k': {n}}}),\n"
                   for n in range(300_000))
    lookups = "".join(f"def lookup_{n}(key):\n    return ROWS[key]\n\n\n" for n in range(1000))
    write(root, "app/generated.py", '"""Generated: do not edit."""\nROWS = [\n' + rows + "]\n\n\n" + lookups)
    assert (root / "app/generated.py").stat().st_size > 20_000_000


def _generated_data_module_using_fastapi(root: Path) -> None:
    """4 MB of data literals in a module that mentions FastAPI: libcst alone took 70 s and 4 GB on it."""
    rows = "".join(f"    ({n}, 'item number {n}', {n * 0.5}, ['a', 'b'], {{'k': -{n}}}),\n" for n in range(60_000))
    write(root, "app/generated_api.py", "from fastapi import Depends\nROWS = [\n" + rows + "]\n" + SELF_CYCLE)


def _long_function(root: Path) -> None:
    body = "".join(f"    total += {n}\n" for n in range(10_000))
    write(root, "app/long.py", "from fastapi import Depends\n\n\ndef big(db=Depends(small)):\n    total = 0\n" + body
          + "    return total\n\n\ndef small(x=Depends(big)):\n    return x\n")


def _symlink_loop(root: Path) -> None:
    (root / "app").mkdir(exist_ok=True)
    os.symlink("loop_b.py", root / "app/loop_a.py")
    os.symlink("loop_a.py", root / "app/loop_b.py")
    os.symlink("itself.py", root / "app/itself.py")
    (root / "app/sub").mkdir()
    os.symlink("..", root / "app/sub/up")  # a directory loop: not followed


def _fifo(root: Path) -> None:
    (root / "app").mkdir(exist_ok=True)
    os.mkfifo(root / "app/pipe.py")  # reading it would wait for a writer forever


def _unreadable_file(root: Path) -> None:
    write(root, "app/secret.py", SELF_CYCLE).chmod(0)


def _unreadable_directory(root: Path) -> None:
    write(root, "app/locked/inner.py", SELF_CYCLE)
    (root / "app/locked").chmod(0)


def _non_ascii_paths(root: Path) -> None:
    write(root, "app/ünïcödé/__init__.py", "")
    write(root, "app/ünïcödé/mod with space.py", SELF_CYCLE)
    write(root, "app/données.py", SELF_CYCLE)


NEW_SYNTAX = '''\
from fastapi import Depends

type Alias = int
type Pair[T] = tuple[T, T]


class Box[T: (int, str), *Ts, **P]:
    pass


def g(items):
    return f"{items["a"]} and {f"{items['b']!r:>{10}}"}"


def h(command):
    match command:
        case {"a": [1, *rest]} | Box() if rest:
            return 1
        case _:
            return 2


def first[T](x: T = Depends(second)) -> T:
    return x


def second[T](y: T = Depends(first)) -> T:
    return y


def py314():
    try:
        pass
    except ValueError, TypeError:
        return t"template {g}"
'''

CASES: dict[str, Case] = {
    "syntax-error": Case(lambda r: write(r, "app/broken.py",
                                         "from fastapi import Depends\n\n\ndef get_db(:\n    yield 1\n"),
                         di000=[("app/broken.py", 4, 12, "invalid syntax")], files=1),
    # Every file is parsed, so one that never mentions FastAPI is reported too (it may hold a provider)...
    "syntax-error-in-unrelated-file": Case(lambda r: write(r, "app/notes.py", "def helper(:\n    return 1\n"),
                                           di000=[("app/notes.py", 1, 12, "invalid syntax")], files=1),
    # ...as is one the graph reaches.
    "syntax-error-in-file-the-graph-reaches": Case(
        lambda r: (write(r, "app/helpers.py", "def helper(:\n    return 1\n"),
                   write(r, "app/uses.py", "from fastapi import Depends\nfrom app.helpers import helper\n\n\n"
                                           "def route(x=Depends(helper)):\n    return x\n")),
        di000=[("app/helpers.py", 1, 12, "invalid syntax")], files=2),
    "python-2": Case(lambda r: write(r, "app/py2.py", 'from fastapi import Depends\nprint "x"\n'),
                     di000=[("app/py2.py", 2, 1, "Missing parentheses in call to 'print'. Did you mean print(...)?")],
                     files=1),
    "latin-1-without-coding-line": Case(
        lambda r: write(r, "app/undeclared.py", b'from fastapi import Depends\nname = "caf\xe9"\n'),
        di000=[("app/undeclared.py", 2, 12, "cannot decode as utf-8: invalid continuation byte at byte 39")], files=1),
    "latin-1-with-coding-line": Case(
        lambda r: write(r, "app/latin.py", b"# -*- coding: latin-1 -*-\n" + SELF_CYCLE.replace(
            "def c(x=Depends(c)):", "def c(x=Depends(c)):  # caf\xe9").encode("latin-1")),
        other=[("DI001", "app/latin.py", 5, 7)], files=1),
    "unknown-coding": Case(lambda r: write(r, "app/klingon.py", "# coding: klingon\nfrom fastapi import Depends\n"),
                           di000=[("app/klingon.py", 1, 1, "unknown encoding 'klingon'")], files=1),
    "utf-8-bom": Case(lambda r: write(r, "app/bom.py", b"\xef\xbb\xbf" + SELF_CYCLE.encode()),
                      other=[("DI001", "app/bom.py", 4, 7)], files=1),
    # A module without FastAPI is only scanned for its names: the BOM must not hide the first one.
    "utf-8-bom-in-a-module-the-graph-reaches": Case(
        lambda r: (write(r, "app/bom_helpers.py", b"\xef\xbb\xbfdef helper():\n    return 1\n"),
                   write(r, "app/bom_uses.py", "from fastapi import Depends\nfrom app.bom_helpers import helper\n\n\n"
                                               "def route(x=Depends(helper())):\n    return x\n")),
        other=[("DI007", "app/bom_uses.py", 5, 21)], files=2),
    "crlf": Case(lambda r: write(r, "app/crlf.py", SELF_CYCLE.replace("\n", "\r\n")),
                 other=[("DI001", "app/crlf.py", 4, 7)], files=1),
    "mixed-line-endings": Case(
        lambda r: write(r, "app/mixed.py", b"from fastapi import Depends\r\n\n\rdef c(x=Depends(c)):\n    return 1\r"),
        other=[("DI001", "app/mixed.py", 4, 7)], files=1),
    "form-feed-and-unicode-separators": Case(  # not line breaks to Python, whatever str.splitlines says
        lambda r: write(r, "app/ff.py", "from fastapi import Depends\n\x0c\n# a \u2028 b \x1c c \x85\n"
                                        "def c(x=Depends(c)):\n    return 1\n"),
        other=[("DI001", "app/ff.py", 4, 7)], files=1),
    "nul-bytes": Case(lambda r: write(r, "app/nul.py", 'from fastapi import Depends\nx = "\x00"\n'),
                      di000=[("app/nul.py", 2, 6, "source contains NUL bytes")], files=1),
    "binary-file": Case(
        lambda r: write(r, "app/image.py", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + random.Random(0).randbytes(4096)),
        di000=[("app/image.py", 3, 1, "source contains NUL bytes")], files=1),
    "20-mb-generated-file": Case(_generated_data_module, files=1),
    "generated-data-module-using-fastapi": Case(_generated_data_module_using_fastapi,
                                                other=[("DI001", "app/generated_api.py", 60_007, 7)], files=1),
    "parentheses-1000-deep": Case(_deep("parens", "x = " + "(" * 1000 + "1" + ")" * 1000),
                                  di000=[("app/parens.py", 2, 205, "too many nested parentheses")], files=1),
    "lists-1000-deep": Case(_deep("lists", "x = " + "[" * 1000 + "]" * 1000),
                            di000=[("app/lists.py", 2, 205, "too many nested parentheses")], files=1),
    "calls-1000-deep": Case(_deep("calls", "x = " + "f(" * 1000 + ")" * 1000),
                            di000=[("app/calls.py", 2, 406, "too many nested parentheses")], files=1),
    # Valid Python nested 1000 deep: Python's tree holds it and the collectors walk it without recursing.
    "not-1000-deep": Case(_deep("nots", "x = " + "not " * 1000 + "1"), files=1),
    # Deeper than Python itself compiles (libcst used to overflow the C stack here: a segmentation fault).
    "sum-of-10000-terms": Case(_deep("terms", "x = " + "+".join(["1"] * 10_000)),
                               di000=[("app/terms.py", 1, 1, "source nested too deeply")], files=1),
    "10000-line-function": Case(_long_function, other=[("DI001", "app/long.py", 4, 9)], files=1),
    "empty-file": Case(lambda r: write(r, "app/empty.py", ""), files=1),
    "comment-only-file": Case(lambda r: write(r, "app/comment.py", "# nothing here\n# from fastapi import Depends\n"),
                              files=1),
    "directory-named-x.py": Case(lambda r: (r / "app/x.py").mkdir(), files=0),
    "symlink-loop": Case(_symlink_loop, di000=[
        ("app/itself.py", 1, 1, "cannot read: Too many levels of symbolic links"),
        ("app/loop_a.py", 1, 1, "cannot read: Too many levels of symbolic links"),
        ("app/loop_b.py", 1, 1, "cannot read: Too many levels of symbolic links"),
    ], files=3),
    "dangling-symlink": Case(lambda r: os.symlink("gone.py", r / "app/dangling.py"),
                             di000=[("app/dangling.py", 1, 1, "cannot read: No such file or directory")], files=1),
    "fifo-named-py": Case(_fifo, di000=[("app/pipe.py", 1, 1, "cannot read: not a regular file")], files=1),
    "unreadable-file": Case(_unreadable_file, di000=[("app/secret.py", 1, 1, "cannot read: Permission denied")],
                            files=1, unprivileged=True),
    "unreadable-directory": Case(_unreadable_directory, unprivileged=True, di000=[
        ("app/locked", 1, 1, "cannot read directory app/locked: Permission denied; the files in it are not analyzed")]),
    "non-ascii-and-space-paths": Case(_non_ascii_paths, other=[
        ("DI001", "app/données.py", 4, 7), ("DI001", "app/ünïcödé/mod with space.py", 4, 7)], files=3),
    # Two folders named on the command line, without __init__.py: two modules named `handler` (the second
    # used to be dropped without a word, its findings with it).
    "same-module-name-twice": Case(
        lambda r: (write(r, "lambdas/a/handler.py", SELF_CYCLE), write(r, "lambdas/b/handler.py", SELF_CYCLE)),
        other=[("DI001", "lambdas/a/handler.py", 4, 7), ("DI001", "lambdas/b/handler.py", 4, 7)], files=2,
        paths=("lambdas/a", "lambdas/b")),
    "python-3.12-to-3.14-syntax": Case(lambda r: write(r, "app/new_syntax.py", NEW_SYNTAX),
                                       other=[("DI001", "app/new_syntax.py", 23, 14)], files=1),
    # Python's own warnings about the analyzed code (here as errors) are not wirelint's to raise or print.
    # A composition root where each service takes the previous one eight times: followed once each, not 8**30.
    "composition-passing-one-service-many-times": Case(lambda r: write(r, "app/root.py", (
        "from fastapi import FastAPI\nclass S0:\n    def run(self):\n        ...\n"
        + "".join(f"class S{n}:\n    def __init__(self, a, b, c, d, e, f, g, h):\n        self.a = a\n"
                  f"    def run(self):\n        ...\n" for n in range(1, 31))
        + "s0 = S0()\n" + "".join(f"s{n} = S{n}({', '.join([f's{n - 1}'] * 8)})\n" for n in range(1, 31))
        + "app = FastAPI()\n")), other=[("DI002", "app/root.py", 5 * n, 1) for n in range(1, 31)], files=1),
    # Containers written strangely: self-references, a container bound into itself, nested Provide.
    "containers-written-strangely": Case(lambda r: write(r, "app/wiring.py", """\
from dependency_injector import containers, providers
from dependency_injector.wiring import Provide
from fastapi import APIRouter, Depends
from lagom import Container
from lagom.integrations.fast_api import FastApiIntegration
class A(containers.DeclarativeContainer):
    a = providers.Factory(lambda: 1)
    b = providers.Factory(dict, x=b, y=a.provided.z.q, w=providers.Factory(providers.Factory(dict)))
    c = a
container = Container()
container[Container] = container
container[container] = Container
container.define(A)
deps = FastApiIntegration(container)
deps2 = FastApiIntegration(deps)
router = APIRouter()
@router.get("/")
def ep(x=Depends(Provide[Provide[A.b]]), y=Depends(Provide["nothing"]), z=deps.depends(), w=deps2.depends(A),
       v=deps.depends(container)):
    return 1
"""), files=1),
    # A base class named through a later rebinding of its own enclosing class: the walk of bases looped.
    "base-named-through-a-rebinding": Case(lambda r: write(r, "app/rebound.py", (
        "from fastapi import FastAPI, Depends\nclass A:\n    class Inner:\n        pass\nclass B(A.Inner):\n"
        "    pass\nA = B\napp = FastAPI()\n@app.get('/')\ndef ep(y=Depends(B.foo)):\n    return 1\n")), files=1),
    "invalid-escape-under-warnings-as-errors": Case(
        lambda r: write(r, "app/escape.py", 'from fastapi import Depends\npattern = "\\d+"\nx = 1 is 1\n'),
        files=1),
}


def expected_findings(cases: list[Case]) -> list[tuple[str, str, int, int]]:
    found = [PLANTED_FINDING]
    for case in cases:
        found += [("DI000", path, line, column) for path, line, column, _ in case.di000]
        found += case.other
    return sorted(found, key=lambda f: (f[1], f[2], f[3], f[0]))


def di000_message(path: str, reason: str) -> str:
    return reason if reason.startswith("cannot read directory") else f"cannot parse {path}: {reason}"


def assert_clean_run(result: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    # a note (unresolved container references in the strange containers) is information, not a failure
    assert [line for line in result.stderr.splitlines() if not line.startswith("wirelint: note: ")] == [], \
        result.stderr
    assert result.returncode == 1, (result.returncode, result.stderr)


def build(root: Path, names: list[str]) -> list[Case]:
    make_project(root)
    cases = [CASES[name] for name in names]
    for case in cases:
        case.build(root)
    return cases


@pytest.fixture
def restore_permissions(tmp_path):
    yield
    for path in tmp_path.rglob("*"):  # let pytest remove what chmod 000 locked
        if not path.is_symlink():
            path.chmod(0o755)


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_input(name, tmp_path, restore_permissions):
    """JSON (exact findings) and SARIF (valid, the same results), run side by side."""
    (case,) = build(tmp_path, [name])
    if case.unprivileged:
        locked = {"unreadable-file": "app/secret.py", "unreadable-directory": "app/locked"}[name]
        require_unreadable(tmp_path / locked)
    options = ("-W", "error") if name.startswith("invalid-escape") else ()
    prefix = [] if not case.unprivileged or os.geteuid() != 0 else PRIVILEGE_DROP
    runs = {fmt: subprocess.Popen([*prefix, sys.executable, *options, "-m", "wirelint", "check", "app",
                                   *case.paths, "--no-cache", "--format", fmt], cwd=tmp_path, text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE) for fmt in ("json", "sarif")}
    results = {fmt: subprocess.CompletedProcess(process.args, 0, *process.communicate(timeout=120))
               for fmt, process in runs.items()}
    for fmt, process in runs.items():
        results[fmt].returncode = process.returncode
        assert_clean_run(results[fmt])

    document = json.loads(results["json"].stdout)
    found = [(f["code"], f["path"], f["line"], f["column"]) for f in document["findings"]]
    assert found == expected_findings([case])
    messages = {(f["path"], f["line"]): f["message"] for f in document["findings"] if f["code"] == "DI000"}
    assert messages == {(path, line): di000_message(path, reason) for path, line, _, reason in case.di000}
    assert document["summary"]["files"] == BASE_FILES + case.files
    assert document["summary"]["parse_errors"] == len(
        [d for d in case.di000 if not d[3].startswith("cannot read directory")])

    sarif = json.loads(results["sarif"].stdout)
    assert [(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"],
             r["locations"][0]["physicalLocation"]["region"]["startColumn"])
            for r in sarif["runs"][0]["results"]] == [(code, line, column) for code, _, line, column in found]


def test_hostile_inputs_all_at_once_in_every_format(tmp_path, restore_permissions):
    """Every case in one project: the worker pool's path (more than 16 files), the cache written cold and read
    warm, and every output format valid."""
    heavy_or_alone = ("20-mb-generated-file", "generated-data-module-using-fastapi",
                      "invalid-escape-under-warnings-as-errors")
    names = [name for name in CASES if name not in heavy_or_alone]
    cases = build(tmp_path, names)
    privileged = True
    if os.geteuid() == 0 and shutil.which("setpriv") is not None:
        privileged = False  # chmod 000 bites: the unreadable cases report
    elif os.geteuid() == 0:  # root without setpriv reads anything: leave the unreadable cases out
        cases = [case for case in cases if not case.unprivileged]
        shutil.rmtree(tmp_path / "app/locked")
        (tmp_path / "app/secret.py").unlink()
    expected = expected_findings(cases)

    paths = [path for case in cases for path in case.paths]

    def check(*args: str) -> subprocess.CompletedProcess:
        result = wirelint("check", "app", *paths, *args, cwd=tmp_path, privileged=privileged)
        assert_clean_run(result)
        return result

    cold = check("-f", "json", "-j", "2")  # writes the cache
    document = json.loads(cold.stdout)
    assert [(f["code"], f["path"], f["line"], f["column"]) for f in document["findings"]] == expected
    assert document["summary"]["files"] == BASE_FILES + sum(case.files for case in cases)
    assert check("-f", "json").stdout == cold.stdout  # from the cache

    results = json.loads(check("-f", "sarif").stdout)["runs"][0]["results"]
    assert [(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in results] == [
        (code, line) for code, _, line, _ in expected]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert "app/%C3%BCn%C3%AFc%C3%B6d%C3%A9/mod%20with%20space.py" in uris  # a URI, not a raw path
    assert len(json.loads(check("-f", "gitlab").stdout)) == len(expected)
    assert len(check("-f", "github").stdout.splitlines()) == len(expected)
    assert len(check("-f", "concise").stdout.splitlines()) == len(expected) + 1
    check("-f", "junit")
    check("-f", "text")
    graph = wirelint("graph", "app", *paths, cwd=tmp_path, privileged=privileged)
    assert graph.returncode == 0 and graph.stderr == "", graph.stderr
    nodes = {node["id"] for node in json.loads(graph.stdout)["nodes"]}
    assert {"app.planted.a", "app.planted.b", "app.long.big", "app.new_syntax.first", "handler.c",
            "lambdas.b.handler.c"} <= nodes


def test_code_frames_show_the_reported_line_whatever_the_encoding_and_line_breaks(tmp_path):
    cases = build(tmp_path, ["latin-1-with-coding-line", "utf-8-bom", "crlf", "mixed-line-endings",
                             "form-feed-and-unicode-separators"])
    result = wirelint("check", "app", "--no-cache", "--select", "DI001", cwd=tmp_path)
    assert_clean_run(result)
    lines = result.stdout.splitlines()
    frames = {line.split(":")[0]: lines[number + 1] for number, line in enumerate(lines)
              if line.startswith("app/") and ": DI001 " in line}
    assert frames == {
        "app/bom.py": "  4 | def c(x=Depends(c)):",
        "app/crlf.py": "  4 | def c(x=Depends(c)):",
        "app/ff.py": "  4 | def c(x=Depends(c)):",
        "app/latin.py": "  5 | def c(x=Depends(c)):  # café",
        "app/mixed.py": "  4 | def c(x=Depends(c)):",
        "app/planted.py": "  4 | def a(x=Depends(b)):",
    }
    assert len(cases) == 5


def test_inline_suppression_counts_lines_as_python_does(tmp_path):
    """A form feed before the finding must not move the `# wirelint: ignore` lookup to another line."""
    make_project(tmp_path)
    write(tmp_path, "app/ff.py", "from fastapi import Depends\n\x0c\n\ndef c(x=Depends(c)):  # wirelint: ignore\n"
                                 "    return 1\n")
    result = wirelint("check", "app", "--no-cache", "-f", "concise", cwd=tmp_path)
    assert result.stdout.splitlines() == [
        "app/planted.py:4:7: DI001 [dependency-cycle] dependency cycle: app.planted.a -> app.planted.b -> "
        "app.planted.a. FastAPI raises RecursionError when a route depends on any of these; extract what they "
        "share into a provider that depends on neither",
        "Found 1 finding in 3 files (DI001: 1) (1 suppressed inline)."]


def test_named_special_files_are_usage_errors(tmp_path):
    make_project(tmp_path)
    os.mkfifo(tmp_path / "pipe.py")
    result = wirelint("check", "pipe.py", cwd=tmp_path, timeout=30)
    assert (result.returncode, result.stderr.splitlines()) == (2, ["wirelint: error: not a file or directory: pipe.py"])


# --- a file deleted while wirelint runs (API level: the window is between discovery and reading) ----------


@pytest.mark.parametrize("moment", ["after-discovery", "between-the-two-reads"])
def test_file_deleted_during_the_run(moment, tmp_path, monkeypatch):
    from wirelint.analyzer import analyze, project
    from wirelint.report.findings import make_report
    from wirelint.rules import all_rules, run_rules

    make_project(tmp_path)
    doomed = write(tmp_path, "app/doomed.py", SELF_CYCLE)
    monkeypatch.chdir(tmp_path)
    if moment == "after-discovery":
        discover = project.discover

        def discover_then_delete(*args, **kwargs):
            files = discover(*args, **kwargs)
            doomed.unlink()
            return files

        monkeypatch.setattr(project, "discover", discover_then_delete)
    else:  # read once for the content hash, then gone when the worker reads it to parse
        read_source = project.read_source

        def read_then_delete(path):
            data = read_source(path)
            if Path(path) == doomed.absolute():
                doomed.unlink()
            return data

        monkeypatch.setattr(project, "read_source", read_then_delete)
    index = analyze([Path("app")], jobs=1)
    report = make_report(run_rules(index, [rule() for rule in all_rules()]), len(index.sources),
                         len(index.parse_errors))
    assert [(f.code, f.location.path, f.location.line, f.message) for f in report.findings] == [
        ("DI000", "app/doomed.py", 1, "cannot parse app/doomed.py: cannot read: No such file or directory"),
        ("DI001", "app/planted.py", 4, "dependency cycle: app.planted.a -> app.planted.b -> app.planted.a. FastAPI "
                                       "raises RecursionError when a route depends on any of these; extract what "
                                       "they share into a provider that depends on neither"),
    ]
