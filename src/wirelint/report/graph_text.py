"""A GraphView as DOT (Graphviz), SVG/PNG (Graphviz's `dot`), Mermaid and a Markdown report: pure functions.

Every label is untrusted text from the analyzed code; the graphviz package quotes DOT strings, and Mermaid
labels go through `mermaid_text`, which leaves no character Mermaid or the Markdown around it interprets.
"""

from __future__ import annotations

import re

import graphviz

from .graph_view import GraphView, ViewEdge, ViewNode, safe_identifier

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
}
_MERMAID_SHAPES = {"endpoint": ("[", "]"), "provider": ("(", ")"), "factory": ("(", ")"), "class": ("[[", "]]"),
                   "instance": ("{{", "}}"), "unresolved": (">", "]"), "module": ("[/", "/]")}
_MERMAID_STYLES = {"endpoint": "fill:#dbeafe", "class": "fill:#fef9c3", "instance": "fill:#fef9c3",
                   "unresolved": "fill:#fee2e2,stroke:#b91c1c,stroke-dasharray:4", "module": "fill:#e0e7ff"}
GRAPH_FORMATS_NEEDING_DOT = ("svg", "png")


class RenderError(RuntimeError):
    """Rendering needs something the machine does not have (Graphviz's `dot`)."""


def node_lines(node: ViewNode, *, qualified: bool = False) -> list[str]:
    """The label's lines: name, details, then the finding codes."""
    name = node.id if qualified and node.kind not in ("unresolved", "module") else node.label
    lines = [name, *[d for d in node.detail if d]]
    if node.findings:
        lines.append("findings: " + ", ".join(node.findings))
    return lines


def _edge_attributes(edge: ViewEdge) -> dict[str, str]:
    attributes = {}
    if edge.vias != ("param",):
        attributes.update(style="dashed", label=",".join(edge.vias))
    if edge.in_cycle:
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

    for name, members in view.clusters().items():
        lines.append(f"\tsubgraph {dot_string('cluster_' + name)} {{")
        lines.append(f"\t\tgraph [label={dot_string(name)} style=\"rounded,filled\" fillcolor=\"#f8fafc\" "
                     "color=\"#cbd5e1\" fontsize=11]")
        lines.extend(node_line(node, "\t\t") for node in members)
        lines.append("\t}")
    lines.extend(node_line(node, "\t") for node in view.nodes if node.cluster is None)
    for edge in view.edges:
        lines.append(f"\t{dot_string(edge.source)} -> {dot_string(edge.target)}" + _dot_attributes(_edge_attributes(edge)))
    lines.append("}")
    return "\n".join(lines) + "\n"


def _title(view: GraphView) -> str:
    return f"{view.title} ({view.hidden} nodes not shown)" if view.hidden else view.title


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


def render_mermaid(view: GraphView) -> str:
    """A Mermaid flowchart GitHub renders; node ids are positional (n0, n1, ...), clusters are subgraphs."""
    ids = {node.id: f"n{number}" for number, node in enumerate(view.nodes)}
    lines = ["flowchart LR"]

    def node_line(node: ViewNode, indent: str) -> str:
        label = "<br/>".join(mermaid_text(line) for line in node_lines(node, qualified=node.cluster is None))
        left, right = _MERMAID_SHAPES.get(node.kind, ("(", ")"))
        return f'{indent}{ids[node.id]}{left}"{label}"{right}'

    for number, (name, members) in enumerate(view.clusters().items()):
        lines.append(f'    subgraph c{number}["{mermaid_text(name)}"]')
        lines.extend(node_line(node, "        ") for node in members)
        lines.append("    end")
    lines.extend(node_line(node, "    ") for node in view.nodes if node.cluster is None)
    cycle_links = []
    for number, edge in enumerate(view.edges):
        arrow = "-->" if edge.vias == ("param",) else f"-.->|{mermaid_text(','.join(edge.vias))}|"
        lines.append(f"    {ids[edge.source]} {arrow} {ids[edge.target]}")
        if edge.in_cycle:
            cycle_links.append(str(number))
    for kind, style in _MERMAID_STYLES.items():
        members = [ids[node.id] for node in view.nodes if node.kind == kind]
        if members:
            lines.append(f"    classDef kind_{kind} {style}")
            lines.append(f"    class {','.join(members)} kind_{kind}")
    yielding = [ids[node.id] for node in view.nodes if node.yields and node.kind != "module"]
    if yielding:
        lines.append("    classDef yields stroke:#0f766e,stroke-width:2px,stroke-dasharray:6 2")
        lines.append(f"    class {','.join(yielding)} yields")
    flagged = [ids[node.id] for node in view.nodes if node.findings]
    if flagged:
        lines.append(f"    classDef finding stroke:{FINDING_COLOR},stroke-width:3px")
        lines.append(f"    class {','.join(flagged)} finding")
    if cycle_links:
        lines.append(f"    linkStyle {','.join(cycle_links)} stroke:{CYCLE_COLOR},stroke-width:3px")
    return "\n".join(lines) + "\n"


def markdown_cell(text: str) -> str:
    """Text for a Markdown table cell: no pipes, newlines or HTML the cell would interpret."""
    text = re.sub(r"[\x00-\x1f\x7f]+", " ", text)
    return (text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
            .replace("`", "\\`").replace("*", "\\*").replace("_", "\\_").replace("[", "\\["))


def render_markdown(view: GraphView) -> str:
    """A PR-comment report: counts, a findings table, and the graph as a Mermaid block GitHub draws."""
    counts: dict[str, int] = {}
    for finding in view.findings:
        counts[finding.code] = counts.get(finding.code, 0) + 1
    kinds: dict[str, int] = {}
    for node in view.nodes:
        kinds[node.kind] = kinds.get(node.kind, 0) + 1
    out = [f"## {markdown_cell(view.title)}", ""]
    out.append(f"{len(view.nodes)} nodes ({', '.join(f'{n} {k}' for k, n in sorted(kinds.items())) or 'none'}), "
               f"{len(view.edges)} edges, {sum(e.in_cycle for e in view.edges)} on cycles"
               + (f"; {view.hidden} nodes not shown" if view.hidden else "") + ".")
    out.append("")
    if view.findings:
        out.append(f"**{len(view.findings)} finding{'s' if len(view.findings) != 1 else ''}**: "
                   + ", ".join(f"{code} × {count}" for code, count in sorted(counts.items())))
        out += ["", "| code | location | message |", "|---|---|---|"]
        for finding in view.findings:
            out.append(f"| {finding.code} {markdown_cell(finding.name)} | "
                       f"{markdown_cell(finding.path)}:{finding.line} | {markdown_cell(finding.message)} |")
    else:
        out.append("No findings.")
    out += ["", "<details><summary>Dependency graph</summary>", "", "```mermaid", render_mermaid(view).rstrip(),
            "```", "", "</details>", ""]
    return "\n".join(out)
