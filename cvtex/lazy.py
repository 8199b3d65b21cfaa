"""Lazy public names for cvtex's subpackages (PEP 562): a package's ``__init__`` lists which
of its modules defines each public name, and a name's module is imported only when the name
is first used — so that ``cvtex validate`` (a pre-commit hook) does not import the PDF, HTTP
and template libraries other stages need."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable
from typing import Any


def exports(package: str, modules: dict[str, Iterable[str]], eager: Iterable[str] = ()
            ) -> tuple[Callable[[str], Any], Callable[[], list[str]], list[str]]:
    """``(__getattr__, __dir__, __all__)`` for the package named ``package``: ``modules`` maps
    a module of the package (``"pool"`` for ``<package>.pool``) to the public names it
    defines; ``eager`` names the package imports itself. A name, once imported, is kept in
    the package's namespace. ``__getattr__`` raises ``AttributeError`` for any other name."""
    where = {name: module for module, names in modules.items() for name in names}

    def __getattr__(name: str) -> Any:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        setattr(sys.modules[package], name, value)
        return value

    public = sorted({*where, *eager})

    def __dir__() -> list[str]:
        return sorted({*vars(sys.modules[package]), *public})

    return __getattr__, __dir__, public
