"""DI003 on a module-level holder: one finding per function and holder, naming every service it fetches."""

from __future__ import annotations

from wirelint.rules import run_rules
from wirelint.rules.di003_service_locator import ServiceLocator

FILES = {
    "app/__init__.py": "",
    "app/forge.py": """\
class Database:
    def get(self, key: str) -> str: ...
class Storage:
    def put(self, key: str) -> None: ...
class AppHolder:
    def __init__(self):
        object.__setattr__(self, "_inst", None)
    def __getattr__(self, name):
        return getattr(object.__getattribute__(self, "_inst"), name)
app = AppHolder()
""",
    "app/routes.py": """\
from fastapi import APIRouter
from app import forge
from app.forge import app
router = APIRouter()
def save(key: str) -> None:
    app.STORAGE.put(key)
@router.post("/{key}")
async def create(key: str):
    row = app.DATABASE.get(key)
    app.STORAGE.put(key)
    again = app.DATABASE.get(key)
    save(key)
    return row, again
""",
}


def test_one_finding_per_function_and_holder(analyze_project):
    index = analyze_project(FILES)
    findings = [(f.location.path, f.location.line, f.message, [(r.location.line, r.message) for r in f.related])
                for f in run_rules(index, [ServiceLocator()])]
    assert findings == [
        ("app/routes.py", 6, "`app.STORAGE` fetches a service from the module-level holder `app.forge.app` at call "
         "time (service locator); declare it as a parameter with Depends (one provider that returns it) so that "
         "the signature says what the code needs and tests can override it", []),
        ("app/routes.py", 9, "`app.DATABASE`, `app.STORAGE` fetch 2 services from the module-level holder "
         "`app.forge.app` at call time (service locator); declare each as a parameter with Depends (one provider "
         "that returns it) so that the signature says what the code needs and tests can override it",
         [(10, "`app.STORAGE` read here")]),
    ]


def test_a_closure_a_route_defines_is_on_the_request_path_once(analyze_project):
    """The closure's reads are its own (not also its parent's), and it runs for the request, called or not."""
    files = dict(FILES)
    files["app/routes.py"] = """\
import asyncio
from fastapi import APIRouter
from app.forge import app
router = APIRouter()
@router.post("/{key}")
async def create(key: str):
    async def store():
        app.STORAGE.put(key)
    asyncio.get_running_loop().call_soon(store)
    return key
"""
    index = analyze_project(files)
    assert [(f.location.path, f.location.line, f.message.split(" fetches")[0])
            for f in run_rules(index, [ServiceLocator()])] == [("app/routes.py", 8, "`app.STORAGE`")]
