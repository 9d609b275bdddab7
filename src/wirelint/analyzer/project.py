"""ProjectIndex: the whole analyzed project, the one object rules and reporters receive.

`analyze(paths)` discovers files, collects every file's facts in one parse (across processes when `jobs > 1`),
caches per-file facts by content hash, and builds the dependency graph. Nothing is parsed after that pass: the
rules read the facts it gathered.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import io
import os
import pickle
import tempfile
from pathlib import Path

from .. import __version__
from .discovery import SourceFile, discover, read_source
from .models import ModuleFacts, ParseErrorFacts
from .resolve import ModuleSource
from .workers import internal_error, run_guarded

# Bump when the facts' shape or the collectors' output changes: old cache entries are then ignored.
FACTS_SCHEMA = 44
_PARALLEL_THRESHOLD = 16


class FactsCache:
    """Per-file facts kept in one pack file per cache directory, loaded once and rewritten atomically.

    An entry is keyed by tool version, facts schema, module identity and content hash. Entries of files outside the current run are kept (up to a bound), so analyzing a
    subfolder does not evict the rest of the project.
    """

    PACK = "facts.pickle"
    MAX_ENTRIES = 50_000

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        # Each entry is kept pickled: a worker's answer is stored as it arrived and written back without being
        # pickled again, and a run unpickles only the entries it reads.
        self._entries: dict[str, bytes] | None = None
        self._used: set[str] = set()
        self._dirty = False

    @staticmethod
    def key(source: SourceFile, digest: str, kind: str) -> str:
        return f"{__version__}|{FACTS_SCHEMA}|{kind}|{source.module}|{source.display}|{source.is_package}|{digest}"

    def _load_pack(self) -> dict[str, bytes]:
        if self._entries is None:
            try:
                with open(self.directory / self.PACK, "rb") as handle:
                    entries = _CacheUnpickler(handle).load()
                if not isinstance(entries, dict):
                    raise TypeError("not a facts pack")
                entries = {key: blob for key, blob in entries.items() if isinstance(blob, bytes)}
            except _UNREADABLE:
                entries = {}
            self._entries = entries
        return self._entries

    def load(self, key: str) -> ModuleFacts | None:
        blob = self._load_pack().get(key)
        if blob is None:
            return None
        try:
            facts = _CacheUnpickler(io.BytesIO(blob)).load()
        except _UNREADABLE:
            return None
        if isinstance(facts, ModuleFacts):
            self._used.add(key)
            return facts
        return None

    def store(self, key: str, facts: ModuleFacts, blob: bytes | None = None) -> None:
        """Keep `facts` under `key`; `blob` is their pickle when the caller has it already."""
        if facts.parse_error is not None and facts.parse_error.transient:
            return
        self._load_pack()[key] = blob if blob is not None else pickle.dumps(facts, protocol=pickle.HIGHEST_PROTOCOL)
        self._used.add(key)
        self._dirty = True

    RESULT = "result.pickle"

    def load_result(self, run_key: str, name: str = RESULT):
        """What a run stored under `name` when every file, the tool and the options are unchanged."""
        try:
            with open(self.directory / name, "rb") as handle:
                stored_key, payload = _CacheUnpickler(handle).load()
        except _UNREADABLE:
            return None
        return payload if stored_key == run_key else None

    def store_result(self, run_key: str, payload, name: str = RESULT) -> None:
        self._write(name, (run_key, payload))

    def _write(self, name: str, value) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            gitignore = self.directory / ".gitignore"
            if not gitignore.exists():
                gitignore.write_text("# created by wirelint\n*\n")
            handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=".pickle")
            try:
                with os.fdopen(handle, "wb") as stream:
                    pickle.dump(value, stream, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(temporary, self.directory / name)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError:
            pass  # a read-only or full disk only costs speed

    def flush(self) -> None:
        """Write the pack if anything changed: this run's entries first, then older ones up to the bound."""
        entries = self._load_pack()
        stale = len(entries) - len(self._used)
        if not self._dirty and stale <= len(self._used):
            return
        kept = {key: entries[key] for key in self._used}
        current_version = f"{__version__}|{FACTS_SCHEMA}|"
        used_identities = {key.rsplit("|", 1)[0] for key in self._used}
        for key, facts in entries.items():
            if len(kept) >= self.MAX_ENTRIES:
                break
            # Keep older entries of this version, except those of files this run saw with other content.
            if key not in kept and key.startswith(current_version) and key.rsplit("|", 1)[0] not in used_identities:
                kept[key] = facts
        self._write(self.PACK, kept)
        self._dirty = False


_UNREADABLE = (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError,
               IndexError, KeyError)  # what a truncated, corrupt, foreign or planted cache file raises


class _CacheUnpickler(pickle.Unpickler):
    """Unpickles wirelint's own value classes and nothing else. A cache directory can come from a commit or a
    restored CI cache, and a plain pickle can call any function (`os.system`) as it loads: here a name that is
    not one of those classes makes the file unreadable, and it is rebuilt like a corrupt one."""

    _MODULES = frozenset({"wirelint.analyzer.models", "wirelint.analyzer.build", "wirelint.analyzer.graph",
                          "wirelint.analyzer.resolve", "wirelint.rules.base"})

    def find_class(self, module: str, name: str):
        if module in self._MODULES:
            from .graph import DependencyGraph

            value = super().find_class(module, name)
            if isinstance(value, type) and value.__module__ == module and (
                    dataclasses.is_dataclass(value) or value is DependencyGraph):
                return value
        elif module == "builtins" and name in ("set", "frozenset"):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"not a wirelint cache value: {module}.{name}")


def unreadable(error: OSError) -> ParseErrorFacts:
    """`cannot read: Permission denied`: the reason alone, the finding already names the file."""
    return ParseErrorFacts(f"cannot read: {error.strerror or error}", 1, 1)


def _collect_job(source: SourceFile) -> ModuleFacts:
    """A file's facts, in a worker."""
    from .collectors import collect_module  # imported lazily: a warm run never loads the collectors

    try:
        data = read_source(source.path)
    except OSError as error:
        return ModuleFacts.failed(source.module, source.display, source.is_package, unreadable(error))
    return collect_module(source.module, source.display, data, source.is_package)


class ProjectIndex(ModuleSource):
    """All modules of the project (their facts), and the dependency graph.

    Module facts load on first use: a warm run whose files are all unchanged takes the graph from the
    result cache and never unpickles facts unless a rule asks for them."""

    def __init__(self, files: list[SourceFile], sources: dict[str, SourceFile], aliases: dict[str, str],
                 digests: dict[str, str], cache: FactsCache | None, load_modules) -> None:
        self.files = files
        self.sources = sources
        self.aliases = aliases
        self.digests = digests
        self.cache = cache
        self._load_modules = load_modules
        self._modules: dict[str, ModuleFacts] | None = None
        self.graph = None  # DependencyGraph, set by analyze()
        self.resolver = None  # Resolver over this index, set by analyze()
        self.sites: list = []  # DependencySite: every Depends(...) the graph followed
        self.run_key: str | None = None  # identifies every file's content and the tool version (with a cache)
        self.unreadable_directories: tuple[tuple[str, str], ...] = ()  # (display path, reason): files unseen
        self.file_timeout: float | None = None  # seconds one file may take to parse and collect
        # The paths the user asked about, when the project around them is analyzed too (None: all of it), and
        # the display paths of the files under them.
        self.selection: tuple[Path, ...] | None = None
        self.selected: frozenset[str] | None = None

    def selected_graph_nodes(self) -> set[str] | None:
        """The graph nodes the selected files declare and everything they depend on; None when the paths asked
        about are the whole project."""
        if self.selected is None or len(self.selected) == len(self.sources):
            return None
        return self.graph.reachable_from(node.id for node in self.graph.nodes()
                                         if node.location is not None and self.is_selected(node.location.path))

    def is_selected(self, display_path: str) -> bool:
        """Whether a file (or a folder that could not be read) is under the paths asked about."""
        if self.selection is None:
            return True
        path = Path(display_path).absolute()
        return any(path == wanted or path.is_relative_to(wanted) for wanted in self.selection)

    @property
    def modules(self) -> dict[str, ModuleFacts]:
        """Facts of every module by name; the first access collects them (or reads the cache)."""
        return self.load()

    def load(self) -> dict[str, ModuleFacts]:
        if self._modules is None:
            self._modules = self._load_modules()
        return self._modules

    # ModuleSource
    def canonical(self, module: str) -> str | None:
        if module in self.sources:
            return module
        return self.aliases.get(module)

    def has_module(self, module: str) -> bool:
        return self.canonical(module) is not None

    def module_names(self) -> list[str]:
        return list(self.sources)

    def facts(self, module: str) -> ModuleFacts | None:
        name = self.canonical(module)
        return self.modules[name] if name is not None else None

    @property
    def parse_errors(self) -> list[ModuleFacts]:
        return sorted((f for f in self.modules.values() if f.parse_error is not None), key=lambda f: f.path)

    @property
    def line_count(self) -> int:
        return sum(facts.line_count for facts in self.modules.values())


def analyze(
    paths: list[str | Path],
    *,
    jobs: int | None = None,
    cache_dir: Path | None = None,
    exclude: tuple[str, ...] = (),
    respect_gitignore: bool = True,
    force_exclude: bool = False,
    file_timeout: float | None = 60.0,
    root: Path | None = None,
) -> ProjectIndex:
    """Analyze the Python files under `paths` statically and build the dependency graph. With `root`, the whole
    project under it is analyzed and `paths` only select what is reported (`ProjectIndex.selected`). A file
    whose parse takes longer than `file_timeout` seconds (None: no limit) is reported as DI000 and the rest
    goes on."""
    from .build import build_graph
    from .resolve import Resolver

    unreadable: list[tuple[str, str]] = []
    files = discover([root, *paths] if root is not None else paths, exclude, respect_gitignore=respect_gitignore,
                     force_exclude=force_exclude, unreadable=unreadable)
    cache = FactsCache(Path(cache_dir)) if cache_dir is not None else None
    sources: dict[str, SourceFile] = {}
    aliases: dict[str, str] = {}
    digests: dict[str, str] = {}
    contents: dict[str, bytes | OSError] = {}
    for source in files:
        if source.module in sources:
            # Two files with one module name (`svc_a/main.py` and `svc_b/main.py`, services without
            # __init__.py): on one sys.path the first would shadow the other, but each runs somewhere, so the
            # second is analyzed too, under its namespace name or else its path, never silently dropped.
            name = next((alias for alias in source.aliases if alias not in sources), None)
            if name is None:
                name = source.display.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
            if name in sources:
                continue
            source = dataclasses.replace(source, module=name)
        sources[source.module] = source
        try:
            data = read_source(source.path)
        except OSError as error:
            contents[source.module] = error
            digests[source.module] = f"unreadable:{error}"
            continue
        contents[source.module] = data
        digests[source.module] = hashlib.blake2b(data, digest_size=20).hexdigest()
        for alias in source.aliases:
            aliases.setdefault(alias, source.module)

    def load_modules() -> dict[str, ModuleFacts]:
        return _collect_facts(sources, contents, digests, cache, jobs, file_timeout)

    index = ProjectIndex(files, sources, aliases, digests, cache, load_modules)
    if root is not None:
        index.selection = tuple(Path(path).absolute() for path in paths)
        index.selected = frozenset(source.display for source in sources.values() if index.is_selected(source.display))
    index.unreadable_directories = tuple(sorted(set(unreadable)))
    index.file_timeout = file_timeout
    run_key = _run_key(sources, digests, index.unreadable_directories) if cache is not None else None
    index.run_key = run_key
    result = cache.load_result(run_key) if cache is not None else None
    if result is not None:
        index.graph, index.sites = result
        index.resolver = Resolver(index)
        return index

    index.load()  # every file's facts
    builder = build_graph(index)
    index.graph = builder.graph
    index.resolver = builder.resolver
    index.sites = sorted(set(builder.sites), key=lambda site: (site.location.path, site.location.line,
                                                                 site.location.column, site.source, site.target))
    if cache is not None:
        cache.flush()
        if any(f.parse_error is not None and f.parse_error.transient for f in index.modules.values()):
            index.run_key = None  # a file the guard stopped: nothing of this run is reused by the next
        else:
            cache.store_result(run_key, (index.graph, index.sites))
    return index


def _run_key(sources: dict[str, SourceFile], digests: dict[str, str],
             unreadable: tuple[tuple[str, str], ...] = ()) -> str:
    hasher = hashlib.blake2b(f"{__version__}|{FACTS_SCHEMA}|{unreadable!r}".encode(), digest_size=20)
    for name in sorted(sources):
        source = sources[name]
        hasher.update(f"\0{name}|{source.display}|{source.is_package}|{','.join(source.aliases)}|"
                      f"{digests[name]}".encode())
    return hasher.hexdigest()


def _collect_facts(sources: dict[str, SourceFile], contents: dict[str, bytes | OSError], digests: dict[str, str],
                   cache: FactsCache | None, jobs: int | None,
                   timeout: float | None) -> dict[str, ModuleFacts]:
    """Facts for every module: from the cache, else collected in the worker pool."""
    modules: dict[str, ModuleFacts] = {}
    missing: list[tuple[SourceFile, str | None]] = []
    for name, source in sources.items():
        data = contents[name]
        if isinstance(data, OSError):
            modules[name] = ModuleFacts.failed(source.module, source.display, source.is_package, unreadable(data))
            continue
        key = FactsCache.key(source, digests[name], "facts") if cache else None
        cached = cache.load(key) if cache and key else None
        if cached is not None:
            modules[name] = cached
        else:
            missing.append((source, key))
    for (source, key), (facts, blob) in zip(missing, _collect_all([s for s, _ in missing], jobs, _collect_job,
                                                                  timeout)):
        modules[source.module] = facts
        if cache and key:
            cache.store(key, facts, blob)
    return modules


def _collect_all(sources: list[SourceFile], jobs: int | None, work=_collect_job,
                 timeout: float | None = None) -> list[tuple[ModuleFacts, bytes | None]]:
    """`work` on every file, with the pickle of its facts when a worker sent them: in this process with one
    job or few files, else in guarded workers. Files large enough to be slow always go to a guarded worker: a
    time limit needs a process that can be killed."""
    workers = jobs if jobs and jobs > 0 else (os.cpu_count() or 1)
    if workers <= 1 or len(sources) < _PARALLEL_THRESHOLD:
        # One process: the files in this one (a worker's facts would be pickled, sent and unpickled for
        # nothing), and only those large enough to be slow in a guarded worker.
        large = [index for index, source in enumerate(sources)
                 if timeout and _size(source.path) >= _GUARDED_SIZE]
        if not large:
            return [(_unguarded(work, source), None) for source in sources]
        collected: list = [None] * len(sources)
        for index, result in zip(large, _collect_all_guarded([sources[i] for i in large], work, 1, timeout)):
            collected[index] = result
        for index, source in enumerate(sources):
            if collected[index] is None:
                collected[index] = (_unguarded(work, source), None)
        return collected
    return _collect_all_guarded(sources, work, workers, timeout)


def _collect_all_guarded(sources: list[SourceFile], work, workers: int,
                         timeout: float | None) -> list[tuple[ModuleFacts, bytes | None]]:
    # Biggest files first so that one large file does not finish last on its own.
    order = sorted(range(len(sources)), key=lambda i: -_size(sources[i].path))
    results = run_guarded(functools.partial(_pickled, work), [sources[i] for i in order], workers=workers,
                          timeout=timeout, on_failure=_guard_failure)
    collected: list = [None] * len(sources)
    for position, result in zip(order, results):
        # our own worker's pickle (the cache keeps it as it is); a failure is built here
        collected[position] = (pickle.loads(result), result) if isinstance(result, bytes) else (result, None)
    return collected


def _pickled(work, source: SourceFile) -> bytes:
    return pickle.dumps(work(source), protocol=pickle.HIGHEST_PROTOCOL)


_GUARDED_SIZE = 256 * 1024  # about 6,000 lines


def _unguarded(work, source: SourceFile) -> ModuleFacts:
    try:
        return work(source)
    except Exception as error:  # a bug in wirelint on this file: reported with the file, the run goes on
        return _guard_failure(source, internal_error(error))


def _guard_failure(source: SourceFile, reason: str) -> ModuleFacts:
    """Facts of a file the guard stopped: a DI000 that is never cached (a later run may have more time)."""
    return ModuleFacts.failed(source.module, source.display, source.is_package,
                              ParseErrorFacts(reason, 1, 1, transient=True))


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
