"""A week's staffing and cost plan for every queue: the thin orchestrator over the kernels.

Input is one frame of demand for the plan week at interval grain (queue, channel, reason,
period_start, contacts, handle_time_s). Live queues (phone, chat) are sized interval by interval
with Erlang C (Erlang A when a patience is set); asynchronous queues (e-mail, messaging,
moderation) by the back-office backlog simulation. Staffed hours are priced with each queue's
vendor terms. Scenarios rebuild the plan from changed inputs and compare.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from govex.contract.schema import FUNCTIONS
from govex.planning._inputs import PlanningInputError
from govex.planning.backoffice import HOURS_PER_WEEK, staff_backoffice
from govex.planning.erlang import staff_intervals
from govex.planning.service_lines import function_of
from govex.planning.vendors import VendorTerms, weekly_cost

__all__ = ["PlanInputs", "PlanSettings", "QueueTarget", "StaffingPlan", "build_plan"]

LIVE_CHANNELS = ("phone", "chat")
DEMAND_COLUMNS = ("queue", "channel", "reason", "period_start", "contacts", "handle_time_s")


class QueueTarget(BaseModel):
    """Service target of one queue, overriding the plan defaults."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    target_service_level: float | None = Field(default=None, gt=0, lt=1)
    answer_s: float | None = Field(default=None, ge=0)
    backoffice_target_hours: float | None = Field(default=None, ge=0.5, le=HOURS_PER_WEEK)


class PlanSettings(BaseModel):
    """Targets and planning assumptions shared by all queues unless a queue overrides them."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    interval_minutes: int = Field(default=30, gt=0, le=60)
    target_service_level: float = Field(default=0.8, gt=0, lt=1)
    answer_s: float = Field(default=20.0, ge=0)
    max_occupancy: float = Field(default=0.85, gt=0, le=1)
    patience_s: float | None = Field(default=None, gt=0)
    max_abandonment: float | None = Field(default=None, gt=0, le=1)
    shrinkage: float = Field(default=0.3, ge=0, lt=1)
    chat_concurrency: int = Field(default=2, ge=1)
    backoffice_target_hours: float = Field(default=24.0, ge=0.5, le=HOURS_PER_WEEK)
    backoffice_target_share: float = Field(default=0.9, gt=0, lt=1)
    backoffice_utilisation: float = Field(default=0.85, gt=0, le=1)
    rework: float = Field(default=0.0, ge=0)
    paid_hours_per_fte_week: float = Field(default=40.0, gt=0)
    inhouse_rate_per_paid_hour: float = Field(default=30.0, ge=0)
    currency: str = "EUR"
    queue_targets: dict[str, QueueTarget] = Field(default_factory=dict)

    def target_for(self, queue: str) -> tuple[float, float, float]:
        t = self.queue_targets.get(queue, QueueTarget())
        return (
            t.target_service_level if t.target_service_level is not None else self.target_service_level,
            t.answer_s if t.answer_s is not None else self.answer_s,
            t.backoffice_target_hours if t.backoffice_target_hours is not None else self.backoffice_target_hours,
        )


@dataclass(frozen=True)
class PlanInputs:
    """Everything a plan is built from: demand of the plan week, vendors and who serves which queue."""

    demand: pd.DataFrame
    vendors: dict[str, VendorTerms] = field(default_factory=dict)
    queue_vendor: dict[str, str] = field(default_factory=dict)

    def __post_init__(self):
        missing = [c for c in DEMAND_COLUMNS if c not in self.demand.columns]
        if missing:
            raise PlanningInputError(f"demand: missing columns {missing}; expected {list(DEMAND_COLUMNS)}")
        if (self.demand["contacts"] < 0).any():
            row = self.demand[self.demand["contacts"] < 0].iloc[0]
            raise PlanningInputError(f"demand: negative contacts ({row.contacts:g}) for queue {row.queue!r} at "
                                     f"{row.period_start}; volumes cannot be negative")
        live = self.demand["contacts"] > 0
        if (self.demand.loc[live, "handle_time_s"].fillna(0) <= 0).any():
            row = self.demand[live & (self.demand["handle_time_s"].fillna(0) <= 0)].iloc[0]
            raise PlanningInputError(f"demand: handle_time_s {row.handle_time_s} for queue {row.queue!r} reason "
                                     f"{row.reason!r}; expected > 0 where there are contacts")
        unknown = sorted(set(self.queue_vendor.values()) - set(self.vendors))
        if unknown:
            raise PlanningInputError(f"queue_vendor names vendors not in the vendor list: {', '.join(unknown)}")

    def with_changes(self, **changes) -> "PlanInputs":
        return replace(self, **changes)


@dataclass(frozen=True)
class StaffingPlan:
    """Per-interval staffing (live queues) and the weekly summary per queue."""

    intervals: pd.DataFrame
    queues: pd.DataFrame
    settings: PlanSettings

    @property
    def total_fte(self) -> float:
        return float(self.queues["fte"].sum())

    @property
    def total_cost_week(self) -> float:
        return float(self.queues["cost_week"].sum())

    def summary(self) -> str:
        cur = self.settings.currency
        w = max(26, int(self.queues["queue"].str.len().max()) + 2)
        lines = [f"{'queue':<{w}}{'channel':<12}{'contacts/wk':>12}{'AHT s':>7}{'peak':>6}{'FTE':>8}"
                 f"{'service':>9}{'cost/wk ' + cur:>15}{'per contact':>12}  vendor"]
        for r in self.queues.itertuples():
            lines.append(f"{r.queue:<{w}}{r.channel:<12}{r.contacts_week:>12,.0f}{r.handle_time_s:>7.0f}"
                         f"{r.peak_agents:>6.0f}{r.fte:>8.1f}{r.service_level:>9.1%}{r.cost_week:>15,.0f}"
                         f"{r.cost_per_contact:>12.2f}  {r.vendor_id}")
        lines.append(f"total: {self.total_fte:,.1f} FTE, {self.total_cost_week:,.0f} {cur} per week")
        lines.append("by service line: " + "; ".join(f"{r.line.replace('_', ' ')} {r.fte:,.1f} FTE, {r.cost_week:,.0f} {cur}"
                                                      for r in self.by_line().itertuples()))
        return "\n".join(lines)

    def by_line(self) -> pd.DataFrame:
        """Work, FTE and cost per week of each of the four service lines (a queue's line is its
        channel's function; a line without work in the plan week reads 0)."""
        lines = self.queues.assign(line=self.queues["channel"].map(function_of))
        totals = lines.groupby("line")[["contacts_week", "fte", "cost_week"]].sum()
        return totals.reindex(list(FUNCTIONS), fill_value=0.0).rename_axis("line").reset_index()  # all four, even idle


def _queue_demand(demand: pd.DataFrame) -> pd.DataFrame:
    """Contacts and contact-weighted AHT per queue and interval (reasons summed)."""
    d = demand.assign(work_s=demand["contacts"] * demand["handle_time_s"].fillna(0.0))
    out = d.groupby(["queue", "channel", "period_start"], as_index=False)[["contacts", "work_s"]].sum()
    out["handle_time_s"] = np.where(out["contacts"] > 0, out["work_s"] / out["contacts"].where(out["contacts"] > 0, 1), 0.0)
    return out.drop(columns="work_s")


def build_plan(inputs: PlanInputs, settings: PlanSettings | None = None) -> StaffingPlan:
    """Size and price every queue of `inputs` for the plan week."""
    settings = settings or PlanSettings()
    per_interval = _queue_demand(inputs.demand)
    interval_h = settings.interval_minutes / 60.0
    live = per_interval[per_interval["channel"].isin(LIVE_CHANNELS)].copy()
    rows = []
    if not live.empty:
        live = _staff_live(live, settings)
        for (queue, channel), g in live.groupby(["queue", "channel"], sort=True):
            contacts = g["contacts"].sum()
            staffed = float(g["agents"].sum() * interval_h)
            answered = float((g["service_level"] * g["contacts"]).sum() / contacts) if contacts else 1.0
            rows.append(_summary_row(settings, queue, channel, contacts, g, staffed, float(g["agents"].max()),
                                     answered))
    back = per_interval[~per_interval["channel"].isin(LIVE_CHANNELS)]
    for (queue, channel), g in back.groupby(["queue", "channel"], sort=True):
        rows.append(_staff_backoffice_queue(settings, queue, channel, g))
    queues = _price(pd.DataFrame(rows), inputs, settings)
    return StaffingPlan(live, queues, settings)


def _price(queues: pd.DataFrame, inputs: PlanInputs, settings: PlanSettings) -> pd.DataFrame:
    """Invoice each vendor once on its total hours (commitments and tiers are per vendor), then
    share the invoice over its queues by staffed hours (by contacts for per-transaction billing)."""
    queues = queues.copy()
    queues["vendor_id"] = [inputs.queue_vendor.get(q, "in-house") for q in queues["queue"]]
    queues["cost_week"] = 0.0
    for vendor_id, g in queues.groupby("vendor_id"):
        if vendor_id == "in-house":
            queues.loc[g.index, "cost_week"] = g["paid_hours_week"] * settings.inhouse_rate_per_paid_hour
            continue
        terms = inputs.vendors[vendor_id]
        invoice = weekly_cost(terms, staffed_hours=float(g["staffed_hours_week"].sum()),
                              paid_hours=float(g["paid_hours_week"].sum()),
                              transactions=float(g["contacts_week"].sum()))
        basis = g["contacts_week"] if terms.pricing_model == "per_transaction" else g["staffed_hours_week"]
        weights = basis / basis.sum() if basis.sum() > 0 else pd.Series(1.0 / len(g), index=g.index)
        queues.loc[g.index, "cost_week"] = invoice * weights
    queues["cost_per_contact"] = np.where(queues["contacts_week"] > 0,
                                          queues["cost_week"] / queues["contacts_week"].where(queues["contacts_week"] > 0, 1),
                                          np.nan)
    return queues


def _staff_live(live: pd.DataFrame, settings: PlanSettings) -> pd.DataFrame:
    targets = np.array([settings.target_for(q) for q in live["queue"]])
    parts = []
    for channel, g in live.groupby("channel", sort=False):
        idx = g.index
        result = staff_intervals(
            calls=g["contacts"].to_numpy(),
            interval_s=settings.interval_minutes * 60.0,
            handle_time_s=np.where(g["contacts"] > 0, g["handle_time_s"], 1.0),
            answer_s=targets[live.index.get_indexer(idx), 1],
            target_service_level=targets[live.index.get_indexer(idx), 0],
            patience_s=settings.patience_s,
            max_abandonment=settings.max_abandonment if settings.patience_s is not None else None,
            max_occupancy=settings.max_occupancy,
            shrinkage=settings.shrinkage,
            concurrency=settings.chat_concurrency if channel == "chat" else 1,
        )
        frame = result.to_frame().drop(columns="traffic_erlangs")
        frame.index = idx
        parts.append(g.join(frame))
    return pd.concat(parts).sort_values(["queue", "period_start"])


def _summary_row(settings, queue, channel, contacts, g, staffed, peak, service_level) -> dict:
    weeks = _weeks(g, settings)
    paid = staffed / (1.0 - settings.shrinkage)
    aht = float((g["contacts"] * g["handle_time_s"]).sum() / contacts) if contacts else 0.0
    return {
        "queue": queue, "channel": channel, "contacts_week": contacts / weeks,
        "handle_time_s": aht, "peak_agents": peak, "staffed_hours_week": staffed / weeks,
        "paid_hours_week": paid / weeks, "fte": paid / weeks / settings.paid_hours_per_fte_week,
        "service_level": service_level,
    }


def _weeks(g: pd.DataFrame, settings: PlanSettings) -> float:
    span = (pd.to_datetime(g["period_start"]).max() - pd.to_datetime(g["period_start"]).min())
    periods = span / pd.Timedelta(minutes=settings.interval_minutes) + 1
    return max(periods * settings.interval_minutes / 60.0 / HOURS_PER_WEEK, 1.0)


def _staff_backoffice_queue(settings, queue, channel, g) -> dict:
    starts = pd.to_datetime(g["period_start"])
    hour_of_week = (starts.dt.dayofweek * 24 + starts.dt.hour).to_numpy()
    arrivals = np.bincount(hour_of_week, weights=g["contacts"].to_numpy(), minlength=HOURS_PER_WEEK)
    contacts = float(g["contacts"].sum())
    weeks = _weeks(g, settings)
    arrivals = arrivals / weeks
    aht = float((g["contacts"] * g["handle_time_s"]).sum() / contacts) if contacts else 1.0
    _, _, target_hours = settings.target_for(queue)
    plan = staff_backoffice(
        arrivals_per_hour=arrivals, handle_time_s=aht, target_hours=target_hours,
        target_share=settings.backoffice_target_share, rework=settings.rework,
        utilisation=settings.backoffice_utilisation, shrinkage=settings.shrinkage,
        paid_hours_per_fte_week=settings.paid_hours_per_fte_week,
    )
    paid = plan.productive_hours_week / (1.0 - settings.shrinkage)
    return {
        "queue": queue, "channel": channel, "contacts_week": contacts / weeks,
        "handle_time_s": aht, "peak_agents": float(plan.agents_per_open_hour),
        "staffed_hours_week": plan.productive_hours_week, "paid_hours_week": paid, "fte": plan.fte,
        "service_level": plan.share_within_target,
    }
