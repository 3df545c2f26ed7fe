"""Packages whose names load on first use, so that ``import custlab`` takes milliseconds.

``import pandas`` alone takes about a second, matplotlib's pyplot and scipy's optimisers
about as much again: a package that imported every module up front would make every
script, test and ``python -m custlab --help`` wait for all of them. Python's module-level
``__getattr__`` (PEP 562) lets a package import a name's module the first time the name
is used. The scientific Python projects' ``lazy_loader`` does the same, but an imported
submodule then replaces a function of the same name in its package
(``custlab.lifecycle.funnel`` is a function and a module), so the few lines are kept here.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Callable, Iterable, Mapping

__all__ = ["attach"]


def attach(package: str, origins: Mapping[str, Iterable[str]], *, submodules: Iterable[str] = (),
           functions_over_modules: Iterable[str] = ()) -> tuple[Callable, Callable]:
    """The ``__getattr__`` and ``__dir__`` of a package whose names load on first use.

    Parameters
    ----------
    package : str
        The package's ``__name__``.
    origins : mapping
        Module name to the public names it provides.
    submodules : iterable of str
        Names of submodules that are attributes of the package too, loaded on first use.
    functions_over_modules : iterable of str
        Names that are both a function of the package and one of its submodules: the name
        stays the function when the submodule is imported.

    Examples
    --------
    In a package's ``__init__.py``::

        __getattr__, __dir__ = attach(__name__, {"custlab.summaries": ("rfm_summary",)})
    """
    lazy = {name: module for module, names in origins.items() for name in names}
    submodules = frozenset(submodules)
    module = sys.modules[package]

    def __getattr__(name: str):
        if name in submodules:
            value = importlib.import_module(f"{package}.{name}")
        elif name in lazy:
            value = getattr(importlib.import_module(lazy[name]), name)
        else:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module.__dict__[name] = value        # once loaded, an ordinary attribute
        return value

    def __dir__() -> list[str]:
        return sorted(set(module.__all__) | submodules | {n for n in module.__dict__ if not n.startswith("_")})

    keep = frozenset(functions_over_modules)
    if keep:
        class Package(types.ModuleType):
            def __setattr__(self, attr: str, value) -> None:
                # Importing a submodule stores it on its package; it must not hide the function.
                if attr in keep and isinstance(value, types.ModuleType):
                    return
                super().__setattr__(attr, value)

        module.__class__ = Package
    return __getattr__, __dir__
