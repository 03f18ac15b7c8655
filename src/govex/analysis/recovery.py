"""Service recovery and customer education measured by their effect.

Compensation is judged on two outcomes of the same candidate failures: repurchase, and the CSAT
of the customer's next survey (on the candidates who answered one).

Both are programmes nobody randomised, so both go through the one adjusted estimator
(`govex.analysis.adjusted_effect`, AIPW) on the units `govex.features.programmes` builds in the
engine (who is a candidate, what counts as treated, the outcome and the pre-treatment covariates
are defined there). The advice weighs each segment's effect against what a compensation costs,
with the value of a returning customer from the CLV model.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from govex.analysis.adjusted_effect import AdjustedEffect, adjusted_effect
from govex.errors import ConfigError
from govex.features.programmes import (
    DECISION_DAYS,
    OUTCOME_DAYS,
    RECENT_DAYS,
    WINDOW_DAYS,
    compensation_units,
    default_as_of,
    onboarding_units,
)

if TYPE_CHECKING:
    from govex.engine.warehouse import Warehouse


@dataclass(frozen=True)
class ProgrammeEffect:
    """A programme's adjusted effect with the units it was estimated on."""

    programme: str
    outcome: str
    units: pd.DataFrame
    effect: AdjustedEffect


def compensation_effect(warehouse: Warehouse, *, as_of: dt.date | None = None, window_days: int = WINDOW_DAYS,
                        recent_days: int = RECENT_DAYS) -> ProgrammeEffect:
    """Adjusted effect of compensation on repurchase within `window_days` of a failure."""
    as_of = as_of or default_as_of(warehouse)
    units = compensation_units(warehouse, as_of=as_of, window_days=window_days, recent_days=recent_days)
    return _compensation(units, "repurchased", f"repurchase within {window_days} days")


def csat_effect(units: pd.DataFrame, *, window_days: int = WINDOW_DAYS) -> ProgrammeEffect:
    """Adjusted effect of compensation on the CSAT a customer gives next, within `window_days` of a failure.

    `units` are `compensation_units` (e.g. `compensation_effect(...).units`, built with the same
    window); the candidates who answered no survey in the window are left out.
    """
    surveyed = units[units.next_csat.notna()].reset_index(drop=True)
    return _compensation(surveyed, "next_csat", f"CSAT of the next survey within {window_days} days")


def _compensation(units: pd.DataFrame, outcome: str, label: str) -> ProgrammeEffect:
    _enough(units, f"compensation ({label})")
    effect = adjusted_effect(
        units.assign(segment=units.segment.astype(str)), treatment="treated", outcome=outcome,
        numeric=["log_past_orders", "tenure_days"],
        categorical=[c for c in ("recent_capped", "failure", "market") if units[c].nunique() > 1], segment="segment",
    )
    return ProgrammeEffect("compensation after a failure", label, units, effect)


def onboarding_effect(warehouse: Warehouse, *, as_of: dt.date | None = None, programme: str | None = None,
                      decision_days: int = DECISION_DAYS, outcome_days: int = OUTCOME_DAYS) -> ProgrammeEffect:
    """Adjusted effect of customer onboarding help on first-time buyers' contacts per order."""
    as_of = as_of or default_as_of(warehouse)
    units = onboarding_units(warehouse, as_of=as_of, programme=programme, decision_days=decision_days,
                             outcome_days=outcome_days)
    _enough(units, "onboarding help")
    effect = adjusted_effect(
        units, treatment="treated", outcome="contacts_per_order", numeric=["contacted_early"],
        categorical=[c for c in ("market", "acquisition_channel") if units[c].nunique() > 1], segment="market",
    )
    return ProgrammeEffect(f"onboarding help{f' ({programme})' if programme else ''}",
                           f"contacts per order in the {outcome_days} days after day {decision_days}", units, effect)


def _enough(units: pd.DataFrame, what: str) -> None:
    treated = int(units.treated.sum())
    if min(treated, len(units) - treated) < 2:
        raise ConfigError(f"{what}: {treated} treated and {len(units) - treated} untreated units with an observed "
                          "outcome; not enough data to estimate an effect")


def recommendation(warehouse: Warehouse, result: ProgrammeEffect, *, as_of: dt.date | None = None) -> pd.DataFrame:
    """Whom to compensate and how much, by segment: expected retention value against cost.

    value_per_return is the mean CLV (`govex.segments.clv`, default spec, reporting currency) of the
    segment's candidates who did come back: what a customer brought back is worth. The expected
    value of one compensation is effect x value_per_return; the break-even amount is that value (a
    compensation costing more loses money at the measured effect). Only one amount level is
    observed, so the effect of a larger or smaller amount is not identified: the advice is to keep
    the amount paid today below the break-even, not to scale it.
    """
    from govex.features import FeatureOptions
    from govex.segments.clv import clv_features
    from govex.segments.spec import CLVSpec

    as_of = as_of or default_as_of(warehouse)
    clv = clv_features(warehouse, as_of=as_of, spec=CLVSpec(), options=FeatureOptions()).select("customer_id", "clv")
    units = result.units.merge(clv.to_pandas(), on="customer_id", how="left")
    rows = []
    for segment, effect in result.effect.by_segment.set_index("segment").iterrows():
        inside = units[units.segment.astype(str) == segment]
        value = float(inside.loc[inside.repurchased == 1, "clv"].mean())
        cost = float(inside.loc[inside.treated == 1, "amount"].mean())
        expected = effect.estimate * value
        if np.isnan(effect.estimate) or np.isnan(cost):
            decision = "not enough data"
        elif effect.ci_low * value > cost:
            decision = "compensate"
        elif expected > cost:
            decision = "compensate, review (pays at the estimate, not at its lower bound)"
        else:
            decision = "do not compensate at this amount"
        rows.append({"segment": segment, "candidates": len(inside), "compensated": int(inside.treated.sum()),
                     "effect": effect.estimate, "ci_low": effect.ci_low, "ci_high": effect.ci_high,
                     "cost_per_compensation": cost, "value_per_return": value, "expected_value": expected,
                     "net_per_compensation": expected - cost, "break_even_amount": expected, "decision": decision})
    return pd.DataFrame(rows)
