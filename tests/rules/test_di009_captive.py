"""DI009 captive-dependency: what it reports beyond the rule's own examples, and the look-alikes it leaves.

The open-webui shape (`Automations.insert(..., db=db)`: a method of a module-level table object called with
the request's session) fooled a first version, which read every `.insert()` as a container being filled.
"""

from __future__ import annotations

from wirelint.rules import run_rules
from wirelint.rules.di009_captive_dependency import CaptiveDependency

HEADER = """\
from functools import cache, lru_cache
from fastapi import Depends, FastAPI
app = FastAPI()
def get_db():
    db = object()
    try:
        yield db
    finally:
        pass
class Repo:
    session = None
    def __init__(self, db=Depends(get_db)):
        self.db = db
"""


def findings(analyze_project, body: str) -> list[tuple[int, str]]:
    index = analyze_project({"app.py": HEADER + body})
    return [(finding.location.line, finding.message) for finding in run_rules(index, [CaptiveDependency()])]


def test_cache_on_an_injected_class_and_state_set_on_every_request(analyze_project):
    assert findings(analyze_project, """\
_sessions: list = []
@cache
def get_report(repo: Repo = Depends()):
    return repo
@app.get("/")
def read(report=Depends(get_report), db=Depends(get_db)):
    Repo.session = db
    _sessions.append(db)
    return report
""") == [
        (16, "`get_report` is cached for the whole process (lru_cache) but takes `repo` from `Repo`, which FastAPI "
             "builds per request: the cache keeps each request's object alive after its teardown, and never hits"),
        (20, "`Repo.session` lives as long as the process but is set on every request to what `read` got as `db` "
             "from `get_db`, built per request: later requests use that request's object after its teardown"),
        (21, "`_sessions` lives as long as the process but is set on every request to what `read` got as `db` from "
             "`get_db`, built per request: later requests use that request's object after its teardown"),
    ]


def test_look_alikes_stay_quiet(analyze_project):
    assert findings(analyze_project, """\
class Table:
    def insert(self, item, db=None):
        return item
Automations = Table()
_count = None
@lru_cache
def get_table():
    return Automations
@app.post("/")
def create(item: str, db=Depends(get_db), table=Depends(get_table)):
    global _count
    Automations.insert(item, db=db)
    if _count is None:
        _count = db.query(Repo).count()
    return item
""") == []
