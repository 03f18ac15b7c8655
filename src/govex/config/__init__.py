"""govex.yaml: pydantic models, a loader that reports file:line, and the example `govex init` writes.

Public names are resolved on first use (PEP 562 module `__getattr__`): the pydantic models take
a fifth of a second to build, and the engine needs only `govex.config.defaults` to open a warehouse.
"""
from __future__ import annotations

from govex._lazy import lazy_names

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
__getattr__, __dir__ = lazy_names(__name__, _HOME, globals())
