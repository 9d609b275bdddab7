"""A GraphView as DOT (Graphviz), SVG/PNG (Graphviz's `dot`), Mermaid and a Markdown report: pure functions.

Every label is untrusted text from the analyzed code; the graphviz package quotes DOT strings, and Mermaid
labels go through `mermaid_text`, which leaves no character Mermaid or the Markdown around it interprets.

What a DI container or a composition root builds is purple in every format (CONTAINER_EDGE_ORDER): containers
and their providers have shapes and a lilac fill no FastAPI kind has, `container-resolve` edges are thick and
dashed, `container-binding` edges dotted, `constructor` edges solid and labelled with the parameter; an edge on
a cycle is red whatever made it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import graphviz

from .graph_view import GraphView, ViewEdge, ViewNode, collapse_modules, counted, kind_counts

CYCLE_COLOR = "#dc2626"
FINDING_COLOR = "#b91c1c"

_DOT_STYLES = {
    "endpoint": {"shape": "box", "style": "rounded,filled", "fillcolor": "#dbeafe"},
    "provider": {"shape": "ellipse", "style": "filled", "fillcolor": "#f1f5f9"},
    "factory": {"shape": "ellipse", "style": "filled,dashed", "fillcolor": "#f1f5f9"},
    "class": {"shape": "component", "style": "filled", "fillcolor": "#fef9c3"},
    "instance": {"shape": "hexagon", "style": "filled", "fillcolor": "#fef9c3"},
    "unresolved": {"shape": "note", "style": "filled,dashed", "fillcolor": "#fee2e2", "color": "#b91c1c"},
    "module": {"shape": "folder", "style": "filled", "fillcolor": "#e0e7ff"},
    # what a DI container builds: lilac, in shapes no FastAPI kind has
    "container": {"shape": "cylinder", "style": "filled", "fillcolor": "#ede9fe", "color": "#6d28d9"},
    "container-provider": {"shape": "box3d", "style": "filled", "fillcolor": "#f3e8ff", "color": "#7e22ce"},
}
_MERMAID_SHAPES = {"endpoint": ("[", "]"), "provider": ("(", ")"), "factory": ("(", ")"), "class": ("[[", "]]"),
                   "instance": ("{{", "}}"), "unresolved": (">", "]"), "module": ("[/", "/]"),
                   "container": ("[(", ")]"), "container-provider": ("([", "])")}
_MERMAID_STYLES = {"endpoint": "fill:#dbeafe", "class": "fill:#fef9c3", "instance": "fill:#fef9c3",
                   "unresolved": "fill:#fee2e2,stroke:#b91c1c,stroke-dasharray:4", "module": "fill:#e0e7ff",
                   "container": "fill:#ede9fe,stroke:#6d28d9", "container-provider": "fill:#f3e8ff,stroke:#7e22ce"}
# Edges a DI container or a composition root makes (FastAPI never sees them), one purple each, in the order
# that decides how an edge merging several of them (a collapsed view) is drawn: its label names them all.
CONTAINER_EDGE_ORDER = ("container-resolve", "container-binding", "constructor")
_DOT_CONTAINER_EDGES = {
    "container-resolve": {"color": "#6d28d9", "fontcolor": "#6d28d9", "style": "dashed", "penwidth": "2",
                          "arrowhead": "vee"},
    "container-binding": {"color": "#9333ea", "fontcolor": "#7e22ce", "style": "dotted", "penwidth": "1.5",
                          "arrowhead": "empty"},
    "constructor": {"color": "#7c3aed", "fontcolor": "#6d28d9"},
}
_MERMAID_CONTAINER_ARROWS = {"container-resolve": "==>", "container-binding": "-.->", "constructor": "-->"}
_MERMAID_CONTAINER_LINKS = {"container-resolve": "stroke:#6d28d9",
                            "container-binding": "stroke:#9333ea,stroke-width:2px", "constructor": "stroke:#7c3aed"}
EDGE_LABEL_PARAMETERS = 3  # parameter names a constructor edge's label lists; the rest are counted
GRAPH_FORMATS_NEEDING_DOT = ("svg", "png")
# Mermaid's own defaults, which GitHub keeps: a bigger flowchart shows "Edge limit exceeded" / "Maximum text
# size in diagram exceeded" instead of the picture.
MERMAID_MAX_EDGES = 500
MERMAID_MAX_CHARACTERS = 50_000
MERMAID_LIMITS = f"Mermaid draws at most {MERMAID_MAX_EDGES} edges and {MERMAID_MAX_CHARACTERS:,} characters"
LOOSE_BOX_ID = "wirelint:findings-outside-nodes"  # no node id has this form (ids are dotted names or unresolved:...)
LOOSE_BOX_LINES = 12  # findings listed in the box; the rest are counted


class RenderError(RuntimeError):
    """Rendering needs something the machine does not have (Graphviz's `dot`), or makes a picture bigger than
    what will draw it accepts (Mermaid's limits)."""


def loose_box_lines(view: GraphView) -> list[str]:
    """The lines of the box listing the findings located in no node and no cluster of the picture."""
    loose = view.loose_findings()
    if not loose:
        return []
    lines = [f"{counted(len(loose), 'finding')} outside the drawn nodes"]
    lines += [f"{f.code} {f.name}: {f.path}:{f.line}" for f in loose[:LOOSE_BOX_LINES]]
    if len(loose) > LOOSE_BOX_LINES:
        lines.append(f"and {len(loose) - LOOSE_BOX_LINES} more (wirelint check lists them all)")
    return lines


def cluster_label_lines(name: str, codes: tuple[str, ...]) -> list[str]:
    return [name, "findings: " + ", ".join(codes)] if codes else [name]


def node_lines(node: ViewNode, *, qualified: bool = False) -> list[str]:
    """The label's lines: name, details, then the finding codes."""
    name = node.id if qualified and node.kind not in ("unresolved", "module") else node.label
    lines = [name, *[d for d in node.detail if d]]
    if node.findings:
        lines.append("findings: " + ", ".join(node.findings))
    return lines


def container_via(edge: ViewEdge) -> str | None:
    """The container via an edge is drawn as (CONTAINER_EDGE_ORDER), or None for an edge FastAPI makes."""
    return next((via for via in CONTAINER_EDGE_ORDER if via in edge.vias), None)


def edge_label(edge: ViewEdge) -> str:
    """What an edge's label says: "" for a plain `Depends` parameter, `constructor: repo` for a constructor
    argument, else its vias (`router`, `container-resolve`, `constructor,param` when a collapsed view merges
    several)."""
    if edge.vias == ("param",):
        return ""
    if edge.vias == ("constructor",) and edge.parameters:
        names = list(edge.parameters[:EDGE_LABEL_PARAMETERS])
        if len(edge.parameters) > EDGE_LABEL_PARAMETERS:
            names.append(f"+{len(edge.parameters) - EDGE_LABEL_PARAMETERS}")
        return "constructor: " + ", ".join(names)
    return ",".join(edge.vias)


def _edge_attributes(edge: ViewEdge) -> dict[str, str]:
    attributes = {}
    via = container_via(edge)
    if via is not None:
        attributes.update(_DOT_CONTAINER_EDGES[via], label=edge_label(edge))
    elif edge.vias != ("param",):
        attributes.update(style="dashed", label=edge_label(edge))
    if edge.in_cycle:  # red wins over a container's purple (the line keeps its dashes)
        attributes.update(color=CYCLE_COLOR, penwidth="2", fontcolor=CYCLE_COLOR)
    return attributes


def dot_string(text: str) -> str:
    """A DOT quoted string holding `text` literally: no HTML label, port, escape sequence or line break."""
    text = re.sub(r"[\x00-\x1f\x7f]", " ", text)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _dot_attributes(attributes: dict[str, str]) -> str:
    if not attributes:
        return ""
    return " [" + " ".join(f"{key}={dot_string(value)}" for key, value in attributes.items()) + "]"


def render_dot(view: GraphView) -> str:
    """DOT source: clusters as subgraphs, cycle edges red, nodes with findings outlined red; stable order.

    Written directly rather than through graphviz.Digraph, whose quoting reads `<...>` as an HTML label and
    `a:b` as a node port, and both occur in names from analyzed code (`<lambda>`, `unresolved:` ids)."""
    lines = ["digraph wirelint {",
             f"\tgraph [rankdir=LR fontname=Helvetica labelloc=t label={dot_string(_title(view))}]",
             "\tnode [fontname=Helvetica fontsize=10]",
             "\tedge [fontname=Helvetica fontsize=9]"]

    def node_line(node: ViewNode, indent: str) -> str:
        attributes = dict(_DOT_STYLES.get(node.kind, _DOT_STYLES["provider"]))
        if node.yields and node.kind != "module":
            attributes.update(peripheries="2", color="#0f766e")  # a teardown runs after the response
        attributes["tooltip"] = node.id
        if node.findings:
            attributes.update(color=FINDING_COLOR, penwidth="2", tooltip=f"{node.id}: {' '.join(node.findings)}")
        label = "\\n".join(dot_string(line)[1:-1] for line in node_lines(node, qualified=node.cluster is None))
        return f'{indent}{dot_string(node.id)} [label="{label}" ' + _dot_attributes(attributes)[2:]

    cluster_codes = view.cluster_findings()
    for name, members in view.clusters().items():
        codes = cluster_codes.get(name, ())
        label = "\\n".join(dot_string(line)[1:-1] for line in cluster_label_lines(name, codes))
        outline = f'color="{FINDING_COLOR}" penwidth=2 fontcolor="{FINDING_COLOR}"' if codes else 'color="#cbd5e1"'
        lines.append(f"\tsubgraph {dot_string('cluster_' + name)} {{")
        lines.append(f'\t\tgraph [label="{label}" style="rounded,filled" fillcolor="#f8fafc" {outline} fontsize=11]')
        lines.extend(node_line(node, "\t\t") for node in members)
        lines.append("\t}")
    lines.extend(node_line(node, "\t") for node in view.nodes if node.cluster is None)
    box = loose_box_lines(view)
    if box:  # left-aligned lines (\l) in a note
        label = "".join(dot_string(line)[1:-1] + "\\l" for line in box)
        lines.append(f'\t{dot_string(LOOSE_BOX_ID)} [label="{label}" shape="note" style="filled" '
                     f'fillcolor="#fef2f2" color="{FINDING_COLOR}" penwidth="2" fontcolor="#7f1d1d" '
                     'tooltip="findings in module-level code or in files the picture draws no node of"]')
    for edge in view.edges:
        lines.append(f"\t{dot_string(edge.source)} -> {dot_string(edge.target)}" + _dot_attributes(_edge_attributes(edge)))
    lines.append("}")
    return "\n".join(lines) + "\n"


def _title(view: GraphView) -> str:
    return f"{view.title} ({counted(view.hidden, 'node')} not shown)" if view.hidden else view.title


def render_image(view: GraphView, image_format: str) -> bytes:
    """SVG or PNG bytes laid out by Graphviz's `dot`; RenderError when `dot` is not installed."""
    try:
        return graphviz.Source(render_dot(view)).pipe(format=image_format, quiet=True)
    except graphviz.CalledProcessError as error:
        stderr = (error.stderr or b"").decode("utf-8", "replace").strip().splitlines()
        raise RenderError(f"Graphviz's `dot` failed: {stderr[-1] if stderr else error}") from None
    except graphviz.ExecutableNotFound:
        raise RenderError(
            f"--format {image_format} needs Graphviz's `dot` program, which is not installed "
            "(Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz); "
            "--format dot, mermaid, json and html need nothing else") from None


def mermaid_text(text: str) -> str:
    """Text shown literally in a quoted Mermaid label, which Mermaid renders as HTML: HTML5 named entities.

    Not Mermaid's own `#quot;` codes: Mermaid 11 leaves numeric ones (`#123;`) undecoded in flowchart labels,
    and any `#word;` in the text would be read as one, hence `#` itself becomes `&num;`."""
    entities = {"&": "&amp;", "#": "&num;", '"': "&quot;", "<": "&lt;", ">": "&gt;", "`": "&grave;",
                "\\": "&bsol;"}
    text = re.sub(r"[\x00-\x1f\x7f]", " ", text)
    return "".join(entities.get(character, character) for character in text)


def mermaid_flowchart(view: GraphView) -> str:
    """A Mermaid flowchart of the view, whatever its size; node ids are positional (n0, n1, ...), clusters are
    subgraphs (c0, c1, ...), the box of findings outside the drawn nodes is `nf`."""
    ids = {node.id: f"n{number}" for number, node in enumerate(view.nodes)}
    lines = ["flowchart LR"]

    def node_line(node: ViewNode, indent: str) -> str:
        label = "<br/>".join(mermaid_text(line) for line in node_lines(node, qualified=node.cluster is None))
        left, right = _MERMAID_SHAPES.get(node.kind, ("(", ")"))
        return f'{indent}{ids[node.id]}{left}"{label}"{right}'

    cluster_codes, flagged_clusters = view.cluster_findings(), []
    for number, (name, members) in enumerate(view.clusters().items()):
        # one line: Mermaid leaves no room for a second line of a subgraph's title
        label = mermaid_text(" · ".join(cluster_label_lines(name, cluster_codes.get(name, ()))))
        lines.append(f'    subgraph c{number}["{label}"]')
        lines.extend(node_line(node, "        ") for node in members)
        lines.append("    end")
        if name in cluster_codes:
            flagged_clusters.append(f"c{number}")
    lines.extend(node_line(node, "    ") for node in view.nodes if node.cluster is None)
    box = loose_box_lines(view)
    if box:
        lines.append(f'    nf["{"<br/>".join(mermaid_text(line) for line in box)}"]')
    cycle_links = []
    container_links: dict[str, list[str]] = {}
    for number, edge in enumerate(view.edges):
        via = container_via(edge)
        if via is not None:
            arrow = f"{_MERMAID_CONTAINER_ARROWS[via]}|{mermaid_text(edge_label(edge))}|"
        elif edge.vias == ("param",):
            arrow = "-->"
        else:
            arrow = f"-.->|{mermaid_text(edge_label(edge))}|"
        lines.append(f"    {ids[edge.source]} {arrow} {ids[edge.target]}")
        if edge.in_cycle:
            cycle_links.append(str(number))
        elif via is not None:  # a cycle edge is only red
            container_links.setdefault(via, []).append(str(number))
    for kind, style in _MERMAID_STYLES.items():
        members = [ids[node.id] for node in view.nodes if node.kind == kind]
        if members:
            name = "kind_" + kind.replace("-", "_")
            lines.append(f"    classDef {name} {style}")
            lines.append(f"    class {','.join(members)} {name}")
    yielding = [ids[node.id] for node in view.nodes if node.yields and node.kind != "module"]
    if yielding:
        lines.append("    classDef yields stroke:#0f766e,stroke-width:2px,stroke-dasharray:6 2")
        lines.append(f"    class {','.join(yielding)} yields")
    flagged = [ids[node.id] for node in view.nodes if node.findings]
    if flagged:
        lines.append(f"    classDef finding stroke:{FINDING_COLOR},stroke-width:3px")
        lines.append(f"    class {','.join(flagged)} finding")
    if box:
        lines.append(f"    classDef outside fill:#fef2f2,stroke:{FINDING_COLOR},stroke-width:2px,color:#7f1d1d")
        lines.append("    class nf outside")
    lines.extend(f"    style {cluster} stroke:{FINDING_COLOR},stroke-width:3px" for cluster in flagged_clusters)
    for via in CONTAINER_EDGE_ORDER:
        if via in container_links:
            lines.append(f"    linkStyle {','.join(container_links[via])} {_MERMAID_CONTAINER_LINKS[via]}")
    if cycle_links:
        lines.append(f"    linkStyle {','.join(cycle_links)} stroke:{CYCLE_COLOR},stroke-width:3px")
    return "\n".join(lines) + "\n"


def mermaid_excess(view: GraphView, text: str) -> str | None:
    """How much more than Mermaid draws `text` (the flowchart of `view`) is: "1,027 edges" or
    "61,234 characters" (in UTF-16 code units, as JavaScript counts); None when it fits."""
    if len(view.edges) > MERMAID_MAX_EDGES:
        return counted(len(view.edges), "edge")
    size = len(text.encode("utf-16-le")) // 2
    return counted(size, "character") if size > MERMAID_MAX_CHARACTERS else None


def render_mermaid(view: GraphView) -> str:
    """The Mermaid flowchart GitHub renders; RenderError when it is more than Mermaid draws (GitHub would show
    an error box instead of the picture), naming the options that make it smaller."""
    text = mermaid_flowchart(view)
    excess = mermaid_excess(view, text)
    if excess is None:
        return text
    narrow = "--route 'GET /path' or --focus NAME --depth 2"
    if any(node.kind != "module" for node in view.nodes):
        collapsed = collapse_modules(view)
        if mermaid_excess(collapsed, mermaid_flowchart(collapsed)) is None:
            narrow = f"--collapse (one node per module, {counted(len(collapsed.edges), 'edge')}), {narrow}"
    raise RenderError(f"the Mermaid graph would have {excess}; {MERMAID_LIMITS} (GitHub shows an error instead "
                      f"of the picture): draw less with {narrow}, or use --format html or svg")


def markdown_cell(text: str) -> str:
    """Text for a Markdown table cell: no pipes, newlines or HTML the cell would interpret."""
    text = re.sub(r"[\x00-\x1f\x7f]+", " ", text)
    return (text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
            .replace("`", "\\`").replace("*", "\\*").replace("_", "\\_").replace("[", "\\["))


def _markdown_diagram(view: GraphView) -> list[str]:
    """The graph for a PR comment: the view's flowchart when Mermaid draws it, else one node per module when
    that fits, else a note saying why there is no diagram."""
    text = mermaid_flowchart(view)
    excess = mermaid_excess(view, text)
    summary = "Dependency graph"
    drawn = view
    if excess is not None and any(node.kind != "module" for node in view.nodes):
        collapsed = collapse_modules(view)
        collapsed_text = mermaid_flowchart(collapsed)
        collapsed_excess = mermaid_excess(collapsed, collapsed_text)
        if collapsed_excess is None:
            summary = f"Dependency graph, one node per module (the whole graph, {excess}, is more than Mermaid draws)"
            text, excess, drawn = collapsed_text, None, collapsed
        else:
            excess += f", and {collapsed_excess} with one node per module"
    if excess is not None:
        return [f"No dependency graph: it would have {excess}; {MERMAID_LIMITS} (GitHub shows an error instead). "
                "`wirelint graph --format html` draws it all; `--route` or `--focus` narrow it.", ""]
    key = [CONTAINER_KEY, ""] if any(container_via(edge) for edge in drawn.edges) else []
    return [f"<details><summary>{summary}</summary>", "", "```mermaid", text.rstrip(), "```", "", *key, "</details>",
            ""]


# Under a Markdown diagram with container edges: what their lines mean (Mermaid draws no legend).
CONTAINER_KEY = ("Purple edges are built by a DI container or a composition root, not by FastAPI: thick "
                 "`container-resolve` (code asks a container), dotted `container-binding` (what the container "
                 "builds for a type or provider), solid `constructor` (what an `__init__` parameter receives).")


def container_edge_counts(edges: Iterable[ViewEdge]) -> str:
    """`2 via constructor, 1 via container-resolve`: edges with each container via (CONTAINER_EDGE_ORDER's
    reverse: from the class outwards); "" when there are none."""
    edges = tuple(edges)
    counts = {via: sum(via in edge.vias for edge in edges) for via in reversed(CONTAINER_EDGE_ORDER)}
    return ", ".join(f"{count:,} via {via}" for via, count in counts.items() if count)


def render_markdown(view: GraphView) -> str:
    """A PR-comment report: counts, a findings table, and the graph as a Mermaid block GitHub draws (one node
    per module, or a note, when the whole graph is more than Mermaid draws)."""
    counts: dict[str, int] = {}
    for finding in view.findings:
        counts[finding.code] = counts.get(finding.code, 0) + 1
    cycles = sum(e.in_cycle for e in view.edges)
    out = [f"## {markdown_cell(view.title)}", ""]
    through_containers = container_edge_counts(view.edges)
    out.append(f"{counted(len(view.nodes), 'node')} ({', '.join(kind_counts(view.nodes)) or 'none'}), "
               f"{counted(len(view.edges), 'edge')}" + (f" ({through_containers})" if through_containers else "")
               + f", {cycles} on {'a cycle' if cycles == 1 else 'cycles'}"
               + (f"; {counted(view.hidden, 'node')} not shown" if view.hidden else "") + ".")
    out.append("")
    rows = []
    if view.findings:
        out.append(f"**{counted(len(view.findings), 'finding')}**: "
                   + ", ".join(f"{code} × {count}" for code, count in sorted(counts.items())))
        out += ["", "| code | location | message |", "|---|---|---|"]
        rows = [f"| {finding.code} {markdown_cell(finding.name)} | "
                f"{markdown_cell(finding.path)}:{finding.line} | {markdown_cell(finding.message)} |"
                for finding in view.findings]
    else:
        out.append("No findings.")
    diagram = _markdown_diagram(view)
    size = lambda lines: sum(len(line) + 1 for line in lines)  # noqa: E731
    if size(out) + size(rows) + 1 + size(diagram) <= COMMENT_LIMIT:
        return "\n".join(out + rows + [""] + diagram)
    # Over GitHub's limit for a comment: the findings come first, the diagram goes, then rows if need be.
    note = (f"_The diagram is left out: with it this report would be over GitHub's {COMMENT_LIMIT:,}-character "
            "limit for a comment (`wirelint graph --format html` draws it)._")
    room = COMMENT_LIMIT - size(out) - size([note]) - 1 - 200  # 200: the line that says how many rows are left
    kept = []
    for row in rows:
        if size(kept) + len(row) + 1 > room:
            break
        kept.append(row)
    if len(kept) < len(rows):
        kept.append(f"| … | | {counted(len(rows) - len(kept), 'more finding')} not listed, to stay under GitHub's "
                    f"limit: see `wirelint check --format json` or the SARIF report |")
    return "\n".join(out + kept + [""] + [note, ""])


COMMENT_LIMIT = 65_536  # characters GitHub accepts in an issue or pull-request comment body
