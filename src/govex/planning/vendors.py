"""BPO vendor cost models: billing rules, ramp-up, cost per contact, and plan-vs-actual variance.

A vendor-site bills per productive hour, per FTE-month or per transaction, possibly with a
minimum weekly commitment and graduated volume tiers. `weekly_cost` turns the hours and
transactions a plan gives a vendor into its invoice; `cost_variance` splits the gap between a
planned and an actual cost into volume, handle-time, utilisation, shrinkage and rate effects that
add up exactly to the gap.

References
----------
.. [1] C. T. Horngren, S. M. Datar and M. V. Rajan, "Cost Accounting: A Managerial Emphasis",
   15th ed., Pearson, 2015, ch. 7-8 (flexible-budget variances: sales-volume, efficiency and
   price variances computed by changing one factor at a time).
.. [2] COPC Inc., "COPC Customer Experience Standard for Contact Centers", release 6.0, 2015
   (productive hours, FTE and shrinkage definitions used by BPO contracts).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from govex.planning._inputs import PlanningInputError, as_array, check_range

__all__ = [
    "CostDrivers",
    "PriceTier",
    "VendorTerms",
    "cost_per_unit",
    "cost_variance",
    "ramp_up_capacity_hours",
    "weekly_cost",
]

# 40 hours x 52 weeks / 12 months: the FTE-month most BPO contracts quote.
DEFAULT_HOURS_PER_FTE_MONTH = 40.0 * 52.0 / 12.0
WEEKS_PER_MONTH = 52.0 / 12.0


class PriceTier(BaseModel):
    """Units (hours or transactions per week) from `from_units` upward are billed at `rate`."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    from_units: float = Field(ge=0)
    rate: float = Field(ge=0)


class VendorTerms(BaseModel):
    """Commercial terms of one vendor-site (the `vendors` table of the data contract, plus tiers).

    `rate` is the price per billing unit: a productive (logged-in, available) hour, an FTE-month,
    or a transaction. `tiers`, when given, replace `rate` with graduated prices: each unit is
    billed at the rate of the tier it falls in (the first tier must start at 0).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    vendor_id: str
    vendor_name: str = ""
    function: str = "customer_service"
    site: str = ""
    languages: tuple[str, ...] = ()
    pricing_model: str = "per_hour"
    rate: float = Field(ge=0)
    currency: str = "EUR"
    capacity_hours_week: float = Field(ge=0)
    min_commit_hours_week: float = Field(default=0.0, ge=0)
    ramp_up_weeks: float = Field(default=0.0, ge=0)
    qa_accuracy: float | None = Field(default=None, ge=0, le=1)
    tiers: tuple[PriceTier, ...] = ()
    hours_per_fte_month: float = Field(default=DEFAULT_HOURS_PER_FTE_MONTH, gt=0)

    @field_validator("languages", mode="before")
    @classmethod
    def _split_languages(cls, value):
        if isinstance(value, str):
            return tuple(part.strip().lower() for part in value.split(",") if part.strip())
        return tuple(str(v).strip().lower() for v in value)

    @field_validator("pricing_model")
    @classmethod
    def _known_model(cls, value: str) -> str:
        allowed = ("per_hour", "per_fte_month", "per_transaction")
        if value not in allowed:
            raise ValueError(f"pricing_model must be one of {', '.join(allowed)}, got {value!r}")
        return value

    @model_validator(mode="after")
    def _check_terms(self) -> "VendorTerms":
        if self.capacity_hours_week <= 0:
            raise ValueError(
                f"vendor {self.vendor_id!r} has no capacity (capacity_hours_week = {self.capacity_hours_week:g}); "
                "give its weekly productive hours or leave the vendor out"
            )
        if self.min_commit_hours_week > self.capacity_hours_week:
            raise ValueError(
                f"vendor {self.vendor_id!r}: min_commit_hours_week {self.min_commit_hours_week:g} exceeds "
                f"capacity_hours_week {self.capacity_hours_week:g}"
            )
        if self.tiers:
            starts = [t.from_units for t in self.tiers]
            if starts[0] != 0 or any(b <= a for a, b in zip(starts, starts[1:])):
                raise ValueError(f"vendor {self.vendor_id!r}: tiers must start at 0 and increase, got {starts}")
        return self

    @classmethod
    def from_row(cls, row: Mapping) -> "VendorTerms":
        """Build from a `vendors` table row (contract column names); nulls become defaults."""
        clean = {k: v for k, v in row.items() if k in cls.model_fields and not _is_null(v)}
        if "qa_target" in row and not _is_null(row["qa_target"]) and "qa_accuracy" not in clean:
            clean["qa_accuracy"] = row["qa_target"]
        try:
            return cls(**clean)
        except ValueError as exc:
            raise PlanningInputError(f"vendors row {row.get('vendor_id', '?')!r}: {exc}") from None

    def price_of(self, units: float) -> float:
        """Invoice for `units` billing units in a week, with graduated tiers if any."""
        if not self.tiers:
            return self.rate * units
        bounds = [t.from_units for t in self.tiers] + [np.inf]
        return float(sum(t.rate * max(0.0, min(units, hi) - lo) for t, lo, hi in zip(self.tiers, bounds, bounds[1:])))


def _is_null(value) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def weekly_cost(terms: VendorTerms, *, staffed_hours: float, paid_hours: float, transactions: float) -> float:
    """One week's invoice from a vendor.

    per_hour bills staffed (productive) hours, at least the minimum commitment; per_fte_month
    bills paid hours (staffed grossed up for shrinkage) as FTE-months, also at least the
    commitment; per_transaction bills handled transactions.
    """
    for name, value in (("staffed_hours", staffed_hours), ("paid_hours", paid_hours), ("transactions", transactions)):
        if value < 0 or not np.isfinite(value):
            raise PlanningInputError(f"{name} for vendor {terms.vendor_id!r}: expected >= 0, got {value!r}")
    if terms.pricing_model == "per_hour":
        return terms.price_of(max(staffed_hours, terms.min_commit_hours_week))
    if terms.pricing_model == "per_fte_month":
        paid = max(paid_hours, terms.min_commit_hours_week)
        fte_months_per_week = paid / terms.hours_per_fte_month
        return terms.price_of(fte_months_per_week * WEEKS_PER_MONTH) / WEEKS_PER_MONTH
    return terms.price_of(transactions)


def ramp_up_capacity_hours(terms: VendorTerms, *, new_hours_week: float, weeks: int) -> np.ndarray:
    """Productive hours per week while `new_hours_week` of new agents ramp up linearly.

    A new agent reaches full productivity after `ramp_up_weeks`; in week w (0-based) the cohort
    produces min(1, (w + 0.5) / ramp_up_weeks) of its hours (mid-week average of a linear ramp).
    """
    if new_hours_week < 0:
        raise PlanningInputError(f"new_hours_week: expected >= 0, got {new_hours_week:g}")
    week = np.arange(weeks, dtype=np.float64)
    if terms.ramp_up_weeks == 0:
        return np.full(weeks, float(new_hours_week))
    return new_hours_week * np.minimum(1.0, (week + 0.5) / terms.ramp_up_weeks)


def cost_per_unit(cost, units, *, qa_accuracy=None) -> dict[str, np.ndarray]:
    """Cost per contact or case and, with QA accuracy, per correctly handled one."""
    cost = as_array("cost", cost)
    units = as_array("units", units, size=cost.size)
    check_range("cost", cost, low=0)
    check_range("units", units, low=0)
    per_unit = np.divide(cost, units, out=np.full(cost.size, np.nan), where=units > 0)
    out = {"cost_per_unit": per_unit}
    if qa_accuracy is not None:
        accuracy = as_array("qa_accuracy", qa_accuracy, size=cost.size)
        check_range("qa_accuracy", accuracy, low=0, high=1)
        out["cost_per_correct_unit"] = np.divide(per_unit, accuracy, out=np.full(cost.size, np.nan),
                                                 where=accuracy > 0)
    return out


@dataclass(frozen=True)
class CostDrivers:
    """The drivers of a live-queue or back-office cost, per row (queue, vendor, period).

    cost = volume x handle_time_s / 3600 / utilisation / (1 - shrinkage) x rate_per_paid_hour,
    where utilisation is handle hours over staffed hours (occupancy) and shrinkage the share of
    paid hours not staffed.
    """

    volume: np.ndarray
    handle_time_s: np.ndarray
    utilisation: np.ndarray
    shrinkage: np.ndarray
    rate_per_paid_hour: np.ndarray

    def __post_init__(self):
        n = np.asarray(self.volume).size
        for name in ("volume", "handle_time_s", "utilisation", "shrinkage", "rate_per_paid_hour"):
            object.__setattr__(self, name, as_array(name, getattr(self, name), size=n))
        check_range("volume", self.volume, low=0, fix="volumes cannot be negative")
        check_range("handle_time_s", self.handle_time_s, low=0)
        check_range("utilisation", self.utilisation, low=0, high=1, low_open=True)
        check_range("shrinkage", self.shrinkage, low=0, high=1, high_open=True)
        check_range("rate_per_paid_hour", self.rate_per_paid_hour, low=0)

    def paid_hours(self) -> np.ndarray:
        return self.volume * self.handle_time_s / 3600.0 / self.utilisation / (1.0 - self.shrinkage)

    def cost(self) -> np.ndarray:
        return self.paid_hours() * self.rate_per_paid_hour


def cost_variance(*, plan: CostDrivers, actual: CostDrivers) -> dict[str, np.ndarray]:
    """Split actual - plan cost into effects that sum exactly to it [1]_.

    Factors are switched from plan to actual one at a time in the order volume, handle time,
    utilisation, shrinkage, rate; each effect is the cost change of its switch. (The order is the
    usual volume -> efficiency -> price convention; another order moves the interaction terms.)
    """
    if plan.volume.size != actual.volume.size:
        raise PlanningInputError(f"plan has {plan.volume.size} rows, actual {actual.volume.size}; align them first")
    order = ("volume", "handle_time_s", "utilisation", "shrinkage", "rate_per_paid_hour")
    names = ("volume_effect", "handle_time_effect", "utilisation_effect", "shrinkage_effect", "rate_effect")
    current = {k: getattr(plan, k) for k in order}
    before = CostDrivers(**current).cost()
    out = {"plan_cost": before.copy()}
    for factor, name in zip(order, names):
        current[factor] = getattr(actual, factor)
        after = CostDrivers(**current).cost()
        out[name] = after - before
        before = after
    out["actual_cost"] = before
    out["total_variance"] = out["actual_cost"] - out["plan_cost"]
    return out
