"""Runtime graph mode: the graph FastAPI builds for a running app, as a DependencyGraph.

This IMPORTS AND RUNS the user's code, so it is only reached through the explicit `--app MODULE:ATTR` option,
and the import happens in a child process (`wirelint.runtime.worker`) with the current Python: the app's own
dependencies must be installed there. The static path (analyzer, rules, report) never imports this package.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from ..analyzer.graph import DependencyGraph
from ..analyzer.lifetimes import intrinsic_lifetime, settle_lifetimes
from ..analyzer.models import Edge, Location, Node, RouteInfo

RUNTIME_TIMEOUT_SECONDS = 300


class RuntimeGraphError(Exception):
    """The app could not be imported or built (the message is one line)."""


def runtime_document(reference: str, root: Path) -> dict:
    """The worker's document for `reference` (`pkg.main:app` or `pkg.main:create_app()`), imported from `root`."""
    if ":" not in reference or not reference.partition(":")[0]:
        raise RuntimeGraphError(f"--app {reference!r}: expected MODULE:ATTRIBUTE, e.g. app.main:app")
    handle, output = tempfile.mkstemp(prefix="wirelint-runtime-", suffix=".json")
    os.close(handle)
    try:
        try:
            completed = subprocess.run(
                [sys.executable, "-m", "wirelint.runtime.worker", str(root.absolute()), reference, output],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                timeout=RUNTIME_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            raise RuntimeGraphError(f"importing {reference} took more than {RUNTIME_TIMEOUT_SECONDS} s") from None
        try:
            document = json.loads(Path(output).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            last = (completed.stderr or "").strip().splitlines()
            raise RuntimeGraphError(f"importing {reference} stopped the interpreter (exit code "
                                    f"{completed.returncode}{': ' + last[-1] if last else ''})") from None
    finally:
        Path(output).unlink(missing_ok=True)
    if "error" in document:
        raise RuntimeGraphError(f"could not build {reference}: {document['error'].splitlines()[0]}")
    return document


def _location(path: str | None, line: int | None) -> Location | None:
    if not path or not line:
        return None
    try:
        shown = str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        shown = path
    return Location(Path(shown).as_posix(), line, 1, line, 1)


def graph_from_document(document: dict, reference: str) -> DependencyGraph:
    """A DependencyGraph with the static graph's node ids; `dependencies=[...]` edges have via "dependencies"
    (at run time FastAPI no longer knows whether a decorator, a router, an include or the app declared them)."""
    graph = DependencyGraph()
    for node_id, info in document["nodes"].items():
        graph.add_node(Node(node_id, info["kind"], _location(info.get("path"), info.get("line")),
                            bool(info.get("yields")), info.get("class"),
                            lifetime=intrinsic_lifetime(info["kind"], bool(info.get("cached"))),
                            is_async=info.get("is_async")))
    parameters: dict[tuple[str, str], list[str]] = {}
    for source, target, name in document.get("parameters", ()):
        parameters.setdefault((source, target), []).append(name)
    options: dict[tuple[str, str, str | None], list[tuple[bool, str | None, tuple[str, ...]]]] = {}
    for source, target, name, use_cache, scope, scopes in document.get("options", ()):
        options.setdefault((source, target, name), []).append((use_cache, scope, tuple(scopes)))
    order = document.get("order", {})
    for source, target, kind in document["edges"]:
        position = order.get(source, []).index(target) if target in order.get(source, []) else 0
        for node_id in (source, target):
            if node_id not in graph:
                graph.add_node(Node(node_id, "provider", None, lifetime="request"))
        names = parameters.get((source, target), [None]) if kind == "param" else [None]
        for name in names:
            for use_cache, scope, scopes in options.get((source, target, name), [(True, None, ())]):
                graph.add_edge(Edge(source, target, "param" if kind == "param" else "dependencies", None, name,
                                    use_cache, scope, scopes, position))
    for endpoint, methods, path in document["routes"]:
        if endpoint not in graph:
            graph.add_node(Node(endpoint, "endpoint", None, lifetime="request"))
        graph.add_route(endpoint, RouteInfo(tuple(methods), path, reference))
    settle_lifetimes(graph)
    return graph


def runtime_graph(reference: str, root: Path) -> DependencyGraph:
    """Import the app in a child process and return the graph FastAPI built for it."""
    return graph_from_document(runtime_document(reference, root), reference)
