"""The sufficient statistics of the BG/NBD, Pareto/NBD and Gamma-Gamma models, computed in the engine.

A customer's purchase history enters those likelihoods only through frequency (repeat purchase
days), recency (first to last purchase day) and T (first purchase day to the end of the
calibration period), so the engine reduces any number of customers to the distinct
(frequency, recency, T) rows with a count; the fit then costs the same for 10k and 100M
customers.

Every statistic is an integer (days, purchase days, cents): integer sums are exact in any
order, so the same orders give the same statistics on every run, thread count and engine, and
they can key a join. Time units and spend per purchase are derived from them by one division.

References
----------
Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). "Counting Your Customers" the easy way:
an alternative to the Pareto/NBD model. Marketing Science 24(2), 275-284.
Fader, P. S. and Hardie, B. G. S. (2013). The Gamma-Gamma model of monetary value.
http://www.brucehardie.com/notes/025/
"""
from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir

from govex.engine.warehouse import Warehouse
from govex.errors import ConfigError
from govex.features.customer import KEY, _purchase_days, dated_orders
from govex.features.options import DAYS_PER_UNIT, FeatureOptions

HISTORY_KEY = ("frequency", "recency_days", "T_days")
"""The integer statistics a purchase-model prediction depends on: predictions are keyed by them."""


def days_per_unit(time_unit: str) -> float:
    if time_unit not in DAYS_PER_UNIT:
        raise ConfigError(f"time_unit must be one of {', '.join(DAYS_PER_UNIT)}; got {time_unit!r}")
    return DAYS_PER_UNIT[time_unit]


def purchase_day_stats(warehouse: Warehouse, *, as_of: dt.date, options: FeatureOptions | None = None) -> ir.Table:
    """One row per customer with a purchase, integers only: frequency, recency_days, T_days, repeat_cents.

    frequency counts repeat purchase *days* (several orders on one day are one purchase);
    repeat_cents is the spend of the repeat days (the first day excluded), in whole cents.
    """
    options = options or FeatureOptions()
    days = _purchase_days(dated_orders(warehouse, as_of=as_of, reporting_currency=options.reporting_currency), options)
    days = days.mutate(first_day=days.day.min().over(group_by=KEY))
    per_customer = days.group_by(KEY).aggregate(
        first_day=days.day.min(),
        last_day=days.day.max(),
        frequency=days.count() - 1,
        repeat_cents=days.spend_cents.sum(where=days.day > days.first_day).fill_null(0),
    )
    return per_customer.select(
        KEY,
        frequency=per_customer.frequency.cast("int64"),
        recency_days=per_customer.last_day.delta(per_customer.first_day, unit="day").cast("int64"),
        T_days=ibis.date(as_of).delta(per_customer.first_day, unit="day").cast("int64"),
        repeat_cents=per_customer.repeat_cents.cast("int64"),
    )


def mean_spend(stats: ir.Table) -> ir.FloatingValue:
    """Mean spend per repeat purchase day (0 without one), as the Gamma-Gamma model expects."""
    frequency = stats.frequency.cast("float64")
    cents = ibis.literal(100.0, type="float64")
    return ibis.ifelse(stats.frequency > 0, stats.repeat_cents.cast("float64") / (frequency * cents), 0.0)


def clv_summary(
    warehouse: Warehouse, *, as_of: dt.date, time_unit: str = "week", options: FeatureOptions | None = None
) -> ir.Table:
    """One row per customer: frequency, recency, T (in `time_unit`) and mean repeat spend."""
    unit = ibis.literal(days_per_unit(time_unit), type="float64")
    stats = purchase_day_stats(warehouse, as_of=as_of, options=options)
    return stats.select(
        KEY, "frequency",
        recency=stats.recency_days.cast("float64") / unit,
        T=stats.T_days.cast("float64") / unit,
        mean_spend=mean_spend(stats),
    )


def clv_sufficient_stats(stats: ir.Table) -> ir.Table:
    """Distinct (frequency, recency_days, T_days) rows with the number of customers sharing each, sorted.

    Sorted so the fit adds its weighted rows in the same order on every run.
    """
    grouped = stats.group_by(list(HISTORY_KEY)).aggregate(n_customers=stats.count())
    return grouped.order_by(list(HISTORY_KEY))


def spend_sufficient_stats(stats: ir.Table) -> ir.Table:
    """Distinct (frequency, repeat_cents) rows of repeat customers with their count, sorted."""
    repeaters = stats.filter(stats.frequency > 0)
    grouped = repeaters.group_by(["frequency", "repeat_cents"]).aggregate(n_customers=repeaters.count())
    return grouped.order_by(["frequency", "repeat_cents"])
