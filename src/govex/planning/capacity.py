"""Long-range capacity plan, month by month: required FTE, hires, headcount, productive FTE and cost.

Per queue: volume (base x compound growth x calendar seasonality x scenario), handle time with a
monthly trend, and shrinkage give the required FTE (Erlang at the service target over the
queue's daily interval profile for live queues, workload over utilisation for back office; a
live queue may take the patience and agent availability of a `govex plan calibrate` file).
Each vendor supplying the queue takes a share of it and runs a cohort model a planner would
keep in a spreadsheet:

* headcount H(m) is counted at the start of month m, after the hires starting that month, and
  is paid for the whole month; leavers(m) = attrition x H(m) leave at its end, from every
  cohort alike;
* a hire's productivity in tenure month k (k = 0 the month they start) is
  (1 - share of month k in training) x ramp[k] (ramp beyond its list = 1; training weeks are
  turned into months at 52/12 weeks a month); staff on hand at the start are fully productive;
* hires are requested `hiring_lead_months` before they start. The hires starting in month t
  are sized so that productive FTE in month t + R (R = months until a hire is fully productive)
  meets the requirement then, after attrition: h(t) = gap(t + R) / (1 - attrition)^R (the
  requirement past the horizon is taken as flat), capped by the vendor's maximum headcount.
  Months before the first possible start keep their gap; gap_fte = productive - required
  (negative = short);
* cost(m) = tiered price of max(H(m), minimum commitment) (each tier's price applies to the
  FTE inside it) + cost per hire x hires starting.
"""
from __future__ import annotations

import calendar
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Optional

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from govex.errors import ConfigError

WEEKS_PER_MONTH = 52 / 12


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PriceTier(_Strict):
    """Price per FTE-month for the FTE up to `up_to_fte` (the last tier leaves it out)."""

    price_per_fte_month: float = Field(ge=0)
    up_to_fte: Optional[float] = Field(default=None, gt=0)


class VendorLine(_Strict):
    name: str
    share: float = Field(default=1.0, gt=0, le=1, description="Share of the queue's required FTE.")
    starting_headcount: float = Field(default=0, ge=0)
    monthly_attrition: float = Field(default=0, ge=0, lt=1)
    hiring_lead_months: int = Field(default=0, ge=0)
    training_weeks: float = Field(default=0, ge=0)
    ramp: list[float] = Field(default_factory=list, description="Productivity by month of tenure (0-1).")
    max_headcount: Optional[float] = Field(default=None, gt=0)
    min_commitment_fte: float = Field(default=0, ge=0)
    price_tiers: list[PriceTier] = Field(min_length=1)
    cost_per_hire: float = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _check(self):
        if any(not 0 <= r <= 1 for r in self.ramp):
            raise ValueError("ramp: productivity by month of tenure must be between 0 and 1")
        bounds = [t.up_to_fte for t in self.price_tiers[:-1]]
        if any(b is None for b in bounds) or bounds != sorted(bounds) or self.price_tiers[-1].up_to_fte is not None:
            raise ValueError("price_tiers: every tier but the last needs an increasing up_to_fte; the last has none")
        return self


class QueueLine(_Strict):
    name: str
    function: Literal["moderation", "customer service", "education", "service recovery"]
    kind: Literal["live", "backoffice"]
    monthly_volume: float = Field(ge=0, description="Volume in the first plan month before seasonality.")
    growth_per_month: float = Field(default=0, gt=-1)
    seasonality: Optional[list[float]] = Field(default=None, min_length=12, max_length=12,
                                               description="Multiplier by calendar month, January first.")
    aht_s: float = Field(gt=0)
    aht_trend_per_month: float = Field(default=0, gt=-1)
    shrinkage: float = Field(default=0, ge=0, lt=1)
    # live queues
    daily_profile: Optional[list[float]] = Field(default=None, description="Share of a day's volume per interval.")
    interval_minutes: int = Field(default=60, gt=0)
    answer_s: float = Field(default=20, ge=0)
    target_service_level: float = Field(default=0.8, gt=0, lt=1)
    patience_s: Optional[float] = Field(default=None, gt=0)
    calibration: Optional[Path] = Field(default=None, description="JSON from `govex plan calibrate`: its patience "
                                        "and agent availability (rostered = required agents / availability); a "
                                        "relative path is read beside the plan file.")
    # back office
    utilisation: float = Field(default=0.85, gt=0, le=1)
    vendors: list[VendorLine] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self):
        if self.kind == "live":
            if not self.daily_profile:
                raise ValueError("daily_profile: a live queue needs the share of a day's volume per interval")
            if abs(sum(self.daily_profile) - 1) > 1e-6 or min(self.daily_profile) < 0:
                raise ValueError(f"daily_profile: shares must be >= 0 and sum to 1, got {sum(self.daily_profile):g}")
            if len(self.daily_profile) * self.interval_minutes != 1440:
                raise ValueError(f"daily_profile: {len(self.daily_profile)} intervals of {self.interval_minutes} min "
                                 "do not cover a day")
        if abs(sum(v.share for v in self.vendors) - 1) > 1e-9:
            raise ValueError("vendors: shares must sum to 1")
        return self


class ScenarioOverride(_Strict):
    volume_factor: float = Field(default=1.0, gt=0)
    aht_factor: float = Field(default=1.0, gt=0)
    attrition_factor: float = Field(default=1.0, ge=0)


class CapacityPlanConfig(_Strict):
    start_month: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="First plan month, YYYY-MM.")
    currency: str = "USD"
    hours_per_fte_month: float = Field(default=160, gt=0, description="Paid hours per FTE per month.")
    queues: list[QueueLine] = Field(min_length=1)
    scenarios: dict[str, ScenarioOverride] = Field(default_factory=dict)


@dataclass(frozen=True)
class CapacityPlan:
    """`months`: one row per month x queue x vendor; `budget`: cost per function and vendor."""

    months: "object"  # pandas.DataFrame
    currency: str
    scenario: str

    @property
    def annual_budget(self) -> float:
        return float(self.months.groupby("month")["cost"].sum().iloc[:12].sum())

    def budget_by_month(self):
        cols = ["required_fte", "headcount", "productive_fte", "gap_fte", "hires_requested", "cost"]
        return self.months.groupby("month", sort=False)[cols].sum().reset_index()

    def text(self) -> str:
        by_month = self.budget_by_month()
        lines = [f"capacity plan ({self.scenario}), {len(by_month)} months, {self.currency}",
                 f"{'month':<9}{'required':>10}{'headcount':>11}{'productive':>12}{'gap':>9}{'hires req.':>12}"
                 f"{'cost':>14}"]
        for r in by_month.itertuples():
            lines.append(f"{r.month:<9}{r.required_fte:>10.1f}{r.headcount:>11.1f}{r.productive_fte:>12.1f}"
                         f"{r.gap_fte:>9.1f}{r.hires_requested:>12.1f}{r.cost:>14,.0f}")
        per = self.months[self.months["month"].isin(by_month["month"].iloc[:12])]
        lines.append(f"\nannual budget (first 12 months): {self.annual_budget:,.0f} {self.currency}")
        for (function, vendor), cost in per.groupby(["function", "vendor"])["cost"].sum().items():
            lines.append(f"  {function:<20}{vendor:<20}{cost:>14,.0f}")
        return "\n".join(lines)


def load_capacity_config(path: Path) -> CapacityPlanConfig:
    from govex.config.loader import load_yaml_model

    config = load_yaml_model(path, CapacityPlanConfig, what="capacity plan")[0]
    for queue in config.queues:
        if queue.calibration is not None and not queue.calibration.is_absolute():
            queue.calibration = Path(path).parent / queue.calibration
    return config


def tiered_cost(fte: float, tiers: list[PriceTier]) -> float:
    """Each tier's price on the FTE inside it (50 FTE at 3,000 then 2,800: 60 FTE = 178,000)."""
    cost, below = 0.0, 0.0
    for tier in tiers:
        top = math.inf if tier.up_to_fte is None else tier.up_to_fte
        cost += max(min(fte, top) - below, 0.0) * tier.price_per_fte_month
        below = top
    return cost


def productivity(vendor: VendorLine, tenure_month: int) -> float:
    """(1 - share of the month in training) x ramp[tenure_month]."""
    training_months = vendor.training_weeks / WEEKS_PER_MONTH
    in_training = min(max(training_months - tenure_month, 0.0), 1.0)
    ramp = vendor.ramp[tenure_month] if tenure_month < len(vendor.ramp) else 1.0
    return (1.0 - in_training) * ramp


def months_to_full(vendor: VendorLine) -> int:
    """First tenure month at full productivity (0 when hires are productive at once)."""
    k = 0
    while productivity(vendor, k) < 1.0:
        k += 1
    return k


def required_fte(queue: QueueLine, months: list[tuple[int, int]], scenario: ScenarioOverride,
                 hours_per_fte_month: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Volume, AHT and required (fully productive, paid) FTE per plan month."""
    idx = np.arange(len(months))
    season = np.array([queue.seasonality[m - 1] if queue.seasonality else 1.0 for _, m in months])
    volume = queue.monthly_volume * (1 + queue.growth_per_month) ** idx * season * scenario.volume_factor
    aht = queue.aht_s * (1 + queue.aht_trend_per_month) ** idx * scenario.aht_factor
    paid_hours = hours_per_fte_month * (1 - queue.shrinkage)
    if queue.kind == "backoffice":
        return volume, aht, volume * aht / 3600 / queue.utilisation / paid_hours
    from govex.planning.erlang import staff_intervals

    patience, availability = queue.patience_s, 1.0
    if queue.calibration is not None:
        from govex.planning.calibration import Calibration

        cal = Calibration.read(queue.calibration)
        patience, availability = cal.patience_s, cal.availability
    days = np.array([calendar.monthrange(y, m)[1] for y, m in months], dtype=float)
    profile = np.asarray(queue.daily_profile)
    calls = (volume / days)[:, None] * profile[None, :]
    staffed = staff_intervals(calls=calls.ravel(), interval_s=queue.interval_minutes * 60,
                              handle_time_s=np.repeat(aht, profile.size), answer_s=queue.answer_s,
                              target_service_level=queue.target_service_level, patience_s=patience)
    agent_hours_per_day = staffed.agents.reshape(calls.shape).sum(axis=1) * queue.interval_minutes / 60 / availability
    return volume, aht, agent_hours_per_day * days / paid_hours


def plan_vendor(vendor: VendorLine, required: np.ndarray, attrition: float) -> dict[str, np.ndarray]:
    """The cohort model of the module docstring for one vendor line."""
    n = required.size
    full = months_to_full(vendor)
    starts = np.zeros(n)
    cohorts: list[tuple[int, float]] = []  # (start month, size at start)
    survivors = lambda start, month: (1 - attrition) ** (month - start)  # noqa: E731

    def productive(month: int, extra_start: int | None = None, extra: float = 0.0) -> float:
        total = vendor.starting_headcount * (1 - attrition) ** month
        for start, size in cohorts + ([(extra_start, extra)] if extra_start is not None else []):
            if start <= month:
                total += size * survivors(start, month) * productivity(vendor, month - start)
        return total

    def headcount(month: int) -> float:
        return vendor.starting_headcount * (1 - attrition) ** month + sum(
            size * survivors(start, month) for start, size in cohorts if start <= month)

    for t in range(vendor.hiring_lead_months, n):
        # requirement beyond the horizon is taken as flat at its last month
        gap = required[min(t + full, n - 1)] - productive(t + full)
        hires = max(gap, 0.0) / (1 - attrition) ** full
        if vendor.max_headcount is not None:
            hires = min(hires, max(vendor.max_headcount - headcount(t), 0.0))
        if hires > 0:
            cohorts.append((t, hires))
            starts[t] = hires
    heads = np.array([headcount(m) for m in range(n)])
    prod = np.array([productive(m) for m in range(n)])
    requested = np.zeros(n)
    requested[: n - vendor.hiring_lead_months] = starts[vendor.hiring_lead_months:]
    billed = np.maximum(heads, vendor.min_commitment_fte)
    cost = np.array([tiered_cost(b, vendor.price_tiers) for b in billed]) + vendor.cost_per_hire * starts
    return {"headcount": heads, "productive_fte": prod, "hires_requested": requested, "hires_starting": starts,
            "leavers": heads * attrition, "billed_fte": billed, "cost": cost}


def build_capacity_plan(config: CapacityPlanConfig, *, months: int = 12, scenario: str | None = None) -> CapacityPlan:
    """Month-by-month plan for `months` months (12-18 typical) from the config."""
    import pandas as pd

    if not 1 <= months <= 60:
        raise ConfigError(f"--months: expected 1-60 months, got {months}")
    if scenario is not None and scenario not in config.scenarios:
        known = ", ".join(config.scenarios) or "none defined"
        raise ConfigError(f"scenario {scenario!r} is not in the plan's scenarios ({known})")
    override = config.scenarios[scenario] if scenario else ScenarioOverride()
    year, month = (int(p) for p in config.start_month.split("-"))
    calendar_months = [(year + (month - 1 + i) // 12, (month - 1 + i) % 12 + 1) for i in range(months)]
    labels = [f"{y}-{m:02d}" for y, m in calendar_months]
    frames = []
    for queue in config.queues:
        volume, aht, required = required_fte(queue, calendar_months, override, config.hours_per_fte_month)
        for vendor in queue.vendors:
            need = required * vendor.share
            attrition = min(vendor.monthly_attrition * override.attrition_factor, 0.999)
            cols = plan_vendor(vendor, need, attrition)
            frames.append(pd.DataFrame({
                "month": labels, "function": queue.function, "queue": queue.name, "vendor": vendor.name,
                "volume": volume * vendor.share, "aht_s": aht, "required_fte": need, **cols,
                "gap_fte": cols["productive_fte"] - need,
            }))
    return CapacityPlan(pd.concat(frames, ignore_index=True), config.currency, scenario or "base")
