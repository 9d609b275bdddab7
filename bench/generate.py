"""Write a synthetic FastAPI project that looks like a real one, for the benchmark.

About one module in five touches FastAPI dependency injection (routers with endpoints, providers, services
with injected constructors, wiring); the rest is the bulk of a real codebase: models, schemas, utilities,
HTTP clients, scripts and constants. Deterministic for a given seed. Every file is checked with `ast.parse`.

    python bench/generate.py --lines 300000 --out bench/.work/project
    python bench/generate.py --dense --lines 100000 --out bench/.work/dense   # only DI modules
"""

from __future__ import annotations

import argparse
import ast
import random
import shutil
from pathlib import Path

DOMAINS = [
    "billing", "orders", "catalog", "users", "inventory", "shipping", "payments", "reviews", "search", "reports",
    "notifications", "accounts", "teams", "projects", "tickets", "audits", "coupons", "carts", "invoices", "media",
]
WORDS = ["amount", "status", "title", "owner", "created", "updated", "region", "price", "count", "label", "score",
         "weight", "currency", "channel", "priority", "source", "target", "kind", "note", "slug"]
TYPES = ["int", "str", "float", "bool"]


class Generator:
    def __init__(self, seed: int, dense: bool = False) -> None:
        self.rng = random.Random(seed)
        self.dense = dense  # only the modules DI needs: routers, providers, services, containers, and models
        self.files: dict[str, str] = {}
        self.di_modules: set[str] = set()
        self.models: list[tuple[str, str]] = []  # (module, class) of plain model/service classes
        self.schemas: list[tuple[str, str]] = []
        self.providers: list[tuple[str, str]] = []  # (module, function)
        self.services: list[tuple[str, str]] = []  # (module, class) injected via Depends()
        self.routers: list[str] = []  # modules that define `router`

    # --- plain modules -------------------------------------------------------------------------------

    def fields(self, count: int) -> list[tuple[str, str]]:
        names = self.rng.sample(WORDS, k=min(count, len(WORDS)))
        return [(name, self.rng.choice(TYPES)) for name in names]

    def model_module(self, domain: str, index: int) -> str:
        lines = ['"""Persistence models for the {0} domain."""'.format(domain), "",
                 "from __future__ import annotations", "", "import dataclasses", "import datetime as dt",
                 "from typing import Any, Optional", ""]
        for number in range(self.rng.randint(6, 14)):
            name = f"{domain.title()}Record{index}x{number}"
            lines += ["", "@dataclasses.dataclass", f"class {name}:", f'    """A stored {domain} record."""', ""]
            for field, kind in self.fields(self.rng.randint(4, 9)):
                lines.append(f"    {field}: {kind}")
            lines += ["    meta: dict[str, Any] = dataclasses.field(default_factory=dict)", "",
                      "    def to_row(self) -> dict[str, Any]:",
                      "        row = dataclasses.asdict(self)",
                      "        row['exported_at'] = dt.datetime.now().isoformat()",
                      "        return {key: value for key, value in row.items() if value is not None}", "",
                      "    @classmethod",
                      f"    def from_row(cls, row: dict[str, Any]) -> Optional['{name}']:",
                      "        try:",
                      "            return cls(**{k: v for k, v in row.items() if k in cls.__dataclass_fields__})",
                      "        except TypeError as error:  # a column was renamed",
                      "            print(f'skipping row: {error}')",
                      "            return None"]
            self.models.append((None, name))
        return "\n".join(lines) + "\n"

    def schema_module(self, domain: str, index: int) -> str:
        lines = [f'"""Request and response shapes for {domain}."""', "", "from pydantic import BaseModel, Field", ""]
        for number in range(self.rng.randint(6, 12)):
            name = f"{domain.title()}Schema{index}x{number}"
            lines += ["", f"class {name}(BaseModel):", f'    """{domain} payload {number}."""', ""]
            for field, kind in self.fields(self.rng.randint(3, 8)):
                lines.append(f"    {field}: {kind} = Field(default=None, description='{field} of the {domain}')")
            lines += ["", "    def summary(self) -> str:",
                      "        parts = [f'{key}={value!r}' for key, value in self.model_dump().items()]",
                      "        return ', '.join(parts)"]
            self.schemas.append((None, name))
        return "\n".join(lines) + "\n"

    def util_module(self, domain: str, index: int) -> str:
        lines = [f'"""Helpers used across {domain}."""', "", "import functools", "import itertools",
                 "import logging", "import re", "", "logger = logging.getLogger(__name__)",
                 f"_PATTERN = re.compile(r'^[a-z]+-{index}-\\d+$')", ""]
        for number in range(self.rng.randint(8, 20)):
            name = f"{self.rng.choice(['normalize', 'compute', 'merge', 'split', 'score', 'render'])}_{domain}_{number}"
            lines += ["", f"def {name}(values: list[int], *, factor: float = 1.5) -> list[float]:",
                      f'    """{name.replace("_", " ")}."""',
                      "    result = []",
                      "    for left, right in itertools.pairwise(sorted(values)):",
                      "        if right - left > factor:",
                      "            result.append((right - left) * factor)",
                      "        elif left % 2:",
                      "            result.append(left / (right or 1))",
                      "        else:",
                      "            logger.debug('skipping %s %s', left, right)",
                      "    return [round(value, 3) for value in result if value]", "",
                      "", "@functools.lru_cache(maxsize=128)",
                      f"def cached_{name}(key: str) -> bool:",
                      "    def inner(text: str) -> bool:",
                      "        return bool(_PATTERN.match(text))",
                      "    return inner(key.lower())"]
        return "\n".join(lines) + "\n"

    def client_module(self, domain: str, index: int) -> str:
        cls = f"{domain.title()}Client{index}"
        lines = [f'"""HTTP client for the external {domain} service."""', "", "import json", "import time",
                 "import urllib.request", "", "", f"class {cls}:", f'    """Talks to the {domain} API."""', "",
                 "    def __init__(self, base_url: str, timeout: float = 5.0, retries: int = 3) -> None:",
                 "        self.base_url = base_url.rstrip('/')", "        self.timeout = timeout",
                 "        self.retries = retries", ""]
        for number in range(self.rng.randint(8, 18)):
            lines += [f"    def fetch_{number}(self, item_id: int) -> dict:",
                      f"        url = f'{{self.base_url}}/{domain}/{number}/{{item_id}}'",
                      "        for attempt in range(self.retries):",
                      "            try:",
                      "                with urllib.request.urlopen(url, timeout=self.timeout) as response:",
                      "                    return json.loads(response.read())",
                      "            except OSError:",
                      "                time.sleep(0.1 * 2 ** attempt)",
                      "        raise RuntimeError(f'gave up on {url}')", ""]
        self.models.append((None, cls))
        return "\n".join(lines) + "\n"

    def script_module(self, domain: str, index: int) -> str:
        lines = [f'"""Maintenance script: rebuild {domain} aggregates."""', "", "import argparse", "import sys", "",
                 "", "def parse_args(argv: list[str]) -> argparse.Namespace:",
                 "    parser = argparse.ArgumentParser(description=__doc__)",
                 "    parser.add_argument('--dry-run', action='store_true')",
                 "    parser.add_argument('--limit', type=int, default=100)",
                 "    return parser.parse_args(argv)", ""]
        for number in range(self.rng.randint(8, 16)):
            lines += ["", f"def step_{number}(limit: int, dry_run: bool) -> int:",
                      "    total = 0", "    for position in range(limit):",
                      "        total += position * 2 if position % 3 else -position",
                      "    if not dry_run:", f"        print('step {number}', total)", "    return total"]
        lines += ["", "", "def main(argv: list[str] | None = None) -> int:",
                  "    args = parse_args(argv if argv is not None else sys.argv[1:])",
                  "    return 0 if args.limit >= 0 else 1", "", "", "if __name__ == '__main__':",
                  "    raise SystemExit(main())"]
        return "\n".join(lines) + "\n"

    def constants_module(self, domain: str, index: int) -> str:
        lines = [f'"""Constants for {domain}."""', ""]
        for number in range(self.rng.randint(40, 120)):
            lines.append(f"{domain.upper()}_{self.rng.choice(WORDS).upper()}_{number} = {self.rng.randint(0, 999)}")
        lines += ["", f"ALL_{domain.upper()} = {{", *[f"    '{w}': {i}," for i, w in enumerate(WORDS)], "}"]
        return "\n".join(lines) + "\n"

    # --- DI modules ----------------------------------------------------------------------------------

    def provider_module(self, package: str, domain: str, index: int) -> str:
        module = f"{package}.providers{index}"
        earlier = [p for p in self.providers if p[0] != module][-6:]
        lines = [f'"""Dependencies for {domain}."""', "", "from typing import Annotated", "",
                 "from fastapi import Depends, Header, HTTPException", ""]
        for other_module, function in earlier[:3]:
            lines.insert(4, f"from {other_module} import {function}")
        made = []
        for number in range(self.rng.randint(5, 10)):
            name = f"get_{domain}_{index}_{number}"
            params = []
            if made and self.rng.random() < 0.6:
                params.append(f"dep: Annotated[dict, Depends({self.rng.choice(made)})]")
            elif earlier[:3] and self.rng.random() < 0.5:
                params.append(f"upstream=Depends({self.rng.choice(earlier[:3])[1]})")
            params.append("x_request_id: str = Header(default='')")
            if self.rng.random() < 0.4:
                lines += ["", f"def {name}({', '.join(params)}):", "    resource = {'id': x_request_id}",
                          "    try:", "        yield resource", "    finally:", "        resource.clear()"]
            else:
                lines += ["", f"async def {name}({', '.join(params)}) -> dict:",
                          "    if x_request_id == 'forbidden':",
                          "        raise HTTPException(status_code=403, detail='forbidden')",
                          "    return {'id': x_request_id}"]
            made.append(name)
        lines += ["", f"def require_{domain}_{index}(level: int):",
                  f"    def checker(value: Annotated[dict, Depends({made[0]})]) -> dict:",
                  "        if len(value) < level:", "            raise HTTPException(status_code=403)",
                  "        return value", "    return checker", "",
                  f"{domain.title()}Dep{index} = Annotated[dict, Depends({made[-1]})]"]
        for name in made:
            self.providers.append((module, name))
        self.aliases = getattr(self, "aliases", []) + [(module, f"{domain.title()}Dep{index}")]
        self.factories = getattr(self, "factories", []) + [(module, f"require_{domain}_{index}")]
        return "\n".join(lines) + "\n"

    def service_module(self, package: str, domain: str, index: int, models_module: str, model: str) -> str:
        module = f"{package}.service{index}"
        provider_module, provider = self.rng.choice(self.providers)
        cls = f"{domain.title()}Service{index}"
        lines = [f'"""Business logic for {domain}."""', "", "from fastapi import Depends", "",
                 f"from {provider_module} import {provider}", f"from {models_module} import {model}", "", "",
                 f"class {cls}:", f'    """Coordinates {domain} operations."""', "",
                 f"    def __init__(self, resource: dict = Depends({provider})) -> None:",
                 "        self.resource = resource", ""]
        for number in range(self.rng.randint(8, 16)):
            lines += [f"    def operation_{number}(self, payload: dict) -> dict:",
                      "        merged = {**self.resource, **payload}",
                      f"        record = {model}.from_row(merged)",
                      "        return record.to_row() if record else merged", ""]
        self.services.append((module, cls))
        return "\n".join(lines) + "\n"

    def router_module(self, package: str, domain: str, index: int, schema_module: str, schema: str) -> str:
        module = f"{package}.routes{index}"
        provider_module, provider = self.rng.choice(self.providers)
        alias_module, alias = self.rng.choice(self.aliases)
        factory_module, factory = self.rng.choice(self.factories)
        service_module, service = self.rng.choice(self.services)
        lines = [f'"""HTTP endpoints for {domain}."""', "", "from typing import Annotated", "",
                 "from fastapi import APIRouter, Depends, Query", "",
                 f"from {provider_module} import {provider}", f"from {alias_module} import {alias}",
                 f"from {factory_module} import {factory}", f"from {service_module} import {service}",
                 f"from {schema_module} import {schema}", "",
                 f"router = APIRouter(prefix='/{domain}{index}', tags=['{domain}'], dependencies=[Depends({provider})])",
                 ""]
        for number in range(self.rng.randint(8, 16)):
            method = self.rng.choice(["get", "get", "post", "put", "delete"])
            body = f"payload: {schema}, " if method in ("post", "put") else ""
            lines += ["", f"@router.{method}('/items{number}/{{item_id}}')",
                      f"async def {method}_{domain}_{number}(item_id: int, {body}"
                      f"service: Annotated[{service}, Depends()], context: {alias},"
                      f" limit: int = Query(10), allowed=Depends({factory}({number % 3}))) -> dict:",
                      f'    """{method.upper()} one {domain} item."""',
                      "    result = service.operation_0({'item_id': item_id, 'limit': limit})",
                      "    result.update(context)",
                      "    for key in list(result):",
                      "        if key.startswith('_'):",
                      "            del result[key]",
                      "    return result"]
        self.routers.append(module)
        return "\n".join(lines) + "\n"

    def container_module(self, package: str, domain: str, index: int) -> str:
        """A container beside FastAPI's own DI, as many teams have one: dependency-injector providers in even
        parts, lagom bindings in odd ones, each resolved by a few endpoints."""
        module = f"{package}.containers{index}"
        title = domain.title()
        count = self.rng.randint(4, 8)
        lines = [f'"""{title} services wired by a container."""', "", "from typing import Protocol", "",
                 "from fastapi import APIRouter, Depends", ""]
        lines += ["", f"class {title}Store(Protocol):", "    def load(self, key: str) -> dict: ...", ""]
        for number in range(count):
            needs = f", upstream: {title}Part{number - 1}" if number else ", name: str = 'root'"
            lines += ["", f"class {title}Part{number}:", f"    def __init__(self{needs}) -> None:",
                      f"        self.upstream = {'upstream' if number else 'name'}", "",
                      "    def load(self, key: str) -> dict:", "        return {'key': key}", ""]
        last = f"{title}Part{count - 1}"
        if index % 2 == 0:
            lines[2:2] = ["from dependency_injector import containers, providers",
                          "from dependency_injector.wiring import Provide, inject"]
            lines += ["", f"class {title}Container{index}(containers.DeclarativeContainer):",
                      "    config = providers.Configuration()", f"    store = providers.Singleton({title}Part0)"]
            for number in range(1, count):
                lines.append(f"    part{number} = providers.Factory({title}Part{number}, "
                             f"upstream={'store' if number == 1 else f'part{number - 1}'})")
            resolve = f"Depends(Provide[{title}Container{index}.part{count - 1}])"
            decorator = ["@inject"]
        else:
            lines[2:2] = ["from lagom import Container", "from lagom.integrations.fast_api import FastApiIntegration"]
            lines += ["", "container = Container()", f"container[{title}Store] = {title}Part0", "",
                      "deps = FastApiIntegration(container)"]
            resolve = f"deps.depends({last})"
            decorator = []
        lines += ["", f"router = APIRouter(prefix='/{domain}{index}/wired')"]
        for number in range(self.rng.randint(2, 4)):
            lines += ["", f"@router.get('/part{number}')", *decorator,
                      f"def wired_{domain}_{number}(service: {last} = {resolve}) -> dict:",
                      f"    return service.load('{number}')"]
        self.routers.append(module)
        return "\n".join(lines) + "\n"

    # --- layout --------------------------------------------------------------------------------------

    def build(self, target_lines: int) -> None:
        total = 0
        self.files["bigapp/__init__.py"] = '"""Synthetic FastAPI application for benchmarks."""\n'
        number = 0
        while total < target_lines:
            domain = DOMAINS[number % len(DOMAINS)]
            package = f"bigapp.{domain}.part{number // len(DOMAINS)}"
            folder = package.replace(".", "/")
            self.files[f"bigapp/{domain}/__init__.py"] = ""
            self.files[f"{folder}/__init__.py"] = f'"""{domain} part {number // len(DOMAINS)}."""\n'
            plain = [
                ("models", self.model_module), ("schemas", self.schema_module), ("utils", self.util_module),
                ("client", self.client_module), ("script", self.script_module), ("constants", self.constants_module),
                ("models_extra", self.model_module), ("utils_extra", self.util_module),
            ]
            produced: dict[str, str] = {}
            if self.dense:  # every module declares routes, providers, services or containers (models stay: they
                plain = plain[:2]  # are what the DI modules import)
            for name, make in plain:
                produced[f"{folder}/{name}.py"] = make(domain, number)
            models_module = f"{package}.models"
            model = next(name for mod, name in reversed(self.models) if "Record" in name)
            schema = next(name for mod, name in reversed(self.schemas))
            produced[f"{folder}/providers{number}.py"] = self.provider_module(package, domain, number)
            produced[f"{folder}/service{number}.py"] = self.service_module(package, domain, number, models_module,
                                                                           model)
            produced[f"{folder}/routes{number}.py"] = self.router_module(package, domain, number,
                                                                         f"{package}.schemas", schema)
            produced[f"{folder}/containers{number}.py"] = self.container_module(package, domain, number)
            for module in ("providers", "service", "routes", "containers"):
                self.di_modules.add(f"{folder}/{module}{number}.py")
            for path, source in produced.items():
                self.files[path] = source
                total += source.count("\n")
            # 3 DI modules next to 8 plain ones and the package __init__: 3 more plain modules make about 1 in 5.
            for extra in range(0 if self.dense else 3):
                path = f"{folder}/helpers{extra}.py"
                self.files[path] = self.rng.choice([self.util_module, self.constants_module, self.script_module])(
                    domain, number * 10 + extra)
                total += self.files[path].count("\n")
            number += 1
        wiring = ['"""Application wiring: every router under /api."""', "", "from fastapi import APIRouter, FastAPI", ""]
        for position, module in enumerate(self.routers):
            wiring.append(f"from {module} import router as router_{position}")
        wiring += ["", "api = APIRouter(prefix='/api')"]
        wiring += [f"api.include_router(router_{position})" for position in range(len(self.routers))]
        wiring += ["", "", "def create_app() -> FastAPI:", "    app = FastAPI(title='bigapp')",
                   "    app.include_router(api)", "    return app", "", "", "app = create_app()"]
        self.files["bigapp/main.py"] = "\n".join(wiring) + "\n"
        self.di_modules.add("bigapp/main.py")


def generate(lines: int, seed: int, out: Path, dense: bool = False) -> dict:
    generator = Generator(seed, dense)
    generator.build(lines)
    if out.exists():
        shutil.rmtree(out)
    for relative, source in generator.files.items():
        try:
            ast.parse(source)
        except SyntaxError as error:
            raise SystemExit(f"generator bug: {relative} does not parse: {error}")
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
    return {
        "files": len(generator.files),
        "lines": sum(source.count("\n") for source in generator.files.values()),
        "di_modules": len(generator.di_modules),
        "routers": len(generator.routers),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=300_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / ".work" / "project")
    parser.add_argument("--dense", action="store_true", help="DI-dense: every module declares routes or providers")
    args = parser.parse_args()
    stats = generate(args.lines, args.seed, args.out, args.dense)
    print(f"{stats['files']} files, {stats['lines']} lines, {stats['di_modules']} DI modules, "
          f"{stats['routers']} routers -> {args.out}")


if __name__ == "__main__":
    main()
