"""Write assignments to the warehouse table `segment_assignments`, all or nothing; read them back.

New rows go to a staging table first and are checked there (exactly one row per entity in
scope, `check_conservation`; every segment one of the framework's labels). Only then is the
table rebuilt, with the rows of the same entity, framework and as-of date replaced, into a
second staging table, which `Warehouse.replace` swaps in (a transaction on DuckDB, a new
version behind a view on Spark). A failure at any step, the swap included, leaves
`segment_assignments` exactly as it was.
"""
from __future__ import annotations

import datetime as dt
import logging
import uuid

import ibis
import ibis.expr.types as ir

from govex.engine.warehouse import Warehouse
from govex.errors import AssignmentError, EngineError, GovexError
from govex.segments.assign import ASSIGNMENT_COLUMNS, Assignment
from govex.segments.conservation import check_conservation

log = logging.getLogger(__name__)

ASSIGNMENTS_TABLE = "segment_assignments"
SCHEMA = ibis.schema({
    "entity": "string", "entity_id": "string", "framework": "string", "as_of": "date", "segment": "string",
    "score": "float64", "reasons": "string", "framework_version": "string",
})


def _check_staged(staged: ir.Table, assignments: list[Assignment]) -> None:
    problems = []
    for a in assignments:
        rows = staged.filter(staged.framework == a.framework)
        bad = rows.filter(rows.segment.isnull() | ~rows.segment.isin(list(a.segments)))
        n_bad = int(bad.count().execute())
        if n_bad:
            examples = bad.select("entity_id", "segment").limit(3).execute().to_dict("records")
            problems.append(f"framework {a.framework!r}: {n_bad} customer(s) got no declared segment, e.g. {examples}")
    if problems:
        raise AssignmentError("nothing written to segment_assignments: " + "; ".join(problems))


def write_assignments(warehouse: Warehouse, assignments: list[Assignment]) -> int:
    """Replace the rows of each (framework, as-of) given; returns the number of rows written."""
    con = warehouse.con
    token = uuid.uuid4().hex[:8]
    staging, rebuilt = f"_govex_segments_staging_{token}", f"_govex_segments_rebuilt_{token}"
    new_rows = ibis.union(*[a.table.select(*ASSIGNMENT_COLUMNS).cast(SCHEMA) for a in assignments])
    try:
        con.create_table(staging, new_rows)
        staged = con.table(staging)
        check_conservation(staged, {a.framework: a.scope for a in assignments if a.scope is not None})
        _check_staged(staged, assignments)
        n_rows = int(staged.count().execute())
        if warehouse.has(ASSIGNMENTS_TABLE):
            old = warehouse.table(ASSIGNMENTS_TABLE).cast(SCHEMA)
            keys = staged.select("entity", "framework", "as_of").distinct()
            kept = old.anti_join(keys, ["entity", "framework", "as_of"])
            con.create_table(rebuilt, ibis.union(kept, staged))
        else:
            con.create_table(rebuilt, staged)
        warehouse.replace(ASSIGNMENTS_TABLE, con.table(rebuilt))
        log.info("wrote %s rows of %s to %s", f"{n_rows:,}", ", ".join(a.framework for a in assignments),
                 ASSIGNMENTS_TABLE)
    except GovexError:
        raise
    except Exception as exc:  # the engine's own error types vary
        raise EngineError(f"could not write {ASSIGNMENTS_TABLE}: {exc}; the table was left unchanged") from exc
    finally:
        for name in (rebuilt, staging):
            if name in con.list_tables():
                con.drop_table(name)
    return n_rows


def read_assignments(
    warehouse: Warehouse, *, framework: str | None = None, as_of: dt.date | None = None, entity: str = "customer"
) -> ir.Table:
    """Assignments of one entity (and framework); the latest as-of date per framework when `as_of` is None."""
    t = warehouse.table(ASSIGNMENTS_TABLE, purpose="segment profiles and transitions")
    t = t.filter(t.entity == entity)
    if framework is not None:
        t = t.filter(t.framework == framework)
    if as_of is not None:
        return t.filter(t.as_of == ibis.date(as_of))
    latest = t.group_by("framework").aggregate(latest=t.as_of.max())
    joined = t.join(latest, "framework")
    return joined.filter(joined.as_of == joined.latest).drop("latest")
