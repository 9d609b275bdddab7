"""Which files, which module names, and which files can matter at all.

Module names come from package roots, as Python finds them: walk up from the file while the folder has an
`__init__.py`. A folder without one that sits under an analyzed root is also reachable as a namespace package
when that root is on `sys.path` (`uvicorn app.main:app` run from the root), so such files get that dotted name
as an alias for import resolution.

Most files of a FastAPI project never mention FastAPI. A byte-level look (`might_matter`) decides which files
are parsed with libcst; the others get a light scan of their top-level names (`scan_top_level`), enough to
follow re-exports and to know that a name is a class or a function; the resolver parses them fully on demand
when it needs more.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import warnings
from dataclasses import dataclass
from fnmatch import fnmatch
from functools import lru_cache
from pathlib import Path

from .lookups import body_lookups, has_strong_lookup_hint
from .overrides import is_test_module, test_facts
from .models import AttributeExpr, Binding, ModuleFacts, NameExpr, ScopeFacts, SequenceExpr

SKIPPED_DIRS = frozenset(
    {"__pycache__", "node_modules", "venv", "env", "build", "dist", "site-packages", "__pypackages__"}
)

_MATTERS_WORDS = (
    b"fastapi", b"Depends", b"Security", b"APIRouter", b"include_router", b"add_api_route", b"api_route",
    b"dependency_overrides", b"lagom", b"dependency_injector",
)
# Route decorators on objects whose definition lives elsewhere (`@router.get(...)` with `router` imported).
_ROUTE_DECORATOR_RE = re.compile(rb"@[\w.]+\.(?:get|post|put|patch|delete|head|options|trace|websocket)\(")


class DiscoveryError(Exception):
    """A path given by the user does not exist or is not Python source."""


@dataclass(frozen=True, slots=True)
class SourceFile:
    path: Path  # absolute
    display: str  # relative to the current directory when under it, else absolute
    module: str
    is_package: bool
    aliases: tuple[str, ...] = ()


LINE_BREAK_RE = re.compile(r"\r\n|\r|\n")  # what ends a line for Python (not \f, \x1c-\x1e, \x85, \u2028)


def read_source(path: Path) -> bytes:
    """The bytes of a source file. Anything but a regular file raises OSError instead of being read: a FIFO
    named `x.py` would block the run forever, a symlink to `/dev/zero` would never end."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # opening a FIFO must not wait
    with open(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        return handle.read()


def might_matter(data: bytes) -> bool:
    """Whether a file can declare or use FastAPI dependency injection (cheap, conservative)."""
    if any(word in data for word in _MATTERS_WORDS):
        return True
    return b"@" in data and _ROUTE_DECORATOR_RE.search(data) is not None


ROOT_MARKERS = ("pyproject.toml", "setup.cfg", ".git")


def common_folder(paths: list[str | Path]) -> Path:
    """The deepest folder holding every one of `paths` (a file's folder for a file)."""
    folders = [Path(p).absolute() if Path(p).absolute().is_dir() else Path(p).absolute().parent for p in paths]
    return Path(os.path.commonpath(folders)) if folders else Path.cwd()


def project_root(paths: list[str | Path]) -> Path:
    """The project `paths` belong to: the nearest folder at or above them that holds a pyproject.toml, a
    setup.cfg or a .git; their common folder when there is none."""
    start = common_folder(paths)
    for folder in [start, *start.parents]:
        if any((folder / marker).exists() for marker in ROOT_MARKERS):
            return folder
    return start


def discover(paths: list[str | Path], exclude: tuple[str, ...] = (), *, respect_gitignore: bool = True,
             force_exclude: bool = False, unreadable: list[tuple[str, str]] | None = None) -> list[SourceFile]:
    """Python files under `paths`, sorted by display path; raises DiscoveryError for a missing path.

    Directories skip hidden and tool folders, `exclude` patterns and (`respect_gitignore`) what the
    `.gitignore` files of the repository ignore. A file named explicitly is analyzed even when excluded or
    ignored, unless `force_exclude` (pre-commit and editors pass file names). Folders that cannot be listed
    are appended to `unreadable` as (display path, reason): their files are missing, never silently."""
    cwd = Path.cwd()
    _package_of.cache_clear()  # folders may have gained or lost an __init__.py since the last run
    ignores = GitIgnores() if respect_gitignore else None

    def skipped(path: Path, is_dir: bool) -> bool:
        return _excluded(path, exclude) or (ignores is not None and ignores.ignored(path, is_dir))

    seen: dict[Path, SourceFile] = {}
    for raw in paths:
        root = Path(raw).absolute()
        if not root.exists():
            raise DiscoveryError(f"{'broken symbolic link' if root.is_symlink() else 'path does not exist'}: {raw}")
        if root.is_file():
            if root.suffix not in (".py", ".pyi"):
                raise DiscoveryError(f"not a Python file: {raw}")
            if root.suffix == ".py" and not (force_exclude and (skipped(root, False) or any(
                    skipped(parent, True) for parent in _parents_below(root, cwd)))):
                seen.setdefault(root, _source_file(root, None, cwd))
            continue
        if not root.is_dir():
            raise DiscoveryError(f"not a file or directory: {raw}")
        # A directory named explicitly is analyzed even when git ignores it (as ripgrep does): its
        # ancestors' .gitignore files then do not apply below it, and only exclude patterns do.
        root_ignores = ignores if ignores is not None and not ignores.inside_ignored(root) else None

        def skipped_below(path: Path, is_dir: bool) -> bool:
            return _excluded(path, exclude) or (root_ignores is not None and root_ignores.ignored(path, is_dir))

        def unlisted(error: OSError) -> None:
            if unreadable is not None:
                folder = Path(error.filename or root)
                display = folder.relative_to(cwd).as_posix() if folder.is_relative_to(cwd) else folder.as_posix()
                unreadable.append((display or ".", error.strerror or str(error)))

        for directory, subdirs, files in os.walk(root, onerror=unlisted):
            subdirs[:] = sorted(
                d
                for d in subdirs
                if not d.startswith(".") and d not in SKIPPED_DIRS and not skipped_below(Path(directory, d), True)
            )
            for name in files:
                if name.endswith(".py"):
                    path = Path(directory, name)
                    if path not in seen and not skipped_below(path, False):
                        seen[path] = _source_file(path, root, cwd)
    return sorted(seen.values(), key=lambda source: source.display)


def _excluded(path: Path, patterns: tuple[str, ...]) -> bool:
    if not patterns:
        return False
    text = path.as_posix()
    return any(fnmatch(text, pattern) or fnmatch(path.name, pattern) or fnmatch(text, f"*/{pattern}")
               for pattern in patterns)


def _parents_below(path: Path, top: Path) -> list[Path]:
    """The folders between `top` and `path` (an excluded folder excludes what is inside it)."""
    try:
        relative = path.parent.relative_to(top)
    except ValueError:
        return []
    return [top.joinpath(*relative.parts[: depth + 1]) for depth in range(len(relative.parts))]


class GitIgnores:
    """`.gitignore` files as git reads them: each applies below its folder, a deeper one overrides a
    shallower one, and the repository root (the folder holding `.git`) bounds the search upwards."""

    def __init__(self) -> None:
        self._specs: dict[Path, object | None] = {}
        self._roots: dict[Path, Path | None] = {}

    def _spec(self, folder: Path, name: str = ".gitignore"):
        key = folder / name
        if key not in self._specs:
            spec = None
            try:
                lines = key.read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                lines = []
            if lines:
                import pathspec

                spec = pathspec.GitIgnoreSpec.from_lines(lines)
            self._specs[key] = spec
        return self._specs[key]

    @staticmethod
    def _info_folder(root: Path) -> Path:
        """`.git/info`, or for a worktree or submodule (`.git` is a file naming the git directory) its own."""
        dot_git = root / ".git"
        if dot_git.is_file():
            try:
                text = dot_git.read_text(encoding="utf-8", errors="replace").strip()
            except OSError:
                return dot_git / "info"
            if text.startswith("gitdir:"):
                git_dir = (root / text.removeprefix("gitdir:").strip()).resolve()
                common = git_dir / "commondir"  # a worktree shares the main repository's info/exclude
                if common.is_file():
                    git_dir = (git_dir / common.read_text(encoding="utf-8", errors="replace").strip()).resolve()
                return git_dir / "info"
        return dot_git / "info"

    def _repository_root(self, folder: Path) -> Path | None:
        if folder not in self._roots:
            if (folder / ".git").exists():
                self._roots[folder] = folder
            else:
                self._roots[folder] = None if folder.parent == folder else self._repository_root(folder.parent)
        return self._roots[folder]

    def inside_ignored(self, folder: Path) -> bool:
        """Whether `folder` or a folder above it (up to the repository root) is ignored."""
        root = self._repository_root(folder)
        if root is None:
            return False
        return any(self.ignored(each, True) for each in [folder, *folder.parents][: [folder, *folder.parents].index(root)])

    def ignored(self, path: Path, is_dir: bool) -> bool:
        """Whether git would ignore `path` (only inside a git repository)."""
        root = self._repository_root(path.parent)
        if root is None:
            return False
        folders = [path.parent, *path.parent.parents]
        for folder in folders[: folders.index(root) + 1]:  # deepest first: the first decision wins
            spec = self._spec(folder)
            if spec is None:
                continue
            relative = path.relative_to(folder).as_posix() + ("/" if is_dir else "")
            decision = spec.check_file(relative).include
            if decision is not None:
                return decision
        # `.git/info/exclude`: the repository's own ignores, weaker than every .gitignore
        spec = self._spec(self._info_folder(root), "exclude")
        if spec is not None:
            decision = spec.check_file(path.relative_to(root).as_posix() + ("/" if is_dir else "")).include
            return bool(decision)
        return False


def _enclosing_package(folder: Path, root: Path | None) -> Path | None:
    """The nearest ancestor of `folder`, within `root`, that is a regular package, if every folder between is
    a valid identifier; None otherwise."""
    if root is None or not folder.is_relative_to(root) or folder == root:
        return None
    current = folder
    while current != root:
        if not current.name.isidentifier():
            return None
        current = current.parent
        if (current / "__init__.py").is_file():
            return current
    return None


def _source_file(path: Path, root: Path | None, cwd: Path) -> SourceFile:
    is_package = path.name == "__init__.py"
    package_parts, aliases_base = _package_of(path.parent, root)
    module = ".".join(package_parts + ([] if is_package else [path.stem]))
    aliases = tuple(".".join(base + ([] if is_package else [path.stem])) for base in aliases_base)
    try:
        display = path.relative_to(cwd).as_posix()
    except ValueError:
        display = path.as_posix()
    return SourceFile(path, display, module, is_package, aliases)


@lru_cache(maxsize=None)
def _package_of(directory: Path, root: Path | None) -> tuple[list[str], tuple[list[str], ...]]:
    """(package parts of modules in `directory`, namespace alias parts); cached per folder."""
    parts: list[str] = []
    folder = directory
    while True:
        while (folder / "__init__.py").is_file() and folder.parent != folder:
            parts.insert(0, folder.name)
            folder = folder.parent
        # A folder without __init__.py inside a regular package is a namespace portion of that package
        # (`pkg/data/source/type/views.py` with no `source/__init__.py` is still `pkg.data.source.type.views`).
        outer = _enclosing_package(folder, root)
        if outer is None:
            break
        while folder != outer:
            parts.insert(0, folder.name)
            folder = folder.parent
    aliases: tuple[list[str], ...] = ()
    if root is not None and folder != root and folder.is_relative_to(root):
        namespace = list(folder.relative_to(root).parts) + parts
        if all(part.isidentifier() for part in namespace):
            aliases = (namespace,)
    return parts, aliases


def resolve_relative(module: str, is_package: bool, level: int, name: str | None) -> str:
    """The absolute module named by `from <level dots><name> import ...` inside `module`."""
    parts = module.split(".") if module else []
    package = parts if is_package else parts[:-1]
    if level > 1:
        package = package[: len(package) - (level - 1)] if level - 1 <= len(package) else []
    base = ".".join(package)
    if name:
        return f"{base}.{name}" if base else name
    return base



# --- the light scan ----------------------------------------------------------------------------------------

_TOP_LEVEL_RE = re.compile(
    r"^(?:"
    r"(?P<def>(?:async[ \t]+)?def[ \t]+(?P<def_name>\w+))"
    r"|(?P<class>class[ \t]+(?P<class_name>\w+)(?:[ \t]*\((?P<bases>[^()]*)\))?)"
    r"|(?P<from>from[ \t]+(?P<dots>\.*)[ \t]*(?P<source>[\w.]*)[ \t]+import[ \t]+"
    r"(?P<names>\([^)]*\)|(?:[^\n\\]|\\\n)*))"
    r"|(?P<import>import[ \t]+(?P<modules>[^\n#;]+))"
    r"|(?P<assign>(?P<assign_name>[A-Za-z_]\w*)[ \t]*(?::[^=\n]+)?=(?!=)[ \t]*"
    r"(?:(?P<callee>[A-Za-z_][\w.]*)[ \t]*\()?)"
    r")",
    re.MULTILINE,
)


_DOTTED_RE = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")
# What `overrides.is_test_code` looks for, without parsing: `import pytest`, or a `def test_*` (at module level
# or in a class) followed, before the next definition at the same level, by an `assert`.
_TEST_CODE_RE = re.compile(r"^(?:import[ \t]+pytest\b|from[ \t]+pytest\b"
                           r"|([ \t]*)(?:async[ \t]+)?def[ \t]+test\w*\((?:(?!\n\1\S)[\s\S])*?\n\1[ \t]+assert\b)",
                           re.MULTILINE)


def _dotted_expr(text: str) -> NameExpr | AttributeExpr:
    first, *rest = text.split(".")
    expr: NameExpr | AttributeExpr = NameExpr(first)
    for attr in rest:
        expr = AttributeExpr(expr, attr)
    return expr


def scan_top_level(source_file: SourceFile, text: str) -> ModuleFacts:
    """Top-level names of a module without parsing it: imports (with targets), defs, classes, assignments."""
    with warnings.catch_warnings():  # the few `ast.parse` calls below: Python's warnings about the code are not ours
        warnings.simplefilter("ignore")
        return _scan_top_level(source_file, text)


def _scan_top_level(source_file: SourceFile, text: str) -> ModuleFacts:
    is_test = is_test_module(source_file.display) or _TEST_CODE_RE.search(text) is not None
    bindings: dict[str, Binding] = {}
    stars: list[str] = []
    last_offset, last_line = 0, 1
    for match in _TOP_LEVEL_RE.finditer(text):
        if match["def"]:
            bindings[match["def_name"]] = Binding("function", target=match["def_name"])
        elif match["class"]:
            bases = tuple(
                _dotted_expr(part.strip())
                for part in (match["bases"] or "").split(",")
                if part.strip() and "=" not in part and _DOTTED_RE.fullmatch(part.strip())
            )
            bindings[match["class_name"]] = Binding("class", target=match["class_name"], value=SequenceExpr(bases))
        elif match["assign"]:
            callee = match["callee"]
            line = text.count("\n", last_offset, match.start()) + last_line
            last_offset, last_line = match.start(), line
            bindings[match["assign_name"]] = Binding(
                "assign", line=line, callee=_dotted_expr(callee) if callee and _DOTTED_RE.fullmatch(callee) else None
            )
        elif match["import"]:
            for item in match["modules"].split(","):
                words = item.split()
                if len(words) == 3 and words[1] == "as":
                    bindings[words[2]] = Binding("import_module", target=words[0])
                elif len(words) == 1:
                    top = words[0].split(".")[0]
                    bindings[top] = Binding("import_module", target=top)
        else:
            level = len(match["dots"])
            source = match["source"]
            if level:
                source = resolve_relative(source_file.module, source_file.is_package, level, source or None)
            names = re.sub(r"#[^\n]*", "", match["names"]).replace("\\\n", " ").strip().strip("()")
            for item in names.split(","):
                words = item.split()
                if words == ["*"]:
                    stars.append(source)
                elif len(words) == 1 and words[0].isidentifier():
                    bindings[words[0]] = Binding("import", target=f"{source}.{words[0]}" if source else words[0])
                elif len(words) == 3 and words[1] == "as":
                    bindings[words[2]] = Binding("import", target=f"{source}.{words[0]}" if source else words[0])
    return ModuleFacts(
        module=source_file.module,
        path=source_file.display,
        is_package=source_file.is_package,
        functions={},
        classes={},
        scopes={"": ScopeFacts("", None, bindings, tuple(stars))},
        routes=(),
        includes=(),
        line_count=text.count("\n"),
        complete=False,
        lookups=body_lookups(text) if has_strong_lookup_hint(text) else (),
        tests=test_facts(text) if is_test else None,
        is_test=is_test,
        widest_constructor=widest_constructor(text) if "__init__" in text else 0,
    )


_INIT_RE = re.compile(r"\bdef\s+__init__\s*\(")
_OPENERS, _CLOSERS = "([{", ")]}"


def widest_constructor(text: str) -> int:
    """The most annotated parameters (`name: Type`) in any `def __init__(...)` of `text`, found without
    parsing: parameters are the top-level comma-separated parts of the balanced parentheses."""
    widest = 0
    for match in _INIT_RE.finditer(text):
        depth, part_has_colon, count, position = 0, False, 0, match.end()
        quote = None
        while position < len(text):
            character = text[position]
            position += 1
            if quote:
                if character == "\\":
                    position += 1
                elif character == quote:
                    quote = None
            elif character in "'\"":
                quote = character
            elif character == "#":
                newline = text.find("\n", position)
                position = len(text) if newline < 0 else newline
            elif character in _OPENERS:
                depth += 1
            elif character in _CLOSERS:
                if depth == 0:
                    break
                depth -= 1
            elif depth == 0 and character == ",":
                count += part_has_colon
                part_has_colon = False
            elif depth == 0 and character == ":":
                part_has_colon = True
        count += part_has_colon
        widest = max(widest, count)
    return widest
