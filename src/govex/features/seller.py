"""Per-seller features as of a date, built as one unexecuted Ibis expression.

The universe is every seller onboarded on or before the as-of date (a seller without orders
still has a row: zero counts). Orders are required; disputes, returns, surveys,
enforcement_actions and education add their features when present, and the returned
`FeatureSet.skipped` says what is missing. Counts are integers and money is summed in cents, so
every engine gives the same numbers.

The order defect rate follows the marketplace convention of counting an order once if it had
negative feedback (1-2 stars), a claim or a chargeback (Amazon Seller Central, "Order Defect
Rate"); here: a dispute or chargeback, or an order survey with CSAT <= 2.
"""
from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir

from govex.engine.warehouse import Warehouse
from govex.errors import MissingTableError
from govex.features.customer import FeatureSet, dated_orders
from govex.features.seller_catalogue import SELLER_FEATURES
from govex.metrics.currency import to_cents

SELLER_KEY = "seller_id"
REDEEMABLE = ("voucher", "appointment")
INSTANT_REDEMPTION = dt.timedelta(hours=1)  # a voucher redeemed this soon after the sale is suspect
LOW_RATING = 2  # CSAT at or below this is negative feedback
RECENT_DAYS = 90  # recent orders and violations: the last 90 days
LADDER_RUNGS = ("warning", "listing_removal", "payout_hold", "suspension", "termination")
DIMENSIONS = ("market", "seller_type", "vertical", "region")


def _rate(numerator: ir.NumericValue, denominator: ir.NumericValue) -> ir.FloatingValue:
    return (numerator.cast("float64") / denominator.cast("float64")).cast("float64")


def sellers_in_scope(warehouse: Warehouse, *, as_of: dt.date) -> ir.Table:
    """entity_id of every seller onboarded on or before `as_of` (the universe of seller frameworks)."""
    sellers = warehouse.table("sellers", purpose="seller segmentation")
    return sellers.filter(sellers.onboarded_date <= ibis.date(as_of)).select(entity_id=sellers[SELLER_KEY].cast("string"))


def _base(warehouse: Warehouse, as_of: dt.date) -> ir.Table:
    s = warehouse.table("sellers", purpose="seller features")
    s = s.filter(s.onboarded_date <= ibis.date(as_of))
    payout = s.filter(s.payout_account_id.notnull()).group_by("payout_account_id").aggregate(n_paid=ibis._.count())
    s = s.left_join(payout, "payout_account_id").drop("payout_account_id_right")
    verified = (s.kyc_status == "verified") & (s.kyc_verified_date <= ibis.date(as_of))
    return s.select(
        SELLER_KEY, *DIMENSIONS,
        tenure_days=ibis.date(as_of).delta(s.onboarded_date, unit="day"),
        kyc_verified=verified.fill_null(False).cast("int64"),
        linked_sellers=(s.n_paid.fill_null(1) - 1).cast("int64"),
    )


def _disputed_orders(warehouse: Warehouse, as_of: dt.date) -> ir.Table:
    d = warehouse.table("disputes", purpose="seller dispute features")
    d = d.filter(d.opened_at.date() <= ibis.date(as_of))
    return d.select("order_id", disputed=ibis.literal(1, "int64"))


def _returned_orders(warehouse: Warehouse, as_of: dt.date) -> ir.Table:
    r = warehouse.table("returns", purpose="seller return features")
    r = r.filter(r.requested_at.date() <= ibis.date(as_of))
    return r.select("order_id", returned=ibis.literal(1, "int64"))


def _rated_orders(warehouse: Warehouse, as_of: dt.date) -> ir.Table:
    s = warehouse.table("surveys", purpose="seller rating features")
    s = s.filter((s.responded_at.date() <= ibis.date(as_of)) & s.order_id.notnull() & s.csat.notnull())
    return s.select("order_id", n_rated=ibis.literal(1, "int64"), n_low_rated=(s.csat <= LOW_RATING).ifelse(1, 0),
                    rating_sum=s.csat)


# table -> its rows as per-order incident columns (one row per dispute, return or survey), and the
# seller features those make
INCIDENT_SOURCES = {
    "disputes": (_disputed_orders, ("n_disputed_orders", "n_defect_orders")),
    "returns": (_returned_orders, ("n_returned_orders",)),
    "surveys": (_rated_orders, ("n_rated_orders", "n_low_rated_orders", "rating_sum")),
}


def _order_incidents(warehouse: Warehouse, as_of: dt.date, skipped: list[str],
                     missing: dict[str, tuple[str, ...]]) -> ir.Table | None:
    """The rows of every incident table (order id, disputed, returned, survey counts) in one union, or None.

    One union, so the seller's order ids are scanned and joined once; a missing table adds a line
    to `skipped` and its features to `missing`.
    """
    parts = []
    for table, (build, features) in INCIDENT_SOURCES.items():
        try:
            parts.append(build(warehouse, as_of))
        except MissingTableError as exc:
            skipped.append(str(exc))
            missing.update(dict.fromkeys(features, (table,)))
    if not parts:
        return None
    columns = [c for part in parts for c in part.columns if c != "order_id"]
    return ibis.union(*[part.select("order_id", **{c: (part[c] if c in part.columns else ibis.literal(0)).cast("int64")
                                                   for c in columns}) for part in parts], distinct=False)


def _incident_counts(o: ir.Table) -> dict[str, ir.Value]:
    """The seller aggregates of the incident rows of its orders (an order with several incidents counts once)."""
    out: dict[str, ir.Value] = {}
    if "disputed" in o.columns:
        defect = o.disputed > 0
        if "n_low_rated" in o.columns:  # a dispute or chargeback, or a low rating (see the module docstring)
            defect |= o.n_low_rated > 0
        out |= {"n_disputed_orders": o.order_id.nunique(where=o.disputed > 0),
                "n_defect_orders": o.order_id.nunique(where=defect)}
    if "returned" in o.columns:
        out["n_returned_orders"] = o.order_id.nunique(where=o.returned > 0)
    if "n_rated" in o.columns:
        out |= {"n_rated_orders": o.n_rated.sum(), "n_low_rated_orders": o.n_low_rated.sum(),
                "rating_sum": o.rating_sum.sum()}
    return {name: value.cast("int64") for name, value in out.items()}


def _incident_features(warehouse: Warehouse, as_of: dt.date, incidents: ir.Table) -> ir.Table:
    """Per seller, the incident counts of its orders: one join of the seller's order ids with the incident rows.

    Distinct orders are counted per seller (COUNT(DISTINCT) FILTER), not by grouping the incidents
    by order first: a quarter less work on 10M orders.
    """
    o = warehouse.table("orders", purpose="seller features")
    o = o.filter((o.ordered_at.date() <= ibis.date(as_of)) & o[SELLER_KEY].notnull()).select("order_id", SELLER_KEY)
    joined = o.join(incidents, "order_id")
    return joined.group_by(SELLER_KEY).aggregate(**_incident_counts(joined))


def _days_before(as_of: dt.date, days: int) -> ir.DateValue:
    """The date `days` before `as_of`: a date after it is less than `days` old (compared per row, no difference taken)."""
    return ibis.date(as_of - dt.timedelta(days=days))


def _and_then(condition: ir.BooleanValue, then: ir.BooleanValue) -> ir.BooleanValue:
    """`condition & then`, with `then` evaluated only where `condition` holds.

    DuckDB evaluates both sides of an AND on every row; a CASE evaluates its branch only on the
    rows that reach it, which on 10M orders takes a third off the order scan.
    """
    return ibis.ifelse(condition, then, False)


def _order_features(warehouse: Warehouse, as_of: dt.date, reporting_currency: str | None) -> ir.Table:
    """One scan and one group-by of filtered counts (COUNT(*) FILTER on DuckDB)."""
    o = dated_orders(warehouse, as_of=as_of, reporting_currency=reporting_currency)
    o = o.filter(o[SELLER_KEY].notnull())
    recent, prior = _days_before(as_of, RECENT_DAYS), _days_before(as_of, 2 * RECENT_DAYS)
    purchase = ~o.status.isin(["cancelled", "unavailable"])
    shipped = (o.fulfilment_type == "shipped") & o.delivered_at.notnull() & o.promised_date.notnull()
    decided = o.fulfilment_type.isin(list(REDEEMABLE)) & o.fulfilment_outcome.notnull()
    voucher_redeemed = (o.fulfilment_type == "voucher") & (o.fulfilment_outcome == "redeemed")
    quick = o.redeemed_at < o.ordered_at + ibis.interval(seconds=int(INSTANT_REDEMPTION.total_seconds()))
    return o.group_by(SELLER_KEY).aggregate(
        n_orders=o.count(),
        n_seller_cancelled=o.count(where=~purchase),
        gmv_cents=to_cents(o.amount).sum(where=purchase),
        recent_orders=o.count(where=o.day > recent),
        prior_orders=o.count(where=(o.day > prior) & (o.day <= recent)),
        last_order_day=o.day.max(),
        n_shipped_delivered=o.count(where=shipped),
        n_late_shipments=o.count(where=_and_then(shipped, o.delivered_at.date() > o.promised_date)),
        n_redeemable=o.count(where=decided),
        **{f"n_{name}": o.count(where=_and_then(decided, o.fulfilment_outcome == outcome))
           for name, outcome in (("redeemed", "redeemed"), ("refused", "refused_by_merchant"), ("no_show", "no_show"),
                                 ("expired", "expired"))},
        n_instant_redemptions=o.count(where=_and_then(voucher_redeemed, quick)),
    )


def _enforcement_features(warehouse: Warehouse, as_of: dt.date) -> ir.Table:
    e = warehouse.table("enforcement_actions", purpose="seller enforcement features")
    e = e.filter(e.violation_at.date() <= ibis.date(as_of))
    rung = ibis.cases(*[(e.action == name, i + 1) for i, name in enumerate(LADDER_RUNGS)], else_=0)
    return e.group_by(SELLER_KEY).aggregate(
        n_violations=e.count(), n_recent_violations=e.count(where=e.violation_at.date() > _days_before(as_of, RECENT_DAYS)),
        top_rung=rung.max().cast("int64"),
    )


def _education_features(warehouse: Warehouse, as_of: dt.date) -> ir.Table:
    d = warehouse.table("education", purpose="seller education features")
    d = d.filter(d.enrolled_at.date() <= ibis.date(as_of))
    return d.select(SELLER_KEY).distinct().mutate(enrolled=ibis.literal(1, "int64"))


def seller_features(warehouse: Warehouse, *, as_of: dt.date, reporting_currency: str | None = None) -> FeatureSet:
    """Activity, fulfilment, trust, enforcement and education features per seller in scope.

    The per-seller parts are left-joined to the sellers in one join chain and one select (a seller
    without rows in a part gets zero counts), which keeps the query and its compilation small.
    """
    skipped: list[str] = []
    missing: dict[str, tuple[str, ...]] = {}
    incidents = _order_incidents(warehouse, as_of, skipped, missing)
    parts = [_order_features(warehouse, as_of, reporting_currency)]  # orders: required
    if incidents is not None:
        parts.append(_incident_features(warehouse, as_of, incidents))
    for table_name, build, features in (
            ("enforcement_actions", _enforcement_features, ("n_violations", "n_recent_violations", "top_rung")),
            ("education", _education_features, ("enrolled",))):
        try:
            parts.append(build(warehouse, as_of))
        except MissingTableError as exc:
            skipped.append(str(exc))
            missing.update(dict.fromkeys(features, (table_name,)))

    base = _base(warehouse, as_of)
    table = base
    for i, part in enumerate(parts):
        part = part.rename(**{f"_key_{i}": SELLER_KEY})
        table = table.left_join(part, base[SELLER_KEY] == part[f"_key_{i}"])
    columns = {c: table[c] for c in base.columns}
    for part in parts:
        columns |= {c: table[c] if c == "last_order_day" else table[c].fill_null(0)
                    for c in part.columns if c != SELLER_KEY}
    table = table.select(**columns)

    derived = {
        "gmv": _rate(table.gmv_cents, ibis.literal(100)),
        "order_trend": ibis.ifelse(table.prior_orders > 0, _rate(table.recent_orders, table.prior_orders),
                                   ibis.ifelse(table.recent_orders > 0, 1.0, 0.0)),
        "recency_days": ibis.ifelse(table.last_order_day.isnull(), table.tenure_days,
                                    ibis.date(as_of).delta(table.last_order_day, unit="day")),
    }
    if "rating_sum" in table.columns:
        derived["mean_rating"] = ibis.ifelse(table.n_rated_orders > 0, _rate(table.rating_sum, table.n_rated_orders), 0.0)
    # gmv_cents and rating_sum stay: exact integer sums for pooled figures (govex.segments.seller_scorecard)
    table = table.mutate(**derived).drop("last_order_day")
    # ties share a rank, and cents are exact: the same percentile on every engine
    table = table.mutate(gmv_percentile=ibis.percent_rank().over(order_by=table.gmv).cast("float64"))
    return FeatureSet(table=table, available=frozenset(c for c in table.columns if c in SELLER_FEATURES),
                      skipped=tuple(skipped), missing_tables=missing)
