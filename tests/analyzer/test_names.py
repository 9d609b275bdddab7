"""Names across modules: imports, re-exports, relative imports, module aliases, attribute access."""

from __future__ import annotations

from graph_helpers import edge_set

PROVIDERS = """
from typing import Annotated
from fastapi import Depends
def get_db():
    yield 1
async def get_user(db=Depends(get_db)):
    return 1
DbSession = Annotated[int, Depends(get_db)]
"""


def test_alias_reexported_through_package_init(analyze_project):
    index = analyze_project({
        "app/__init__.py": "",
        "app/deps/__init__.py": "from .providers import DbSession as DbSession, get_user\n",
        "app/deps/providers.py": PROVIDERS,
        "app/api/__init__.py": "",
        "app/api/items.py": """
            from typing import Annotated
            from fastapi import APIRouter, Depends
            from app.deps import DbSession, get_user
            router = APIRouter()
            @router.get("/")
            def items(db: DbSession, user=Depends(get_user)):
                return 1
        """,
    })
    assert edge_set(index) == {
        ("app.api.items.items", "app.deps.providers.get_db", "param"),
        ("app.api.items.items", "app.deps.providers.get_user", "param"),
        ("app.deps.providers.get_user", "app.deps.providers.get_db", "param"),
    }


def test_module_alias_relative_and_attribute_access(analyze_project):
    index = analyze_project({
        "app/__init__.py": "",
        "app/deps.py": PROVIDERS,
        "app/a.py": """
            import fastapi
            import app.deps as d
            from . import deps
            from .deps import get_user as current_user
            router = fastapi.APIRouter()
            @router.get("/")
            def a(x=fastapi.Depends(d.get_db), y=fastapi.params.Depends(deps.get_user), z=fastapi.Depends(current_user)):
                return 1
        """,
        "app/b.py": """
            import app.deps
            from fastapi import APIRouter, Depends
            router = APIRouter()
            @router.get("/")
            def b(x=Depends(app.deps.get_db)):
                return 1
        """,
    })
    assert edge_set(index) == {
        ("app.a.a", "app.deps.get_db", "param"),
        ("app.a.a", "app.deps.get_user", "param"),
        ("app.b.b", "app.deps.get_db", "param"),
        ("app.deps.get_user", "app.deps.get_db", "param"),
    }


def test_star_import_and_shadowing(analyze_project):
    index = analyze_project({
        "app/__init__.py": "",
        "app/deps.py": PROVIDERS,
        "app/a.py": """
            from fastapi import APIRouter, Depends
            from app.deps import *
            router = APIRouter()
            def get_user():
                return "local"
            @router.get("/")
            def a(x=Depends(get_db), y=Depends(get_user)):
                return 1
        """,
    })
    assert edge_set(index) == {
        ("app.a.a", "app.deps.get_db", "param"),
        ("app.a.a", "app.a.get_user", "param"),
        ("app.deps.get_user", "app.deps.get_db", "param"),  # declared, though no route uses it
    }


def test_same_name_in_two_modules_is_two_nodes(analyze_project):
    index = analyze_project({
        "app/__init__.py": "",
        "app/one.py": "from fastapi import Depends\nfrom app import two\ndef get_x(y=Depends(two.get_x)):\n    return 1\n",
        "app/two.py": "def get_x():\n    return 2\n",
    })
    assert edge_set(index) == {("app.one.get_x", "app.two.get_x", "param")}
    assert list(index.graph.cycles()) == []


def test_external_provider_keeps_its_import_name(analyze_project):
    index = analyze_project({
        "app.py": """
            from fastapi import APIRouter, Depends
            from fastapi.security import OAuth2PasswordRequestForm
            from somelib.auth import current_tenant
            router = APIRouter()
            @router.post("/token")
            def token(form: OAuth2PasswordRequestForm = Depends(), tenant=Depends(current_tenant)):
                return 1
        """,
    })
    assert edge_set(index) == {
        ("app.token", "fastapi.security.OAuth2PasswordRequestForm", "param"),
        ("app.token", "somelib.auth.current_tenant", "param"),
    }
    assert index.graph.node("somelib.auth.current_tenant").location is None
