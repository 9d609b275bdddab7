"""The container oracle: what wirelint draws for a DI container or a composition root equals what the real
container or composition root builds.

The run-time side imports each module of sample_app/containers in a child process
(tests/oracle/container_runtime.py); this process never imports sample_app, lagom or dependency-injector.
The static side is `wirelint.analyzer.analyze([Path("sample_app")])` from the repository root, read by the
contract in docs/graph-model.md ("Containers and composition roots"):

- lagom: an endpoint has a `container-resolve` edge to what `deps.depends(X)` asks for; a bound type a
  `container-binding` edge to its implementation; a class a `constructor` edge per `__init__` parameter to its
  annotated type. A run-time record (C, p, T) is expected as: C has a constructor edge with parameter p to X,
  and T is X or the target of X's container-binding edge. A cycle through these edges is what lagom cannot
  resolve.
- dependency-injector: a `container-provider` node `module.Container.name` with `lifetime` and `class_id`, a
  `container-binding` edge to what it provides, a `constructor` edge per argument that is a provider.
- plain constructor injection: the constructor edges of the module's classes are the records of the calls its
  composition root makes at import.

Constructor edges exist only for project classes (docs/graph-model.md), so run-time records whose argument is
not an instance of a project class (`float`, `str`) are left out of the comparison.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from wirelint.analyzer import analyze

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
PROJECT = "sample_app"
LAGOM = "sample_app.containers.lagom_style"
INJECTOR = "sample_app.containers.injector_style"
PLAIN = "sample_app.containers.composition_root"


@functools.lru_cache(maxsize=None)
def runtime_document(module: str, *arguments: str, root: str = str(REPO)) -> dict:
    env = {**os.environ, "SAMPLE_APP_DATABASE_URL": "sqlite://", "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [sys.executable, str(HERE / "container_runtime.py"), root, module, *arguments],
        capture_output=True, text=True, timeout=120, env=env, cwd=root,
    )
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert "error" not in document, document
    return document


@pytest.fixture(scope="module")
def graph():
    cwd = Path.cwd()
    os.chdir(REPO)
    try:
        yield analyze([Path(PROJECT)], jobs=1).graph
    finally:
        os.chdir(cwd)


def in_module(node_id: str, module: str) -> bool:
    return node_id.startswith(module + ".")


def is_project(type_id: str) -> bool:
    return in_module(type_id, PROJECT)


def edges(graph, via: str, module: str) -> list:
    return [edge for edge in graph.edges() if edge.via == via and in_module(edge.source, module)]


def records(items) -> set[tuple[str, str, str]]:
    return {(owner, parameter, argument) for owner, parameter, argument in items if is_project(argument)}


def requests(document: dict) -> set[tuple]:
    return {tuple(item) for item in document["requests"]}


def static_requests(graph, module: str) -> set[tuple]:
    return {(edge.source, edge.parameter, edge.target) for edge in edges(graph, "container-resolve", module)}


def static_construction(graph, wanted: str) -> set[tuple[str, str, str]]:
    """The (class, parameter, type built) triples the static graph expects when the container builds `wanted`:
    follow container-binding to what is built, then each constructor edge, through bindings, recursively."""
    out: dict[str, list] = {}
    for edge in graph.edges():
        out.setdefault(edge.source, []).append(edge)

    def built(node_id: str) -> str:
        bound = [edge.target for edge in out.get(node_id, []) if edge.via == "container-binding"]
        assert len(bound) <= 1, (node_id, bound)
        return bound[0] if bound else node_id

    expected, seen, todo = set(), set(), [built(wanted)]
    while todo:
        owner = todo.pop()
        if owner in seen:
            continue
        seen.add(owner)
        for edge in out.get(owner, []):
            if edge.via == "constructor":
                target = built(edge.target)
                expected.add((owner, edge.parameter, target))
                todo.append(target)
    return expected


def test_lagom_container_matches_runtime(graph):
    runtime = runtime_document(LAGOM, "--all")
    (container,) = runtime["lagom"].values()
    assert static_requests(graph, LAGOM) == requests(runtime)
    assert {(edge.source, edge.target) for edge in edges(graph, "container-binding", LAGOM)} == {
        tuple(binding) for binding in container["bindings"]
    }
    built = [item for item in container["resolved"] if "error" not in item]
    static = set().union(*(static_construction(graph, item["type"]) for item in built))
    assert static == records(record for item in built for record in item["records"])
    # DI001: the types lagom cannot build because it recurses are exactly the nodes on the static cycles.
    recursive = {item["type"] for item in container["resolved"]
                 if item.get("error", "").startswith("RecursiveDefinitionError")}
    assert recursive == {f"{LAGOM}.Shipping", f"{LAGOM}.ShippingService", f"{LAGOM}.InvoiceService"}
    assert {node for cycle in graph.cycles() for node in cycle if in_module(node, LAGOM)} == recursive


def test_dependency_injector_container_matches_runtime(graph):
    runtime = runtime_document(INJECTOR)
    (declared,) = runtime["dependency_injector"].values()
    providers = {node.id: node for node in graph.nodes()
                 if node.kind == "container-provider" and in_module(node.id, INJECTOR)}
    assert {(node.id, node.provider_type, node.class_id) for node in providers.values()} == {
        (provider_id, provider["lifetime"], provider["provides"]) for provider_id, provider in declared.items()
    }
    assert {(edge.source, edge.target) for edge in edges(graph, "container-binding", INJECTOR)} == {
        (provider_id, provider["provides"]) for provider_id, provider in declared.items()
    }
    passed = set()
    for provider_id, provider in declared.items():
        named = list(zip(provider["arg_names"], provider["args"])) + list(provider["kwargs"].items())
        passed |= {(provider_id, name, value) for name, value in named
                   if value is not None and not value.startswith("inline:")}
    assert {(edge.source, edge.parameter, edge.target) for edge in edges(graph, "constructor", INJECTOR)} == passed
    assert static_requests(graph, INJECTOR) == requests(runtime)


def test_composition_root_matches_runtime(graph):
    runtime = runtime_document(PLAIN)
    assert {(edge.source, edge.parameter, edge.target) for edge in edges(graph, "constructor", PLAIN)} == records(
        runtime["import"]
    )
    assert static_requests(graph, PLAIN) == requests(runtime) == set()


# --- the run-time side on its own (reviewed by hand against the sources) -----------------------------------


def test_runtime_side_on_the_sample_lagom_module():
    runtime = runtime_document(LAGOM, "--all")
    m = LAGOM + "."
    assert runtime["import"] == [[m + "FlatTax", "rate", "builtins.float"]]  # container[TaxPolicy] = FlatTax(...)
    assert runtime["requests"] == [[m + "quote", "service", m + "QuoteService"]]
    assert runtime["dependency_injector"] == {}
    (container_id,) = runtime["lagom"]
    assert container_id == m + "container"
    container = runtime["lagom"][container_id]
    assert container["bindings"] == [
        [m + "PriceList", m + "StaticPriceList"],
        [m + "Shipping", m + "ShippingService"],
        [m + "TaxPolicy", m + "FlatTax"],
    ]
    resolved = {item["type"].removeprefix(m): item for item in container["resolved"]}
    assert list(resolved) == ["PriceList", "TaxPolicy", "Currency", "StaticPriceList", "FlatTax", "QuoteService",
                              "Shipping", "ShippingService", "InvoiceService"]  # every class, in source order
    assert resolved["QuoteService"] == {"type": m + "QuoteService", "built": m + "QuoteService", "records": [
        [m + "StaticPriceList", "currency", m + "Currency"],
        [m + "QuoteService", "prices", m + "StaticPriceList"],
        [m + "QuoteService", "tax", m + "FlatTax"],  # the bound instance: no FlatTax.__init__ call
    ]}
    assert resolved["TaxPolicy"] == {"type": m + "TaxPolicy", "built": m + "FlatTax", "records": []}
    assert resolved["FlatTax"]["error"].startswith("UnresolvableType: ")  # lagom cannot supply `rate: float`
    for name in ("Shipping", "ShippingService", "InvoiceService"):
        assert resolved[name]["error"].startswith("RecursiveDefinitionError: ")


def test_runtime_side_on_the_sample_injector_module():
    runtime = runtime_document(INJECTOR)
    m = INJECTOR + "."
    c = m + "Container."
    assert (runtime["import"], runtime["lagom"]) == ([], {})
    assert runtime["requests"] == [[m + "shelf_stats", "stats", c + "stats"]]
    assert runtime["dependency_injector"] == {m + "Container": {
        c + "session": {"lifetime": "singleton", "provides": "sample_app.db.SessionLocal", "args": [],
                        "arg_names": [], "kwargs": {}},
        c + "shelf": {"lifetime": "factory", "provides": m + "BookShelf", "args": [], "arg_names": [],
                      "kwargs": {"session": c + "session"}},
        c + "stats": {"lifetime": "factory", "provides": m + "ShelfStats", "args": [], "arg_names": [],
                      "kwargs": {"shelf": c + "shelf"}},
    }}


def test_runtime_side_on_the_sample_composition_root():
    runtime = runtime_document(PLAIN)
    m = PLAIN + "."
    assert (runtime["requests"], runtime["lagom"], runtime["dependency_injector"]) == ([], {}, {})
    assert runtime["import"] == [[m + owner, parameter, argument if "." in argument else m + argument]
                                 for owner, parameter, argument in [
        ("InMemorySales", "clock", "SystemClock"),
        ("AuditLog", "clock", "SystemClock"),  # passed positionally
        ("CsvFormatter", "separator", "builtins.str"),
        ("MemoryStore", "index", "ReportIndex"),  # a nested call: MemoryStore(index=ReportIndex())
        ("LogNotifier", "channel", "builtins.str"),
        ("ReportBuilder", "sales", "InMemorySales"),
        ("ReportBuilder", "stock", "InMemoryStock"),
        ("ReportBuilder", "prices", "FixedPrices"),
        ("ReportBuilder", "clock", "SystemClock"),
        ("ReportBuilder", "formatter", "CsvFormatter"),
        ("ReportBuilder", "store", "MemoryStore"),
        ("ReportBuilder", "notifier", "LogNotifier"),
        ("ReportBuilder", "audit", "AuditLog"),
    ]]


def test_runtime_side_on_a_handwritten_module(tmp_path):
    """The shapes the sample does not use: positional provider arguments, inline providers, plain values,
    other lifetimes, a lagom factory binding, a class inheriting its __init__, and a module that fails."""
    package = tmp_path / "oracle_containers"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "shared.py").write_text("class Engine:\n    def __init__(self, url: str) -> None:\n"
                                       "        self.url = url\nengine = Engine('sqlite://')\n")
    (package / "wiring.py").write_text(
        "from dependency_injector import containers, providers\n"
        "from lagom import Container as LagomContainer\n"
        "from oracle_containers.shared import engine\n"
        "class Repo:\n    def __init__(self, engine, name):\n        self.engine, self.name = engine, name\n"
        "class Service:\n    def __init__(self, repo, clock):\n        self.repo, self.clock = repo, clock\n"
        "class Child(Service):\n    pass\n"
        "def open_resource():\n    yield 1\n"
        "class Container(containers.DeclarativeContainer):\n"
        "    engine = providers.Object(engine)\n"
        "    resource = providers.Resource(open_resource)\n"
        "    repo = providers.ThreadSafeSingleton(Repo, engine, name='books')\n"
        "    service = providers.Factory(Service, repo, clock=providers.Factory(dict))\n"
        "class Clock:\n    pass\n"
        "lagom = LagomContainer()\n"
        "lagom[Service] = lambda c: Child(repo=None, clock=c[Clock])\n"
    )
    runtime = runtime_document("oracle_containers.wiring", "oracle_containers.wiring.Service", root=str(tmp_path))
    m = "oracle_containers.wiring."
    c = m + "Container."
    assert runtime["dependency_injector"][m + "Container"] == {
        c + "engine": {"lifetime": "object", "provides": "oracle_containers.shared.engine", "args": [],
                       "arg_names": [], "kwargs": {}},
        c + "resource": {"lifetime": "resource", "provides": m + "open_resource", "args": [], "arg_names": [],
                         "kwargs": {}},
        c + "repo": {"lifetime": "thread_safe_singleton", "provides": m + "Repo", "args": [c + "engine"],
                     "arg_names": ["engine"], "kwargs": {"name": None}},
        c + "service": {"lifetime": "factory", "provides": m + "Service", "args": [c + "repo"],
                        "arg_names": ["repo"], "kwargs": {"clock": "inline:builtins.dict"}},
    }
    assert runtime["import"] == []  # the shared Engine(...) belongs to another module
    assert runtime["lagom"][m + "lagom"] == {
        "bindings": [[m + "Service", m + "Child"]],  # a factory binding: only building it says what it is
        "resolved": [{"type": m + "Service", "built": m + "Child", "records": [
            [m + "Service", "repo", "builtins.NoneType"], [m + "Service", "clock", m + "Clock"],
        ]}],
    }
    # The static side agrees on these shapes too.
    cwd = Path.cwd()
    os.chdir(tmp_path)
    try:
        static = analyze([Path("oracle_containers")], jobs=1, cache_dir=None).graph
    finally:
        os.chdir(cwd)
    declared = runtime["dependency_injector"][m + "Container"]
    assert {(n.id, n.provider_type, n.class_id) for n in static.nodes()
            if n.kind == "container-provider" and n.id in declared} == {
        (provider_id, provider["lifetime"], provider["provides"]) for provider_id, provider in declared.items()}
    assert {(e.source, e.target) for e in static.edges() if e.via == "container-binding" and e.source in declared} == {
        (provider_id, provider["provides"]) for provider_id, provider in declared.items()
        if provider["lifetime"] != "object"}  # an Object provider calls nothing
    passed = set()
    for provider_id, provider in declared.items():
        for name, value in list(zip(provider["arg_names"], provider["args"])) + list(provider["kwargs"].items()):
            if value is not None:  # an inline provider is a node of its own, named after the argument
                passed.add((provider_id, name, f"{provider_id}.{name}" if value.startswith("inline:") else value))
    assert {(e.source, e.parameter, e.target) for e in static.edges() if e.via == "constructor"
            and e.source in declared} == passed
    assert static.node(c + "service.clock").class_id == "builtins.dict"
    (lagom,) = runtime["lagom"].values()
    assert {(e.source, e.target) for e in static.edges() if e.via == "container-binding"
            and e.source not in declared and not e.source.startswith(c)} == {tuple(b) for b in lagom["bindings"]}
    built = lagom["resolved"][0]["built"]  # Child, whose __init__ (Service's) the records name
    assert {(e.parameter, e.target) for e in static.edges() if e.via == "constructor" and e.source == built} == {
        (parameter, argument) for _owner, parameter, argument in lagom["resolved"][0]["records"]
        if argument.startswith("oracle_containers.")}
    (tmp_path / "oracle_broken_container.py").write_text("raise RuntimeError('boom')\n")
    done = subprocess.run([sys.executable, str(HERE / "container_runtime.py"), str(tmp_path),
                           "oracle_broken_container"], capture_output=True, text=True, timeout=60)
    assert json.loads(done.stdout)["error"] == "RuntimeError: boom"
