"""Rule, Finding and the registry. Rules receive the ProjectIndex and return findings; they never print."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import ClassVar

from ..analyzer.models import Location
from ..analyzer.project import ProjectIndex

SEVERITIES = ("error", "warning")


@dataclass(frozen=True, slots=True)
class Related:
    location: Location
    message: str


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    name: str
    severity: str
    message: str
    location: Location
    related: tuple[Related, ...] = ()
    fix: str | None = None  # the help line: how to fix it by hand
    # whether `check --fix` rewrites it: "safe", "unsafe" (with --unsafe-fixes), None (by hand only)
    fixable: str | None = None

    def sort_key(self) -> tuple:
        return (self.location.path, self.location.line, self.location.column, self.code, self.message)


@dataclass(frozen=True, slots=True)
class Valid:
    """A snippet the rule must leave alone. `files` maps path -> source; a plain string is `app.py`."""

    files: str | dict[str, str]


@dataclass(frozen=True, slots=True)
class Invalid:
    """A snippet the rule must flag exactly once per expected (path, line)."""

    files: str | dict[str, str]
    lines: tuple[tuple[str, int], ...] | int

    def expected(self) -> list[tuple[str, int]]:
        if isinstance(self.lines, int):
            return [("app.py", self.lines)]
        return sorted(self.lines)


@dataclass(frozen=True, slots=True)
class Option:
    name: str
    default: object
    help: str


class Rule:
    """One rule: its documentation, options and examples live with its check."""

    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[str] = "error"
    summary: ClassVar[str]
    explanation: ClassVar[str]  # What it does / Why is this bad? / Example / Use instead / References
    options: ClassVar[tuple[Option, ...]] = ()
    valid: ClassVar[tuple[Valid, ...]] = ()
    invalid: ClassVar[tuple[Invalid, ...]] = ()

    def __init__(self, settings: dict[str, object] | None = None) -> None:
        values = {option.name: option.default for option in self.options}
        values.update(settings or {})
        self.settings = values

    def check(self, index: ProjectIndex) -> Iterable[Finding]:
        raise NotImplementedError

    def finding(self, message: str, location: Location, related: Iterable[Related] = (), fix: str | None = None
                ) -> Finding:
        return Finding(self.code, self.name, self.severity, message, location, tuple(related), fix)


_REGISTRY: dict[str, type[Rule]] = {}


def register(rule: type[Rule]) -> type[Rule]:
    if rule.code in _REGISTRY:
        raise ValueError(f"duplicate rule code {rule.code}")
    if rule.severity not in SEVERITIES:
        raise ValueError(f"{rule.code}: unknown severity {rule.severity}")
    _REGISTRY[rule.code] = rule
    return rule


def all_rules() -> list[type[Rule]]:
    """Every registered rule, by code."""
    from . import catalogue  # noqa: F401  (imports every rule module, which registers it)

    return [_REGISTRY[code] for code in sorted(_REGISTRY)]


def rule_by_code(code: str) -> type[Rule] | None:
    all_rules()
    return _REGISTRY.get(code.upper())


def run_rules(index: ProjectIndex, rules: Iterable[Rule]) -> list[Finding]:
    """All findings of `rules` on `index`, sorted by path, line, column, code."""
    findings: list[Finding] = []
    for rule in rules:
        findings.extend(rule.check(index))
    return sorted(set(findings), key=Finding.sort_key)


def iter_examples() -> Iterator[tuple[str, type[Rule], Valid | Invalid]]:
    """(id like `DI003-invalid-2`, rule, example) for every snippet of every rule."""
    for rule in all_rules():
        for number, example in enumerate(rule.valid, 1):
            yield f"{rule.code}-valid-{number}", rule, example
        for number, example in enumerate(rule.invalid, 1):
            yield f"{rule.code}-invalid-{number}", rule, example
