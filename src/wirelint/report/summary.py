"""A human summary of an analyzed project: its routes, what each endpoint depends on, what stayed unresolved."""

from __future__ import annotations

from collections import Counter
from io import StringIO

from rich.console import Console
from rich.table import Table

from ..analyzer.project import ProjectIndex


def render_summary(index: ProjectIndex, *, color: bool = False, width: int = 120) -> str:
    """Routes with their direct dependencies, node counts by kind, unresolved nodes and parse errors."""
    graph = index.graph
    buffer = StringIO()
    console = Console(file=buffer, force_terminal=color, no_color=not color, width=width, highlight=False)
    routes = Table(title="Routes", title_justify="left", show_lines=False)
    routes.add_column("methods")
    routes.add_column("path")
    routes.add_column("endpoint")
    routes.add_column("depends on (direct)")
    rows = []
    for endpoint in graph.endpoints():
        dependencies = ", ".join(graph.dependencies_of(endpoint.id)) or "-"
        for route in graph.routes_of(endpoint.id):
            rows.append((route.path, ",".join(route.methods), endpoint.id, dependencies, route.app))
    for path, methods, endpoint_id, dependencies, _app in sorted(rows):
        routes.add_row(methods, path, endpoint_id, dependencies)
    console.print(routes)
    kinds = Counter(node.kind for node in graph.nodes())
    console.print(
        f"{len(index.modules)} files ({index.line_count} lines), "
        f"{len(graph)} nodes ({', '.join(f'{count} {kind}' for kind, count in sorted(kinds.items()))}), "
        f"{len(graph.edges())} edges"
    )
    cycles = list(graph.cycles())
    for cycle in cycles:
        console.print(f"cycle: {' -> '.join(cycle + [cycle[0]])}")
    for node in graph.unresolved():
        where = f"{node.location.path}:{node.location.line}" if node.location else "?"
        console.print(f"unresolved at {where}: {node.reason}")
    for facts in index.parse_errors:
        console.print(f"parse error in {facts.path}:{facts.parse_error.line}: {facts.parse_error.message}")
    return buffer.getvalue()
