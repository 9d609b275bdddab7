"""What counts as a project service class (shared by DI002 and DI008)."""

from __future__ import annotations

from ..analyzer.resolve import DATACLASS, PYDANTIC_MODEL, Ctx, DefSym, Resolver

# Bases that make a class a value, not a collaborator.
VALUE_BASES = PYDANTIC_MODEL | frozenset({
    "enum.Enum", "enum.IntEnum", "enum.StrEnum", "enum.Flag", "typing.NamedTuple", "typing.TypedDict",
    "builtins.Exception", "builtins.BaseException", "builtins.ValueError", "builtins.dict", "builtins.list",
    "builtins.tuple", "builtins.set", "builtins.str", "builtins.int",
})


def service_class(resolver: Resolver, sym) -> str | None:
    """`module.qualname` when `sym` is a class of the project with behaviour (a public method, its own or
    inherited; Protocols and ABCs included) that is not a dataclass, pydantic model, enum, named tuple,
    typed dict or exception: a collaborator rather than a value."""
    if not (isinstance(sym, DefSym) and sym.kind == "class"):
        return None
    facts = resolver.class_facts(sym)
    if facts is None or resolver.external_bases(sym) & VALUE_BASES:
        return None
    if resolver.decorator_names(facts.decorators, Ctx(sym.module, facts.scope)) & DATACLASS:
        return None
    methods = {method for _owner, cls in resolver.mro(sym)[0] for method in cls.methods}
    if any(not method.startswith("_") for method in methods):
        return f"{sym.module}.{sym.qualname}"
    return None
