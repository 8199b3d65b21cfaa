"""Which files a theme is made of, without reading ``theme.yaml`` (no pydantic, no Jinja2:
the build cache hashes them when it replays a render).

A theme's templates and LaTeX packages are looked up in the theme's directory first and
then in the shared base, ``themes/_base`` (:func:`base_dir`); a file of the theme replaces
the base's file of the same relative path.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

#: The directory of the shared base, beside the built-in themes (not a theme: no ``theme.yaml``).
BASE = "_base"


def themes_root() -> Path:
    """Where the built-in themes are: ``cvtex/themes`` in an installed wheel, else the
    repository's ``themes/`` next to the package."""
    packaged = Path(str(resources.files("cvtex"))) / "themes"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[2] / "themes"


def base_dir() -> Path:
    """The shared base of the themes (``themes/_base``)."""
    return themes_root() / BASE


def theme_search_path(theme_dir: Path) -> tuple[Path, ...]:
    """Where a theme's files are looked up, in order: ``theme_dir``, then the shared base
    (left out when ``theme_dir`` is the base)."""
    theme_dir, base = Path(theme_dir), base_dir()
    return (theme_dir,) if theme_dir.resolve() == base.resolve() else (theme_dir, base)


def source_files(theme_dir: Path) -> list[tuple[str, Path]]:
    """``(name, path)`` for every file the theme in ``theme_dir`` is made of: its own files
    (``name`` relative to it), then the shared base's (``name``: ``_base/`` and the relative
    path), also those it replaces: a theme's template may include the base's by its
    ``_base/`` name. Sorted by name within each; ``__pycache__`` and hidden files are left out."""
    out: list[tuple[str, Path]] = []
    for index, root in enumerate(theme_search_path(theme_dir)):
        found = []
        for path in root.rglob("*"):
            rel = path.relative_to(root).as_posix()
            if not path.is_file() or any(part.startswith(".") or part == "__pycache__" for part in rel.split("/")):
                continue
            found.append((rel if index == 0 else f"{BASE}/{rel}", path))
        out += sorted(found)
    return out


def copy_theme(theme_dir: Path, target: Path, *, with_base: bool = False) -> Path:
    """Copy the theme in ``theme_dir`` to ``target`` (which must not exist; its parent is
    made) and return ``target``. With ``with_base``, the shared base's files the theme does
    not replace are copied in too (at their paths in the base), so the copy has every
    template and package it uses and any of them can be changed there. Raises ``OSError``."""
    import shutil

    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(theme_dir, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".*"))
    if with_base:
        base = base_dir()
        for name, path in source_files(Path(theme_dir)):
            copied = target / path.relative_to(base) if name.startswith(f"{BASE}/") else None
            if copied is not None and not copied.exists():  # not one the theme replaces
                copied.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, copied)
    return target
