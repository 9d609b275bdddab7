"""The speed benchmark: wirelint against plain libcst parsing of the same files, measured in one run.

    python bench/run.py                 # the 300k-line synthetic project (generated on first use)
    python bench/run.py --lines 50000   # a quick look

Every measurement runs in a fresh subprocess, one after the other, on the same files:

  parse-all        a child that imports libcst, then reads every .py file and calls `libcst.parse_module` on
                   it, sequentially; the time is the child's own clock around that loop (interpreter start-up
                   and `import libcst` excluded), and it is the denominator of every ratio
  cold, 1 process  `wirelint graph PROJECT --format json -o FILE --jobs 1 --cache-dir <fresh empty dir>`
  cold, all cores  the same with `--jobs <cpu count>` and another fresh cache dir
  warm             the all-cores command again, its cache now filled, nothing changed
  warm, 1 edit     the same after appending a comment to one router module (informational, no target)

wirelint times are the wall time of the whole command as a user sees it (start-up and imports included).
Peak memory is reported twice: the largest single process (`ru_maxrss` from `os.wait4`, which on Linux covers
the child and every descendant it reaped) and the whole process tree's proportional set size (PSS, summed over
the command and its worker processes, sampled every 0.1 s). Both must stay under 1 GiB.

Exit status: 0 when every target is met, 1 when one is missed, 2 when wirelint itself fails.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate, trips_prefilter  # noqa: E402

PARSE_ALL = r"""
import json, os, sys, time
import libcst
root = sys.argv[1]
paths = sorted(os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs if f.endswith(".py"))
start = time.perf_counter()
for path in paths:
    with open(path, encoding="utf-8") as handle:
        libcst.parse_module(handle.read())
print(json.dumps({"files": len(paths), "seconds": time.perf_counter() - start}))
"""

RATIO_TARGETS = {"cold, 1 process": 0.5, "cold, all cores": 0.3, "warm (nothing changed)": 0.05}
RSS_LIMIT_MIB = 1024


class ToolFailed(Exception):
    pass


class TreeMemory(threading.Thread):
    """Samples the summed PSS (or RSS where PSS is unreadable) of a process and all its descendants."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak_kib = 0
        self.stop = threading.Event()

    def descendants(self) -> list[int]:
        found, queue = [], [self.pid]
        while queue:
            pid = queue.pop()
            found.append(pid)
            try:
                for task in os.listdir(f"/proc/{pid}/task"):
                    with open(f"/proc/{pid}/task/{task}/children") as handle:
                        queue += [int(child) for child in handle.read().split()]
            except OSError:
                continue
        return found

    @staticmethod
    def memory_kib(pid: int) -> int:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as handle:
                for line in handle:
                    if line.startswith("Pss:"):
                        return int(line.split()[1])
        except OSError:
            pass
        try:
            with open(f"/proc/{pid}/statm") as handle:
                return int(handle.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
        except OSError:
            return 0

    def run(self) -> None:
        while not self.stop.is_set():
            total = sum(self.memory_kib(pid) for pid in self.descendants())
            self.peak_kib = max(self.peak_kib, total)
            self.stop.wait(self.interval)


def measure(command: list[str], cwd: Path, scratch: Path) -> dict:
    """Run `command` to completion: wall seconds, peak RSS of its largest process, peak PSS of its tree, stdout."""
    out_path, err_path = scratch / "stdout.txt", scratch / "stderr.txt"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=err)
        sampler = TreeMemory(process.pid)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        sampler.stop.set()
        sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise ToolFailed(f"command failed with exit status {process.returncode}:\n  {' '.join(command)}\n"
                         f"--- stderr ---\n{err_path.read_text(errors='replace')}")
    return {"seconds": elapsed, "max_rss_mib": usage.ru_maxrss / 1024, "tree_pss_mib": sampler.peak_kib / 1024,
            "stdout": out_path.read_text(errors="replace")}


def project_stats(project: Path) -> dict:
    files = lines = di = 0
    for directory, _, names in os.walk(project):
        for name in names:
            if name.endswith(".py"):
                data = Path(directory, name).read_bytes()
                files += 1
                lines += data.count(b"\n")
                di += trips_prefilter(data)
    return {"files": files, "lines": lines, "di_modules": di}


def ensure_project(lines: int, seed: int, work: Path, skip: bool) -> Path:
    project = work / "project"
    stamp = work / "stamp.json"
    if skip:
        if not project.is_dir():
            raise SystemExit(f"--skip-generate, but there is no project at {project}")
        return project
    wanted = {"lines": lines, "seed": seed,
              "generator": hashlib.sha256((HERE / "generate.py").read_bytes()).hexdigest()}
    try:
        current = json.loads(stamp.read_text())
    except (OSError, ValueError):
        current = None
    if current == wanted and project.is_dir():
        return project
    print(f"generating a {lines:,}-line project into {project} ...", flush=True)
    stamp.unlink(missing_ok=True)
    generate(lines, seed, project)
    stamp.write_text(json.dumps(wanted) + "\n")
    return project


def wirelint_executable() -> str:
    candidate = Path(sys.executable).parent / "wirelint"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("wirelint")
    if found is None:
        print(f"no wirelint executable next to {sys.executable} nor on PATH", file=sys.stderr)
        raise SystemExit(2)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=300_000, help="size of the generated project (default 300000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes for the all-cores runs")
    parser.add_argument("--skip-generate", action="store_true", help="use bench/.work/project as it is")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the numbers to FILE")
    args = parser.parse_args()

    work = HERE / ".work"
    work.mkdir(exist_ok=True)
    project = ensure_project(args.lines, args.seed, work, args.skip_generate)
    stats = project_stats(project)
    generated_endpoints = sum(path.read_text().count("@router.") for path in project.rglob("*.py"))
    wirelint = wirelint_executable()
    print(f"project: {project}")
    print(f"files: {stats['files']:,}   lines: {stats['lines']:,}   DI modules: {stats['di_modules']:,} "
          f"({stats['di_modules'] / max(stats['files'], 1):.1%})   cpu count: {os.cpu_count()}   "
          f"--jobs for all cores: {args.jobs}", flush=True)

    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="wirelint-bench-") as scratch_name:
        scratch = Path(scratch_name)  # also the working directory: no pyproject.toml above it to configure wirelint

        def graph(jobs: int, cache: Path, output: str) -> list[str]:
            cache.mkdir(exist_ok=True)
            return [wirelint, "graph", str(project), "--format", "json", "-o", str(scratch / output),
                    "--jobs", str(jobs), "--cache-dir", str(cache)]

        def step(name: str, command: list[str]) -> dict:
            print(f"  {name} ...", end=" ", flush=True)
            numbers = measure(command, scratch, scratch)
            numbers.pop("stdout")
            print(f"{numbers['seconds']:.2f} s", flush=True)
            results[name] = numbers
            return numbers

        print("measuring (each in a fresh subprocess):", flush=True)
        print("  parse-all ...", end=" ", flush=True)
        parse = measure([sys.executable, "-c", PARSE_ALL, str(project)], scratch, scratch)
        inner = json.loads(parse.pop("stdout"))
        parse["process_seconds"] = parse["seconds"]
        parse["seconds"] = inner["seconds"]
        print(f"{parse['seconds']:.2f} s parsing ({parse['process_seconds']:.2f} s for the whole process)", flush=True)
        results["parse-all (libcst)"] = parse
        if inner["files"] != stats["files"]:
            print(f"warning: parse-all saw {inner['files']} files, the project has {stats['files']}", file=sys.stderr)

        try:
            step("cold, 1 process", graph(1, scratch / "cache-1", "cold1.json"))
            step("cold, all cores", graph(args.jobs, scratch / "cache-n", "coldn.json"))
            step("warm (nothing changed)", graph(args.jobs, scratch / "cache-n", "warm.json"))
            edited = sorted(project.glob("bigapp/api/v1/*/*.py"))
            edited = next(path for path in edited if path.name not in ("__init__.py", "deps.py", "router.py"))
            original = edited.read_bytes()
            try:
                edited.write_bytes(original + b"\n# edited by the benchmark\n")
                step("warm, one file edited", graph(args.jobs, scratch / "cache-n", "edited.json"))
            finally:
                edited.write_bytes(original)
        except ToolFailed as failure:
            print(f"\nwirelint failed; no speed numbers.\n{failure}", file=sys.stderr)
            return 2

        outputs = {name: (scratch / name).read_bytes() for name in ("cold1.json", "coldn.json", "warm.json")}
        identical = len(set(outputs.values())) == 1
        try:
            document = json.loads(outputs["cold1.json"])
        except ValueError as error:
            print(f"wirelint wrote a graph that is not JSON: {error}", file=sys.stderr)
            return 2

    parse_seconds = results["parse-all (libcst)"]["seconds"]
    endpoints = sum(1 for node in document["nodes"] if node["kind"] == "endpoint")
    print()
    print(f"graph: {len(document['nodes']):,} nodes ({endpoints:,} endpoints; the generator wrote "
          f"{generated_endpoints:,} @router.<method> endpoints), {len(document['edges']):,} edges; "
          f"cold and warm outputs byte-identical: {'yes' if identical else 'NO'}")
    print()
    header = (f"{'measurement':<26} {'seconds':>8} {'ratio':>8} {'target':>8} {'result':>6}   "
              f"{'max RSS':>9} {'tree PSS':>9}")
    print(header)
    print("-" * len(header))
    failed = not identical
    for name, numbers in results.items():
        ratio = numbers["seconds"] / parse_seconds
        numbers["ratio"] = ratio
        target = RATIO_TARGETS.get(name)
        verdict = ""
        if target is not None:
            numbers["target"] = target
            numbers["pass"] = ratio <= target
            verdict = "PASS" if numbers["pass"] else "FAIL"
            failed |= not numbers["pass"]
        target_text = f"<={target:.2f}x" if target is not None else ("1x" if name.startswith("parse") else "info")
        print(f"{name:<26} {numbers['seconds']:>8.2f} {ratio:>7.3f}x {target_text:>8} {verdict:>6}   "
              f"{numbers['max_rss_mib']:>5.0f} MiB {numbers['tree_pss_mib']:>5.0f} MiB")
    wirelint_runs = [numbers for name, numbers in results.items() if not name.startswith("parse")]
    peak = max(max(n["max_rss_mib"], n["tree_pss_mib"]) for n in wirelint_runs)
    rss_ok = peak < RSS_LIMIT_MIB
    failed |= not rss_ok
    print(f"{'peak memory, any run':<26} {peak:>8.0f} {'MiB':>8} {'<1024':>8} {'PASS' if rss_ok else 'FAIL':>6}")
    print()
    print(f"parse-all: {parse_seconds:.2f} s of read + libcst.parse_module in one process, timed inside the child "
          f"(start-up and `import libcst` excluded; the whole child took "
          f"{results['parse-all (libcst)']['process_seconds']:.2f} s). wirelint: wall time of the whole command.")
    if not identical:
        print("FAIL: the cold and warm graphs differ, so the cache changes results.")

    if args.json:
        args.json.write_text(json.dumps({
            "project": str(project), "seed": args.seed, "requested_lines": args.lines, "jobs": args.jobs,
            "cpu_count": os.cpu_count(), **stats, "results": results, "peak_memory_mib": peak,
            "memory_limit_mib": RSS_LIMIT_MIB, "outputs_identical": identical, "graph_nodes": len(document["nodes"]),
            "graph_edges": len(document["edges"]), "graph_endpoints": endpoints, "passed": not failed,
        }, indent=2) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
