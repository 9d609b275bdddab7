"""The `wirelint` command: graph, check, demo.

Exit codes: 0 clean, 1 findings, 2 usage, configuration or internal error (one line on stderr).
"""

from __future__ import annotations

import os
import shutil
import signal
import stat
import sys
import tempfile
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

app = typer.Typer(
    name="wirelint",
    help="Static analysis of FastAPI dependency injection: the real Depends graph, and DI anti-patterns.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        from .. import __version__

        typer.echo(f"wirelint {__version__}")
        raise typer.Exit(0)


@app.callback()
def _options(version: Annotated[bool, typer.Option(
        "--version", callback=_print_version, is_eager=True, help="Print the version and exit.")] = False) -> None:
    """Static analysis of FastAPI dependency injection: the real Depends graph, and DI anti-patterns."""

DEFAULT_CACHE_DIR = Path(".wirelint_cache")
LARGE_GRAPH = 150  # nodes: above this, `graph` suggests a focus or --collapse


class GraphFormat(str, Enum):
    json = "json"
    dot = "dot"
    svg = "svg"
    png = "png"
    mermaid = "mermaid"
    markdown = "markdown"
    html = "html"
    tree = "tree"


class ClusterMode(str, Enum):
    module = "module"
    router = "router"
    none = "none"


class CheckFormat(str, Enum):
    text = "text"
    concise = "concise"
    json = "json"
    sarif = "sarif"
    github = "github"
    junit = "junit"
    gitlab = "gitlab"


def fail(message: str) -> typer.Exit:
    """Print one clear line on stderr and return the exit to raise (code 2)."""
    typer.echo(f"wirelint: error: {message}", err=True)
    return typer.Exit(2)


def write_output(text: str | bytes, output: Path | None) -> None:
    """Write to stdout (no file, or `-`), to a stream such as /dev/stdout or a FIFO, or atomically to a file:
    through a temporary beside it and a rename, so that the file is never half-written, a symbolic link keeps
    pointing at it and an existing file keeps its permissions. Any failure is one line and exit 2."""
    data = text if isinstance(text, bytes) else text.encode("utf-8")
    if output is None or str(output) == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    try:
        mode = os.stat(output).st_mode
    except OSError:
        mode = None
    if mode is not None and stat.S_ISDIR(mode):
        raise fail(f"cannot write {output}: it is a directory")
    if mode is not None and not stat.S_ISREG(mode):  # a device, a FIFO, /dev/stdout: not a file to replace
        try:
            with open(output, "wb") as stream:
                stream.write(data)
        except OSError as error:
            raise fail(f"cannot write {output}: {error.strerror}") from None
        return
    target = Path(os.path.realpath(output))
    if not target.parent.is_dir():
        raise fail(f"output directory does not exist: {output.parent}")
    temporary = None
    try:
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        # mkstemp's 0600 is for the temporary, not the result
        os.chmod(temporary, stat.S_IMODE(mode) if mode is not None else 0o666 & ~_umask())
        os.replace(temporary, target)
    except BaseException as error:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise fail(f"cannot write {output}: {error.strerror or error}") from None
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


PathsArgument = Annotated[
    Optional[list[Path]], typer.Argument(help="Files or directories to analyze (default: the current directory).")
]
JobsOption = Annotated[
    Optional[int], typer.Option("--jobs", "-j", min=1, help="Processes used for parsing (default: all cores).")
]
FileTimeoutOption = Annotated[float, typer.Option(
    "--file-timeout", min=0, metavar="SECONDS",
    help="Longest one file may take to parse; a file that takes longer is reported as DI000 (0: no limit).")]
NoCacheOption = Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the facts cache.")]
CacheDirOption = Annotated[Optional[Path], typer.Option(
    "--cache-dir", help="Where facts, the graph and findings are cached (default: .wirelint_cache in the project "
                        "root).")]
ProjectRootOption = Annotated[Optional[Path], typer.Option(
    "--project-root", help="The project the paths belong to, analyzed as a whole (default: the nearest folder "
                           "above them with pyproject.toml, setup.cfg or .git).")]
ConfigOption = Annotated[Optional[Path], typer.Option(
    "--config", help="Read [tool.wirelint] from this file (default: the nearest pyproject.toml that has it, from "
                     "the paths upwards).")]


AppOption = Annotated[Optional[str], typer.Option(
    "--app", help="IMPORTS AND RUNS your app (opt-in): MODULE:ATTR such as app.main:app or app.main:create_app(), "
                  "for the graph exactly as FastAPI builds it.")]
AppRootOption = Annotated[Path, typer.Option("--app-root", help="Where --app's module is imported from.")]


def load_runtime_graph(reference: str, root: Path):
    """The graph FastAPI builds for a running app (imported in a child process); errors are one line."""
    from ..runtime import RuntimeGraphError, runtime_graph

    typer.echo(f"wirelint: importing {reference} to read the graph FastAPI builds (--app runs your code; "
               "wirelint's static analysis never does)", err=True)
    try:
        return runtime_graph(reference, root)
    except RuntimeGraphError as error:
        raise fail(str(error)) from None


def run_analysis(paths: list[Path] | None, jobs: int | None, no_cache: bool, cache_dir: Path | None, config,
                 force_exclude: bool = False, file_timeout: float = 60.0, project_root: Path | None = None):
    """Analyze the project the paths belong to (the paths select what is reported)."""
    from ..analyzer import analyze
    from ..analyzer.discovery import DiscoveryError

    paths = paths or [Path(".")]
    root = resolve_project_root(paths, project_root)
    if cache_dir is None:
        cache_dir = root / DEFAULT_CACHE_DIR
    try:
        index = analyze(paths, jobs=jobs, cache_dir=None if no_cache else cache_dir, exclude=config.exclude,
                        respect_gitignore=config.respect_gitignore, force_exclude=force_exclude,
                        file_timeout=file_timeout or None, root=root)
    except DiscoveryError as error:
        raise fail(str(error)) from None
    if not index.selected and not force_exclude:
        typer.echo(f"wirelint: warning: no Python files found in {', '.join(str(p) for p in paths or ['.'])} "
                   "(all excluded, or none there)", err=True)
    return index


@app.command()
def graph(
    paths: PathsArgument = None,
    format: Annotated[GraphFormat, typer.Option("--format", "-f", help="Output format.")] = GraphFormat.json,
    output: Annotated[Optional[Path], typer.Option("--output", "--output-file", "-o",
                                                   help="Write to this file.")] = None,
    route: Annotated[Optional[str], typer.Option(
        "--route", help="Only what serves this route: 'GET /items/{item_id}' or '/items'.")] = None,
    focus: Annotated[Optional[str], typer.Option(
        "--focus", help="Only this node (qualified name, or a unique last part) and what it depends on.")] = None,
    depth: Annotated[Optional[int], typer.Option("--depth", min=0, help="Steps from --focus/--route.")] = None,
    reverse: Annotated[bool, typer.Option("--reverse", help="With --focus/--route: who depends on it.")] = False,
    hide_unresolved: Annotated[bool, typer.Option("--hide-unresolved", help="Leave unresolved nodes out.")] = False,
    cluster: Annotated[ClusterMode, typer.Option(
        "--cluster", help="Group nodes by module, by the router serving them, or not at all.")] = ClusterMode.none,
    collapse: Annotated[bool, typer.Option(
        "--collapse", help="One node per module: the shape of a large app at a glance.")] = False,
    no_findings: Annotated[bool, typer.Option("--no-findings", help="Do not run the rules to mark findings.")] = False,
    app_reference: AppOption = None,
    app_root: AppRootOption = Path("."),
    jobs: JobsOption = None,
    file_timeout: FileTimeoutOption = 60.0,
    no_cache: NoCacheOption = False,
    cache_dir: CacheDirOption = None,
    project_root: ProjectRootOption = None,
    config_file: ConfigOption = None,
) -> None:
    """Build the Depends graph FastAPI would build, from source only, and print or write it.

    Cycles are drawn in red and nodes with findings are marked (svg, png, dot, mermaid, markdown, html)."""
    from ..report.graph_json import render_graph_json
    from ..report.graph_text import RenderError, render_dot, render_image, render_markdown, render_mermaid
    from ..report.graph_view import ViewError, build_view

    if format in (GraphFormat.png,) and output is None and sys.stdout.isatty():
        raise fail("--format png writes binary data: give --output FILE")
    findings = []
    within: set[str] | None = None  # the nodes to draw, when only part of the project is asked about
    if app_reference is not None:
        if paths:
            raise fail("--app builds the graph of a running app: give no PATHS with it")
        dependency_graph = load_runtime_graph(app_reference, app_root)
        modules: list[str] = []
        title = f"wirelint: {app_reference} (as FastAPI built it at run time)"
    else:
        config = read_config(paths, config_file)
        index = run_analysis(paths, jobs, no_cache, cache_dir, config, file_timeout=file_timeout,
                             project_root=project_root)
        dependency_graph, modules = index.graph, list(index.sources)
        within = index.selected_graph_nodes()  # part of a project: what those files declare, and its dependencies
        if not no_findings and format not in (GraphFormat.json, GraphFormat.tree):
            findings = list(build_report(index, select_rules(None, None, config), config).findings)
        # `.` says nothing in a picture's title: name the folder it is
        title = "wirelint: " + ", ".join(Path.cwd().name if str(p) in (".", "./") else str(p)
                                         for p in (paths or [Path(".")]))
    if format is GraphFormat.tree:
        write_tree(dependency_graph, modules, output, route=route, focus=focus, depth=depth, reverse=reverse,
                   within=within)
        return
    if format is GraphFormat.json and not (route or focus or reverse or hide_unresolved or collapse
                                           or depth is not None):
        write_output(render_graph_json(dependency_graph, within), output)
        return
    try:
        view = build_view(dependency_graph, findings, modules=modules, title=title, route=route,
                          focus=focus, depth=depth, reverse=reverse, hide_unresolved=hide_unresolved,
                          cluster=cluster.value, collapse=collapse, within=within)
    except ViewError as error:
        raise fail(str(error)) from None
    try:
        if format is GraphFormat.json:
            if collapse:
                raise fail("--collapse draws a picture; --format json always lists every callable")
            shown = None if len(view.nodes) == len(dependency_graph) else {node.id for node in view.nodes}
            text: str | bytes = render_graph_json(dependency_graph, shown)
        elif format is GraphFormat.dot:
            text = render_dot(view)
        elif format in (GraphFormat.svg, GraphFormat.png):
            text = render_image(view, format.value)
        elif format is GraphFormat.mermaid:
            text = render_mermaid(view)
        elif format is GraphFormat.markdown:
            text = render_markdown(view)
        else:
            from ..report.graph_html import render_html

            text = render_html(view.to_dict())
    except RenderError as error:
        raise fail(str(error)) from None
    write_output(text, output)
    if len(view.nodes) > LARGE_GRAPH and not (route or focus or collapse):
        typer.echo(f"wirelint: hint: {len(view.nodes)} nodes in one picture; --collapse (one node per module), "
                   "--route 'GET /path' or --focus NAME --depth 2 make it readable", err=True)


def write_tree(graph, modules: list[str], output: Path | None, **options) -> None:
    """Each route's resolution tree: coloured on a terminal, plain text into a pipe or a file."""
    from ..report.graph_tree import render_tree_rich, render_tree_text, tree_lines
    from ..report.graph_view import ViewError

    try:
        lines = tree_lines(graph, modules=modules, **options)
    except ViewError as error:
        raise fail(str(error)) from None
    if (output is None or str(output) == "-") and sys.stdout.isatty():
        from rich.console import Console

        render_tree_rich(lines, Console())
        return
    write_output(render_tree_text(lines), output)


def _codes(values: list[str] | None, option: str) -> list[str]:
    codes = []
    for value in values or []:
        parts = [part.strip().upper() for part in value.split(",")]
        if not all(parts):
            raise fail(f"{option}: empty rule code in {value!r} (it would match every rule)")
        codes.extend(parts)
    return codes


def select_rules(select: list[str] | None, ignore: list[str] | None, config=None,
                 extend_select: list[str] | None = None):
    """Rule instances for --select/--extend-select/--ignore over the config (codes or prefixes such as DI00).

    As in ruff, the command line is a layer over the configuration: `--select` replaces the configured
    selection and its ignores, `--extend-select` turns rules on even when the configuration ignores them, and
    `--ignore` turns rules off last."""
    from ..rules import all_rules

    rules = all_rules()
    known = [rule.code for rule in rules]
    selected, extended, ignored = (_codes(select, "--select"), _codes(extend_select, "--extend-select"),
                                   _codes(ignore, "--ignore"))
    for code in selected + extended + ignored:
        if not any(k.startswith(code) for k in known):
            raise fail(f"unknown rule code {code!r} (see `wirelint rules`)")
    def matching(prefixes) -> set[str]:
        return {code for code in known if any(code.startswith(prefix) for prefix in prefixes)}

    if selected:
        chosen = matching(selected)
    else:
        chosen = matching(config.select) if config and config.select else set(known)
        chosen -= matching(config.ignore if config else ())
    chosen = (chosen | matching(extended)) - matching(ignored)
    options = config.rule_options if config else {}
    return [rule(options.get(rule.code)) for rule in rules if rule.code in chosen]


def resolve_project_root(paths: list[Path], project_root: Path | None) -> Path:
    """`--project-root` (which must be a folder holding the paths), else the root found above the paths."""
    from ..analyzer.discovery import project_root as find_root

    if project_root is None:
        return find_root(paths)
    root = project_root.absolute()
    if not root.is_dir():
        raise fail(f"--project-root {project_root}: not a directory")
    outside = [str(path) for path in paths if not path.absolute().is_relative_to(root)]
    if outside:
        raise fail(f"--project-root {project_root} does not hold {', '.join(outside)}")
    return root


def read_config(paths: list[Path] | None = None, config_file: Path | None = None):
    """The [tool.wirelint] configuration: `--config FILE`, else the nearest pyproject.toml that has the table,
    from the analyzed paths upwards (as ruff finds it); a bad one is a usage error."""
    from ..analyzer.discovery import common_folder
    from ..rules import all_rules
    from .config import ConfigError, find_pyproject, load_config

    if config_file is not None and not config_file.is_file():
        raise fail(f"--config {config_file}: no such file")
    try:
        start = common_folder([path for path in paths or [Path(".")] if path.exists()] or [Path(".")])
        return load_config(config_file or find_pyproject(start), all_rules())
    except ConfigError as error:
        raise fail(str(error)) from None


def build_report(index, rules, config=None):
    """Run the rules (or reuse their findings from the cache when no file, rule or option changed) and
    apply per-file ignores and inline suppressions."""
    from ..report.findings import make_report
    from ..rules import run_rules

    cached = key = None
    if index.cache is not None and index.run_key is not None:
        key = index.run_key + "|" + repr([(rule.code, sorted(rule.settings.items())) for rule in rules])
        cached = index.cache.load_result(key, "findings.pickle")
    if cached is None:
        # The paths of files that do not parse, kept with the findings: a warm run then loads no facts.
        cached = run_rules(index, rules), tuple(facts.path for facts in index.parse_errors)
        if key is not None:
            index.cache.store_result(key, cached, "findings.pickle")
    # The whole project is analyzed; the paths asked about select what is reported.
    found, unparsed = cached
    findings = [f for f in found if index.is_selected(f.location.path)]
    if config is not None and config.per_file_ignores:
        findings = [f for f in findings if not config.ignored_in(f.location.path, f.code)]
    files = len(index.selected) if index.selected is not None else len(index.sources)
    return make_report(findings, files, sum(1 for path in unparsed if index.is_selected(path)))


@app.command()
def check(
    paths: PathsArgument = None,
    format: Annotated[CheckFormat, typer.Option("--format", "-f", help="Output format.")] = CheckFormat.text,
    output_file: Annotated[Optional[Path], typer.Option("--output", "--output-file", "-o",
                                                        help="Write to this file.")] = None,
    select: Annotated[Optional[list[str]], typer.Option("--select", help="Only these codes (comma-separated).")] = None,
    ignore: Annotated[Optional[list[str]], typer.Option("--ignore", help="Skip these codes (comma-separated).")] = None,
    extend_select: Annotated[Optional[list[str]], typer.Option(
        "--extend-select", help="Add these codes to the selection (comma-separated).")] = None,
    exit_zero: Annotated[bool, typer.Option("--exit-zero", help="Exit 0 even when there are findings.")] = False,
    statistics: Annotated[bool, typer.Option("--statistics", help="Print counts per code instead of findings.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No summary line; only findings.")] = False,
    baseline: Annotated[Optional[Path], typer.Option(
        "--baseline", help="Hide the findings this baseline file records; report only new ones.")] = None,
    write_baseline: Annotated[Optional[Path], typer.Option(
        "--write-baseline", help="Record every current finding in this file (and exit 0).")] = None,
    force_exclude: Annotated[bool, typer.Option(
        "--force-exclude", help="Apply exclude and .gitignore to files named on the command line too.")] = False,
    fix: Annotated[bool, typer.Option("--fix", help="Rewrite the code of fixable findings (safe fixes only), "
                                                     "then report what is left.")] = False,
    unsafe_fixes: Annotated[bool, typer.Option(
        "--unsafe-fixes", help="With --fix or --diff, also apply the fixes that change behaviour on purpose.")] = False,
    diff: Annotated[bool, typer.Option("--diff", help="Print the fixes as a unified diff and write nothing; exit 1 "
                                                       "when there is something to fix.")] = False,
    app_reference: AppOption = None,
    app_root: AppRootOption = Path("."),
    jobs: JobsOption = None,
    file_timeout: FileTimeoutOption = 60.0,
    no_cache: NoCacheOption = False,
    cache_dir: CacheDirOption = None,
    project_root: ProjectRootOption = None,
    config_file: ConfigOption = None,
) -> None:
    """Report dependency-injection anti-patterns. Exit 0 clean, 1 findings, 2 usage or internal error."""
    from .. import __version__
    from ..report.findings import (
        render_concise,
        render_github,
        render_gitlab,
        render_json,
        render_junit,
        render_sarif,
        render_statistics,
        render_text,
    )

    from ..report.baseline import BaselineError, apply_baseline, parse_baseline, render_baseline

    config = read_config(paths, config_file)
    rules = select_rules(select, ignore, config, extend_select)
    entries = None
    if baseline is not None and write_baseline is None:
        try:
            entries = parse_baseline(baseline.read_text(encoding="utf-8"))
        except OSError as error:
            raise fail(f"cannot read the baseline {baseline}: {error.strerror}") from None
        except (BaselineError, UnicodeDecodeError) as error:
            raise fail(f"{baseline}: {error}") from None
    index = run_analysis(paths, jobs, no_cache, cache_dir, config, force_exclude, file_timeout, project_root)
    report = build_report(index, rules, config)
    for path, line, code in report.unknown_suppressions:
        typer.echo(f"wirelint: warning: {path}:{line}: '# wirelint: ignore[...]' names {code!r}, which is not a "
                   "rule code (see `wirelint rules`); it suppresses nothing", err=True)
    hidden = unresolved_container_references(index.graph)
    if hidden:  # "All clear" must not hide that the rules could not see behind a container
        typer.echo(f"wirelint: note: {hidden} container reference{'s' if hidden != 1 else ''} could not be "
                   "resolved statically, so the rules do not see what they provide (`wirelint graph --format "
                   "json` lists each unresolved node with its reason)", err=True)
    if write_baseline is not None:
        write_output(render_baseline(report), write_baseline)
        count = len(report.findings)
        typer.echo(f"wirelint: recorded {count} finding{'s' if count != 1 else ''} in {write_baseline}", err=True)
        return

    def baselined(index, report):
        if entries is None:
            return report
        # Entries for files or rules outside this run are neither matched nor fixed: a run on part of the
        # project must not advise rewriting the baseline without them.
        analyzed = {source.display for source in index.sources.values() if index.is_selected(source.display)}
        analyzed.update(path for path, _ in index.unreadable_directories)
        codes = {rule.code for rule in rules}
        return apply_baseline(report, entries, lambda code, path: code in codes and path in analyzed
                              and not config.ignored_in(path, code))

    report = baselined(index, report)

    def analyze_again():
        again = run_analysis(paths, jobs, no_cache, cache_dir, config, force_exclude, file_timeout, project_root)
        return again, baselined(again, build_report(again, rules, config))

    report, fixed, reanalyzed = apply_fixes(report, fix, unsafe_fixes, diff, analyze_again)
    index = reanalyzed or index
    if format is CheckFormat.sarif:
        root_uri = Path.cwd().absolute().as_uri() + "/"
        text = render_sarif(report, [type(rule) for rule in rules], root_uri, __version__)
    elif statistics and format in (CheckFormat.text, CheckFormat.concise):
        text = render_statistics(report)
    elif format is CheckFormat.text:
        color = output_file is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        text = render_text(report, summary=not quiet, color=color)
    elif format is CheckFormat.concise:
        text = render_concise(report, summary=not quiet)
    else:
        renderer = {CheckFormat.json: render_json, CheckFormat.github: render_github,
                    CheckFormat.junit: lambda r: render_junit(r, [rule.code for rule in rules]),
                    CheckFormat.gitlab: render_gitlab}
        text = renderer[format](report)
    if app_reference is not None:
        from ..runtime.crosscheck import cross_check, render_cross_check

        within = index.selected_graph_nodes()
        static = index.graph if within is None else index.graph.subgraph(within)
        section = render_cross_check(cross_check(static, load_runtime_graph(app_reference, app_root), app_reference))
        if format in (CheckFormat.text, CheckFormat.concise):
            text += "\n" + section
        else:
            typer.echo(section, err=True, nl=False)  # machine formats stay parseable on stdout
    write_output(text, output_file)
    if fixed:
        typer.echo(f"wirelint: fixed {fixed} finding{'s' if fixed != 1 else ''}", err=True)
    if report.findings and not exit_zero:
        raise typer.Exit(1)


# The codes src/wirelint/fixes.py rewrites (a test keeps the two equal).
FIXABLE_CODES = frozenset({"DI007", "DI010"})


def apply_fixes(report, fix: bool, unsafe: bool, diff: bool, analyze_again):
    """`--diff`: print what the fixes would change and exit. `--fix`: rewrite the files (atomically), analyze
    again and return the report of what is left, the number of findings fixed and the new index. Without
    either: mark the report's fixable findings."""
    import dataclasses

    if not any(finding.code in FIXABLE_CODES for finding in report.findings):
        if diff:
            typer.echo("wirelint: 0 fixes in 0 files (nothing written)", err=True)
            raise typer.Exit(0)
        return report, 0, None  # libcst (0.17 s to import) is loaded only when something can be fixed
    from ..fixes import plan_fixes

    def read(path: str) -> str | None:
        try:
            with open(path, encoding="utf-8", newline="") as stream:
                return stream.read()
        except (OSError, UnicodeDecodeError):
            return None

    plans, applicability = plan_fixes(report.findings, read, unsafe)
    if diff:
        for plan in plans:
            typer.echo(plan.diff(), nl=False)
        count = sum(len(plan.fixed) for plan in plans)
        typer.echo(f"wirelint: {count} fix{'es' if count != 1 else ''} in {len(plans)} "
                   f"file{'s' if len(plans) != 1 else ''} (nothing written)", err=True)
        raise typer.Exit(1 if plans else 0)
    if fix and plans:
        for plan in plans:
            write_output(plan.after.encode("utf-8"), Path(plan.path))
        reanalyzed, after = analyze_again()
        fixed = len(report.findings) - len(after.findings)
        _, applicability = plan_fixes(after.findings, read, unsafe)
        report = after
    else:
        fixed, reanalyzed = 0, None
    marked = tuple(dataclasses.replace(f, fixable=applicability[f]) if f in applicability else f
                   for f in report.findings)
    return dataclasses.replace(report, findings=marked), max(fixed, 0), reanalyzed


@app.command("rules")
def list_rules() -> None:
    """List every rule: code, name, default severity and summary."""
    from ..rules import all_rules

    for rule in all_rules():
        typer.echo(f"{rule.code}  {rule.name:<28} {rule.severity:<8} {rule.summary}")


@app.command()
def explain(
    code: Annotated[str, typer.Argument(help="A rule code such as DI001, or its name.")],
    examples: Annotated[bool, typer.Option("--examples", help="Also show the snippets the rule is tested on: "
                                                              "what it flags and the look-alikes it leaves alone.")] = False,
) -> None:
    """Explain a rule: what it flags, why it hurts, an example and the fix (with --examples, the tested cases)."""
    from ..rules import all_rules
    from ..rules.base import Invalid

    wanted = code.strip()
    rule = next((r for r in all_rules() if wanted.upper() == r.code or wanted.lower() == r.name), None)
    if rule is None:
        raise fail(f"unknown rule {code!r} (see `wirelint rules`)")
    parts = [f"# {rule.code} {rule.name} ({rule.severity})", "", rule.summary, "", rule.explanation.rstrip()]
    if rule.options:
        parts += ["", "## Options"]
        parts += [f"- `{option.name}` (default {option.default!r}): {option.help}" for option in rule.options]
    sections = (("## Flagged (from the test suite)", rule.invalid),
                ("## Left alone (from the test suite)", rule.valid)) if examples else ()
    if not examples:
        parts += ["", f"`wirelint explain {rule.code} --examples` shows the {len(rule.invalid)} flagged and "
                      f"{len(rule.valid)} left-alone snippets it is tested on."]
    for title, cases in sections:
        parts += ["", title]
        for example in cases:
            files = example.files if isinstance(example.files, dict) else {"app.py": example.files}
            lines = ""
            if isinstance(example, Invalid):
                lines = " — reported at " + ", ".join(f"{path}:{line}" for path, line in example.expected())
            for path, source in files.items():
                parts += ["", f"`{path}`{lines}", "```python", source.rstrip(), "```"]
                lines = ""
    text = "\n".join(parts) + "\n"
    if sys.stdout.isatty() and "NO_COLOR" not in os.environ:
        from rich.console import Console
        from rich.markdown import Markdown

        Console().print(Markdown(text))
    else:
        sys.stdout.write(text)


def render_lessons(report) -> str:
    """For each rule the demo found: why it hurts and what to write instead, from the rule's own docs."""
    from ..rules import rule_by_code

    out = ["", "Lessons (`wirelint explain CODE` for the whole text, `--examples` for the tested cases):"]
    for code in report.by_code:
        rule = rule_by_code(code)
        sections = {part.split("\n", 1)[0].strip(): part.split("\n", 1)[1].strip()
                    for part in rule.explanation.split("## ")[1:] if "\n" in part}
        why = sections.get("Why is this bad?", "").split("\n\n")[0].replace("\n", " ")
        out += ["", f"{code} {rule.name}: {rule.summary}", f"  Why: {why}", "  Use instead:"]
        out += [f"    {line}" for line in sections.get("Use instead", "").splitlines()]
    return "\n".join(out) + "\n"


def sample_app_source() -> Path | None:
    """The sample app: next to the package in a clone, or bundled inside it in a wheel."""
    package = Path(__file__).resolve().parents[1]
    for candidate in (package / "_sample_app", package.parents[1] / "sample_app"):
        if (candidate / "main.py").is_file():
            return candidate
    return None


@app.command()
def demo(
    output_dir: Annotated[Path, typer.Option("--output-dir", "-o", help="Where to write the sample app's graph.")] = Path(
        "out"),
) -> None:
    """Analyze the bundled sample app: print its routes, findings and lessons, and draw its graph.

    Writes sample_app.svg (when Graphviz's dot is installed), sample_app.html (interactive, works offline)
    and sample_app.graph.json."""
    from ..report.findings import render_text
    from ..report.graph_html import render_html
    from ..report.graph_json import render_graph_json
    from ..report.graph_text import RenderError, render_image
    from ..report.graph_view import build_view
    from ..report.summary import render_summary

    source = sample_app_source()
    if source is None:
        raise fail("the bundled sample app is missing from this installation")
    from ..analyzer import analyze

    color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
    cwd = Path.cwd()
    with tempfile.TemporaryDirectory(prefix="wirelint-demo-") as workdir:
        # Analyze a copy named `sample_app/`, so module names and paths read as in the repository, whether
        # wirelint runs from a clone or from an installed wheel.
        shutil.copytree(source, Path(workdir) / "sample_app",
                        ignore=shutil.ignore_patterns("__pycache__", "*.db", ".wirelint_cache"))
        os.chdir(workdir)
        try:
            index = analyze([Path("sample_app")], cache_dir=None)
            summary = render_summary(index, color=color)
            report = build_report(index, select_rules(None, None))
            findings = render_text(report, color=color) + render_lessons(report)
            graph_json = render_graph_json(index)
            view = build_view(index.graph, report.findings, modules=list(index.modules),
                              title="wirelint demo: sample_app", cluster="module")
        finally:
            os.chdir(cwd)
    sys.stdout.write(summary)
    typer.echo("\nFindings (`wirelint check sample_app`):\n")
    sys.stdout.write(findings)
    if not output_dir.is_dir():
        try:
            output_dir.mkdir(parents=True)
        except OSError as error:
            raise fail(f"cannot create {output_dir}: {error.strerror}") from None
    written = []
    try:
        write_output(render_image(view, "svg"), output_dir / "sample_app.svg")
        written.append(f"{output_dir / 'sample_app.svg'} (the picture; red edges are the cycle, red outlines findings)")
    except RenderError:
        typer.echo("\n(no SVG: Graphviz's dot is not installed; the HTML page below needs nothing)")
    write_output(render_html(view.to_dict()), output_dir / "sample_app.html")
    written.append(f"{output_dir / 'sample_app.html'} (interactive: open it in a browser, click a node or a finding)")
    write_output(graph_json, output_dir / "sample_app.graph.json")
    written.append(f"{output_dir / 'sample_app.graph.json'} (the graph as data)")
    typer.echo("\nGraph written to:\n" + "\n".join(f"  {line}" for line in written))


def unresolved_container_references(graph) -> int:
    """Dependencies a container provides (`deps.depends(X)`, `Provide[...]`) that static analysis could not
    follow."""
    if graph is None:
        return 0
    return sum(1 for edge in graph.edges()
               if edge.via == "container-resolve" and graph.node(edge.target).kind == "unresolved")


class _Stopped(BaseException):
    """SIGINT or SIGTERM, raised where the program is so that `finally` blocks run: temporaries are removed,
    workers stopped. Not a KeyboardInterrupt, which typer would turn into a silent exit code."""


def _stop(signum, frame) -> None:
    raise _Stopped(signum)


def main() -> None:
    from typer.exceptions import TyperException

    signal.signal(signal.SIGTERM, _stop)
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # not when started with SIGINT ignored
        signal.signal(signal.SIGINT, _stop)
    try:
        result = app(standalone_mode=False, prog_name="wirelint")
    except typer.Abort:
        typer.echo("wirelint: aborted", err=True)
        raise SystemExit(130) from None
    except TyperException as error:  # bad option or argument: one line, exit 2
        command = error.ctx.command_path if getattr(error, "ctx", None) else "wirelint"
        typer.echo(f"{command}: error: {error.format_message()} (see --help)", err=True)
        raise SystemExit(2) from None
    except _Stopped as stopped:
        (number,) = stopped.args
        typer.echo(f"wirelint: {'interrupted' if number == signal.SIGINT else 'terminated'}", err=True)
        raise SystemExit(128 + number) from None
    except Exception as error:  # a bug in wirelint: one line, exit 2, never a traceback wall in CI logs
        typer.echo(f"wirelint: internal error: {type(error).__name__}: {error}", err=True)
        if os.environ.get("WIRELINT_DEBUG"):
            raise
        raise SystemExit(2) from None
    raise SystemExit(result if isinstance(result, int) else 0)
