"""Crafted route paths and names, end to end through `wirelint graph`: every format stays well-formed and shows
the text as text (DOT that Graphviz reads, Mermaid without raw markup, HTML without injected elements)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROUTE = '/</script><img src=x onerror=alert(1)>"{id}|`#1;&\\\\ ]]>--'
APP = f"""\
from fastapi import Depends, FastAPI

app = FastAPI()


def get_db():
    yield 1


@app.get({ROUTE!r})
def read(item=Depends(get_db)):
    return item
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("crafted")
    (root / "svc").mkdir()
    (root / "svc/__init__.py").write_text("")
    (root / "svc/main.py").write_text(APP)
    return root


def graph(project: Path, fmt: str) -> str:
    result = subprocess.run([sys.executable, "-m", "wirelint", "graph", "svc", "--no-cache", "-f", fmt],
                            cwd=project, capture_output=True, text=True, timeout=120)
    assert (result.returncode, result.stderr) == (0, ""), result.stderr
    return result.stdout


def test_json_carries_the_route_exactly(project):
    (node,) = [n for n in json.loads(graph(project, "json"))["nodes"] if n["id"] == "svc.main.read"]
    assert [r["path"] for r in node["routes"]] == [ROUTE]


def test_dot_is_read_by_graphviz_with_the_label_intact(project):
    text = graph(project, "dot")
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed")
    drawn = subprocess.run(["dot", "-Tjson"], input=text, capture_output=True, text=True, timeout=60)
    assert drawn.returncode == 0, drawn.stderr
    labels = [o.get("label", "") for o in json.loads(drawn.stdout).get("objects", [])]
    assert any("onerror=alert(1)" in label and "</script>" in label for label in labels)
    assert len([o for o in json.loads(drawn.stdout)["objects"] if "label" in o]) == 2  # no node forged


def test_mermaid_and_markdown_have_no_raw_markup(project):
    for fmt in ("mermaid", "markdown"):
        text = graph(project, fmt)
        assert "<script" not in text and "<img" not in text and "onerror=alert(1)&gt;" in text, fmt


def test_html_embeds_the_route_as_data_only(project):
    page = graph(project, "html")
    assert page.count("</script>") == page.count("<script")  # no script closed early by the route
    assert "<img" not in page
