"""The speed benchmark: wirelint against plain libcst parsing of the same files, measured in one run.

    python bench/run.py                 # 300k-line synthetic project (generated on first use)
    python bench/run.py --lines 50000   # a quick look

Every measurement runs in a fresh subprocess (interpreter start and imports included, as a user sees them);
peak RSS is the child's own (`os.wait4`). Ratios are to the parse-everything time of the same run, so the
numbers compare on any machine. Exit status 1 when a target is missed.
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
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

PARSE_ALL = """
import sys, pathlib, libcst
for path in sorted(pathlib.Path(sys.argv[1]).rglob("*.py")):
    libcst.parse_module(path.read_text(encoding="utf-8"))
"""

TARGETS = {"cold, 1 process": 0.5, "cold, all cores": 0.3, "warm (nothing changed)": 0.05,
           "warm check (lint gate)": 0.1}
RSS_LIMIT_MIB = 1024


def measure(command: list[str]) -> tuple[float, float]:
    """(wall seconds, peak RSS MiB) of a command run to completion; its output is discarded."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    error = process.stderr.read().decode() if process.stderr else ""
    if process.returncode != 0:
        raise SystemExit(f"command failed ({process.returncode}): {' '.join(command)}\n{error}")
    return elapsed, usage.ru_maxrss / 1024


def ensure_project(lines: int, seed: int, work: Path, skip: bool) -> tuple[Path, dict]:
    project = work / "project"
    stamp = work / "stamp.json"
    wanted = {"lines": lines, "seed": seed, "generator": (HERE / "generate.py").stat().st_mtime_ns}
    if skip or (stamp.exists() and json.loads(stamp.read_text()).get("wanted") == wanted and project.exists()):
        return project, json.loads(stamp.read_text())["stats"] if stamp.exists() else {}
    stats = generate(lines, seed, project)
    stamp.write_text(json.dumps({"wanted": wanted, "stats": stats}))
    return project, stats


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=300_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes for the all-cores run")
    parser.add_argument("--skip-generate", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the numbers to this file")
    args = parser.parse_args()

    work = HERE / ".work"
    work.mkdir(exist_ok=True)
    project, stats = ensure_project(args.lines, args.seed, work, args.skip_generate)
    wirelint = [sys.executable, "-m", "wirelint"]

    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="wirelint-bench-") as scratch:
        scratch_path = Path(scratch)
        seconds, rss = measure([sys.executable, "-c", PARSE_ALL, str(project)])
        results["libcst parse of every file"] = {"seconds": seconds, "rss_mib": rss}

        def graph(jobs: int, cache: Path, output: str) -> list[str]:
            return wirelint + ["graph", str(project), "--format", "json", "-o", str(scratch_path / output),
                               "--jobs", str(jobs), "--cache-dir", str(cache)]

        seconds, rss = measure(graph(1, scratch_path / "cache-1", "cold1.json"))
        results["cold, 1 process"] = {"seconds": seconds, "rss_mib": rss}
        seconds, rss = measure(graph(args.jobs, scratch_path / "cache-n", "coldn.json"))
        results["cold, all cores"] = {"seconds": seconds, "rss_mib": rss, "jobs": args.jobs}
        seconds, rss = measure(graph(args.jobs, scratch_path / "cache-n", "warm.json"))
        results["warm (nothing changed)"] = {"seconds": seconds, "rss_mib": rss}

        # One endpoint module edited: the per-file facts cache still serves every other file.
        edited = sorted(project.rglob("routes*.py"))[0]
        original = edited.read_bytes()
        try:
            edited.write_bytes(original + b"\n# edited by the benchmark\n")
            seconds, rss = measure(graph(args.jobs, scratch_path / "cache-n", "edited.json"))
        finally:
            edited.write_bytes(original)
        results["warm, one file edited"] = {"seconds": seconds, "rss_mib": rss}

        # The lint gate on the same warm cache (findings are cached with the graph), and the pictures of a
        # large graph: its module-level overview and one route, as SVG (when dot exists) and HTML.
        check = wirelint + ["check", str(project), "--exit-zero", "-q", "--jobs", str(args.jobs),
                            "--cache-dir", str(scratch_path / "cache-n")]
        seconds, rss = measure(check)
        seconds, rss = measure(check)  # the first check ran the rules; the second is the warm gate
        results["warm check (lint gate)"] = {"seconds": seconds, "rss_mib": rss}
        pictures = wirelint + ["graph", str(project), "--cache-dir", str(scratch_path / "cache-n")]
        seconds, rss = measure(pictures + ["--format", "html", "--collapse", "-o", str(scratch_path / "c.html")])
        results["html, --collapse"] = {"seconds": seconds, "rss_mib": rss}
        seconds, rss = measure(pictures + ["--format", "html", "-o", str(scratch_path / "full.html")])
        results["html, whole graph"] = {"seconds": seconds, "rss_mib": rss}
        if shutil.which("dot"):
            seconds, rss = measure(pictures + ["--format", "svg", "--collapse", "-o", str(scratch_path / "c.svg")])
            results["svg, --collapse"] = {"seconds": seconds, "rss_mib": rss}

        outputs = [(scratch_path / name).read_bytes() for name in ("cold1.json", "coldn.json", "warm.json")]
        identical = len(set(outputs)) == 1
        document = json.loads(outputs[0])

    parse_seconds = results["libcst parse of every file"]["seconds"]
    endpoints = sum(1 for node in document["nodes"] if node["kind"] == "endpoint")
    print(f"project: {project}")
    print(f"files: {stats.get('files', '?')}, lines: {stats.get('lines', '?')}, "
          f"DI modules: {stats.get('di_modules', '?')}")
    print(f"graph: {len(document['nodes'])} nodes ({endpoints} endpoints), {len(document['edges'])} edges; "
          f"cold/warm outputs identical: {'yes' if identical else 'NO'}")
    print()
    print(f"{'measurement':<28} {'seconds':>8} {'ratio':>7} {'target':>7} {'result':>6} {'peak RSS':>10}")
    failed = not identical or not document["nodes"]  # an empty graph means nothing was analyzed
    if not document["nodes"]:
        print("FAIL: the graph is empty, so these times measure no work")
    for name, numbers in results.items():
        ratio = numbers["seconds"] / parse_seconds
        numbers["ratio"] = ratio
        target = TARGETS.get(name)
        verdict = ""
        if target is not None:
            ok = ratio <= target and numbers["rss_mib"] < RSS_LIMIT_MIB
            verdict = "PASS" if ok else "FAIL"
            failed |= not ok
        target_text = f"{target:.2f}x" if target is not None else ""
        print(f"{name:<28} {numbers['seconds']:>8.2f} {ratio:>6.3f}x {target_text:>7} {verdict:>6} "
              f"{numbers['rss_mib']:>7.0f} MiB")
    print()
    print("Each time includes interpreter start-up and imports; ratios are to the parse-everything time above.")
    if args.json:
        args.json.write_text(json.dumps({"stats": stats, "results": results, "identical": identical,
                                         "nodes": len(document["nodes"]), "edges": len(document["edges"]),
                                         "endpoints": endpoints}, indent=2) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
