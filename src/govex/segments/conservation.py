"""Conservation: every entity in scope gets exactly one row per framework and as-of, checked before a write.

The scope is stated independently of the framework's own pipeline (for customers: everyone with
a purchase on or before the as-of date), so a join or a filter that drops or duplicates an
entity anywhere upstream is caught here, in the engine, on the staged rows: counts, duplicates
and an anti-join in both directions, with example ids.
"""
from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir

from govex.engine.warehouse import Warehouse
from govex.errors import ConservationError
from govex.features import FeatureOptions
from govex.features.customer import KEY

N_EXAMPLES = 5


def customers_in_scope(warehouse: Warehouse, *, as_of: dt.date, options: FeatureOptions | None = None) -> ir.Table:
    """entity_id of every customer with a purchase (an order not in an excluded status) on or before `as_of`."""
    options = options or FeatureOptions()
    orders = warehouse.table("orders", purpose="the customers in scope")
    bought = orders.filter(
        (orders.ordered_at.date() <= ibis.date(as_of))
        & ~orders.status.isin(list(options.excluded_purchase_statuses))
    )
    return bought.select(entity_id=bought[KEY].cast("string")).distinct()


def conservation_problem(framework: str, rows: ir.Table, scope: ir.Table) -> str | None:
    """What breaks one-row-per-entity between a framework's `rows` and its `scope` (None when nothing does)."""
    n_rows = int(rows.count().execute())
    n_ids = int(rows.entity_id.nunique().execute())
    n_scope = int(scope.count().execute())
    lost = scope.anti_join(rows, "entity_id")
    extra = rows.select("entity_id").anti_join(scope, "entity_id")
    n_lost, n_extra = int(lost.count().execute()), int(extra.count().execute())
    parts = []
    if n_lost:
        parts.append(f"{n_lost:,} of {n_scope:,} entities in scope have no row, e.g. {_examples(lost)}")
    if n_extra:
        parts.append(f"{n_extra:,} row(s) for entities not in scope, e.g. {_examples(extra)}")
    if n_rows != n_ids:
        dup = rows.group_by("entity_id").aggregate(n=rows.count())
        parts.append(f"{n_rows - n_ids:,} duplicate row(s), e.g. {_examples(dup.filter(dup.n > 1))}")
    if not parts:
        return None
    return f"framework {framework!r}: " + "; ".join(parts)


def _examples(ids: ir.Table) -> str:
    found = ids.select("entity_id").order_by("entity_id").limit(N_EXAMPLES).execute().entity_id
    return ", ".join(str(v) for v in found)


def check_conservation(staged: ir.Table, scopes: dict[str, ir.Table]) -> None:
    """Raise ConservationError naming each framework whose staged rows break one-row-per-entity."""
    problems = []
    materialised: dict[int, ir.Table] = {}  # frameworks of one run share their scope: build it once
    for framework, scope in scopes.items():
        scope = materialised.setdefault(id(scope), scope.cache())
        problem = conservation_problem(framework, staged.filter(staged.framework == framework), scope)
        if problem:
            problems.append(problem)
    if problems:
        raise ConservationError("nothing written to segment_assignments: " + "; ".join(problems))
