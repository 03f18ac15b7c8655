"""Per-customer features as of a date, built as one unexecuted Ibis expression.

Everything heavy (scans, group-bys, joins over orders, contacts, disputes, returns) runs in
the engine; the result has one row per customer with at least one purchase on or before the
as-of date. A canonical table that is absent only removes the features that need it, and the
returned `FeatureSet.skipped` says which.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

import ibis
import ibis.expr.types as ir

from govex.dialect import count_where
from govex.engine.warehouse import Warehouse
from govex.errors import MissingTableError
from govex.features.catalogue import CUSTOMER_FEATURES, RECENT_REASON_PREFIX
from govex.features.options import FeatureOptions
from govex.metrics.currency import in_reporting_currency, to_cents

KEY = "customer_id"


@dataclass(frozen=True)
class FeatureSet:
    """A per-entity feature table (unexecuted) with the names it holds and what was skipped.

    `missing_tables` maps each feature that could not be computed to the tables it lacks.
    """

    table: ir.Table
    available: frozenset[str]
    skipped: tuple[str, ...]
    missing_tables: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def _rate(numerator: ir.NumericValue, denominator: ir.NumericValue) -> ir.FloatingValue:
    # Cast before dividing: Spark reads float literals as DECIMAL and rounds (see STACK notes).
    return (numerator.cast("float64") / denominator.cast("float64")).cast("float64")


def _attach(base: ir.Table, other: ir.Table, fills: dict[str, object]) -> ir.Table:
    """Left-join per-customer columns onto the base; customers without events get `fills`."""
    joined = base.left_join(other, KEY).drop(f"{KEY}_right")
    return joined.mutate(**{name: joined[name].fill_null(value) for name, value in fills.items()})


def _purchase_days(orders: ir.Table, options: FeatureOptions) -> ir.Table:
    """Distinct (customer, purchase day) rows with the day's spend in whole cents (exact, any order)."""
    purchases = orders.filter(~orders.status.isin(list(options.excluded_purchase_statuses)))
    return purchases.group_by([KEY, "day"]).aggregate(spend_cents=to_cents(purchases.amount).sum())


def dated_orders(warehouse: Warehouse, *, as_of: dt.date, reporting_currency: str | None = None) -> ir.Table:
    """Orders placed on or before `as_of`, with their calendar day in column `day`, amounts in one currency.

    Amounts go through the metric layer's conversion (`in_reporting_currency`): the rate valid on
    the order day, and an error for an order without one.
    """
    orders = warehouse.table("orders", purpose="customer features")
    day = orders.ordered_at.date()
    dated = orders.filter(day <= ibis.date(as_of)).mutate(day=day)
    return in_reporting_currency(warehouse, dated, source="orders", time_column="ordered_at",
                                 reporting_currency=reporting_currency)


def _order_features(orders: ir.Table, *, as_of: dt.date, options: FeatureOptions) -> ir.Table:
    """Counts, monetary value and purchase rhythm in one scan, one window and one group-by.

    The previous order day among the customer's purchases (or among their other orders) tells
    whether an order starts a new purchase day, and the latest earlier day before the last
    purchase day gives the last gap, so no per-(customer, day) table is built.
    """
    as_of_lit = ibis.date(as_of)
    recent_start = ibis.date(as_of - dt.timedelta(days=options.recent_window_days))
    # only the columns needed: the window sorts whole rows
    orders = orders.select(KEY, "day", "amount", "status")
    orders = orders.mutate(is_purchase=~orders.status.isin(list(options.excluded_purchase_statuses)))
    orders = orders.mutate(previous_day=orders.day.lag().over(group_by=[KEY, "is_purchase"], order_by="day"))
    purchase = orders.is_purchase
    earlier = orders.previous_day < orders.day
    t = orders.group_by(KEY).aggregate(
        n_orders=orders.count(),
        n_purchases=orders.count(where=purchase),
        n_cancelled=orders.count(where=orders.status == "cancelled"),
        monetary_cents=to_cents(orders.amount).sum(where=purchase),
        recent_purchases=orders.count(where=purchase & (orders.day > recent_start)),
        first_purchase_date=orders.day.min(where=purchase),
        last_purchase_date=orders.day.max(where=purchase),
        n_purchase_days=orders.count(where=purchase & (orders.previous_day.isnull() | earlier)),
        previous_purchase_date=orders.previous_day.max(where=purchase & earlier),
    )
    t = t.filter(t.n_purchase_days > 0)  # the universe is customers with a purchase
    # integer cents summed exactly, then one division: the same monetary value on every run
    t = t.mutate(monetary=_rate(t.monetary_cents, ibis.literal(100))).drop("monetary_cents")
    span = t.last_purchase_date.delta(t.first_purchase_date, unit="day")
    t = t.mutate(
        tenure_days=as_of_lit.delta(t.first_purchase_date, unit="day"),
        recency_days=as_of_lit.delta(t.last_purchase_date, unit="day"),
        span_days=span,
        last_gap_days=t.last_purchase_date.delta(t.previous_purchase_date, unit="day").fill_null(0),
        is_first_purchase=(t.n_purchase_days == 1).cast("int64"),
    ).drop("previous_purchase_date")
    several = t.n_purchase_days > 1
    mean_gap = _rate(t.span_days, t.n_purchase_days - 1)
    return t.mutate(
        avg_order_value=_rate(t.monetary, t.n_purchases),
        mean_gap_days=ibis.ifelse(several, mean_gap, 0.0),
        # One division of exact integers, so every engine (and pandas) rounds the same way.
        overdue_ratio=ibis.ifelse(several, _rate(t.recency_days * (t.n_purchase_days - 1), t.span_days), 0.0),
        cancellation_rate=_rate(t.n_cancelled, t.n_orders),
    )


def _dispute_features(warehouse: Warehouse, as_of: dt.date) -> ir.Table:
    d = warehouse.table("disputes", purpose="dispute and chargeback features")
    d = d.filter(d.opened_at.date() <= ibis.date(as_of))
    return d.group_by(KEY).aggregate(
        n_disputed_orders=d.order_id.nunique(where=d.kind == "dispute"),
        n_chargeback_orders=d.order_id.nunique(where=d.kind == "chargeback"),
        n_fraud_confirmed_orders=d.order_id.nunique(where=d.outcome == "fraud_confirmed"),
    )


def _return_features(warehouse: Warehouse, as_of: dt.date) -> ir.Table:
    r = warehouse.table("returns", purpose="return and refund features")
    r = r.filter(r.requested_at.date() <= ibis.date(as_of))
    return r.group_by(KEY).aggregate(
        n_returned_orders=r.order_id.nunique(),
        n_refunded_orders=r.order_id.nunique(where=r.status == "refunded"),
        n_return_abuse_orders=r.order_id.nunique(where=r.abuse_flag.fill_null(False)),
    )


INCIDENT_LEVELS = ("abusive_claim", "abusive_return", "suspicious_claim", "claim", "return")
"""Worst incident of an order, most severe first; each order counts once, at its worst level."""


def _incident_features(warehouse: Warehouse, as_of: dt.date) -> ir.Table:
    """Orders per worst incident level, so one bad order is one piece of evidence, not three.

    abusive_claim: a buyer claim (any reason but 'unauthorised', which is third-party card
    fraud) resolved fraud_confirmed, or any claim on an order whose return was flagged as abuse
    (a second recovery attempt on an order already found abusive); abusive_return: a return
    flagged as abuse and no claim. The two are kept apart because they come from different
    processes (a dispute ruling, a warehouse inspection) whose evidential weights the risk
    model estimates separately; n_orders_abuse_confirmed is their sum. suspicious_claim: an
    item-not-received claim opened after the carrier recorded the delivery, or a claim on an
    order whose return was already refunded (double recovery); claim: any other dispute or
    chargeback; return: a return request and nothing worse.
    """
    orders = warehouse.table("orders", purpose="incident levels")
    d = warehouse.table("disputes", purpose="incident levels")
    r = warehouse.table("returns", purpose="incident levels")
    d = d.filter(d.opened_at.date() <= ibis.date(as_of))
    r = r.filter(r.requested_at.date() <= ibis.date(as_of))
    delivered = orders.select(delivered_order_id=orders.order_id, delivered_at=orders.delivered_at)
    d = d.left_join(delivered, d.order_id == delivered.delivered_order_id)
    inr_after_delivery = (d.reason == "item_not_received") & (d.opened_at > d.delivered_at).fill_null(False)
    claims = d.group_by([KEY, "order_id"]).aggregate(
        false_claim=count_where((d.reason != "unauthorised") & (d.outcome == "fraud_confirmed")),
        inr_after_delivery=count_where(inr_after_delivery),
    )
    requests = r.group_by([KEY, "order_id"]).aggregate(
        return_abuse=count_where(r.abuse_flag.fill_null(False)), refunded=count_where(r.status == "refunded"),
    )
    both = claims.outer_join(requests, [KEY, "order_id"])
    claimed = both.order_id.notnull()
    abusive_return = both.return_abuse.fill_null(0) > 0
    per_order = both.select(
        customer_id=both[KEY].fill_null(both[f"{KEY}_right"]),
        claimed=claimed,
        abusive_claim=(both.false_claim.fill_null(0) > 0) | (claimed & abusive_return),
        abusive_return=abusive_return,
        suspicious=(both.inr_after_delivery.fill_null(0) > 0) | (claimed & (both.refunded.fill_null(0) > 0)),
    )
    level = ibis.cases(
        (per_order.abusive_claim, 0), (per_order.abusive_return, 1), (per_order.suspicious, 2), (per_order.claimed, 3),
        else_=4,
    )
    return per_order.group_by(KEY).aggregate(
        **{f"n_orders_{name}": count_where(level == i) for i, name in enumerate(INCIDENT_LEVELS)}
    )


def _moderation_features(warehouse: Warehouse, as_of: dt.date) -> ir.Table:
    m = warehouse.table("moderation_cases", purpose="moderation features")
    m = m.filter((m.created_at.date() <= ibis.date(as_of)) & m.customer_id.notnull())
    return m.group_by(KEY).aggregate(n_moderation_actions=m.count(where=m.decision.isin(["remove", "restrict"])))


def _contact_features(warehouse: Warehouse, as_of: dt.date, options: FeatureOptions) -> ir.Table:
    c = warehouse.table("contacts", purpose="contact and intent features")
    day = c.created_at.date()
    c = c.filter((day <= ibis.date(as_of)) & c.customer_id.notnull())
    recent = c.created_at.date() > ibis.date(as_of - dt.timedelta(days=options.recent_window_days))
    groups = {
        f"{RECENT_REASON_PREFIX}{name}": c.count(where=recent & c.reason.isin(list(reasons)))
        for name, reasons in options.reason_groups.items()
    }
    counts = c.group_by(KEY).aggregate(n_contacts=c.count(), n_recent_contacts=c.count(where=recent), **groups)
    in_window = c.filter(recent)
    by_reason = in_window.group_by([KEY, "reason"]).aggregate(n=in_window.count(), latest=in_window.created_at.max())
    # Ties broken by the latest contact, then by name, so every engine picks the same reason.
    order = [by_reason.n.desc(), by_reason.latest.desc(), by_reason.reason]
    ranked = by_reason.mutate(position=ibis.row_number().over(group_by=KEY, order_by=order))
    top = ranked.filter(ranked.position == 0).select(KEY, top_recent_reason=ranked.reason)
    return counts.left_join(top, KEY).drop(f"{KEY}_right")


def _survey_features(warehouse: Warehouse, as_of: dt.date) -> ir.Table:
    s = warehouse.table("surveys", purpose="CSAT features")
    s = s.filter((s.responded_at.date() <= ibis.date(as_of)) & s.csat.notnull())
    return s.group_by(KEY).aggregate(n_surveys=s.count(), mean_csat=s.csat.mean().cast("float64"))


def customer_features(
    warehouse: Warehouse, *, as_of: dt.date, options: FeatureOptions | None = None,
    features: Collection[str] | None = None,
) -> FeatureSet:
    """Tenure, recency, frequency, monetary, rhythm, trust and contact features per customer.

    Orders are required (they define who is a customer at `as_of`); disputes, returns,
    moderation cases, contacts and surveys are optional and add their features when present.
    Events count when they happen on or before `as_of`. `features` (default: all) names the
    features the caller needs: groups none of them need are not computed at all.
    """
    options = options or FeatureOptions()
    orders = dated_orders(warehouse, as_of=as_of, reporting_currency=options.reporting_currency)
    table = _order_features(orders, as_of=as_of, options=options)
    skipped: list[str] = []
    missing: dict[str, tuple[str, ...]] = {}
    wanted = None if features is None else set(features)

    def add(build, tables: tuple[str, ...], fills: dict[str, object], *, also: tuple[str, ...] = ()) -> None:
        nonlocal table
        if wanted is not None and not wanted & (set(fills) | set(also)):
            return
        try:
            table = _attach(table, build(), fills)
        except MissingTableError as exc:
            skipped.append(str(exc))
            lacking = tuple(t for t in tables if not warehouse.has(t))
            missing.update(dict.fromkeys([*fills, *also], lacking))

    add(lambda: _dispute_features(warehouse, as_of), ("disputes",), dict.fromkeys(
        ("n_disputed_orders", "n_chargeback_orders", "n_fraud_confirmed_orders"), 0),
        also=("dispute_rate", "chargeback_rate"))
    add(lambda: _return_features(warehouse, as_of), ("returns",), dict.fromkeys(
        ("n_returned_orders", "n_refunded_orders", "n_return_abuse_orders"), 0), also=("return_rate", "refund_rate"))
    add(lambda: _incident_features(warehouse, as_of), ("disputes", "returns"),
        dict.fromkeys((f"n_orders_{name}" for name in INCIDENT_LEVELS), 0),
        also=("n_incident_orders", "n_clean_orders", "n_orders_abuse_confirmed"))
    add(lambda: _moderation_features(warehouse, as_of), ("moderation_cases",), {"n_moderation_actions": 0})
    group_names = [f"{RECENT_REASON_PREFIX}{name}" for name in options.reason_groups]
    add(lambda: _contact_features(warehouse, as_of, options), ("contacts",),
        dict.fromkeys(("n_contacts", "n_recent_contacts", *group_names), 0) | {"top_recent_reason": ""},
        also=("contacts_per_order",))
    add(lambda: _survey_features(warehouse, as_of), ("surveys",), {"n_surveys": 0, "mean_csat": 0.0})

    rates = {}
    if "n_disputed_orders" in table.columns:
        rates |= {"dispute_rate": _rate(table.n_disputed_orders, table.n_orders),
                  "chargeback_rate": _rate(table.n_chargeback_orders, table.n_orders)}
    if "n_returned_orders" in table.columns:
        rates |= {"return_rate": _rate(table.n_returned_orders, table.n_orders),
                  "refund_rate": _rate(table.n_refunded_orders, table.n_orders)}
    if "n_orders_return" in table.columns:
        incident_orders = sum(table[f"n_orders_{name}"] for name in INCIDENT_LEVELS)
        # incidents are keyed by the dispute's or return's customer; never more than the orders
        rates |= {"n_incident_orders": incident_orders,
                  "n_orders_abuse_confirmed": table.n_orders_abusive_claim + table.n_orders_abusive_return,
                  "n_clean_orders": ibis.greatest(table.n_orders - incident_orders, 0)}
    if "n_contacts" in table.columns:
        rates |= {"contacts_per_order": _rate(table.n_contacts, table.n_orders)}
    table = table.mutate(**rates) if rates else table
    known = set(CUSTOMER_FEATURES) | set(group_names)
    return FeatureSet(table=table, available=frozenset(c for c in table.columns if c in known), skipped=tuple(skipped),
                      missing_tables=missing)
