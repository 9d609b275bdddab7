"""The container oracle's run-time side: what a real container or composition root builds. IMPORTS AND RUNS
the module under test, so it only ever runs as a child process (tests/oracle/test_container_oracle.py):

    python tests/oracle/container_runtime.py ROOT MODULE [TYPE_ID ...] [--all]

ROOT goes first on sys.path. While MODULE is imported, and while a lagom container resolves, every call of an
`__init__` defined by a class of MODULE is recorded as [class id, parameter name, id of type(argument)], one
record per parameter except the first (self) and except *args / **kwargs. Ids follow docs/graph-model.md
(`module.qualname`; an instance by the module variable that assigns it).

One JSON document on stdout:

    {"module": MODULE,
     "import": [records made while importing MODULE],                      # the composition root
     "requests": [[endpoint id, parameter or null, target id], ...],       # what each route of MODULE's
                                                                           # routers asks a container for
     "lagom": {container id: {"bindings": [[type id, implementation id or null], ...],
                              "resolved": [{"type": id, "built": id, "records": [...]}
                                           | {"type": id, "error": "ExceptionName: message"}, ...]}},
     "dependency_injector": {container class id: {provider id: {
         "lifetime": "factory" | "singleton" | "thread_safe_singleton" | "resource" | ...,
         "provides": id or null,
         "args": [provider id or null, ...], "arg_names": [parameter name or null, ...],
         "kwargs": {name: provider id or null}}}}}

or {"error": "..."} when MODULE cannot be imported. lagom resolves each TYPE_ID given (`module.qualname`)
with `container[T]`, and with --all also every class MODULE defines, in source order; an exception (lagom's
RecursiveDefinitionError on a cycle, UnresolvableType for a Protocol nothing binds) is reported, never
raised. A provider argument is named by identity among the container class's `providers` (null: not a
provider; "inline:<provides id>": a provider the container does not declare).
"""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import json
import re
import sys
import traceback


def type_id(value) -> str | None:
    """`module.qualname` of a class or function; None for anything else."""
    module, qualname = getattr(value, "__module__", None), getattr(value, "__qualname__", None)
    if module is None or qualname is None or not (inspect.isclass(value) or inspect.isroutine(value)):
        return None
    return f"{module}.{qualname}"


@functools.lru_cache(maxsize=None)
def _assigned_names(path: str) -> frozenset[str]:
    try:
        tree = ast.parse(open(path, encoding="utf-8").read())
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return frozenset()
    names = set()
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets = node.targets
        else:
            targets = [node.target] if isinstance(node, ast.AnnAssign) else []
        names.update(target.id for target in targets if isinstance(target, ast.Name))
    return frozenset(names)


def object_id(value, package: str) -> str | None:
    """A class or function by its definition; an instance by the project module variable assigning it."""
    named = type_id(value)
    if named is not None:
        return named
    for name, module in sorted(sys.modules.items()):
        if module is None or not (name == package or name.startswith(package + ".")):
            continue
        path = getattr(module, "__file__", None)
        for variable, held in vars(module).items():
            if held is value and path and variable in _assigned_names(path):
                return f"{name}.{variable}"
    return None


class InitTracer:
    """Records the arguments of every `__init__` that a class of `module` defines (sys.setprofile)."""

    def __init__(self, module: str) -> None:
        self.module = module
        self.records: list[list[str]] = []

    def __call__(self, frame, event, arg) -> None:
        if event != "call" or frame.f_code.co_name != "__init__":
            return
        code = frame.f_code
        if code.co_argcount == 0 or frame.f_globals.get("__name__") != self.module:
            return
        names = code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]
        values = frame.f_locals
        owner = self._owner(values.get(names[0]), code)
        if owner is None:
            return
        for name in names[1:]:
            value = values[name]
            self.records.append([owner, name, f"{type(value).__module__}.{type(value).__qualname__}"])

    def _owner(self, instance, code) -> str | None:
        for cls in type(instance).__mro__:
            init = cls.__dict__.get("__init__")
            if getattr(init, "__code__", None) is code:
                return f"{cls.__module__}.{cls.__qualname__}" if cls.__module__ == self.module else None
        return None

    def run(self, action):
        """Call `action()` traced; returns (result, records made, exception or None)."""
        start = len(self.records)
        sys.setprofile(self)
        try:
            result, error = action(), None
        except Exception as exc:  # lagom wraps the RecursionError of a cycle in RecursiveDefinitionError
            result, error = None, exc
        finally:
            lost = sys.getprofile() is not self  # a RecursionError inside the tracer unsets it
            sys.setprofile(None)
        if lost and error is None:
            raise RuntimeError("the __init__ tracer was unset during a run that succeeded: records are incomplete")
        return result, self.records[start:], error


def _error(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _module_classes(module) -> list[type]:
    found = [value for value in vars(module).values()
             if inspect.isclass(value) and value.__module__ == module.__name__]
    return sorted(found, key=lambda cls: inspect.getsourcelines(cls)[1])


def _lookup(dotted: str):
    """The object a `module.qualname` id names (the longest imported module prefix, then attributes)."""
    parts = dotted.split(".")
    for end in range(len(parts) - 1, 0, -1):
        module = sys.modules.get(".".join(parts[:end]))
        if module is not None:
            value = module
            for part in parts[end:]:
                value = getattr(value, part)
            return value
    raise LookupError(f"no imported module holds {dotted}")


# --- lagom -------------------------------------------------------------------------------------------------

def _lagom_bindings(container, module: str) -> list[list]:
    """Each type MODULE defines that the container binds, with what the binding builds (without building it
    where the definition says: an alias names its class, an instance its type)."""
    from lagom.definitions import Alias, PlainInstance

    bindings = []
    for bound in container.defined_types:
        if not inspect.isclass(bound) or bound.__module__ != module:
            continue  # lagom also defines Optional[I] for every I, and its own ContainerDebugInfo
        definition = container.get_definition(bound)
        if isinstance(definition, Alias):
            target = type_id(definition.alias_type)
        elif isinstance(definition, PlainInstance):
            target = type_id(type(definition.value))
        else:
            try:
                target = type_id(type(container[bound]))
            except Exception:
                target = None
        bindings.append([type_id(bound), target])
    return sorted(bindings)


def _lagom(container, module, wanted: list[str], tracer: InitTracer) -> dict:
    resolved = []
    for wanted_id in wanted:
        cls = _lookup(wanted_id)
        built, records, error = tracer.run(lambda: container[cls])
        if error is not None:
            resolved.append({"type": wanted_id, "error": _error(error)})
        else:
            resolved.append({"type": wanted_id, "built": type_id(type(built)), "records": records})
    return {"bindings": _lagom_bindings(container, module.__name__), "resolved": resolved}


def _lagom_request(call) -> type | None:
    """The type `FastApiIntegration.depends(T)` resolves: FastAPI calls lagom's `_resolver` closure over T."""
    if getattr(call, "__module__", "") != "lagom.integrations.fast_api":
        return None
    code = getattr(call, "__code__", None)
    if code is None or "dep_type" not in code.co_freevars:
        return None
    return call.__closure__[code.co_freevars.index("dep_type")].cell_contents


# --- dependency-injector -----------------------------------------------------------------------------------

def _provider_ref(value, names: dict[int, str], package: str):
    from dependency_injector import providers

    if not isinstance(value, providers.Provider):
        return None
    if id(value) in names:
        return names[id(value)]
    return f"inline:{object_id(getattr(value, 'provides', None), package)}"


def _positional_names(target, count: int) -> list[str | None]:
    try:
        parameters = [p for p in inspect.signature(target).parameters.values()
                      if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        parameters = []
    return [parameters[i].name if i < len(parameters) else None for i in range(count)]


def _dependency_injector(container_cls, package: str) -> dict:
    from dependency_injector import providers

    container_id = type_id(container_cls)
    declared = {name: provider for name, provider in container_cls.providers.items()
                if not isinstance(provider, providers.Self)}  # `__self__`: the container itself
    names = {id(provider): f"{container_id}.{name}" for name, provider in declared.items()}
    report = {}
    for name, provider in declared.items():
        provides = getattr(provider, "provides", None)
        args = list(getattr(provider, "args", ()))
        kwargs = dict(getattr(provider, "kwargs", {}))
        report[f"{container_id}.{name}"] = {
            "lifetime": _snake(type(provider).__name__),
            "provides": object_id(provides, package) if provides is not None else None,
            "args": [_provider_ref(arg, names, package) for arg in args],
            "arg_names": _positional_names(provides, len(args)) if args else [],
            "kwargs": {key: _provider_ref(value, names, package) for key, value in sorted(kwargs.items())},
        }
    return report


def _injector_request(call, containers: list[type], package: str) -> str | None:
    """The provider a `Provide[Container.x]` marker names (FastAPI calls the marker; @inject swaps it)."""
    try:
        from dependency_injector.wiring import _Marker
    except ImportError:
        return None
    if not isinstance(call, _Marker):
        return None
    for container_cls in containers:
        for name, provider in container_cls.providers.items():
            if provider is call.provider:
                return f"{type_id(container_cls)}.{name}"
    return f"inline:{object_id(getattr(call.provider, 'provides', None), package)}"


# --- routes ------------------------------------------------------------------------------------------------

def _requests(module, injector_containers: list[type], package: str) -> list[list]:
    """[endpoint, parameter, target] for each dependency of MODULE's routes that asks a container."""
    from fastapi.routing import APIRouter

    found = []
    for router in vars(module).values():
        if not isinstance(router, APIRouter):
            continue
        for route in router.routes:
            dependant = getattr(route, "dependant", None)
            if dependant is None:
                continue
            endpoint = type_id(inspect.unwrap(route.endpoint))
            for sub in dependant.dependencies:
                lagom_type = _lagom_request(sub.call)
                target = (type_id(lagom_type) if lagom_type is not None
                          else _injector_request(sub.call, injector_containers, package))
                if target is not None:
                    found.append([endpoint, sub.name, target])
    return sorted(found, key=lambda item: (item[0], item[1] or "", item[2]))


def container_document(root: str, module_name: str, wanted: list[str], every_class: bool) -> dict:
    sys.path.insert(0, root)
    package = module_name.partition(".")[0]
    tracer = InitTracer(module_name)
    module, imported, error = tracer.run(lambda: importlib.import_module(module_name))
    if error is not None:
        return {"error": _error(error), "traceback": "".join(traceback.format_exception(error))}
    document = {"module": module_name, "import": imported, "requests": [], "lagom": {}, "dependency_injector": {}}
    classes = _module_classes(module)
    injector_containers = []
    try:
        from dependency_injector.containers import DeclarativeContainer
    except ImportError:
        DeclarativeContainer = None
    if DeclarativeContainer is not None:
        injector_containers = [cls for cls in classes if issubclass(cls, DeclarativeContainer)]
        for container_cls in injector_containers:
            document["dependency_injector"][type_id(container_cls)] = _dependency_injector(container_cls, package)
    try:
        from lagom import Container as LagomContainer
    except ImportError:
        LagomContainer = None
    if LagomContainer is not None:
        asked = list(wanted)
        if every_class:
            asked += [type_id(cls) for cls in classes if type_id(cls) not in asked]
        for variable, value in vars(module).items():
            if isinstance(value, LagomContainer):
                document["lagom"][f"{module_name}.{variable}"] = _lagom(value, module, asked, tracer)
    document["requests"] = _requests(module, injector_containers, package)
    return document


def main(argv: list[str]) -> None:
    every_class = "--all" in argv
    root, module_name, *wanted = [arg for arg in argv if arg != "--all"]
    print(json.dumps(container_document(root, module_name, wanted, every_class)))


if __name__ == "__main__":
    main(sys.argv[1:])
