"""The real-world corpus: wirelint on pinned open-source FastAPI projects, compared with reviewed verdicts.

    python bench/realworld/run.py                    # every project of corpus.toml (make realworld)
    python bench/realworld/run.py -p fastapi-users   # one or more projects
    python bench/realworld/run.py --add-unreviewed   # append new findings to the verdict files, for review
    python bench/realworld/run.py --prune            # drop verdicts of findings no longer reported
    python bench/realworld/run.py --record           # also rewrite RESULTS.md with this run's table

Each project's sdist is downloaded once from PyPI's simple index (PEP 691 JSON, the index pip reads) into a
cache outside the repository (`$WIRELINT_CORPUS_DIR`, default `~/.cache/wirelint/realworld`), checked
against the sha256 pinned in corpus.toml, and unpacked there. Nothing is built or installed: `pip download`
would run each sdist's build backend to read its metadata, which is running the project's code, and costs a
minute a project.

wirelint runs on each unpacked tree in a fresh process (`check . --format json --no-cache`), with its wall time
and peak RSS (`os.wait4`: the process and the workers it waited for). Findings are matched to the reviewed
verdicts in `verdicts/<project>.toml` by fingerprint (code, path and the reported line's text). The run
prints the table, precision and recall per rule, new unreviewed findings and lost true positives, and exits 1
when any of these is wrong: an unreviewed finding, a lost true positive, a crash, or a rule under its
precision target.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
import urllib.request
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus.toml"
VERDICTS = HERE / "verdicts"
RESULTS = HERE / "RESULTS.md"
INDEX = "https://pypi.org/simple/{name}/"
VERDICT_KINDS = ("true", "false", "debatable")
# Precision a rule must keep on the corpus (true / (true + false)); debatable findings count on neither side.
PRECISION_TARGET = {"DI006": 0.80}
DEFAULT_PRECISION_TARGET = 0.90
SKIPPED_DIRS = {"__pycache__", "node_modules", "venv", "env", "build", "dist", "site-packages", "__pypackages__"}


@dataclass(frozen=True)
class Project:
    name: str
    version: str
    sha256: str
    notes: str = ""

    @property
    def key(self) -> str:
        return f"{self.name}-{self.version}"


@dataclass
class Verdicts:
    """A project's reviewed findings (by fingerprint) and the positives known from reading its code."""

    findings: dict[str, dict] = field(default_factory=dict)
    known: list[dict] = field(default_factory=list)


@dataclass
class Outcome:
    project: Project
    files: int = 0
    lines: int = 0
    seconds: float = 0.0
    rss_mib: float = 0.0
    status: int = 0
    findings: list[dict] = field(default_factory=list)
    error: str = ""


def cache_root() -> Path:
    return Path(os.environ.get("WIRELINT_CORPUS_DIR") or Path.home() / ".cache" / "wirelint" / "realworld")


def load_corpus() -> list[Project]:
    document = tomllib.loads(CORPUS.read_text(encoding="utf-8"))
    return [Project(**entry) for entry in document["project"]]


# --- download and unpack -----------------------------------------------------------------------------------


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def sdist_entry(project: Project) -> dict:
    """The index's file entry for the project's pinned sdist (matched by its sha256)."""
    request = urllib.request.Request(INDEX.format(name=normalized(project.name)),
                                     headers={"Accept": "application/vnd.pypi.simple.v1+json"})
    with urllib.request.urlopen(request, timeout=120) as response:
        files = json.load(response)["files"]
    for entry in files:
        if entry.get("hashes", {}).get("sha256") == project.sha256:
            return entry
    raise SystemExit(f"{project.key}: the index has no file with sha256 {project.sha256}")


def ensure_sdist(project: Project, root: Path) -> Path:
    folder = root / "sdists"
    folder.mkdir(parents=True, exist_ok=True)
    marker = folder / f"{project.key}.sha256"
    if marker.exists():
        path = folder / marker.read_text().split()[1]
        if path.exists() and _sha256(path) == project.sha256:
            return path
    entry = sdist_entry(project)
    path = folder / entry["filename"]
    print(f"downloading {entry['filename']} ({entry.get('size', 0) / 1e6:.1f} MB)", file=sys.stderr)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".part-")
    try:
        with os.fdopen(handle, "wb") as stream, urllib.request.urlopen(entry["url"], timeout=600) as response:
            shutil.copyfileobj(response, stream)
        if _sha256(Path(temporary)) != project.sha256:
            raise SystemExit(f"{project.key}: downloaded file does not match the pinned sha256")
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)
    marker.write_text(f"{project.sha256} {entry['filename']}\n")
    return path


def ensure_tree(project: Project, root: Path) -> Path:
    """The unpacked sdist (its single top-level folder), unpacked once."""
    tree = root / "src" / project.key
    if (tree / ".unpacked").exists():
        return tree
    sdist = ensure_sdist(project, root)
    shutil.rmtree(tree, ignore_errors=True)
    scratch = Path(tempfile.mkdtemp(dir=root, prefix=".unpack-"))
    try:
        with tarfile.open(sdist) as archive:
            archive.extractall(scratch, filter="data")  # no links out, no absolute paths, no devices
        (top,) = [entry for entry in scratch.iterdir()]
        (top / ".unpacked").write_text(project.sha256 + "\n")
        tree.parent.mkdir(parents=True, exist_ok=True)
        os.replace(top, tree)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return tree


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def python_files(tree: Path):
    for directory, subdirs, files in os.walk(tree):
        subdirs[:] = sorted(d for d in subdirs if not d.startswith(".") and d not in SKIPPED_DIRS)
        for name in sorted(files):
            if name.endswith(".py"):
                yield Path(directory, name)


# --- running wirelint ----------------------------------------------------------------------------------------


def run_wirelint(project: Project, tree: Path, jobs: int) -> Outcome:
    outcome = Outcome(project)
    outcome.lines = sum(path.read_bytes().count(b"\n") for path in python_files(tree))
    command = [sys.executable, "-m", "wirelint", "check", ".", "--format", "json", "--no-cache",
               "--jobs", str(jobs)]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=tree, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        outcome.seconds = time.perf_counter() - start
        outcome.rss_mib = usage.ru_maxrss / 1024
        outcome.status = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode(errors="replace")
    if outcome.status not in (0, 1):
        outcome.error = stderr.strip().splitlines()[-1] if stderr.strip() else f"exit status {outcome.status}"
        return outcome
    document = json.loads(stdout)
    outcome.files = document["summary"]["files"]
    outcome.findings = document["findings"]
    for finding in outcome.findings:
        if finding["code"] == "DI000" and "internal error" in finding["message"]:
            outcome.error = f"{finding['path']}: {finding['message']}"
    add_fingerprints(outcome.findings, tree)
    return outcome


def add_fingerprints(findings: list[dict], tree: Path) -> None:
    """`fingerprint` on each finding: its code, path and the reported line's text (stable across wording and
    column changes), with a counter for identical ones in one file."""
    lines_of: dict[str, list[str]] = {}
    seen: Counter = Counter()
    for finding in findings:
        path = finding["path"]
        if path not in lines_of:
            try:
                lines_of[path] = (tree / path).read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                lines_of[path] = []
        lines = lines_of[path]
        text = lines[finding["line"] - 1].strip() if 0 < finding["line"] <= len(lines) else ""
        base = hashlib.sha1(f"{finding['code']}|{path}|{text}".encode()).hexdigest()[:12]
        seen[base] += 1
        finding["fingerprint"] = base if seen[base] == 1 else f"{base}:{seen[base]}"


# --- verdicts ------------------------------------------------------------------------------------------------


def load_verdicts(project: Project) -> Verdicts:
    path = VERDICTS / f"{project.name}.toml"
    if not path.exists():
        return Verdicts()
    document = tomllib.loads(path.read_text(encoding="utf-8"))
    verdicts = Verdicts()
    for entry in document.get("finding", []):
        if entry.get("verdict") not in VERDICT_KINDS + ("unreviewed",):
            raise SystemExit(f"{path}: verdict must be one of {VERDICT_KINDS}: {entry}")
        if entry["fingerprint"] in verdicts.findings:
            raise SystemExit(f"{path}: fingerprint {entry['fingerprint']} twice")
        verdicts.findings[entry["fingerprint"]] = entry
    verdicts.known = document.get("known", [])
    return verdicts


def _toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def append_unreviewed(project: Project, findings: list[dict]) -> None:
    path = VERDICTS / f"{project.name}.toml"
    path.parent.mkdir(exist_ok=True)
    chunks = [] if path.exists() else [f"# Reviewed findings of wirelint on {project.name} (see ../README.md).\n"]
    for finding in findings:
        chunks.append(
            "\n[[finding]]\n"
            f"fingerprint = {_toml_string(finding['fingerprint'])}\n"
            f"code = {_toml_string(finding['code'])}\n"
            f"path = {_toml_string(finding['path'])}\n"
            f"line = {finding['line']}\n"
            'verdict = "unreviewed"\n'
            f"reason = {_toml_string('wirelint: ' + finding['message'])}\n")
    with open(path, "a", encoding="utf-8") as stream:
        stream.write("".join(chunks))


def write_verdicts(project: Project, verdicts: Verdicts, keep: set[str]) -> None:
    """Rewrite a verdict file with only the finding entries in `keep` (and every known positive): entries of
    findings a fix removed go, so the file stays the review of what wirelint reports now."""
    path = VERDICTS / f"{project.name}.toml"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    header = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        header.append(line)
    chunks = ["\n".join(header or [f"# Reviewed findings of wirelint on {project.name} (see ../README.md)."]) + "\n"]
    for known in verdicts.known:
        chunks.append("\n[[known]]\n" + "".join(f"{key} = {_toml_value(value)}\n" for key, value in known.items()))
    for fingerprint, entry in verdicts.findings.items():
        if fingerprint in keep:
            chunks.append("\n[[finding]]\n" + "".join(f"{key} = {_toml_value(value)}\n"
                                                      for key, value in entry.items()))
    temporary = path.with_suffix(".tmp")
    temporary.write_text("".join(chunks), encoding="utf-8")
    temporary.replace(path)


def _toml_value(value) -> str:
    return str(value) if isinstance(value, int) else _toml_string(str(value))


@dataclass
class Comparison:
    unreviewed: list[dict] = field(default_factory=list)
    lost: list[dict] = field(default_factory=list)  # true verdicts no finding matches any more
    counts: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))  # code -> verdict -> n
    known_found: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))  # code -> found/missed
    missed: list[dict] = field(default_factory=list)


def compare(outcome: Outcome, verdicts: Verdicts, comparison: Comparison) -> None:
    current = {finding["fingerprint"]: finding for finding in outcome.findings}
    for fingerprint, finding in current.items():
        entry = verdicts.findings.get(fingerprint)
        if entry is None or entry["verdict"] == "unreviewed":
            comparison.unreviewed.append({"project": outcome.project.name, **finding})
        else:
            comparison.counts[finding["code"]][entry["verdict"]] += 1
    for fingerprint, entry in verdicts.findings.items():
        if entry["verdict"] == "true" and fingerprint not in current:
            comparison.lost.append({"project": outcome.project.name, **entry})
    for known in verdicts.known:
        found = any(finding["code"] == known["code"] and finding["path"] == known["path"] and (
            finding["line"] == known["line"] or any(
                related["path"] == known["path"] and related["line"] == known["line"]
                for related in finding["related"])) for finding in outcome.findings)
        comparison.known_found[known["code"]]["found" if found else "missed"] += 1
        if not found:
            comparison.missed.append({"project": outcome.project.name, **known})


# --- report --------------------------------------------------------------------------------------------------


def table(outcomes: list[Outcome], codes: list[str]) -> list[str]:
    header = ["project", "version", "files", "lines", *codes, "wall s", "peak RSS MiB", "exit"]
    rows = [header, ["---"] * len(header)]
    totals = Counter()
    for outcome in outcomes:
        by_code = Counter(finding["code"] for finding in outcome.findings)
        totals.update(by_code)
        totals["files"] += outcome.files
        totals["lines"] += outcome.lines
        rows.append([outcome.project.name, outcome.project.version, f"{outcome.files:,}", f"{outcome.lines:,}",
                     *(str(by_code.get(code, 0)) for code in codes), f"{outcome.seconds:.1f}",
                     f"{outcome.rss_mib:.0f}", str(outcome.status) + (" (crash)" if outcome.error else "")])
    rows.append(["total", "", f"{totals['files']:,}", f"{totals['lines']:,}",
                 *(str(totals.get(code, 0)) for code in codes), "", "", ""])
    return ["| " + " | ".join(row) + " |" for row in rows]


def rule_table(comparison: Comparison, codes: list[str]) -> list[str]:
    rows = ["| rule | true | false | debatable | precision | target | known positives found |",
            "|---|---|---|---|---|---|---|"]
    for code in codes:
        counts = comparison.counts.get(code, Counter())
        judged = counts["true"] + counts["false"]
        precision = f"{counts['true'] / judged:.0%}" if judged else "-"
        known = comparison.known_found.get(code, Counter())
        total_known = known["found"] + known["missed"]
        recall = f"{known['found']} of {total_known}" if total_known else "-"
        target = f"{PRECISION_TARGET.get(code, DEFAULT_PRECISION_TARGET):.0%}"
        rows.append(f"| {code} | {counts['true']} | {counts['false']} | {counts['debatable']} | {precision} | "
                    f"{target} | {recall} |")
    return rows


def failures(outcomes: list[Outcome], comparison: Comparison) -> list[str]:
    problems = [f"{o.project.key}: {o.error}" for o in outcomes if o.error]
    if comparison.unreviewed:
        problems.append(f"{len(comparison.unreviewed)} unreviewed findings (review them in verdicts/)")
    if comparison.lost:
        problems.append(f"{len(comparison.lost)} true positives lost")
    for code, counts in sorted(comparison.counts.items()):
        judged = counts["true"] + counts["false"]
        target = PRECISION_TARGET.get(code, DEFAULT_PRECISION_TARGET)
        if judged and counts["true"] / judged < target:
            problems.append(f"{code} precision {counts['true'] / judged:.0%} is under its target {target:.0%}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-p", "--project", action="append", help="only these projects (repeatable)")
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1, help="wirelint --jobs")
    parser.add_argument("--add-unreviewed", action="store_true",
                        help="append findings without a verdict to verdicts/<project>.toml as unreviewed")
    parser.add_argument("--prune", action="store_true",
                        help="drop verdict entries of findings no longer reported (known positives stay)")
    parser.add_argument("--record", action="store_true", help="rewrite RESULTS.md with this run's tables")
    parser.add_argument("--download-only", action="store_true", help="fetch and unpack, run nothing")
    args = parser.parse_args()

    projects = load_corpus()
    if args.project:
        unknown = set(args.project) - {p.name for p in projects}
        if unknown:
            parser.error(f"not in corpus.toml: {', '.join(sorted(unknown))}")
        projects = [p for p in projects if p.name in args.project]
    root = cache_root()
    trees = {project.key: ensure_tree(project, root) for project in projects}
    if args.download_only:
        print("\n".join(str(tree) for tree in trees.values()))
        return 0

    outcomes: list[Outcome] = []
    comparison = Comparison()
    for project in projects:
        print(f"{project.key} ...", file=sys.stderr, flush=True)
        outcome = run_wirelint(project, trees[project.key], args.jobs)
        outcomes.append(outcome)
        verdicts = load_verdicts(project)
        before = len(comparison.unreviewed)
        compare(outcome, verdicts, comparison)
        new = [f for f in comparison.unreviewed[before:] if f["fingerprint"] not in verdicts.findings]
        if args.prune and outcome.status in (0, 1):  # a crashed run reports nothing to compare with
            current = {finding["fingerprint"] for finding in outcome.findings}
            if set(verdicts.findings) - current:
                write_verdicts(project, verdicts, current)
        if args.add_unreviewed and new:
            append_unreviewed(project, new)

    from wirelint.rules import all_rules

    rule_codes = {rule.code for rule in all_rules() if rule.code != "DI000"}
    codes = sorted({f["code"] for o in outcomes for f in o.findings} | set(comparison.known_found) | rule_codes)
    lines = ["## Findings, time and memory", "", *table(outcomes, codes), "",
             "## Precision and recall", "", *rule_table(comparison, codes), ""]
    print("\n".join(lines))
    for finding in comparison.unreviewed:
        print(f"unreviewed: {finding['project']} {finding['path']}:{finding['line']} {finding['code']} "
              f"[{finding['fingerprint']}] {finding['message']}")
    for entry in comparison.lost:
        print(f"lost true positive: {entry['project']} {entry['path']}:{entry['line']} {entry['code']} "
              f"[{entry['fingerprint']}] {entry.get('reason', '')}")
    for entry in comparison.missed:
        print(f"known positive missed: {entry['project']} {entry['path']}:{entry['line']} {entry['code']} "
              f"{entry.get('reason', '')}")
    if args.record:
        write_results(lines, args.jobs, outcomes)
    problems = failures(outcomes, comparison)
    for problem in problems:
        print(f"FAIL: {problem}", file=sys.stderr)
    return 1 if problems else 0


def write_results(lines: list[str], jobs: int, outcomes: list[Outcome]) -> None:
    import platform

    from wirelint import __version__

    head = [
        "# The real-world corpus: results",
        "",
        f"Written by `make realworld` (`python bench/realworld/run.py --record`): wirelint {__version__}, "
        f"`--jobs {jobs}`, cold (`--no-cache`), Python {platform.python_version()}, {os.cpu_count()} cores. "
        "Times and memory vary with the machine; the findings and verdicts do not.",
        "",
    ]
    RESULTS.write_text("\n".join(head + lines), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
