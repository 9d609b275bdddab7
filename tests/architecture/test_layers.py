"""Layering of wirelint itself: cli -> report -> rules -> analyzer; nothing imports upward.

Checked on wirelint's own source with wirelint's own top-level scan of imports would be circular; `ast` is
enough here and independent of the code under test.
"""

from __future__ import annotations

import ast
from pathlib import Path

import wirelint

PACKAGE = Path(wirelint.__file__).parent
LAYERS = ["analyzer", "rules", "report", "runtime", "cli"]  # lowest first; runtime imports user code


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    module = "wirelint." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
    package = module.rsplit(".", 1)[0] if path.name != "__init__.py" else module.removesuffix(".__init__")
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                found.add(".".join(base + ([node.module] if node.module else [])))
            elif node.module:
                found.add(node.module)
    return found


def layer_of(module: str) -> int | None:
    parts = module.split(".")
    if parts[0] != "wirelint" or len(parts) < 2 or parts[1] not in LAYERS:
        return None
    return LAYERS.index(parts[1])


def test_no_layer_imports_upward():
    violations = []
    for path in sorted(PACKAGE.rglob("*.py")):
        own = layer_of("wirelint." + ".".join(path.relative_to(PACKAGE).parts))
        if own is None:
            continue
        for imported in imports_of(path):
            other = layer_of(imported)
            if other is not None and other > own:
                violations.append(f"{path.relative_to(PACKAGE)} imports {imported}")
    assert violations == []


def test_analyzer_never_imports_fastapi():
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in sorted((PACKAGE / "analyzer").rglob("*.py"))
        if any(name.split(".")[0] in ("fastapi", "starlette") for name in imports_of(path))
    ]
    assert offenders == []
