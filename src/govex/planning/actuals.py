"""Plan vs actual: hours, utilisation and cost per queue and vendor from the `staffing` table.

The staffing table gives planned and actual paid hours and cost, and productive (handle) hours,
per queue, vendor and day; contacts and moderation cases give the volume and handle time. The
cost variance is split into an hours effect (planned rate x hours gap) and a rate effect
(actual hours x rate gap). When the plan's drivers are known (planned volume, handle time,
utilisation, shrinkage per queue and vendor, e.g. from a govex plan), the hours effect is split
further with `cost_variance` into volume, handle-time, utilisation and shrinkage effects.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from govex.planning._inputs import PlanningInputError
from govex.planning.history import reporting_rates
from govex.planning.vendors import CostDrivers, cost_variance

__all__ = ["CostReport", "plan_vs_actual"]

KEYS = ["queue", "vendor_id"]
DRIVER_COLUMNS = ("queue", "vendor_id", "contacts", "handle_time_s", "utilisation", "shrinkage")


@dataclass(frozen=True)
class CostReport:
    """One row per queue x vendor: hours, utilisation, cost, cost per contact and variance effects."""

    table: pd.DataFrame
    currency: str

    def text(self) -> str:
        t = self.table
        w = max(26, int(t["queue"].str.len().max()) + 2) if len(t) else 26
        effects = [c for c in t.columns if c.endswith("_effect")]
        head = (f"{'queue':<{w}}{'vendor':<8}{'contacts':>9}{'plan h':>9}{'actual h':>9}{'util':>7}"
                f"{'plan cost':>11}{'actual cost':>12}{'per contact':>12}" + "".join(f"{e[:-7]:>12}" for e in effects))
        lines = [f"plan vs actual (costs in {self.currency})", head]
        for r in t.itertuples():
            lines.append(f"{r.queue:<{w}}{r.vendor_id:<8}{r.contacts:>9,.0f}{r.planned_hours:>9,.1f}"
                         f"{r.actual_hours:>9,.1f}{r.utilisation:>7.1%}{r.planned_cost:>11,.0f}{r.actual_cost:>12,.0f}"
                         f"{r.cost_per_contact:>12.2f}" + "".join(f"{getattr(r, e):>+12,.0f}" for e in effects))
        total = t[["planned_cost", "actual_cost"]].sum()
        lines.append(f"total: plan {total.planned_cost:,.0f}, actual {total.actual_cost:,.0f}, "
                     f"variance {total.actual_cost - total.planned_cost:+,.0f} {self.currency}")
        return "\n".join(lines)


def _between(t, column, start, end):
    if start is not None:
        t = t.filter(t[column] >= pd.Timestamp(start).date())
    if end is not None:
        t = t.filter(t[column] <= pd.Timestamp(end).date())
    return t


def _volumes(warehouse, start, end) -> pd.DataFrame:
    frames = []
    if warehouse.has("contacts"):
        c = warehouse.table("contacts")
        c = c.filter([~c.automated, c.vendor_id.notnull()]).mutate(day=c.created_at.date())
        c = _between(c, "day", start, end)
        frames.append(c.group_by(KEYS).aggregate(contacts=c.count(),
                                                 work_s=c.handle_time_s.cast("float64").sum()).to_pandas())
    if warehouse.has("moderation_cases"):
        m = warehouse.table("moderation_cases")
        m = m.filter([~m.automated, m.vendor_id.notnull()]).mutate(day=m.created_at.date(),
                                                                     queue="moderation_" + m.policy)
        m = _between(m, "day", start, end)
        frames.append(m.group_by(KEYS).aggregate(contacts=m.count(),
                                                 work_s=m.handle_time_s.cast("float64").sum()).to_pandas())
    if not frames:
        return pd.DataFrame(columns=[*KEYS, "contacts", "work_s"])
    return pd.concat(frames).groupby(KEYS, as_index=False)[["contacts", "work_s"]].sum()


def plan_vs_actual(warehouse, *, start=None, end=None, plan_drivers: pd.DataFrame | None = None) -> CostReport:
    """Compare planned and actual staffing cost per queue x vendor over [start, end] (days).

    Without dates, the period is the span of the staffing table; volumes are counted over the
    same days.
    """
    s = warehouse.table("staffing", purpose="plan vs actual")
    s = _between(s, "date", start, end)
    if start is None or end is None:
        span = s.aggregate(first=s.date.min(), last=s.date.max()).to_pandas().iloc[0]
        start = span["first"] if start is None else start
        end = span["last"] if end is None else end
    agg = s.group_by([*KEYS, "currency"]).aggregate(
        planned_hours=s.planned_hours.sum(), actual_hours=s.actual_hours.sum(),
        productive_hours=s.productive_hours.sum(), planned_cost=s.planned_cost.sum(),
        actual_cost=s.actual_cost.sum(),
    ).to_pandas()
    if agg.empty:
        raise PlanningInputError(f"staffing has no rows between {start or 'the start'} and {end or 'the end'}")
    rates, reporting = reporting_rates(warehouse)
    currencies = sorted(agg["currency"].unique())
    if rates:
        missing = [c for c in currencies if c not in rates]
        if missing:
            raise PlanningInputError(f"staffing costs in {', '.join(missing)} have no fx_rates row; add them")
        factor = agg["currency"].map(rates).astype(float)
        agg["planned_cost"] *= factor
        agg["actual_cost"] *= factor
        currency = reporting
    elif len(currencies) > 1:
        raise PlanningInputError(f"staffing costs are in {', '.join(currencies)} and there is no fx_rates table")
    else:
        currency = currencies[0]
    money = ["planned_hours", "actual_hours", "productive_hours", "planned_cost", "actual_cost"]
    table = agg.groupby(KEYS, as_index=False)[money].sum().merge(_volumes(warehouse, start, end), on=KEYS, how="left")
    table[["contacts", "work_s"]] = table[["contacts", "work_s"]].fillna(0.0).astype(float)
    table["handle_time_s"] = np.where(table["contacts"] > 0, table["work_s"] / table["contacts"].clip(lower=1), 0.0)
    table["utilisation"] = table["productive_hours"] / table["actual_hours"].where(table["actual_hours"] > 0)
    table["cost_per_contact"] = table["actual_cost"] / table["contacts"].where(table["contacts"] > 0)
    plan_rate = table["planned_cost"] / table["planned_hours"].where(table["planned_hours"] > 0)
    actual_rate = table["actual_cost"] / table["actual_hours"].where(table["actual_hours"] > 0)
    table["hours_effect"] = ((table["actual_hours"] - table["planned_hours"]) * plan_rate).fillna(
        table["actual_cost"] - table["planned_cost"])
    table["rate_effect"] = (table["actual_hours"] * (actual_rate - plan_rate)).fillna(0.0)
    if plan_drivers is not None:
        table = _split_hours_effect(table, plan_drivers, plan_rate, actual_rate)
    return CostReport(table.drop(columns="work_s").sort_values(KEYS).reset_index(drop=True), currency)


def _split_hours_effect(table, plan_drivers, plan_rate, actual_rate) -> pd.DataFrame:
    """Volume, handle-time and efficiency effects from the plan's drivers (cost_variance).

    The staffing table does not separate shrinkage from idle time, so the actual shrinkage is
    taken as planned and the whole efficiency gap shows as the utilisation effect.
    """
    missing = [c for c in DRIVER_COLUMNS if c not in plan_drivers.columns]
    if missing:
        raise PlanningInputError(f"plan drivers: missing columns {missing}; expected {list(DRIVER_COLUMNS)}")
    plan = table[KEYS].merge(plan_drivers[list(DRIVER_COLUMNS)], on=KEYS, how="left")
    if plan["contacts"].isna().any():
        row = plan[plan["contacts"].isna()].iloc[0]
        raise PlanningInputError(f"plan drivers: no row for queue {row.queue!r} vendor {row.vendor_id!r}")
    actual_util = (table["productive_hours"] / (table["actual_hours"] * (1 - plan["shrinkage"]))).clip(upper=1.0)
    split = cost_variance(
        plan=CostDrivers(volume=plan["contacts"], handle_time_s=plan["handle_time_s"],
                         utilisation=plan["utilisation"], shrinkage=plan["shrinkage"],
                         rate_per_paid_hour=plan_rate.fillna(0.0)),
        actual=CostDrivers(volume=table["contacts"], handle_time_s=table["handle_time_s"],
                           utilisation=actual_util.where(actual_util > 0, plan["utilisation"]),
                           shrinkage=plan["shrinkage"], rate_per_paid_hour=actual_rate.fillna(0.0)),
    )
    out = table.drop(columns=["hours_effect", "rate_effect"]).copy()
    for name in ("volume_effect", "handle_time_effect", "utilisation_effect", "shrinkage_effect", "rate_effect"):
        out[name] = split[name]
    return out
