"""Write a computed metric cube back to the warehouse as one long table."""
from __future__ import annotations

import pandas as pd

from govex.engine.warehouse import Warehouse
from govex.errors import ConfigError
from govex.metrics.compute import VALUE_COLUMNS
from govex.metrics.plan import PERIOD_COLUMN

CUBE_TABLE = "metric_cube"
_FIXED = {"metric", "period", PERIOD_COLUMN, *VALUE_COLUMNS, "value_shrunk"}


def cube_slices(cube: pd.DataFrame) -> pd.Series:
    """One text key per row naming its cuts, e.g. ``market=BR;segment:value=high`` (empty: no cuts)."""
    dims = [c for c in cube.columns if c not in _FIXED]
    if not dims:
        return pd.Series("", index=cube.index, dtype="string")
    parts = [dim + "=" + cube[dim].astype("string") for dim in dims]
    out = parts[0]
    for part in parts[1:]:
        out = out + ";" + part
    return out


def write_metric_cube(warehouse: Warehouse, cube: pd.DataFrame, *, table: str = CUBE_TABLE) -> str:
    """Replace `table` with the cube (long form plus a `slice` key); returns the table name.

    The frame is fully built before anything is written, and `Warehouse.replace` writes it
    under another name and swaps it in, so a failure never leaves a half-written cube.
    """
    missing = {"metric", "period", PERIOD_COLUMN, *VALUE_COLUMNS} - set(cube.columns)
    if missing:
        raise ConfigError(f"not a metric cube: missing column(s) {', '.join(sorted(missing))}; "
                          "pass the frame returned by compute_metrics")
    frame = cube.copy()
    frame.insert(3, "slice", cube_slices(cube))
    frame["computed_at"] = pd.Timestamp.now(tz="UTC").tz_localize(None)
    warehouse.replace(table, frame)
    return table
