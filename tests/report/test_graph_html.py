"""The interactive HTML graph page: escaping and determinism in Python, then the real page in headless Chromium.

The browser tests drive the system's Chromium (Debian's `chromium` package) through Playwright's Python package;
they are skipped when either is missing, and fail instead under WIRELINT_REQUIRE_SYSTEM_TOOLS=1 (CI).
Screenshots go to the test's temp dir; set WIRELINT_HTML_SCREENSHOT=/some/shot.png to also keep the pictures of
the sample app's graph (shot.png, and shot-finding.png with a finding opened).
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import os
import random
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import require_program

from wirelint.report.graph_html import embed_json, render_html

REPO = Path(__file__).resolve().parents[2]

HOSTILE_ROUTE = "/</script><img src=x onerror=alert(1)>"
HOSTILE_ID = "pkg.evil.<img src=x onerror=alert(2)>&\"q'"
HOSTILE_TITLE = 'wirelint: <b>bold</b> & "quoted" </title><script>alert(5)</script>'
HOSTILE_MESSAGE = "reaches <script>alert(3)</script> from </script><img src=x onerror=alert(6)>"

CYCLE_EXPLANATION = """## What it does
Finds providers that depend on each other in a cycle.

## Why is this bad?
FastAPI raises `RecursionError` at start-up. Never write `<img src=x onerror=alert(4)>` here.

## Example
```python
def get_a(b=Depends(get_b)): ...
def get_b(a=Depends(get_a)): ...
```

## Use instead
Extract what both need:
```python
def get_config(): ...
```

## References
- https://fastapi.tiangolo.com/tutorial/dependencies/sub-dependencies/
"""


def node(node_id: str, kind: str, label: str, detail=(), *, line: int | None = 1, yields: bool = False,
         findings=()) -> dict:
    module = node_id.split(":")[1] if kind == "unresolved" else node_id.rsplit(".", 1)[0]
    if "<" in node_id and kind != "unresolved":
        module = "pkg.evil"
    return {"id": node_id, "kind": kind, "label": label, "detail": list(detail), "module": module, "cluster": None,
            "path": None if line is None else module.replace(".", "/") + ".py", "line": line, "yields": yields,
            "findings": list(findings)}


def edge(source: str, target: str, vias=("param",), parameters=(), in_cycle: bool = False) -> dict:
    return {"source": source, "target": target, "vias": list(vias), "parameters": list(parameters),
            "in_cycle": in_cycle}


def finding(code: str, name: str, node_id: str | None, message: str, explanation: str = "",
            severity: str = "error") -> dict:
    return {"code": code, "name": name, "severity": severity, "message": message, "path": "pkg/api.py", "line": 3,
            "node": node_id, "summary": f"{name} in one line", "explanation": explanation}


def small_view(cluster: bool = False) -> dict:
    """Fourteen nodes of every kind, cycles of two and of one, decorator/app/router edges, findings, hostile
    strings."""
    nodes = [
        node("pkg.api.create_item", "endpoint", "create_item", ["POST /items"]),
        node("pkg.api.evil", "endpoint", "evil", [HOSTILE_ROUTE]),
        node("pkg.api.list_items", "endpoint", "list_items", ["GET /items", "GET /items/{item_id}"],
             findings=["DI002"]),
        node("pkg.cycle.get_a", "provider", "get_a", findings=["DI001"]),
        node("pkg.cycle.get_b", "provider", "get_b"),
        node("pkg.cycle.get_self", "provider", "get_self"),
        node("pkg.deps.get_db", "provider", "get_db", ["(yields)"], yields=True),
        node("pkg.deps.get_settings", "provider", "get_settings"),
        node("pkg.deps.get_user", "provider", "get_user"),
        node("pkg.deps.pagination", "instance", "pagination"),
        node("pkg.deps.require_role.<locals>.checker", "factory", "require_role.<locals>.checker"),
        node(HOSTILE_ID, "provider", HOSTILE_ID.rsplit(".", 1)[1], findings=["DI003"]),
        node("pkg.services.ItemService", "class", "ItemService"),
        node("unresolved:pkg.api:missing", "unresolved", "unresolved: missing", ["name 'missing' is not defined"],
             line=None),
    ]
    edges = [
        edge("pkg.api.create_item", "pkg.deps.get_settings", ["app"]),
        edge("pkg.api.create_item", "pkg.deps.require_role.<locals>.checker", ["decorator"]),
        edge("pkg.api.create_item", "pkg.services.ItemService", parameters=["service"]),
        edge("pkg.api.evil", "pkg.cycle.get_a", parameters=["a"]),
        edge("pkg.api.evil", HOSTILE_ID, parameters=["x"]),
        edge("pkg.api.evil", "unresolved:pkg.api:missing", parameters=["m"]),
        edge("pkg.api.list_items", "pkg.deps.get_settings", ["app"]),
        edge("pkg.api.list_items", "pkg.deps.get_user", parameters=["user"]),
        edge("pkg.api.list_items", "pkg.deps.pagination", parameters=["page"]),
        edge("pkg.api.list_items", "pkg.services.ItemService", parameters=["service"]),
        edge("pkg.cycle.get_a", "pkg.cycle.get_b", parameters=["b"], in_cycle=True),
        edge("pkg.cycle.get_b", "pkg.cycle.get_a", parameters=["a"], in_cycle=True),
        edge("pkg.cycle.get_self", "pkg.cycle.get_self", parameters=["again"], in_cycle=True),
        edge("pkg.deps.get_user", "pkg.deps.get_db", parameters=["db"]),
        edge("pkg.deps.require_role.<locals>.checker", "pkg.deps.get_user", parameters=["user"]),
        edge(HOSTILE_ID, "pkg.deps.get_settings", parameters=["settings"]),
        edge("pkg.services.ItemService", "pkg.deps.get_db", ["param", "router"], parameters=["db"]),
    ]
    findings = [
        finding("DI001", "dependency-cycle", "pkg.cycle.get_a", "dependency cycle: get_a -> get_b -> get_a",
                CYCLE_EXPLANATION),
        finding("DI002", "over-injection", "pkg.api.list_items", "list_items receives 8 dependencies (max 7)",
                "## What it does\nCounts dependencies.\n", severity="warning"),
        finding("DI003", "service-locator", HOSTILE_ID, HOSTILE_MESSAGE, "## What it does\n`<b>` stays text\n"),
        finding("DI005", "override-leak", None, "app.dependency_overrides is never cleared",
                "## What it does\nFinds leaking overrides.\n", severity="warning"),
    ]
    if cluster:
        for item in nodes:
            item["cluster"] = item["module"]
    return {"title": HOSTILE_TITLE, "nodes": nodes, "edges": edges, "findings": findings, "hidden": 2}


def large_view(node_count: int = 500, edge_count: int = 1500, seed: int = 7) -> dict:
    """A random layered graph of the given size with a few cycles, for the layout's speed."""
    rng = random.Random(seed)
    kinds = ["endpoint"] * 120 + ["provider"] * 300 + ["class"] * 60 + ["factory"] * 20
    nodes = [node(f"app.m{i % 23}.n{i:03d}", kinds[i % len(kinds)], f"n{i:03d}",
                  [f"GET /things/{i}"] if kinds[i % len(kinds)] == "endpoint" else [])
             for i in range(node_count)]
    for item in nodes:
        item["cluster"] = None
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < edge_count:
        source = rng.randrange(node_count - 1)
        target = rng.randrange(source + 1, min(node_count, source + 120))
        pairs.add((source, target))
    for _ in range(8):  # a few back edges make cycles
        source = rng.randrange(node_count // 2, node_count)
        pairs.add((source, rng.randrange(0, source)))
    edges = [edge(nodes[s]["id"], nodes[t]["id"], rng.choice([["param"], ["param"], ["param"], ["app"], ["router"]]),
                  ["p"]) for s, t in sorted(pairs)]
    return {"title": "large", "nodes": nodes, "edges": edges, "findings": [], "hidden": 0}


def fan_in_view(sources: int = 300, providers: int = 20, cluster: bool = False, seed: int = 3) -> dict:
    """`sources` endpoints (in 15 modules) that each use one to three of `providers` providers: the shape of a
    real app's graph, whose first layer is hundreds of nodes tall."""
    rng = random.Random(seed)
    nodes = [node(f"app.routes.r{i % 15:02d}.ep{i:03d}", "endpoint", f"ep{i:03d}", [f"GET /things/{i}"])
             for i in range(sources)]
    nodes += [node(f"app.deps.p{j:02d}", "provider", f"p{j:02d}") for j in range(providers)]
    for item in nodes:
        item["cluster"] = item["module"] if cluster else None
    edges = [edge(nodes[i]["id"], nodes[sources + j]["id"], parameters=["dep"])
             for i in range(sources) for j in sorted(rng.sample(range(providers), rng.randint(1, 3)))]
    return {"title": "fan-in", "nodes": nodes, "edges": edges, "findings": [], "hidden": 0}


def sample_app_view(cluster: str = "none", collapse: bool = False, exclude: tuple[str, ...] = ()) -> dict:
    """The view `wirelint graph --format html` draws for the bundled sample app."""
    from wirelint.analyzer import analyze
    from wirelint.report.graph_view import build_view
    from wirelint.rules import all_rules, run_rules

    cwd = Path.cwd()
    os.chdir(REPO)
    try:
        index = analyze([Path("sample_app")], cache_dir=None, jobs=1, exclude=exclude)
    finally:
        os.chdir(cwd)
    findings = run_rules(index, [rule() for rule in all_rules()])
    return build_view(index.graph, findings, modules=list(index.modules), title="wirelint: sample_app",
                      cluster=cluster, collapse=collapse).to_dict()


def embedded_document(page_html: str) -> dict:
    found = re.search(r'<script type="application/json" id="wirelint-data">(.*?)</script>', page_html, re.S)
    assert found, "the page embeds no data block"
    return json.loads(found.group(1))


# ---------------------------------------------------------------- pure Python


def test_hostile_strings_never_appear_as_markup():
    page_html = render_html(small_view())
    for raw in (HOSTILE_ROUTE, HOSTILE_ID, HOSTILE_MESSAGE, "<img", "<b>", "alert(5)</script>"):
        assert raw not in page_html
    # Exactly two script elements: the data block and the page's own script; nothing in the data closes one.
    assert page_html.count("<script") == 2
    assert page_html.count("</script>") == 2
    assert page_html.isascii()
    assert "<title>wirelint: &lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot; &lt;/title&gt;" in page_html


def test_embedded_json_round_trips_with_every_node():
    view = small_view()
    page_html = render_html(view)
    document = embedded_document(page_html)
    assert document == view
    assert {item["id"] for item in document["nodes"]} == {item["id"] for item in view["nodes"]}
    assert HOSTILE_ID in {item["id"] for item in document["nodes"]}


def test_embed_json_escapes_what_could_end_a_script():
    text = embed_json({"a": "</script><!-- & \u2028\u2029 é", "b": [1, None]})
    assert text == ('{"a":"\\u003c/script\\u003e\\u003c!-- \\u0026 \\u2028\\u2029 \\u00e9","b":[1,null]}')
    assert json.loads(text) == {"a": "</script><!-- & \u2028\u2029 é", "b": [1, None]}


def test_output_is_deterministic():
    view = small_view(cluster=True)
    first = render_html(view)
    assert render_html(copy.deepcopy(view)) == first
    reordered = {key: view[key] for key in reversed(list(view))}
    reordered["nodes"] = [{key: item[key] for key in reversed(list(item))} for item in view["nodes"]]
    assert render_html(reordered) == first


class TagCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_page_loads_nothing_from_outside():
    page_html = render_html(small_view())
    collector = TagCollector()
    collector.feed(page_html)
    assert [tag for tag, _ in collector.tags if tag in ("link", "img", "iframe", "object", "embed")] == []
    assert [(tag, attrs) for tag, attrs in collector.tags if {"src", "href"} & set(attrs)] == []
    assert "@import" not in page_html and "url(http" not in page_html
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page_html).group(1)
    assert "default-src 'none'" in policy
    script = re.findall(r"<script>(.*?)</script>", page_html, re.S)[0]
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in policy


# ---------------------------------------------------------------- in Chromium


@pytest.fixture(scope="module")
def browser():
    executable = require_program("chromium", "chromium-browser")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        message = "the playwright package is not installed (pip install -e '.[dev]')"
        if os.environ.get("WIRELINT_REQUIRE_SYSTEM_TOOLS"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable)
        yield launched
        launched.close()


class GraphPage:
    """One rendered view open in Chromium, with what the page reported (errors, dialogs)."""

    def __init__(self, browser, tmp_path: Path, view: dict, width: int = 1400, height: int = 900):
        self.view = view
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        self.page.on("console", lambda message: self.errors.append(f"console {message.type}: {message.text}")
                     if message.type in ("error", "warning") else None)
        self.page.on("dialog", self._dialog)
        path = tmp_path / "graph.html"
        path.write_text(render_html(view), encoding="utf-8")
        self.page.goto(path.as_uri())
        self.page.wait_for_selector("html[data-ready]")

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def node(self, node_id: str):
        return self.page.locator("g.node").nth([item["id"] for item in self.view["nodes"]].index(node_id))

    def ids_with(self, selector: str) -> set[str]:
        return set(self.page.eval_on_selector_all(selector, "elements => elements.map(e => e.dataset.id)"))

    def transform(self) -> tuple[float, float, float]:
        text = self.page.get_attribute("#viewport", "transform")
        x, y, k = map(float, re.match(r"translate\(([-\d.]+),([-\d.]+)\) scale\(([-\d.]+)\)", text).groups())
        return x, y, k

    def click_background(self) -> None:
        box = self.page.locator("#graph").bounding_box()
        self.page.mouse.click(box["x"] + box["width"] - 8, box["y"] + box["height"] - 8)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def open_page(browser, tmp_path):
    opened: list[GraphPage] = []

    def open_view(view: dict, **size) -> GraphPage:
        graph_page = GraphPage(browser, tmp_path, view, **size)
        opened.append(graph_page)
        return graph_page

    yield open_view
    for graph_page in opened:
        graph_page.close()


def reachable(view: dict, start: str, forward: bool) -> set[str]:
    found, frontier = {start}, [start]
    while frontier:
        current = frontier.pop()
        for item in view["edges"]:
            here, there = (item["source"], item["target"]) if forward else (item["target"], item["source"])
            if here == current and there not in found:
                found.add(there)
                frontier.append(there)
    return found


def test_page_draws_every_node_edge_and_finding(open_page, tmp_path):
    view = small_view()
    graph = open_page(view)
    page = graph.page
    assert page.locator("g.node").count() == len(view["nodes"])
    assert page.locator("path.edge").count() == len(view["edges"])
    assert graph.ids_with("g.node") == {item["id"] for item in view["nodes"]}
    drawn_edges = page.eval_on_selector_all(
        "path.edge", "paths => paths.map(p => [p.dataset.source, p.dataset.target, p.classList.contains('cycle')])")
    assert sorted(map(tuple, drawn_edges)) == sorted(
        (item["source"], item["target"], item["in_cycle"]) for item in view["edges"])
    assert page.locator("path.edge.cycle").count() == 3
    codes = page.eval_on_selector_all("li.finding", "items => items.map(i => i.dataset.code)")
    assert codes == [item["code"] for item in view["findings"]]
    assert page.title() == HOSTILE_TITLE
    assert page.is_visible("#hidden-note")
    assert page.locator(".badge").count() >= 3
    page.screenshot(path=str(tmp_path / "small.png"))
    assert graph.errors == [] and graph.dialogs == []


def test_hostile_strings_stay_text_in_the_page(open_page):
    graph = open_page(small_view())
    page = graph.page
    assert page.locator("img").count() == 0
    assert page.eval_on_selector_all("*", "all => all.filter(e => e.hasAttribute('onerror')).length") == 0
    evil = graph.node("pkg.api.evil")
    assert HOSTILE_ROUTE in evil.locator("title").first.text_content()
    assert graph.node(HOSTILE_ID).get_attribute("data-id") == HOSTILE_ID
    page.click('li.finding[data-code="DI003"]')
    assert HOSTILE_MESSAGE in page.text_content("#details")
    page.wait_for_timeout(300)  # an injected handler would have fired by now
    assert page.locator("img").count() == 0
    assert graph.dialogs == [] and graph.errors == []


def test_clicking_a_node_highlights_what_it_depends_on_and_what_depends_on_it(open_page):
    view = small_view()
    graph = open_page(view)
    graph.node("pkg.deps.get_user").click()
    expected = reachable(view, "pkg.deps.get_user", True) | reachable(view, "pkg.deps.get_user", False)
    assert expected == {"pkg.deps.get_user", "pkg.deps.get_db", "pkg.api.list_items",
                        "pkg.deps.require_role.<locals>.checker", "pkg.api.create_item"}
    all_ids = {item["id"] for item in view["nodes"]}
    assert graph.ids_with("g.node.highlight") == expected
    assert graph.ids_with("g.node.dim") == all_ids - expected
    assert graph.ids_with("g.node.selected") == {"pkg.deps.get_user"}
    highlighted_edges = set(map(tuple, graph.page.eval_on_selector_all(
        "path.edge.highlight", "paths => paths.map(p => [p.dataset.source, p.dataset.target])")))
    assert highlighted_edges == {
        ("pkg.deps.get_user", "pkg.deps.get_db"),
        ("pkg.api.list_items", "pkg.deps.get_user"),
        ("pkg.deps.require_role.<locals>.checker", "pkg.deps.get_user"),
        ("pkg.api.create_item", "pkg.deps.require_role.<locals>.checker"),
    }
    assert "pkg.deps.get_user" in graph.page.text_content("#details")
    graph.click_background()
    assert graph.ids_with("g.node.highlight") == set()
    assert graph.ids_with(".dim") == set()
    assert graph.errors == []


def test_a_cycle_highlights_both_ways(open_page):
    view = small_view(cluster=True)
    graph = open_page(view)
    graph.node("pkg.cycle.get_b").click()
    assert graph.ids_with("g.node.highlight") == {"pkg.cycle.get_a", "pkg.cycle.get_b", "pkg.api.evil"}
    assert graph.page.locator("path.edge.cycle.highlight").count() == 2
    assert graph.page.locator("g.cluster").count() >= 5
    assert graph.errors == []


def test_search_highlights_matches_and_enter_centers_the_first(open_page):
    view = small_view()
    graph = open_page(view)
    page = graph.page
    page.fill("#search", "GET_")
    matching = {item["id"] for item in view["nodes"] if "get_" in item["id"].lower()}
    assert graph.ids_with("g.node.highlight") == matching
    assert graph.ids_with("g.node.dim") == {item["id"] for item in view["nodes"]} - matching
    assert page.text_content("#search-count") == f"{len(matching)} matches"
    page.press("#search", "Enter")
    first = next(item["id"] for item in view["nodes"] if item["id"] in matching)
    box, canvas = graph.node(first).locator("rect.box").bounding_box(), page.locator("#graph").bounding_box()
    assert abs(box["x"] + box["width"] / 2 - (canvas["x"] + canvas["width"] / 2)) < 3
    assert abs(box["y"] + box["height"] / 2 - (canvas["y"] + canvas["height"] / 2)) < 3
    page.press("#search", "Escape")
    assert page.input_value("#search") == ""
    assert graph.ids_with(".dim") == set()
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "search"
    assert graph.errors == []


def test_clicking_a_finding_selects_its_node_and_explains_the_rule(open_page, tmp_path):
    graph = open_page(small_view())
    page = graph.page
    page.click('li.finding[data-code="DI001"]')
    assert graph.ids_with("g.node.selected") == {"pkg.cycle.get_a"}
    assert "active" in page.get_attribute('li.finding[data-code="DI001"]', "class")
    headings = page.eval_on_selector_all("#details .explanation h4", "hs => hs.map(h => h.textContent)")
    assert headings == ["What it does", "Why is this bad?", "Example", "Use instead", "References"]
    blocks = page.eval_on_selector_all("#details .explanation pre code", "cs => cs.map(c => c.textContent)")
    assert blocks[0] == "def get_a(b=Depends(get_b)): ...\ndef get_b(a=Depends(get_a)): ..."
    inline = page.eval_on_selector_all("#details .explanation p code", "cs => cs.map(c => c.textContent)")
    assert "<img src=x onerror=alert(4)>" in inline
    link = page.locator("#details .explanation a")
    assert link.get_attribute("href") == "https://fastapi.tiangolo.com/tutorial/dependencies/sub-dependencies/"
    page.screenshot(path=str(tmp_path / "finding.png"))
    # a finding outside every shown node explains itself without selecting anything
    page.click('li.finding[data-code="DI005"]')
    assert graph.ids_with("g.node.selected") == set()
    assert "Finds leaking overrides." in page.text_content("#details")
    assert graph.errors == [] and graph.dialogs == []


def test_pan_and_zoom(open_page):
    graph = open_page(small_view())
    page = graph.page
    x, y, k = graph.transform()
    page.click("#zoom-in")
    assert graph.transform()[2] == pytest.approx(k * 1.25, rel=1e-3)
    page.click("#zoom-out")
    page.click("#zoom-out")
    assert graph.transform()[2] == pytest.approx(k * 0.8, rel=1e-3)
    page.click("#zoom-fit")
    assert graph.transform() == pytest.approx((x, y, k), rel=1e-3)
    canvas = page.locator("#graph").bounding_box()
    page.mouse.move(canvas["x"] + canvas["width"] / 2, canvas["y"] + canvas["height"] / 2)
    page.mouse.wheel(0, -400)
    page.wait_for_function(f"document.getElementById('viewport').getAttribute('transform').indexOf('scale({k})') < 0")
    assert graph.transform()[2] > k
    before = graph.transform()
    start = (canvas["x"] + canvas["width"] - 10, canvas["y"] + canvas["height"] - 10)
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(start[0] - 120, start[1] - 60, steps=5)
    page.mouse.up()
    after = graph.transform()
    assert after[0] == pytest.approx(before[0] - 120, abs=0.2)
    assert after[1] == pytest.approx(before[1] - 60, abs=0.2)
    assert graph.ids_with(".dim") == set()
    assert graph.errors == []


def test_an_empty_view_says_so(open_page):
    graph = open_page({"title": "empty", "nodes": [], "edges": [], "findings": [], "hidden": 0})
    assert graph.page.text_content("#empty") == "No nodes to draw."
    assert graph.page.is_hidden("#hidden-note")
    assert graph.errors == []


def test_a_large_graph_is_laid_out_quickly(open_page, tmp_path):
    view = large_view()
    graph = open_page(view)
    page = graph.page
    assert page.locator("g.node").count() == 500
    assert page.locator("path.edge").count() == len(view["edges"]) >= 1500
    layout_ms = float(page.get_attribute("#graph", "data-layout-ms"))
    render_ms = float(page.get_attribute("#graph", "data-render-ms"))
    assert layout_ms < 1000, f"layout took {layout_ms} ms"
    assert render_ms < 2000, f"layout and drawing took {render_ms} ms"
    boxes = page.eval_on_selector_all("g.node", """nodes => nodes.map(n => {
        const m = n.transform.baseVal.consolidate().matrix, r = n.querySelector('rect');
        return [m.e, m.f, r.width.baseVal.value, r.height.baseVal.value]; })""")
    columns: dict[float, list[tuple[float, float]]] = {}
    for x, y, width, height in boxes:
        columns.setdefault(round(x + width / 2, 1), []).append((y, y + height))
    for spans in columns.values():  # no two boxes of a layer overlap
        spans.sort()
        assert all(top >= previous_bottom for (_, previous_bottom), (top, _) in zip(spans, spans[1:]))
    page.screenshot(path=str(tmp_path / "large.png"))
    assert graph.errors == []


def node_boxes(page) -> list[tuple[str, float, float, float, float]]:
    """(id, x, y, width, height) of every drawn node, in the drawing's coordinates."""
    return [tuple(box) for box in page.eval_on_selector_all("g.node", """nodes => nodes.map(n => {
        const m = n.transform.baseVal.consolidate().matrix, r = n.querySelector('rect');
        return [n.dataset.id, m.e, m.f, r.width.baseVal.value, r.height.baseVal.value]; })""")]


@pytest.mark.parametrize("cluster", [False, True])
def test_a_very_tall_layer_is_split_into_columns(open_page, tmp_path, cluster):
    view = fan_in_view(cluster=cluster)
    graph = open_page(view)
    page = graph.page
    assert page.locator("g.node").count() == len(view["nodes"])
    assert page.locator("path.edge").count() == len(view["edges"])
    assert float(page.get_attribute("#graph", "data-layout-ms")) < 1000
    boxes = node_boxes(page)
    left, top = min(x for _, x, _, _, _ in boxes), min(y for _, _, y, _, _ in boxes)
    right, bottom = max(x + w for _, x, _, w, _ in boxes), max(y + h for _, _, y, _, h in boxes)
    # one column of 300 endpoints would be about 50 times as tall as wide
    assert (bottom - top) / (right - left) < 1.5
    ordered = sorted(boxes, key=lambda box: box[1])
    for index, (_, x, y, width, height) in enumerate(ordered):  # no two boxes overlap
        for other, x2, y2, width2, height2 in ordered[index + 1:]:
            if x2 >= x + width:
                break
            assert y2 >= y + height or y >= y2 + height2, f"{other} overlaps another node"
    columns: dict[float, list[tuple[float, str]]] = {}
    for node_id, x, y, width, _ in boxes:
        columns.setdefault(round(x + width / 2, 1), []).append((y, node_id))
    endpoint_columns = {centre for centre, members in columns.items() if any(".routes." in i for _, i in members)}
    assert len(endpoint_columns) >= 4
    if cluster:  # a cluster's nodes are next to each other in every column
        module_of = {item["id"]: item["cluster"] for item in view["nodes"]}
        for members in columns.values():
            runs = [module_of[node_id] for _, node_id in sorted(members)]
            runs = [name for index, name in enumerate(runs) if not index or runs[index - 1] != name]
            assert len(runs) == len(set(runs))
        assert page.locator("g.cluster").count() >= 15
    assert node_boxes(open_page(view).page) == boxes  # the same layout every time
    page.screenshot(path=str(tmp_path / "fan-in.png"))
    assert graph.errors == []


def test_a_huge_graph_opens_at_a_readable_scale_and_fit_shows_it_all(open_page):
    graph = open_page(fan_in_view(), width=1600, height=1000)
    page = graph.page
    _, _, opened = graph.transform()
    assert opened >= 0.6  # 10px text is 6px or more
    assert page.is_visible("#view-note")
    assert "Fit shows all 320 nodes" in page.text_content("#view-note")
    canvas = page.locator("#graph").bounding_box()
    first = min(node_boxes(page), key=lambda box: (box[1], box[2]))[0]
    shown = page.locator(f'g.node[data-id="{first}"] rect.box').bounding_box()
    assert canvas["x"] <= shown["x"] and shown["x"] + shown["width"] <= canvas["x"] + canvas["width"]
    assert canvas["y"] <= shown["y"] and shown["y"] + shown["height"] <= canvas["y"] + canvas["height"]
    page.click("#zoom-fit")
    assert graph.transform()[2] < opened
    assert page.is_hidden("#view-note")
    drawing = page.locator("#viewport").bounding_box()
    assert drawing["x"] >= canvas["x"] and drawing["x"] + drawing["width"] <= canvas["x"] + canvas["width"] + 1
    assert drawing["y"] >= canvas["y"] and drawing["y"] + drawing["height"] <= canvas["y"] + canvas["height"] + 1
    assert graph.errors == []


@pytest.mark.parametrize("cluster", ["none", "module"])
def test_the_sample_app_graph(open_page, tmp_path, cluster):
    view = sample_app_view(cluster)
    graph = open_page(view, width=1600, height=1000)
    page = graph.page
    assert page.locator("g.node").count() == len(view["nodes"])
    assert page.locator("path.edge").count() == len(view["edges"])
    assert page.locator("path.edge.cycle").count() == sum(item["in_cycle"] for item in view["edges"]) > 0
    assert page.locator("li.finding").count() == len(view["findings"])
    page.screenshot(path=str(tmp_path / f"sample-app-{cluster}.png"))
    keep = os.environ.get("WIRELINT_HTML_SCREENSHOT")
    if keep and cluster == "none":
        page.screenshot(path=keep)
    page.click('li.finding[data-code="DI001"]')
    assert "Why is this bad?" in page.text_content("#details .explanation")
    page.screenshot(path=str(tmp_path / f"sample-app-{cluster}-finding.png"))
    if keep and cluster == "none":
        page.screenshot(path=str(Path(keep).with_stem(Path(keep).stem + "-finding")))
    assert graph.errors == [] and graph.dialogs == []


def client_box(page, selector: str) -> list[dict]:
    return page.eval_on_selector_all(selector, """elements => elements.map(e => {
        const r = e.getBoundingClientRect(); return {x: r.x, y: r.y, right: r.right, bottom: r.bottom}; })""")


def overlaps(a: dict, b: dict) -> bool:
    return a["x"] < b["right"] and b["x"] < a["right"] and a["y"] < b["bottom"] and b["y"] < a["bottom"]


# The layout tests below draw the sample app without its container modules and the DI010 lesson: the two
# FastAPI cycles, 79 nodes (the routers included from there are unresolved then). What they check does not
# depend on which app is drawn; their numbers do.
BEFORE_CONTAINERS = ("sample_app/containers", "sample_app/antipatterns/yield_cleanup.py",
                     "sample_app/fixed/yield_cleanup.py", "sample_app/antipatterns/captive.py",
                     "sample_app/fixed/captive.py", "sample_app/antipatterns/resource_escape.py",
                     "sample_app/fixed/resource_escape.py", "sample_app/antipatterns/hidden_dependency.py",
                     "sample_app/fixed/hidden_dependency.py", "sample_app/services/recommendations.py")


def test_a_graph_too_small_to_read_when_fitted_opens_readable_on_its_cycles(open_page, tmp_path):
    view = sample_app_view("module", exclude=BEFORE_CONTAINERS)
    graph = open_page(view)  # 1400 x 900: fitted, the names would be about 5px high
    page = graph.page
    assert graph.transform()[2] == 0.85
    assert page.text_content("#view-note") == (
        "Showing the 2 dependency cycles at a readable size \u00b7 Fit shows all 85 nodes")
    canvas = page.locator("#graph").bounding_box()
    toolbar = client_box(page, "#toolbar")[0]
    on_cycles = {item[end] for item in view["edges"] if item["in_cycle"] for end in ("source", "target")}
    assert len(on_cycles) == 4
    for node_id in on_cycles:  # every node of both cycles in the window, none under the toolbar
        box = client_box(page, f'g.node[data-id="{node_id}"] rect.box')[0]
        assert canvas["x"] <= box["x"] and box["right"] <= canvas["x"] + canvas["width"]
        assert toolbar["bottom"] <= box["y"] and box["bottom"] <= canvas["y"] + canvas["height"]
    page.screenshot(path=str(tmp_path / "opened.png"))
    page.click("#zoom-fit")
    assert graph.transform()[2] < 0.7 and page.is_hidden("#view-note")
    drawing = page.locator("#viewport").bounding_box()
    assert drawing["x"] >= canvas["x"] and drawing["x"] + drawing["width"] <= canvas["x"] + canvas["width"] + 1
    assert drawing["y"] >= toolbar["bottom"] and drawing["y"] + drawing["height"] <= canvas["y"] + canvas["height"] + 1
    labels = client_box(page, "g.cluster > text") + client_box(page, "g.node rect.box")
    assert len(labels) > 68 and [box for box in labels if overlaps(box, toolbar)] == []
    page.screenshot(path=str(tmp_path / "fitted.png"))
    assert graph.errors == []


def test_module_level_findings_are_marked_on_their_cluster_and_explained_in_the_panel(open_page):
    graph = open_page(sample_app_view("module", exclude=BEFORE_CONTAINERS))
    page = graph.page
    module = "sample_app.antipatterns.module_session"
    # A cluster whose nodes land in separate runs of the layout is drawn as one shape per run: each is marked.
    shapes = page.eval_on_selector_all(f'g.cluster[data-cluster="{module}"]', """groups => groups.map(g =>
        [g.classList.contains('has-findings'), g.querySelector('.badge text').textContent])""")
    assert shapes and all(shape == [True, "DI004"] for shape in shapes)
    notes = dict(page.eval_on_selector_all("li.finding", """items => items.map(i => [i.dataset.code + ':' +
        i.querySelector('.loc').textContent, i.querySelector('.where') && i.querySelector('.where').textContent])"""))
    assert {where: note for where, note in notes.items() if note} == {
        "DI003:sample_app/antipatterns/service_locator.py:42":
            "in no node: marked on the cluster of its module, antipatterns.service_locator",
        "DI004:sample_app/antipatterns/module_session.py:18":
            "in no node: marked on the cluster of its module, antipatterns.module_session",
        "DI006:sample_app/antipatterns/shared_state.py:14":
            "in no node: marked on the cluster of its module, antipatterns.shared_state",
        "DI005:sample_app/tests/test_overrides.py:43":
            "in no node of the graph, nor in a module it draws",
    }
    page.click('li.finding[data-code="DI004"]')
    assert set(page.eval_on_selector_all("g.cluster.active", "gs => gs.map(g => g.dataset.cluster)")) == {module}
    assert graph.ids_with("g.node.selected") == set()
    canvas = client_box(page, "#graph")[0]
    assert any(overlaps(box, canvas) for box in client_box(page, f'g.cluster[data-cluster="{module}"] .badge'))
    assert "marked on the cluster of its module, antipatterns.module_session" in page.text_content("#details")
    graph.node("sample_app.antipatterns.module_session.book_count").click()
    assert page.locator("g.cluster.active").count() == 0
    assert graph.errors == []
    flat = open_page(sample_app_view(exclude=BEFORE_CONTAINERS))
    assert flat.page.text_content('li.finding[data-code="DI004"] .where') == (
        "in no node of the graph; in module sample_app.antipatterns.module_session")


def test_a_collapsed_graph_draws_a_cycle_inside_a_module_and_its_module_level_findings(open_page):
    view = sample_app_view(collapse=True)
    graph = open_page(view)
    page = graph.page
    module, lagom = "sample_app.antipatterns.dependency_cycle", "sample_app.containers.lagom_style"
    assert page.eval_on_selector_all("path.edge.cycle", "ps => ps.map(p => [p.dataset.source, p.dataset.target])") == [
        [module, module], [lagom, lagom]]
    assert "cycle inside (4 nodes)" in page.text_content(f'g.node[data-id="{module}"]')
    assert "cycle inside (3 nodes)" in page.text_content(f'g.node[data-id="{lagom}"]')
    assert page.text_content("#summary") == "40 nodes \u00b7 71 edges \u00b7 2 on cycles \u00b7 22 findings"
    assert page.locator('li.finding[data-code="DI004"] .where').count() == 0
    page.click('li.finding[data-code="DI004"]')
    assert graph.ids_with("g.node.selected") == {"sample_app.antipatterns.module_session"}
    assert graph.errors == []


def test_the_search_box_and_code_in_explanations_fit_the_panel(open_page):
    view = small_view()
    long_line = "def get_user(settings=Depends(get_settings), db=Depends(get_db), cache=Depends(get_cache)): ..."
    view["findings"][0]["explanation"] = CYCLE_EXPLANATION + "\n## Long\n```python\n" + long_line + "\n```\n"
    graph = open_page(view)
    page = graph.page
    room, needed = page.evaluate("""() => {
        const box = document.getElementById('search'), style = getComputedStyle(box);
        const context = document.createElement('canvas').getContext('2d');
        context.font = style.font;
        return [box.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight),
                context.measureText(box.placeholder).width]; }""")
    assert needed + 16 <= room, f"the placeholder needs {needed}px of {room}px"  # 16px: a scrollbar may appear
    page.click('li.finding[data-code="DI001"]')
    panel = client_box(page, "#panel")[0]
    blocks = page.eval_on_selector_all("#details .explanation pre", """blocks => blocks.map(b =>
        [b.scrollWidth, b.clientWidth, b.getBoundingClientRect().right, b.textContent])""")
    assert [text for *_, text in blocks][-1] == long_line
    for scroll_width, client_width, right, _ in blocks:  # wrapped: nothing runs past the edge or hides
        assert scroll_width <= client_width and right <= panel["right"]
    assert page.evaluate("document.getElementById('panel').scrollWidth <= document.getElementById('panel').clientWidth")
    assert graph.errors == []


# ---------------------------------------------------------------- containers and composition roots (graph v2)


def container_view(collapse: bool = False) -> dict:
    """The view document of a graph with both container kinds and the three container vias (see
    docs/graph-model.md), built by hand: a lagom container a class receives, dependency-injector providers,
    constructor arguments (two of them on a cycle), and FastAPI param and decorator edges beside them."""
    from wirelint.analyzer.graph import DependencyGraph
    from wirelint.analyzer.models import Edge, Location, Node, RouteInfo
    from wirelint.report.graph_view import build_view

    def at(module: str, line: int) -> Location:
        return Location(module.replace(".", "/") + ".py", line, 1, line + 2, 1)

    graph = DependencyGraph()
    for node_id, kind, extra in [
        ("app.api.list_orders", "endpoint", {}),
        ("app.containers.Container.orders", "container-provider",
         {"class_id": "app.services.OrderService", "provider_type": "factory"}),
        ("app.containers.Container.repository", "container-provider",
         {"class_id": "app.repos.SqlOrderRepository", "provider_type": "singleton", "lifetime": "process"}),
        ("app.cycle.Alpha", "class", {}),
        ("app.cycle.Beta", "class", {}),
        ("app.deps.get_db", "provider", {"yields": True, "lifetime": "call", "is_async": False}),
        ("app.repos.OrderRepository", "class", {}),
        ("app.repos.SqlOrderRepository", "class", {}),
        ("app.services.Locator", "class", {}),
        ("app.services.OrderService", "class", {}),
        ("app.wiring.container", "container", {}),
    ]:
        graph.add_node(Node(node_id, kind, at(node_id.rsplit(".", 1)[0], 3), **extra))
    graph.add_route("app.api.list_orders", RouteInfo(("GET",), "/orders", "app.main.app"))
    for source, target, via, parameter in [
        ("app.api.list_orders", "app.containers.Container.orders", "container-resolve", "orders"),
        ("app.api.list_orders", "app.cycle.Alpha", "container-resolve", "alpha"),
        ("app.api.list_orders", "app.deps.get_db", "decorator", None),
        ("app.api.list_orders", "app.services.Locator", "param", "locator"),
        ("app.api.list_orders", "app.services.OrderService", "container-resolve", "service"),
        ("app.containers.Container.orders", "app.containers.Container.repository", "constructor", "repo"),
        ("app.containers.Container.orders", "app.services.OrderService", "container-binding", None),
        ("app.containers.Container.repository", "app.repos.SqlOrderRepository", "container-binding", None),
        ("app.cycle.Alpha", "app.cycle.Beta", "constructor", "beta"),
        ("app.cycle.Beta", "app.cycle.Alpha", "constructor", "alpha"),
        ("app.repos.OrderRepository", "app.repos.SqlOrderRepository", "container-binding", None),
        ("app.services.Locator", "app.wiring.container", "constructor", "container"),
        ("app.services.OrderService", "app.repos.OrderRepository", "constructor", "repo"),
    ]:
        graph.add_edge(Edge(source, target, via, at("app.x", 9), parameter))
    modules = ["app.api", "app.containers", "app.cycle", "app.deps", "app.repos", "app.services", "app.wiring"]
    return build_view(graph, modules=modules, title="containers", collapse=collapse).to_dict()


def test_container_providers_carry_their_type_into_the_page():
    document = embedded_document(render_html(container_view()))
    providers = {item["id"]: (item["kind"], item["provider_type"], item["calls"], item["detail"])
                 for item in document["nodes"] if "provider_type" in item}
    assert providers == {
        "app.containers.Container.orders": ("container-provider", "factory", "app.services.OrderService",
                                            ["factory provider", "calls app.services.OrderService"]),
        "app.containers.Container.repository": ("container-provider", "singleton", "app.repos.SqlOrderRepository",
                                                ["singleton provider", "calls app.repos.SqlOrderRepository"]),
    }
    assert "provider_type" not in embedded_document(render_html(small_view()))["nodes"][0]
    assert render_html(container_view()) == render_html(container_view())


def computed(page, selector: str, *properties: str) -> list[list[str]]:
    return page.eval_on_selector_all(selector, """(elements, properties) => elements.map(e => {
        const style = getComputedStyle(e); return properties.map(name => style.getPropertyValue(name)); })""",
                                     list(properties))


def test_container_kinds_and_edges_are_drawn_apart_and_in_the_legend(open_page, tmp_path):
    view = container_view()
    graph = open_page(view)
    page = graph.page
    drawn = page.eval_on_selector_all("path.edge", """paths => paths.map(p => [p.dataset.source.split('.').pop(),
        p.dataset.target.split('.').pop(), p.getAttribute('class'), p.dataset.vias])""")
    assert sorted(map(tuple, drawn)) == [
        ("Alpha", "Beta", "edge container via-constructor cycle", "constructor"),
        ("Beta", "Alpha", "edge container via-constructor cycle", "constructor"),
        ("Locator", "container", "edge container via-constructor", "constructor"),
        ("OrderRepository", "SqlOrderRepository", "edge container via-container-binding", "container-binding"),
        ("OrderService", "OrderRepository", "edge container via-constructor", "constructor"),
        ("list_orders", "Alpha", "edge container via-container-resolve", "container-resolve"),
        ("list_orders", "Locator", "edge", "param"),
        ("list_orders", "OrderService", "edge container via-container-resolve", "container-resolve"),
        ("list_orders", "get_db", "edge via-other", "decorator"),
        ("list_orders", "orders", "edge container via-container-resolve", "container-resolve"),
        ("orders", "OrderService", "edge container via-container-binding", "container-binding"),
        ("orders", "repository", "edge container via-constructor", "constructor"),
        ("repository", "SqlOrderRepository", "edge container via-container-binding", "container-binding"),
    ]
    # each via its own purple line; a cycle is red whatever made it, and FastAPI's edges stay grey
    style = ("stroke", "stroke-dasharray", "stroke-width")
    assert computed(page, "path.edge.via-container-resolve", *style)[0] == ["rgb(124, 58, 237)", "8px, 4px", "2.2px"]
    assert computed(page, "path.edge.via-container-binding", *style)[0] == ["rgb(168, 85, 247)", "1px, 3.5px", "1.7px"]
    assert computed(page, "path.edge.via-constructor:not(.cycle)", *style)[0] == ["rgb(139, 92, 246)", "none", "1.4px"]
    assert {tuple(item) for item in computed(page, "path.edge.cycle", "stroke", "marker-end")} == {
        ("rgb(220, 38, 38)", 'url("#arrow-cycle")')}
    assert computed(page, 'path.edge[data-vias="param"]', "stroke") == [["rgb(148, 163, 184)"]]
    labels = page.eval_on_selector_all("text.edge-label", "ts => ts.map(t => [t.textContent, t.getAttribute('class')])")
    assert ["constructor: repo", "edge-label container"] in labels
    assert {text for text, cls in labels if cls == "edge-label container"} >= {"container-resolve", "container-binding"}
    assert {text for text, cls in labels if "cycle" in cls} <= {"constructor: alpha", "constructor: beta"}
    assert page.locator("g.node.kind-container path.lid").count() == 1
    assert page.locator("g.node.kind-container-provider rect.plate").count() == 2
    assert page.eval_on_selector_all("#legend g.legend-node", "gs => gs.map(g => g.dataset.kind)")[-2:] == [
        "container", "container-provider"]
    assert page.eval_on_selector_all("#legend path[data-via]", "ps => ps.map(p => p.dataset.via)") == [
        "container-resolve", "container-binding", "constructor"]
    legend = page.text_content("#legend")
    for text in ("DI container", "container provider (factory, singleton, ...)",
                 "container-resolve: code asks a container", "container-binding: what it builds for a type",
                 "constructor: an __init__ argument"):
        assert text in legend
    page.screenshot(path=str(tmp_path / "containers.png"))

    graph.node("app.containers.Container.repository").click()
    details = page.locator("#details .node-detail")
    assert details.locator(".chip").text_content() == "container-provider \u00b7 singleton"
    rows = dict(zip(details.locator("dt").all_text_contents(), details.locator("dd").all_text_contents()))
    assert (rows["provider type"], rows["calls"]) == ("singleton", "app.repos.SqlOrderRepository")
    assert rows["lifetime"] == "process: one object for the whole process" and "runs" not in rows
    assert "detail" not in rows  # the type and callable lines have their rows
    graph.node("app.deps.get_db").click()
    rows = dict(zip(details.locator("dt").all_text_contents(), details.locator("dd").all_text_contents()))
    assert (rows["lifetime"], rows["runs"]) == ("call: use_cache=False, built again for each parameter",
                                                "in the threadpool (sync)")
    graph.node("app.containers.Container.repository").click()
    relations = page.eval_on_selector_all("#details .relations li", "lis => lis.map(li => li.textContent)")
    assert relations == ["repos.SqlOrderRepositoryvia container-binding",
                         "containers.Container.ordersrepo \u00b7 via constructor"]
    graph.node("app.cycle.Alpha").click()
    assert "beta \u00b7 via constructor \u00b7 cycle" in page.text_content("#details")
    assert graph.errors == [] and graph.dialogs == []

    plain = open_page(small_view())  # a graph without containers keeps the legend it had
    assert plain.page.locator("#legend [data-via]").count() == 0
    kinds = plain.page.eval_on_selector_all("#legend g.legend-node", "gs => gs.map(g => g.dataset.kind)")
    assert "container" not in kinds and "container-provider" not in kinds


def test_a_collapsed_container_view_merges_vias_into_one_purple_edge(open_page):
    view = container_view(collapse=True)
    graph = open_page(view)
    page = graph.page
    merged = page.eval_on_selector_all('path.edge[data-source="app.api"][data-target="app.services"]',
                                       "ps => ps.map(p => [p.getAttribute('class'), p.dataset.vias, p.textContent])")
    assert merged == [["edge container via-container-resolve", "container-resolve param",
                       "app.api \u2192 app.services\nparameter locator, service; via container-resolve"]]
    # a self-loop's label is right of its node, short of the next column (its vias, without the parameters
    # that would not fit); its tooltip says it all
    loop = page.locator("text.edge-label.cycle")
    assert loop.count() == 1 and loop.text_content() == "constructor"
    box, cycle_node = loop.bounding_box(), graph.node("app.cycle").locator("rect.box").bounding_box()
    next_column = graph.node("app.services").locator("rect.box").bounding_box()
    assert cycle_node["x"] + cycle_node["width"] <= box["x"] and box["x"] + box["width"] <= next_column["x"]
    assert page.text_content('path.edge[data-source="app.cycle"][data-target="app.cycle"] title') == (
        "app.cycle \u2192 app.cycle\nparameter alpha, beta; via constructor\nin a dependency cycle")
    assert graph.errors == []
