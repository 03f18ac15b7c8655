"""govex.yaml: pydantic models, a loader that reports file:line, and the example `govex init` writes.

Public names are resolved on first use (PEP 562 module `__getattr__`): the pydantic models take
a fifth of a second to build, and the engine needs only `govex.config.defaults` to open a warehouse.
"""
from __future__ import annotations

import importlib

# public name -> submodule that defines it
_HOME = {
    "EXAMPLE_CONFIG": "example",
    "write_example_config": "example",
    "config_json_schema": "json_schema",
    "load_config": "loader",
    "GovexConfig": "model",
    "Pseudonymisation": "model",
    "TableSource": "model",
}

__all__ = sorted(_HOME)


def __getattr__(name: str):
    if name not in _HOME:
        raise AttributeError(f"module 'govex.config' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"govex.config.{_HOME[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOME))
