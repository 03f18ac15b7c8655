"""Automation ROI: what a classifier plus an automated resolver can take off live queues, per reason.

Two shares are kept apart. The classifier's **coverage** of reason r is the largest share of
true-r contacts it recognises while its precision stays at the target (from the evaluation's
per-label precision-coverage curve). The **resolvable share** of r is the share of correctly
recognised r contacts that self-service or an LLM can actually close without an agent (a
tracking lookup can; a damaged item usually needs judgement). Automation removes

- deflected  = V_r x coverage x resolvable share  (so automation_rate = coverage x resolvable share)
- escalated  = V_r x coverage x (1 - resolvable share)  (recognised, not closed: back to an agent)
- misrouted  = V_r x (attempt_rate - coverage)  (other reasons' contacts sent to r's automation,
  re-handled by an agent; assumes the evaluation set has the production mix of reasons)
- attempted  = V_r x attempt_rate               (every contact the automation sees; LLM cost)

Labour saved is costed in one of two ways:

- `planned_automation_opportunities` (from a warehouse): the planning module builds the week's
  plan with and without r's deflected share (`govex.planning.run_scenario`): live queues are
  re-staffed interval by interval with Erlang C, asynchronous queues by the backlog simulation,
  and the hours are priced with each queue's vendor terms. Saved FTE and cost are the plan's
  differences, which are not proportional to the volume removed (economies of scale, minimum
  staffing, vendor commitments).
- `automation_opportunities` (from a volumes file): hours saved = deflected x AHT, priced at an
  explicit cost per productive hour; FTE = hours / productive hours per FTE-month. Linear, so it
  overstates savings on small queues.

Errors and escalations are priced at the cost per productive hour (from the plan: each queue's
weekly cost over its staffed hours). net saving = labour saved - error cost - escalation cost - LLM cost.

References
----------
.. [1] Cleveland, B. (2012). Call Center Management on Fast Forward, 3rd ed., ch. 6: base
   staff = workload hours / productive hours per agent, productive hours = paid hours x
   (1 - shrinkage); ch. 5: Erlang C staffing and its economies of scale.
.. [2] El-Yaniv, R., Wiener, Y. (2010). On the foundations of noise-free selective
   classification. JMLR 11 (choosing a coverage at a target risk).
.. [3] Gartner (September 2019). "Gartner Says Only 9% of Customers Report Solving Their Issues
   Completely via Self-Service" (press release); Gartner (August 2024), survey press release:
   only 14% of customer service issues fully resolved in self-service; E. Potosky, "Do You Know
   Why Customers Bail on Self-Service?", Smarter with Gartner, 2020-11-18: service leaders
   estimate 20-40% of live volume could be resolved in existing self-service. These bound the resolvable-share defaults;
   the per-reason values themselves are this module's assumptions.
"""
from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field

from govex.planning import PlanInputs, PlanSettings, Scenario, build_plan, run_scenario
from govex.planning.history import MODERATION_CHANNEL
from govex.planning.vendors import WEEKS_PER_MONTH
from govex.voc._files import write_atomically
from govex.errors import VocInputError
from govex.voc.evaluation import Evaluation, operating_point

VOLUME_COLUMNS = ("reason", "monthly_contacts", "handle_time_s")

# Share of correctly recognised contacts that automation can close without an agent, per reason.
# Assumptions, set conservatively below what a good self-service flow reaches on status lookups
# (Gartner [3]: 20-40% of all live volume resolvable in self-service, 9-14% resolved today):
# status and lookup reasons high, transactional changes middling, judgement and risk reasons low.
DEFAULT_RESOLVABLE_SHARE: dict[str, float] = {
    "where_is_my_order": 0.6,  # tracking status and carrier ETA are data lookups
    "refund_status": 0.6,  # refund state and date are data lookups
    "dispute_status": 0.5,
    "how_to_buy": 0.5,  # answered from help-centre content
    "cancel_order": 0.5,  # automatic when not yet shipped; otherwise an agent
    "account_setup": 0.4,
    "delivery_address_change": 0.4,  # only before dispatch
    "return_request": 0.4,  # label generation within policy; exceptions need an agent
    "refund_request": 0.3,
    "product_question": 0.3,  # listing content answers some; the seller answers the rest
    "account_access": 0.3,  # password reset flows; locked accounts need verification
    "payment_issue": 0.2,
    "chargeback_query": 0.2,
    "item_not_as_described": 0.1,  # judgement: evidence, seller, policy
    "damaged_item": 0.1,  # judgement: photos, carrier claim
    "suspicious_activity": 0.05,  # risk: a person must review
}


class AutomationConfig(BaseModel):
    """Targets, resolvable shares and unit costs of an automation estimate.

    The unit costs are placeholders for the file path (`automation_opportunities`); from a
    warehouse the planning module supplies staffing and vendor costs instead.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    target_precision: float = Field(0.9, gt=0, le=1, description="precision the automation must keep")
    min_evaluated: int = Field(5, ge=1, description="evaluation texts needed at the operating point to trust it")
    resolvable_share: dict[str, float] = Field(
        default_factory=dict, description="per reason, overrides DEFAULT_RESOLVABLE_SHARE: share of recognised contacts automation closes"
    )
    default_resolvable_share: float = Field(0.1, ge=0, le=1, description="resolvable share of a reason in neither table")
    escalation_extra_s: float = Field(60.0, ge=0, description="extra agent seconds on a contact automation recognised but could not close")
    productive_hours_per_fte_month: float = Field(120.0, gt=0, description="e.g. 160 paid hours x (1 - 25% shrinkage)")
    cost_per_productive_hour: float = Field(25.0, ge=0, description="fully loaded agent or BPO cost per productive hour")
    currency: str = "USD"
    rehandle_extra_s: float = Field(120.0, ge=0, description="extra agent seconds to recover a misrouted contact")
    satisfaction_cost_per_error: float = Field(1.5, ge=0, description="money value of the dissatisfaction one misroute causes")
    csat_drop_per_error: float = Field(0.5, ge=0, description="CSAT points (1-5 scale) lost on a misrouted contact")
    automated_csat_delta: float = Field(0.0, ge=-4, le=4, description="CSAT change on a correctly automated contact")
    llm_cost_per_contact: float = Field(0.0, ge=0, description="model cost per automated attempt (see LLMRun.usage)")

    def resolvable(self, reason: str) -> float:
        share = self.resolvable_share.get(reason, DEFAULT_RESOLVABLE_SHARE.get(reason, self.default_resolvable_share))
        if not 0 <= share <= 1:
            raise VocInputError(f"resolvable_share[{reason!r}] = {share}; expected a share between 0 and 1")
        return share


def automation_opportunities(evaluation: Evaluation, volumes: pd.DataFrame, *, config: AutomationConfig | None = None) -> pd.DataFrame:
    """One row per reason with its reachable automation and money (linear costing), best net saving first.

    Parameters
    ----------
    evaluation : Evaluation
        Of the classifier on held-out labelled texts (`TextClassifier.evaluate`).
    volumes : DataFrame
        reason, monthly_contacts (live contacts per month), handle_time_s (mean AHT),
        e.g. from `govex.voc.reason_volumes`.
    """
    cfg = config or AutomationConfig()
    missing = [c for c in VOLUME_COLUMNS if c not in volumes.columns]
    if missing:
        raise VocInputError(f"volumes: column(s) {missing} missing; expected {list(VOLUME_COLUMNS)} (found {list(volumes.columns)})")
    _check_overlap(evaluation, volumes["reason"], where="volumes")
    hourly = cfg.cost_per_productive_hour
    rows = []
    for record in volumes.itertuples(index=False):
        row = _contact_flows(evaluation, str(record.reason), float(record.monthly_contacts), float(record.handle_time_s), cfg)
        hours_saved = row["deflected_contacts"] * row["handle_time_s"] / 3600
        row.update(
            hours_saved=hours_saved,
            fte_saved=hours_saved / cfg.productive_hours_per_fte_month,
            labour_cost_saved=hours_saved * hourly,
            cost_per_productive_hour=hourly,
            currency=cfg.currency,
            costing="linear",
        )
        rows.append(row)
    return _rank(rows, cfg)


def planned_automation_opportunities(
    evaluation: Evaluation,
    inputs: PlanInputs,
    *,
    settings: PlanSettings | None = None,
    config: AutomationConfig | None = None,
) -> pd.DataFrame:
    """One row per contact reason of the plan, FTE and cost saved from the planning module.

    For each reason the plan week is rebuilt with the reason's deflected share removed (the
    `deflect` change `govex plan scenario` applies to the written scenario) and compared with
    the base plan; weekly figures are scaled to a month of 52 / 12 weeks.

    Parameters
    ----------
    evaluation : Evaluation
        Of the classifier on held-out labelled texts.
    inputs : PlanInputs
        The plan week's demand (queue, channel, reason, interval, contacts, handle_time_s),
        vendor terms and the vendor of each queue, e.g. `plan_from_warehouse(...).inputs`.
    settings : PlanSettings, optional
        Service targets, shrinkage and in-house rate of the plan.
    """
    cfg = config or AutomationConfig()
    settings = settings or PlanSettings()
    demand = inputs.demand[inputs.demand["channel"] != MODERATION_CHANNEL]
    if demand.empty:
        raise VocInputError("plan inputs: no contact demand (only moderation queues); automation ROI needs contacts per reason")
    _check_overlap(evaluation, demand["reason"], where="plan demand")
    base = build_plan(inputs, settings)
    weeks = float(inputs.demand["contacts"].sum()) / float(base.queues["contacts_week"].sum())
    per_reason = demand.assign(work_s=demand["contacts"] * demand["handle_time_s"]).groupby("reason")[["contacts", "work_s"]].sum()
    hourly = _hourly_cost_per_reason(demand, base.queues)
    rows = []
    for reason, totals in per_reason.iterrows():
        monthly = float(totals["contacts"]) / weeks * WEEKS_PER_MONTH
        row = _contact_flows(evaluation, str(reason), monthly, float(totals["work_s"] / totals["contacts"]), cfg)
        saving = {"hours_saved": 0.0, "fte_saved": 0.0, "labour_cost_saved": 0.0}
        if row["automation_rate"] > 0:
            result = run_scenario(inputs, _deflect_scenario({str(reason): row["automation_rate"]}), settings)
            saving = {
                "hours_saved": (result.base.queues["staffed_hours_week"].sum() - result.changed.queues["staffed_hours_week"].sum()) * WEEKS_PER_MONTH,
                "fte_saved": result.base.total_fte - result.changed.total_fte,
                "labour_cost_saved": (result.base.total_cost_week - result.changed.total_cost_week) * WEEKS_PER_MONTH,
            }
        if row["automation_rate"] > 0 and saving["labour_cost_saved"] <= 0 and not row["note"]:
            row["note"] = "the plan needs the same staff without these contacts (minimum staffing or vendor commitment)"
        row.update(saving, cost_per_productive_hour=float(hourly[reason]), currency=settings.currency, costing="plan")
        rows.append(row)
    return _rank(rows, cfg)


def _check_overlap(evaluation: Evaluation, reasons: pd.Series, *, where: str) -> None:
    known = set(evaluation.labels)
    if not known & set(reasons.astype(str)):
        raise VocInputError(
            f"{where}: none of the reasons {sorted(reasons.astype(str).unique())[:8]} is in the evaluation's label set "
            f"{sorted(known)[:8]}; evaluate a model trained on these reasons"
        )


def _contact_flows(evaluation: Evaluation, reason: str, volume: float, aht_s: float, cfg: AutomationConfig) -> dict:
    """Where a month of the reason's contacts go at the operating point (no money yet)."""
    point = operating_point(evaluation.class_curves, reason, target_precision=cfg.target_precision, min_predicted=cfg.min_evaluated)
    note = ""
    if reason not in evaluation.labels:
        note = "reason not in the model's label set"
    elif point["threshold"] is None:
        note = f"precision {cfg.target_precision:g} not reached with at least {cfg.min_evaluated} evaluated texts"
    if math.isnan(aht_s):
        aht_s, note = 0.0, note or "no handle time recorded"
    resolvable = cfg.resolvable(reason)
    coverage = point["automation_rate"]
    attempted = volume * point["attempt_rate"]
    return {
        "reason": reason,
        "monthly_contacts": volume,
        "handle_time_s": aht_s,
        "threshold": point["threshold"],
        "precision": point["precision"],
        "coverage": coverage,
        "resolvable_share": resolvable,
        "automation_rate": coverage * resolvable,
        "attempted_contacts": attempted,
        "deflected_contacts": volume * coverage * resolvable,
        "escalated_contacts": volume * coverage * (1 - resolvable),
        "misrouted_contacts": max(attempted - volume * coverage, 0.0),
        "note": note,
    }


def _rank(rows: list[dict], cfg: AutomationConfig) -> pd.DataFrame:
    """Add the error, escalation and LLM costs, the net saving and CSAT change; best first."""
    table = pd.DataFrame(rows)
    hourly = table["cost_per_productive_hour"]
    table["error_cost"] = table["misrouted_contacts"] * (cfg.rehandle_extra_s / 3600 * hourly + cfg.satisfaction_cost_per_error)
    table["escalation_cost"] = table["escalated_contacts"] * cfg.escalation_extra_s / 3600 * hourly
    table["llm_cost"] = table["attempted_contacts"] * cfg.llm_cost_per_contact
    table["net_saving"] = table["labour_cost_saved"] - table["error_cost"] - table["escalation_cost"] - table["llm_cost"]
    deflected = table["deflected_contacts"]
    table["csat_delta"] = (cfg.automated_csat_delta - cfg.csat_drop_per_error * table["misrouted_contacts"] / deflected.where(deflected > 0)).fillna(0.0)
    table = table.sort_values(["net_saving", "reason"], ascending=[False, True], ignore_index=True)
    table.insert(0, "rank", range(1, len(table) + 1))
    return table


def _hourly_cost_per_reason(demand: pd.DataFrame, queues: pd.DataFrame) -> pd.Series:
    """Cost per productive hour of each reason: its queues' weekly cost over their staffed hours,
    weighted by the reason's contacts in each queue."""
    rate = (queues.groupby("queue")["cost_week"].sum() / queues.groupby("queue")["staffed_hours_week"].sum()).rename("rate")
    per_queue = demand.groupby(["reason", "queue"], as_index=False)["contacts"].sum().join(rate, on="queue")
    weighted = per_queue.assign(cost=per_queue["contacts"] * per_queue["rate"]).groupby("reason")[["cost", "contacts"]].sum()
    return weighted["cost"] / weighted["contacts"]


def _deflect_scenario(shares: dict[str, float], *, name: str = "voc-deflection") -> Scenario:
    return Scenario(name=name, changes=[{"kind": "deflect", "reason": r, "share": s} for r, s in shares.items()])


def scenario_document(
    opportunities: pd.DataFrame, *, name: str, description: str = "", top_n: int | None = None, min_net_saving: float = 0.0
) -> dict:
    """The scenario (shared YAML format read by `govex plan scenario`): one `deflect` change per
    reason worth automating (a positive net saving above `min_net_saving`), best first; its
    share is the deflectable share (coverage x resolvable share)."""
    chosen = opportunities[(opportunities["net_saving"] > min_net_saving) & (opportunities["automation_rate"] > 0)]
    if top_n is not None:
        chosen = chosen.head(top_n)
    if chosen.empty:
        raise VocInputError(
            "scenario: no reason reaches the target precision with a positive net saving; lower target_precision, "
            "check the unit costs and resolvable shares, or improve the classifier"
        )
    changes = [
        {"kind": "deflect", "reason": row.reason, "share": round(float(row.automation_rate), 4), "csat_delta": round(float(row.csat_delta), 4)}
        for row in chosen.itertuples(index=False)
    ]
    text = description or (
        f"Automation of {len(changes)} contact reason(s) at the target precision; estimated net saving "
        f"{chosen['net_saving'].sum():,.0f} {chosen['currency'].iloc[0]} per month and {chosen['fte_saved'].sum():.1f} FTE "
        "(sum of the reasons costed one at a time)."
    )
    return {"name": name, "description": text, "changes": changes}


def write_scenario(
    opportunities: pd.DataFrame, path: str | Path, *, name: str, description: str = "", top_n: int | None = None, min_net_saving: float = 0.0
) -> Path:
    """Write the scenario YAML to a temporary name beside `path`, then rename."""
    document = scenario_document(opportunities, name=name, description=description, top_n=top_n, min_net_saving=min_net_saving)
    text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
    return write_atomically(path, lambda temp: temp.write_text(text, encoding="utf-8"))
