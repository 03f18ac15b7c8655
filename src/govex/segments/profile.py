"""Segment profiles: what each segment is worth and what it costs to serve.

Per segment, over the `window_days` up to the as-of date: customers, share of customers, orders,
GMV and its share, orders per customer, contacts per order, mean CSAT, dispute rate (disputed
or charged-back orders per order) and, when staffing costs exist, cost-to-serve per order
(contact handle hours x cost per productive hour). Figures whose table is missing are left out.
"""
from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir
import pandas as pd

from govex.engine.warehouse import Warehouse
from govex.errors import MissingTableError
from govex.segments.store import read_assignments


def _window(table: ir.Table, column: str, start: dt.date, end: dt.date) -> ir.Table:
    day = table[column].date()
    return table.filter((day > ibis.date(start)) & (day <= ibis.date(end)))


def _per_customer(warehouse: Warehouse, start: dt.date, end: dt.date) -> tuple[list[ir.Table], list[str]]:
    parts, skipped = [], []
    orders = _window(warehouse.table("orders", purpose="segment profiles"), "ordered_at", start, end)
    parts.append(orders.group_by("customer_id").aggregate(orders=orders.count(), gmv=orders.amount.sum()))
    def contacts(t: ir.Table) -> ir.Table:
        t = t.filter(t.customer_id.notnull())
        return t.group_by("customer_id").aggregate(contacts=t.count(), handle_time_s=t.handle_time_s.sum())

    def surveys(t: ir.Table) -> ir.Table:
        t = t.filter(t.csat.notnull())
        return t.group_by("customer_id").aggregate(csat_sum=t.csat.sum().cast("float64"), csat_n=t.csat.count())

    def disputes(t: ir.Table) -> ir.Table:
        return t.group_by("customer_id").aggregate(disputed_orders=t.order_id.nunique())

    builders = {"contacts": (contacts, "created_at"), "surveys": (surveys, "responded_at"), "disputes": (disputes, "opened_at")}
    for name, (build, date_column) in builders.items():
        try:
            parts.append(build(_window(warehouse.table(name, purpose="segment profiles"), date_column, start, end)))
        except MissingTableError as exc:
            skipped.append(str(exc))
    return parts, skipped


def _cost_per_hour(warehouse: Warehouse, start: dt.date, end: dt.date) -> float | None:
    if not warehouse.has("staffing"):
        return None
    s = warehouse.table("staffing")
    s = s.filter((s.date > ibis.date(start)) & (s.date <= ibis.date(end)))
    cost = s.actual_cost.fill_null(s.planned_cost)
    hours = s.productive_hours.fill_null(s.actual_hours).fill_null(s.planned_hours)
    row = s.aggregate(cost=cost.sum(), hours=hours.sum()).execute().iloc[0]
    return float(row.cost / row.hours) if row.hours and row.hours > 0 else None


def segment_profile(
    warehouse: Warehouse, *, framework: str, as_of: dt.date | None = None, window_days: int = 365
) -> pd.DataFrame:
    """One row per segment of `framework` (latest as-of when None) with size, value and service figures."""
    assignments = read_assignments(warehouse, framework=framework, as_of=as_of)
    if as_of is None:
        as_of = assignments.as_of.max().execute()
        as_of = as_of.date() if hasattr(as_of, "date") else as_of
    start = as_of - dt.timedelta(days=window_days)
    table = assignments.select(customer_id="entity_id", segment="segment")
    parts, _ = _per_customer(warehouse, start, as_of)
    for part in parts:
        table = table.left_join(part, "customer_id").drop("customer_id_right")
    sums = {c: table[c].sum().cast("float64") for c in table.columns if c not in ("customer_id", "segment")}
    frame = table.group_by("segment").aggregate(customers=table.count(), **sums).execute().fillna(0)
    frame = frame.set_index("segment").sort_index()
    out = pd.DataFrame({"customers": frame.customers, "share_customers": frame.customers / frame.customers.sum()})
    out["orders"] = frame.orders
    out["gmv"] = frame.gmv
    out["share_gmv"] = frame.gmv / frame.gmv.sum() if frame.gmv.sum() else 0.0
    out["orders_per_customer"] = frame.orders / frame.customers
    if "contacts" in frame:
        out["contacts_per_order"] = frame.contacts / frame.orders.where(frame.orders > 0)
    if "csat_sum" in frame:
        out["csat"] = frame.csat_sum / frame.csat_n.where(frame.csat_n > 0)
    if "disputed_orders" in frame:
        out["dispute_rate"] = frame.disputed_orders / frame.orders.where(frame.orders > 0)
    cost_per_hour = _cost_per_hour(warehouse, start, as_of)
    if cost_per_hour is not None and "handle_time_s" in frame:
        out["cost_to_serve_per_order"] = frame.handle_time_s / 3600.0 * cost_per_hour / frame.orders.where(frame.orders > 0)
    out.insert(0, "framework", framework)
    out.insert(1, "as_of", as_of)
    return out.reset_index()
