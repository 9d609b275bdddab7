"""Containers and composition roots in the graph: lagom, dependency-injector and plain constructor injection
(docs/graph-model.md, "Containers and composition roots"). Each test names the exact edges, with their via and
parameter, and the look-alikes that must add none."""

from __future__ import annotations


def edges(index, vias=("constructor", "container-binding", "container-resolve")):
    return {(e.source, e.target, e.via, e.parameter) for e in index.graph.edges() if e.via in vias}


PROTOCOLS = """
from typing import Protocol
class Repo(Protocol):
    def load(self) -> int: ...
class SqlRepo:
    def load(self) -> int:
        return 1
class Mailer:
    def send(self) -> None: ...
class Orders:
    def __init__(self, repo: Repo, mailer: Mailer, retries: int = 3, name: str = "x"):
        self.repo = repo
    def place(self) -> None: ...
"""


def test_lagom_bindings_and_depends(analyze_project):
    index = analyze_project({"app.py": PROTOCOLS + """
from fastapi import APIRouter
from lagom import Container, Singleton
from lagom.integrations.fast_api import FastApiIntegration
container = Container()
container[Repo] = SqlRepo
container.define(Mailer, lambda: Mailer())
deps = FastApiIntegration(container)
inject = deps.depends
router = APIRouter()
@router.get("/")
def place(orders: Orders = deps.depends(Orders)):
    return 1
@router.get("/again", dependencies=[inject(Orders)])
def again():
    return 1
"""})
    assert edges(index) == {
        ("app.place", "app.Orders", "container-resolve", "orders"),
        ("app.again", "app.Orders", "container-resolve", None),
        ("app.Orders", "app.Repo", "constructor", "repo"),
        ("app.Orders", "app.Mailer", "constructor", "mailer"),
        ("app.Repo", "app.SqlRepo", "container-binding", None),
    }
    lines = index.modules["app"].path, (PROTOCOLS + "x").count("\n")
    resolve = [e for e in index.graph.edges() if e.source == "app.place"][0]
    assert (resolve.location.path, resolve.location.line) == ("app.py", lines[1] + 11)  # the parameter
    binding = index.graph.edges_between("app.Repo", "app.SqlRepo")[0]
    assert binding.location.line == lines[1] + 5  # `container[Repo] = SqlRepo`
    assert index.graph.node("app.Orders").kind == "class"


def test_lagom_container_built_by_a_function_and_instances(analyze_project):
    index = analyze_project({
        "app/__init__.py": "",
        "app/services.py": PROTOCOLS,
        "app/wiring.py": """
from lagom import Container, Singleton
from app.services import Mailer, Orders, Repo, SqlRepo
class Smtp:
    def __init__(self, host: str):
        self.host = host
    def send(self) -> None: ...
def build_container() -> Container:
    c = Container()
    c[Repo] = Singleton(SqlRepo)
    c[Mailer] = Smtp("localhost")
    return c
container = build_container()
""",
        "app/api.py": """
from fastapi import APIRouter
from lagom.integrations.fast_api import FastApiIntegration
from app.services import Orders
from app.wiring import container
deps = FastApiIntegration(container)
router = APIRouter()
@router.post("/")
def place(orders: Orders = deps.depends(Orders)):
    return 1
""",
    })
    assert edges(index) == {
        ("app.api.place", "app.services.Orders", "container-resolve", "orders"),
        ("app.services.Orders", "app.services.Repo", "constructor", "repo"),
        ("app.services.Orders", "app.services.Mailer", "constructor", "mailer"),
        ("app.services.Repo", "app.services.SqlRepo", "container-binding", None),
        ("app.services.Mailer", "app.wiring.Smtp", "container-binding", None),
    }


def test_lagom_look_alikes_add_nothing(analyze_project):
    # A dict called container, `.depends` of something that is not the integration, unbound primitives.
    index = analyze_project({"app.py": PROTOCOLS + """
from fastapi import APIRouter, Depends
container = {}
container[Repo] = SqlRepo
class Other:
    def depends(self, x):
        return Depends(x)
other = Other()
router = APIRouter()
@router.get("/")
def place(orders: Orders = other.depends(Orders)):
    return 1
"""})
    assert edges(index) == set()


def test_dependency_injector_providers(analyze_project):
    index = analyze_project({"app.py": PROTOCOLS + """
from typing import Annotated
from dependency_injector import containers, providers
from dependency_injector.wiring import Closing, Provide, inject
from fastapi import APIRouter, Depends
def open_repo():
    yield SqlRepo()
class Base(containers.DeclarativeContainer):
    config = providers.Configuration()
    repo = providers.Resource(open_repo)
class Container(Base):
    mailer = providers.Singleton(Mailer)
    orders = providers.Factory(Orders, Base.repo, mailer=mailer.provided, retries=Base.config.retries)
    audit = providers.Factory(Orders, repo=providers.Factory(SqlRepo), mailer=Base.repo)
router = APIRouter()
@router.get("/")
@inject
def place(orders: Orders = Depends(Provide[Container.orders]),
          mailer: Annotated[Mailer, Depends(Provide["mailer"])] = None,
          repo: Repo = Depends(Closing[Provide[Container.repo]])):
    return 1
@inject
def helper(orders: Orders = Provide[Container.audit]):  # dependency-injector's wiring: no FastAPI provider
    return orders
"""})
    assert edges(index) == {
        ("app.place", "app.Container.orders", "container-resolve", "orders"),
        ("app.place", "app.Container.mailer", "container-resolve", "mailer"),
        ("app.place", "app.Base.repo", "container-resolve", "repo"),
        ("app.Base.repo", "app.open_repo", "container-binding", None),
        ("app.Container.mailer", "app.Mailer", "container-binding", None),
        ("app.Container.orders", "app.Orders", "container-binding", None),
        ("app.Container.orders", "app.Base.repo", "constructor", "repo"),
        ("app.Container.orders", "app.Container.mailer", "constructor", "mailer"),
        ("app.Container.audit", "app.Orders", "container-binding", None),
        ("app.Container.audit", "app.Container.audit.repo", "constructor", "repo"),
        ("app.Container.audit", "app.Base.repo", "constructor", "mailer"),
        ("app.Container.audit.repo", "app.SqlRepo", "container-binding", None),
    }
    orders = index.graph.node("app.Container.orders")
    assert (orders.kind, orders.provider_type, orders.class_id) == ("container-provider", "factory", "app.Orders")
    assert index.graph.node("app.Base.repo").provider_type == "resource"
    assert index.graph.node("app.Base.config").provider_type == "configuration"
    assert "app.helper" not in index.graph


def test_dependency_injector_look_alikes(analyze_project):
    # `providers` of another library, and a class that is no container.
    index = analyze_project({"app.py": PROTOCOLS + """
from fastapi import APIRouter, Depends
import mylib.providers as providers
class NotAContainer:
    orders = providers.Factory(Orders)
"""})
    assert edges(index) == set()


def test_plain_composition_root(analyze_project):
    index = analyze_project({
        "app/__init__.py": "",
        "app/services.py": PROTOCOLS + """
class Clock(Protocol):
    def now(self) -> int: ...
class SystemClock:
    def now(self) -> int:
        return 0
class Report:
    def __init__(self, orders: Orders, clock: Clock, title: str):
        self.orders = orders
    def render(self) -> str:
        return ""
""",
        "app/main.py": """
from contextlib import asynccontextmanager
from fastapi import FastAPI
from app.services import Mailer, Orders, Report, SqlRepo, SystemClock
def make_orders(repo: SqlRepo) -> Orders:  # not a composition root: nothing here
    return Orders(repo, Mailer())
@asynccontextmanager
async def lifespan(app: FastAPI):
    clock = SystemClock()
    app.state.report = Report(Orders(SqlRepo(), mailer=Mailer()), clock=clock, title="daily")
    yield
app = FastAPI(lifespan=lifespan)
""",
        "tests/test_main.py": """
from app.services import Mailer, Orders, SqlRepo
def test_orders():
    Orders(SqlRepo(), Mailer())
""",
    })
    assert edges(index) == {
        ("app.services.Report", "app.services.Orders", "constructor", "orders"),
        ("app.services.Report", "app.services.SystemClock", "constructor", "clock"),
        ("app.services.Orders", "app.services.SqlRepo", "constructor", "repo"),
        ("app.services.Orders", "app.services.Mailer", "constructor", "mailer"),
    }


def test_bindings_in_tests_are_not_the_applications(analyze_project):
    index = analyze_project({
        "app/__init__.py": "",
        "app/services.py": PROTOCOLS,
        "app/wiring.py": "from lagom import Container\nfrom app.services import Repo, SqlRepo\n"
                         "container = Container()\ncontainer[Repo] = SqlRepo\n",
        "tests/conftest.py": "from app.services import Repo\nfrom app.wiring import container\n"
                             "class FakeRepo:\n    def load(self) -> int:\n        return 0\n"
                             "container[Repo] = FakeRepo\n",
    })
    assert edges(index) == {("app.services.Repo", "app.services.SqlRepo", "container-binding", None)}


def test_lagom_factories(analyze_project):
    # A factory function bound by name, and `@dependency_definition(container)` (its return annotation says
    # what it defines); lagom fills their parameters by annotation too.
    index = analyze_project({"app.py": PROTOCOLS + """
from collections.abc import Iterator
from contextlib import contextmanager
from fastapi import APIRouter
from lagom import Container, dependency_definition
from lagom.integrations.fast_api import FastApiIntegration
class Session:
    def close(self) -> None: ...
def make_repo(session: Session) -> SqlRepo:
    return SqlRepo()
container = Container()
container[Repo] = make_repo
@dependency_definition(container)
@contextmanager
def open_session() -> Iterator[Session]:
    session = Session()
    yield session
    session.close()
@dependency_definition(container)
def mailer(c: Container) -> Mailer:
    return Mailer()
deps = FastApiIntegration(container)
router = APIRouter()
@router.get("/")
def place(orders: Orders = deps.depends(Orders)):
    return 1
"""})
    assert edges(index) == {
        ("app.place", "app.Orders", "container-resolve", "orders"),
        ("app.Orders", "app.Repo", "constructor", "repo"),
        ("app.Orders", "app.Mailer", "constructor", "mailer"),
        ("app.Repo", "app.make_repo", "container-binding", None),
        ("app.make_repo", "app.Session", "constructor", "session"),
        ("app.Session", "app.open_session", "container-binding", None),
        ("app.Mailer", "app.mailer", "container-binding", None),
        ("app.mailer", "app.container", "constructor", "c"),
    }
    assert index.graph.node("app.container").kind == "container"


def test_dependency_injector_sub_containers(analyze_project):
    # `providers.Container(Sub, dep=...)`: Provide[Root.auth.service] is the sub-container's provider, and
    # the sub-container's Dependency() providers are bound to what the root passes.
    index = analyze_project({
        "app/__init__.py": "",
        "app/mod.py": """
from dependency_injector import containers, providers
class Db: ...
class Repo:
    def __init__(self, db: Db): self.db = db
class Service:
    def __init__(self, repo: Repo, config: dict): self.repo = repo
class UserModule(containers.DeclarativeContainer):
    db = providers.Dependency()
    repo = providers.Singleton(Repo, db=db)
class AuthModule(containers.DeclarativeContainer):
    repo = providers.Dependency()
    config = providers.Dependency()
    service = providers.Factory(Service, repo=repo, config=config)
""",
        "app/containers.py": """
from dependency_injector import containers, providers
from app.mod import AuthModule, Db, UserModule
class Root(containers.DeclarativeContainer):
    config = providers.Configuration()
    db = providers.Singleton(Db)
    user = providers.Container(UserModule, db=db)
    auth = providers.Container(AuthModule, repo=user.repo, config=config)
    session = providers.Callable(db.provided.session)
""",
        "app/routes.py": """
from typing import Annotated
from fastapi import APIRouter, Depends
from dependency_injector.wiring import Provide, inject
from app.containers import Root
from app.mod import Service
router = APIRouter()
@router.get("/")
@inject
async def read(service: Annotated[Service, Depends(Provide[Root.auth.service])]):
    return 1
""",
    })
    assert edges(index) == {
        ("app.routes.read", "app.mod.AuthModule.service", "container-resolve", "service"),
        ("app.mod.AuthModule.service", "app.mod.Service", "container-binding", None),
        ("app.mod.AuthModule.service", "app.mod.AuthModule.repo", "constructor", "repo"),
        ("app.mod.AuthModule.service", "app.mod.AuthModule.config", "constructor", "config"),
        ("app.mod.AuthModule.repo", "app.mod.UserModule.repo", "container-binding", None),
        ("app.mod.UserModule.repo", "app.mod.Repo", "container-binding", None),
        ("app.mod.UserModule.repo", "app.mod.UserModule.db", "constructor", "db"),
        ("app.mod.UserModule.db", "app.containers.Root.db", "container-binding", None),
        ("app.containers.Root.db", "app.mod.Db", "container-binding", None),
        ("app.containers.Root.user", "app.mod.UserModule", "container-binding", None),
        ("app.containers.Root.auth", "app.mod.AuthModule", "container-binding", None),
        ("app.containers.Root.session", "app.containers.Root.db", "container-binding", None),
    }
    auth = index.graph.node("app.containers.Root.auth")
    assert (auth.provider_type, auth.class_id) == ("container", "app.mod.AuthModule")
    assert index.graph.node("app.mod.AuthModule").kind == "container"


def test_lagom_new_types_and_factories_of_instances(analyze_project):
    index = analyze_project({"app.py": """
from typing import NewType
from fastapi import APIRouter
from lagom import Container
from lagom.integrations.fast_api import FastApiIntegration
from sqlalchemy.orm import Session, sessionmaker
SessionFactory = sessionmaker()
ApiKey = NewType("ApiKey", str)
class Gateway:
    def __init__(self, api_key: ApiKey, session: Session):
        self.api_key = api_key
    def charge(self) -> None: ...
container = Container()
container[ApiKey] = ApiKey("secret")
container[Session] = lambda: SessionFactory()
deps = FastApiIntegration(container)
router = APIRouter()
@router.get("/")
def read(gateway: Gateway = deps.depends(Gateway), key: ApiKey = deps.depends(ApiKey)):
    return 1
"""})
    assert edges(index) == {
        ("app.read", "app.Gateway", "container-resolve", "gateway"),
        ("app.read", "app.ApiKey", "container-resolve", "key"),
        ("app.Gateway", "app.ApiKey", "constructor", "api_key"),
        ("app.Gateway", "sqlalchemy.orm.Session", "constructor", "session"),
        ("sqlalchemy.orm.Session", "app.SessionFactory", "container-binding", None),
    }
    assert index.graph.node("app.ApiKey").location.line == 7  # `ApiKey = NewType(...)`


def test_a_provide_whose_container_is_not_analyzed_says_why(analyze_project):
    index = analyze_project({
        "app/__init__.py": "", "app/di/__init__.py": "",
        "app/di/containers.py": "from dependency_injector import containers, providers\nclass Repo:\n"
                                "    def load(self): ...\nclass Root(containers.DeclarativeContainer):\n"
                                "    repo = providers.Factory(Repo)\n",
        # imported as the code runs it (from inside app/), not as the files analyzed from here are named
        "app/usecase.py": "from dependency_injector.wiring import Provide, inject\nfrom fastapi import Depends\n"
                          "from di.containers import Root\n@inject\ndef load(repo=Depends(Provide[Root.repo])): ...\n",
    })
    (node,) = index.graph.unresolved()
    assert node.reason == ("Root.repo is imported as di.containers.Root.repo, which is not among the analyzed "
                           "files (is the folder imports start from the one wirelint was run on?)")


def test_composition_root_factories_and_dataclasses(analyze_project):
    index = analyze_project({"app.py": PROTOCOLS + """
from dataclasses import dataclass
from fastapi import FastAPI
class Checkout:
    def __init__(self, repo: Repo, mailer: Mailer):
        self.repo = repo
    def pay(self) -> None: ...
    @classmethod
    def create(cls, repo: Repo, mailer: Mailer) -> "Checkout":
        return cls(repo=repo, mailer=mailer)
@dataclass
class Interactor:
    repo: Repo
    mailer: Mailer
    def run(self) -> None: ...
def create_app():
    app = FastAPI()
    repo = SqlRepo()
    app.state.checkout = Checkout.create(repo=repo, mailer=Mailer())
    app.state.interactor = Interactor(repo, mailer=Mailer())
    return app
"""})
    assert edges(index) == {
        ("app.Checkout", "app.SqlRepo", "constructor", "repo"),
        ("app.Checkout", "app.Mailer", "constructor", "mailer"),
        ("app.Interactor", "app.SqlRepo", "constructor", "repo"),
        ("app.Interactor", "app.Mailer", "constructor", "mailer"),
    }
