"""Which files are analyzed, and their module names as Python finds them."""

from __future__ import annotations

from pathlib import Path

import pytest

from wirelint.analyzer.discovery import DiscoveryError, discover


def touch(root: Path, *relatives: str) -> None:
    for relative in relatives:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("")


def test_module_names_from_package_roots(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    touch(tmp_path, "src/pkg/__init__.py", "src/pkg/api/__init__.py", "src/pkg/api/items.py",
          "src/pkg/data/source/type/__init__.py", "src/pkg/data/source/type/views.py",
          "scripts/tool.py", "app/main.py", ".venv/lib/x.py", "node_modules/y.py", "src/pkg/__pycache__/z.py")
    found = {source.display: (source.module, source.is_package, source.aliases) for source in discover(["."])}
    assert found == {
        "app/main.py": ("main", False, ("app.main",)),
        "scripts/tool.py": ("tool", False, ("scripts.tool",)),
        "src/pkg/__init__.py": ("pkg", True, ("src.pkg",)),
        "src/pkg/api/__init__.py": ("pkg.api", True, ("src.pkg.api",)),
        "src/pkg/api/items.py": ("pkg.api.items", False, ("src.pkg.api.items",)),
        # `data/` and `source/` have no __init__.py: namespace portions inside the regular package `pkg`.
        "src/pkg/data/source/type/__init__.py": ("pkg.data.source.type", True, ("src.pkg.data.source.type",)),
        "src/pkg/data/source/type/views.py": ("pkg.data.source.type.views", False,
                                              ("src.pkg.data.source.type.views",)),
    }


def test_missing_path_is_an_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(DiscoveryError, match="path does not exist: nope"):
        discover(["nope"])


def test_git_info_exclude_applies_under_every_gitignore(tmp_path, monkeypatch):
    """`.git/info/exclude` ignores as a root .gitignore does, but any .gitignore can re-include (git's order)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git/info").mkdir(parents=True)
    (tmp_path / ".git/info/exclude").write_text("scratch/\nlocal_*.py\n")
    (tmp_path / "app/.gitignore").parent.mkdir()
    (tmp_path / "app/.gitignore").write_text("!local_keep.py\n")
    touch(tmp_path, "app/__init__.py", "app/main.py", "app/local_try.py", "app/local_keep.py", "scratch/x.py")
    assert [f.display for f in discover([Path(".")])] == ["app/__init__.py", "app/local_keep.py", "app/main.py"]
    assert len(discover([Path(".")], respect_gitignore=False)) == 5


def test_a_worktree_reads_the_main_repositorys_info_exclude(tmp_path, monkeypatch):
    main_git = tmp_path / "main/.git"
    (main_git / "info").mkdir(parents=True)
    (main_git / "info/exclude").write_text("notes.py\n")
    (main_git / "worktrees/feature").mkdir(parents=True)
    (main_git / "worktrees/feature/commondir").write_text("../..\n")
    tree = tmp_path / "feature"
    tree.mkdir()
    (tree / ".git").write_text(f"gitdir: {main_git / 'worktrees/feature'}\n")
    touch(tree, "notes.py", "app.py")
    monkeypatch.chdir(tree)
    assert [f.display for f in discover([Path(".")])] == ["app.py"]
