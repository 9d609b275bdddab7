"""Self-contained interactive HTML page of a dependency graph view (`wirelint graph --format html`).

`render_html` turns the JSON-able document of `GraphView.to_dict()` into one HTML file that needs no network:
the page's own CSS and JavaScript are inline, and the script lays the graph out itself (a layered,
left-to-right Sugiyama layout whose over-tall layers, such as hundreds of endpoints, are dealt out over several
columns so the drawing has about the window's proportions) and draws it as SVG with pan, zoom, search,
highlighting of what a node depends on and what depends on it, a findings list and each rule's explanation.
A graph too big to read when fitted to the window opens at a readable scale on its cycles, else on its nodes
with findings, else on its first columns; Fit shows it all, below the zoom buttons. A finding in no node is
marked on its module's cluster when the view has one, and says where it is in the findings list. What a DI
container or a composition root builds (container and container-provider nodes, constructor, container-binding
and container-resolve edges) is purple, and the legend explains it when the view has any.

Every string of the view comes from the analyzed source code, so none of it is written as markup: the view is
embedded as JSON in a `<script type="application/json">` block with `<`, `>` and `&` escaped (it can never
close the block), the page builds its DOM with `textContent` only, and a Content-Security-Policy allows no
script but the page's own and no network access at all.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json

_JSON_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"))
_FONT = '"Inter", system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", "Liberation Sans", Arial, sans-serif'
_MONO = 'ui-monospace, "SF Mono", "Cascadia Mono", "DejaVu Sans Mono", "Liberation Mono", Menlo, monospace'


def embed_json(document: object) -> str:
    """`document` as JSON that is safe inside a `<script>` element: ASCII only (U+2028/U+2029 included) and
    with `<`, `>`, `&` written as `\\u003c`, `\\u003e`, `\\u0026`, so no string in it can end the element.
    Keys are sorted: the same document always gives the same text."""
    text = json.dumps(document, ensure_ascii=True, sort_keys=True, separators=(",", ":"), allow_nan=False)
    for raw, escaped in _JSON_ESCAPES:
        text = text.replace(raw, escaped)
    return text


def _escape_text(text: str) -> str:
    """HTML text content, ASCII only (characters that are not become character references)."""
    return html.escape(text, quote=True).encode("ascii", "xmlcharrefreplace").decode("ascii")


def _script_hash(script: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")


def render_html(view: dict) -> str:
    """The interactive page of a graph view document (the dict of `GraphView.to_dict()`), as one HTML file.

    A pure function of `view`: the same document gives byte-identical output."""
    title = _escape_text(str(view.get("title") or "wirelint"))
    policy = "; ".join([
        "default-src 'none'",
        f"script-src '{_script_hash(_SCRIPT)}'",
        "style-src 'unsafe-inline'",
        "base-uri 'none'",
        "form-action 'none'",
    ])
    return _PAGE.format(
        policy=policy, title=title, style=_STYLE, data=embed_json(view), script=_SCRIPT,
    )


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{policy}">
<meta name="generator" content="wirelint">
<title>{title}</title>
<style>{style}</style>
</head>
<body>
<main id="canvas">
<svg id="graph" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="dependency graph">
<defs>
<marker id="arrow" viewBox="0 0 10 8" refX="10" refY="4" markerWidth="9" markerHeight="7"
  markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0 L10,4 L0,8 z" fill="#94a3b8"/></marker>
<marker id="arrow-hl" viewBox="0 0 10 8" refX="10" refY="4" markerWidth="10" markerHeight="8"
  markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0 L10,4 L0,8 z" fill="#1e293b"/></marker>
<marker id="arrow-cycle" viewBox="0 0 10 8" refX="10" refY="4" markerWidth="11" markerHeight="9"
  markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0 L10,4 L0,8 z" fill="#dc2626"/></marker>
<marker id="arrow-container" viewBox="0 0 10 8" refX="10" refY="4" markerWidth="10" markerHeight="8"
  markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0 L10,4 L0,8 z" fill="#7c3aed"/></marker>
<marker id="arrow-container-hl" viewBox="0 0 10 8" refX="10" refY="4" markerWidth="10" markerHeight="8"
  markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0 L10,4 L0,8 z" fill="#4c1d95"/></marker>
</defs>
<g id="viewport"></g>
</svg>
<div id="toolbar" role="toolbar" aria-label="zoom">
<button type="button" id="zoom-in" title="Zoom in (wheel up)">+</button>
<button type="button" id="zoom-out" title="Zoom out (wheel down)">&#8722;</button>
<button type="button" id="zoom-fit" title="Fit the whole graph">Fit</button>
<span id="view-note" hidden></span>
</div>
<p id="empty" hidden></p>
<noscript><p class="noscript">This page draws the graph with JavaScript; enable it to see the graph.</p></noscript>
</main>
<aside id="panel">
<header>
<h1 id="title">{title}</h1>
<p id="summary"></p>
<p id="hidden-note" hidden></p>
</header>
<div class="search">
<input id="search" type="search" placeholder="Search nodes (Enter: next match)" autocomplete="off"
  spellcheck="false" aria-label="search nodes">
<span id="search-count" aria-live="polite"></span>
</div>
<section id="details" aria-live="polite"></section>
<section class="findings-section">
<h2>Findings <span id="finding-count" class="count"></span></h2>
<ul id="findings"></ul>
</section>
<section class="legend-section">
<h2>Legend</h2>
<svg id="legend" xmlns="http://www.w3.org/2000/svg" aria-label="legend"></svg>
</section>
</aside>
<script type="application/json" id="wirelint-data">{data}</script>
<script>{script}</script>
</body>
</html>
"""

_STYLE = """
:root {
  --fg: #1f2937; --muted: #6b7280; --faint: #9ca3af; --border: #e5e7eb; --accent: #2563eb;
  --panel: #ffffff; --canvas: #fbfcfd; --error: #dc2626; --warning: #d97706; --info: #2563eb;
}
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; }
body { display: flex; overflow: hidden; color: var(--fg); background: var(--canvas);
  font: 13px/1.45 FONT; }
#canvas { position: relative; flex: 1 1 auto; min-width: 0; height: 100%;
  background-color: var(--canvas);
  background-image: radial-gradient(circle, #e5e9f0 1px, transparent 1.2px); background-size: 22px 22px; }
#graph { display: block; width: 100%; height: 100%; cursor: grab; user-select: none; touch-action: none; }
#graph.panning { cursor: grabbing; }
#toolbar { position: absolute; top: 12px; left: 12px; display: flex; gap: 6px; }
#toolbar button { min-width: 34px; height: 32px; padding: 0 9px; border: 1px solid #d1d5db; border-radius: 7px;
  background: #fff; color: var(--fg); font: 600 15px FONT; cursor: pointer; box-shadow: 0 1px 2px rgba(15,23,42,.08); }
#toolbar button:hover { background: #f3f4f6; }
#toolbar #zoom-fit { font-size: 12px; }
#view-note { align-self: center; padding: 4px 9px; border: 1px solid var(--border); border-radius: 7px;
  background: rgba(255,255,255,.92); color: var(--muted); font-size: 12px; }
#empty, .noscript { position: absolute; top: 40%; left: 0; right: 0; text-align: center; color: var(--muted);
  font-size: 15px; margin: 0; }
#panel { flex: 0 0 390px; height: 100%; overflow-y: auto; background: var(--panel);
  border-left: 1px solid var(--border);
  padding: 16px 18px 24px; box-shadow: -2px 0 8px rgba(15,23,42,.04); }
#panel h1 { font-size: 15px; margin: 0 0 2px; overflow-wrap: anywhere; }
#panel h2 { font-size: 12px; text-transform: uppercase; letter-spacing: .06em; color: var(--muted);
  margin: 20px 0 8px; }
#panel h2 .count { color: var(--faint); font-weight: 500; }
#summary { margin: 0; color: var(--muted); font-size: 12px; }
#hidden-note { margin: 6px 0 0; padding: 5px 8px; border-radius: 6px; background: #fffbeb; color: #92400e;
  font-size: 12px; }
.search { position: relative; margin-top: 14px; }
#search { width: 100%; padding: 8px 76px 8px 10px; border: 1px solid #d1d5db; border-radius: 8px; font: 13px FONT;
  outline: none; }
#search:placeholder-shown { padding-right: 10px; }
#search:focus { border-color: var(--accent); box-shadow: 0 0 0 3px rgba(37,99,235,.15); }
#search-count { position: absolute; right: 10px; top: 50%; transform: translateY(-50%); color: var(--muted);
  font-size: 11px; }
#details { margin-top: 14px; }
#details .hint { color: var(--muted); margin: 0; font-size: 12px; }
.card { border: 1px solid var(--border); border-radius: 10px; padding: 12px 14px; margin-bottom: 12px;
  background: #fff; }
.card h3 { margin: 0 0 6px; font-size: 14px; overflow-wrap: anywhere; }
.card dl { display: grid; grid-template-columns: 64px 1fr; gap: 3px 10px; margin: 8px 0 0; font-size: 12px; }
.card dt { color: var(--muted); }
.card dd { margin: 0; overflow-wrap: anywhere; }
.card code, .explanation code, .mono { font-family: MONO; font-size: 11.5px; }
.chip { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 11px; font-weight: 600;
  vertical-align: 1px;
  border: 1px solid transparent; }
.chip.kind-endpoint { background: #dbeafe; color: #1e40af; border-color: #93c5fd; }
.chip.kind-provider, .chip.kind-other { background: #f3f4f6; color: #374151; border-color: #d1d5db; }
.chip.kind-factory { background: #ede9fe; color: #5b21b6; border-color: #c4b5fd; }
.chip.kind-class, .chip.kind-instance { background: #fef9c3; color: #854d0e; border-color: #fde047; }
.chip.kind-unresolved { background: #fee2e2; color: #991b1b; border-color: #fca5a5; }
.chip.kind-module { background: #d1fae5; color: #065f46; border-color: #6ee7b7; }
.chip.kind-container { background: #f3e8ff; color: #6b21a8; border-color: #d8b4fe; }
.chip.kind-container-provider { background: #fae8ff; color: #86198f; border-color: #f0abfc; }
.chip.sev-error { background: #fee2e2; color: #991b1b; }
.chip.sev-warning { background: #fef3c7; color: #92400e; }
.chip.sev-info { background: #dbeafe; color: #1e40af; }
.relations { margin: 10px 0 0; }
.relations h4 { margin: 10px 0 4px; font-size: 11px; color: var(--muted); text-transform: uppercase;
  letter-spacing: .05em; }
.relations ul { list-style: none; margin: 0; padding: 0; }
.relations li { margin: 1px 0; }
.relations button { border: 0; background: none; padding: 1px 0; color: var(--accent); cursor: pointer; font: 12px FONT;
  text-align: left; overflow-wrap: anywhere; }
.relations button:hover { text-decoration: underline; }
.relations .via { color: var(--faint); font-size: 11px; margin-left: 6px; }
#findings { list-style: none; margin: 0; padding: 0; }
li.finding { padding: 8px 10px; border: 1px solid var(--border); border-left: 3px solid var(--error);
  border-radius: 8px;
  margin-bottom: 6px; cursor: pointer; background: #fff; }
li.finding.sev-warning { border-left-color: var(--warning); }
li.finding.sev-info { border-left-color: var(--info); }
li.finding:hover { background: #f9fafb; }
li.finding.active { background: #fef2f2; border-color: #fca5a5; }
li.finding .code { font: 700 11.5px MONO; color: #b91c1c; margin-right: 6px; }
li.finding .name { color: var(--muted); font-size: 11.5px; }
li.finding .message { display: -webkit-box; -webkit-line-clamp: 3; -webkit-box-orient: vertical; overflow: hidden;
  margin: 3px 0 2px; font-size: 12px; overflow-wrap: anywhere; }
li.finding .loc { color: var(--faint); font: 11px MONO; overflow-wrap: anywhere; }
li.finding .where, .finding-detail .where { color: #92400e; font-size: 11px; margin-top: 2px; }
.findings-section .none { color: var(--muted); font-size: 12px; margin: 0; }
.explanation { font-size: 12.5px; margin-top: 8px; border-top: 1px solid var(--border); padding-top: 4px; }
.explanation h3, .explanation h4, .explanation h5, .explanation h6 { font-size: 12.5px; margin: 12px 0 4px;
  color: #111827; }
.explanation p { margin: 4px 0 8px; }
.explanation ul { margin: 4px 0 8px; padding-left: 18px; }
.explanation pre { margin: 6px 0 10px; padding: 8px 10px; background: #0f172a; color: #e2e8f0; border-radius: 7px;
  white-space: pre-wrap; word-break: break-all; font: 11.5px/1.5 MONO; }
.explanation pre code { font: inherit; color: inherit; }
.explanation :not(pre) > code { background: #f3f4f6; padding: 0 4px; border-radius: 4px; }
.explanation a { color: var(--accent); overflow-wrap: anywhere; }
.message-full { margin: 6px 0; overflow-wrap: anywhere; }
.loc-line { color: var(--muted); font: 11.5px MONO; overflow-wrap: anywhere; }
.summary-line { font-style: italic; color: #374151; margin: 6px 0 0; }
#legend { display: block; width: 100%; }

/* graph */
.kind-endpoint .box { fill: #dbeafe; stroke: #2563eb; }
.kind-provider .box, .kind-other .box { fill: #f3f4f6; stroke: #6b7280; }
.kind-provider.yields .box { fill: #ecfdf5; stroke: #0f766e; stroke-width: 1.6; }
.yields .inner { fill: none; stroke: #0f766e; stroke-width: 1; }
.kind-factory .box { fill: #f5f3ff; stroke: #7c3aed; stroke-dasharray: 5 3; }
.kind-class .box { fill: #fef9c3; stroke: #ca8a04; }
.kind-instance .box { fill: #fef3c7; stroke: #d97706; }
.kind-unresolved .box { fill: #fef2f2; stroke: #dc2626; stroke-dasharray: 4 3; }
.kind-module .box { fill: #ecfdf5; stroke: #059669; }
/* what a DI container builds: purple, a cylinder's lid on a container, a raised plate behind a provider */
.kind-container .box { fill: #f3e8ff; stroke: #7e22ce; }
.kind-container .lid { fill: none; stroke: #7e22ce; stroke-width: 1.3; }
.kind-container-provider .box { fill: #fae8ff; stroke: #a21caf; }
.kind-container-provider .plate { fill: #f5d0fe; stroke: #a21caf; stroke-width: 1.1; }
.box { stroke-width: 1.3; }
.node { cursor: pointer; transition: opacity .15s; }
.node text, .legend-node text, .legend text { font-family: FONT; }
.node .label { font-size: 12.5px; font-weight: 600; fill: #111827; }
.kind-unresolved .label { fill: #991b1b; }
.node .meta { font-size: 10px; fill: #6b7280; }
.node .detail { font-family: MONO; font-size: 10.5px; fill: #374151; }
.node:hover .box { filter: drop-shadow(0 1px 3px rgba(15,23,42,.25)); }
.node.highlight .box { stroke-width: 2.2; }
.node.selected .box { stroke: #0f172a; stroke-width: 2.8; filter: drop-shadow(0 2px 6px rgba(15,23,42,.35)); }
.node.match .box { stroke: #f59e0b; stroke-width: 2.6; }
.node.current .box { filter: drop-shadow(0 0 6px rgba(245,158,11,.9)); }
.node.dim, .edge-label.dim { opacity: .18; }
.badge rect { fill: #dc2626; stroke: #fff; stroke-width: 1.5; }
.badge text { fill: #fff; font-size: 10px; font-weight: 700; font-family: MONO; }
.edge, .legend-edge { fill: none; stroke: #94a3b8; stroke-width: 1.3; marker-end: url(#arrow); }
.edge { transition: opacity .15s; }
.via-other { stroke-dasharray: 5 4; }
/* edges a DI container or a composition root makes (FastAPI never sees them): purple */
.edge.via-constructor, .legend-edge.via-constructor { stroke: #8b5cf6; stroke-width: 1.4;
  marker-end: url(#arrow-container); }
.edge.via-container-binding, .legend-edge.via-container-binding { stroke: #a855f7; stroke-width: 1.7;
  stroke-dasharray: 1 3.5; stroke-linecap: round; marker-end: url(#arrow-container); }
.edge.via-container-resolve, .legend-edge.via-container-resolve { stroke: #7c3aed; stroke-width: 2.2;
  stroke-dasharray: 8 4; marker-end: url(#arrow-container); }
.edge.container.highlight { stroke: #4c1d95; stroke-width: 2.4; marker-end: url(#arrow-container-hl); }
.edge.cycle, .legend-edge.cycle { stroke: #dc2626; stroke-width: 2.4; marker-end: url(#arrow-cycle); }
.edge.highlight { stroke: #1e293b; stroke-width: 2; marker-end: url(#arrow-hl); }
.edge.cycle.highlight { stroke: #b91c1c; stroke-width: 2.8; marker-end: url(#arrow-cycle); }
.edge.dim { opacity: .07; }
.edge-label, .legend-edge-label { font-family: FONT; font-size: 9.5px; fill: #64748b; paint-order: stroke; stroke: #fff;
  stroke-width: 3px; stroke-linejoin: round; text-anchor: middle; }
.edge-label.highlight { fill: #1e293b; font-weight: 600; }
.edge-label.container { fill: #6d28d9; }
.edge-label.container.highlight { fill: #4c1d95; }
.edge-label.cycle { fill: #b91c1c; }
#graph.far .edge-label { display: none; }
.cluster path { stroke-width: 1; }
.cluster text { font-family: FONT; font-size: 11px; font-weight: 600; }
.cluster.dim { opacity: .45; }
.cluster.has-findings path { stroke: #dc2626; stroke-width: 1.6; }
.cluster.active path { stroke: #b91c1c; stroke-width: 3; }
.cluster .badge text { fill: #fff; font: 700 10px MONO; }
.tint-0 path { fill: #f1f5f9; stroke: #cbd5e1; } .tint-0 text { fill: #475569; }
.tint-1 path { fill: #eff6ff; stroke: #bfdbfe; } .tint-1 text { fill: #1d4ed8; }
.tint-2 path { fill: #f0fdf4; stroke: #bbf7d0; } .tint-2 text { fill: #15803d; }
.tint-3 path { fill: #fefce8; stroke: #fde68a; } .tint-3 text { fill: #a16207; }
.tint-4 path { fill: #faf5ff; stroke: #e9d5ff; } .tint-4 text { fill: #7e22ce; }
.tint-5 path { fill: #fff7ed; stroke: #fed7aa; } .tint-5 text { fill: #c2410c; }
.legend text { font-size: 11.5px; fill: #374151; }
""".replace("MONO", _MONO).replace("FONT", _FONT)

_SCRIPT = r"""
(function () {
"use strict";

var SVG_NS = "http://www.w3.org/2000/svg";
var FONT = 'FONT_FAMILY';
var MONO = 'MONO_FAMILY';
var KINDS = ["endpoint", "provider", "factory", "class", "instance", "container", "container-provider", "unresolved",
  "module"];
// Edges a DI container or a composition root makes; an edge merging several (a collapsed view) is drawn as the
// first it has, and its label names them all.
var CONTAINER_VIAS = ["container-resolve", "container-binding", "constructor"];
var LABEL_PARAMETERS = 3;  // parameter names a constructor edge's label lists; the rest are counted
var LID = 7;  // the height of a container's cylinder lid, above its text
var SEVERITIES = ["error", "warning", "info"];
var FONTS = {
  label: "600 12.5px " + FONT,
  meta: "10px " + FONT,
  detail: "10.5px " + MONO,
  badge: "700 10px " + MONO,
  cluster: "600 11px " + FONT,
  edgeLabel: "9.5px " + FONT
};
var LINE_HEIGHT = { label: 16, meta: 13, detail: 14 };
var NODE_MAX_WIDTH = 280, NODE_MIN_WIDTH = 70, NODE_PAD_X = 11, NODE_PAD_Y = 6;
var MAX_DETAIL_LINES = 4;
var LAYER_GAP = 118, NODE_GAP = 16, DUMMY_GAP = 7, MARGIN = 40;
var CLUSTER_PAD = 10, CLUSTER_LABEL = 18, CLUSTER_TINTS = 6;
var ORDER_SWEEPS = 12, FIRST_SWEEPS = 6, POSITION_SWEEPS = 8;
// The page opens on the whole graph when its 12.5px names are 8.75px or more at that scale (READABLE_SCALE);
// else at OPEN_SCALE (names of 10.6px) on its cycles, or its findings, or its first columns. Fit shows it all.
var READABLE_SCALE = 0.7, OPEN_SCALE = 0.85;
var TOOLBAR_ROOM = 56, EDGE_ROOM = 20;  // a fitted drawing starts below the zoom buttons
var MIN_COLUMN = 12, TALL_ENOUGH = 1.5, PIECE_SHARE = 0.6, CLUSTER_BLOCK = 2 * CLUSTER_PAD + CLUSTER_LABEL + 12;

var dataBlock = document.getElementById("wirelint-data");
var data = JSON.parse(dataBlock.textContent);
var svg = document.getElementById("graph");
var viewport = document.getElementById("viewport");
var searchBox = document.getElementById("search");
var details = document.getElementById("details");

// ---------------------------------------------------------------- small DOM helpers (text only, never markup)

function el(tag, className, text) {
  var node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

// An element whose text may wrap after every "." and "/" (qualified names and paths wrap at their dots).
function wrapping(tag, className, text) {
  var node = el(tag, className);
  String(text).split(/(?<=[./])/).forEach(function (part, index) {
    if (index) node.appendChild(document.createElement("wbr"));
    node.appendChild(document.createTextNode(part));
  });
  return node;
}

function plural(count, singular, pluralForm) { return count + " " + (count === 1 ? singular : pluralForm); }

function svgEl(tag, attributes, text) {
  var node = document.createElementNS(SVG_NS, tag);
  if (attributes) {
    for (var name in attributes) {
      if (Object.prototype.hasOwnProperty.call(attributes, name)) node.setAttribute(name, String(attributes[name]));
    }
  }
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function str(value) { return value === undefined || value === null ? "" : String(value); }
function list(value) { return Array.isArray(value) ? value : []; }
function fmt(number) { return (Math.round(number * 10) / 10).toString(); }
function kindClass(kind) { return KINDS.indexOf(kind) >= 0 ? "kind-" + kind : "kind-other"; }
function severityClass(severity) { return "sev-" + (SEVERITIES.indexOf(severity) >= 0 ? severity : "info"); }
function whereOf(path, line) { return path ? (line ? path + ":" + line : path) : ""; }

var measureContext = document.createElement("canvas").getContext("2d"), measuredFont = "", widths = new Map();
function textWidth(text, font) {
  var cacheKey = font + "|" + text, known = widths.get(cacheKey);
  if (known !== undefined) return known;
  if (font !== measuredFont) { measureContext.font = font; measuredFont = font; }
  var width = measureContext.measureText(text).width;
  widths.set(cacheKey, width);
  return width;
}
// `text` cut to `maxWidth` pixels, with an ellipsis at the end.
function fitText(text, font, maxWidth) {
  if (textWidth(text, font) <= maxWidth) return text;
  var low = 0, high = text.length;
  while (low < high) {
    var middle = (low + high + 1) >> 1;
    if (textWidth(text.slice(0, middle) + "\u2026", font) <= maxWidth) low = middle; else high = middle - 1;
  }
  return text.slice(0, low) + "\u2026";
}
// A dotted name cut to `maxWidth` by dropping its leading parts ("\u2026views.items"), then its end.
function fitDotted(text, font, maxWidth) {
  if (textWidth(text, font) <= maxWidth) return text;
  var parts = text.split(".");
  for (var i = 1; i < parts.length; i++) {
    var candidate = "\u2026" + parts.slice(i).join(".");
    if (textWidth(candidate, font) <= maxWidth) return candidate;
  }
  return fitText("\u2026" + parts[parts.length - 1], font, maxWidth);
}

// ---------------------------------------------------------------- the graph model

var LIFETIME_WORDS = {
  request: "request: built once per request, shared by every parameter asking for it",
  call: "call: use_cache=False, built again for each parameter",
  process: "process: one object for the whole process",
  resolution: "resolution: built again each time a container resolves it"
};
var nodes = [];
var nodeById = new Map();
list(data.nodes).forEach(function (raw) {
  var node = {
    index: nodes.length, id: str(raw.id), kind: str(raw.kind), label: str(raw.label) || str(raw.id),
    detail: list(raw.detail).map(str), module: str(raw.module), cluster: raw.cluster == null ? null : str(raw.cluster),
    path: raw.path == null ? null : str(raw.path), line: raw.line == null ? null : raw.line,
    yields: !!raw.yields, findings: list(raw.findings).map(str), out: [], inc: [],
    lifetime: raw.lifetime == null ? null : str(raw.lifetime), is_async: raw.is_async == null ? null : !!raw.is_async,
    provider_type: raw.provider_type == null ? null : str(raw.provider_type), calls: raw.calls == null ? null : str(raw.calls)
  };
  nodes.push(node);
  if (!nodeById.has(node.id)) nodeById.set(node.id, node);
});

var edges = [];
list(data.edges).forEach(function (raw) {
  var source = nodeById.get(str(raw.source)), target = nodeById.get(str(raw.target));
  if (!source || !target) return;
  var vias = list(raw.vias).map(str);
  var edge = {
    index: edges.length, source: source, target: target, vias: vias, parameters: list(raw.parameters).map(str),
    inCycle: !!raw.in_cycle, otherVias: vias.filter(function (via) { return via !== "param"; }),
    containerVia: CONTAINER_VIAS.filter(function (via) { return vias.indexOf(via) >= 0; })[0] || null
  };
  edges.push(edge);
  source.out.push(edge);
  target.inc.push(edge);
});

var findings = list(data.findings).map(function (raw, index) {
  return {
    index: index, code: str(raw.code), name: str(raw.name), severity: str(raw.severity), message: str(raw.message),
    path: str(raw.path), line: raw.line, node: raw.node == null ? null : str(raw.node), summary: str(raw.summary),
    explanation: str(raw.explanation), module: raw.module == null ? null : str(raw.module),
    cluster: raw.cluster == null ? null : str(raw.cluster)
  };
});
var findingsAt = new Map();
var findingsOfCluster = new Map();  // module-level findings, drawn on their module's cluster
findings.forEach(function (finding) {
  if (finding.node !== null && !nodeById.has(finding.node)) finding.node = null;
  if (finding.node === null) {
    if (finding.cluster === null) return;
    if (!findingsOfCluster.has(finding.cluster)) findingsOfCluster.set(finding.cluster, []);
    findingsOfCluster.get(finding.cluster).push(finding);
    return;
  }
  if (!findingsAt.has(finding.node)) findingsAt.set(finding.node, []);
  findingsAt.get(finding.node).push(finding);
});
function clusterCodes(name) {
  var codes = [];
  (findingsOfCluster.get(name) || []).forEach(function (f) { if (codes.indexOf(f.code) < 0) codes.push(f.code); });
  return codes.sort();
}

// ---------------------------------------------------------------- node boxes

// The dotted prefix every module shares ("app." when all are under app), left out of the module lines.
var commonPrefix = (function () {
  var modules = nodes.map(function (node) { return node.module; }).filter(function (module) { return module; });
  if (!modules.length) return "";
  var parts = modules[0].split(".");
  modules.forEach(function (module) {
    var other = module.split("."), same = 0;
    while (same < parts.length && same < other.length && parts[same] === other[same]) same++;
    parts = parts.slice(0, same);
  });
  return parts.length ? parts.join(".") + "." : "";
})();
var distinctModules = new Set(nodes.map(function (node) { return node.module; })).size > 1;
function shortModule(module) {
  var inside = module.indexOf(commonPrefix) === 0 && module.length > commonPrefix.length;
  return inside ? module.slice(commonPrefix.length) : module;
}

function nodeLines(node) {
  var lines = [];
  var showModule = node.kind !== "module" && node.module && distinctModules && node.cluster !== node.module;
  if (showModule && node.label !== node.id) {
    lines.push({ cls: "meta", text: shortModule(node.module), dotted: true });
  }
  if (node.kind === "module") lines.push({ cls: "label", text: shortModule(node.label), dotted: true });
  else lines.push({ cls: "label", text: node.label });
  var detail = node.detail.filter(function (line) { return line; });
  if (node.kind === "unresolved" && !detail.length) detail = ["(unresolved)"];
  detail.slice(0, MAX_DETAIL_LINES).forEach(function (line) { lines.push({ cls: "detail", text: line }); });
  if (detail.length > MAX_DETAIL_LINES) {
    lines.push({ cls: "detail", text: "+" + (detail.length - MAX_DETAIL_LINES) + " more" });
  }
  return lines;
}

function badgeText(codes) {
  if (codes.length <= 2) return codes.join(" ");
  return codes[0] + " +" + (codes.length - 1);
}

function measureNode(node) {
  var lines = nodeLines(node), widest = 0, height = NODE_PAD_Y * 2;
  var innerMax = NODE_MAX_WIDTH - 2 * NODE_PAD_X;
  lines.forEach(function (line) {
    var font = FONTS[line.cls];
    line.text = line.dotted ? fitDotted(line.text, font, innerMax) : fitText(line.text, font, innerMax);
    widest = Math.max(widest, textWidth(line.text, font));
    height += LINE_HEIGHT[line.cls];
  });
  var badge = node.findings.length ? badgeText(node.findings) : "";
  var badgeWidth = badge ? textWidth(badge, FONTS.badge) + 12 : 0;
  node.lines = lines;
  node.badge = badge;
  node.badgeWidth = badgeWidth;
  node.w = Math.ceil(Math.min(NODE_MAX_WIDTH, Math.max(NODE_MIN_WIDTH, widest + 2 * NODE_PAD_X, badgeWidth + 24)));
  node.top = node.kind === "container" ? LID : 0;
  node.h = Math.ceil(height + 2 + node.top);
}

// What tells the container kinds apart beyond their colour: a container is a cylinder (a lid under its top
// edge), a container-provider a raised box (a plate behind it). `box` is drawn by the caller, after a plate.
function decorate(group, kind, width, height, before) {
  if (kind === "container-provider" && before) {
    group.appendChild(svgEl("rect", { "class": "plate", x: 4, y: -4, width: width, height: height, rx: 5 }));
  }
  if (kind === "container" && !before) {
    var lid = Math.min(LID, height / 3), rim = fmt(lid * 0.55);
    group.appendChild(svgEl("path", { "class": "lid",
      d: "M0," + rim + " Q" + fmt(width / 2) + "," + fmt(lid * 1.9) + " " + fmt(width) + "," + rim }));
  }
}

// An edge's label: its vias but `param` (`router`, `container-resolve`), or `constructor: repo` for a
// constructor argument; "" for a plain Depends parameter.
function edgeLabel(edge) {
  if (edge.vias.length === 1 && edge.vias[0] === "constructor" && edge.parameters.length) {
    var names = edge.parameters.slice(0, LABEL_PARAMETERS);
    if (edge.parameters.length > LABEL_PARAMETERS) names.push("+" + (edge.parameters.length - LABEL_PARAMETERS));
    return "constructor: " + names.join(", ");
  }
  return edge.otherVias.join(", ");
}

// ---------------------------------------------------------------- layered layout

// Positions of every node and edge route: a layered (Sugiyama) layout, left to right, for a window of `canvas`
// size (used only for its proportions): a layer far taller than that is split into several columns.
function computeLayout(canvas) {
  var n = nodes.length;
  var links = edges.filter(function (edge) { return edge.source !== edge.target; });

  // 1. Break cycles: a DFS from the roots (nothing depends on them) reverses every edge that closes a cycle.
  var state = new Uint8Array(n);
  var isRoot = function (node) { return !node.inc.some(function (e) { return e.source !== node; }); };
  var order = nodes.filter(isRoot).concat(nodes.filter(function (node) { return !isRoot(node); }));
  links.forEach(function (edge) { edge.reversed = false; });
  order.forEach(function (root) {
    if (state[root.index]) return;
    var stack = [[root, 0]];
    state[root.index] = 1;
    while (stack.length) {
      var top = stack[stack.length - 1], node = top[0];
      if (top[1] < node.out.length) {
        var edge = node.out[top[1]++];
        var next = edge.target;
        if (next === node) continue;
        if (state[next.index] === 1) edge.reversed = true;
        else if (state[next.index] === 0) { state[next.index] = 1; stack.push([next, 0]); }
      } else {
        state[node.index] = 2;
        stack.pop();
      }
    }
  });
  links.forEach(function (edge) {
    edge.from = edge.reversed ? edge.target : edge.source;  // the acyclic direction: left to right
    edge.to = edge.reversed ? edge.source : edge.target;
  });

  // 2. Layers: the longest path from the roots (Kahn's order); providers nothing uses sit just left of
  //    what they use rather than with the endpoints.
  var succ = nodes.map(function () { return []; }), pred = nodes.map(function () { return []; });
  links.forEach(function (edge) {
    succ[edge.from.index].push(edge.to.index);
    pred[edge.to.index].push(edge.from.index);
  });
  var indegree = pred.map(function (p) { return p.length; });
  var queue = [], layer = new Int32Array(n), topo = [];
  for (var i = 0; i < n; i++) if (!indegree[i]) queue.push(i);
  for (var head = 0; head < queue.length; head++) {
    var v = queue[head];
    topo.push(v);
    for (var s = 0; s < succ[v].length; s++) {
      var w = succ[v][s];
      layer[w] = Math.max(layer[w], layer[v] + 1);
      if (--indegree[w] === 0) queue.push(w);
    }
  }
  for (var t = topo.length - 1; t >= 0; t--) {
    var u = topo[t];
    if (pred[u].length || !succ[u].length || nodes[u].kind === "endpoint") continue;
    var nearest = Infinity;
    succ[u].forEach(function (w) { nearest = Math.min(nearest, layer[w]); });
    layer[u] = Math.max(0, nearest - 1);
  }
  var layerCount = 0;
  for (var k = 0; k < n; k++) layerCount = Math.max(layerCount, layer[k] + 1);

  // 3. Vertices and their order. A layer much taller than the window allows (hundreds of endpoints) is split
  //    into several columns first; see `planColumns` and `stagger`.
  var clusterIds = new Map(), clusterNames = [];
  nodes.map(function (node) { return node.cluster; }).filter(function (c) { return c !== null; }).sort()
    .forEach(function (name) {
      if (!clusterIds.has(name)) { clusterIds.set(name, clusterNames.length); clusterNames.push(name); }
    });
  var hasClusters = clusterNames.length > 0;
  var nodeCluster = new Int32Array(n);
  nodes.forEach(function (node, index) {
    measureNode(node);
    nodeCluster[index] = node.cluster === null ? -1 : clusterIds.get(node.cluster);
  });
  var clusterSum = new Float64Array(clusterNames.length), clusterCount = new Int32Array(clusterNames.length);

  // The vertices of a layering (`layerOf`, `count` layers): the nodes, plus a dummy in every layer an edge passes
  // through, so long edges are routed too. Edges into the same node share their dummies: they run as one lane
  // (a bundle) instead of a broom of parallel curves. Everything per vertex lives in typed arrays.
  function buildGraph(layerOf, count, nodeSeed) {
    var laneLayer = [], laneCluster = [], laneSeed = [], laneUses = [], laneOf = new Map();
    var stride = clusterNames.length + 1;
    links.forEach(function (edge) {
      var a = edge.from.index, b = edge.to.index;
      var shared = nodeCluster[a] >= 0 && nodeCluster[a] === nodeCluster[b] ? nodeCluster[a] : -1;
      var chain = [a];
      for (var l = layerOf[a] + 1; l < layerOf[b]; l++) {
        var laneKey = (b * count + l) * stride + shared + 1, lane = laneOf.get(laneKey);
        if (lane === undefined) {
          lane = n + laneLayer.length;
          laneOf.set(laneKey, lane);
          laneLayer.push(l); laneCluster.push(shared); laneSeed.push(0); laneUses.push(0);
        }
        if (nodeSeed) laneSeed[lane - n] += (nodeSeed[a] + nodeSeed[b]) / 2;
        laneUses[lane - n]++;
        chain.push(lane);
      }
      chain.push(b);
      edge.chain = chain;
    });
    var total = n + laneLayer.length;
    var g = {
      total: total, layerCount: count, vLayer: new Int32Array(total), vCluster: new Int32Array(total),
      vPos: new Int32Array(total), vW: new Float64Array(total), vH: new Float64Array(total),
      vWeight: new Float64Array(total), seed: nodeSeed ? new Float64Array(total) : null
    };
    for (var v = 0; v < total; v++) {
      var lane = v - n;
      g.vLayer[v] = v < n ? layerOf[v] : laneLayer[lane];
      g.vCluster[v] = v < n ? nodeCluster[v] : laneCluster[lane];
      g.vW[v] = v < n ? nodes[v].w : 0;
      g.vH[v] = v < n ? nodes[v].h : 0;
      g.vWeight[v] = v < n ? 1 : 2;
      if (nodeSeed) g.seed[v] = v < n ? nodeSeed[v] : laneSeed[lane] / laneUses[lane];
    }
    var segmentFrom = [], segmentTo = [], segments = new Set();
    links.forEach(function (edge) {
      var chain = edge.chain;
      for (var c = 0; c + 1 < chain.length; c++) {
        var segment = chain[c] * total + chain[c + 1];
        if (segments.has(segment)) continue;
        segments.add(segment);
        segmentFrom.push(chain[c]);
        segmentTo.push(chain[c + 1]);
      }
    });
    function adjacency(keys, values) {  // compressed rows: neighbours of v are list[start[v] .. start[v + 1])
      var start = new Int32Array(total + 1), list = new Int32Array(keys.length);
      for (var i = 0; i < keys.length; i++) start[keys[i] + 1]++;
      for (var j = 0; j < total; j++) start[j + 1] += start[j];
      var fill = start.slice(0, total);
      for (var m = 0; m < keys.length; m++) list[fill[keys[m]]++] = values[m];
      return { start: start, list: list };
    }
    g.down = adjacency(segmentFrom, segmentTo);
    g.up = adjacency(segmentTo, segmentFrom);
    return g;
  }

  // 4. Ordering: barycenter sweeps (clusters kept together in every layer), keeping the fewest crossings. The
  //    first order is `g.seed` when there is one, else layer 0 by cluster and input order, then each layer in
  //    order of first use from the left.
  function orderGraph(g, sweeps) {
    var total = g.total, vLayer = g.vLayer, vCluster = g.vCluster, vPos = g.vPos, down = g.down, up = g.up;
    var key = new Float64Array(total), groupKey = new Float64Array(total), groupId = new Int32Array(total);
    function numberPositions(row) { for (var r = 0; r < row.length; r++) vPos[row[r]] = r; }
    function byKey(a, b) { return (key[a] - key[b]) || (vPos[a] - vPos[b]); }
    function byGroupThenKey(a, b) {
      return (groupKey[a] - groupKey[b]) || (groupId[a] - groupId[b]) || (key[a] - key[b]) || (vPos[a] - vPos[b]);
    }
    function arrange(row) {  // sorts `row` by `key`, each cluster's vertices together at their mean key
      var r, v;
      if (hasClusters) {
        for (r = 0; r < row.length; r++) {
          v = row[r];
          if (vCluster[v] >= 0) { clusterSum[vCluster[v]] = 0; clusterCount[vCluster[v]] = 0; }
        }
        for (r = 0; r < row.length; r++) {
          v = row[r];
          if (vCluster[v] >= 0) { clusterSum[vCluster[v]] += key[v]; clusterCount[vCluster[v]]++; }
        }
        for (r = 0; r < row.length; r++) {
          v = row[r];
          var cluster = vCluster[v];
          groupKey[v] = cluster < 0 ? key[v] : clusterSum[cluster] / clusterCount[cluster];
          groupId[v] = cluster;
        }
        row.sort(byGroupThenKey);
      } else {
        row.sort(byKey);
      }
      numberPositions(row);
    }
    function sweepLayer(row, neighbours) {
      var start = neighbours.start, list = neighbours.list;
      for (var r = 0; r < row.length; r++) {
        var v = row[r], from = start[v], to = start[v + 1];
        if (from === to) { key[v] = vPos[v]; continue; }
        var sum = 0;
        for (var j = from; j < to; j++) sum += vPos[list[j]];
        key[v] = sum / (to - from);
      }
      arrange(row);
    }

    var byLayer = [], layers = [], L, vertex;
    for (L = 0; L < g.layerCount; L++) { byLayer.push([]); layers.push([]); }
    for (vertex = 0; vertex < total; vertex++) byLayer[vLayer[vertex]].push(vertex);
    if (g.seed) {
      layers = byLayer;
      for (vertex = 0; vertex < total; vertex++) key[vertex] = g.seed[vertex];
    } else {
      var seen = new Uint8Array(total);
      if (g.layerCount) {
        layers[0] = byLayer[0].slice().sort(function (a, b) { return (vCluster[a] - vCluster[b]) || (a - b); });
        layers[0].forEach(function (v) { seen[v] = 1; });
      }
      for (L = 0; L + 1 < g.layerCount; L++) {
        layers[L].forEach(function (v) {
          for (var j = down.start[v]; j < down.start[v + 1]; j++) {
            var w = down.list[j];
            if (!seen[w]) { seen[w] = 1; layers[L + 1].push(w); }
          }
        });
        byLayer[L + 1].forEach(function (v) { if (!seen[v]) { seen[v] = 1; layers[L + 1].push(v); } });
      }
      layers.forEach(function (row) { row.forEach(function (v, r) { key[v] = r; }); });
    }
    layers.forEach(function (row) { numberPositions(row); arrange(row); });

    var widest = 1;
    layers.forEach(function (row) { widest = Math.max(widest, row.length); });
    var tree = new Int32Array(widest + 1), scratch = [];
    function crossings() {  // inversions between adjacent layers, counted with a Fenwick tree
      var count = 0;
      for (var l = 0; l + 1 < layers.length; l++) {
        var row = layers[l], size = layers[l + 1].length, inserted = 0;
        tree.fill(0, 0, size + 1);
        for (var r = 0; r < row.length; r++) {
          var v = row[r], from = down.start[v], to = down.start[v + 1];
          scratch.length = 0;
          for (var j = from; j < to; j++) scratch.push(vPos[down.list[j]]);
          if (scratch.length > 1) scratch.sort(function (a, b) { return a - b; });
          var q, i;
          for (q = 0; q < scratch.length; q++) {
            var atMost = 0;  // entries so far at positions <= p
            for (i = scratch[q] + 1; i > 0; i -= i & -i) atMost += tree[i];
            count += inserted - atMost;
          }
          for (q = 0; q < scratch.length; q++) {
            for (i = scratch[q] + 1; i <= size; i += i & -i) tree[i]++;
            inserted++;
          }
        }
      }
      return count;
    }
    var best = layers.map(function (row) { return row.slice(); }), bestCrossings = crossings(), stale = 0;
    for (var sweep = 0; sweep < sweeps && bestCrossings > 0 && stale < 4; sweep++) {
      if (sweep % 2 === 0) for (var d = 1; d < layers.length; d++) sweepLayer(layers[d], up);
      else for (var back = layers.length - 2; back >= 0; back--) sweepLayer(layers[back], down);
      var now = crossings();
      if (now < bestCrossings) {
        bestCrossings = now;
        best = layers.map(function (row) { return row.slice(); });
        stale = 0;
      } else stale++;
    }
    best.forEach(numberPositions);
    return { layers: best, crossings: bestCrossings, widest: widest };
  }

  // How many columns each layer takes. The drawing's proportions are estimated from the nodes alone; when it
  // would be much taller than the window, every layer of more than `cap` nodes is split into enough columns
  // to hold at most `cap` each, `cap` chosen (12 or more) to bring the proportions closest to the window's.
  function planColumns() {
    var parts = new Int32Array(layerCount), count = new Int32Array(layerCount);
    var height = new Float64Array(layerCount), width = new Float64Array(layerCount), banded = new Set();
    for (var v = 0; v < n; v++) {
      var l = layer[v];
      parts[l] = 1;
      count[l]++;
      height[l] += nodes[v].h + NODE_GAP;
      width[l] = Math.max(width[l], nodes[v].w);
      if (nodeCluster[v] >= 0 && !banded.has(nodeCluster[v] * layerCount + l)) {
        banded.add(nodeCluster[v] * layerCount + l);
        height[l] += CLUSTER_BLOCK;
      }
    }
    var tallest = 0;
    for (var t = 0; t < layerCount; t++) tallest = Math.max(tallest, count[t]);
    var wanted = canvas && canvas.width > 0 && canvas.height > 0 ? canvas.height / canvas.width : 0.75;
    function proportion(cap) {
      var high = 0, wide = 2 * MARGIN - LAYER_GAP;
      for (var l = 0; l < layerCount; l++) {
        var columns = count[l] > cap ? Math.ceil(count[l] / cap) : 1;
        high = Math.max(high, height[l] / columns);
        wide += columns * (width[l] + LAYER_GAP);
      }
      return (high + 2 * MARGIN) / wide;
    }
    var plan = { split: false, parts: parts, cap: tallest };
    if (tallest <= MIN_COLUMN || proportion(tallest) <= wanted * TALL_ENOUGH) return plan;
    var bestScore = Infinity;
    for (var cap = tallest; cap >= MIN_COLUMN; cap--) {
      var now = proportion(cap), score = Math.abs(Math.log(now / wanted));
      if (score < bestScore) { bestScore = score; plan.cap = cap; } else if (now < wanted) break;
    }
    for (var s = 0; s < layerCount; s++) {
      if (count[s] > plan.cap) { parts[s] = Math.ceil(count[s] / plan.cap); plan.split = true; }
    }
    return plan;
  }

  // The layering with every split layer's nodes dealt out over its columns, taken in the order found for the
  // unsplit layering: each piece (a node, or a run of one cluster's nodes, cut to fit) goes to the column that
  // is shortest so far, so neighbours in that order sit side by side and at about the same height ("staggered",
  // like Graphviz's unflatten), the edges stay short and a cluster stays together. Every node keeps a `seed`:
  // where it was in its layer, for the first order of the new layering.
  function stagger(rows, plan) {
    var newLayer = new Int32Array(n), seed = new Float64Array(n), base = 0;
    var limit = Math.max(1, Math.ceil(plan.cap * PIECE_SHARE));
    rows.forEach(function (row, l) {
      var real = row.filter(function (v) { return v < n; }), columns = plan.parts[l];
      real.forEach(function (v, r) { seed[v] = (r + 0.5) / real.length; newLayer[v] = base; });
      if (columns <= 1) { base++; return; }
      var pieces = [];
      real.forEach(function (v) {
        var last = pieces[pieces.length - 1];
        if (last && nodeCluster[v] >= 0 && last.cluster === nodeCluster[v]) last.members.push(v);
        else pieces.push({ cluster: nodeCluster[v], members: [v] });
      });
      var fill = new Float64Array(columns), column = new Int32Array(n);
      pieces.forEach(function (piece) {
        var size = piece.members.length, cuts = Math.ceil(size / limit);
        for (var p = 0; p < cuts; p++) {
          var shortest = 0;
          for (var c = 1; c < columns; c++) if (fill[c] < fill[shortest] - 0.5) shortest = c;
          piece.members.slice(Math.floor(p * size / cuts), Math.floor((p + 1) * size / cuts)).forEach(function (v) {
            column[v] = shortest;
            fill[shortest] += nodes[v].h + NODE_GAP;
          });
          if (piece.cluster >= 0) fill[shortest] += CLUSTER_BLOCK;
        }
      });
      var used = [];  // columns left empty are dropped
      for (var c = 0; c < columns; c++) if (fill[c] > 0) used.push(c);
      real.forEach(function (v) { newLayer[v] = base + used.indexOf(column[v]); });
      base += used.length;
    });
    return { layer: newLayer, count: base, seed: seed };
  }

  var plan = planColumns(), graph;
  if (plan.split) {
    var staggered = stagger(orderGraph(buildGraph(layer, layerCount, null), FIRST_SWEEPS).layers, plan);
    graph = buildGraph(staggered.layer, staggered.count, staggered.seed);
  } else {
    graph = buildGraph(layer, layerCount, null);
  }
  var ordered = orderGraph(graph, ORDER_SWEEPS);
  var total = graph.total, vLayer = graph.vLayer, vCluster = graph.vCluster, vPos = graph.vPos;
  var vW = graph.vW, vH = graph.vH, vWeight = graph.vWeight, down = graph.down, up = graph.up;
  var vY = new Float64Array(total), layers = ordered.layers, bestCrossings = ordered.crossings;
  var widest = ordered.widest;
  function isDummy(v) { return v >= n; }

  // 5. Rows: y of every vertex. Each layer is a sequence of blocks (one node, one dummy, or the run of a
  //    cluster's vertices); blocks move toward their neighbours' height with the order and gaps kept
  //    (weighted isotonic regression, pool-adjacent-violators), sweeping right, left, then both ways.
  function gapBetween(a, b) {
    return isDummy(a) && isDummy(b) ? DUMMY_GAP : (isDummy(a) || isDummy(b) ? 10 : NODE_GAP);
  }
  function separation(a, b) {
    var gap = gapBetween(a.members[a.members.length - 1], b.members[0]);
    if (a.cluster >= 0 || b.cluster >= 0) gap = Math.max(gap, 12);
    if (a.cluster >= 0) gap += CLUSTER_PAD;
    if (b.cluster >= 0) gap += CLUSTER_PAD + CLUSTER_LABEL;
    return gap;
  }
  var blocksOf = layers.map(function (row) {
    var blocks = [];
    row.forEach(function (v) {
      var cluster = vCluster[v], last = blocks[blocks.length - 1];
      if (last && cluster >= 0 && last.cluster === cluster) {
        var offset = last.height + gapBetween(last.members[last.members.length - 1], v);
        last.offsets.push(offset);
        last.members.push(v);
        last.height = offset + vH[v];
      } else {
        blocks.push({ cluster: cluster, members: [v], offsets: [0], height: vH[v], top: 0, before: 0 });
      }
    });
    blocks.forEach(function (block, b) {  // `before`: where the block starts when everything is packed
      block.before = b ? blocks[b - 1].before + blocks[b - 1].height + separation(blocks[b - 1], block) : 0;
    });
    return blocks;
  });
  function placeBlocks(blocks) {
    for (var b = 0; b < blocks.length; b++) {
      var block = blocks[b];
      for (var m = 0; m < block.members.length; m++) vY[block.members[m]] = block.top + block.offsets[m];
    }
  }
  blocksOf.forEach(function (blocks) {
    blocks.forEach(function (block) { block.top = block.before; });
    placeBlocks(blocks);
  });
  var targets = new Float64Array(widest), weights = new Float64Array(widest);
  function pull(v, neighbours) {  // [sum of the neighbours' centres, their count]
    var sum = 0, from = neighbours.start[v], to = neighbours.start[v + 1];
    for (var j = from; j < to; j++) { var w = neighbours.list[j]; sum += vY[w] + vH[w] / 2; }
    pulled[0] += sum;
    pulled[1] += to - from;
  }
  var pulled = [0, 0];
  function positionLayer(l, useUp, useDown) {
    var blocks = blocksOf[l];
    if (!blocks.length) return;
    for (var b = 0; b < blocks.length; b++) {
      var block = blocks[b], sum = 0, weight = 0;
      for (var m = 0; m < block.members.length; m++) {
        var v = block.members[m];
        pulled[0] = 0; pulled[1] = 0;
        if (useUp) pull(v, up);
        if (useDown) pull(v, down);
        if (!pulled[1]) continue;
        var w = vWeight[v] * Math.sqrt(pulled[1]);
        sum += w * (pulled[0] / pulled[1] - vH[v] / 2 - block.offsets[m]);
        weight += w;
      }
      if (weight > 0) { targets[b] = sum / weight - block.before; weights[b] = weight; }
      else { targets[b] = NaN; weights[b] = 0.01; }
    }
    // a block with no neighbours (an isolated node) packs against the block before it (or after it)
    var carried = NaN, f;
    for (f = 0; f < blocks.length; f++) {
      if (isNaN(targets[f])) targets[f] = carried; else carried = targets[f];
    }
    for (f = blocks.length - 1, carried = NaN; f >= 0; f--) {
      if (isNaN(targets[f])) targets[f] = carried; else carried = targets[f];
    }
    for (f = 0; f < blocks.length; f++) if (isNaN(targets[f])) targets[f] = blocks[f].top - blocks[f].before;
    var solved = isotonic(targets, weights, blocks.length);
    for (var c = 0; c < blocks.length; c++) blocks[c].top = solved[c] + blocks[c].before;
    placeBlocks(blocks);
  }
  for (var pass = 0; pass < POSITION_SWEEPS; pass++) {
    if (pass % 2 === 0) for (var ld = 1; ld < layers.length; ld++) positionLayer(ld, true, false);
    else for (var lu = layers.length - 2; lu >= 0; lu--) positionLayer(lu, false, true);
  }
  for (var lb = 0; lb < layers.length; lb++) positionLayer(lb, true, true);

  // 6. Columns: x of each layer. A graph that is taller, in proportion, than the window gets wider gaps
  //    between layers (up to 2.5 times): the picture fills the window and the edges' curves are gentler.
  var columnX = [], columnWidth = [], yTop = Infinity, yBottom = -Infinity, nodeWidths = 0;
  for (var z = 0; z < total; z++) { yTop = Math.min(yTop, vY[z]); yBottom = Math.max(yBottom, vY[z] + vH[z]); }
  layers.forEach(function (row, l) {
    var width = 24;
    row.forEach(function (v) { width = Math.max(width, vW[v]); });
    columnWidth[l] = width;
    nodeWidths += width;
  });
  var layerGap = LAYER_GAP;
  if (layers.length > 1 && isFinite(yTop) && canvas && canvas.height > 0) {
    var wanted = (yBottom - yTop + 2 * MARGIN) * canvas.width / canvas.height;
    var spare = (wanted - nodeWidths - 2 * MARGIN) / (layers.length - 1);
    layerGap = Math.min(2.5 * LAYER_GAP, Math.max(LAYER_GAP, spare));
  }
  var x = MARGIN;
  layers.forEach(function (row, l) {
    columnX[l] = x;
    x += columnWidth[l] + layerGap;
  });

  // 7. Clusters: per layer, the band around the cluster's vertices; bands of adjacent layers that overlap
  //    vertically join into one ribbon (a ribbon never sweeps diagonally across the rest of the graph).
  var clusterShapes = [];
  if (hasClusters) {
    var segmentsOf = clusterNames.map(function () { return []; });
    layers.forEach(function (row, l) {
      var open = new Map();
      row.forEach(function (v) {
        var cluster = vCluster[v];
        if (cluster < 0) return;
        var width = isDummy(v) ? 16 : vW[v];
        var left = columnX[l] + (columnWidth[l] - width) / 2, right = left + width;
        var segment = open.get(cluster);
        if (!segment) {
          segment = { layer: l, top: vY[v], bottom: vY[v] + vH[v], left: left, right: right, real: false };
          open.set(cluster, segment);
          segmentsOf[cluster].push(segment);
        }
        segment.top = Math.min(segment.top, vY[v]);
        segment.bottom = Math.max(segment.bottom, vY[v] + vH[v]);
        segment.left = Math.min(segment.left, left);
        segment.right = Math.max(segment.right, right);
        if (!isDummy(v)) segment.real = true;
      });
    });
    var finish = function (run, cluster) {  // a run's ends that hold only edges are left out
      var first = 0, last = run.length - 1;
      while (first <= last && !run[first].real) first++;
      while (last >= first && !run[last].real) last--;
      if (first <= last) {
        clusterShapes.push({ name: clusterNames[cluster], cluster: cluster, segments: run.slice(first, last + 1) });
      }
    };
    segmentsOf.forEach(function (segments, cluster) {
      var run = [], labelWidth = textWidth(shortModule(clusterNames[cluster]), FONTS.cluster) + 16;
      segments.forEach(function (segment, s) {
        segment.top -= CLUSTER_PAD + CLUSTER_LABEL;
        segment.bottom += CLUSTER_PAD;
        // as wide as the label when the column leaves room for it
        var room = columnWidth[segment.layer] - (segment.right - segment.left);
        var widen = Math.max(0, Math.min(labelWidth - 2 * CLUSTER_PAD - (segment.right - segment.left), room)) / 2;
        segment.left -= CLUSTER_PAD + widen;
        segment.right += CLUSTER_PAD + widen;
        var previous = run[run.length - 1];
        var joined = previous && segment.layer === previous.layer + 1
          && segment.top < previous.bottom && previous.top < segment.bottom;
        if (run.length && !joined) {
          finish(run, cluster);
          run = [];
        }
        run.push(segment);
        if (s === segments.length - 1) finish(run, cluster);
      });
    });
  }

  // 8. Normalize: the top-most thing at MARGIN.
  var minY = Infinity, maxY = -Infinity;
  for (var q = 0; q < total; q++) {
    minY = Math.min(minY, vY[q] - (q < n && nodes[q].badge ? 10 : 0));
    maxY = Math.max(maxY, vY[q] + vH[q]);
  }
  clusterShapes.forEach(function (shape) {
    shape.segments.forEach(function (segment) {
      minY = Math.min(minY, segment.top);
      maxY = Math.max(maxY, segment.bottom);
    });
  });
  if (!isFinite(minY)) { minY = 0; maxY = 0; }
  var shift = MARGIN - minY;
  for (var y = 0; y < total; y++) vY[y] += shift;
  clusterShapes.forEach(function (shape) {
    shape.segments.forEach(function (segment) { segment.top += shift; segment.bottom += shift; });
  });
  nodes.forEach(function (node, index) {
    var l = vLayer[index];
    node.x = columnX[l] + (columnWidth[l] - node.w) / 2;
    node.y = vY[index];
  });

  // 9. Edge routes: ports spread along a node's side in the order of where the edges come from.
  function centre(v) { return vY[v] + vH[v] / 2; }
  var rightPorts = nodes.map(function () { return []; }), leftPorts = nodes.map(function () { return []; });
  links.forEach(function (edge) {
    var chain = edge.chain;
    rightPorts[edge.from.index].push({ edge: edge, toward: chain[1] });
    leftPorts[edge.to.index].push({ edge: edge, toward: chain[chain.length - 2] });
  });
  function assignPorts(ports, node, field) {
    ports.sort(function (a, b) {
      var difference = centre(a.toward) - centre(b.toward);
      return difference || (vPos[a.toward] - vPos[b.toward]) || (a.edge.index - b.edge.index);
    });
    var slots = 0;  // edges that share their next lane share a port
    ports.forEach(function (port, p) {
      if (!p || port.toward !== ports[p - 1].toward || !isDummy(port.toward)) slots++;
      port.slot = slots - 1;
    });
    var inset = Math.min(6, node.h / 4), span = node.h - 2 * inset;
    ports.forEach(function (port) { port.edge[field] = node.y + inset + span * (port.slot + 0.5) / slots; });
  }
  nodes.forEach(function (node) {
    assignPorts(rightPorts[node.index], node, "fromPort");
    assignPorts(leftPorts[node.index], node, "toPort");
  });
  links.forEach(function (edge) {
    var chain = edge.chain, points = [[edge.from.x + edge.from.w, edge.fromPort]];
    for (var c = 1; c + 1 < chain.length; c++) {
      var l = vLayer[chain[c]], y = vY[chain[c]];
      points.push([columnX[l], y], [columnX[l] + columnWidth[l], y]);
    }
    points.push([edge.to.x, edge.toPort]);
    if (edge.reversed) points.reverse();
    edge.points = points;
  });

  var width = x - layerGap + MARGIN + 40, height = maxY + shift + MARGIN;
  var columnEnds = columnX.map(function (left, l) { return left + columnWidth[l] + CLUSTER_PAD + 8; });
  return {
    width: Math.max(width, 200), height: Math.max(height, 120), shapes: clusterShapes, crossings: bestCrossings,
    columnEnds: columnEnds
  };
}

// Weighted isotonic regression: the non-decreasing sequence closest to the first `count` targets
// (pool adjacent violators).
function isotonic(targets, weights, count) {
  var values = [], totals = [], sizes = [];
  for (var i = 0; i < count; i++) {
    values.push(targets[i]); totals.push(weights[i]); sizes.push(1);
    while (values.length > 1 && values[values.length - 2] > values[values.length - 1]) {
      var w2 = totals.pop(), v2 = values.pop(), c2 = sizes.pop();
      var w1 = totals[totals.length - 1], v1 = values[values.length - 1];
      values[values.length - 1] = (v1 * w1 + v2 * w2) / (w1 + w2);
      totals[totals.length - 1] = w1 + w2;
      sizes[sizes.length - 1] += c2;
    }
  }
  var result = [];
  values.forEach(function (value, b) { for (var c = 0; c < sizes[b]; c++) result.push(value); });
  return result;
}

// ---------------------------------------------------------------- drawing

function at(x, y) { return fmt(x) + "," + fmt(y); }
// A cubic curve from (x1, y1) to (x2, y2) leaving and arriving horizontally.
function sideways(x1, y1, x2, y2) {
  var half = (x2 - x1) / 2;
  return " C" + at(x1 + half, y1) + " " + at(x2 - half, y2) + " " + at(x2, y2);
}

// Points alternate between crossing the gap between two layers (a curve) and crossing a layer (a line).
function edgePath(points) {
  var d = "M" + at(points[0][0], points[0][1]);
  for (var i = 0; i + 1 < points.length; i++) {
    var p = points[i], q = points[i + 1];
    d += i % 2 === 1 ? " L" + at(q[0], q[1]) : sideways(p[0], p[1], q[0], q[1]);
  }
  return d;
}

// The outline of a cluster across adjacent layers: its band in each layer, joined by curves between layers.
function ribbonPath(segments) {
  var r = 8, first = segments[0], last = segments[segments.length - 1];
  var d = "M" + at(first.left, first.top + r) + " Q" + at(first.left, first.top) + " " + at(first.left + r, first.top);
  segments.forEach(function (segment, s) {
    if (s) d += sideways(segments[s - 1].right, segments[s - 1].top, segment.left, segment.top);
    d += " L" + at(s === segments.length - 1 ? segment.right - r : segment.right, segment.top);
  });
  d += " Q" + at(last.right, last.top) + " " + at(last.right, last.top + r);
  d += " L" + at(last.right, last.bottom - r);
  d += " Q" + at(last.right, last.bottom) + " " + at(last.right - r, last.bottom);
  for (var s = segments.length - 1; s >= 0; s--) {
    var segment = segments[s];
    d += " L" + at(s === 0 ? segment.left + r : segment.left, segment.bottom);
    if (s) d += sideways(segment.left, segment.bottom, segments[s - 1].right, segments[s - 1].bottom);
  }
  d += " Q" + at(first.left, first.bottom) + " " + at(first.left, first.bottom - r) + " Z";
  return d;
}

function nodeTooltip(node) {
  var kind = node.kind + (node.provider_type ? " (" + node.provider_type + ")" : "") + (node.yields ? " (yields)" : "");
  var lines = [node.id, kind];
  var where = whereOf(node.path, node.line);
  if (where) lines.push(where);
  node.detail.forEach(function (line) { if (line) lines.push(line); });
  (findingsAt.get(node.id) || []).forEach(function (finding) { lines.push(finding.code + ": " + finding.message); });
  return lines.join("\n");
}

function drawNode(node, parent) {
  var classes = ["node", kindClass(node.kind)];
  if (node.yields) classes.push("yields");
  if (node.findings.length) classes.push("has-findings");
  var group = svgEl("g", { "class": classes.join(" "), transform: "translate(" + at(node.x, node.y) + ")" });
  group.setAttribute("data-id", node.id);
  group.appendChild(svgEl("title", null, nodeTooltip(node)));
  var radius = node.kind === "instance" ? Math.min(node.h / 2, 14) : 6;
  decorate(group, node.kind, node.w, node.h, true);
  group.appendChild(svgEl("rect", { "class": "box", width: node.w, height: node.h, rx: radius }));
  decorate(group, node.kind, node.w, node.h, false);
  if (node.yields) {
    group.appendChild(svgEl("rect", { "class": "inner", x: 3, y: 3, width: node.w - 6, height: node.h - 6, rx: 4 }));
  }
  var y = NODE_PAD_Y + 1 + node.top;
  node.lines.forEach(function (line) {
    var height = LINE_HEIGHT[line.cls];
    group.appendChild(svgEl("text", { "class": line.cls, x: NODE_PAD_X, y: fmt(y + height * 0.76) }, line.text));
    y += height;
  });
  if (node.badge) {
    var badge = svgEl("g", { "class": "badge", transform: "translate(" + fmt(node.w - node.badgeWidth + 6) + ",-9)" });
    var messages = (findingsAt.get(node.id) || []).map(function (item) { return item.code + ": " + item.message; });
    badge.appendChild(svgEl("title", null, messages.length ? messages.join("\n") : node.findings.join(", ")));
    badge.appendChild(svgEl("rect", { width: fmt(node.badgeWidth), height: 16, rx: 8 }));
    badge.appendChild(svgEl("text", { x: 6, y: 11.5 }, node.badge));
    group.appendChild(badge);
  }
  parent.appendChild(group);
  node.element = group;
}

function edgeTooltip(edge) {
  var text = edge.source.id + " \u2192 " + edge.target.id;
  var how = [];
  if (edge.parameters.length) how.push("parameter " + edge.parameters.join(", "));
  if (edge.otherVias.length) how.push("via " + edge.otherVias.join(", "));
  if (how.length) text += "\n" + how.join("; ");
  if (edge.inCycle) text += "\nin a dependency cycle";
  return text;
}

// Edge labels that would overlap one already placed are left out (the edge stays dashed, its tooltip says how).
function labelSpace() {
  var cells = new Map(), size = 48;
  function cellsOf(box, visit) {
    for (var cx = Math.floor(box[0] / size); cx <= Math.floor(box[2] / size); cx++) {
      for (var cy = Math.floor(box[1] / size); cy <= Math.floor(box[3] / size); cy++) visit(cx + "," + cy);
    }
  }
  return function claim(box) {
    var free = true;
    cellsOf(box, function (cell) {
      (cells.get(cell) || []).forEach(function (other) {
        if (box[0] < other[2] && other[0] < box[2] && box[1] < other[3] && other[1] < box[3]) free = false;
      });
    });
    if (free) cellsOf(box, function (cell) { if (!cells.has(cell)) cells.set(cell, []); cells.get(cell).push(box); });
    return free;
  };
}

function drawEdges(edgeLayer, labelLayer) {
  var claim = labelSpace();
  edges.forEach(function (edge) {
    var classes = ["edge"];
    if (edge.containerVia) classes.push("container", "via-" + edge.containerVia);
    else if (edge.otherVias.length) classes.push("via-other");
    if (edge.inCycle) classes.push("cycle");
    var d;
    if (edge.source === edge.target) {
      var node = edge.source, right = node.x + node.w, top = node.y + node.h * 0.3, bottom = node.y + node.h * 0.7;
      d = "M" + at(right, top) + " C" + at(right + 34, top - 22) + " " + at(right + 34, bottom + 22)
        + " " + at(right, bottom);
    } else {
      d = edgePath(edge.points);
    }
    var path = svgEl("path", { "class": classes.join(" "), d: d });
    path.setAttribute("data-source", edge.source.id);
    path.setAttribute("data-target", edge.target.id);
    path.setAttribute("data-vias", edge.vias.join(" "));
    path.appendChild(svgEl("title", null, edgeTooltip(edge)));
    edgeLayer.appendChild(path);
    edge.element = path;
    if (edge.otherVias.length) {
      var spot;
      var looped = edge.source;
      var text = edgeLabel(edge), half;
      if (edge.source === edge.target) {  // right of the loop, in the room before the next column
        var room = LAYER_GAP - 34;
        if (textWidth(text, FONTS.edgeLabel) > room) text = fitText(edge.otherVias.join(", "), FONTS.edgeLabel, room);
        half = textWidth(text, FONTS.edgeLabel) / 2 + 2;
        spot = [looped.x + looped.w + 28 + half, looped.y + looped.h / 2 + 3];
      } else {
        half = textWidth(text, FONTS.edgeLabel) / 2 + 2;
        var p = edge.points[0], q = edge.points[1];
        spot = [(p[0] + q[0]) / 2, (p[1] + q[1]) / 2 - 3];
      }
      if (!claim([spot[0] - half, spot[1] - 10, spot[0] + half, spot[1] + 3])) return;
      var labelClass = "edge-label" + (edge.containerVia ? " container" : "") + (edge.inCycle ? " cycle" : "");
      var label = svgEl("text", { "class": labelClass, x: fmt(spot[0]), y: fmt(spot[1]) }, text);
      labelLayer.appendChild(label);
      edge.label = label;
    }
  });
}

function drawClusters(parent, shapes) {
  shapes.forEach(function (shape) {
    var codes = clusterCodes(shape.name), here = findingsOfCluster.get(shape.name) || [];
    var classes = "cluster tint-" + (shape.cluster % CLUSTER_TINTS) + (codes.length ? " has-findings" : "");
    var group = svgEl("g", { "class": classes, "data-cluster": shape.name });
    group.appendChild(svgEl("title", null, [shape.name].concat(here.map(function (finding) {
      return finding.code + ": " + finding.message + " (" + whereOf(finding.path, finding.line) + ")";
    })).join("\n")));
    group.appendChild(svgEl("path", { d: ribbonPath(shape.segments) }));
    var first = shape.segments[0], badge = codes.length ? badgeText(codes) : "";
    var badgeWidth = badge ? textWidth(badge, FONTS.badge) + 12 : 0;
    var text = fitDotted(shortModule(shape.name), FONTS.cluster, first.right - first.left - 14 - badgeWidth);
    group.appendChild(svgEl("text", { x: fmt(first.left + 8), y: fmt(first.top + 14) }, text));
    if (badge) {
      var left = first.left + 8 + textWidth(text, FONTS.cluster) + 6;
      var mark = svgEl("g", { "class": "badge", transform: "translate(" + at(left, first.top + 3) + ")" });
      mark.appendChild(svgEl("rect", { width: fmt(badgeWidth), height: 16, rx: 8 }));
      mark.appendChild(svgEl("text", { x: 6, y: 11.5 }, badge));
      group.appendChild(mark);
    }
    parent.appendChild(group);
    shape.element = group;
  });
}

// ---------------------------------------------------------------- pan and zoom

var view = { x: 0, y: 0, k: 1 }, bounds = { width: 200, height: 120, columnEnds: [] };
var viewNote = document.getElementById("view-note");
function applyView() {
  svg.classList.toggle("far", view.k < 0.55);
  var scale = Math.round(view.k * 10000) / 10000;
  viewport.setAttribute("transform", "translate(" + at(view.x, view.y) + ") scale(" + scale + ")");
}
function canvasSize() {
  var box = svg.getBoundingClientRect();
  return { width: box.width || 800, height: box.height || 600 };
}
function zoomAt(px, py, factor) {
  var k = Math.min(4, Math.max(0.03, view.k * factor));
  hideViewNote();
  view.x = px - (px - view.x) * (k / view.k);
  view.y = py - (py - view.y) * (k / view.k);
  view.k = k;
  applyView();
}
function fitScale(size) {
  return Math.max(0.03, Math.min(1.25, (size.width - 2 * EDGE_ROOM) / bounds.width,
    (size.height - TOOLBAR_ROOM - EDGE_ROOM) / bounds.height));
}
function fit(knownSize) {
  var size = knownSize && knownSize.width ? knownSize : canvasSize();
  view.k = fitScale(size);
  view.x = (size.width - bounds.width * view.k) / 2;
  view.y = TOOLBAR_ROOM + (size.height - TOOLBAR_ROOM - EDGE_ROOM - bounds.height * view.k) / 2;
  hideViewNote();
  applyView();
}
function hideViewNote() { viewNote.hidden = true; }
// x/y of the view that puts the drawing's point (cx, cy) in the middle of the window below the toolbar, moved
// as little as needed for the drawing to fill the window where it can (no empty band beside it).
function centred(size, cx, cy) {
  var k = view.k, top = TOOLBAR_ROOM, x = size.width / 2 - cx * k, y = (size.height + top) / 2 - cy * k;
  var wide = bounds.width * k, high = bounds.height * k;
  x = wide <= size.width ? (size.width - wide) / 2 : Math.min(0, Math.max(size.width - wide, x));
  y = high <= size.height - top ? top + (size.height - top - high) / 2 : Math.min(top, Math.max(size.height - high, y));
  return [x, y];
}
// What the first view shows when the whole graph would be too small to read: the cycles (red edges), else
// the nodes with findings (errors first), grown from the first one while they fit the window together.
function openingTarget(size) {
  var room = [(size.width - 2 * EDGE_ROOM) / OPEN_SCALE, (size.height - TOOLBAR_ROOM - EDGE_ROOM) / OPEN_SCALE];
  function grow(groups, what) {
    if (!groups.length) return null;
    var box = null, taken = 0;
    groups.forEach(function (group) {
      var next = box ? box.slice() : [Infinity, Infinity, -Infinity, -Infinity];
      group.forEach(function (node) {
        next = [Math.min(next[0], node.x), Math.min(next[1], node.y - 10), Math.max(next[2], node.x + node.w + 36),
          Math.max(next[3], node.y + node.h)];
      });
      if (!box || (next[2] - next[0] <= room[0] && next[3] - next[1] <= room[1])) { box = next; taken++; }
    });
    return { box: box, what: what(taken) };
  }
  var cyclic = edges.filter(function (edge) { return edge.inCycle; });
  if (cyclic.length) {  // the cycles: nodes joined by red edges, in the order of their first edge
    var groupOf = new Map(), groups = [];
    cyclic.forEach(function (edge) {
      var a = groupOf.get(edge.source), b = groupOf.get(edge.target);
      if (a && b && a !== b) {  // the edge joins two groups: one cycle
        b.forEach(function (node) { a.push(node); groupOf.set(node, a); });
        groups.splice(groups.indexOf(b), 1);
      } else if (!a && !b) {
        a = [];
        groups.push(a);
      } else if (!a) a = b;
      [edge.source, edge.target].forEach(function (node) {
        if (!groupOf.has(node)) { a.push(node); groupOf.set(node, a); }
      });
    });
    return grow(groups, function (taken) {
      if (groups.length === 1) return "the dependency cycle";
      if (taken === groups.length) return "the " + groups.length + " dependency cycles";
      return taken + " of the " + groups.length + " dependency cycles";
    });
  }
  var rank = function (node) {
    return (findingsAt.get(node.id) || []).some(function (f) { return f.severity === "error"; }) ? 0 : 1;
  };
  var flagged = nodes.filter(function (node) { return node.findings.length; });
  flagged.sort(function (a, b) { return (rank(a) - rank(b)) || (a.index - b.index); });
  return grow(flagged.map(function (node) { return [node]; }), function (taken) {
    return taken === 1 ? "a node with findings" : "nodes with findings";
  });
}
// The first view: the whole graph when its text is readable so; else, at a readable scale, what matters most
// (see `openingTarget`), or the first columns (as many whole columns as fit the window's width) from the top.
// A note says so; Fit shows it all.
function openingView(size) {
  if (fitScale(size) >= READABLE_SCALE || !nodes.length) { fit(size); return; }
  var target = openingTarget(size), where;
  if (target) {
    view.k = OPEN_SCALE;
    var spot = centred(size, (target.box[0] + target.box[2]) / 2, (target.box[1] + target.box[3]) / 2);
    view.x = spot[0];
    view.y = spot[1];
    where = "Showing " + target.what + " at a readable size";
  } else {
    var room = size.width - 2 * EDGE_ROOM, columns = 1;
    while (columns < bounds.columnEnds.length && room / bounds.columnEnds[columns] >= READABLE_SCALE) columns++;
    var right = bounds.columnEnds[columns - 1], top = Infinity;
    view.k = Math.max(READABLE_SCALE, Math.min(1, room / right));
    nodes.forEach(function (node) { if (node.x + node.w <= right) top = Math.min(top, node.y); });
    view.x = EDGE_ROOM;
    view.y = TOOLBAR_ROOM - Math.max(0, (isFinite(top) ? top : 0) - CLUSTER_PAD - CLUSTER_LABEL - 12) * view.k;
    where = "Showing part of the graph at a readable size";
  }
  viewNote.textContent = where + " \u00b7 Fit shows all " + plural(nodes.length, "node", "nodes");
  viewNote.hidden = false;
  applyView();
}
function centerOn(node) {
  var size = canvasSize();
  hideViewNote();
  view.k = Math.max(view.k, 0.9);
  view.x = size.width / 2 - (node.x + node.w / 2) * view.k;
  view.y = size.height / 2 - (node.y + node.h / 2) * view.k;
  applyView();
}

var drag = null;
svg.addEventListener("pointerdown", function (event) {
  if (event.button !== 0) return;
  drag = { x: event.clientX, y: event.clientY, viewX: view.x, viewY: view.y, moved: false, target: event.target };
  svg.setPointerCapture(event.pointerId);
});
svg.addEventListener("pointermove", function (event) {
  if (!drag) return;
  var dx = event.clientX - drag.x, dy = event.clientY - drag.y;
  if (!drag.moved && dx * dx + dy * dy > 16) { drag.moved = true; svg.classList.add("panning"); }
  if (drag.moved) { view.x = drag.viewX + dx; view.y = drag.viewY + dy; hideViewNote(); applyView(); }
});
function endDrag(event) {
  if (!drag) return;
  var ended = drag;
  drag = null;
  svg.classList.remove("panning");
  if (svg.hasPointerCapture(event.pointerId)) svg.releasePointerCapture(event.pointerId);
  if (ended.moved || event.type === "pointercancel") return;
  var target = ended.target && ended.target.closest ? ended.target.closest("g.node") : null;
  if (target) { var node = nodeById.get(target.getAttribute("data-id")); if (node) select(node, { center: false }); }
  else clearSelection();
}
svg.addEventListener("pointerup", endDrag);
svg.addEventListener("pointercancel", endDrag);
svg.addEventListener("wheel", function (event) {
  event.preventDefault();
  var box = svg.getBoundingClientRect();
  var delta = event.deltaMode === 1 ? event.deltaY * 16 : event.deltaY;
  zoomAt(event.clientX - box.left, event.clientY - box.top, Math.exp(-delta * 0.0015));
}, { passive: false });
function zoomButton(factor) {
  var size = canvasSize();
  zoomAt(size.width / 2, size.height / 2, factor);
}
document.getElementById("zoom-in").addEventListener("click", function () { zoomButton(1.25); });
document.getElementById("zoom-out").addEventListener("click", function () { zoomButton(0.8); });
document.getElementById("zoom-fit").addEventListener("click", function () { fit(); });

// ---------------------------------------------------------------- highlighting

function reach(start, forward) {
  var found = new Set([start]), queue = [start];
  for (var i = 0; i < queue.length; i++) {
    var current = queue[i], next = forward ? current.out : current.inc;
    next.forEach(function (edge) {
      var other = forward ? edge.target : edge.source;
      if (!found.has(other)) { found.add(other); queue.push(other); }
    });
  }
  return found;
}

function paint(nodeSet, edgeSet) {
  nodes.forEach(function (node) {
    if (!node.element) return;
    node.element.classList.toggle("highlight", !!nodeSet && nodeSet.has(node));
    node.element.classList.toggle("dim", !!nodeSet && !nodeSet.has(node));
  });
  edges.forEach(function (edge) {
    var on = !!edgeSet && edgeSet.has(edge), off = !!edgeSet && !on;
    [edge.element, edge.label].forEach(function (element) {
      if (!element) return;
      element.classList.toggle("highlight", on);
      element.classList.toggle("dim", off);
    });
  });
  shapes.forEach(function (shape) {
    var active = !nodeSet || nodes.some(function (node) { return node.cluster === shape.name && nodeSet.has(node); });
    shape.element.classList.toggle("dim", !active);
  });
}

var selection = null, activeFinding = null, matches = [], matchCursor = -1, shapes = [];

function markSelected(node) {
  markActiveCluster(null);
  nodes.forEach(function (other) { if (other.element) other.element.classList.toggle("selected", other === node); });
}

function resetSearch() {
  searchBox.value = "";
  matches = [];
  matchCursor = -1;
  document.getElementById("search-count").textContent = "";
  nodes.forEach(function (node) { if (node.element) node.element.classList.remove("match", "current"); });
}

function select(node, options) {
  resetSearch();
  selection = node;
  if (!options || !options.finding) activeFinding = null;
  var downstream = reach(node, true), upstream = reach(node, false);
  var nodeSet = new Set(downstream);
  upstream.forEach(function (other) { nodeSet.add(other); });
  var edgeSet = new Set(edges.filter(function (edge) {
    var below = downstream.has(edge.source) && downstream.has(edge.target);
    return below || (upstream.has(edge.source) && upstream.has(edge.target));
  }));
  paint(nodeSet, edgeSet);
  markSelected(node);
  markActiveFinding();
  showDetails(node, downstream.size - 1, upstream.size - 1);
  if (options && options.center) centerOn(node);
}

function clearSelection() {
  selection = null;
  activeFinding = null;
  resetSearch();
  paint(null, null);
  markSelected(null);
  markActiveFinding();
  showDetails(null);
}

function showMatches(text) {
  var query = text.trim().toLowerCase();
  nodes.forEach(function (node) { if (node.element) node.element.classList.remove("match", "current"); });
  matchCursor = -1;
  var counter = document.getElementById("search-count");
  if (!query) {
    matches = [];
    counter.textContent = "";
    if (selection) select(selection, { finding: !!activeFinding }); else paint(null, null);
    return;
  }
  markSelected(null);
  matches = nodes.filter(function (node) {
    return node.id.toLowerCase().indexOf(query) >= 0 || node.label.toLowerCase().indexOf(query) >= 0;
  });
  var matched = new Set(matches);
  paint(matched, new Set(edges.filter(function (e) { return matched.has(e.source) && matched.has(e.target); })));
  matches.forEach(function (node) { if (node.element) node.element.classList.add("match"); });
  counter.textContent = matches.length === 1 ? "1 match" : matches.length + " matches";
}

function nextMatch() {
  if (!matches.length) return;
  if (matchCursor >= 0 && matches[matchCursor].element) matches[matchCursor].element.classList.remove("current");
  matchCursor = (matchCursor + 1) % matches.length;
  var node = matches[matchCursor];
  if (node.element) node.element.classList.add("current");
  centerOn(node);
}

searchBox.addEventListener("input", function () { showMatches(searchBox.value); });
searchBox.addEventListener("keydown", function (event) {
  if (event.key === "Enter") { event.preventDefault(); nextMatch(); }
  else if (event.key === "Escape") { searchBox.value = ""; showMatches(""); searchBox.blur(); }
});
document.addEventListener("keydown", function (event) {
  if (event.target === searchBox) return;
  if (event.key === "/") { event.preventDefault(); searchBox.focus(); }
  else if (event.key === "Escape") clearSelection();
});

// ---------------------------------------------------------------- side panel

function renderInline(parent, text) {
  // `code`, **bold**, [text](https://...), a bare https://... address
  var pattern = new RegExp("`([^`]+)`|\\*\\*([^*]+)\\*\\*|\\[([^\\]]+)\\]\\((https?://[^\\s)]+)\\)"
    + "|(https?://[^\\s<>()]*[^\\s<>().,;:!?'\"])", "g");
  var last = 0, match;
  while ((match = pattern.exec(text)) !== null) {
    if (match.index > last) parent.appendChild(document.createTextNode(text.slice(last, match.index)));
    if (match[1] !== undefined) parent.appendChild(el("code", null, match[1]));
    else if (match[2] !== undefined) parent.appendChild(el("strong", null, match[2]));
    else {
      var link = el("a", null, match[3] !== undefined ? match[3] : match[5]);
      link.href = match[3] !== undefined ? match[4] : match[5];
      link.rel = "noopener noreferrer";
      link.target = "_blank";
      parent.appendChild(link);
    }
    last = pattern.lastIndex;
  }
  if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
}

// A small Markdown subset (headings, paragraphs, lists, fenced code, inline code, links) as DOM nodes.
function renderMarkdown(text, container) {
  var lines = String(text).replace(/\r\n?/g, "\n").split("\n");
  var paragraph = [], listElement = null;
  function flushParagraph() {
    if (!paragraph.length) return;
    var p = el("p");
    renderInline(p, paragraph.join(" "));
    container.appendChild(p);
    paragraph = [];
  }
  function flushAll() { flushParagraph(); listElement = null; }
  for (var i = 0; i < lines.length; i++) {
    var line = lines[i];
    var fence = /^\s*(```+|~~~+)\s*([\w+.-]*)\s*$/.exec(line);
    if (fence) {
      flushAll();
      var code = [];
      for (i++; i < lines.length && lines[i].trim().indexOf(fence[1]) !== 0; i++) code.push(lines[i]);
      var pre = el("pre"), codeElement = el("code", null, code.join("\n"));
      if (fence[2]) codeElement.setAttribute("data-lang", fence[2]);
      pre.appendChild(codeElement);
      container.appendChild(pre);
      continue;
    }
    var heading = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      flushAll();
      var h = el("h" + Math.min(6, heading[1].length + 2));
      renderInline(h, heading[2]);
      container.appendChild(h);
      continue;
    }
    var item = /^\s*[-*+]\s+(.*)$/.exec(line);
    if (item) {
      flushParagraph();
      if (!listElement) { listElement = el("ul"); container.appendChild(listElement); }
      var li = el("li");
      renderInline(li, item[1]);
      listElement.appendChild(li);
      continue;
    }
    if (!line.trim()) { flushAll(); continue; }
    if (listElement && /^\s+\S/.test(line)) {
      var lastItem = listElement.lastChild;
      lastItem.appendChild(document.createTextNode(" "));
      renderInline(lastItem, line.trim());
      continue;
    }
    listElement = null;
    paragraph.push(line.trim());
  }
  flushAll();
}

function chip(text, className) { return el("span", "chip " + className, text); }

function relationList(title, items) {
  var wrapper = el("div", "relations");
  wrapper.appendChild(el("h4", null, title + " (" + items.length + ")"));
  if (!items.length) return wrapper;
  var ul = el("ul");
  items.forEach(function (item) {
    var li = el("li"), button = wrapping("button", null, shortModule(item.node.id));
    button.type = "button";
    button.title = "Select " + item.node.id;
    button.addEventListener("click", function () { select(item.node, { center: true }); });
    li.appendChild(button);
    if (item.how) li.appendChild(el("span", "via", item.how));
    ul.appendChild(li);
  });
  wrapper.appendChild(ul);
  return wrapper;
}

function howOf(edge) {
  var parts = [];
  if (edge.parameters.length) parts.push(edge.parameters.join(", "));
  if (edge.otherVias.length) parts.push("via " + edge.otherVias.join(", "));
  if (edge.inCycle) parts.push("cycle");
  return parts.join(" \u00b7 ");
}

// For a finding in no drawn node (module-level code, a class nothing injects, a test): where the picture shows
// it (on its module's cluster), or which module it is in.
function whereNote(finding) {
  if (finding.node !== null) return null;
  if (finding.cluster !== null) {
    return "in no node: marked on the cluster of its module, " + shortModule(finding.cluster);
  }
  if (finding.module !== null) return "in no node of the graph; in module " + finding.module;
  return "in no node of the graph, nor in a module it draws";
}

function findingCard(finding) {
  var card = el("div", "card finding-detail");
  var heading = el("h3");
  heading.appendChild(el("span", "mono", finding.code));
  heading.appendChild(document.createTextNode(" " + finding.name + " "));
  heading.appendChild(chip(finding.severity || "info", severityClass(finding.severity)));
  card.appendChild(heading);
  card.appendChild(wrapping("p", "message-full", finding.message));
  var where = whereOf(finding.path, finding.line);
  if (where) card.appendChild(wrapping("div", "loc-line", where));
  var note = whereNote(finding);
  if (note) card.appendChild(wrapping("div", "where", note));
  if (finding.summary) card.appendChild(el("p", "summary-line", finding.summary));
  if (finding.explanation) {
    var explanation = el("div", "explanation");
    renderMarkdown(finding.explanation, explanation);
    card.appendChild(explanation);
  }
  return card;
}

function showDetails(node, dependencyCount, dependentCount) {
  details.textContent = "";
  if (activeFinding) details.appendChild(findingCard(activeFinding));
  if (!node) {
    if (!activeFinding) {
      details.appendChild(el("p", "hint", "Click a node to see what it depends on and what depends on it; "
        + "drag to pan, scroll to zoom, / to search (Enter: next match)."));
    }
    return;
  }
  var card = el("div", "card node-detail");
  var heading = el("h3", null, node.label + " ");
  heading.appendChild(chip(node.kind + (node.provider_type ? " \u00b7 " + node.provider_type : "")
    + (node.yields ? " \u00b7 yields" : ""), kindClass(node.kind)));
  card.appendChild(heading);
  var dl = el("dl");
  function row(term, value, className) {
    if (!value) return;
    dl.appendChild(el("dt", null, term));
    dl.appendChild(wrapping("dd", className, value));
  }
  row("id", node.id, "mono");
  row("module", node.module, "mono");
  row("file", whereOf(node.path, node.line), "mono");
  // a container-provider's type and callable have rows of their own: its detail lines that say them
  // (graph_view.node_detail's "singleton provider", "calls ...") are not repeated
  row("lifetime", node.lifetime ? LIFETIME_WORDS[node.lifetime] || node.lifetime : null);
  row("runs", node.is_async == null || node.kind === "container-provider" || node.kind === "container" ? null
    : node.is_async ? "awaited on the event loop" : "in the threadpool (sync)");
  row("provider type", node.provider_type);
  row("calls", node.calls, "mono");
  var provider = node.kind === "container-provider", typeLine = (node.provider_type || "container") + " provider";
  var routes = node.detail.filter(function (line) {
    return line && !(provider && (line === typeLine || (node.calls && line.indexOf("calls ") === 0)));
  });
  if (routes.length) row(node.kind === "endpoint" ? "routes" : "detail", routes.join("\n"), "mono");
  row("reach", plural(dependencyCount, "dependency", "dependencies") + ", "
    + plural(dependentCount, "dependent", "dependents") + " (transitively)");
  card.appendChild(dl);
  var here = findingsAt.get(node.id) || [];
  if (here.length || node.findings.length) {
    var wrapper = el("div", "relations");
    wrapper.appendChild(el("h4", null, "Findings here (" + (here.length || node.findings.length) + ")"));
    var ul = el("ul");
    if (here.length) here.forEach(function (finding) {
      var li = el("li"), button = el("button", null, finding.code + " " + finding.name);
      button.type = "button";
      button.addEventListener("click", function () { openFinding(finding); });
      li.appendChild(button);
      ul.appendChild(li);
    });
    else node.findings.forEach(function (code) { ul.appendChild(el("li", "mono", code)); });
    wrapper.appendChild(ul);
    card.appendChild(wrapper);
  }
  card.appendChild(relationList("Depends on",
    node.out.map(function (e) { return { node: e.target, how: howOf(e) }; })));
  card.appendChild(relationList("Used by", node.inc.map(function (e) { return { node: e.source, how: howOf(e) }; })));
  details.appendChild(card);
}

function markActiveFinding() {
  findings.forEach(function (finding) {
    if (finding.element) finding.element.classList.toggle("active", finding === activeFinding);
  });
}

function markActiveCluster(name) {
  shapes.forEach(function (shape) { shape.element.classList.toggle("active", shape.name === name); });
}

function openFinding(finding) {
  activeFinding = finding;
  var node = finding.node === null ? null : nodeById.get(finding.node);
  if (node) select(node, { center: true, finding: true });
  else {
    selection = null;
    resetSearch();
    paint(null, null);
    markSelected(null);
    markActiveFinding();
    showDetails(null);
    var shape = shapes.filter(function (item) { return item.name === finding.cluster; })[0];
    if (shape) {  // a module-level finding: bring its module's cluster (label and badge) into view
      markActiveCluster(shape.name);
      var first = shape.segments[0], size = canvasSize();
      hideViewNote();
      view.k = Math.max(view.k, OPEN_SCALE);
      var spot = centred(size, (first.left + first.right) / 2, (first.top + first.bottom) / 2);
      view.x = spot[0];
      view.y = spot[1];
      applyView();
    }
  }
  details.scrollIntoView({ block: "start", behavior: "auto" });
}

function buildFindingList() {
  var ul = document.getElementById("findings");
  document.getElementById("finding-count").textContent = findings.length ? "(" + findings.length + ")" : "";
  if (!findings.length) {
    ul.parentNode.appendChild(el("p", "none", "No findings."));
    return;
  }
  findings.forEach(function (finding) {
    var li = el("li", "finding " + severityClass(finding.severity));
    li.setAttribute("data-code", finding.code);
    li.tabIndex = 0;
    var head = el("div");
    head.appendChild(el("span", "code", finding.code));
    head.appendChild(el("span", "name", finding.name));
    li.appendChild(head);
    li.appendChild(wrapping("div", "message", finding.message));
    li.appendChild(wrapping("div", "loc", whereOf(finding.path, finding.line)));
    var note = whereNote(finding);
    if (note) li.appendChild(wrapping("div", "where", note));
    li.title = finding.message;
    li.addEventListener("click", function () { openFinding(finding); });
    li.addEventListener("keydown", function (event) { if (event.key === "Enter") openFinding(finding); });
    ul.appendChild(li);
    finding.element = li;
  });
}

function buildLegend() {
  var legend = document.getElementById("legend");
  var rows = [
    { kind: "endpoint", text: "endpoint (route handler)" },
    { kind: "provider", text: "provider" },
    { kind: "provider", yields: true, text: "provider that yields (teardown)" },
    { kind: "factory", text: "factory-made dependency" },
    { kind: "class", text: "injected class" },
    { kind: "instance", text: "callable instance" },
    { kind: "unresolved", text: "unresolved reference" }
  ];
  // a DI container's kinds and edges, when the graph has any
  var containers = edges.some(function (edge) { return edge.containerVia; })
    || nodes.some(function (node) { return node.kind === "container" || node.kind === "container-provider"; });
  if (containers) {
    rows.push({ kind: "container", text: "DI container" });
    rows.push({ kind: "container-provider", text: "container provider (factory, singleton, ...)" });
  }
  if (nodes.some(function (node) { return node.kind === "module"; })) {
    rows.push({ kind: "module", text: "module (collapsed)" });
  }
  var y = 4;
  rows.forEach(function (row) {
    var classes = "legend-node " + kindClass(row.kind) + (row.yields ? " yields" : "");
    var group = svgEl("g", { "class": classes, transform: "translate(2," + y + ")", "data-kind": row.kind });
    decorate(group, row.kind, 30, 18, true);
    group.appendChild(svgEl("rect", { "class": "box", width: row.kind === "container-provider" ? 30 : 34, height: 18,
      rx: row.kind === "instance" ? 9 : 4 }));
    decorate(group, row.kind, 34, 18, false);
    if (row.yields) group.appendChild(svgEl("rect", { "class": "inner", x: 3, y: 3, width: 28, height: 12, rx: 2 }));
    legend.appendChild(group);
    legend.appendChild(svgEl("text", { "class": "legend", x: 48, y: y + 13 }, row.text));
    y += 25;
  });
  var badge = svgEl("g", { "class": "badge", transform: "translate(2," + (y + 1) + ")" });
  badge.appendChild(svgEl("rect", { width: 38, height: 16, rx: 8 }));
  badge.appendChild(svgEl("text", { x: 5, y: 11.5 }, "DI001"));
  legend.appendChild(badge);
  legend.appendChild(svgEl("text", { "class": "legend", x: 48, y: y + 13 }, "findings located in the node"));
  y += 30;
  if (findingsOfCluster.size) {
    var marked = svgEl("g", { "class": "cluster has-findings tint-0", transform: "translate(2," + y + ")" });
    marked.appendChild(svgEl("path", { d: "M0,4 Q0,0 4,0 L34,0 Q38,0 38,4 L38,16 Q38,20 34,20 L4,20 Q0,20 0,16 Z" }));
    legend.appendChild(marked);
    legend.appendChild(svgEl("text", { "class": "legend", x: 48, y: y + 14 }, "module with findings in no node"));
    y += 30;
  }
  var edgeRows = [
    { cls: "", text: "Depends(...) parameter" },
    { cls: "via-other", text: "decorator / router / include / app dependency", label: "router" }
  ];
  if (containers) {
    edgeRows.push(
      { cls: "container via-container-resolve", via: "container-resolve",
        text: "container-resolve: code asks a container" },
      { cls: "container via-container-binding", via: "container-binding",
        text: "container-binding: what it builds for a type" },
      { cls: "container via-constructor", via: "constructor", text: "constructor: an __init__ argument" });
  }
  edgeRows.push({ cls: "cycle", text: "edge on a dependency cycle" });
  edgeRows.forEach(function (row) {
    var line = svgEl("path", { "class": "legend-edge " + row.cls, d: "M2," + (y + 9) + " L36," + (y + 9) });
    if (row.via) line.setAttribute("data-via", row.via);
    legend.appendChild(line);
    if (row.label) legend.appendChild(svgEl("text", { "class": "legend-edge-label", x: 18, y: y + 5 }, row.label));
    legend.appendChild(svgEl("text", { "class": "legend", x: 48, y: y + 13 }, row.text));
    y += 25;
  });
  legend.setAttribute("height", y);
  legend.setAttribute("viewBox", "0 0 340 " + y);
}

// ---------------------------------------------------------------- start

function summarize() {
  var cycleEdges = edges.filter(function (edge) { return edge.inCycle; }).length;
  var parts = [plural(nodes.length, "node", "nodes"), plural(edges.length, "edge", "edges")];
  if (cycleEdges) parts.push(plural(cycleEdges, "on a cycle", "on cycles"));
  parts.push(plural(findings.length, "finding", "findings"));
  document.getElementById("summary").textContent = parts.join(" \u00b7 ");
  var hidden = Number(data.hidden) || 0;
  if (hidden > 0) {
    var note = document.getElementById("hidden-note");
    note.textContent = plural(hidden, "node is", "nodes are") + " not shown (left out by --focus, --route or filters).";
    note.hidden = false;
  }
}

summarize();
buildLegend();
buildFindingList();
showDetails(null);
try {
  var sizeBeforeDrawing = canvasSize();
  var started = performance.now();
  var laidOut = computeLayout(sizeBeforeDrawing);
  var layoutDone = performance.now();
  bounds = { width: laidOut.width, height: laidOut.height, columnEnds: laidOut.columnEnds };
  var clusterLayer = svgEl("g", { "class": "clusters" }), edgeLayer = svgEl("g", { "class": "edges" });
  var labelLayer = svgEl("g", { "class": "edge-labels" }), nodeLayer = svgEl("g", { "class": "nodes" });
  drawClusters(clusterLayer, laidOut.shapes);
  shapes = laidOut.shapes;
  drawEdges(edgeLayer, labelLayer);
  nodes.forEach(function (node) { drawNode(node, nodeLayer); });
  [clusterLayer, edgeLayer, labelLayer, nodeLayer].forEach(function (layer) { viewport.appendChild(layer); });
  svg.setAttribute("data-layout-ms", fmt(layoutDone - started));
  svg.setAttribute("data-render-ms", fmt(performance.now() - started));
  svg.setAttribute("data-crossings", String(laidOut.crossings));
  if (!nodes.length) {
    var empty = document.getElementById("empty");
    empty.textContent = "No nodes to draw.";
    empty.hidden = false;
  }
  openingView(sizeBeforeDrawing);
} catch (error) {
  var failure = document.getElementById("empty");
  failure.textContent = "Could not draw the graph: " + (error && error.message ? error.message : String(error));
  failure.hidden = false;
  document.documentElement.setAttribute("data-error", "true");
  if (window.console) console.error(error);
}
document.documentElement.setAttribute("data-ready", "true");
})();
""".replace("FONT_FAMILY", _FONT.replace("'", "\\'")).replace("MONO_FAMILY", _MONO.replace("'", "\\'"))
