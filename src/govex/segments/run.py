"""One call for notebooks, the CLI and the demo: check, assign, write, summarise."""
from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path

import ibis
import pandas as pd

from govex.engine.warehouse import Warehouse
from govex.segments.assign import Assignments, assign_frameworks
from govex.segments.loader import load_frameworks
from govex.segments.store import read_assignments, write_assignments


def run_segmentation(
    warehouse: Warehouse, *, as_of: dt.date, frameworks_dir: str | Path | None = None,
    names: tuple[str, ...] | None = None, write: bool = True,
) -> Assignments:
    """Load the frameworks (shipped defaults unless `frameworks_dir`), assign, and write them.

    Nothing is written unless every framework passes its checks and every customer in scope gets
    exactly one declared segment. Frameworks the warehouse's tables do not support are skipped
    (`Assignments.skipped`, one line each).
    """
    frameworks = load_frameworks(frameworks_dir, names=names)
    assignments = assign_frameworks(warehouse, frameworks, as_of=as_of)
    if write:
        write_assignments(warehouse, assignments)
    return assignments


def assign_and_count(
    warehouse: Warehouse, *, as_of: dt.date, frameworks_dir: str | Path | None = None,
    names: tuple[str, ...] | None = None, write: bool = True,
) -> pd.DataFrame:
    """Run the frameworks and return their segment sizes (see `segment_sizes`)."""
    assignments = run_segmentation(warehouse, as_of=as_of, frameworks_dir=frameworks_dir, names=names, write=write)
    return segment_sizes(warehouse, assignments, as_of=as_of, written=write)


def assign_all(warehouse: Warehouse, **options) -> pd.DataFrame:
    """Deprecated name of `assign_and_count` (it returns sizes, not assignments); goes in the next release."""
    warnings.warn("assign_all is deprecated and goes in the next release; use assign_and_count",
                  DeprecationWarning, stacklevel=2)
    return assign_and_count(warehouse, **options)


def segment_sizes(warehouse: Warehouse, assignments: Assignments, *, as_of: dt.date, written: bool = True) -> pd.DataFrame:
    """framework, segment, customers, share of each framework run.

    Counted on the rows written (read back from segment_assignments), never on a second run of
    the assignment expressions; when nothing was written each expression runs once here.
    """
    if written:
        rows = read_assignments(warehouse, as_of=as_of)
        rows = rows.filter(rows.framework.isin([a.framework for a in assignments]))
    else:
        rows = ibis.union(*[a.table.select("framework", "segment") for a in assignments])
    counted = rows.group_by(["framework", "segment"]).aggregate(customers=rows.count()).execute()
    frames = []
    for a in assignments:
        counts = counted[counted.framework == a.framework].set_index("segment")[["customers"]]
        counts = counts.reindex(list(a.segments), fill_value=0).rename_axis("segment").reset_index()
        counts = counts[counts.customers > 0] if len(a.segments) > 12 else counts
        counts.insert(0, "framework", a.framework)
        counts["share"] = counts.customers / max(int(counts.customers.sum()), 1)
        frames.append(counts)
    return pd.concat(frames, ignore_index=True)


def latest_as_of(warehouse: Warehouse) -> dt.date:
    """The day after the last order: the natural as-of date of a warehouse's newest data."""
    last_order = warehouse.table("orders", purpose="segmentation").ordered_at.max().execute()
    return (pd.Timestamp(last_order) + pd.Timedelta(days=1)).date()
