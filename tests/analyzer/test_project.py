"""Project loading: cache reuse and invalidation, parallel parsing equals serial, on-demand parsing."""

from __future__ import annotations

from pathlib import Path

from graph_helpers import edge_set

from wirelint.analyzer import analyze
from wirelint.report.graph_json import graph_document

FILES = {
    "app/__init__.py": "",
    "app/models.py": "class User:\n    def __init__(self, name: str):\n        self.name = name\n",
    "app/deps.py": "from fastapi import Depends\nfrom .models import User\ndef get_db():\n    yield 1\n",
    "app/main.py": (
        "from typing import Annotated\nfrom fastapi import FastAPI, Depends\nfrom .deps import get_db\n"
        "from .models import User\napp = FastAPI()\n"
        "@app.get('/')\ndef root(db=Depends(get_db), user: Annotated[User, Depends()] = None):\n    return 1\n"
    ),
}


def test_a_module_that_never_mentions_fastapi_gives_its_class(analyze_project):
    index = analyze_project(FILES)  # models.py: Depends() on User needs its __init__
    assert edge_set(index) == {("app.main.root", "app.deps.get_db", "param"), ("app.main.root", "app.models.User", "param")}


def test_cache_gives_the_same_graph_and_sees_edits(analyze_project, tmp_path: Path):
    cache = tmp_path / "cache"
    first = graph_document(analyze_project(FILES, cache_dir=cache))
    assert any(cache.rglob("*.pickle"))
    assert graph_document(analyze([Path(".")], jobs=1, cache_dir=cache)) == first
    (tmp_path / "app/deps.py").write_text("from fastapi import Depends\ndef get_db(x=Depends(lambda: 1)):\n    yield 1\n")
    changed = analyze([Path(".")], jobs=1, cache_dir=cache)
    assert ("app.deps.get_db", "app.deps.<lambda>", "param") in edge_set(changed)


def test_corrupt_cache_entry_is_ignored(analyze_project, tmp_path: Path):
    cache = tmp_path / "cache"
    first = graph_document(analyze_project(FILES, cache_dir=cache))
    for entry in cache.rglob("*.pickle"):
        entry.write_bytes(b"not a pickle")
    assert graph_document(analyze([Path(".")], jobs=1, cache_dir=cache)) == first


def test_parallel_parsing_equals_serial(analyze_project):
    files = dict(FILES)
    for number in range(40):
        files[f"app/r{number}.py"] = (
            "from fastapi import APIRouter, Depends\nfrom .deps import get_db\nrouter = APIRouter()\n"
            f"@router.get('/{number}')\ndef ep{number}(db=Depends(get_db)):\n    return 1\n"
        )
    serial = graph_document(analyze_project(files, jobs=1))
    parallel = graph_document(analyze([Path(".")], jobs=2))
    assert parallel == serial
    assert len([n for n in serial["nodes"] if n["kind"] == "endpoint"]) == 41
