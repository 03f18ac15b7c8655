"""Automation ROI: what an automated classifier-plus-resolver can take off live queues, per reason.

For each reason r the evaluation's per-label precision-coverage curve gives the threshold
that automates the largest share of r's contacts while precision stays at the target. At
that operating point, per month:

- attempted  = V_r x attempt_rate           (contacts routed to automation, errors included)
- deflected  = V_r x automation_rate        (true-r contacts handled without an agent)
- misrouted  = attempted - deflected        (contacts of other reasons, re-handled by an agent)
- hours_saved = deflected x AHT_r / 3600;   FTE saved = hours_saved / productive hours per FTE-month
- labour_cost_saved = hours_saved x cost per productive hour
- error_cost = misrouted x (rehandle_extra_s / 3600 x cost per productive hour + satisfaction cost per error)
- llm_cost   = attempted x LLM cost per contact
- net_saving = labour_cost_saved - error_cost - llm_cost
- csat_delta (on deflected contacts) = automated_csat_delta - csat_drop_per_error x misrouted / deflected

The misrouted estimate assumes the evaluation set has the production mix of reasons.

References
----------
.. [1] Cleveland, B. (2012). Call Center Management on Fast Forward, 3rd ed., ch. 6: base
   staff = workload hours / productive hours per agent, productive hours = paid hours x
   (1 - shrinkage).
.. [2] El-Yaniv, R., Wiener, Y. (2010). On the foundations of noise-free selective
   classification. JMLR 11 (choosing a coverage at a target risk).
"""
from __future__ import annotations

import math
import os
import tempfile
from pathlib import Path

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field

from govex.voc.errors import VocInputError
from govex.voc.evaluation import Evaluation, operating_point

VOLUME_COLUMNS = ("reason", "monthly_contacts", "handle_time_s")


class AutomationConfig(BaseModel):
    """Targets and unit costs of an automation estimate (defaults are placeholders: set your own)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    target_precision: float = Field(0.9, gt=0, le=1, description="precision the automation must keep")
    min_evaluated: int = Field(5, ge=1, description="evaluation texts needed at the operating point to trust it")
    productive_hours_per_fte_month: float = Field(120.0, gt=0, description="e.g. 160 paid hours x (1 - 25% shrinkage)")
    cost_per_productive_hour: float = Field(25.0, ge=0, description="fully loaded agent or BPO cost per productive hour")
    currency: str = "USD"
    rehandle_extra_s: float = Field(120.0, ge=0, description="extra agent seconds to recover a misrouted contact")
    satisfaction_cost_per_error: float = Field(1.5, ge=0, description="money value of the dissatisfaction one misroute causes")
    csat_drop_per_error: float = Field(0.5, ge=0, description="CSAT points (1-5 scale) lost on a misrouted contact")
    automated_csat_delta: float = Field(0.0, ge=-4, le=4, description="CSAT change on a correctly automated contact")
    llm_cost_per_contact: float = Field(0.0, ge=0, description="model cost per automated attempt (see LLMRun.usage)")


def automation_opportunities(evaluation: Evaluation, volumes: pd.DataFrame, *, config: AutomationConfig | None = None) -> pd.DataFrame:
    """One row per reason with its reachable automation and money, best net saving first.

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
    known = set(evaluation.labels)
    if not known & set(volumes["reason"]):
        raise VocInputError(
            f"volumes: none of the reasons {sorted(volumes['reason'].astype(str))[:8]} is in the evaluation's label set "
            f"{sorted(known)[:8]}; evaluate a model trained on these reasons"
        )
    hourly = cfg.cost_per_productive_hour
    rows = []
    for record in volumes.itertuples(index=False):
        reason, volume, aht_s = str(record.reason), float(record.monthly_contacts), float(record.handle_time_s)
        point = operating_point(evaluation.class_curves, reason, target_precision=cfg.target_precision, min_predicted=cfg.min_evaluated)
        note = ""
        if reason not in known:
            note = "reason not in the model's label set"
        elif point["threshold"] is None:
            note = f"precision {cfg.target_precision:g} not reached with at least {cfg.min_evaluated} evaluated texts"
        if math.isnan(aht_s):
            aht_s, note = 0.0, note or "no handle time recorded"
        attempted = volume * point["attempt_rate"]
        deflected = volume * point["automation_rate"]
        misrouted = max(attempted - deflected, 0.0)
        hours_saved = deflected * aht_s / 3600
        labour = hours_saved * hourly
        error_cost = misrouted * (cfg.rehandle_extra_s / 3600 * hourly + cfg.satisfaction_cost_per_error)
        llm_cost = attempted * cfg.llm_cost_per_contact
        rows.append(
            {
                "reason": reason,
                "monthly_contacts": volume,
                "handle_time_s": aht_s,
                "threshold": point["threshold"],
                "precision": point["precision"],
                "automation_rate": point["automation_rate"],
                "deflected_contacts": deflected,
                "misrouted_contacts": misrouted,
                "hours_saved": hours_saved,
                "fte_saved": hours_saved / cfg.productive_hours_per_fte_month,
                "labour_cost_saved": labour,
                "error_cost": error_cost,
                "llm_cost": llm_cost,
                "net_saving": labour - error_cost - llm_cost,
                "csat_delta": cfg.automated_csat_delta - cfg.csat_drop_per_error * misrouted / deflected if deflected > 0 else 0.0,
                "currency": cfg.currency,
                "note": note,
            }
        )
    table = pd.DataFrame(rows).sort_values(["net_saving", "reason"], ascending=[False, True], ignore_index=True)
    table.insert(0, "rank", range(1, len(table) + 1))
    return table


def scenario_document(
    opportunities: pd.DataFrame, *, name: str, description: str = "", top_n: int | None = None, min_net_saving: float = 0.0
) -> dict:
    """The scenario (shared YAML format read by `govex plan scenario`): one `deflect` change per
    reason worth automating (a positive net saving above `min_net_saving`), best first."""
    chosen = opportunities[(opportunities["net_saving"] > min_net_saving) & (opportunities["automation_rate"] > 0)]
    if top_n is not None:
        chosen = chosen.head(top_n)
    if chosen.empty:
        raise VocInputError(
            "scenario: no reason reaches the target precision with a positive net saving; lower target_precision, "
            "check the unit costs, or improve the classifier"
        )
    changes = [
        {"kind": "deflect", "reason": row.reason, "share": round(float(row.automation_rate), 4), "csat_delta": round(float(row.csat_delta), 4)}
        for row in chosen.itertuples(index=False)
    ]
    text = description or (
        f"Automation of {len(changes)} contact reason(s) at the target precision; estimated net saving "
        f"{chosen['net_saving'].sum():,.0f} {chosen['currency'].iloc[0]} and {chosen['fte_saved'].sum():.1f} FTE per month."
    )
    return {"name": name, "description": text, "changes": changes}


def write_scenario(
    opportunities: pd.DataFrame, path: str | Path, *, name: str, description: str = "", top_n: int | None = None, min_net_saving: float = 0.0
) -> Path:
    """Write the scenario YAML to a temporary name beside `path`, then rename."""
    document = scenario_document(opportunities, name=name, description=description, top_n=top_n, min_net_saving=min_net_saving)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            yaml.safe_dump(document, out, sort_keys=False, allow_unicode=True)
        os.replace(temp, path)
    finally:
        Path(temp).unlink(missing_ok=True)
    return path
