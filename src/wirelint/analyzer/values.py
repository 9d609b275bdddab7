"""What a value is, for the rules that care whether something is a collaborator or data.

A *service* has behaviour and a lifetime: a project class with public methods, a database session or
connection, a session factory, an HTTP/SDK client, a DI container, a callable. *Settings* configure the app.
*Data* is what requests carry and return: constants, collections, models, records. The answer comes from the
source alone: what an expression constructs or calls, a function's return annotation or what it returns.
"""

from __future__ import annotations

import re
from typing import Literal

from .containers import VALUE_BASES, service_class
from .models import (
    UNION_OPERATOR,
    AttributeExpr,
    CallExpr,
    ConditionalExpr,
    Expr,
    FormattedStringExpr,
    LambdaExpr,
    NameExpr,
    OtherExpr,
    SequenceExpr,
    StringExpr,
    SubscriptExpr,
    render,
)
from .resolve import Ctx, DefSym, ExternalSym, MethodSym, Resolver, VarSym

ValueKind = Literal["service", "settings", "data", "unknown"]

SESSION_CLASSES = frozenset({
    "sqlalchemy.orm.Session", "sqlalchemy.orm.session.Session", "sqlalchemy.ext.asyncio.AsyncSession",
    "sqlalchemy.ext.asyncio.session.AsyncSession", "sqlmodel.Session", "sqlmodel.orm.session.Session",
    "sqlmodel.ext.asyncio.session.AsyncSession",
})
SESSION_FACTORIES = frozenset({
    "sqlalchemy.orm.sessionmaker", "sqlalchemy.orm.session.sessionmaker", "sqlalchemy.ext.asyncio.async_sessionmaker",
    "sqlalchemy.ext.asyncio.session.async_sessionmaker",
})
# A scoped_session registry hands each thread its own session, but calling it once at import (or caching what
# it returns in a singleton) keeps the one session of that thread for everybody.
SCOPED_SESSIONS = frozenset({
    "sqlalchemy.orm.scoped_session", "sqlalchemy.orm.scoping.scoped_session",
    "sqlalchemy.ext.asyncio.async_scoped_session", "sqlalchemy.ext.asyncio.scoping.async_scoped_session",
})
ENGINE_FACTORIES = frozenset({
    "sqlalchemy.create_engine", "sqlalchemy.engine.create_engine", "sqlalchemy.ext.asyncio.create_async_engine",
    "sqlmodel.create_engine",
})
DBAPI_CONNECT = frozenset({
    "sqlite3.connect", "psycopg2.connect", "psycopg.connect", "pymysql.connect", "MySQLdb.connect",
    "mysql.connector.connect", "pyodbc.connect", "cx_Oracle.connect", "oracledb.connect", "duckdb.connect",
})
CLIENTS = frozenset({
    "httpx.Client", "httpx.AsyncClient", "requests.Session", "requests.sessions.Session", "aiohttp.ClientSession",
    "boto3.client", "boto3.resource", "boto3.Session", "boto3.session.Session", "redis.Redis", "redis.StrictRedis",
    "redis.from_url", "redis.asyncio.Redis", "redis.asyncio.from_url", "redis.asyncio.client.Redis",
    "redis.client.Redis", "pymongo.MongoClient", "motor.motor_asyncio.AsyncIOMotorClient",
    "elasticsearch.Elasticsearch", "elasticsearch.AsyncElasticsearch", "smtplib.SMTP", "smtplib.SMTP_SSL",
    "openai.OpenAI", "openai.AsyncOpenAI", "openai.AzureOpenAI", "openai.AsyncAzureOpenAI",
    "anthropic.Anthropic", "anthropic.AsyncAnthropic", "stripe.StripeClient", "google.cloud.storage.Client",
    "kafka.KafkaProducer", "aiokafka.AIOKafkaProducer", "asyncpg.create_pool", "asyncpg.connect",
    "databases.Database", "celery.Celery", "apscheduler.schedulers.asyncio.AsyncIOScheduler",
    "apscheduler.schedulers.background.BackgroundScheduler",
})
CONTAINERS = frozenset({
    "punq.Container", "lagom.Container", "injector.Injector", "kink.Container", "rodi.Container", "rodi.Services",
    "svcs.Registry", "svcs.Container", "wireup.SyncContainer", "wireup.AsyncContainer",
    "dependency_injector.containers.DeclarativeContainer", "dependency_injector.containers.DynamicContainer",
})
_SETTINGS_BASES = frozenset({
    "pydantic_settings.BaseSettings", "pydantic_settings.main.BaseSettings", "pydantic.BaseSettings",
    "pydantic.env_settings.BaseSettings",
})
# Records an ORM or ODM maps to rows and documents: data, whatever methods they define.
_MODEL_BASES = frozenset({
    "sqlalchemy.orm.DeclarativeBase", "sqlalchemy.orm.decl_api.DeclarativeBase", "sqlalchemy.orm.DeclarativeBaseNoMeta",
    "sqlalchemy.orm.decl_api.DeclarativeBaseNoMeta", "sqlalchemy.orm.declarative_base",
    "sqlalchemy.ext.declarative.declarative_base", "sqlalchemy.orm.decl_api.declarative_base", "sqlmodel.SQLModel",
    "sqlmodel.main.SQLModel", "tortoise.models.Model", "beanie.Document", "odmantic.Model", "django.db.models.Model",
    "peewee.Model", "ormar.Model", "mongoengine.Document", "pydantic.BaseModel", "pydantic.main.BaseModel",
})
_DATA_CALLS = frozenset({
    "builtins.dict", "builtins.list", "builtins.set", "builtins.tuple", "builtins.frozenset", "builtins.str",
    "builtins.int", "builtins.float", "builtins.bool", "builtins.bytes", "collections.defaultdict",
    "collections.OrderedDict", "collections.Counter", "collections.deque", "datetime.datetime", "uuid.UUID",
    "pathlib.Path", "decimal.Decimal",
})
# `AppSettings`, `DbConfig`, mlflow's `_BooleanEnvironmentVariable("MLFLOW_X", False)`: configuration read once.
_SETTINGS_SUFFIXES = ("Settings", "Config", "Configuration", "EnvironmentVariable")
_SERVICE_SUFFIXES = ("Service", "Client", "Repository", "Manager", "Session", "Store", "Provider", "Gateway")


# What a name says when the source does not: `redis`, `db`, `oauth_manager`, `http_client`, `scheduler`.
_SERVICE_NAME_RE = re.compile(
    r"(?:^|_)(?:db|database|session|sessionmaker|engine|pool|redis|client|manager|service|repository|repo|store|"
    r"scheduler|queue|producer|consumer|registry|container|gateway|mailer|notifier|loader|handler)s?$",
    re.IGNORECASE)


def named_like_a_service(name: str) -> bool:
    """Whether a name reads as a service's (`redis`, `oauth_manager`, `EMBEDDING_CLIENT`), for when the source
    does not say what is stored under it."""
    return _SERVICE_NAME_RE.search(name) is not None


def creates_session(resolver: Resolver, func: Expr, call: CallExpr | None, ctx: Ctx, depth: int = 0) -> str | None:
    """'a database session' / 'a database connection' when calling `func` makes one (also through a helper
    that returns one), else None."""
    if isinstance(func, CallExpr):  # `sessionmaker(bind=engine)()`
        factory = resolver.qualified_name(func.func, ctx)
        return "a database session" if factory in SESSION_FACTORIES else None
    if isinstance(func, AttributeExpr) and func.attr in ("connect", "begin"):
        if resolver.built_by(resolver.resolve(func.value, ctx)) in ENGINE_FACTORIES:
            return "a database connection"
    sym = resolver.deref(resolver.resolve_qualified(func, ctx))
    name = resolver.qualified(sym)
    if name in SESSION_CLASSES:
        return "a database session"
    if name in DBAPI_CONNECT:
        return "a database connection"
    if name == "builtins.next" and call is not None and call.args and isinstance(call.args[0], CallExpr):
        provider = resolver.deref(resolver.resolve(call.args[0].func, ctx))
        if isinstance(provider, DefSym) and provider.kind == "function":
            facts = resolver.function_facts(provider.module, provider.qualname)
            if facts is not None and facts.yields:
                return f"the value of {render(call.args[0].func)}() (a request-scoped dependency)"
        return None
    if resolver.built_by(sym) in SESSION_FACTORIES | SCOPED_SESSIONS:
        return "a database session"
    helper = sym if isinstance(sym, DefSym) else resolver.deref(resolver.resolve(func, ctx))
    if depth < 3 and (isinstance(helper, MethodSym) or isinstance(helper, DefSym) and helper.kind == "function"):
        # A function or method that returns a session (`def new_session(): return SessionLocal()`, or
        # `session = Session(); return session`), called here.
        facts = resolver.function_facts(helper.module, helper.qualname)
        if facts is not None and not facts.yields:
            inner = Ctx(helper.module, helper.qualname)
            for returned in facts.returns:
                if isinstance(returned, NameExpr) and isinstance(local := resolver.resolve(returned, inner), VarSym):
                    returned = resolver.var_value(local)
                if isinstance(returned, CallExpr) and (
                        what := creates_session(resolver, returned.func, returned, inner, depth + 1)):
                    return f"{what} (returned by {render(func)}())"
    return None


def class_kind(resolver: Resolver, sym) -> ValueKind:
    """What instances of a class are: a project service, settings, data (models, records, enums), or unknown."""
    sym = resolver.class_of(sym)
    name = resolver.qualified(sym)
    if name in CLIENTS or name in SESSION_CLASSES or name in CONTAINERS or name in SESSION_FACTORIES:
        return "service"
    if name in _DATA_CALLS:
        return "data"
    if isinstance(sym, DefSym) and sym.kind == "class":
        bases = resolver.external_bases(sym)
        if bases & _SETTINGS_BASES or sym.qualname.rsplit(".", 1)[-1].endswith(_SETTINGS_SUFFIXES):
            return "settings"
        if bases & (CONTAINERS | CLIENTS | SESSION_CLASSES):
            return "service"
        if bases & _MODEL_BASES:
            return "data"
        if service_class(resolver, sym):
            return "service"
        return "data" if bases & VALUE_BASES or resolver.class_facts(sym) is not None else "unknown"
    if isinstance(sym, ExternalSym) and sym.name.rsplit(".", 1)[-1].endswith(_SERVICE_SUFFIXES):
        return "service"
    return "unknown"


def value_kind(resolver: Resolver, expr: Expr | None, ctx: Ctx, depth: int = 0, callables: bool = True) -> ValueKind:
    """What an expression evaluates to (see the module docstring); `unknown` when the source does not say.
    `callables=False` leaves lambdas and functions unjudged (a middleware's closure over one request's data is
    no service)."""
    if expr is None or depth > 4:
        return "unknown"
    if not callables and (isinstance(expr, LambdaExpr) or isinstance(expr, OtherExpr) and expr.text == "lambda"):
        return "unknown"
    if isinstance(expr, (StringExpr, FormattedStringExpr, SequenceExpr)):
        return "data"
    if isinstance(expr, LambdaExpr):
        return "service"
    if isinstance(expr, ConditionalExpr):
        kinds = {value_kind(resolver, expr.body, ctx, depth + 1), value_kind(resolver, expr.orelse, ctx, depth + 1)}
        kinds.discard("unknown")
        return kinds.pop() if len(kinds) == 1 else "unknown"
    if isinstance(expr, CallExpr):
        return _call_kind(resolver, expr, ctx, depth)
    if isinstance(expr, (NameExpr, AttributeExpr)):
        sym = resolver.resolve(expr, ctx)
        if isinstance(sym, VarSym):
            value = resolver.var_value(sym)
            return value_kind(resolver, value, resolver.var_ctx(sym), depth + 1) if value is not None else "unknown"
        if isinstance(sym, (DefSym, MethodSym)) and getattr(sym, "kind", "function") == "function":
            return "service"  # a function stored to be called later: behaviour
        return "unknown"
    if isinstance(expr, SubscriptExpr):
        return "unknown"
    if isinstance(expr, OtherExpr):
        if expr.text == "lambda":
            return "service"
        text = expr.text
        if text == "None":
            return "unknown"  # a placeholder until something is put there: it says nothing of what
        literal = text[:1].isdigit() or text in ("True", "False") or text[:1] in "{[(-'\"bB"
        return "data" if literal else "unknown"
    return "unknown"


def _call_kind(resolver: Resolver, call: CallExpr, ctx: Ctx, depth: int) -> ValueKind:
    if creates_session(resolver, call.func, call, ctx):
        return "service"
    sym = resolver.deref(resolver.resolve_qualified(call.func, ctx))
    if resolver.qualified(sym) in CLIENTS | ENGINE_FACTORIES | SESSION_FACTORIES | SCOPED_SESSIONS:
        return "service"
    if isinstance(sym, DefSym) and sym.kind == "class" or isinstance(sym, ExternalSym):
        return class_kind(resolver, sym)
    if isinstance(sym, (DefSym, MethodSym)) and getattr(sym, "kind", "function") == "function":
        facts = resolver.function_facts(sym.module, sym.qualname)
        if facts is None:
            return "unknown"
        inner = Ctx(sym.module, sym.qualname)
        if facts.return_annotation is not None:
            (annotation, annotation_ctx), _ = resolver.annotation_parts(facts.return_annotation,
                                                                         Ctx(sym.module, facts.scope))
            if annotation is not None:
                text = render(annotation)
                if text.split("[", 1)[0].rsplit(".", 1)[-1] in ("Callable", "Awaitable", "Coroutine"):
                    return "service"
                kind = class_kind(resolver, resolver.resolve_qualified(annotation, annotation_ctx))
                if kind != "unknown":
                    return kind
        kinds = {value_kind(resolver, returned, inner, depth + 1) for returned in facts.returns}
        kinds.discard("unknown")
        return kinds.pop() if len(kinds) == 1 else "unknown"
    return "unknown"


_WRAPPERS = frozenset({"typing.Optional", "typing.Union", "typing.List", "typing.Dict", "typing.Set",
                       "typing.Tuple", "typing.FrozenSet", "typing.Sequence", "typing.Mapping", "typing.Iterable",
                       "collections.abc.Sequence", "collections.abc.Mapping", "collections.abc.Iterable",
                       "builtins.list", "builtins.dict", "builtins.set", "builtins.tuple", "builtins.frozenset",
                       "typing.Literal"})
_SECURITY_MODULES = ("fastapi.security",)


def annotation_kind(resolver: Resolver, expr: Expr | None, ctx: Ctx) -> ValueKind:
    """What a type annotation says a value is: `str`, `list[Item]`, `Optional[User]` and `Literal[...]` are
    data when what they wrap is; a project class or a library client is what `class_kind` says."""
    (annotation, annotation_ctx), _ = resolver.annotation_parts(expr, ctx)
    if annotation is None:
        return "unknown"
    if isinstance(annotation, StringExpr):
        return "unknown"
    if isinstance(annotation, SubscriptExpr):
        if isinstance(annotation.value, OtherExpr) and annotation.value.text == UNION_OPERATOR:
            origin: str | None = "typing.Union"
        else:
            origin = resolver.qualified(resolver.deref(resolver.resolve(annotation.value, annotation_ctx)))
        if origin == "typing.Literal":
            return "data"
        if origin in _WRAPPERS:
            kinds = {annotation_kind(resolver, item, annotation_ctx) for item in annotation.items}
            kinds.discard("unknown")
            if not kinds:
                return "data" if origin.startswith("builtins.") else "unknown"
            return "service" if "service" in kinds else ("data" if kinds == {"data"} else kinds.pop())
        return "unknown"
    if isinstance(annotation, NameExpr) and annotation.name == "None":
        return "data"
    sym = resolver.resolve_qualified(annotation, annotation_ctx)
    name = resolver.qualified(sym)
    if name is not None and name.startswith("builtins.") and name not in ("builtins.object", "builtins.type"):
        return "data"
    return class_kind(resolver, sym)


def is_security_scheme(resolver: Resolver, sym) -> bool:
    """A FastAPI security scheme class (OAuth2PasswordBearer, HTTPBearer, APIKeyHeader, ...) or a project
    subclass of one: what it provides is the request's credentials, a value."""
    sym = resolver.class_of(sym)
    names = {resolver.qualified(sym)}
    if isinstance(sym, DefSym) and sym.kind == "class":
        names |= set(resolver.external_bases(sym))
    return any(name and name.startswith(_SECURITY_MODULES) for name in names)


def is_namespace_module(facts) -> bool:
    """A module that only holds variables (`state.py`: `openai_client = None`, set at start-up): a holder of
    state. A module that also defines functions or classes is a library whose module attributes are its
    configuration (`litellm.cache = Cache()`), not a holder."""
    return not any(binding.kind in ("function", "class") for binding in facts.scopes[""].bindings.values())
