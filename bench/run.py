"""The speed benchmark: wirelint on real and synthetic projects, next to references measured in the same run.

    python bench/run.py                          # every subject (make bench)
    python bench/run.py --only realworld -p prefect --only synthetic
    python bench/run.py --record                 # also rewrite RESULTS.md and results.json

Subjects: the pinned real-world corpus (bench/realworld/corpus.toml, downloaded once into a cache outside the
repository), a synthetic project of 300k lines (bench/generate.py: about one module in five does DI), and a
DI-dense synthetic one (every module declares routes, providers, services or containers).

Each command runs in a fresh subprocess (interpreter start-up and imports included, as a user sees them) with
its peak RSS from `os.wait4` (the process and the workers it waited for). References, on the same files in the
same run: `ast.parse` of every file in one process, `ruff check --select ALL --no-cache` (all cores), and for
the DI-dense project `libcst.parse_module` of every file. Ratios are to those references, so they compare
across machines; targets and the recorded ratios are in results.json. The run exits 1 when a target is
missed, a ratio is more than 25% worse than the recorded one, or cold, parallel and warm runs disagree.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402


def _realworld():
    """bench/realworld/run.py, the corpus's downloader (imported by path: both scripts are called run.py)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("wirelint_realworld", HERE / "realworld" / "run.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


realworld = _realworld()

RESULTS_JSON = HERE / "results.json"
RESULTS_MD = HERE / "RESULTS.md"
REGRESSION = 1.25  # a ratio this much worse than the recorded one fails the run

# ratio name -> (measurement, reference, target)
TARGETS = {
    "cold -j1 / ast.parse": ("cold -j1", "ast.parse", 2.0),
    "cold -j2 / ast.parse": ("cold -j2", "ast.parse", 1.2),
    "warm / ast.parse": ("warm", "ast.parse", 0.15),
    "one file edited / ast.parse": ("one file edited", "ast.parse", 0.3),
    "cold -j2 / ruff ALL": ("cold -j2", "ruff --select ALL", 2.5),
    "cold -j1 / libcst parse": ("cold -j1", "libcst parse", 0.5),
}
RSS_TARGET_MIB = 300  # peak RSS on the largest corpus project

PARSE_AST = """
import ast, os, sys, warnings
warnings.simplefilter("ignore")
skipped = {"__pycache__", "node_modules", "venv", "env", "build", "dist", "site-packages", "__pypackages__"}
for directory, subdirs, files in os.walk(sys.argv[1]):
    subdirs[:] = sorted(d for d in subdirs if not d.startswith(".") and d not in skipped)
    for name in sorted(files):
        if name.endswith(".py"):
            with open(os.path.join(directory, name), "rb") as handle:
                data = handle.read()
            try:
                ast.parse(data)
            except (SyntaxError, ValueError):
                pass
"""
PARSE_LIBCST = PARSE_AST.replace("import ast,", "import libcst, ast,").replace(
    "ast.parse(data)", "libcst.parse_module(data)").replace("(SyntaxError, ValueError)", "Exception")


@dataclass
class Subject:
    name: str
    tree: Path
    kind: str  # realworld | synthetic | dense
    measurements: dict[str, tuple[float, float]] = field(default_factory=dict)  # name -> (seconds, RSS MiB)
    files: int = 0
    lines: int = 0
    consistent: bool = True


def measure(command: list[str], cwd: Path | None = None) -> tuple[float, float, bytes]:
    """(wall seconds, peak RSS MiB, stdout) of a command run to completion."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read().decode(errors="replace")
    if code not in (0, 1):
        raise SystemExit(f"command failed ({code}): {' '.join(command)}\n{stderr}")
    return elapsed, usage.ru_maxrss / 1024, stdout


def python_files(tree: Path) -> list[Path]:
    return list(realworld.python_files(tree))  # the walk the corpus uses: wirelint's skipped folders


def edit_target(tree: Path) -> Path:
    """The file to edit for the one-file run: the largest that declares dependencies (deterministic)."""
    candidates = [path for path in python_files(tree) if b"Depends(" in path.read_bytes()]
    return max(candidates or python_files(tree), key=lambda path: (path.stat().st_size, str(path)))


def run_subject(subject: Subject, jobs: int, scratch: Path) -> None:
    tree = subject.tree
    files = python_files(tree)
    subject.files, subject.lines = len(files), sum(path.read_bytes().count(b"\n") for path in files)
    python = sys.executable

    def record(name: str, command: list[str], cwd: Path | None = None) -> bytes:
        seconds, rss, stdout = measure(command, cwd)
        subject.measurements[name] = (seconds, rss)
        print(f"  {name:<20} {seconds:8.2f} s {rss:7.0f} MiB", file=sys.stderr, flush=True)
        return stdout

    print(f"{subject.name}: {subject.files} files, {subject.lines:,} lines", file=sys.stderr, flush=True)
    record("ast.parse", [python, "-c", PARSE_AST, str(tree)])
    ruff = shutil.which("ruff") or str(Path(python).with_name("ruff"))
    record("ruff --select ALL", [ruff, "check", "--select", "ALL", "--no-cache", "--exit-zero", "--quiet",
                                 "--output-format", "concise", str(tree)])
    if subject.kind == "dense":
        record("libcst parse", [python, "-c", PARSE_LIBCST, str(tree)])

    def check(jobs_: int, cache: Path) -> list[str]:
        return [python, "-m", "wirelint", "check", ".", "--format", "json", "--exit-zero", "--jobs", str(jobs_),
                "--cache-dir", str(cache)]

    one = record("cold -j1", check(1, scratch / "cache-1"), tree)
    two = record("cold -j2", check(jobs, scratch / "cache-2"), tree)
    warm = record("warm", check(jobs, scratch / "cache-2"), tree)
    subject.consistent = one == two == warm
    edited = edit_target(tree)
    original = edited.read_bytes()
    try:
        edited.write_bytes(original + b"\n\ndef _edited_by_the_benchmark():\n    return None\n")
        record("one file edited", check(jobs, scratch / "cache-2"), tree)
    finally:
        edited.write_bytes(original)


def ratios(subject: Subject) -> dict[str, float]:
    found = {}
    for name, (measurement, reference, _) in TARGETS.items():
        if measurement in subject.measurements and reference in subject.measurements:
            found[name] = subject.measurements[measurement][0] / subject.measurements[reference][0]
    return found


def corpus_subjects(selected: list[str] | None) -> list[Subject]:
    projects = [p for p in realworld.load_corpus() if not selected or p.name in selected]
    return [Subject(project.name, realworld.ensure_tree(project, realworld.cache_root()), "realworld")
            for project in projects]


def synthetic_subject(kind: str, lines: int, work: Path) -> Subject:
    folder = work / kind
    stamp = work / f"{kind}.stamp"
    wanted = json.dumps({"lines": lines, "generator": (HERE / "generate.py").stat().st_mtime_ns})
    if not (stamp.exists() and stamp.read_text() == wanted and folder.exists()):
        generate(lines, 0, folder, dense=kind == "dense")
        stamp.write_text(wanted)
    return Subject(f"synthetic ({kind})" if kind == "dense" else "synthetic", folder, kind)


def table(subjects: list[Subject]) -> list[str]:
    names = ["ast.parse", "ruff --select ALL", "libcst parse", "cold -j1", "cold -j2", "warm", "one file edited"]
    rows = ["| subject | files | lines | " + " | ".join(f"{n} s" for n in names) + " | peak RSS MiB |",
            "|---" * (len(names) + 4) + "|"]
    for s in subjects:
        cells = [f"{s.measurements[n][0]:.2f}" if n in s.measurements else "" for n in names]
        rss = max(rss for _, rss in s.measurements.values())
        rows.append(f"| {s.name} | {s.files:,} | {s.lines:,} | " + " | ".join(cells) + f" | {rss:.0f} |")
    return rows


def with_total(subjects: list[Subject]) -> list[Subject]:
    """The subjects, and for the corpus a subject summing its projects' times (ratios of the sums)."""
    corpus = [s for s in subjects if s.kind == "realworld"]
    if len(corpus) < 2:
        return subjects
    total = Subject(CORPUS_TOTAL, Path(), "realworld")
    for s in corpus:
        for name, (seconds, rss) in s.measurements.items():
            old = total.measurements.get(name, (0.0, 0.0))
            total.measurements[name] = (old[0] + seconds, max(old[1], rss))
    return [*subjects, total]


CORPUS_TOTAL = "corpus (sum of times)"


def ratio_table(subjects: list[Subject], recorded: dict) -> tuple[list[str], list[str]]:
    """The ratios per subject and over the whole corpus, with their targets; and the failures."""
    rows = ["| subject | " + " | ".join(TARGETS) + " |", "|---" * (len(TARGETS) + 1) + "|"]
    failures = []
    lines: list[tuple[str, dict[str, float]]] = [(s.name, ratios(s)) for s in with_total(subjects)]
    for name, found in lines:
        cells = []
        for ratio_name, (_, _, target) in TARGETS.items():
            value = found.get(ratio_name)
            if value is None:
                cells.append("")
                continue
            mark = ""
            # Targets hold for the corpus as a whole and the synthetic projects; a small project's ratios are
            # dominated by interpreter start-up and are shown, not gated.
            if value > target and name in (CORPUS_TOTAL, "synthetic", "synthetic (dense)"):
                mark = " FAIL"
                failures.append(f"{name}: {ratio_name} = {value:.2f}x, target {target}x")
            before = recorded.get(name, {}).get(ratio_name)
            if before and value > before * REGRESSION:
                mark += " REGRESSED"
                failures.append(f"{name}: {ratio_name} = {value:.2f}x, recorded {before:.2f}x (> +25%)")
            cells.append(f"{value:.2f}x{mark}")
        rows.append(f"| {name} | " + " | ".join(cells) + " |")
    rows.append("| target | " + " | ".join(f"{target}x" for _, _, target in TARGETS.values()) + " |")
    return rows, failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", action="append", choices=["realworld", "synthetic", "dense"])
    parser.add_argument("-p", "--project", action="append", help="corpus projects (default: all)")
    parser.add_argument("--jobs", type=int, default=2, help="processes of the parallel runs (default 2)")
    parser.add_argument("--lines", type=int, default=300_000, help="lines of the synthetic project")
    parser.add_argument("--dense-lines", type=int, default=100_000, help="lines of the DI-dense project")
    parser.add_argument("--record", action="store_true", help="rewrite RESULTS.md and results.json")
    args = parser.parse_args()
    kinds = args.only or ["realworld", "synthetic", "dense"]
    work = HERE / ".work"
    work.mkdir(exist_ok=True)
    subjects: list[Subject] = []
    if "realworld" in kinds:
        subjects += corpus_subjects(args.project)
    if "synthetic" in kinds:
        subjects.append(synthetic_subject("synthetic", args.lines, work))
    if "dense" in kinds:
        subjects.append(synthetic_subject("dense", args.dense_lines, work))
    for subject in subjects:
        with tempfile.TemporaryDirectory(prefix="wirelint-bench-") as scratch:
            run_subject(subject, args.jobs, Path(scratch))

    recorded = json.loads(RESULTS_JSON.read_text()).get("ratios", {}) if RESULTS_JSON.exists() else {}
    ratio_rows, failures = ratio_table(subjects, recorded)
    failures += [f"{s.name}: cold -j1, cold -j{args.jobs} and warm findings differ" for s in subjects
                 if not s.consistent]
    largest = max((s for s in subjects if s.kind == "realworld"), key=lambda s: s.lines, default=None)
    if largest is not None:
        peak = max(largest.measurements[name][1] for name in ("cold -j1", "cold -j2"))
        if peak > RSS_TARGET_MIB:
            failures.append(f"{largest.name}: wirelint's peak RSS {peak:.0f} MiB (target {RSS_TARGET_MIB} MiB)")
    lines = ["## Times", "", *table(subjects), "", "## Ratios", "", *ratio_rows, ""]
    print("\n".join(lines))
    for failure in failures:
        print(f"FAIL: {failure}", file=sys.stderr)
    if args.record:
        write_results(lines, subjects, args.jobs)
    return 1 if failures else 0


def write_results(lines: list[str], subjects: list[Subject], jobs: int) -> None:
    import platform

    from wirelint import __version__

    document = json.loads(RESULTS_JSON.read_text()) if RESULTS_JSON.exists() else {}
    recorded = document.setdefault("ratios", {})
    for subject in with_total(subjects):
        recorded[subject.name] = {name: round(value, 3) for name, value in ratios(subject).items()}
    RESULTS_JSON.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")
    head = [
        "# Benchmark results",
        "",
        f"Written by `make bench` (`python bench/run.py --record`): wirelint {__version__}, Python "
        f"{platform.python_version()}, {os.cpu_count()} cores, parallel runs with `--jobs {jobs}`. Seconds vary "
        "with the machine; the ratios to the references measured in the same run are what the targets check.",
        "",
    ]
    RESULTS_MD.write_text("\n".join(head + lines), encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
