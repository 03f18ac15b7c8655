"""Old names kept for one release after a rename: reading one warns and gives the new object."""
from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from typing import Any


def renamed_names(module: str, renames: Mapping[str, str], namespace: Mapping[str, Any]) -> Callable[[str], Any]:
    """A module `__getattr__` that answers each old name of `renames` with its new object and a DeprecationWarning."""

    def __getattr__(name: str) -> Any:
        if name in renames:
            warnings.warn(f"{module}.{name} is deprecated and goes in the next release; use {renames[name]}",
                          DeprecationWarning, stacklevel=2)
            return namespace[renames[name]]
        raise AttributeError(f"module {module!r} has no attribute {name!r}")

    return __getattr__
