"""DI012 hidden-dependency: the shapes real projects use (litellm's call-time imports of annotated globals,
zenml's and airflow's singleton accessors), the messages, the option, and the look-alikes that fooled it."""

from wirelint.rules import run_rules
from wirelint.rules.di012_hidden_dependency import HiddenDependency

STORE = """\
from typing import Optional
from pydantic import BaseModel
class SqlStore(BaseModel):
    def get_run(self, key):
        return key
    def list_runs(self):
        return []
_store: Optional["SqlStore"] = None
def zen_store() -> "SqlStore":
    global _store
    if _store is None:
        raise RuntimeError("not initialised")
    return _store
class AuthManager:
    def is_authorized(self, user):
        return True
    def user_of(self, token):
        return token
class _AuthManagerState:
    instance: AuthManager | None = None
def get_auth_manager() -> AuthManager:
    if _AuthManagerState.instance is None:
        raise RuntimeError("not initialised")
    return _AuthManagerState.instance
def init_auth_manager():
    _AuthManagerState.instance = AuthManager()
"""

PROXY = """\
from fastapi import FastAPI
class PrismaClient:
    async def connect(self):
        pass
    async def find(self, key):
        return key
class Router:
    def route(self, name):
        return name
    def models(self):
        return []
prisma_client: PrismaClient | None = None
llm_router: Router | None = None
app = FastAPI()
@app.on_event("startup")
async def startup():
    global prisma_client
    prisma_client = PrismaClient()
    await prisma_client.connect()
"""


def findings(analyze_project, files: dict[str, str], **settings) -> list[tuple[str, int, str, str | None]]:
    index = analyze_project(files)
    return [(f.location.path, f.location.line, f.message, f.fix)
            for f in run_rules(index, [HiddenDependency(settings)])]


def test_accessors_returning_a_module_or_class_slot(analyze_project):
    routes = """\
from fastapi import APIRouter
from store import get_auth_manager, zen_store
router = APIRouter()
@router.get("/runs/{key}")
def get_run(key: str, user: str = ""):
    if not get_auth_manager().is_authorized(user):
        return None
    return zen_store().get_run(key)
"""
    assert findings(analyze_project, {"store.py": STORE, "routes.py": routes}) == [
        ("routes.py", 6, "`get_auth_manager()` fetches the process-wide AuthManager from a singleton accessor (hidden "
         "dependency): dependency_overrides cannot replace it, and the signature does not show it",
         "receive it as a parameter: `auth_manager: AuthManager = Depends(get_auth_manager)`"),
        ("routes.py", 8, "`zen_store()` fetches the process-wide SqlStore from a singleton accessor (hidden "
         "dependency): dependency_overrides cannot replace it, and the signature does not show it",
         "receive it as a parameter: `sql_store: SqlStore = Depends(zen_store)`"),
    ]


def test_call_time_imports_of_annotated_globals_one_finding_per_line(analyze_project):
    routes = """\
from fastapi import APIRouter
router = APIRouter()
@router.get("/keys")
async def list_keys():
    from proxy import llm_router, prisma_client
    if prisma_client is None:
        return []
    return await prisma_client.find(llm_router.models())
@router.get("/models")
def models():
    import proxy
    return proxy.llm_router.models()
"""
    assert findings(analyze_project, {"proxy.py": PROXY, "routes.py": routes}) == [
        ("routes.py", 5, "imports the module-level instances `llm_router` (Router) and `prisma_client` (PrismaClient) "
         "directly (hidden dependency): dependency_overrides cannot replace them, and the signature does not show "
         "them", "receive each as a parameter with Depends, each from a provider that returns it"),
        ("routes.py", 12, "uses the module-level instance `llm_router` (Router) directly (hidden dependency): "
         "dependency_overrides cannot replace it, and the signature does not show it",
         "receive it as a parameter: `llm_router: Router = Depends(get_llm_router)`, with a provider that returns it"),
    ]


def test_injected_classes_lru_cache_clients_and_the_follow_calls_option(analyze_project):
    app = """\
from functools import lru_cache
import httpx
from fastapi import Depends, FastAPI
app = FastAPI()
@lru_cache
def get_client() -> httpx.AsyncClient:
    return httpx.AsyncClient()
mailer = httpx.Client()
class Notifier:
    def __init__(self):
        self.http = get_client()
async def fetch(url):
    return await get_client().get(url)
@app.get("/")
async def read(notifier: Notifier = Depends()):
    return await fetch("https://example.com")
"""
    assert [(path, line) for path, line, *_ in findings(analyze_project, {"app.py": app})] == [("app.py", 11)]
    assert [(path, line) for path, line, *_ in findings(analyze_project, {"app.py": app}, **{"follow-calls": True})
            ] == [("app.py", 11), ("app.py", 13)]


def test_look_alikes_left_alone(analyze_project):
    app = """\
from fastapi import Depends, FastAPI
from store import get_auth_manager, init_auth_manager, zen_store
import store
app = FastAPI()
def get_store():
    return zen_store()            # the provider: the bridge a test overrides
def current_user(token: str = ""):
    return get_auth_manager().user_of(token)   # a provider reading a singleton: overridable
def make(name):
    return name
registry = {"a": make}
@app.on_event("startup")
def startup():
    init_auth_manager()           # start-up wiring
@app.get("/")
def read(runs=Depends(get_store), user=Depends(current_user)):
    store._store = None           # writing the module's slot is not depending on it
    return registry["a"](runs.list_runs())   # a dict of functions is data
"""
    test = """\
from store import zen_store
def test_store():
    assert zen_store().list_runs() == []
"""
    assert findings(analyze_project, {"store.py": STORE, "app.py": app, "tests/test_store.py": test}) == []


def test_a_function_that_sets_the_global_owns_it(analyze_project):
    app = """\
import httpx
from fastapi import FastAPI
app = FastAPI()
_client: httpx.AsyncClient | None = None
@app.post("/reload")
async def reload():
    global _client
    if _client is not None:
        await _client.aclose()
    _client = httpx.AsyncClient()
    return {}
"""
    assert findings(analyze_project, {"app.py": app}) == []


def test_an_accessor_imported_inside_the_endpoint_is_reported_where_it_is_called(analyze_project):
    routes = """\
from fastapi import APIRouter
router = APIRouter()
@router.get("/runs")
def list_runs():
    from store import zen_store

    runs = zen_store().list_runs()
    return runs
"""
    assert [(path, line) for path, line, *_ in findings(analyze_project, {"store.py": STORE, "routes.py": routes})
            ] == [("routes.py", 7)]


def test_an_endpoint_other_code_calls_as_a_function_is_left_alone(analyze_project):
    """open-webui's chat helper awaits the `generate_chat_completion` endpoint itself: a `Depends` parameter
    would not be resolved on that call, so the suggested fix would break it."""
    routes = """\
from fastapi import APIRouter
from store import zen_store
router = APIRouter()
@router.get("/runs")
def list_runs():
    return zen_store().list_runs()
@router.get("/count")
def count_runs():
    return len(zen_store().list_runs())
"""
    helper = """\
from routes import list_runs as _list_runs
def summary():
    return _list_runs()
"""
    files = {"store.py": STORE, "routes.py": routes, "summary.py": helper}
    assert [(path, line) for path, line, *_ in findings(analyze_project, files)] == [("routes.py", 9)]
