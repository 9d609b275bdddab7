"""`[tool.wirelint]` in pyproject.toml: the nearest one from the current directory upwards.

    [tool.wirelint]
    select = ["DI"]                 # codes or prefixes; default: every rule
    ignore = ["DI002"]
    exclude = ["migrations/*", "scripts"]
    respect-gitignore = true        # skip what the repository's .gitignore files ignore
    [tool.wirelint.per-file-ignores]
    "tests/*" = ["DI003"]
    [tool.wirelint.rules.DI002]      # or the rule's name: [tool.wirelint.rules.over-injection]
    max-dependencies = 10

Unknown keys, codes and options are errors, so a typo never silently disables a check.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path

from ..rules.base import Rule

_KEYS = {"select", "ignore", "exclude", "per-file-ignores", "rules", "respect-gitignore"}


class ConfigError(Exception):
    pass


@dataclass(frozen=True)
class Config:
    path: Path | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    respect_gitignore: bool = True
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    rule_options: dict[str, dict[str, object]] = field(default_factory=dict)  # code -> option -> value

    def ignored_in(self, path: str, code: str) -> bool:
        return any(
            (fnmatch(path, pattern) or fnmatch(path, f"{pattern.rstrip('/')}/*")) and code.startswith(codes)
            for pattern, codes in self.per_file_ignores
        )


def find_pyproject(start: Path) -> Path | None:
    for folder in [start, *start.parents]:
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            try:
                with open(candidate, "rb") as handle:
                    tool = tomllib.load(handle).get("tool", {})
                if isinstance(tool, dict) and "wirelint" in tool:
                    return candidate
            except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError):
                # Reported by load_config: a broken or unreadable project file is not silently skipped (it may
                # hold the excludes and ignores this run is meant to apply).
                return candidate
    return None


def _codes(value, where: str, rules: list[type[Rule]]) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{where} must be a list of rule codes")
    codes = tuple(item.strip().upper() for item in value)
    for code in codes:
        if not code:
            raise ConfigError(f"{where}: empty rule code (it would match every rule)")
        if not any(rule.code.startswith(code) for rule in rules):
            raise ConfigError(f"{where}: unknown rule code {code!r}")
    return codes


def load_config(path: Path | None, rules: list[type[Rule]]) -> Config:
    """Read and validate `[tool.wirelint]` from `path` (None: defaults)."""
    if path is None:
        return Config()
    try:
        with open(path, "rb") as handle:
            tool = tomllib.load(handle).get("tool", {})
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: not UTF-8 ({error.reason} at byte {error.start})") from None
    except OSError as error:
        raise ConfigError(f"{path}: {error.strerror}") from None
    table = tool.get("wirelint", {}) if isinstance(tool, dict) else {}
    where = f"{path}: [tool.wirelint]"
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table of options, not {type(table).__name__} {table!r}")
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r} (expected one of {', '.join(sorted(_KEYS))})")
    exclude = table.get("exclude", [])
    if not isinstance(exclude, list) or not all(isinstance(item, str) for item in exclude):
        raise ConfigError(f"{where}.exclude must be a list of glob patterns")
    respect_gitignore = table.get("respect-gitignore", True)
    if not isinstance(respect_gitignore, bool):
        raise ConfigError(f"{where}.respect-gitignore must be true or false")
    per_file = table.get("per-file-ignores", {})
    if not isinstance(per_file, dict):
        raise ConfigError(f"{where}.per-file-ignores must be a table of pattern = [codes]")
    per_file_ignores = tuple(
        (pattern, _codes(codes, f"{where}.per-file-ignores.{pattern!r}", rules)) for pattern, codes in per_file.items()
    )
    options: dict[str, dict[str, object]] = {}
    rule_tables = table.get("rules", {})
    if not isinstance(rule_tables, dict):
        raise ConfigError(f"{where}.rules must be a table of rule tables")
    for key, values in rule_tables.items():
        rule = next((r for r in rules if key.upper() == r.code or key.lower() == r.name), None)
        if rule is None:
            raise ConfigError(f"{where}.rules: unknown rule {key!r}")
        if not isinstance(values, dict):
            raise ConfigError(f"{where}.rules.{key} must be a table of options")
        declared = {option.name: option for option in rule.options}
        for name, value in values.items():
            option = declared.get(name)
            if option is None:
                known = f"options: {', '.join(declared)}" if declared else "this rule has no options"
                raise ConfigError(f"{where}.rules.{key}: unknown option {name!r} ({known})")
            if type(value) is not type(option.default):
                kind = {"int": "an integer", "bool": "true or false", "str": "a string", "float": "a number"}.get(
                    type(option.default).__name__, type(option.default).__name__)
                raise ConfigError(f"{where}.rules.{key}.{name} must be {kind}, not {value!r}")
            if isinstance(value, int) and value < 0:
                raise ConfigError(f"{where}.rules.{key}.{name} must be 0 or more, not {value}")
            options.setdefault(rule.code, {})[name] = value
    return Config(
        path=path,
        select=_codes(table.get("select", []), f"{where}.select", rules),
        ignore=_codes(table.get("ignore", []), f"{where}.ignore", rules),
        exclude=tuple(exclude),
        respect_gitignore=respect_gitignore,
        per_file_ignores=per_file_ignores,
        rule_options=options,
    )
