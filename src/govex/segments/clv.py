"""CLV features per customer: fit the purchase and spend models on engine aggregates, join back.

The customers' integer statistics (purchase days, day counts, cents) are materialised once, so
the fits, the predictions and the customers all read the same rows. The models fit on the
distinct (frequency, recency, T) rows and the distinct (frequency, repeat spend) rows with
counts. The purchase-model predictions depend only on the integer key (frequency, recency_days,
T_days): they are computed once per distinct key and joined back on it (never on a computed
float). The Gamma-Gamma expected spend is a closed form of each customer's own statistics, so it
runs in the engine with the fitted parameters as literals.
"""
from __future__ import annotations

import datetime as dt
import warnings

import ibis
import ibis.expr.types as ir
import numpy as np

from govex.engine.warehouse import Warehouse
from govex.features import FeatureOptions
from govex.features.clv_stats import (
    HISTORY_KEY,
    clv_sufficient_stats,
    days_per_unit,
    mean_spend,
    purchase_day_stats,
    spend_sufficient_stats,
)
from govex.features.customer import KEY
from govex.models import BetaGeo, GammaGamma, ModelWarning, ParetoNBD, discounted_purchases
from govex.segments.spec import CLVSpec


def expected_spend(spend_model: GammaGamma, stats: ir.Table, *, population_mean: float) -> ir.FloatingValue:
    """E[Z | x, m] = p (v + x m) / (p x + q - 1) per customer, in the engine (Fader & Hardie 2013, eq. 5).

    Customers without a repeat purchase (x = 0) get `population_mean`.
    """
    p, q, v = (ibis.literal(spend_model.params_[n], type="float64") for n in ("p", "q", "v"))
    x = stats.frequency.cast("float64")
    conditional = p * (v + x * mean_spend(stats)) / (p * x + q - 1.0)
    return ibis.ifelse(stats.frequency > 0, conditional, ibis.literal(population_mean, type="float64"))


def _population_mean(spend_model: GammaGamma, frequency: np.ndarray, spend: np.ndarray, weights: np.ndarray) -> float:
    """The model's population mean spend p v / (q - 1), or the observed mean when q <= 1 makes it infinite.

    A fit with q <= 1 (a few extreme spends) must not stop the whole segmentation: one-time
    buyers then get the mean repeat spend actually observed, and a warning says so.
    """
    if spend_model.params_["q"] > 1:
        return spend_model.population_mean_spend()
    warnings.warn(f"Gamma-Gamma: q = {spend_model.params_['q']:.3g} <= 1, so the model's population mean spend is "
                  "infinite; customers without a repeat purchase get the observed mean repeat spend instead "
                  "(raise spend_l2_penalty to avoid this)", ModelWarning, stacklevel=3)
    return float(np.average(spend, weights=weights * frequency))


def clv_features(warehouse: Warehouse, *, as_of: dt.date, spec: CLVSpec, options: FeatureOptions) -> ir.Table:
    """customer_id, p_alive, expected_purchases, expected_spend, clv (unexecuted, one row per customer)."""
    stats = purchase_day_stats(warehouse, as_of=as_of, options=options).cache()
    unit = days_per_unit(spec.time_unit)
    histories = clv_sufficient_stats(stats).execute()
    f = histories.frequency.to_numpy(float)
    r, t = histories.recency_days.to_numpy(float) / unit, histories.T_days.to_numpy(float) / unit
    model = (BetaGeo() if spec.model == "bgnbd" else ParetoNBD()).fit(
        f, r, t, weights=histories.n_customers.to_numpy(float)
    )
    spend = spend_sufficient_stats(stats).execute()
    spend_mean = spend.repeat_cents.to_numpy(float) / (spend.frequency.to_numpy(float) * 100.0)
    spend_model = GammaGamma(l2_penalty=spec.spend_l2_penalty).fit(
        spend.frequency.to_numpy(float), spend_mean, weights=spend.n_customers.to_numpy(float)
    )
    population_mean = _population_mean(spend_model, spend.frequency.to_numpy(float), spend_mean,
                                       spend.n_customers.to_numpy(float))
    predictions = histories[list(HISTORY_KEY)].copy()
    predictions["p_alive"] = model.p_alive(f, r, t)
    predictions["expected_purchases"] = model.expected_purchases(spec.horizon, f, r, t)
    predictions["discounted_purchases"] = discounted_purchases(
        model, f, r, t, horizon=spec.horizon, discount_rate=spec.discount_rate
    )
    keyed = ibis.memtable(predictions).rename({f"__{c}": c for c in HISTORY_KEY})
    joined = stats.left_join(keyed, [stats[c] == keyed[f"__{c}"] for c in HISTORY_KEY])
    spend_per_purchase = expected_spend(spend_model, joined, population_mean=population_mean)
    return joined.select(
        KEY, "p_alive", "expected_purchases", expected_spend=spend_per_purchase,
        clv=ibis.greatest(spend_per_purchase * joined.discounted_purchases, 0.0),
    )


def add_clv_percentile(table: ir.Table) -> ir.Table:
    """clv_percentile = share of customers with a strictly lower CLV (ties share a value)."""
    rank = ibis.rank().over(order_by=table.clv.asc())
    return table.mutate(clv_percentile=rank.cast("float64") / table.count().as_scalar().cast("float64"))
