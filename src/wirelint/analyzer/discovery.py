"""Which files, and which module names.

Module names come from package roots, as Python finds them: walk up from the file while the folder has an
`__init__.py`. A folder without one that sits under an analyzed root is also reachable as a namespace package
when that root is on `sys.path` (`uvicorn app.main:app` run from the root), so such files get that dotted name
as an alias for import resolution.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from dataclasses import dataclass
from fnmatch import fnmatch
from functools import lru_cache
from pathlib import Path


SKIPPED_DIRS = frozenset(
    {"__pycache__", "node_modules", "venv", "env", "build", "dist", "site-packages", "__pypackages__"}
)

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
