"""What-if scenarios in YAML: change the base plan's inputs, rebuild it, compare side by side.

A scenario lists changes applied in order (volume growth, a contact reason deflected by
automation, handle-time change, SLA change, vendor price change); the result shows FTE, weekly
cost and service level of the base plan and of the scenario per queue, with the differences.
The YAML format is shared with the VOC automation-ROI work, which writes deflection scenarios.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal, Union

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from govex.config.loader import load_yaml_model
from govex.errors import ConfigError
from govex.planning.plan import PlanInputs, PlanSettings, QueueTarget, StaffingPlan, build_plan

__all__ = ["Scenario", "ScenarioResult", "load_scenario", "run_scenario"]


class _Change(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Deflect(_Change):
    """Automation removes `share` of one contact reason's volume from the live queues."""

    kind: Literal["deflect"]
    reason: str
    share: float = Field(ge=0, le=1)
    csat_delta: float | None = None
    queue: str | None = None


class VolumeGrowth(_Change):
    kind: Literal["volume_growth"]
    share: float = Field(gt=-1)
    queue: str | None = None


class HandleTimeChange(_Change):
    kind: Literal["handle_time_change"]
    share: float = Field(gt=-1)
    queue: str | None = None


class SlaChange(_Change):
    kind: Literal["sla_change"]
    target_service_level: float | None = Field(default=None, gt=0, lt=1)
    answer_s: float | None = Field(default=None, ge=0)
    queue: str | None = None


class VendorPriceChange(_Change):
    kind: Literal["vendor_price_change"]
    vendor_id: str
    share: float = Field(gt=-1)


Change = Annotated[Union[Deflect, VolumeGrowth, HandleTimeChange, SlaChange, VendorPriceChange],
                   Field(discriminator="kind")]


class Scenario(BaseModel):
    """A named list of changes to the base plan (see docs/planning.md for the YAML format)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    name: str
    description: str = ""
    changes: list[Change] = Field(min_length=1)


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario YAML; errors name the file, line and change at fault."""
    return load_yaml_model(path, Scenario, what="scenario")[0]


def _rows(demand: pd.DataFrame, queue: str | None, what: str) -> pd.Series:
    if queue is None:
        return pd.Series(True, index=demand.index)
    mask = demand["queue"] == queue
    if not mask.any():
        raise ConfigError(f"{what}: queue {queue!r} is not in the plan; known: {', '.join(sorted(demand.queue.unique()))}")
    return mask


def apply_changes(inputs: PlanInputs, settings: PlanSettings, scenario: Scenario):
    """The scenario's inputs and settings, changes applied in order."""
    demand = inputs.demand.copy()
    vendors = dict(inputs.vendors)
    targets = dict(settings.queue_targets)
    for i, change in enumerate(scenario.changes):
        what = f"scenario {scenario.name!r} change {i} ({change.kind})"
        if isinstance(change, Deflect):
            mask = _rows(demand, change.queue, what) & (demand["reason"] == change.reason)
            if not mask.any():
                raise ConfigError(f"{what}: no demand with reason {change.reason!r}; known reasons: "
                                  f"{', '.join(sorted(demand.reason.astype(str).unique()))}")
            demand.loc[mask, "contacts"] *= 1.0 - change.share
        elif isinstance(change, VolumeGrowth):
            demand.loc[_rows(demand, change.queue, what), "contacts"] *= 1.0 + change.share
        elif isinstance(change, HandleTimeChange):
            demand.loc[_rows(demand, change.queue, what), "handle_time_s"] *= 1.0 + change.share
        elif isinstance(change, SlaChange):
            queues = [change.queue] if change.queue else sorted(demand["queue"].unique())
            _rows(demand, change.queue, what)
            for q in queues:
                old = targets.get(q, QueueTarget())
                targets[q] = old.model_copy(update={
                    k: v for k, v in (("target_service_level", change.target_service_level),
                                      ("answer_s", change.answer_s)) if v is not None})
        elif isinstance(change, VendorPriceChange):
            if change.vendor_id not in vendors:
                raise ConfigError(f"{what}: vendor {change.vendor_id!r} is not in the plan; known: "
                                  f"{', '.join(sorted(vendors)) or 'none'}")
            terms = vendors[change.vendor_id]
            factor = 1.0 + change.share
            vendors[change.vendor_id] = terms.model_copy(update={
                "rate": terms.rate * factor,
                "tiers": tuple(t.model_copy(update={"rate": t.rate * factor}) for t in terms.tiers)})
    return inputs.with_changes(demand=demand, vendors=vendors), settings.model_copy(update={"queue_targets": targets})


@dataclass(frozen=True)
class ScenarioResult:
    """Base and scenario plans and their side-by-side comparison per queue (plus a total row)."""

    scenario: Scenario
    base: StaffingPlan
    changed: StaffingPlan
    comparison: pd.DataFrame
    notes: tuple[str, ...]

    def text(self) -> str:
        cur = self.base.settings.currency
        lines = [f"scenario {self.scenario.name}: {self.scenario.description}".rstrip(": "),
                 f"{'queue':<26}{'FTE base':>9}{'scen':>8}{'delta':>8}{'cost base':>12}{'scen':>12}{'delta':>11}"
                 f"{'SL base':>9}{'scen':>8}{'delta':>8}"]
        for r in self.comparison.itertuples():
            lines.append(f"{r.queue:<26}{r.fte_base:>9.1f}{r.fte_scenario:>8.1f}{r.fte_delta:>+8.1f}"
                         f"{r.cost_base:>12,.0f}{r.cost_scenario:>12,.0f}{r.cost_delta:>+11,.0f}"
                         f"{r.service_level_base:>9.1%}{r.service_level_scenario:>8.1%}"
                         f"{r.service_level_delta * 100:>+7.1f}pp")
        lines.append(f"(costs per week in {cur})")
        lines += list(self.notes)
        return "\n".join(lines)


def run_scenario(inputs: PlanInputs, scenario: Scenario, settings: PlanSettings | None = None) -> ScenarioResult:
    """Build the base plan and the scenario plan and compare them queue by queue."""
    settings = settings or PlanSettings()
    base = build_plan(inputs, settings)
    new_inputs, new_settings = apply_changes(inputs, settings, scenario)
    changed = build_plan(new_inputs, new_settings)
    a = base.queues.set_index("queue")
    b = changed.queues.set_index("queue")
    comp = pd.DataFrame({
        "fte_base": a["fte"], "fte_scenario": b["fte"],
        "cost_base": a["cost_week"], "cost_scenario": b["cost_week"],
        "service_level_base": a["service_level"], "service_level_scenario": b["service_level"],
        "contacts_base": a["contacts_week"], "contacts_scenario": b["contacts_week"],
    })
    total = pd.DataFrame({
        "fte_base": [comp.fte_base.sum()], "fte_scenario": [comp.fte_scenario.sum()],
        "cost_base": [comp.cost_base.sum()], "cost_scenario": [comp.cost_scenario.sum()],
        "service_level_base": [(comp.service_level_base * comp.contacts_base).sum() / comp.contacts_base.sum()],
        "service_level_scenario": [(comp.service_level_scenario * comp.contacts_scenario).sum()
                                   / max(comp.contacts_scenario.sum(), 1e-12)],
        "contacts_base": [comp.contacts_base.sum()], "contacts_scenario": [comp.contacts_scenario.sum()],
    }, index=pd.Index(["TOTAL"], name="queue"))
    comp = pd.concat([comp, total])
    for m in ("fte", "cost", "service_level", "contacts"):
        comp[f"{m}_delta"] = comp[f"{m}_scenario"] - comp[f"{m}_base"]
    comp = comp.reset_index().rename(columns={"index": "queue"})
    notes = []
    for change in scenario.changes:
        if isinstance(change, Deflect) and change.csat_delta is not None:
            mask = inputs.demand["reason"] == change.reason
            deflected = float(inputs.demand.loc[mask, "contacts"].sum()) * change.share
            weeks = float(inputs.demand["contacts"].sum()) / max(float(base.queues["contacts_week"].sum()), 1e-12)
            notes.append(f"CSAT risk: {deflected / weeks:,.0f} deflected '{change.reason}' contacts a week at an "
                         f"expected CSAT change of {change.csat_delta:+.2f}")
    return ScenarioResult(scenario, base, changed, comp, tuple(notes))
