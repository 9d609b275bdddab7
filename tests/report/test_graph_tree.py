"""`wirelint graph --format tree`: each route's resolution tree in FastAPI's order, with its words and summary.

The project below has every mark: app, router and decorator lists, parameters, `use_cache=False`, a shared
yield dependency, an `lru_cache` provider, a security scheme with scopes, factories called twice. The run-time
side of the same tree (tests/runtime) shows the static tree is the one FastAPI builds.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from rich.console import Console

from wirelint.report.graph_tree import render_tree_rich, render_tree_text, tree_lines
from wirelint.report.graph_view import ViewError

SHOP = {
    "shop/__init__.py": "",
    "shop/deps.py": """
        from functools import lru_cache

        from fastapi import Depends, Security
        from fastapi.security import OAuth2PasswordBearer

        oauth2 = OAuth2PasswordBearer(tokenUrl="token")


        @lru_cache
        def get_settings():
            return {"dsn": "sqlite://"}


        async def get_db(settings=Depends(get_settings)):
            yield settings["dsn"]


        def new_id():
            return object()


        async def current_user(token=Security(oauth2, scopes=["me"]), db=Depends(get_db)):
            return token


        def audit(db=Depends(get_db), request_id=Depends(new_id, use_cache=False)):
            return None


        def require_role(role: str):
            def checker(user=Depends(current_user)):
                return role
            return checker
    """,
    "shop/main.py": """
        from fastapi import APIRouter, Depends, FastAPI

        from .deps import audit, current_user, get_db, new_id, require_role

        router = APIRouter(prefix="/orders", dependencies=[Depends(audit)])


        class OrderService:
            def __init__(self, db=Depends(get_db), request_id=Depends(new_id, use_cache=False)):
                self.db = db


        @router.get("/{order_id}", dependencies=[Depends(require_role("clerk"))])
        async def read_order(order_id: int, user=Depends(current_user), service: OrderService = Depends()):
            return {}


        @router.delete("/{order_id}")
        def delete_order(order_id: int, admin=Depends(require_role("admin")), db=Depends(get_db)):
            return {}


        app = FastAPI(dependencies=[Depends(new_id)])
        app.include_router(router, prefix="/api")
    """,
}

DELETE_TREE = """\
DELETE /api/orders/{order_id}  main.delete_order  sync
├── [app] deps.new_id  sync · call
├── [router] deps.audit  sync
│   ├── db: deps.get_db  async · yield · shared
│   │   └── settings: deps.get_settings  sync · process
│   └── request_id: deps.new_id  sync · call · uncached
├── admin: deps.require_role.<locals>.checker  sync
│   └── user: deps.current_user  async
│       ├── token: deps.oauth2  async · process
│       └── db: deps.get_db  async · yield · shared · resolved above
└── db: deps.get_db  async · yield · shared · resolved above
"""

READ_TREE = """\
GET /api/orders/{order_id}  main.read_order  async
├── [app] deps.new_id  sync · call
├── [router] deps.audit  sync
│   ├── db: deps.get_db  async · yield · shared
│   │   └── settings: deps.get_settings  sync · process
│   └── request_id: deps.new_id  sync · call · uncached
├── [decorator] deps.require_role.<locals>.checker  sync
│   └── user: deps.current_user  async · shared
│       ├── token: deps.oauth2  async · process
│       └── db: deps.get_db  async · yield · shared · resolved above
├── user: deps.current_user  async · shared · resolved above
└── service: main.OrderService  sync
    ├── db: deps.get_db  async · yield · shared · resolved above
    └── request_id: deps.new_id  sync · call · uncached
"""

SUMMARY = """\
Summary: 2 routes, 8 dependencies
  shared by most routes: deps.audit (2 of 2), deps.current_user (2 of 2), deps.get_db (2 of 2), \
deps.get_settings (2 of 2), deps.new_id (2 of 2) and 2 more
  uncached (use_cache=False): deps.new_id (2 edges)
  sync under async endpoints (threadpool hops, 1 async route): deps.audit (1 route), deps.get_settings (1 route), \
deps.new_id (1 route), deps.require_role.<locals>.checker (1 route), main.OrderService (1 route)
  process lifetime: deps.get_settings, deps.oauth2
  call lifetime: deps.new_id
"""


def shop_tree(analyze_project, **options) -> str:
    index = analyze_project(SHOP)
    return render_tree_text(tree_lines(index.graph, modules=list(index.sources), **options))


def test_every_route_in_fastapis_order_with_its_marks_and_a_summary(analyze_project):
    assert shop_tree(analyze_project) == DELETE_TREE + "\n" + READ_TREE + "\n" + SUMMARY


def test_one_route_cut_at_a_depth_still_knows_what_is_shared(analyze_project):
    assert shop_tree(analyze_project, route="DELETE /api/orders/{order_id}", depth=1) == """\
DELETE /api/orders/{order_id}  main.delete_order  sync
├── [app] deps.new_id  sync · call
├── [router] deps.audit  sync
│   └── ... 2 more below (--depth)
├── admin: deps.require_role.<locals>.checker  sync
│   └── ... 1 more below (--depth)
└── db: deps.get_db  async · yield · shared
    └── ... 1 more below (--depth)

Summary: 1 route, 4 dependencies
  shared by most routes: none
  uncached (use_cache=False): deps.new_id (1 edge)
  sync under async endpoints (threadpool hops, 0 async routes): none
  call lifetime: deps.new_id
"""


def test_focus_and_reverse(analyze_project):
    assert shop_tree(analyze_project, focus="OrderService") == """\
main.OrderService  sync
├── db: deps.get_db  async · yield
│   └── settings: deps.get_settings  sync · process
└── request_id: deps.new_id  sync · call · uncached
"""
    assert shop_tree(analyze_project, focus="get_db", reverse=True) == """\
who depends on deps.get_db  async · yield
├── db: deps.audit  sync
│   ├── [router] main.delete_order  sync
│   └── [router] main.read_order  async
├── db: deps.current_user  async
│   ├── user: deps.require_role.<locals>.checker  sync
│   │   ├── admin: main.delete_order  sync
│   │   └── [decorator] main.read_order  async
│   └── user: main.read_order  async
├── db: main.OrderService  sync
│   └── service: main.read_order  async
└── db: main.delete_order  sync
"""


def test_inline_instances_and_factory_calls_are_separate_cache_entries(analyze_project):
    """`Depends(Checker("a"))` and `Depends(Checker("b"))` are one node but two objects: not shared."""
    index = analyze_project({"app.py": """
        from fastapi import Depends, FastAPI
        app = FastAPI()
        class Checker:
            def __init__(self, role):
                self.role = role
            def __call__(self):
                return self.role
        def needs(a=Depends(Checker("a")), b=Depends(Checker("b"))):
            return a
        @app.get("/")
        async def home(x=Depends(needs), again=Depends(needs)):
            return x
    """})
    text = render_tree_text(tree_lines(index.graph, modules=list(index.sources)))
    assert text.split("\n\n")[0] == """\
GET /  app.home  async
├── x: app.needs  sync · shared
│   ├── a: app.Checker()  sync · process
│   └── b: app.Checker()  sync · process
└── again: app.needs  sync · shared · resolved above"""


def test_cycles_stop_and_say_so(analyze_project):
    index = analyze_project({"app.py": """
        from fastapi import Depends, FastAPI
        app = FastAPI()
        def a(b=Depends(lambda: None)):
            return b
        def ping(p=Depends("pong")):
            return p
        class Ping:
            def __init__(self, pong: "Pong" = Depends()):
                pass
        class Pong:
            def __init__(self, ping: Ping = Depends()):
                pass
        @app.get("/")
        def home(p: Ping = Depends()):
            return 1
    """})
    text = render_tree_text(tree_lines(index.graph, modules=list(index.sources)))
    assert text.split("\n\n")[0] == """\
GET /  app.home  sync
└── p: app.Ping  sync
    └── pong: app.Pong  sync
        └── ping: app.Ping  sync · cycle"""


def test_errors_name_what_exists(analyze_project):
    index = analyze_project(SHOP)
    with pytest.raises(ViewError, match=r"^--reverse needs --focus NAME"):
        tree_lines(index.graph, reverse=True)
    with pytest.raises(ViewError, match=r"matches no route \(for example: DELETE /api/orders/\{order_id\}"):
        tree_lines(index.graph, route="/nope")


def test_a_project_without_routes_says_so(analyze_project):
    assert render_tree_text(tree_lines(analyze_project({"lib.py": "def f():\n    return 1\n"}).graph)) == (
        "No routes found: nothing for FastAPI to resolve (try --focus NAME).\n")


def test_a_terminal_gets_the_same_lines_in_colour(analyze_project):
    index = analyze_project(SHOP)
    lines = tree_lines(index.graph, modules=list(index.sources))
    console = Console(record=True, force_terminal=True, color_system="truecolor", width=80)
    render_tree_rich(lines, console)
    assert console.export_text(styles=False, clear=False) == render_tree_text(lines)  # not wrapped at 80 columns
    assert "\x1b[" in console.export_text(styles=True)


def test_the_command_prints_plain_text_into_a_pipe_and_a_file(analyze_project, tmp_path):
    analyze_project(SHOP)

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "wirelint", "graph", "shop", "--format", "tree", "--no-cache",
                               *args], cwd=tmp_path, capture_output=True, text=True)

    piped = run()
    assert (piped.returncode, piped.stdout, piped.stderr) == (0, DELETE_TREE + "\n" + READ_TREE + "\n" + SUMMARY, "")
    written = run("--output", "tree.txt")
    assert written.returncode == 0 and (tmp_path / "tree.txt").read_text() == piped.stdout
    bad = run("--reverse")
    assert (bad.returncode, bad.stdout, bad.stderr) == (
        2, "", "wirelint: error: --reverse needs --focus NAME: the tree then shows who depends on it\n")
