"""Warehouse history for planning: the one place planning reads canonical tables.

Scans and group-bys run in the engine (the warehouse hands out Ibis table expressions; this
module calls their methods, never builds SQL and never imports ibis), and only the aggregated,
bounded frames come back: contacts and cases per queue x reason x interval, orders per day, the
vendor list, and which vendor serves which queue. `plan_from_warehouse` turns them into next
week's demand and a priced staffing plan.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from govex.planning._inputs import PlanningInputError
from govex.planning.forecast import QueueForecast, ShortHistoryError, forecast_queues
from govex.planning.plan import PlanInputs, PlanSettings, StaffingPlan, build_plan
from govex.planning.service_lines import line_vendors, service_line_history
from govex.planning.vendors import VendorTerms

__all__ = [
    "WarehousePlan",
    "cases_by_interval",
    "contacts_by_interval",
    "orders_by_day",
    "plan_assumptions",
    "plan_demand",
    "plan_from_warehouse",
    "queue_markets",
    "queue_vendors",
    "reporting_rates",
    "vendor_terms",
]

MODERATION_CHANNEL = "moderation"
HISTORY_COLUMNS = ["queue", "channel", "reason", "period_start", "contacts", "work_s", "handled"]


def _bucketed(t, time_column: str, interval_minutes: int):
    seconds = interval_minutes * 60
    return t.mutate(bucket=(t[time_column].epoch_seconds() // seconds).cast("int64"))


def _finish(frame: pd.DataFrame, interval_minutes: int) -> pd.DataFrame:
    frame = frame.copy()
    frame["period_start"] = pd.to_datetime(frame.pop("bucket").astype("int64") * interval_minutes * 60, unit="s")
    for col in ("contacts", "work_s", "handled"):
        frame[col] = frame[col].astype("float64")
    return frame[HISTORY_COLUMNS].sort_values(["queue", "period_start", "reason"]).reset_index(drop=True)


def contacts_by_interval(warehouse, *, interval_minutes: int = 30) -> pd.DataFrame:
    """Human-handled contacts per queue, channel, reason and interval, with handle-time sums."""
    t = warehouse.table("contacts", purpose="planning (contact volume history)")
    t = t.filter([~t.automated, t.channel != "self_service"])
    t = _bucketed(t, "created_at", interval_minutes)
    grouped = t.group_by(["queue", "channel", "reason", "bucket"]).aggregate(
        contacts=t.count(),
        work_s=t.handle_time_s.cast("float64").sum().fill_null(0.0),
        handled=t.handle_time_s.count(),
    )
    return _finish(grouped.to_pandas(), interval_minutes)


def cases_by_interval(warehouse, *, interval_minutes: int = 30, by_market: bool = False) -> pd.DataFrame:
    """Human-reviewed moderation cases per policy queue ('moderation_<policy>', with
    `by_market` 'moderation_<policy>_<market>') and interval."""
    t = warehouse.table("moderation_cases", purpose="planning (moderation workload history)")
    t = t.filter(~t.automated)
    t = _bucketed(t, "created_at", interval_minutes)
    queue = "moderation_" + t.policy
    t = t.mutate(queue=queue + "_" + t.market if by_market else queue, reason=t.policy)
    grouped = t.group_by(["queue", "reason", "bucket"]).aggregate(
        contacts=t.count(),
        work_s=t.handle_time_s.cast("float64").sum().fill_null(0.0),
        handled=t.handle_time_s.count(),
    )
    return _finish(grouped.to_pandas().assign(channel=MODERATION_CHANNEL), interval_minutes)


def orders_by_day(warehouse) -> pd.DataFrame:
    """Orders per day (the driver of driver-based contact forecasts)."""
    t = warehouse.table("orders", purpose="planning (order driver)")
    t = t.mutate(day=t.ordered_at.date())
    out = t.group_by("day").aggregate(orders=t.count()).to_pandas()
    return pd.DataFrame({"period_start": pd.to_datetime(out["day"]), "orders": out["orders"].astype("float64")})


def queue_vendors(warehouse) -> dict[str, str]:
    """The vendor that handled most of each queue's work (contacts, and moderation by policy)."""
    pairs = []
    if warehouse.has("contacts"):
        t = warehouse.table("contacts")
        t = t.filter(t.vendor_id.notnull())
        pairs.append(t.group_by(["queue", "vendor_id"]).aggregate(n=t.count()).to_pandas())
    if warehouse.has("moderation_cases"):
        m = warehouse.table("moderation_cases")
        m = m.filter(m.vendor_id.notnull())
        m = m.mutate(queue="moderation_" + m.policy)
        pairs.append(m.group_by(["queue", "vendor_id"]).aggregate(n=m.count()).to_pandas())
    if not pairs:
        return {}
    counts = pd.concat(pairs).sort_values(["queue", "n", "vendor_id"], ascending=[True, False, True])
    return dict(counts.drop_duplicates("queue")[["queue", "vendor_id"]].itertuples(index=False, name=None))


def reporting_rates(warehouse) -> tuple[dict[str, float], str]:
    """Latest rate to the reporting currency per currency, and the reporting currency's code
    (the currency whose rate is 1; 'reporting' when none is)."""
    if not warehouse.has("fx_rates"):
        return {}, ""
    fx = warehouse.table("fx_rates").to_pandas().sort_values("valid_from")
    latest = fx.drop_duplicates("currency", keep="last").set_index("currency")["rate_to_reporting"]
    units = latest[latest == 1.0].index
    return latest.to_dict(), (units[0] if len(units) else "reporting")


def vendor_terms(warehouse) -> dict[str, VendorTerms]:
    """The `vendors` table as validated terms, prices converted to the reporting currency when
    the warehouse has `fx_rates` (a vendor without capacity is an error)."""
    rows = warehouse.table("vendors", purpose="planning (vendor costs)").to_pandas()
    rates, reporting = reporting_rates(warehouse)
    terms = {}
    for row in rows.to_dict("records"):
        t = VendorTerms.from_row(row)
        if rates and t.currency != reporting:
            if t.currency not in rates:
                raise PlanningInputError(f"vendor {t.vendor_id!r} bills in {t.currency}, which fx_rates does not "
                                         "convert; add its rate to the reporting currency")
            f = rates[t.currency]
            t = t.model_copy(update={"rate": t.rate * f, "currency": reporting, "tiers": tuple(
                tier.model_copy(update={"rate": tier.rate * f}) for tier in t.tiers)})
        terms[t.vendor_id] = t
    return terms


def queue_markets(warehouse) -> dict[str, str]:
    """The market with most human-handled contacts in each queue (to pick a language)."""
    t = warehouse.table("contacts")
    t = t.filter(~t.automated)
    counts = t.group_by(["queue", "market"]).aggregate(n=t.count()).to_pandas()
    counts = counts.sort_values(["queue", "n", "market"], ascending=[True, False, True])
    return dict(counts.drop_duplicates("queue")[["queue", "market"]].itertuples(index=False, name=None))


def plan_demand(history: pd.DataFrame, *, interval_minutes: int = 30, profile_weeks: int = 4,
                holdout_days: int = 14) -> tuple[pd.DataFrame, QueueForecast | None]:
    """Next week's demand per queue x reason x interval, and the forecast accuracy behind it.

    Daily totals come from `forecast_queues` for every queue with enough history (see
    `forecast_series`), else from the mean of the queue's recent weeks; each day is then spread over reasons and
    intervals by the shares seen on the same weekday in the last `profile_weeks` weeks, and the
    AHT of each queue x reason is the recent mean.
    """
    if history.empty:
        raise PlanningInputError("no contact or case history in the warehouse to plan from")
    step = pd.Timedelta(minutes=interval_minutes)
    last_day = history["period_start"].max().normalize()
    first_day = history["period_start"].min().normalize()
    plan_start = last_day + pd.Timedelta(days=7 - last_day.dayofweek)  # next Monday
    recent = history[history["period_start"] >= last_day - pd.Timedelta(weeks=profile_weeks) + pd.Timedelta(days=1)]
    recent = recent.assign(weekday=recent["period_start"].dt.dayofweek,
                           slot=((recent["period_start"] - recent["period_start"].dt.normalize()) / step).astype(int))
    shares = recent.groupby(["queue", "channel", "reason", "weekday", "slot"], as_index=False)["contacts"].sum()
    day_totals = shares.groupby(["queue", "weekday"])["contacts"].transform("sum")
    shares["share"] = shares["contacts"] / day_totals
    aht = recent.groupby(["queue", "reason"])[["work_s", "handled"]].sum()
    queue_aht = recent.groupby("queue")[["work_s", "handled"]].sum()
    aht_s = (aht["work_s"] / aht["handled"]).rename("handle_time_s")

    days = (last_day - first_day).days + 1
    daily = history.assign(period_start=history["period_start"].dt.normalize()).groupby(
        ["queue", "period_start"], as_index=False)["contacts"].sum()
    accuracy, frames = None, []
    try:
        accuracy = forecast_queues(daily, grain="day", horizon_days=7 + (plan_start - last_day).days - 1,
                                   holdout_days=holdout_days)
        frames.append(accuracy.forecast[accuracy.forecast["period_start"] >= plan_start])
        averaged = list(accuracy.skipped)
    except ShortHistoryError:
        averaged = list(history["queue"].unique())
    if averaged:  # queues too short for a forecast: the mean of their recent weeks
        per_weekday = recent.assign(day=recent["period_start"].dt.normalize()).groupby(
            ["queue", "weekday"])["contacts"].sum() / max(min(profile_weeks, days / 7), 1)
        frames.append(pd.DataFrame([{"queue": q, "period_start": plan_start + pd.Timedelta(days=d),
                                     "forecast": per_weekday.get((q, d), 0.0)} for q in averaged for d in range(7)]))
    future = pd.concat(frames, ignore_index=True)
    future = future.assign(weekday=future["period_start"].dt.dayofweek, day=future["period_start"])
    demand = future.merge(shares, on=["queue", "weekday"], how="inner")
    demand["contacts"] = demand["forecast"] * demand["share"]
    demand["period_start"] = demand["day"] + demand["slot"] * step
    demand = demand.join(aht_s, on=["queue", "reason"])
    fallback = (queue_aht["work_s"] / queue_aht["handled"]).reindex(demand["queue"]).to_numpy()
    demand["handle_time_s"] = np.where(demand["handle_time_s"].notna(), demand["handle_time_s"], fallback)
    demand = demand[demand["contacts"] > 0].dropna(subset=["handle_time_s"])
    cols = ["queue", "channel", "reason", "period_start", "contacts", "handle_time_s"]
    return demand[cols].sort_values(["queue", "period_start", "reason"]).reset_index(drop=True), accuracy


def plan_assumptions(plan: StaffingPlan, inputs: PlanInputs) -> dict:
    """The planning assumptions behind `plan`, for printing beside it (nothing here is measured)."""
    s = plan.settings
    inhouse = sorted(set(plan.queues.loc[plan.queues["vendor_id"] == "in-house", "queue"]))
    return {
        "currency": s.currency,
        "target": f"{s.target_service_level:.0%} answered within {s.answer_s:g} s (live queues)",
        "max_occupancy": s.max_occupancy,
        "shrinkage": s.shrinkage,
        "chat_concurrency": s.chat_concurrency,
        "backoffice_target": f"{s.backoffice_target_share:.0%} done within {s.backoffice_target_hours:g} h",
        "paid_hours_per_fte_week": s.paid_hours_per_fte_week,
        "inhouse_rate_per_paid_hour": s.inhouse_rate_per_paid_hour,
        "inhouse_queues": inhouse,
        "vendor_terms": sorted(inputs.vendors),
    }


def _assumption_lines(a: dict) -> list[str]:
    lines = [f"assumptions (PlanSettings defaults unless set): service target {a['target']}, occupancy cap "
             f"{a['max_occupancy']:.0%}, shrinkage {a['shrinkage']:.0%}, chat concurrency {a['chat_concurrency']}, "
             f"back office {a['backoffice_target']}, {a['paid_hours_per_fte_week']:g} paid hours per FTE-week, "
             f"costs in {a['currency']}"]
    if a["inhouse_queues"]:
        lines.append(f"  no vendor terms for {', '.join(a['inhouse_queues'])}: priced at the assumed in-house rate of "
                     f"{a['inhouse_rate_per_paid_hour']:,.2f} {a['currency']} per paid hour")
    return lines


@dataclass(frozen=True)
class WarehousePlan:
    """A plan built from the warehouse, with the forecast accuracy of its volumes, the staffing
    needed at the 50th and 90th percentile of forecast volume, and the assumptions used."""

    inputs: PlanInputs
    plan: StaffingPlan
    accuracy: QueueForecast | None
    percentiles: pd.DataFrame | None = None  # queue, peak_agents_p50/p90, fte_p50/p90
    assumptions: dict | None = None

    def summary(self) -> str:
        start = self.inputs.demand["period_start"].min()
        parts = [f"staffing and cost plan for the week of {start:%Y-%m-%d}", self.plan.summary()]
        if self.percentiles is not None:
            parts += ["", "staff needed if volume lands at the forecast's 50th / 90th percentile in every interval:",
                      f"{'queue':<28}{'peak p50':>9}{'peak p90':>9}{'FTE p50':>9}{'FTE p90':>9}"]
            parts += [f"{r.queue:<28}{r.peak_agents_p50:>9.0f}{r.peak_agents_p90:>9.0f}{r.fte_p50:>9.1f}{r.fte_p90:>9.1f}"
                      for r in self.percentiles.itertuples()]
            parts.append(f"{'total':<28}{'':>18}{self.percentiles.fte_p50.sum():>9.1f}"
                         f"{self.percentiles.fte_p90.sum():>9.1f}")
        if self.assumptions:
            parts += ["", *_assumption_lines(self.assumptions)]
        if self.accuracy is not None:
            parts += ["", "daily volume forecast, back-test and holdout accuracy per queue:", self.accuracy.text()]
            if self.accuracy.skipped:
                parts.append("queues not forecast are planned on the mean of their recent weeks")
        else:
            parts += ["", "volumes: mean of recent weeks (history too short for a holdout-scored forecast)"]
        return "\n".join(parts)


def _percentile_staffing(inputs: PlanInputs, accuracy: QueueForecast | None, settings: PlanSettings):
    """Peak agents and FTE per queue with each (queue, day)'s volume scaled from the point
    forecast to its 50th and 90th percentile (None without a forecast)."""
    if accuracy is None:
        return None
    daily = accuracy.forecast.assign(day=accuracy.forecast["period_start"].dt.normalize())
    out = None
    for level in ("p50", "p90"):
        ratio = np.where(daily["forecast"] > 0, daily[level] / daily["forecast"].where(daily["forecast"] > 0, 1), 1.0)
        factors = daily.assign(factor=ratio).set_index(["queue", "day"])["factor"]
        demand = inputs.demand.assign(day=inputs.demand["period_start"].dt.normalize())
        scale = factors.reindex(pd.MultiIndex.from_frame(demand[["queue", "day"]])).fillna(1.0).to_numpy()
        scaled = inputs.with_changes(demand=inputs.demand.assign(contacts=inputs.demand["contacts"] * scale))
        queues = build_plan(scaled, settings).queues[["queue", "peak_agents", "fte"]]
        queues = queues.rename(columns={"peak_agents": f"peak_agents_{level}", "fte": f"fte_{level}"})
        out = queues if out is None else out.merge(queues, on="queue", how="outer")
    out = out[out["queue"].isin(accuracy.accuracy["queue"])]  # queues without a forecast have no percentiles
    return out.sort_values("queue").reset_index(drop=True)


def plan_from_warehouse(warehouse, *, settings: PlanSettings | None = None, profile_weeks: int = 4,
                        holdout_days: int = 14, include_moderation: bool = True,
                        reporting_currency: str = "USD") -> WarehousePlan:
    """Next week's staffing and cost plan for every queue found in the warehouse.

    Costs are in the vendors' currency (converted through fx_rates when there are several);
    without vendors, in the warehouse's reporting currency (the fx_rates unit, else
    `reporting_currency`, the config's default).
    """
    settings = settings or PlanSettings()
    frames = [contacts_by_interval(warehouse, interval_minutes=settings.interval_minutes)]
    if include_moderation and warehouse.has("moderation_cases"):
        frames.append(cases_by_interval(warehouse, interval_minutes=settings.interval_minutes))
    lines = service_line_history(warehouse, interval_minutes=settings.interval_minutes)  # education, service recovery
    history = pd.concat(frames + ([lines] if len(lines) else []), ignore_index=True)
    demand, accuracy = plan_demand(history, interval_minutes=settings.interval_minutes,
                                   profile_weeks=profile_weeks, holdout_days=holdout_days)
    vendors = vendor_terms(warehouse) if warehouse.has("vendors") else {}
    currencies = {t.currency for t in vendors.values()}
    if len(currencies) > 1:
        raise PlanningInputError(f"vendors bill in {', '.join(sorted(currencies))} and the warehouse has no fx_rates "
                                 "to convert them; load fx_rates")
    if currencies:
        settings = settings.model_copy(update={"currency": currencies.pop()})
    elif "currency" not in settings.model_fields_set:
        # no vendor prices anything: the in-house rate is read in the reporting currency
        settings = settings.model_copy(update={"currency": reporting_rates(warehouse)[1] or reporting_currency})
    queue_vendor = {q: v for q, v in queue_vendors(warehouse).items() if v in vendors}
    queue_vendor |= line_vendors(history["queue"], history["channel"], vendors)
    inputs = PlanInputs(demand=demand, vendors=vendors, queue_vendor=queue_vendor)
    plan = build_plan(inputs, settings)
    return WarehousePlan(inputs, plan, accuracy, _percentile_staffing(inputs, accuracy, settings),
                         plan_assumptions(plan, inputs))
