"""Units for measuring service recovery and customer education, built in the engine.

The effect estimates (`govex.analysis.recovery`) run on one row per unit; this module builds
those rows from the canonical tables with Ibis, so the joins and counts over orders and contacts
run where the data is:

* Compensation. A candidate is a customer's first failure that the orders table shows: a late
  delivery (date(delivered_at) > promised_date; the failure happens at delivered_at) or a voucher
  or appointment the merchant refused (at ordered_at: the contract has no refusal time), of the
  kinds the compensations table answers at all (a failure never compensated is no candidate for
  the programme). The unit is treated when a compensation names its order. Outcome: an order
  placed in the `window_days` after the failure. Pre-failure covariates: orders in the
  `recent_days` before the failed order, all earlier orders, tenure since sign-up, the failure and
  the market. Segments: recent orders 0 (quiet), 1-2 (regular), 3+ (frequent). Second outcome,
  where surveys exist: the CSAT of the customer's first survey answered (with a CSAT) in the same
  window after the failure, whatever its touchpoint; null when the customer answered none.
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

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from govex.dialect import count_where, whole_seconds
from govex.engine.warehouse import Warehouse
from govex.errors import ConfigError

WINDOW_DAYS = 30
RECENT_DAYS = 30
DECISION_DAYS = 3
OUTCOME_DAYS = 60
SEGMENT_LABELS = ("quiet (0 recent orders)", "regular (1-2)", "frequent (3+)")
FAILURE_TYPES = ("late_delivery", "refused_redemption")
_DAY_S = 86_400.0


def default_as_of(warehouse: Warehouse) -> dt.date:
    """The day after the last order: the data's exclusive end."""
    orders = warehouse.table("orders", purpose="service recovery")
    last = orders.ordered_at.max().execute()
    if last is None or pd.isna(last):
        raise ConfigError("orders is empty: there is nothing to measure")
    return pd.Timestamp(last).date() + dt.timedelta(days=1)


def _end_seconds(as_of: dt.date) -> float:
    return float((dt.datetime.combine(as_of, dt.time()) - dt.datetime(1970, 1, 1)).total_seconds())


def compensation_units(warehouse: Warehouse, *, as_of: dt.date, window_days: int = WINDOW_DAYS,
                       recent_days: int = RECENT_DAYS) -> pd.DataFrame:
    """One row per candidate failure: covariates, treated, amount granted, repurchased (0/1), next_csat."""
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
        failure_s=ibis.ifelse(late, whole_seconds(orders.delivered_at), whole_seconds(orders.ordered_at)),
        ordered_s=whole_seconds(orders.ordered_at),
        rank=ibis.row_number().over(group_by="customer_id", order_by=[orders.ordered_at, orders.order_id]),
    )
    first = failures.filter((failures["rank"] == 0)
                            & (failures.failure_s + window_days * _DAY_S <= _end_seconds(as_of)))
    first = first.select("customer_id", "order_id", "market", "failure", "failure_s", "ordered_s")
    history = orders.select(h_customer=orders.customer_id, h_s=whole_seconds(orders.ordered_at))
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
    signups = customers.select(c_id=customers.customer_id, signup_s=whole_seconds(customers.signup_date.cast("timestamp")))
    units = (first.join(counts, "order_id")
             .left_join(granted, first.order_id == granted.g_order)
             .left_join(signups, first.customer_id == signups.c_id))
    next_csat = ibis.null("float64")
    if warehouse.has("surveys"):
        csat = _next_csat(warehouse, first, window_days)
        units = units.left_join(csat, units.order_id == csat.s_order)
        next_csat = units.next_csat
    frame = units.select(
        "customer_id", "order_id", "market", "failure", "failure_s", "recent_orders", "past_orders", "repurchased",
        "signup_s", treated=units.compensations.fill_null(0) > 0, amount=units.amount, next_csat=next_csat,
    ).order_by("order_id").to_pandas()
    frame["next_csat"] = frame.next_csat.astype("float64")
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


def _next_csat(warehouse: Warehouse, first: ir.Table, window_days: int) -> ir.Table:
    """s_order, next_csat: the first CSAT answered in the window after each candidate failure."""
    surveys = warehouse.table("surveys", purpose="service recovery")
    answered = surveys.filter(surveys.customer_id.notnull() & surveys.csat.notnull())
    answered = answered.select(s_customer=answered.customer_id, s_id=answered.survey_id, s_s=whole_seconds(answered.responded_at),
                               s_csat=answered.csat.cast("float64"))
    joined = first.inner_join(answered, first.customer_id == answered.s_customer)
    joined = joined.filter((joined.s_s > joined.failure_s) & (joined.s_s <= joined.failure_s + window_days * _DAY_S))
    ranked = joined.mutate(s_rank=ibis.row_number().over(group_by="order_id", order_by=[joined.s_s, joined.s_id]))
    ranked = ranked.filter(ranked.s_rank == 0)
    return ranked.select(s_order=ranked.order_id, next_csat=ranked.s_csat)


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
    first = orders.group_by("customer_id").aggregate(t0=whole_seconds(orders.ordered_at).min())
    first = first.filter(first.t0 + end <= _end_seconds(as_of))
    o = orders.select(o_customer=orders.customer_id, o_s=whole_seconds(orders.ordered_at))
    oj = first.inner_join(o, first.customer_id == o.o_customer)
    n_orders = oj.group_by("customer_id").aggregate(orders=count_where(oj.o_s < oj.t0 + end))
    c = contacts.filter(contacts.customer_id.notnull()).select(k_customer=contacts.customer_id, k_s=whole_seconds(contacts.created_at))
    cj = first.inner_join(c, first.customer_id == c.k_customer)
    n_contacts = cj.group_by(n_customer=cj.customer_id).aggregate(
        early_contacts=count_where((cj.k_s >= cj.t0) & (cj.k_s < cj.t0 + decision)),
        contacts=count_where((cj.k_s >= cj.t0 + decision) & (cj.k_s < cj.t0 + end)),
    )
    e = education.group_by(e_customer=education.customer_id).aggregate(
        enrolled_s=whole_seconds(education.enrolled_at).min(), completed=count_where(education.completed_at.notnull()))
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
