"""Service recovery and customer education measured by their effect, from the warehouse.

Both are programmes nobody randomised, so both go through the one adjusted estimator
(`govex.analysis.adjusted_effect`, AIPW) on units built here in the engine:

* Compensation. A candidate is a customer's first failure that the orders table shows: a late
  delivery (date(delivered_at) > promised_date; the failure happens at delivered_at) or a voucher
  or appointment the merchant refused (at ordered_at: the contract has no refusal time), of the
  kinds the compensations table answers at all (a failure never compensated is no candidate for
  the programme). The unit is treated when a compensation names its order. Outcome: an order placed in the `window_days`
  after the failure. Pre-failure covariates: orders in the `recent_days` before the failed order,
  all earlier orders, tenure since sign-up, the failure and the market. Segments: recent orders
  0 (quiet), 1-2 (regular), 3+ (frequent).
* Onboarding help. A unit is a first-time buyer; the programme's decision point is
  `decision_days` after the first order. Treated: enrolled (customer_education) by the end of the
  day after that point; buyers enrolled later are left out. Covariates: a contact before the
  decision point, the market and the acquisition channel. Outcome: contacts created in the
  `outcome_days` after the decision point per order placed from the first order to the end of
  that window.

Candidates need the whole outcome window inside the data: the window must end by `as_of`.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from govex.analysis.adjusted_effect import AdjustedEffect, adjusted_effect
from govex.dialect import count_where
from govex.engine.warehouse import Warehouse
from govex.errors import ConfigError

WINDOW_DAYS = 30
RECENT_DAYS = 30
DECISION_DAYS = 3
OUTCOME_DAYS = 60
SEGMENT_LABELS = ("quiet (0 recent orders)", "regular (1-2)", "frequent (3+)")
FAILURE_TYPES = ("late_delivery", "refused_redemption")
_DAY_S = 86_400.0


@dataclass(frozen=True)
class ProgrammeEffect:
    """A programme's adjusted effect with the units it was estimated on."""

    programme: str
    outcome: str
    units: pd.DataFrame
    effect: AdjustedEffect


def default_as_of(warehouse: Warehouse) -> dt.date:
    """The day after the last order: the data's exclusive end."""
    orders = warehouse.table("orders", purpose="service recovery")
    last = orders.ordered_at.max().execute()
    if last is None or pd.isna(last):
        raise ConfigError("orders is empty: there is nothing to measure")
    return pd.Timestamp(last).date() + dt.timedelta(days=1)


def _seconds(value: ir.Value) -> ir.FloatingValue:
    return value.epoch_seconds().cast("float64")


def _end_seconds(as_of: dt.date) -> float:
    return float((dt.datetime.combine(as_of, dt.time()) - dt.datetime(1970, 1, 1)).total_seconds())


def compensation_units(warehouse: Warehouse, *, as_of: dt.date, window_days: int = WINDOW_DAYS,
                       recent_days: int = RECENT_DAYS) -> pd.DataFrame:
    """One row per candidate failure: covariates, treated, amount granted, repurchased (0/1)."""
    for name in ("orders", "compensations"):
        if not warehouse.has(name):
            raise ConfigError(f"service recovery needs the {name} table; it is not in the warehouse")
    orders = warehouse.table("orders", purpose="service recovery")
    comp = warehouse.table("compensations", purpose="service recovery")
    answered = [f for f in FAILURE_TYPES if f in set(comp.select("failure").distinct().to_pandas().failure)]
    if not answered:
        raise ConfigError(f"compensations answer none of the failures the orders table shows ({', '.join(FAILURE_TYPES)}); "
                          "there are no candidates to compare")
    late = orders.delivered_at.notnull() & orders.promised_date.notnull() & (orders.delivered_at.date() > orders.promised_date)
    refused = orders.fulfilment_outcome.fill_null("") == "refused_by_merchant"
    late, refused = late & (FAILURE_TYPES[0] in answered), refused & (FAILURE_TYPES[1] in answered)
    failures = orders.filter(late | refused).mutate(
        failure=ibis.ifelse(late, FAILURE_TYPES[0], FAILURE_TYPES[1]),
        failure_s=ibis.ifelse(late, _seconds(orders.delivered_at), _seconds(orders.ordered_at)),
        ordered_s=_seconds(orders.ordered_at),
        rank=ibis.row_number().over(group_by="customer_id", order_by=[orders.ordered_at, orders.order_id]),
    )
    first = failures.filter((failures["rank"] == 0)
                            & (failures.failure_s + window_days * _DAY_S <= _end_seconds(as_of)))
    first = first.select("customer_id", "order_id", "market", "failure", "failure_s", "ordered_s")
    history = orders.select(h_customer=orders.customer_id, h_s=_seconds(orders.ordered_at))
    joined = first.inner_join(history, first.customer_id == history.h_customer)
    counts = joined.group_by("order_id").aggregate(
        recent_orders=count_where((joined.h_s < joined.ordered_s) & (joined.h_s >= joined.ordered_s - recent_days * _DAY_S)),
        past_orders=count_where(joined.h_s < joined.ordered_s),
        repurchased=count_where((joined.h_s > joined.failure_s) & (joined.h_s <= joined.failure_s + window_days * _DAY_S)),
    )
    from govex.metrics.currency import in_reporting_currency

    comp = in_reporting_currency(warehouse, comp, source="compensations", time_column="granted_at")
    comp = comp.filter(comp.order_id.notnull())
    granted = comp.group_by(g_order=comp.order_id).aggregate(compensations=comp.count(), amount=comp.amount.sum())
    customers = warehouse.table("customers", purpose="service recovery")
    signups = customers.select(c_id=customers.customer_id, signup_s=_seconds(customers.signup_date.cast("timestamp")))
    units = (first.join(counts, "order_id")
             .left_join(granted, first.order_id == granted.g_order)
             .left_join(signups, first.customer_id == signups.c_id))
    frame = units.select(
        "customer_id", "order_id", "market", "failure", "failure_s", "recent_orders", "past_orders", "repurchased",
        "signup_s", treated=units.compensations.fill_null(0) > 0, amount=units.amount,
    ).order_by("order_id").to_pandas()
    frame["failure_at"] = pd.to_datetime(frame.pop("failure_s"), unit="s")
    frame["tenure_days"] = ((frame.failure_at - pd.to_datetime(frame.pop("signup_s"), unit="s")).dt.total_seconds()
                            / _DAY_S).clip(lower=0).fillna(0)
    frame["treated"] = frame.treated.astype(int)
    frame["repurchased"] = (frame.repurchased > 0).astype(int)
    frame["log_past_orders"] = np.log1p(frame.past_orders)
    frame["recent_capped"] = frame.recent_orders.clip(upper=3)
    frame["segment"] = pd.Categorical(np.select([frame.recent_orders <= 0, frame.recent_orders <= 2],
                                                SEGMENT_LABELS[:2], SEGMENT_LABELS[2]), SEGMENT_LABELS)
    return frame


def compensation_effect(warehouse: Warehouse, *, as_of: dt.date | None = None, window_days: int = WINDOW_DAYS,
                        recent_days: int = RECENT_DAYS) -> ProgrammeEffect:
    """Adjusted effect of compensation on repurchase within `window_days` of a failure."""
    as_of = as_of or default_as_of(warehouse)
    units = compensation_units(warehouse, as_of=as_of, window_days=window_days, recent_days=recent_days)
    _enough(units, "compensation")
    effect = adjusted_effect(
        units.assign(segment=units.segment.astype(str)), treatment="treated", outcome="repurchased",
        numeric=["log_past_orders", "tenure_days"],
        categorical=[c for c in ("recent_capped", "failure", "market") if units[c].nunique() > 1], segment="segment",
    )
    return ProgrammeEffect("compensation after a failure", f"repurchase within {window_days} days", units, effect)


def onboarding_units(warehouse: Warehouse, *, as_of: dt.date, programme: str | None = None,
                     decision_days: int = DECISION_DAYS, outcome_days: int = OUTCOME_DAYS) -> pd.DataFrame:
    """One row per first-time buyer with a full outcome window: early contact, enrolled, contacts per order."""
    for name in ("orders", "contacts", "customers", "customer_education"):
        if not warehouse.has(name):
            raise ConfigError(f"the customer education effect needs the {name} table; it is not in the warehouse")
    orders = warehouse.table("orders", purpose="customer education")
    contacts = warehouse.table("contacts", purpose="customer education")
    customers = warehouse.table("customers", purpose="customer education")
    education = warehouse.table("customer_education", purpose="customer education")
    if programme is not None:
        education = education.filter(education.programme == programme)
    decision, end = decision_days * _DAY_S, (decision_days + outcome_days) * _DAY_S
    first = orders.group_by("customer_id").aggregate(t0=_seconds(orders.ordered_at).min())
    first = first.filter(first.t0 + end <= _end_seconds(as_of))
    o = orders.select(o_customer=orders.customer_id, o_s=_seconds(orders.ordered_at))
    oj = first.inner_join(o, first.customer_id == o.o_customer)
    n_orders = oj.group_by("customer_id").aggregate(orders=count_where(oj.o_s < oj.t0 + end))
    c = contacts.filter(contacts.customer_id.notnull()).select(k_customer=contacts.customer_id, k_s=_seconds(contacts.created_at))
    cj = first.inner_join(c, first.customer_id == c.k_customer)
    n_contacts = cj.group_by(n_customer=cj.customer_id).aggregate(
        early_contacts=count_where((cj.k_s >= cj.t0) & (cj.k_s < cj.t0 + decision)),
        contacts=count_where((cj.k_s >= cj.t0 + decision) & (cj.k_s < cj.t0 + end)),
    )
    e = education.group_by(e_customer=education.customer_id).aggregate(
        enrolled_s=_seconds(education.enrolled_at).min(), completed=count_where(education.completed_at.notnull()))
    profile = customers.select(c_id=customers.customer_id, c_market=customers.market,
                               channel=customers.acquisition_channel.fill_null("unknown"))
    units = (first.join(n_orders, "customer_id")
             .left_join(n_contacts, first.customer_id == n_contacts.n_customer)
             .left_join(e, first.customer_id == e.e_customer)
             .left_join(profile, first.customer_id == profile.c_id))
    frame = units.select(
        "customer_id", "orders", market="c_market", acquisition_channel="channel",
        early_contacts=units.early_contacts.fill_null(0), contacts=units.contacts.fill_null(0),
        enrolled_delay_days=(units.enrolled_s - units.t0) / _DAY_S, completed=units.completed.fill_null(0),
    ).order_by("customer_id").to_pandas()
    late = frame.enrolled_delay_days >= decision_days + 1
    frame = frame[~late].reset_index(drop=True)
    frame["treated"] = frame.enrolled_delay_days.notna().astype(int)
    frame["contacted_early"] = (frame.early_contacts > 0).astype(int)
    frame["contacts_per_order"] = frame.contacts / frame.orders
    return frame.drop(columns=["enrolled_delay_days"])


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
        raise ConfigError(f"{what}: {treated} treated and {len(units) - treated} untreated units with a full outcome "
                          "window; not enough data to estimate an effect")


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
