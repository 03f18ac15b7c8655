"""Seller standing as of a date, cut by seller segment, type, vertical, region or market.

The catalogue metrics (catalogue/sellers.yaml) count events by period; this is the other view a
governance lead needs: the sellers of a segment and their record up to the as-of date. Every
figure is a ratio of integer sums of the per-seller features (`govex.features.seller`), summed
in the engine, so a cut's rates are exactly the pooled rates of its sellers.

`education_effect` compares violation rates around enrolment: within enrolled sellers (after
enrolment vs before it) and naively (enrolled sellers after enrolment vs sellers never enrolled).
When better sellers enrol more, the naive ratio overstates the programme's effect.
"""
from __future__ import annotations

import datetime as dt

import ibis
import pandas as pd

from govex.engine.warehouse import Warehouse
from govex.errors import ConfigError
from govex.features.seller import DIMENSIONS, SELLER_KEY, seller_features
from govex.metrics.dimensions import segment_entity
from govex.segments.store import read_assignments

# rate -> (events, exposure): pooled over the sellers of a cut
RATES = {
    "order_defect_rate": ("n_defect_orders", "n_orders"),
    "late_shipment_rate": ("n_late_shipments", "n_shipped_delivered"),
    "redemption_refusal_rate": ("n_refused", "n_redeemable"),
    "seller_cancellation_rate": ("n_seller_cancelled", "n_orders"),
    "dispute_rate": ("n_disputed_orders", "n_orders"),
    "low_rating_rate": ("n_low_rated_orders", "n_rated_orders"),
}
SECONDS_PER_YEAR = 365.0 * 86400.0


def seller_cut(warehouse: Warehouse, table: ibis.Table, by: str) -> ibis.Table:
    """`table` (one row per seller) with column `cut`: the seller's value of `by` (a seller dimension or segment)."""
    if by in DIMENSIONS:
        return table.mutate(cut=table[by].cast("string").fill_null("(none)"))
    found = segment_entity(by)
    if found is not None:  # segment:<framework> or seller_segment:<framework>, a seller framework either way
        framework = found[3]
        rows = read_assignments(warehouse, framework=framework, entity="seller")
        rows = rows.select(**{SELLER_KEY: rows.entity_id, "cut": rows.segment})
        if int(rows.count().execute()) == 0:
            raise ConfigError(f"no seller assignments of framework {framework!r}: run `govex segments assign --entity seller`")
        joined = table.left_join(rows, SELLER_KEY).drop(f"{SELLER_KEY}_right")
        return joined.mutate(cut=joined.cut.fill_null("(none)"))
    raise ConfigError(f"cannot cut sellers by {by!r}; use one of {', '.join(DIMENSIONS)} or seller_segment:<seller framework>")


def seller_scorecard(warehouse: Warehouse, *, as_of: dt.date, by: str = "seller_type") -> pd.DataFrame:
    """One row per value of `by`: sellers, GMV, pooled rates, rating and the violation record."""
    table = seller_cut(warehouse, seller_features(warehouse, as_of=as_of).table, by)
    sums = {name: table[name].sum() for name in sorted({c for pair in RATES.values() for c in pair})}
    has_rating = "rating_sum" in table.columns
    frame = table.group_by("cut").aggregate(
        sellers=table.count(),
        gmv_cents=table.gmv_cents.sum(),
        violations=table.n_violations.sum(),
        violating_sellers=(table.n_violations > 0).cast("int64").sum(),
        repeat_violators=(table.n_violations > 1).cast("int64").sum(),
        enrolled=table.enrolled.sum(),
        **({"rating_sum": table.rating_sum.sum()} if has_rating else {}),
        **sums,
    ).order_by("cut").execute()
    out = pd.DataFrame({by: frame["cut"], "sellers": frame["sellers"].astype("int64"),
                        "gmv": frame["gmv_cents"].astype("float64") / 100.0})
    for rate, (events, exposure) in RATES.items():
        out[rate] = (frame[events] / frame[exposure]).where(frame[exposure] > 0)
    out["rating"] = (frame["rating_sum"] / frame["n_rated_orders"]).where(frame["n_rated_orders"] > 0) \
        if has_rating else float("nan")
    out["violations_per_seller"] = frame["violations"] / frame["sellers"]
    out["violating_share"] = frame["violating_sellers"] / frame["sellers"]
    # repeat violators among the sellers with any violation
    out["repeat_violator_share"] = (frame["repeat_violators"] / frame["violating_sellers"]).where(
        frame["violating_sellers"] > 0)
    out["enrolled_share"] = frame["enrolled"] / frame["sellers"]
    return out


def education_effect(warehouse: Warehouse, *, as_of: dt.date) -> dict[str, float]:
    """Violations per seller-year before and after enrolment, and of sellers never enrolled.

    Exposure runs from the later of onboarding and the first order day in the data to `as_of`;
    an enrolled seller's exposure is split at their first enrolment.
    """
    sellers = warehouse.table("sellers", purpose="the education effect")
    actions = warehouse.table("enforcement_actions", purpose="the education effect")
    education = warehouse.table("education", purpose="the education effect")
    orders = warehouse.table("orders", purpose="the education effect")
    end = ibis.timestamp(dt.datetime.combine(as_of, dt.time()) + dt.timedelta(days=1))
    data_start = orders.ordered_at.min().as_scalar().date().cast("timestamp")
    onboarded = sellers.onboarded_date.cast("timestamp")
    base = sellers.filter(sellers.onboarded_date <= ibis.date(as_of)).select(
        SELLER_KEY, start=ibis.greatest(onboarded, data_start))
    first = education.filter(education.enrolled_at < end).group_by(SELLER_KEY).aggregate(
        enrolled_at=education.enrolled_at.min())
    base = base.left_join(first, SELLER_KEY).drop(f"{SELLER_KEY}_right")
    acts = actions.filter(actions.violation_at < end).select(SELLER_KEY, "violation_at")
    joined = acts.join(base, SELLER_KEY)
    per_group = joined.aggregate(
        before=(joined.enrolled_at.notnull() & (joined.violation_at < joined.enrolled_at)).cast("int64").sum(),
        after=(joined.enrolled_at.notnull() & (joined.violation_at >= joined.enrolled_at)).cast("int64").sum(),
        never=joined.enrolled_at.isnull().cast("int64").sum(),
    ).execute().iloc[0]
    seconds = lambda a, b: (b.epoch_seconds() - a.epoch_seconds()).cast("float64")  # noqa: E731
    enrolled = base.enrolled_at.notnull()
    exposure = base.aggregate(
        before=seconds(base.start, base.enrolled_at).sum(where=enrolled),
        after=seconds(base.enrolled_at, end).sum(where=enrolled),
        never=seconds(base.start, end).sum(where=~enrolled),
    ).execute().iloc[0]
    rate = {k: float(per_group[k]) / (float(exposure[k]) / SECONDS_PER_YEAR) for k in ("before", "after", "never")}
    return {
        "violations_per_seller_year_before": rate["before"], "violations_per_seller_year_after": rate["after"],
        "violations_per_seller_year_never": rate["never"],
        "within_seller_ratio": rate["after"] / rate["before"], "naive_ratio": rate["after"] / rate["never"],
    }
