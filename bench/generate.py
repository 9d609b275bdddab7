"""Write a synthetic FastAPI project that looks like a real one, for the benchmark.

    python bench/generate.py [--lines 300000] [--seed 0] [--out bench/.work/project]

The project is one package, `bigapp/`, laid out the way large FastAPI services are: `api/v1/<domain>/` (routers,
per-domain dependency modules and `include_router` wiring), `services/<domain>/`, `repositories/<domain>/`,
`models/<domain>/` (SQLAlchemy), `schemas/<domain>/` (pydantic), `clients/<vendor>/`, `utils/<area>/`, `tasks/`,
`scripts/`, `core/` (settings, database, security, shared dependencies, constants) and a `main.py` with the
`FastAPI(...)` app; plus a top-level `tests/` folder whose tests override dependencies.

About one module in five touches FastAPI dependency injection (in one large real FastAPI codebase 382 of 1,971
files do); the rest is plain code of varied shapes (classes, decorators, nested functions, comprehensions,
f-strings, try/except, match, async, docstrings and comments). DI modules import from each other and from the
plain modules. Every file is checked with `ast.parse`, and every plain module is checked not to trip the
analyzer's byte-level prefilter (the same words and decorator pattern as `wirelint.analyzer.discovery`); the
generator fails loudly otherwise. Output is deterministic for a given seed; the output folder is wiped first.
"""

from __future__ import annotations

import argparse
import ast
import random
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

# Kept in step with wirelint.analyzer.discovery (copied, so the generator does not need wirelint installed).
PREFILTER_WORDS = (
    b"fastapi", b"Depends", b"Security", b"APIRouter", b"include_router", b"add_api_route", b"api_route",
    b"dependency_overrides",
)
ROUTE_DECORATOR_RE = re.compile(rb"@[\w.]+\.(?:get|post|put|patch|delete|head|options|trace|websocket)\(")


def trips_prefilter(data: bytes) -> bool:
    return any(word in data for word in PREFILTER_WORDS) or ROUTE_DECORATOR_RE.search(data) is not None


DOMAINS = [
    "billing", "orders", "catalog", "accounts", "inventory", "shipping", "payments", "reviews", "search",
    "reports", "notifications", "teams", "projects", "tickets", "audits", "coupons", "carts", "invoices", "media",
    "subscriptions", "warehouses", "suppliers", "pricing", "loyalty", "returns", "analytics", "messaging",
    "scheduling", "documents", "compliance", "onboarding", "referrals", "surveys", "forecasts", "contracts",
    "assets", "locations", "devices", "sessions", "webhooks",
]
ENTITIES = [
    "invoice", "order", "product", "account", "item", "shipment", "payment", "review", "query", "report",
    "message", "team", "project", "ticket", "event", "coupon", "cart", "line", "attachment", "plan", "bin",
    "vendor", "quote", "reward", "refund", "metric", "thread", "slot", "document", "policy", "step", "invite",
    "answer", "estimate", "clause", "asset", "site", "device", "token", "delivery", "batch", "note", "tag",
    "budget", "rule", "task", "profile", "address", "channel", "schedule",
]
WORDS = [
    "amount", "status", "title", "owner", "region", "price", "count", "label", "score", "weight", "currency",
    "channel", "priority", "source", "target", "kind", "note", "slug", "email", "phone", "country", "city",
    "reference", "quantity", "discount", "tax", "total", "version", "rank", "color", "size", "locale", "timezone",
    "external_id", "description", "category", "level", "duration", "deadline", "ratio",
]
VERBS = ["normalize", "compute", "merge", "split", "score", "render", "collect", "validate", "summarize",
         "resolve", "format", "parse", "group", "filter", "rank", "reconcile", "export", "import_rows", "dedupe"]
VENDORS = ["stripe", "sendgrid", "twilio", "shippo", "s3", "slack", "hubspot", "zendesk", "segment", "github",
           "jira", "okta", "paypal", "mailgun", "algolia", "sentry", "datadog", "salesforce", "openexchange", "geo"]
UTIL_AREAS = ["text", "dates", "numbers", "collections", "files", "crypto", "http", "cache", "retry", "io",
              "validation", "formatting", "serialization", "pagination", "timing", "env"]
PY_TYPES = ["int", "str", "float", "bool", "Decimal", "datetime", "Optional[str]", "list[str]", "dict[str, Any]"]
SA_TYPES = {"int": "Integer", "str": "String(255)", "float": "Float", "bool": "Boolean", "Decimal": "Numeric(12, 2)",
            "datetime": "DateTime(timezone=True)", "Optional[str]": "Text", "list[str]": "JSON",
            "dict[str, Any]": "JSON"}


def camel(*parts: str) -> str:
    return "".join(piece.capitalize() for part in parts for piece in part.split("_"))


def has_default(param: str) -> bool:
    depth = 0
    for char in param:
        depth += char in "([{"
        depth -= char in ")]}"
        if char == "=" and depth == 0:
            return True
    return False


def ordered(params: list[str]) -> list[str]:
    """Parameters without defaults first, as Python requires (stable otherwise)."""
    return sorted(params, key=has_default)


def signature(head: str, params: list[str], tail: str, indent: str = "") -> list[str]:
    """`head(params)tail`, wrapped one parameter a line the way black does when it is too long."""
    line = f"{indent}{head}({', '.join(params)}){tail}"
    if len(line) <= 110:
        return [line]
    return [f"{indent}{head}(", *[f"{indent}    {param}," for param in params], f"{indent}){tail}"]


def module_of(path: str) -> str:
    dotted = path[:-3].replace("/", ".")
    return dotted[: -len(".__init__")] if dotted.endswith(".__init__") else dotted


@dataclass
class Registry:
    """What earlier modules defined, so later ones can import real names."""

    models: list[tuple[str, str, list[tuple[str, str]]]] = field(default_factory=list)  # (module, class, fields)
    schemas: list[tuple[str, str]] = field(default_factory=list)  # (module, class)
    utils: list[tuple[str, str]] = field(default_factory=list)  # (module, function taking a list[Any])
    clients: list[tuple[str, str]] = field(default_factory=list)  # (module, class)
    repos: list[tuple[str, str]] = field(default_factory=list)  # (module, class taking a session)
    constants: list[tuple[str, str]] = field(default_factory=list)  # (module, name)
    providers: list[tuple[str, str]] = field(default_factory=list)  # (module, function)
    aliases: list[tuple[str, str]] = field(default_factory=list)  # (module, Annotated alias)
    factories: list[tuple[str, str]] = field(default_factory=list)  # (module, function returning a dependency)
    services: list[tuple[str, str]] = field(default_factory=list)  # (module, class injected with Depends())
    domain_routers: list[tuple[str, str]] = field(default_factory=list)  # (module, domain)


class Imports:
    """Import lines collected while a module body is written, rendered at the top."""

    def __init__(self, module: str) -> None:
        self.module = module
        self.plain: set[str] = set()
        self.froms: dict[str, set[str]] = {}

    def add(self, source: str, *names: str) -> None:
        if source != self.module:
            self.froms.setdefault(source, set()).update(names)

    def render(self, rng: random.Random) -> list[str]:
        lines = ["from __future__ import annotations", ""] if rng.random() < 0.5 else []
        groups: list[list[str]] = [[f"import {name}" for name in sorted(self.plain & STDLIB)],
                                   [f"import {name}" for name in sorted(self.plain - STDLIB)], []]
        for source in sorted(self.froms):
            names = sorted(self.froms[source])
            group = 2 if source.startswith("bigapp") else (0 if source in STDLIB else 1)
            if len(names) > 3 or (len(names) > 1 and rng.random() < 0.3):
                groups[group] += [f"from {source} import (", *[f"    {name}," for name in names], ")"]
            else:
                groups[group].append(f"from {source} import {', '.join(names)}")
        for group in groups:
            if group:
                if lines and lines[-1] != "":
                    lines.append("")
                lines += group
        return lines


STDLIB = {"typing", "collections", "dataclasses", "datetime", "decimal", "enum", "functools", "itertools",
          "pathlib", "contextlib", "collections.abc", "abc", "uuid", "json", "logging", "re", "os", "time",
          "asyncio", "hashlib", "types", "sys", "typing_extensions", "concurrent.futures", "urllib.parse", "argparse", "csv"}


class Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.reg = Registry()
        self.files: dict[str, str] = {}
        self.kinds: dict[str, str] = {}

    # --- helpers ---------------------------------------------------------------------------------------

    def pick(self, items):
        return self.rng.choice(items)

    def target_lines(self) -> int:
        return int(self.rng.triangular(50, 400, 150))

    def add(self, path: str, kind: str, header: str, imports: Imports, body: list[str]) -> None:
        logger = "logging" in imports.plain or self.rng.random() < 0.4
        if logger:
            imports.plain.add("logging")
        lines = [f'"""{header}"""', ""] + imports.render(self.rng)
        if logger:
            lines += ["", "logger = logging.getLogger(__name__)"]
        self.files[path] = "\n".join(lines + body).rstrip() + "\n"
        self.kinds[path] = kind

    def fill(self, target: int, make_unit, start: int = 0, gap: int = 2) -> list[str]:
        """Units from `make_unit()` until about `target` lines (never past 400 if avoidable)."""
        body: list[str] = []
        while len(body) + start < target:
            unit = make_unit()
            if body and len(body) + start + len(unit) > 400:
                break
            body += [""] * gap + unit
        return body

    def init(self, folder: str, doc: str, reexports: list[tuple[str, str]] = ()) -> None:
        path = f"{folder}/__init__.py"
        if path in self.files:
            return
        lines = [f'"""{doc}"""'] if doc else []
        if reexports:
            lines.append("")
            lines += [f"from .{module} import {name}" for module, name in reexports]
            lines += ["", "__all__ = [", *[f'    "{name}",' for _, name in reexports], "]"]
        self.files[path] = "\n".join(lines) + "\n" if lines else ""
        self.kinds[path] = "init"

    def fields(self, low: int, high: int) -> list[tuple[str, str]]:
        names = self.rng.sample(WORDS, k=self.rng.randint(low, high))
        return [(name, self.pick(PY_TYPES)) for name in names]

    def type_imports(self, imports: Imports, types: list[str]) -> None:
        for kind in types:
            if kind == "Decimal":
                imports.add("decimal", "Decimal")
            elif kind == "datetime":
                imports.add("datetime", "datetime")
            elif "Optional" in kind:
                imports.add("typing", "Optional")
            elif "Any" in kind:
                imports.add("typing", "Any")

    # --- plain code fragments --------------------------------------------------------------------------

    def util_function(self, name: str, imports: Imports) -> list[str]:
        """One of a dozen realistic helper shapes."""
        variant = self.rng.randrange(12)
        word, other = self.rng.sample(WORDS, 2)
        if variant == 0:
            imports.add("collections.abc", "Iterable", "Iterator")
            imports.add("typing", "TypeVar")
            return [f"def {name}(items: Iterable[T], size: int = 100) -> Iterator[list[T]]:",
                    f'    """Yield lists of at most ``size`` items (the last one may be shorter)."""',
                    "    if size <= 0:",
                    f'        raise ValueError(f"size must be positive, got {{size}}")',
                    "    batch: list[T] = []",
                    "    for item in items:",
                    "        batch.append(item)",
                    "        if len(batch) >= size:",
                    "            yield batch",
                    "            batch = []",
                    "    if batch:",
                    "        yield batch"]
        if variant == 1:
            imports.add("collections", "defaultdict")
            imports.add("typing", "Any")
            return [f"def {name}(rows: list[dict[str, Any]], key: str = {word!r}) -> dict[Any, list[dict[str, Any]]]:",
                    f'    """Group rows by ``key``; rows without it go under ``None``."""',
                    "    grouped: dict[Any, list[dict[str, Any]]] = defaultdict(list)",
                    "    for row in rows:",
                    "        grouped[row.get(key)].append(row)",
                    "    # keep the groups in a stable order for reports",
                    "    return {k: sorted(v, key=lambda r: str(r.get('id', ''))) for k, v in grouped.items()}"]
        if variant == 2:
            imports.add("functools", "wraps")
            imports.plain.add("time")
            imports.add("typing", "Any", "Callable")
            return [f"def {name}(attempts: int = 3, delay: float = 0.2) -> Callable[..., Any]:",
                    f'    """Retry the decorated function on ``OSError`` with exponential backoff."""',
                    "",
                    "    def decorator(func: Callable[..., Any]) -> Callable[..., Any]:",
                    "        @wraps(func)",
                    "        def wrapper(*args: Any, **kwargs: Any) -> Any:",
                    "            last: Exception | None = None",
                    "            for attempt in range(attempts):",
                    "                try:",
                    "                    return func(*args, **kwargs)",
                    "                except OSError as error:  # network blips, mostly",
                    "                    last = error",
                    "                    time.sleep(delay * 2**attempt)",
                    "            raise RuntimeError(f'{func.__name__} failed after {attempts} attempts') from last",
                    "",
                    "        return wrapper",
                    "",
                    "    return decorator"]
        if variant == 3:
            imports.plain.add("re")
            return [f"def {name}(text: str, *, max_length: int = {self.rng.randint(20, 200)}) -> str:",
                    f'    """Lower-case, strip accents-free punctuation and collapse whitespace in ``text``."""',
                    "    cleaned = re.sub(r'[^\\w\\s-]', '', text).strip().lower()",
                    "    cleaned = re.sub(r'[\\s_-]+', '-', cleaned)",
                    "    if len(cleaned) > max_length:",
                    "        cleaned = cleaned[:max_length].rsplit('-', 1)[0]",
                    "    return cleaned or 'untitled'"]
        if variant == 4:
            imports.add("typing", "Any")
            return [f"def {name}(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:",
                    f'    """Deep-merge ``override`` into a copy of ``base``."""',
                    "    merged = dict(base)",
                    "    for key, value in override.items():",
                    "        if isinstance(value, dict) and isinstance(merged.get(key), dict):",
                    f"            merged[key] = {name}(merged[key], value)",
                    "        elif value is None:",
                    "            merged.pop(key, None)",
                    "        else:",
                    "            merged[key] = value",
                    "    return merged"]
        if variant == 5:
            imports.add("typing", "Any")
            return [f"def {name}(value: Any) -> str:",
                    f'    """Render ``value`` for a {word} column."""',
                    "    match value:",
                    "        case None:",
                    "            return '-'",
                    "        case bool():",
                    "            return 'yes' if value else 'no'",
                    "        case int() | float():",
                    "            return f'{value:,.2f}'",
                    "        case [first, *rest]:",
                    "            return f'{first} (+{len(rest)} more)'",
                    "        case {'name': name, **other}:",
                    "            return f'{name} ({len(other)} fields)'",
                    "        case _:",
                    "            return str(value)"]
        if variant == 6:
            imports.add("datetime", "date", "timedelta")
            imports.add("collections.abc", "Iterator")
            return [f"def {name}(start: date, end: date, step_days: int = 1) -> Iterator[date]:",
                    f'    """Dates from ``start`` to ``end`` inclusive."""',
                    "    current = start",
                    "    while current <= end:",
                    "        yield current",
                    "        current += timedelta(days=step_days)"]
        if variant == 7:
            imports.plain.add("json")
            imports.plain.add("logging")
            imports.add("pathlib", "Path")
            imports.add("typing", "Any")
            return [f"def {name}(path: Path, default: Any = None) -> Any:",
                    f'    """Read JSON from ``path``; ``default`` when missing or broken."""',
                    "    try:",
                    "        with path.open(encoding='utf-8') as handle:",
                    "            data = json.load(handle)",
                    "    except FileNotFoundError:",
                    "        return default",
                    "    except json.JSONDecodeError as error:",
                    "        logging.getLogger(__name__).warning('bad json in %s: %s', path, error)",
                    "        return default",
                    "    else:",
                    f"        return data.get({word!r}, data) if isinstance(data, dict) else data"]
        if variant == 8:
            imports.plain.add("hashlib")
            return [f"def {name}(*parts: object, length: int = 16) -> str:",
                    f'    """A short stable fingerprint of ``parts``."""',
                    "    digest = hashlib.sha256()",
                    "    for part in parts:",
                    "        digest.update(repr(part).encode('utf-8'))",
                    "        digest.update(b'\\x00')",
                    "    return digest.hexdigest()[:length]"]
        if variant == 9:
            imports.add("typing", "Any")
            return [f"def {name}(values: list[float], weights: list[float] | None = None) -> dict[str, float]:",
                    f'    """Summary statistics of ``values`` ({word} and {other} reports)."""',
                    "    if not values:",
                    "        return {'count': 0, 'mean': 0.0, 'min': 0.0, 'max': 0.0}",
                    "    weights = weights or [1.0] * len(values)",
                    "    total = sum(w for w in weights) or 1.0",
                    "    mean = sum(v * w for v, w in zip(values, weights)) / total",
                    "    spread = sorted(values)",
                    "    middle = len(spread) // 2",
                    "    median = spread[middle] if len(spread) % 2 else (spread[middle - 1] + spread[middle]) / 2",
                    "    return {",
                    "        'count': float(len(values)),",
                    "        'mean': round(mean, 4),",
                    "        'median': median,",
                    "        'min': spread[0],",
                    "        'max': spread[-1],",
                    "    }"]
        if variant == 10:
            imports.plain.add("asyncio")
            imports.add("collections.abc", "Awaitable", "Callable")
            imports.add("typing", "TypeVar")
            return [f"async def {name}(jobs: list[Callable[[], Awaitable[T]]], limit: int = 8) -> list[T]:",
                    f'    """Run ``jobs`` with at most ``limit`` at a time, keeping their order."""',
                    "    semaphore = asyncio.Semaphore(limit)",
                    "",
                    "    async def run(job: Callable[[], Awaitable[T]]) -> T:",
                    "        async with semaphore:",
                    "            return await job()",
                    "",
                    "    return list(await asyncio.gather(*(run(job) for job in jobs)))"]
        imports.add("typing", "Any")
        return [f"def {name}(records: list[dict[str, Any]], fields: tuple[str, ...] = ({word!r}, {other!r})) -> list[str]:",
                f'    """CSV-ish lines for ``records``, skipping empty ones."""',
                "    lines = [','.join(fields)]",
                "    for record in records:",
                "        if not any(record.get(f) for f in fields):",
                "            continue",
                "        cells = [str(record.get(f, '')).replace(',', ';') for f in fields]",
                "        lines.append(','.join(cells))",
                "    return lines"]

    def util_class(self, name: str, imports: Imports) -> list[str]:
        variant = self.rng.randrange(4)
        if variant == 0:
            imports.plain.add("time")
            imports.add("typing", "Any")
            return [f"class {name}:",
                    f'    """A small in-process TTL cache."""',
                    "",
                    "    def __init__(self, ttl: float = 60.0, max_items: int = 1024) -> None:",
                    "        self.ttl = ttl",
                    "        self.max_items = max_items",
                    "        self._items: dict[str, tuple[float, Any]] = {}",
                    "",
                    "    def get(self, key: str, default: Any = None) -> Any:",
                    "        entry = self._items.get(key)",
                    "        if entry is None or entry[0] < time.monotonic():",
                    "            self._items.pop(key, None)",
                    "            return default",
                    "        return entry[1]",
                    "",
                    "    def set(self, key: str, value: Any) -> None:",
                    "        if len(self._items) >= self.max_items:",
                    "            oldest = min(self._items, key=lambda k: self._items[k][0])",
                    "            del self._items[oldest]",
                    "        self._items[key] = (time.monotonic() + self.ttl, value)",
                    "",
                    "    def __len__(self) -> int:",
                    "        return len(self._items)"]
        if variant == 1:
            imports.plain.add("time")
            imports.plain.add("logging")
            imports.add("types", "TracebackType")
            return [f"class {name}:",
                    f'    """Context manager that measures how long a block took."""',
                    "",
                    "    def __init__(self, label: str) -> None:",
                    "        self.label = label",
                    "        self.elapsed = 0.0",
                    "",
                    f"    def __enter__(self) -> {name}:",
                    "        self._start = time.perf_counter()",
                    "        return self",
                    "",
                    "    def __exit__(",
                    "        self,",
                    "        exc_type: type[BaseException] | None,",
                    "        exc: BaseException | None,",
                    "        tb: TracebackType | None,",
                    "    ) -> None:",
                    "        self.elapsed = time.perf_counter() - self._start",
                    "        if exc is not None:",
                    "            logging.getLogger(__name__).info('%s failed after %.3fs', self.label, self.elapsed)"]
        if variant == 2:
            imports.add("enum", "Enum")
            members = self.rng.sample(WORDS, self.rng.randint(3, 7))
            return [f"class {name}(str, Enum):", f'    """Known values."""', "",
                    *[f"    {m.upper()} = {m!r}" for m in members], "",
                    "    @classmethod",
                    f"    def parse(cls, raw: str) -> {name}:",
                    "        try:",
                    "            return cls(raw.strip().lower())",
                    "        except ValueError:",
                    f"            return cls.{members[0].upper()}"]
        imports.add("dataclasses", "dataclass", "field")
        fields = self.fields(2, 6)
        self.type_imports(imports, [kind for _, kind in fields])
        return [f"@dataclass(frozen={self.rng.random() < 0.5})", f"class {name}:", f'    """Value object."""', "",
                *[f"    {n}: {k} | None = None" for n, k in fields],
                "    extra: dict[str, str] = field(default_factory=dict)", "",
                "    def __post_init__(self) -> None:",
                f"        if self.{fields[0][0]} is None and not self.extra:",
                "            # nothing to validate for an empty value",
                "            return",
                "",
                "    def as_tuple(self) -> tuple:",
                f"        return ({', '.join(f'self.{n}' for n, _ in fields)},)"]

    def model_class(self, cls: str, table: str, imports: Imports, fields: list[tuple[str, str]]) -> list[str]:
        mapped = self.rng.random() < 0.5
        imports.add("bigapp.core.db", "Base")
        imports.add("typing", "Any")
        lines = [f"class {cls}(Base):", f'    """A row of ``{table}``.', "",
                 f"    Rows are soft-deleted; see ``{cls}.is_active``.", '    """', "",
                 f'    __tablename__ = "{table}"']
        if self.rng.random() < 0.4:
            imports.add("sqlalchemy", "UniqueConstraint")
            lines.append(f'    __table_args__ = (UniqueConstraint("{fields[0][0]}", name="uq_{table}_{fields[0][0]}"),)')
        lines.append("")
        if mapped:
            imports.add("sqlalchemy.orm", "Mapped", "mapped_column")
            self.type_imports(imports, [kind for _, kind in fields])
            lines.append("    id: Mapped[int] = mapped_column(primary_key=True)")
            for name, kind in fields:
                sa = SA_TYPES[kind]
                imports.add("sqlalchemy", sa.split("(")[0])
                extra = ", index=True" if self.rng.random() < 0.2 else ""
                lines.append(f"    {name}: Mapped[{kind}] = mapped_column({sa}{extra})")
            lines.append("    deleted: Mapped[bool] = mapped_column(default=False)")
        else:
            imports.add("sqlalchemy", "Column", "Integer", "Boolean")
            lines.append("    id = Column(Integer, primary_key=True, autoincrement=True)")
            for name, kind in fields:
                sa = SA_TYPES[kind]
                imports.add("sqlalchemy", sa.split("(")[0])
                nullable = "True" if "Optional" in kind or self.rng.random() < 0.5 else "False"
                lines.append(f"    {name} = Column({sa}, nullable={nullable})")
            lines.append("    deleted = Column(Boolean, default=False, nullable=False)")
        if self.reg.models and self.rng.random() < 0.5:
            other_module, other, _ = self.pick(self.reg.models[-30:])
            imports.add("sqlalchemy", "ForeignKey")
            imports.add("sqlalchemy.orm", "relationship")
            lines += [f'    {other.lower()}_id = Column(Integer, ForeignKey("{other.lower()}s.id", ondelete="CASCADE"))'
                      if not mapped else
                      f'    {other.lower()}_id: Mapped[int] = mapped_column(ForeignKey("{other.lower()}s.id"))',
                      f'    {other.lower()} = relationship("{other}", lazy="selectin")']
        lines += ["", "    def __repr__(self) -> str:",
                  f'        return f"<{cls} id={{self.id!r}} {fields[0][0]}={{self.{fields[0][0]}!r}}>"', "",
                  "    @property", "    def is_active(self) -> bool:", "        return not self.deleted", "",
                  "    def to_dict(self, *, include: set[str] | None = None) -> dict[str, Any]:",
                  "        data = {column.name: getattr(self, column.name) for column in self.__table__.columns}",
                  "        if include:", "            data = {k: v for k, v in data.items() if k in include}",
                  "        return data"]
        if self.rng.random() < 0.5:
            lines += ["", "    @classmethod", f"    def from_payload(cls, payload: dict[str, Any]) -> {cls}:",
                      f'        """Build a row from an API payload, ignoring unknown keys."""',
                      "        known = {c.name for c in cls.__table__.columns}",
                      "        return cls(**{key: value for key, value in payload.items() if key in known})"]
        return lines

    def schema_class(self, cls: str, imports: Imports, fields: list[tuple[str, str]], base: str | None) -> list[str]:
        imports.add("pydantic", "BaseModel", "Field")
        self.type_imports(imports, [kind for _, kind in fields])
        lines = [f"class {cls}({base or 'BaseModel'}):", f'    """{cls} payload."""', ""]
        if base is None and self.rng.random() < 0.5:
            imports.add("pydantic", "ConfigDict")
            lines += ["    model_config = ConfigDict(from_attributes=True, extra='forbid')", ""]
        for name, kind in fields:
            roll = self.rng.random()
            if roll < 0.4:
                lines.append(f"    {name}: {kind} | None = Field(default=None, description='The {name.replace('_', ' ')}.')")
            elif roll < 0.6 and kind in ("int", "float", "Decimal"):
                lines.append(f"    {name}: {kind} = Field(0, ge=0, le={self.rng.randint(100, 10**6)})")
            elif roll < 0.7 and kind == "list[str]":
                lines.append(f"    {name}: list[str] = Field(default_factory=list, max_length=50)")
            else:
                lines.append(f"    {name}: {kind} | None = None")
        if self.rng.random() < 0.5:
            imports.add("pydantic", "field_validator")
            name = fields[0][0]
            lines += ["", f"    @field_validator({name!r})", "    @classmethod",
                      f"    def _check_{name}(cls, value):",
                      "        if isinstance(value, str) and not value.strip():",
                      f"            raise ValueError('{name} must not be blank')",
                      "        return value"]
        return lines

    # --- plain modules ---------------------------------------------------------------------------------

    def models_module(self, path: str, domain: str, entity: str) -> None:
        module = module_of(path)
        imports = Imports(module)
        counter = iter(range(100))

        def unit() -> list[str]:
            number = next(counter)
            cls = camel(entity) if number == 0 else camel(entity, self.pick(["history", "link", "snapshot",
                                                                            "setting", "log", "summary"]), str(number))
            fields = self.fields(3, 9)
            lines = self.model_class(cls, f"{domain}_{cls.lower()}s", imports, fields)
            self.reg.models.append((module, cls, fields))
            return lines

        body = self.fill(self.target_lines(), unit, start=12)
        self.add(path, "models", f"Database models for {domain}: {entity} and related tables.", imports, body)

    def schemas_module(self, path: str, domain: str, entity: str) -> None:
        module = module_of(path)
        imports = Imports(module)
        counter = iter(range(100))

        def unit() -> list[str]:
            number = next(counter)
            stem = camel(entity) if number == 0 else camel(entity, str(number))
            fields = self.fields(3, 8)
            lines = self.schema_class(f"{stem}Base", imports, fields, None)
            for suffix in self.rng.sample(["Create", "Update", "Read", "Filter"], self.rng.randint(1, 3)):
                extra = self.fields(1, 3)
                lines += ["", ""] + self.schema_class(f"{stem}{suffix}", imports, extra, f"{stem}Base")
                self.reg.schemas.append((module, f"{stem}{suffix}"))
            self.reg.schemas.append((module, f"{stem}Base"))
            return lines

        body = self.fill(self.target_lines(), unit, start=8)
        self.add(path, "schemas", f"Request and response shapes for {domain} {entity}s.", imports, body)

    def utils_module(self, path: str, area: str) -> None:
        module = module_of(path)
        imports = Imports(module)
        used: set[str] = set()

        def unit() -> list[str]:
            if self.rng.random() < 0.2:
                name = camel(area, self.pick(WORDS), self.pick(["cache", "timer", "kind", "value", "spec"]))
                if name in used:
                    name += str(len(used))
                used.add(name)
                return self.util_class(name, imports)
            name = f"{self.pick(VERBS)}_{self.pick(WORDS)}"
            if name in used:
                name += f"_{len(used)}"
            used.add(name)
            lines = self.util_function(name, imports)
            if lines[0].startswith("def ") and "Iterator[list[T]]" not in lines[0]:
                self.reg.utils.append((module, name))
            return lines

        body = self.fill(self.target_lines(), unit, start=10)
        if "TypeVar" in imports.froms.get("typing", ()):
            body = ["", 'T = TypeVar("T")'] + body
        self.add(path, "utils", f"{area.capitalize()} helpers shared across the code base.", imports, body)

    def client_module(self, path: str, vendor: str) -> None:
        module = module_of(path)
        imports = Imports(module)
        imports.plain.add("httpx")
        imports.add("typing", "Any")
        cls = f"{camel(vendor)}Client"
        if path.endswith("_v2.py"):
            cls = f"{camel(vendor)}ClientV2"
        error = f"{camel(vendor)}Error"
        head = [f"class {error}(RuntimeError):", f'    """The {vendor} API answered with an error."""', "",
                "    def __init__(self, status: int, body: str) -> None:",
                "        super().__init__(f'{status}: {body[:200]}')", "        self.status = status", "", "",
                f"class {cls}:", f'    """Thin wrapper around the {vendor} HTTP API.', "",
                "    Retries idempotent requests; raises on 4xx/5xx.", '    """', "",
                f'    def __init__(self, base_url: str = "https://api.{vendor}.example", token: str = "", '
                f"timeout: float = 10.0) -> None:",
                "        self.base_url = base_url.rstrip('/')",
                "        self._http = httpx.Client(base_url=self.base_url, timeout=timeout,",
                "                                  headers={'Authorization': f'Bearer {token}'})",
                "",
                "    def close(self) -> None:", "        self._http.close()", "",
                "    def _request(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:",
                "        for attempt in range(3):",
                "            response = self._http.request(method, url, **kwargs)",
                "            if response.status_code < 500 or method not in ('GET', 'HEAD'):",
                "                break",
                "            logging.getLogger(__name__).warning('retry %d for %s %s', attempt, method, url)",
                "        if response.status_code >= 400:",
                f"            raise {error}(response.status_code, response.text)",
                "        return response.json() if response.content else {}"]
        imports.plain.add("logging")
        resources = self.rng.sample(ENTITIES, 12)
        counter = iter(resources)

        def unit() -> list[str]:
            resource = next(counter, None) or f"{self.pick(ENTITIES)}_{self.rng.randrange(999)}"
            shape = self.rng.randrange(4)
            if shape == 0:
                return [f"    def get_{resource}(self, {resource}_id: str) -> dict[str, Any]:",
                        f'        return self._request("GET", f"/v1/{resource}s/{{{resource}_id}}")']
            if shape == 1:
                return [f"    def list_{resource}s(self, *, limit: int = 100, cursor: str | None = None) -> list[dict[str, Any]]:",
                        f'        """Every {resource} page by page."""',
                        "        items: list[dict[str, Any]] = []",
                        "        while True:",
                        "            params = {'limit': limit, **({'cursor': cursor} if cursor else {})}",
                        f'            page = self._request("GET", "/v1/{resource}s", params=params)',
                        "            items.extend(page.get('data', []))",
                        "            cursor = page.get('next_cursor')",
                        "            if not cursor:",
                        "                return items"]
            if shape == 2:
                return [f"    def create_{resource}(self, payload: dict[str, Any], *, idempotency_key: str | None = None) -> dict[str, Any]:",
                        "        headers = {'Idempotency-Key': idempotency_key} if idempotency_key else {}",
                        f'        return self._request("POST", "/v1/{resource}s", json=payload, headers=headers)']
            return [f"    def delete_{resource}(self, {resource}_id: str) -> bool:",
                    "        try:",
                    f'            self._request("DELETE", f"/v1/{resource}s/{{{resource}_id}}")',
                    f"        except {error} as error:",
                    "            if error.status == 404:",
                    "                return False",
                    "            raise",
                    "        return True"]

        body = ["", ""] + head
        target = self.target_lines()
        while len(body) < target - 10:
            body += [""] + unit()
        self.reg.clients.append((module, cls))
        self.add(path, "client", f"HTTP client for the external {vendor} service.", imports, body)

    def repo_module(self, path: str, domain: str, entity: str) -> None:
        module = module_of(path)
        imports = Imports(module)
        imports.add("sqlalchemy", "select")
        imports.add("sqlalchemy.orm", "Session")
        imports.add("collections.abc", "Sequence")
        own = [m for m in self.reg.models if m[0] == f"bigapp.models.{domain}.{entity}"]
        candidates = own or [m for m in self.reg.models if m[0].startswith(f"bigapp.models.{domain}")]
        queue = list(candidates)

        def unit() -> list[str]:
            model_module, model, fields = queue.pop(0) if queue else self.pick(candidates)
            imports.add(model_module, model)
            cls = f"{model}Repository"
            if any(cls == name for mod, name in self.reg.repos if mod == module):
                cls = f"{model}Repository{len(self.reg.repos)}"
            column = fields[0][0]
            lines = [f"class {cls}:", f'    """Queries for ``{model}`` rows."""', "",
                     "    def __init__(self, session: Session) -> None:", "        self.session = session", "",
                     f"    def get(self, item_id: int) -> {model} | None:",
                     f"        return self.session.get({model}, item_id)", "",
                     f"    def list(self, *, offset: int = 0, limit: int = 50) -> Sequence[{model}]:",
                     f"        query = select({model}).where({model}.deleted.is_(False)).offset(offset).limit(limit)",
                     "        return self.session.scalars(query).all()", "",
                     f"    def find_by_{column}(self, value) -> Sequence[{model}]:",
                     f"        return self.session.scalars(select({model}).where({model}.{column} == value)).all()", "",
                     f"    def add(self, row: {model}) -> {model}:", "        self.session.add(row)",
                     "        self.session.flush()", "        return row", "",
                     "    def soft_delete(self, item_id: int) -> bool:", "        row = self.get(item_id)",
                     "        if row is None:", "            return False", "        row.deleted = True",
                     "        return True"]
            self.reg.repos.append((module, cls))
            return lines

        body = self.fill(self.target_lines(), unit, start=10)
        self.add(path, "repository", f"Persistence queries for {domain}.", imports, body)

    def plain_service_module(self, path: str, domain: str) -> None:
        """Business logic that is not injected: pure functions and calculators over models and schemas."""
        module = module_of(path)
        imports = Imports(module)
        models = [m for m in self.reg.models if m[0].startswith(f"bigapp.models.{domain}")] or self.reg.models
        used: set[str] = set()

        def unit() -> list[str]:
            roll = self.rng.random()
            if roll < 0.35 and self.reg.utils:
                util_module, util = self.pick(self.reg.utils)
                imports.add(util_module, util)
                model_module, model, fields = self.pick(models)
                imports.add(model_module, model)
                name = f"{self.pick(VERBS)}_{model.lower()}s"
                if name in used:
                    name += f"_{len(used)}"
                used.add(name)
                column = fields[0][0]
                return [f"def {name}(rows: list[{model}], *, strict: bool = False) -> list[dict]:",
                        f'    """Prepare {model} rows for the {domain} export."""',
                        "    prepared = []",
                        "    for index, row in enumerate(rows):",
                        "        data = row.to_dict()",
                        f"        if strict and data.get({column!r}) is None:",
                        f"            raise ValueError(f'row {{index}} has no {column}')",
                        f"        data['_checked_by'] = {util}.__name__",
                        "        prepared.append(data)",
                        f"    return sorted(prepared, key=lambda item: (item.get({column!r}) is None, item['id']))"]
            if roll < 0.6:
                name = camel(domain, self.pick(["calculator", "policy", "planner", "matcher"]), str(len(used)))
                used.add(name)
                imports.add("decimal", "Decimal")
                return [f"class {name}:", f'    """Rules for {domain} totals."""', "",
                        f"    RATE = Decimal('{self.rng.randint(1, 30)}.{self.rng.randint(0, 99):02d}')", "",
                        "    def __init__(self, rounding: int = 2, *, overrides: dict[str, Decimal] | None = None) -> None:",
                        "        self.rounding = rounding", "        self.overrides = overrides or {}", "",
                        "    def rate_for(self, key: str) -> Decimal:",
                        "        return self.overrides.get(key, self.RATE)", "",
                        "    def total(self, amounts: list[Decimal], key: str = 'default') -> Decimal:",
                        "        subtotal = sum(amounts, Decimal(0))",
                        "        fee = subtotal * self.rate_for(key) / 100",
                        "        return round(subtotal + fee, self.rounding)", "",
                        "    @staticmethod",
                        "    def split(total: Decimal, parts: int) -> list[Decimal]:",
                        "        if parts <= 0:", "            raise ValueError('parts must be positive')",
                        "        share = (total / parts).quantize(Decimal('0.01'))",
                        "        return [share] * (parts - 1) + [total - share * (parts - 1)]"]
            name = f"{self.pick(VERBS)}_{self.pick(WORDS)}"
            if name in used:
                name += f"_{len(used)}"
            used.add(name)
            return self.util_function(name, imports)

        body = self.fill(self.target_lines(), unit, start=10)
        if "TypeVar" in imports.froms.get("typing", ()):
            body = ["", 'T = TypeVar("T")'] + body
        self.add(path, "service-plain", f"Pure {domain} business rules (no I/O).", imports, body)

    def script_module(self, path: str, domain: str) -> None:
        module = module_of(path)
        imports = Imports(module)
        imports.plain.add("argparse")
        imports.plain.add("sys")
        imports.add("bigapp.core.db", "SessionLocal")
        repo = self.pick(self.reg.repos) if self.reg.repos else None
        if repo:
            imports.add(*repo)
        steps = []
        counter = iter(range(100))

        def unit() -> list[str]:
            number = next(counter)
            name = f"step_{number}_{self.pick(VERBS)}"
            steps.append(name)
            lines = [f"def {name}(session, *, limit: int, dry_run: bool) -> int:",
                     f'    """Step {number} of the {domain} maintenance run."""',
                     "    changed = 0"]
            if repo:
                lines += [f"    repo = {repo[1]}(session)", "    for row in repo.list(limit=limit):",
                          "        if row.is_active and not dry_run:",
                          "            changed += 1"]
            else:
                lines += ["    for position in range(limit):", "        changed += position % 2"]
            lines += ["    if dry_run:", f"        print(f'[dry-run] {name}: would change {{changed}} rows')",
                      "    return changed"]
            return lines

        body = self.fill(self.target_lines() - 25, unit, start=20)
        body += ["", "", "def parse_args(argv: list[str]) -> argparse.Namespace:",
                 "    parser = argparse.ArgumentParser(description=__doc__)",
                 "    parser.add_argument('--dry-run', action='store_true', help='report without writing')",
                 "    parser.add_argument('--limit', type=int, default=500)",
                 f"    parser.add_argument('--only', choices={[s.split('_')[1] for s in steps]!r}, nargs='*')",
                 "    return parser.parse_args(argv)", "", "",
                 "def main(argv: list[str] | None = None) -> int:",
                 "    args = parse_args(sys.argv[1:] if argv is None else argv)",
                 f"    steps = [{', '.join(steps)}]",
                 "    total = 0",
                 "    with SessionLocal() as session:",
                 "        for number, step in enumerate(steps):",
                 "            if args.only and str(number) not in args.only:",
                 "                continue",
                 "            total += step(session, limit=args.limit, dry_run=args.dry_run)",
                 "        if not args.dry_run:",
                 "            session.commit()",
                 "    print(f'{total} rows changed')",
                 "    return 0", "", "",
                 "if __name__ == '__main__':",
                 "    sys.exit(main())"]
        self.add(path, "script", f"Maintenance script: rebuild {domain} aggregates.\n\nUsage: python -m {module} "
                 "[--dry-run] [--limit N]\n", imports, body)

    def constants_module(self, path: str, domain: str) -> None:
        module = module_of(path)
        imports = Imports(module)
        imports.add("typing", "Final")
        body = [""]
        target = self.target_lines()
        number = 0
        while len(body) < target:
            roll = self.rng.random()
            name = f"{domain.upper()}_{self.pick(WORDS).upper()}_{number}"
            number += 1
            if roll < 0.5:
                value = self.pick([str(self.rng.randint(0, 10**6)), repr(self.pick(WORDS)),
                                   f"{self.rng.random() * 100:.3f}", "True", "None"])
                body.append(f"{name}: Final = {value}")
            elif roll < 0.7:
                body += ["", f"# {self.pick(WORDS)} limits agreed with the {self.pick(VENDORS)} team",
                         f"{name} = frozenset({{{', '.join(repr(w) for w in self.rng.sample(WORDS, 4))}}})"]
            elif roll < 0.9:
                body += ["", f"{name} = {{",
                         *[f"    {w!r}: {self.rng.randint(0, 500)}," for w in self.rng.sample(WORDS, self.rng.randint(3, 8))],
                         "}"]
            else:
                body += ["", f"{name} = (", *[f"    {w!r}," for w in self.rng.sample(WORDS, 5)], ")"]
            self.reg.constants.append((module, name))
        self.add(path, "constants", f"Constants for {domain}.", imports, body)

    def task_module(self, path: str, domain: str) -> None:
        module = module_of(path)
        imports = Imports(module)
        imports.plain.add("asyncio")
        imports.plain.add("logging")
        client = self.pick(self.reg.clients) if self.reg.clients else None
        if client:
            imports.add(*client)
        counter = iter(range(100))

        def unit() -> list[str]:
            number = next(counter)
            resource = self.pick(ENTITIES)
            lines = [f"async def sync_{resource}s_{number}(ids: list[str], *, concurrency: int = 4) -> dict[str, int]:",
                     f'    """Refresh {resource}s from upstream; returns counts per outcome."""',
                     "    outcome = {'ok': 0, 'failed': 0}",
                     "    queue: asyncio.Queue[str] = asyncio.Queue()",
                     "    for item in ids:", "        queue.put_nowait(item)", "",
                     "    async def worker() -> None:",
                     "        while not queue.empty():",
                     "            item = await queue.get()",
                     "            try:"]
            if client:
                lines += [f"                await asyncio.to_thread({client[1]}().get_{resource}, item)"
                          if self.rng.random() < 0.5 else "                await asyncio.sleep(0)"]
            else:
                lines += ["                await asyncio.sleep(0)"]
            lines += ["            except Exception:  # noqa: BLE001 - logged and counted",
                      "                logging.getLogger(__name__).exception('sync failed for %s', item)",
                      "                outcome['failed'] += 1",
                      "            else:", "                outcome['ok'] += 1",
                      "            finally:", "                queue.task_done()", "",
                      "    await asyncio.gather(*(worker() for _ in range(concurrency)))",
                      "    return outcome"]
            return lines

        body = self.fill(self.target_lines(), unit, start=10)
        self.add(path, "task", f"Background jobs for {domain}.", imports, body)

    # --- DI modules ------------------------------------------------------------------------------------

    def core_modules(self) -> None:
        """Settings, database, security and shared dependencies; everything else builds on these."""
        self.init("bigapp", "Synthetic FastAPI application for benchmarks.")
        self.init("bigapp/core", "Settings, database and security shared by every domain.")
        self.files["bigapp/core/config.py"] = '''"""Application settings, read once from the environment."""

import os
from dataclasses import dataclass, field
from functools import lru_cache


@dataclass(frozen=True)
class Settings:
    """Everything configurable; defaults suit local development."""

    database_url: str = "sqlite:///./bigapp.db"
    secret_key: str = "change-me"
    token_ttl_seconds: int = 3600
    allowed_origins: tuple[str, ...] = ("http://localhost:3000",)
    feature_flags: dict[str, bool] = field(default_factory=dict)

    @classmethod
    def from_env(cls) -> "Settings":
        flags = {
            name[len("FLAG_"):].lower(): value == "1"
            for name, value in os.environ.items()
            if name.startswith("FLAG_")
        }
        return cls(
            database_url=os.environ.get("DATABASE_URL", cls.database_url),
            secret_key=os.environ.get("SECRET_KEY", cls.secret_key),
            token_ttl_seconds=int(os.environ.get("TOKEN_TTL", cls.token_ttl_seconds)),
            feature_flags=flags,
        )


@lru_cache
def load_settings() -> Settings:
    return Settings.from_env()
'''
        self.kinds["bigapp/core/config.py"] = "config"
        self.files["bigapp/core/db.py"] = '''"""SQLAlchemy engine, session factory and declarative base."""

from sqlalchemy import create_engine
from sqlalchemy.orm import DeclarativeBase, sessionmaker

from bigapp.core.config import load_settings


class Base(DeclarativeBase):
    """Base class of every model."""


engine = create_engine(load_settings().database_url, pool_pre_ping=True)
SessionLocal = sessionmaker(bind=engine, autoflush=False, expire_on_commit=False)
'''
        self.kinds["bigapp/core/db.py"] = "db"
        self.files["bigapp/core/deps.py"] = '''"""Dependencies every router uses: database sessions, settings, pagination."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Query
from sqlalchemy.orm import Session

from bigapp.core.config import Settings, load_settings
from bigapp.core.db import SessionLocal


def get_settings() -> Settings:
    return load_settings()


def get_db() -> Iterator[Session]:
    """One session per request, committed on success and rolled back on error."""
    session = SessionLocal()
    try:
        yield session
        session.commit()
    except Exception:
        session.rollback()
        raise
    finally:
        session.close()


class Pagination:
    """`?offset=&limit=` on list endpoints."""

    def __init__(self, offset: int = Query(0, ge=0), limit: int = Query(50, ge=1, le=500)) -> None:
        self.offset = offset
        self.limit = limit


DbSession = Annotated[Session, Depends(get_db)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
PageDep = Annotated[Pagination, Depends()]
'''
        self.kinds["bigapp/core/deps.py"] = "providers"
        self.files["bigapp/core/security.py"] = '''"""Authentication: bearer tokens with OAuth2 scopes."""

from typing import Annotated

from fastapi import Depends, HTTPException, Security, status
from fastapi.security import OAuth2PasswordBearer, SecurityScopes

from bigapp.core.deps import SettingsDep

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", scopes={"read": "Read", "write": "Write"})


def decode_token(token: str, secret: str) -> dict:
    parts = token.split(".")
    if len(parts) != 3 or not secret:
        raise ValueError("malformed token")
    return {"sub": parts[1], "scopes": parts[2].split(",")}


async def get_current_user(
    security_scopes: SecurityScopes,
    token: Annotated[str, Depends(oauth2_scheme)],
    settings: SettingsDep,
) -> dict:
    try:
        payload = decode_token(token, settings.secret_key)
    except ValueError:
        raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail="invalid token") from None
    missing = [scope for scope in security_scopes.scopes if scope not in payload["scopes"]]
    if missing:
        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail=f"missing scopes: {missing}")
    return payload


def get_current_active_user(user: Annotated[dict, Security(get_current_user, scopes=["read"])]) -> dict:
    if user.get("disabled"):
        raise HTTPException(status_code=400, detail="inactive user")
    return user


CurrentUser = Annotated[dict, Depends(get_current_active_user)]
'''
        self.kinds["bigapp/core/security.py"] = "providers"
        self.reg.providers += [("bigapp.core.deps", "get_db"), ("bigapp.core.deps", "get_settings"),
                               ("bigapp.core.security", "get_current_active_user")]
        self.reg.aliases += [("bigapp.core.deps", "DbSession"), ("bigapp.core.deps", "SettingsDep"),
                             ("bigapp.core.deps", "PageDep"), ("bigapp.core.security", "CurrentUser")]

    def deps_module(self, path: str, domain: str) -> None:
        """A domain's dependency providers: repositories from the session, clients with cleanup, factories."""
        module = module_of(path)
        imports = Imports(module)
        imports.add("typing", "Annotated")
        imports.add("fastapi", "Depends", "HTTPException", "Header")
        imports.add("bigapp.core.deps", "get_db", "DbSession")
        imports.add("sqlalchemy.orm", "Session")
        body: list[str] = []
        repos = [r for r in self.reg.repos if r[0].startswith(f"bigapp.repositories.{domain}")] or self.reg.repos[-5:]
        made: list[str] = []
        for repo_module, repo in repos[:self.rng.randint(2, 6)]:
            imports.add(repo_module, repo)
            stem = re.sub(r"Repository\d*$", "", repo)
            name = f"get_{stem.lower()}_repository"
            if name in made:
                continue
            if self.rng.random() < 0.5:
                body += ["", "", f"def {name}(session: Session = Depends(get_db)) -> {repo}:",
                         f"    return {repo}(session)"]
            else:
                body += ["", "", f"def {name}(session: DbSession) -> {repo}:", f"    return {repo}(session)"]
            alias = f"{stem}Repo"
            body += ["", "", f"{alias} = Annotated[{repo}, Depends({name})]"]
            made.append(name)
            self.reg.providers.append((module, name))
            self.reg.aliases.append((module, alias))
        if self.reg.clients:
            client_module, client = self.pick(self.reg.clients)
            imports.add(client_module, client)
            imports.add("collections.abc", "Iterator")
            imports.add("bigapp.core.deps", "SettingsDep")
            name = f"get_{client.lower()}"
            body += ["", "", f"def {name}(settings: SettingsDep) -> Iterator[{client}]:",
                     f'    """A {client} for the request, closed afterwards."""',
                     f"    client = {client}(token=settings.secret_key)", "    try:", "        yield client",
                     "    finally:", "        client.close()"]
            self.reg.providers.append((module, name))
        if self.rng.random() < 0.7:
            imports.add("fastapi", "Security")
            imports.add("bigapp.core.security", "get_current_user")
            name = f"require_{domain}_scope"
            body += ["", "", f"def {name}(scope: str):",
                     f'    """A dependency that requires ``{domain}:<scope>``."""', "",
                     f"    def checker(user: Annotated[dict, Security(get_current_user, scopes=[f'{domain}:{{scope}}'])]) -> dict:",
                     "        if user.get('tenant') is None:",
                     "            raise HTTPException(status_code=403, detail='no tenant')",
                     "        return user", "", "    return checker"]
            self.reg.factories.append((module, name))
        name = f"verify_{domain}_request"
        body += ["", "", f"async def {name}(x_request_id: Annotated[str | None, Header()] = None) -> None:",
                 "    if x_request_id is not None and len(x_request_id) > 128:",
                 "        raise HTTPException(status_code=400, detail='request id too long')"]
        self.reg.providers.append((module, name))
        if made and self.rng.random() < 0.5:
            name = f"get_{domain}_context"
            first = made[0]
            body += ["", "", f"async def {name}(",
                     f"    repo=Depends({first}),",
                     "    x_tenant: Annotated[str, Header()] = 'default',",
                     ") -> dict:", "    return {'tenant': x_tenant, 'repo': repo}"]
            self.reg.providers.append((module, name))
        self.add(path, "providers", f"Dependencies of the {domain} endpoints.", imports, body)

    def di_service_module(self, path: str, domain: str) -> None:
        """A service class whose constructor FastAPI fills, plus methods over models and schemas."""
        module = module_of(path)
        imports = Imports(module)
        imports.add("typing", "Annotated")
        imports.add("fastapi", "Depends", "HTTPException")
        cls = camel(domain, self.pick(["service", "manager", "coordinator", "workflow"]))
        domain_aliases = [a for a in self.reg.aliases if a[0].startswith(f"bigapp.api.v1.{domain}")]
        params = []
        for alias_module, alias in (domain_aliases[:2] or [self.pick(self.reg.aliases)]):
            imports.add(alias_module, alias)
            params.append(f"{alias.lower()}: {alias}")
        provider_module, provider = self.pick(self.reg.providers[-20:])
        imports.add(provider_module, provider)
        params.append(f"extra=Depends({provider})")
        if self.reg.services and self.rng.random() < 0.4:
            other_module, other = self.pick(self.reg.services[-10:])
            imports.add(other_module, other)
            params.append(f"{other.lower()}: Annotated[{other}, Depends()]")
        schemas = [s for s in self.reg.schemas if s[0].startswith(f"bigapp.schemas.{domain}")] or self.reg.schemas[-6:]
        models = [m for m in self.reg.models if m[0].startswith(f"bigapp.models.{domain}")] or self.reg.models[-6:]
        lines = ["", "", f"class {cls}:", f'    """Use cases of {domain}; one instance per request."""', "",
                 *signature("    def __init__", ["self", *ordered(params)], " -> None:")]
        lines += [f"        self.{p.split(':')[0].split('=')[0].strip()} = {p.split(':')[0].split('=')[0].strip()}"
                  for p in params]
        counter = iter(range(100))

        def unit() -> list[str]:
            number = next(counter)
            schema_module, schema = self.pick(schemas)
            model_module, model, fields = self.pick(models)
            imports.add(schema_module, schema)
            imports.add(model_module, model)
            column = fields[0][0]
            return [f"    def {self.pick(VERBS)}_{number}(self, payload: {schema}) -> dict:",
                    f'        """Apply a {schema} to the matching {model}."""',
                    "        data = payload.model_dump(exclude_unset=True)",
                    f"        row = {model}.from_payload(data) if hasattr({model}, 'from_payload') else None",
                    "        if row is None:",
                    f"            raise HTTPException(status_code=422, detail='cannot build {model}')",
                    f"        changes = {{key: value for key, value in data.items() if getattr(row, key, None) != value}}",
                    f"        return {{'id': row.id, '{column}': getattr(row, {column!r}, None), **changes}}"]

        body = lines + self.fill(self.target_lines() - len(lines), unit, start=10, gap=1)
        self.reg.services.append((module, cls))
        self.add(path, "service", f"{domain.capitalize()} service, injected into the endpoints.", imports, body)

    def routes_module(self, path: str, domain: str, entity: str) -> None:
        module = module_of(path)
        imports = Imports(module)
        imports.add("typing", "Annotated")
        imports.add("fastapi", "APIRouter", "Depends", "Query", "status")
        verify = next((p for p in reversed(self.reg.providers) if p[1] == f"verify_{domain}_request"), None)
        deps = f", dependencies=[Depends({verify[1]})]" if verify and self.rng.random() < 0.6 else ""
        if deps:
            imports.add(*verify)
        body = ["", "", f'router = APIRouter(prefix="/{entity}s", tags=["{domain}"]{deps})']
        schemas = [s for s in self.reg.schemas if s[0].startswith(f"bigapp.schemas.{domain}")] or self.reg.schemas[-6:]
        services = [s for s in self.reg.services if s[0].startswith(f"bigapp.services.{domain}")] or self.reg.services[-4:]
        domain_aliases = [a for a in self.reg.aliases if a[0].startswith(f"bigapp.api.v1.{domain}")] or self.reg.aliases
        factories = [f for f in self.reg.factories if f[0].startswith(f"bigapp.api.v1.{domain}")]
        counter = iter(range(100))

        def unit() -> list[str]:
            number = next(counter)
            method = self.pick(["get", "get", "get", "post", "put", "patch", "delete"])
            params = [f"{entity}_id: int"] if method != "post" else []
            if method in ("post", "put", "patch"):
                schema_module, schema = self.pick(schemas)
                imports.add(schema_module, schema)
                params.append(f"payload: {schema}")
            service_module, service = self.pick(services)
            imports.add(service_module, service)
            roll = self.rng.random()
            if roll < 0.5:
                params.append(f"service: Annotated[{service}, Depends()]")
            elif roll < 0.8:
                params.append(f"service: {service} = Depends()")
            else:
                params.append(f"service: {service} = Depends({service})")
            alias_module, alias = self.pick(domain_aliases)
            imports.add(alias_module, alias)
            params.append(f"ctx: {alias}")
            if factories and self.rng.random() < 0.5:
                imports.add(*factories[0])
                params.append(f"user: Annotated[dict, Depends({factories[0][1]}({method!r}))]")
            elif self.rng.random() < 0.4:
                imports.add("fastapi", "Security")
                imports.add("bigapp.core.security", "get_current_user")
                params.append(f"user=Security(get_current_user, scopes=['{domain}:{method}'])")
            if method == "get" and self.rng.random() < 0.5:
                params.append("verbose: bool = Query(False)")
            url = "" if method == "post" else f"/{{{entity}_id}}"
            if number and self.rng.random() < 0.5:
                url += f"/{self.pick(WORDS)}{number}"
            code = ", status_code=status.HTTP_201_CREATED" if method == "post" else ""
            name = f"{method}_{entity}_{number}"
            call = "payload" if "payload: " in " ".join(params) else "None"
            lines = [f'@router.{method}("{url}"{code})',
                     *signature(f"async def {name}", ordered(params), " -> dict:"),
                     f'    """{method.upper()} {url or "/"} on {entity}s."""']
            if call != "None":
                lines.append("    result = {'changed': payload.model_dump(exclude_unset=True)}")
            else:
                lines.append(f"    result = {{'id': {entity}_id}}")
            lines += ["    result['service'] = type(service).__name__",
                      "    if isinstance(ctx, dict):",
                      "        result.update({k: v for k, v in ctx.items() if not k.startswith('_')})",
                      "    return result"]
            return lines

        body += self.fill(self.target_lines(), unit, start=12)
        if self.rng.random() < 0.3:
            body += ["", "", "async def health() -> dict:", "    return {'ok': True}", "",
                     f'router.add_api_route("/health", health, methods=["GET"], include_in_schema=False)']
        self.add(path, "router", f"HTTP endpoints for {domain} {entity}s.", imports, body)

    def domain_router_module(self, path: str, domain: str, routes: list[str]) -> None:
        module = module_of(path)
        imports = Imports(module)
        imports.add("fastapi", "APIRouter")
        body = ["", "", f'router = APIRouter(prefix="/{domain}")', ""]
        for route_module in routes:
            alias = route_module.rsplit(".", 1)[1]
            imports.add(route_module.rsplit(".", 1)[0], alias)
            body.append(f"router.include_router({alias}.router)")
        self.reg.domain_routers.append((module, domain))
        self.add(path, "wiring", f"Every {domain} router under /{domain}.", imports, body)

    def test_module(self, path: str, domain: str) -> None:
        module = module_of(path)
        imports = Imports(module)
        imports.plain.add("pytest")
        imports.add("fastapi.testclient", "TestClient")
        imports.add("bigapp.main", "app")
        imports.add("bigapp.core.deps", "get_db")
        body = ["", "", "class FakeSession:", "    def __init__(self) -> None:", "        self.added = []", "",
                "    def add(self, row) -> None:", "        self.added.append(row)", "",
                "    def get(self, model, item_id):", "        return None", "", "",
                "@pytest.fixture", "def client():", "    app.dependency_overrides[get_db] = lambda: FakeSession()",
                "    try:", "        yield TestClient(app)", "    finally:", "        app.dependency_overrides.clear()"]
        for number in range(self.rng.randint(4, 12)):
            entity = self.pick(ENTITIES)
            body += ["", "", f"def test_{entity}_{number}(client):",
                     f"    response = client.get('/api/v1/{domain}/{entity}s/{number}')",
                     "    assert response.status_code in (200, 401, 404)"]
        self.add(path, "test", f"API tests for {domain}.", imports, body)

    # --- layout ----------------------------------------------------------------------------------------

    def domain(self, domain: str, number: int) -> None:
        rng = self.rng
        entities = rng.sample(ENTITIES, rng.randint(3, 6))
        # plain modules first, so DI modules can import them
        self.init(f"bigapp/models/{domain}", f"{domain.capitalize()} models.")
        for entity in entities:
            self.models_module(f"bigapp/models/{domain}/{entity}.py", domain, entity)
        self.init(f"bigapp/schemas/{domain}", "")
        for entity in entities:
            self.schemas_module(f"bigapp/schemas/{domain}/{entity}.py", domain, entity)
            if rng.random() < 0.25:
                self.schemas_module(f"bigapp/schemas/{domain}/{entity}_events.py", domain, entity)
        self.init(f"bigapp/repositories/{domain}", "")
        for entity in rng.sample(entities, rng.randint(1, min(3, len(entities)))):
            self.repo_module(f"bigapp/repositories/{domain}/{entity}_repository.py", domain, entity)
        for _ in range(rng.randint(1, 2)):
            area = UTIL_AREAS[(number + _) % len(UTIL_AREAS)]
            self.init(f"bigapp/utils/{area}", f"{area} utilities.")
            self.utils_module(f"bigapp/utils/{area}/{domain}_{self.pick(VERBS)}.py", area)
        if rng.random() < 0.4:
            self.init(f"bigapp/utils/{domain}", "")
            self.utils_module(f"bigapp/utils/{domain}/helpers.py", domain)
        vendor = VENDORS[number % len(VENDORS)]
        self.init(f"bigapp/clients/{vendor}", f"Client for {vendor}.")
        client_path = f"bigapp/clients/{vendor}/client.py" if number < len(VENDORS) else \
            f"bigapp/clients/{vendor}/client_{number // len(VENDORS)}.py"
        self.client_module(client_path, vendor)
        if rng.random() < 0.5:
            self.client_module(client_path.replace(".py", "_v2.py"), vendor)
        self.init(f"bigapp/services/{domain}", "")
        for _ in range(rng.randint(2, 4)):
            self.plain_service_module(f"bigapp/services/{domain}/{self.pick(['rules', 'pricing', 'export', 'mapping', 'calc', 'policy'])}_{_}.py", domain)
        self.init(f"bigapp/scripts/{domain}", "")
        for _ in range(rng.randint(1, 2)):
            self.script_module(f"bigapp/scripts/{domain}/{self.pick(['backfill', 'rebuild', 'cleanup', 'export'])}_{_}.py", domain)
        self.constants_module(f"bigapp/core/constants/{domain}.py", domain)
        self.init(f"bigapp/tasks/{domain}", "")
        for _ in range(rng.randint(1, 2)):
            self.task_module(f"bigapp/tasks/{domain}/sync_{_}.py", domain)

        # DI modules
        self.init(f"bigapp/api/v1/{domain}", f"{domain.capitalize()} API.")
        self.deps_module(f"bigapp/api/v1/{domain}/deps.py", domain)
        for _ in range(rng.randint(1, 2)):
            self.di_service_module(f"bigapp/services/{domain}/{domain}_service_{_}.py", domain)
        routes = []
        for entity in entities[: rng.randint(2, min(5, len(entities)))]:
            self.routes_module(f"bigapp/api/v1/{domain}/{entity}s.py", domain, entity)
            routes.append(f"bigapp.api.v1.{domain}.{entity}s")
        self.domain_router_module(f"bigapp/api/v1/{domain}/router.py", domain, routes)
        if rng.random() < 0.5:
            self.test_module(f"tests/api/test_{domain}.py", domain)

    def build(self, target_lines: int) -> None:
        self.core_modules()
        for folder, doc in [("bigapp/api", "HTTP layer."), ("bigapp/api/v1", "Version 1 of the API."),
                            ("bigapp/models", "SQLAlchemy models."), ("bigapp/schemas", "Pydantic schemas."),
                            ("bigapp/repositories", ""), ("bigapp/services", "Business logic."),
                            ("bigapp/utils", ""), ("bigapp/clients", "Clients of external services."),
                            ("bigapp/scripts", "Operational scripts."), ("bigapp/tasks", "Background jobs."),
                            ("bigapp/core/constants", "")]:
            self.init(folder, doc)
        number = 0
        while self.total_lines() < target_lines:
            base = DOMAINS[number % len(DOMAINS)]
            name = base if number < len(DOMAINS) else f"{base}{number // len(DOMAINS) + 1}"
            self.domain(name, number)
            number += 1
        # wiring: every domain router under /api/v1, and the app
        imports = Imports("bigapp.api.router")
        imports.add("fastapi", "APIRouter", "Depends")
        imports.add("bigapp.core.deps", "get_settings")
        body = ["", "", 'api_router = APIRouter(prefix="/v1", dependencies=[Depends(get_settings)])', ""]
        for position, (module, domain) in enumerate(self.reg.domain_routers):
            imports.add(module, f"router as {domain}_router")
            body.append(f"api_router.include_router({domain}_router)")
        self.add("bigapp/api/router.py", "wiring", "The versioned API: every domain router.", imports, body)
        if any(path.startswith("tests/") for path in self.files):
            self.files["tests/__init__.py"] = ""
            self.files["tests/api/__init__.py"] = ""
            self.kinds["tests/__init__.py"] = self.kinds["tests/api/__init__.py"] = "init"
        self.files["bigapp/main.py"] = '''"""The ASGI application: `uvicorn bigapp.main:app`."""

from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware

from bigapp.api.router import api_router
from bigapp.core.config import load_settings
from bigapp.core.deps import get_settings
from bigapp.core.db import engine


@asynccontextmanager
async def lifespan(app: FastAPI):
    yield
    engine.dispose()


def create_app() -> FastAPI:
    settings = load_settings()
    app = FastAPI(title="bigapp", lifespan=lifespan, dependencies=[Depends(get_settings)])
    app.add_middleware(CORSMiddleware, allow_origins=list(settings.allowed_origins), allow_methods=["*"])
    app.include_router(api_router, prefix="/api")

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict:
        return {"ok": True}

    return app


app = create_app()
'''
        self.kinds["bigapp/main.py"] = "app"

    def total_lines(self) -> int:
        return sum(source.count("\n") for source in self.files.values())


DI_KINDS = {"providers", "service", "router", "wiring", "test", "app"}


def generate(lines: int, seed: int, out: Path) -> dict:
    generator = Generator(seed)
    generator.build(lines)
    problems = []
    di = 0
    for relative, source in generator.files.items():
        try:
            ast.parse(source, filename=relative, feature_version=(3, 11))
        except SyntaxError as error:
            problems.append(f"{relative} does not parse: {error}")
        trips = trips_prefilter(source.encode())
        is_di = generator.kinds[relative] in DI_KINDS
        if trips != is_di:
            problems.append(f"{relative} ({generator.kinds[relative]}) {'trips' if trips else 'misses'} the prefilter")
        di += is_di
    if problems:
        raise SystemExit("generator bug:\n  " + "\n  ".join(problems[:20]))
    if out.exists():
        shutil.rmtree(out)
    for relative, source in generator.files.items():
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
    sizes = sorted(source.count("\n") for path, source in generator.files.items() if not path.endswith("__init__.py"))
    return {
        "files": len(generator.files),
        "lines": sum(source.count("\n") for source in generator.files.values()),
        "bytes": sum(len(source.encode()) for source in generator.files.values()),
        "di_modules": di,
        "routers": sum(1 for kind in generator.kinds.values() if kind == "router"),
        "endpoints": sum(source.count("@router.") for source in generator.files.values()),
        "median_module_lines": sizes[len(sizes) // 2] if sizes else 0,
        "seed": seed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=300_000, help="about this many lines (default 300000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / ".work" / "project")
    args = parser.parse_args()
    stats = generate(args.lines, args.seed, args.out)
    print(f"{stats['files']} files, {stats['lines']} lines, {stats['di_modules']} DI modules "
          f"({stats['di_modules'] / stats['files']:.0%}), {stats['routers']} routers, {stats['endpoints']} endpoints "
          f"-> {args.out}")


if __name__ == "__main__":
    sys.exit(main())
