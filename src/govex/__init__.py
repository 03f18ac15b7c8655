"""govex: the governance & experience strategy toolkit for marketplaces.

Data flows one way: sources -> canonical tables -> features -> segments -> metric cubes ->
analysis -> plans -> outputs. See docs/architecture.md.

The public entry points, one per stage, are imported on first use so that `import govex` stays
fast (a notebook that wants one metric does not load the planner or the report renderer)::

    import govex
    warehouse = govex.connect("govex.yaml")       # or a DuckDB file, or an Ibis URL
    govex.run_segmentation(warehouse, as_of=date(2025, 7, 1))
    cube = govex.compute_metrics(warehouse, metrics=["contact_rate"], by=["market"], period="month")
    changes = govex.what_moved(warehouse, metrics=["contact_rate"], by=["market", "reason"])

Everything else is reached through its stage package (`govex.metrics`, `govex.planning`, ...).
"""
from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from govex.engine.warehouse import Warehouse

__version__ = "0.1.0"

# public name -> stage package that defines it (in stage order). The ingest stage's entry is
# `govex.ingest.ingest`: a top-level `ingest` would be shadowed by the package of the same name.
_ENTRY_POINTS = {
    "customer_features": "govex.features",
    "run_segmentation": "govex.segments",
    "compute_metrics": "govex.metrics",
    "explain_metric": "govex.analysis",
    "what_moved": "govex.analysis",
    "simulate_policies": "govex.policy",
    "plan_from_warehouse": "govex.planning",
    "automation_study": "govex.voc",
    "build_report": "govex.reports",
}
__all__ = ["__version__", "connect", *_ENTRY_POINTS]


def connect(source: str | Path = "govex.yaml") -> Warehouse:
    """The warehouse every stage reads and writes.

    `source` is a govex.yaml (its engine, with the mapped tables read in place and checked
    against the contract), a DuckDB file, or an Ibis URL (duckdb:///file, pyspark:///folder, ...).
    """
    from govex.config import load_config
    from govex.engine.warehouse import Warehouse

    text = str(source)
    if "://" in text:
        return Warehouse.open(text)
    path = Path(text)
    if path.suffix in (".yaml", ".yml"):
        return Warehouse.from_config(load_config(path))
    return Warehouse.open(f"duckdb:///{path.resolve()}")


def __getattr__(name: str):
    if name not in _ENTRY_POINTS:
        raise AttributeError(f"module 'govex' has no attribute {name!r}")
    value = getattr(importlib.import_module(_ENTRY_POINTS[name]), name)
    globals()[name] = value  # the next lookup skips this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
