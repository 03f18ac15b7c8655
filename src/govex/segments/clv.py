"""CLV features per customer: fit the purchase and spend models on engine aggregates, join back.

The engine reduces customers to the distinct (frequency, recency, T) rows with counts and the
distinct (frequency, mean spend) rows of repeat buyers; the models fit on those weighted rows.
Predictions are made once per distinct (frequency, recency, T, mean spend) history and joined
back to customers in the engine.
"""
from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir
import numpy as np

from govex.engine.warehouse import Warehouse
from govex.features import FeatureOptions, clv_sufficient_stats, clv_summary, spend_sufficient_stats
from govex.features.customer import KEY
from govex.models import BetaGeo, GammaGamma, ParetoNBD, customer_lifetime_value
from govex.segments.spec import CLVSpec

HISTORY = ["frequency", "recency", "T", "mean_spend"]


def clv_features(warehouse: Warehouse, *, as_of: dt.date, spec: CLVSpec, options: FeatureOptions) -> ir.Table:
    """customer_id, p_alive, expected_purchases, expected_spend, clv (unexecuted, one row per customer)."""
    summary = clv_summary(warehouse, as_of=as_of, time_unit=spec.time_unit, options=options)
    summary = summary.mutate(mean_spend=summary.mean_spend.round(2))
    stats = clv_sufficient_stats(summary).execute()
    model = (BetaGeo() if spec.model == "bgnbd" else ParetoNBD()).fit(
        stats.frequency.to_numpy(float), stats.recency.to_numpy(float), stats["T"].to_numpy(float),
        weights=stats.n_customers.to_numpy(float),
    )
    spend = spend_sufficient_stats(summary).execute()
    spend_model = GammaGamma(l2_penalty=spec.spend_l2_penalty).fit(
        spend.frequency.to_numpy(float), spend.mean_spend.to_numpy(float), weights=spend.n_customers.to_numpy(float)
    )
    histories = summary.select(*HISTORY).distinct().execute()
    f, r, t, m = (histories[c].to_numpy(float) for c in HISTORY)
    histories["p_alive"] = model.p_alive(f, r, t)
    histories["expected_purchases"] = model.expected_purchases(spec.horizon, f, r, t)
    histories["expected_spend"] = spend_model.expected_spend(f, m)
    histories["clv"] = np.maximum(customer_lifetime_value(
        model, spend_model, f, r, t, m, horizon=spec.horizon, discount_rate=spec.discount_rate
    ), 0.0)
    predictions = ibis.memtable(histories)
    joined = summary.join(predictions, HISTORY)
    return joined.select(KEY, "p_alive", "expected_purchases", "expected_spend", "clv")


def add_clv_percentile(table: ir.Table) -> ir.Table:
    """clv_percentile = share of customers with a strictly lower CLV (ties share a value)."""
    rank = ibis.rank().over(order_by=table.clv.asc())
    return table.mutate(clv_percentile=rank.cast("float64") / table.count().as_scalar().cast("float64"))
