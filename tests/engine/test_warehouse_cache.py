"""Warehouse looks each engine table up once per run, and forgets what its own writes change."""
from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pandas as pd

from govex.engine import Warehouse

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "features"))
from tiny_marketplace import AS_OF, tiny_frames  # noqa: E402


class _CountingConnection:
    """Records every SQL statement sent to the DuckDB connection under an Ibis backend."""

    def __init__(self, inner):
        self.inner, self.statements = inner, []

    def execute(self, sql, *args, **kwargs):
        self.statements.append(str(sql))
        return self.inner.execute(sql, *args, **kwargs)

    def sql(self, sql, *args, **kwargs):
        self.statements.append(str(sql))
        return self.inner.sql(sql, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.inner, name)


def _counting(warehouse: Warehouse) -> _CountingConnection:
    proxy = _CountingConnection(warehouse.con.con)
    warehouse.con.con = proxy
    return proxy


def test_features_and_frameworks_describe_each_table_once():
    from govex.segments import assign_frameworks, load_frameworks

    warehouse = Warehouse.from_frames(tiny_frames())
    log = _counting(warehouse)
    frameworks = load_frameworks(names=("lifecycle", "value", "risk", "intent"))
    for assignment in assign_frameworks(warehouse, frameworks, as_of=AS_OF):
        assignment.table.execute()
    described = Counter(s.split('"')[1] for s in log.statements if s.lstrip().upper().startswith("DESCRIBE"))
    canonical = {name: n for name, n in described.items() if not name.startswith(("temp", "memory"))}
    assert canonical and set(canonical) <= {"orders", "disputes", "returns", "contacts", "surveys", "moderation_cases"}
    assert max(canonical.values()) == 1, canonical  # four frameworks ask for orders many times
    assert sum("information_schema.tables" in s for s in log.statements) == 1


def test_a_write_through_the_warehouse_is_seen_and_absent_tables_are_remembered():
    warehouse = Warehouse.from_frames({"orders": tiny_frames()["orders"]})
    log = _counting(warehouse)
    assert not warehouse.has("metric_cube") and not warehouse.has("metric_cube")
    assert sum("information_schema.tables" in s for s in log.statements) == 1
    warehouse.replace("metric_cube", pd.DataFrame({"x": [1, 2]}))
    assert warehouse.has("metric_cube")
    assert warehouse.table("metric_cube").count().execute() == 2
    warehouse.replace("metric_cube", pd.DataFrame({"y": [3.0]}))
    assert warehouse.table("metric_cube").columns == ("y",)  # the new schema, not the cached one
