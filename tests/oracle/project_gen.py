"""Hypothesis strategy for small multi-module FastAPI projects that import and run in real FastAPI.

A project is a package with provider modules (a random DAG of sync/async/generator providers spread over
modules, referenced by name, through `from . import mod` + attribute, or through `import pkg.mod as alias`),
an aliases module re-exported by the package `__init__`, injected classes, factories, a partial and a
callable instance, router modules with prefixes and router-level dependencies, optional nesting of routers
with include-level prefixes and dependencies, and an app (module-level or built by `create_app()`) with
optional app-level dependencies.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from hypothesis import strategies as st

_counter = itertools.count()


@dataclass
class Project:
    package: str
    files: dict[str, str]
    app_reference: str  # "pkg.main:app" or "pkg.main:create_app()"
    app_id: str


def _reference_styles(module: str, name: str, style: int, package: str) -> tuple[str, str]:
    """(import line, expression) referring to `module.name` in one of three ways."""
    short = module.rsplit(".", 1)[-1]
    if style == 0:
        return f"from .{short} import {name}", name
    if style == 1:
        return f"from . import {short}", f"{short}.{name}"
    return f"import {package}.{short} as {short}_alias", f"{short}_alias.{name}"


def _without_defaults_first(params: list[str]) -> list[str]:
    """Python wants parameters without a default before those with one."""
    return sorted(params, key=lambda param: bool(re.match(r"\w+=", param)) or " = " in param)


# `use_cache=False` (as a literal or through a module constant FastAPI reads the same way): a per-call node.
_CACHE_OPTIONS = st.sampled_from(["", "", ", use_cache=True", ", use_cache=False"])


@st.composite
def projects(draw) -> Project:
    package = f"oracle_pkg_{next(_counter)}_{draw(st.integers(0, 10**6))}"
    files: dict[str, str] = {}

    # --- providers: a DAG over modules -----------------------------------------------------------------
    module_count = draw(st.integers(1, 3))
    provider_count = draw(st.integers(2, 8))
    providers: list[tuple[str, str]] = []  # (module, name)
    module_lines: dict[str, list[str]] = {f"providers{m}": [] for m in range(module_count)}
    module_imports: dict[str, set[str]] = {f"providers{m}": set() for m in range(module_count)}
    for number in range(provider_count):
        module = f"providers{min(number * module_count // provider_count, module_count - 1)}"
        name = f"p{number}"
        params = []
        for dependency in sorted(set(draw(st.lists(st.integers(0, max(number - 1, 0)), max_size=2)))):
            if dependency >= number:
                continue
            dep_module, dep_name = providers[dependency]
            if dep_module == module:
                expression = dep_name
            else:
                line, expression = _reference_styles(f"{package}.{dep_module}", dep_name,
                                                     draw(st.integers(0, 2)), package)
                module_imports[module].add(line)
            options = draw(_CACHE_OPTIONS)
            if draw(st.booleans()):
                params.append(f"d{dependency}: Annotated[int, Depends({expression}{options})]")
            else:
                params.append(f"d{dependency}=Depends({expression}{options})")
        if draw(st.booleans()):
            params.append(f"q{number}: int = 0")
        kind = draw(st.sampled_from(["def", "async def", "generator", "async generator", "cached def"]))
        signature = ", ".join(_without_defaults_first(params))
        if kind == "def":
            body = [f"def {name}({signature}):", f"    return {number}"]
        elif kind == "cached def":  # FastAPI reads the parameters through __wrapped__; the value lives on
            body = ["@functools.lru_cache", f"def {name}({signature}):", f"    return {number}"]
        elif kind == "async def":
            body = [f"async def {name}({signature}):", f"    return {number}"]
        elif kind == "generator":
            body = [f"def {name}({signature}):", f"    yield {number}"]
        else:
            body = [f"async def {name}({signature}):", f"    yield {number}"]
        module_lines[module] += ["", ""] + body
        providers.append((module, name))
    for module, lines in module_lines.items():
        header = ["import functools", "from typing import Annotated", "from fastapi import Depends",
                  *sorted(module_imports[module])]
        files[f"{package}/{module}.py"] = "\n".join(header + lines) + "\n"

    def provider_expression(index: int, imports: set[str]) -> str:
        module, name = providers[index]
        line, expression = _reference_styles(f"{package}.{module}", name, draw(st.integers(0, 2)), package)
        imports.add(line)
        return expression

    # --- aliases, re-exported by the package -----------------------------------------------------------
    alias_imports: set[str] = set()
    aliases: list[str] = []
    alias_lines = []
    for index in sorted(set(draw(st.lists(st.integers(0, provider_count - 1), max_size=3)))):
        alias = f"Alias{index}"
        expression = provider_expression(index, alias_imports)
        if draw(st.booleans()):
            alias_lines.append(f"{alias} = Annotated[int, Depends({expression})]")
        else:
            alias_lines.append(f"{alias}: TypeAlias = Annotated[int, Depends({expression})]")
        aliases.append(alias)
    files[f"{package}/aliases.py"] = "\n".join(
        ["from typing import Annotated, TypeAlias", "from fastapi import Depends", *sorted(alias_imports), "",
         *alias_lines]) + "\n"
    files[f"{package}/__init__.py"] = "".join(f"from .aliases import {a} as {a}\n" for a in aliases)

    # --- classes, factories, partial, instance ---------------------------------------------------------
    extra_imports: set[str] = set()
    extra = ["", ""]
    classes = []
    for number in range(draw(st.integers(0, 2))):
        dependency = provider_expression(draw(st.integers(0, provider_count - 1)), extra_imports)
        extra += [f"class Service{number}:", f"    def __init__(self, value=Depends({dependency}), limit: int = 10):",
                  "        self.value = value", "", ""]
        classes.append(f"Service{number}")
    factory_dependency = provider_expression(draw(st.integers(0, provider_count - 1)), extra_imports)
    extra += ["def make_checker(tag: str, dependency=None):",
              f"    def checker(value=Depends(dependency or {factory_dependency})):",
              "        return tag", "    return checker", "", ""]
    partial_dependency = provider_expression(draw(st.integers(0, provider_count - 1)), extra_imports)
    extra += [f"def paged(size: int, value=Depends({partial_dependency})):", "    return size", "", ""]
    caller_dependency = provider_expression(draw(st.integers(0, provider_count - 1)), extra_imports)
    extra += ["class Caller:", f"    def __call__(self, value=Depends({caller_dependency})):", "        return value",
              "", "", "caller = Caller()"]
    files[f"{package}/extras.py"] = "\n".join(
        ["from functools import partial", "from fastapi import Depends", *sorted(extra_imports), *extra]) + "\n"

    # --- routers ----------------------------------------------------------------------------------------
    endpoint_number = itertools.count()
    router_modules = []
    for router_index in range(draw(st.integers(1, 3))):
        imports = {"from typing import Annotated", "from functools import partial",
                   "from fastapi import APIRouter, Depends, WebSocket",
                   f"from .extras import caller, make_checker, paged{''.join(', ' + c for c in classes)}"}
        future = draw(st.booleans())
        lines = []
        router_dependencies = []
        if draw(st.booleans()):
            router_dependencies.append(f"Depends({provider_expression(draw(st.integers(0, provider_count - 1)), imports)})")
        prefix = draw(st.sampled_from(["", f"/r{router_index}", f"/v{router_index}/items"]))
        lines.append(f"router = APIRouter(prefix={prefix!r}, dependencies=[{', '.join(router_dependencies)}])")
        for _ in range(draw(st.integers(1, 4))):
            number = next(endpoint_number)
            params = []
            for choice in draw(st.lists(st.integers(0, 9), max_size=4)):
                slot = f"x{len(params)}"
                if choice <= 2:
                    params.append(f"{slot}=Depends({provider_expression(draw(st.integers(0, provider_count - 1)), imports)}"
                                  f"{draw(_CACHE_OPTIONS)})")
                elif choice == 3 and aliases:
                    alias = draw(st.sampled_from(aliases))
                    if draw(st.booleans()):
                        imports.add(f"from {package} import {alias}")
                        params.append(f"{slot}: {alias}")
                    else:
                        imports.add(f"from . import aliases as alias_module")
                        params.append(f"{slot}: alias_module.{alias}")
                elif choice == 4 and classes:
                    cls = draw(st.sampled_from(classes))
                    params.append(f"{slot}: Annotated[{cls}, Depends()]" if draw(st.booleans())
                                  else f"{slot}={'Depends(' + cls + ')'}")
                elif choice == 5:
                    params.append(f"{slot}=Depends(make_checker('t{number}'))")
                elif choice == 6:
                    dependency = provider_expression(draw(st.integers(0, provider_count - 1)), imports)
                    params.append(f"{slot}=Depends(make_checker('u{number}', {dependency}))")
                elif choice == 7:
                    params.append(f"{slot}=Depends(partial(paged, {number}))")
                elif choice == 8:
                    params.append(f"{slot}=Depends(caller)")
                else:
                    params.append(f"{slot}: int = {number}")
            params = _without_defaults_first(params)
            decorator_dependencies = ""
            if draw(st.booleans()):
                decorator_dependencies = (
                    f", dependencies=[Depends({provider_expression(draw(st.integers(0, provider_count - 1)), imports)})]"
                )
            kind = draw(st.sampled_from(["get", "post", "put", "delete", "api_route", "websocket"]))
            path = f"/e{number}"
            if kind == "websocket":
                lines += ["", f"@router.websocket({path!r}{decorator_dependencies})",
                          f"async def endpoint{number}(websocket: WebSocket{''.join(', ' + p for p in params)}):",
                          "    await websocket.close()"]
            elif kind == "api_route":
                methods = draw(st.lists(st.sampled_from(["GET", "POST", "PATCH"]), min_size=1, max_size=2, unique=True))
                lines += ["", f"@router.api_route({path!r}, methods={methods!r}{decorator_dependencies})",
                          f"def endpoint{number}({', '.join(params)}):", "    return {}"]
            else:
                lines += ["", f"@router.{kind}({path!r}{decorator_dependencies})",
                          f"async def endpoint{number}({', '.join(params)}):", "    return {}"]
        header = (["from __future__ import annotations"] if future else []) + sorted(imports)
        files[f"{package}/routes{router_index}.py"] = "\n".join(header + [""] + lines) + "\n"
        router_modules.append(f"routes{router_index}")

    # --- the app ------------------------------------------------------------------------------------------
    main_imports = {"from fastapi import APIRouter, Depends, FastAPI"}
    app_dependencies = []
    if draw(st.booleans()):
        app_dependencies.append(f"Depends({provider_expression(draw(st.integers(0, provider_count - 1)), main_imports)})")
    include_lines = []
    nest = len(router_modules) > 1 and draw(st.booleans())
    for position, module in enumerate(router_modules):
        main_imports.add(f"from .{module} import router as router{position}")
    parent = "app"
    if nest:
        include_lines.append("parent = APIRouter(prefix='/parent')")
        for position in range(1, len(router_modules)):
            include_dependency = ""
            if draw(st.booleans()):
                expression = provider_expression(draw(st.integers(0, provider_count - 1)), main_imports)
                include_dependency = f", dependencies=[Depends({expression})]"
            prefix = draw(st.sampled_from(["", "/nested"]))
            include_lines.append(f"parent.include_router(router{position}, prefix={prefix!r}{include_dependency})")
        include_lines.append("APP.include_router(router0)")
        include_lines.append("APP.include_router(parent, prefix='/outer')")
    else:
        for position in range(len(router_modules)):
            include_dependency = ""
            if draw(st.booleans()):
                expression = provider_expression(draw(st.integers(0, provider_count - 1)), main_imports)
                include_dependency = f", dependencies=[Depends({expression})]"
            include_lines.append(f"APP.include_router(router{position}, prefix='/i{position}'{include_dependency})")
    factory = draw(st.booleans())
    if factory:
        body = [f"    app = FastAPI(dependencies=[{', '.join(app_dependencies)}])"]
        body += ["    " + line.replace("APP", "app") for line in include_lines if not line.startswith("parent")]
        parent_lines = [line for line in include_lines if line.startswith("parent")]
        body += ["", "    @app.get('/health')", "    def health():", "        return {}", "    return app"]
        lines = [*parent_lines, "", "", "def create_app():", *body]
        reference, app_id = f"{package}.main:create_app()", f"{package}.main.create_app.<locals>.app"
    else:
        lines = [f"app = FastAPI(dependencies=[{', '.join(app_dependencies)}])",
                 *[line.replace("APP", "app") for line in include_lines]]
        reference, app_id = f"{package}.main:app", f"{package}.main.app"
    files[f"{package}/main.py"] = "\n".join(sorted(main_imports) + ["", ""] + lines) + "\n"
    return Project(package, files, reference, app_id)
