"""Attachment: decorators, add_api_route, router/include/app dependencies, nested prefixes, app factories."""

from __future__ import annotations

import pytest

from graph_helpers import edge_set, route_set

DEPS = """
from fastapi import Depends
def a():
    return 1
def b():
    return 1
def c():
    return 1
def d():
    return 1
def e():
    return 1
"""


def test_nested_includes_join_prefixes_and_collect_dependencies(analyze_project):
    index = analyze_project({
        "proj/__init__.py": "",
        "proj/deps.py": DEPS,
        "proj/inner.py": """
            from fastapi import APIRouter, Depends
            from .deps import a, b
            PREFIX = "/inner"
            router = APIRouter(prefix=PREFIX, dependencies=[Depends(a)])
            @router.get("/{x}", dependencies=[Depends(b)])
            def leaf(x: int):
                return x
            @router.api_route("/multi", methods=["post", "PUT"])
            def multi():
                return 1
            @router.websocket("/ws")
            async def socket(websocket):
                pass
            def added():
                return 1
            router.add_api_route("/added", added, methods=["DELETE"])
        """,
        "proj/outer.py": """
            from fastapi import APIRouter, Depends
            from . import inner
            from .deps import c, d
            VERSION = "v1"
            router = APIRouter(prefix=f"/{VERSION}", dependencies=[Depends(d)])
            router.include_router(inner.router, prefix="/mid", dependencies=[Depends(c)])
        """,
        "proj/main.py": """
            from fastapi import FastAPI, Depends
            from .outer import router
            from .deps import e
            app = FastAPI(dependencies=[Depends(e)])
            app.include_router(router, prefix="/api")
        """,
    })
    app = "proj.main.app"
    assert route_set(index) == {
        ("proj.inner.leaf", ("GET",), "/api/v1/mid/inner/{x}", app),
        ("proj.inner.multi", ("POST", "PUT"), "/api/v1/mid/inner/multi", app),
        ("proj.inner.socket", ("WEBSOCKET",), "/api/v1/mid/inner/ws", app),
        ("proj.inner.added", ("DELETE",), "/api/v1/mid/inner/added", app),
    }
    leaf_edges = {edge for edge in edge_set(index) if edge[0] == "proj.inner.leaf"}
    assert leaf_edges == {
        ("proj.inner.leaf", "proj.deps.a", "router"),
        ("proj.inner.leaf", "proj.deps.b", "decorator"),
        ("proj.inner.leaf", "proj.deps.c", "include"),
        ("proj.inner.leaf", "proj.deps.d", "router"),
        ("proj.inner.leaf", "proj.deps.e", "app"),
    }
    assert {edge for edge in edge_set(index) if edge[0] == "proj.inner.added"} == {
        ("proj.inner.added", "proj.deps.a", "router"),
        ("proj.inner.added", "proj.deps.c", "include"),
        ("proj.inner.added", "proj.deps.d", "router"),
        ("proj.inner.added", "proj.deps.e", "app"),
    }


def test_include_order_does_not_matter_and_unincluded_router_has_no_app(analyze_project):
    index = analyze_project({
        "main.py": """
            from fastapi import FastAPI, APIRouter
            app = FastAPI()
            router = APIRouter(prefix="/r")
            app.include_router(router)
            @router.get("/late")
            def late():
                return 1
            orphan = APIRouter(prefix="/o")
            @orphan.get("/x")
            def lonely():
                return 1
        """,
    })
    assert route_set(index) == {
        ("main.late", ("GET",), "/r/late", "main.app"),
        ("main.lonely", ("GET",), "/o/x", None),
    }


def test_app_factory_routes_and_router_attribute(analyze_project):
    index = analyze_project({
        "svc/__init__.py": "",
        "svc/main.py": """
            from fastapi import FastAPI, Depends
            def ping_dep():
                return 1
            def create_app() -> FastAPI:
                application = FastAPI()
                @application.get("/health")
                def health(x=Depends(ping_dep)):
                    return 1
                application.router.add_api_route("/ready", ready)
                return application
            def ready():
                return 1
            app = create_app()
        """,
    })
    app = "svc.main.create_app.<locals>.application"
    assert route_set(index) == {
        ("svc.main.create_app.<locals>.health", ("GET",), "/health", app),
        ("svc.main.ready", ("GET",), "/ready", app),
    }
    assert edge_set(index) == {("svc.main.create_app.<locals>.health", "svc.main.ping_dep", "param")}


def test_router_built_in_a_loop_is_unresolved(analyze_project):
    index = analyze_project({
        "main.py": """
            from fastapi import FastAPI
            from routers import all_routers
            app = FastAPI()
            for router in all_routers:
                app.include_router(router)
        """,
    })
    (node,) = index.graph.unresolved()
    assert node.id == "unresolved:main:5:router"
    assert node.reason == "router computed at run time; its routes are not in the graph"
    assert (node.location.path, node.location.line) == ("main.py", 5)


def test_lookalike_decorators_are_not_routes(analyze_project):
    index = analyze_project({
        "jobs.py": """
            import fastapi
            from celery import Celery
            from cachetools import cache
            worker = Celery()
            @worker.task("x")
            def job():
                return 1
            @cache.get("k")
            def cached():
                return 1
        """,
    })
    assert index.graph.nodes() == []


def test_file_that_does_not_parse_leaves_the_rest(analyze_project):
    index = analyze_project({
        "broken.py": "from fastapi import Depends\ndef oops(:\n",
        "main.py": """
            from fastapi import FastAPI, Depends
            app = FastAPI()
            def dep():
                return 1
            @app.get("/")
            def root(x=Depends(dep)):
                return 1
        """,
    })
    assert [(f.path, f.parse_error.line) for f in index.parse_errors] == [("broken.py", 2)]
    assert edge_set(index) == {("main.root", "main.dep", "param")}


SETTINGS_MAIN = """
            from fastapi import FastAPI, APIRouter
            from core import settings
            app = FastAPI()
            router = APIRouter()
            @router.get("/items")
            def items():
                return 1
            app.include_router(router, prefix=settings.API_V1_STR)
"""


def test_prefix_from_settings_instance_field_default(analyze_project):
    index = analyze_project({
        "core.py": """
            from pydantic_settings import BaseSettings
            class Settings(BaseSettings):
                API_V1_STR: str = "/api/v1"
            settings = Settings()
        """,
        "main.py": SETTINGS_MAIN + '            app.include_router(router, prefix=settings.UNKNOWN + "/x")\n',
    })
    assert route_set(index) == {
        ("main.items", ("GET",), "/api/v1/items", "main.app"),
        ("main.items", ("GET",), "{?settings.UNKNOWN}/x/items", "main.app"),
    }


def test_routes_and_includes_in_helpers_called_with_the_app(analyze_project):
    index = analyze_project({
        "svc/__init__.py": "",
        "svc/routing.py": """
            from fastapi import APIRouter as _APIRouter
            def make_router_class(route_class):
                class _Router(_APIRouter):
                    def __init__(self, *args, **kwargs):
                        super().__init__(*args, **kwargs)
                return _Router
            APIRouter = make_router_class(None)
        """,
        "svc/items.py": """
            from svc.routing import APIRouter
            router = APIRouter(prefix="/items")
            @router.get("/")
            def items():
                return 1
        """,
        "svc/setup.py": """
            def register(app, api_router, prefix):
                app.include_router(api_router, prefix=prefix)
                @app.get("/ping")
                def ping():
                    return 1
        """,
        "svc/main.py": """
            from fastapi import FastAPI
            from svc import setup
            from svc.items import router
            app = FastAPI()
            setup.register(app, router, "/v1")
        """,
    })
    assert route_set(index) == {
        ("svc.items.items", ("GET",), "/v1/items/", "svc.main.app"),
        ("svc.setup.register.<locals>.ping", ("GET",), "/ping", "svc.main.app"),
    }
    assert index.graph.unresolved() == []


def test_a_package_including_its_own_submodules_routers(analyze_project):
    """`from . import items` (or `from proj.api import items`) in proj/api/__init__.py: Python imports the
    submodule, it is not an import cycle."""
    index = analyze_project({
        "proj/__init__.py": "",
        "proj/main.py": """
            from fastapi import FastAPI
            from proj import api
            app = FastAPI()
            app.include_router(api.router, prefix="/api")
            """,
        "proj/api/__init__.py": """
            from fastapi import APIRouter
            from . import items
            from proj.api import users
            router = APIRouter()
            router.include_router(items.router, prefix="/items")
            router.include_router(users.router, prefix="/users")
            """,
        "proj/api/items.py": """
            from fastapi import APIRouter
            router = APIRouter()
            @router.get("/{id}")
            def read(id: int):
                return id
            """,
        "proj/api/users.py": """
            from fastapi import APIRouter
            router = APIRouter()
            @router.get("/me")
            def me():
                return 1
            """,
    })
    assert route_set(index) == {("proj.api.items.read", ("GET",), "/api/items/{id}", "proj.main.app"),
                                ("proj.api.users.me", ("GET",), "/api/users/me", "proj.main.app")}
    assert [n.id for n in index.graph.nodes() if n.kind == "unresolved"] == []


def test_dependency_lists_through_aliases_and_conditions(analyze_project):
    """An item bound elsewhere (`DependsAuth`) is located where the list is given; a conditional list follows
    the branch a constant test picks, is empty for None, and is one unresolved item (with the test named)
    when only run time decides."""
    index = analyze_project({
        "proj/__init__.py": "",
        "proj/main.py": """
            import os
            from fastapi import APIRouter, Depends, FastAPI
            def auth():
                return 1
            def demo():
                return 1
            DEBUG = False
            DependsAuth = Depends(auth)
            app = FastAPI(dependencies=[Depends(demo)] if DEBUG else [DependsAuth])
            router = APIRouter(dependencies=None)
            other = APIRouter(dependencies=[Depends(demo)] if os.environ.get("DEMO") else None)
            @router.get("/x", dependencies=[DependsAuth])
            def x():
                return 1
            @other.get("/y")
            def y():
                return 1
            app.include_router(router)
            app.include_router(other)
            """,
    })
    edges = sorted((e.source, e.target, e.via, e.location.line) for e in index.graph.edges())
    assert edges == [
        ("proj.main.x", "proj.main.auth", "app", 9),
        ("proj.main.x", "proj.main.auth", "decorator", 12),
        ("proj.main.y", "proj.main.auth", "app", 9),
        ("proj.main.y", "unresolved:proj.main:11:[Depends(demo)] if os.environ.get('DEMO') else None", "router", 11),
    ]
    (unresolved,) = [n for n in index.graph.nodes() if n.kind == "unresolved"]
    assert unresolved.reason == "dependencies chosen at run time by `os.environ.get('DEMO')`"


@pytest.mark.parametrize("getter, expected", [
    ("@lru_cache\ndef get_settings():\n    return Settings()\n", "/api/v1/items"),
    # built with arguments, or by a function with two returns: its fields are not the declared defaults
    ("def get_settings():\n    return Settings(_env_file='.env')\n", "{?settings.API_V1_STR}/items"),
    ("def get_settings():\n    if X:\n        return Settings()\n    return Other()\n", "{?settings.API_V1_STR}/items"),
])
def test_prefix_from_settings_built_by_a_getter(analyze_project, getter, expected):
    index = analyze_project({
        "core.py": ("from functools import lru_cache\nfrom pydantic_settings import BaseSettings\nX = 1\n"
                    "class Settings(BaseSettings):\n    API_V1_STR: str = '/api/v1'\nclass Other(BaseSettings):\n"
                    "    API_V1_STR: str = '/other'\n" + getter + "settings = get_settings()\n"),
        "main.py": SETTINGS_MAIN,
    })
    assert route_set(index) == {("main.items", ("GET",), expected, "main.app")}
