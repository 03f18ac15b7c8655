"""Customers' current segments, one column per framework, read from `segment_assignments`.

The pivot and the count of customers per distinct combination run in the engine; only the
distinct combinations (a few hundred rows) come back, which is all the checks and the
simulation need to decide tiers.
"""
from __future__ import annotations

import datetime as dt

import ibis.expr.types as ir
import pandas as pd

from govex.engine.warehouse import Warehouse
from govex.segments import read_assignments

KEY = "customer_id"


def customer_profiles(warehouse: Warehouse, *, frameworks: tuple[str, ...], as_of: dt.date | None = None,
                      entity: str = "customer") -> ir.Table:
    """customer_id and one segment column per framework (null where the customer has none).

    Uses each framework's latest as-of date unless `as_of` is given; `entity="seller"` reads the
    sellers' rows (the id column keeps its name).
    """
    rows = read_assignments(warehouse, as_of=as_of, entity=entity)
    rows = rows.filter(rows.framework.isin(list(frameworks)))
    return rows.group_by(rows.entity_id.name(KEY)).aggregate(
        **{name: rows.segment.max(where=rows.framework == name) for name in frameworks}
    )


def profile_combinations(
    warehouse: Warehouse, *, frameworks: tuple[str, ...], as_of: dt.date | None = None, entity: str = "customer",
) -> pd.DataFrame:
    """Distinct segment combinations of current customers (or sellers): the framework columns, `customers`, `example_customer`."""
    profiles = customer_profiles(warehouse, frameworks=frameworks, as_of=as_of, entity=entity)
    grouped = profiles.group_by(list(frameworks)).aggregate(
        customers=profiles.count(), example_customer=profiles[KEY].min()
    )
    frame = grouped.execute()
    return frame.astype({name: object for name in frameworks}).where(frame.notna(), None)
