"""The sufficient statistics of the BG/NBD, Pareto/NBD and Gamma-Gamma models, computed in the engine.

A customer's purchase history enters those likelihoods only through frequency (repeat purchase
days), recency (first to last purchase day) and T (first purchase day to the end of the
calibration period), so the engine reduces any number of customers to the distinct
(frequency, recency, T) rows with a count; the fit then costs the same for 10k and 100M
customers.

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


def _days_per_unit(time_unit: str) -> float:
    if time_unit not in DAYS_PER_UNIT:
        raise ConfigError(f"time_unit must be one of {', '.join(DAYS_PER_UNIT)}; got {time_unit!r}")
    return DAYS_PER_UNIT[time_unit]


def clv_summary(
    warehouse: Warehouse, *, as_of: dt.date, time_unit: str = "week", options: FeatureOptions | None = None
) -> ir.Table:
    """One row per customer: frequency, recency, T (in `time_unit`) and mean repeat spend.

    frequency counts repeat purchase *days* (several orders on one day are one purchase);
    mean_spend is the mean daily spend over the repeat days (the first day excluded, 0 when
    there is none), as the Gamma-Gamma model expects.
    """
    unit_days = _days_per_unit(time_unit)
    options = options or FeatureOptions()
    days = _purchase_days(dated_orders(warehouse, as_of=as_of), options)
    days = days.mutate(first_day=days.day.min().over(group_by=KEY))
    repeat = days.day > days.first_day
    per_customer = days.group_by(KEY).aggregate(
        first_day=days.day.min(),
        last_day=days.day.max(),
        frequency=days.count() - 1,
        repeat_spend=days.spend.sum(where=repeat),
    )
    unit = ibis.literal(unit_days, type="float64")
    return per_customer.select(
        KEY,
        "frequency",
        recency=per_customer.last_day.delta(per_customer.first_day, unit="day").cast("float64") / unit,
        T=ibis.date(as_of).delta(per_customer.first_day, unit="day").cast("float64") / unit,
        mean_spend=ibis.ifelse(
            per_customer.frequency > 0,
            per_customer.repeat_spend.cast("float64") / per_customer.frequency.cast("float64"),
            0.0,
        ),
    )


def clv_sufficient_stats(summary: ir.Table) -> ir.Table:
    """Distinct (frequency, recency, T) rows with the number of customers sharing each."""
    return summary.group_by(["frequency", "recency", "T"]).aggregate(n_customers=summary.count())


def spend_sufficient_stats(summary: ir.Table, *, decimals: int = 2) -> ir.Table:
    """Distinct (frequency, mean_spend) rows of repeat customers, spend rounded to `decimals`."""
    repeaters = summary.filter(summary.frequency > 0)
    repeaters = repeaters.mutate(mean_spend=repeaters.mean_spend.round(decimals))
    return repeaters.group_by(["frequency", "mean_spend"]).aggregate(n_customers=repeaters.count())
