"""Benchmark: seller features and the four shipped seller frameworks, govex (Ibis on DuckDB) vs hand-written DuckDB SQL, Polars and pandas.

The issue's measure: for 100k sellers / 10M orders (plus disputes, returns, surveys, enforcement
actions and education on the same Parquet files), govex's `assign_seller_frameworks` (every
seller feature, then seller_lifecycle, seller_performance, seller_risk and seller_value with
scores and reasons) against the same definitions written by hand: DuckDB SQL (one feature table,
then one query for the priors, scores, reasons and the four frameworks' rows), Polars lazy
(scan_parquet ... sink_parquet; the feature table collected once) and idiomatic pandas. Every
peer computes every seller feature govex computes, as govex does. Goals: govex at least 10x
faster than pandas with at most a third of its peak memory, within 1.2x of the SQL and faster
than Polars. Each side runs in its own child process, so peak memory is the child's own VmHWM;
module imports are timed apart; the sides alternate order over `--repeat` rounds and the median
time counts, so load from other processes falls on all alike; the CPU seconds (all threads) are
printed beside it, the steadier figure on a busy machine. Every seller's segment, score and
reasons must agree with govex's. Side `govex-spark` (on request) is the same govex code on local
Spark (local[2]); its peak memory and CPU are the Python driver's only, the JVM is a child process.
`--scale 10000,30000,100000` runs the sides at each number of sellers instead (`--orders /
--sellers` orders each) and prints the fitted exponent of time and peak memory.

The data is drawn with numpy (not the synthetic marketplace, which simulates far more than these
features read), with the shapes the features care about: heavy-tailed orders per seller, three
seller types with their fulfilment (shipped, voucher, appointment), shared payout accounts,
a few instant redemptions, and sellers onboarded after the as-of date (out of scope).

Usage: python bench/seller_features.py [--sellers 100000] [--orders 10000000] [--repeat 3]
       [--sides govex,duckdb-sql,polars,pandas] [--scale 10000,30000,100000]
       python bench/seller_features.py --sides govex,govex-spark --scale 2000,5000,10000 --repeat 1
"""
from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

if TYPE_CHECKING:
    import polars as pl

sys.path.insert(0, str(Path(__file__).parent))
from child import peak_mb  # noqa: E402
from sides import alternated, chosen, load, print_growth  # noqa: E402

AS_OF = dt.date(2025, 12, 31)
START = dt.date(2024, 1, 1)
LADDER = ("warning", "listing_removal", "payout_hold", "suspension", "termination")
TYPES = np.array(["shop_seller", "local_merchant", "service_provider"])
FULFILMENT = np.array(["shipped", "voucher", "appointment"])  # by seller type
OUTCOMES = np.array(["redeemed", "refused_by_merchant", "no_show", "expired"])
STATUSES = np.array(["delivered", "cancelled", "shipped", "unavailable"])
LOW_RATING = 2
EXCLUDED = ("cancelled", "unavailable")  # not a purchase: the seller cancelled
REDEEMABLE = ("voucher", "appointment")
OUTCOME_COUNTS = {"n_redeemed": "redeemed", "n_refused": "refused_by_merchant", "n_no_show": "no_show",
                  "n_expired": "expired"}
RECENT_DAYS = 90
# the shipped frameworks' signals (framework -> signal -> events, exposure, weight): checked at start
SIGNALS = {
    "seller_performance": {
        "order_defects": ("n_defect_orders", "n_orders", 3.0), "late_shipments": ("n_late_shipments", "n_shipped_delivered", 1.0),
        "refused_redemptions": ("n_refused", "n_redeemable", 2.0), "cancellations": ("n_seller_cancelled", "n_orders", 1.0),
        "low_ratings": ("n_low_rated_orders", "n_rated_orders", 1.0)},
    "seller_risk": {
        "fake_redemptions": ("n_instant_redemptions", "n_redeemable", 4.0), "violations": ("n_violations", "n_orders", 2.0),
        "disputes": ("n_disputed_orders", "n_orders", 1.0), "refused_redemptions": ("n_refused", "n_redeemable", 1.0)},
}
MIN_EXPOSURE, MIN_STRENGTH, MAX_REASONS = 3, 20.0, 3
REASON_FLOOR = 1e-12  # govex.segments.risk.REASON_FLOOR: a smaller contribution is rounding, not a reason
# the rules frameworks' reasons: the matching rule's conditions
RULE_REASONS = {
    "seller_lifecycle": {
        "onboarding": "tenure_days < 30", "dormant": "tenure_days >= 30;recency_days >= 90",
        "ramping": "tenure_days >= 30, < 180;recency_days < 90",
        "established": "tenure_days >= 180;recency_days < 90;order_trend >= 0.5",
        "declining": "tenure_days >= 180;recency_days < 90;order_trend < 0.5"},
    "seller_value": {"high": "gmv_percentile >= 0.8", "medium": "gmv_percentile >= 0.5, < 0.8",
                     "low": "gmv_percentile < 0.5"},
}


# ---------------------------------------------------------------- data
def _ids(prefix: str, numbers: np.ndarray) -> pa.Array:
    return pc.binary_join_element_wise(prefix, pc.cast(pa.array(numbers), pa.string()), "")


def _micros(day: dt.date) -> int:
    return pd.Timestamp(day).value // 10**3


def _dates(micros: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    return pc.cast(pa.array(micros, pa.timestamp("us"), mask=mask), pa.date32())


def build_data(folder: Path, *, sellers: int, orders: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    day_us = 86400 * 10**6
    kind = rng.choice(3, size=sellers, p=[0.6, 0.25, 0.15])
    onboarded = _micros(dt.date(2023, 1, 1)) + rng.integers(0, (AS_OF - dt.date(2023, 1, 1)).days + 30, sellers) * day_us
    account = np.arange(sellers)
    shared = np.flatnonzero(rng.random(sellers) < 0.03)
    account[shared] = sellers + np.arange(shared.size) // 3  # groups of three share a payout account
    kyc = rng.choice(np.array(["verified", "pending", "rejected"]), size=sellers, p=[0.85, 0.1, 0.05])
    pq.write_table(pa.table({
        "seller_id": _ids("S", np.arange(sellers)), "onboarded_date": _dates(onboarded),
        "market": rng.choice(np.array(["BR", "MX", "CO"]), sellers), "seller_type": TYPES[kind],
        "vertical": rng.choice(np.array(["food", "beauty", "home", "fashion", "electronics"]), sellers),
        "region": rng.choice(np.array([f"r{i}" for i in range(12)]), sellers),
        "kyc_status": kyc,
        "kyc_verified_date": _dates(onboarded + rng.integers(0, 20, sellers) * day_us, mask=kyc != "verified"),
        "payout_account_id": pa.array(_ids("P", account), mask=rng.random(sellers) < 0.05),
    }), folder / "sellers.parquet")

    weight = rng.gamma(0.7, 1.0, sellers)
    owner = rng.choice(sellers, size=orders, p=weight / weight.sum())
    ordered = _micros(START) + rng.integers(0, ((AS_OF - START).days + 2) * day_us, orders)  # a few after as-of
    fulfilment = FULFILMENT[kind[owner]]
    status = STATUSES[rng.choice(4, size=orders, p=[0.94, 0.03, 0.02, 0.01])]
    shipped = fulfilment == "shipped"
    redeemable = ~shipped & (rng.random(orders) < 0.95)  # the rest have no outcome yet
    outcome = OUTCOMES[rng.choice(4, size=orders, p=[0.85, 0.03, 0.05, 0.07])]
    redeemed = redeemable & (outcome == "redeemed")
    lag = np.where(rng.random(orders) < 0.02, rng.integers(60, 3600, orders), rng.integers(3600, 30 * 86400, orders))
    pq.write_table(pa.table({
        "order_id": _ids("O", np.arange(orders)), "customer_id": _ids("C", rng.integers(0, orders // 8, orders)),
        "seller_id": _ids("S", owner),
        "ordered_at": pa.array(ordered, pa.timestamp("us")), "amount": np.round(rng.gamma(2.0, 30.0, orders), 2),
        "currency": pa.array(["USD"] * orders), "status": status, "fulfilment_type": fulfilment,
        "fulfilment_outcome": pa.array(outcome, mask=~redeemable),
        "redeemed_at": pa.array(ordered + lag * 10**6, pa.timestamp("us"), mask=~redeemed),
        "promised_date": _dates(ordered + rng.integers(3, 8, orders) * day_us, mask=~shipped),
        "delivered_at": pa.array(ordered + rng.integers(1, 10 * 86400, orders) * 10**6, pa.timestamp("us"),
                                 mask=~shipped | (status != "delivered")),
    }), folder / "orders.parquet")

    for name, share, time_column in (("disputes", 0.01, "opened_at"), ("returns", 0.04, "requested_at"),
                                     ("surveys", 0.1, "responded_at")):
        picked = np.sort(rng.choice(orders, size=int(orders * share), replace=False))
        columns = {"order_id": _ids("O", picked),
                   time_column: pa.array(ordered[picked] + rng.integers(1, 30, picked.size) * day_us, pa.timestamp("us"))}
        if name == "surveys":
            columns["csat"] = rng.choice(np.arange(1, 6), size=picked.size, p=[0.05, 0.05, 0.1, 0.3, 0.5])
        pq.write_table(pa.table(columns), folder / f"{name}.parquet")

    n = sellers // 3
    violator = rng.choice(sellers, size=n)
    violation = _micros(START) + rng.integers(0, ((AS_OF - START).days + 10) * day_us, n)
    pq.write_table(pa.table({
        "seller_id": _ids("S", violator), "action": np.array(LADDER)[rng.choice(5, size=n, p=[0.5, 0.25, 0.12, 0.1, 0.03])],
        "violation_at": pa.array(violation, pa.timestamp("us")),
        "actioned_at": pa.array(violation + rng.integers(1, 10, n) * day_us, pa.timestamp("us")),
    }), folder / "enforcement_actions.parquet")
    enrolled = rng.choice(sellers, size=sellers // 5, replace=False)
    pq.write_table(pa.table({
        "seller_id": _ids("S", enrolled),
        "enrolled_at": pa.array(_micros(START) + rng.integers(0, (AS_OF - START).days * day_us, enrolled.size),
                                pa.timestamp("us")),
    }), folder / "education.parquet")


TABLES = ("sellers", "orders", "disputes", "returns", "surveys", "enforcement_actions", "education")


# ---------------------------------------------------------------- govex side
def run_govex(folder: Path, out: Path, *, engine: str = "duckdb") -> None:
    import ibis

    from govex.engine.warehouse import Warehouse
    from govex.segments.seller import assign_seller_frameworks, load_seller_frameworks

    if engine == "spark":
        from govex.engine.spark import local_spark_backend

        con = local_spark_backend()
    else:
        con = ibis.duckdb.connect()
    for name in TABLES:
        con.read_parquet(folder / f"{name}.parquet", table_name=name)
    assignments = assign_seller_frameworks(Warehouse(con), load_seller_frameworks(), as_of=AS_OF)
    rows = ibis.union(*[a.table.select("entity_id", "framework", "segment", "score", "reasons") for a in assignments])
    if engine == "spark":  # Spark writes a folder of part files; the comparison reads one file
        rows.to_pandas().to_parquet(out)
    else:
        con.to_parquet(rows, out)


# ---------------------------------------------------------------- pandas side (idiomatic, same definitions)
def _on_or_before(frame: pd.DataFrame, column: str, as_of: pd.Timestamp) -> pd.DataFrame:
    return frame[frame[column].dt.normalize() <= as_of]


def _pandas_features(folder: Path, as_of: pd.Timestamp) -> pd.DataFrame:
    s = pd.read_parquet(folder / "sellers.parquet")
    s["onboarded_date"] = pd.to_datetime(s.onboarded_date)
    s = s[s.onboarded_date <= as_of]
    paid = s.groupby("payout_account_id").seller_id.transform("size")
    f = pd.DataFrame({
        "seller_id": s.seller_id, "tenure_days": (as_of - s.onboarded_date).dt.days,
        "kyc_verified": ((s.kyc_status == "verified") & (pd.to_datetime(s.kyc_verified_date) <= as_of)).astype(int),
        "linked_sellers": (paid.fillna(1) - 1).astype(int),
    }).set_index("seller_id")

    o = pd.read_parquet(folder / "orders.parquet")
    o["day"] = o.ordered_at.dt.normalize()
    o = o[(o.day <= as_of) & o.seller_id.notna()]
    age = (as_of - o.day).dt.days
    purchase = ~o.status.isin(EXCLUDED)
    shipped = (o.fulfilment_type == "shipped") & o.delivered_at.notna() & o.promised_date.notna()
    decided = o.fulfilment_type.isin(REDEEMABLE) & o.fulfilment_outcome.notna()
    flags = pd.DataFrame({
        "seller_id": o.seller_id, "n_orders": 1, "n_seller_cancelled": ~purchase,
        "gmv_cents": np.round(o.amount * 100).astype("int64").where(purchase, 0),
        "recent_orders": age < RECENT_DAYS, "prior_orders": (age >= RECENT_DAYS) & (age < 2 * RECENT_DAYS),
        "n_shipped_delivered": shipped,
        "n_late_shipments": shipped & (o.delivered_at.dt.normalize() > pd.to_datetime(o.promised_date)),
        "n_redeemable": decided, **{name: decided & (o.fulfilment_outcome == value) for name, value in OUTCOME_COUNTS.items()},
        "n_instant_redemptions": (o.fulfilment_type == "voucher") & (o.fulfilment_outcome == "redeemed")
        & (o.redeemed_at < o.ordered_at + pd.Timedelta(hours=1)),
    })
    per = flags.groupby("seller_id").sum()
    per["last_order_day"] = o.groupby("seller_id").day.max()
    f = f.join(per)

    seller_orders = o[["order_id", "seller_id"]]
    disputes = _on_or_before(pd.read_parquet(folder / "disputes.parquet"), "opened_at", as_of)
    returns = _on_or_before(pd.read_parquet(folder / "returns.parquet"), "requested_at", as_of)
    surveys = _on_or_before(pd.read_parquet(folder / "surveys.parquet"), "responded_at", as_of)
    surveys = surveys[surveys.order_id.notna() & surveys.csat.notna()]
    low_rated = surveys.order_id[surveys.csat <= LOW_RATING]

    def orders_with(ids: pd.Series) -> pd.Series:
        return seller_orders[seller_orders.order_id.isin(ids)].groupby("seller_id").order_id.nunique()

    f["n_disputed_orders"] = orders_with(disputes.order_id)
    f["n_defect_orders"] = orders_with(pd.concat([disputes.order_id, low_rated]))
    f["n_returned_orders"] = orders_with(returns.order_id)
    rated = seller_orders.merge(surveys[["order_id", "csat"]], on="order_id")
    rated["low"] = rated.csat <= LOW_RATING
    f = f.join(rated.groupby("seller_id").agg(n_rated_orders=("csat", "size"), n_low_rated_orders=("low", "sum"),
                                                rating_sum=("csat", "sum")))

    e = _on_or_before(pd.read_parquet(folder / "enforcement_actions.parquet"), "violation_at", as_of)
    e["rung"] = e.action.map({name: i + 1 for i, name in enumerate(LADDER)}).fillna(0)
    e["recent"] = (as_of - e.violation_at.dt.normalize()).dt.days < RECENT_DAYS
    f = f.join(e.groupby("seller_id").agg(n_violations=("rung", "size"), n_recent_violations=("recent", "sum"),
                                          top_rung=("rung", "max")))
    education = _on_or_before(pd.read_parquet(folder / "education.parquet"), "enrolled_at", as_of)
    f["enrolled"] = f.index.isin(education.seller_id).astype(int)

    counts = [c for c in f.columns if c.startswith("n_") or c in ("recent_orders", "prior_orders", "gmv_cents",
                                                                   "rating_sum", "top_rung")]
    f[counts] = f[counts].fillna(0).astype("int64")
    f["gmv"] = f.gmv_cents / 100
    f["order_trend"] = np.where(f.prior_orders > 0, f.recent_orders / f.prior_orders.where(f.prior_orders > 0, 1),
                                (f.recent_orders > 0).astype(float))
    f["recency_days"] = (as_of - f.last_order_day).dt.days.fillna(f.tenure_days).astype(int)
    f["mean_rating"] = np.where(f.n_rated_orders > 0, f.rating_sum / f.n_rated_orders.where(f.n_rated_orders > 0, 1), 0.0)
    f["gmv_percentile"] = (f.gmv.rank(method="min") - 1) / max(len(f) - 1, 1)
    return f.drop(columns="last_order_day")


def _pandas_risk(f: pd.DataFrame, signals: dict[str, tuple[str, str, float]]) -> tuple[pd.Series, pd.Series]:
    """risk_ratio and the reasons (the up-to-three signals pushing the score up most; ties by name)."""
    score, baseline, contributions = 0.0, 0.0, {}
    for name, (events, exposure, weight) in signals.items():
        n = f[exposure].astype(float)
        x = np.minimum(f[events].astype(float), n)
        if n.sum() <= 0 or x.sum() <= 0:
            m, alpha, beta = 0.0, 0.0, 1.0
        else:
            m = min(x.sum() / n.sum(), 1 - 1e-9)
            informative = n >= MIN_EXPOSURE
            spread = ((x[informative] / n[informative] - m) ** 2).mean()
            h = min((1 / n[informative]).mean(), 1 - 1e-9)
            rho = min(max((spread / (m * (1 - m)) - h) / (1 - h), 1e-6), 0.999)
            strength = max(1 / rho - 1, MIN_STRENGTH)
            alpha, beta = m * strength, (1 - m) * strength
        rate = (x + alpha) / (n + alpha + beta)
        score = score + weight * rate
        baseline += weight * m
        contributions[name] = weight * (rate - m)
    c = pd.DataFrame(contributions)[sorted(contributions)]
    order = np.argsort(-c.to_numpy(), axis=1, kind="stable")[:, :MAX_REASONS]
    names = np.array(c.columns)[order]
    positive = np.take_along_axis(c.to_numpy(), order, axis=1) > REASON_FLOOR
    reasons = pd.Series([";".join(n[p]) or None for n, p in zip(names, positive)], index=f.index)
    return (score / baseline if baseline > 0 else score * 0.0), reasons


def run_pandas(folder: Path, out: Path) -> None:
    f = _pandas_features(folder, pd.Timestamp(AS_OF))
    ten, rec, trend = f.tenure_days, f.recency_days, f.order_trend
    life = {"onboarding": ten < 30, "dormant": (ten >= 30) & (rec >= 90), "ramping": (ten >= 30) & (ten < 180) & (rec < 90),
            "established": (ten >= 180) & (rec < 90) & (trend >= 0.5), "declining": (ten >= 180) & (rec < 90) & (trend < 0.5)}
    value = {"high": f.gmv_percentile >= 0.8, "medium": (f.gmv_percentile >= 0.5) & (f.gmv_percentile < 0.8),
             "low": f.gmv_percentile < 0.5}
    perf, perf_reasons = _pandas_risk(f, SIGNALS["seller_performance"])
    risk, risk_reasons = _pandas_risk(f, SIGNALS["seller_risk"])
    linked = f.linked_sellers >= 1
    frames = []
    for name, segment, score, reasons in (
        ("seller_lifecycle", np.select(list(life.values()), list(life), None), rec, None),
        ("seller_performance", np.select([perf >= 1.5, perf >= 1.2], ["below_standard", "at_risk"], "meets_standard"),
         perf, perf_reasons),
        ("seller_risk", np.select([linked & (risk >= 2), ~linked & (risk >= 4), linked, risk >= 1.5],
                                  ["high", "high", "elevated", "elevated"], "normal"), risk, risk_reasons),
        ("seller_value", np.select(list(value.values()), list(value), None), f.gmv, None),
    ):
        frame = pd.DataFrame({"entity_id": f.index, "framework": name, "segment": segment,
                              "score": score.astype(float).to_numpy()})
        frame["reasons"] = reasons.to_numpy() if reasons is not None else frame.segment.map(RULE_REASONS[name])
        frames.append(frame)
    pd.concat(frames, ignore_index=True).to_parquet(out)


# ---------------------------------------------------------------- hand-written DuckDB SQL (same definitions)
def _sql_case(column: str, mapping: dict[str, str]) -> str:
    return f"CASE {column} " + " ".join(f"WHEN '{key}' THEN '{value}'" for key, value in mapping.items()) + " END"


def _sql_risk(signals: dict[str, tuple[str, str, float]], key: str) -> tuple[str, str, str, str]:
    """One framework's prior moments (an aggregate over f), its prior means and strengths (from the
    moments), its risk ratio and its reasons (per seller, with the priors joined), as SQL text."""
    moments, priors, rates = [], [], {}
    for i, (name, (events, exposure, weight)) in enumerate(signals.items()):
        k, x, n = f"{key}{i}", f"least({events}, {exposure})::DOUBLE", f"{exposure}::DOUBLE"
        informative = f"FILTER ({exposure} >= {MIN_EXPOSURE})"
        moments.append(f"sum({x}) AS x_{k}, sum({n}) AS n_{k}, avg({x} / {n}) {informative} AS p_{k}, "
                       f"avg(({x} / {n}) ^ 2) {informative} AS q_{k}, "
                       f"least(avg(1 / {n}) {informative}, 1 - 1e-9) AS h_{k}")
        rho = f"least(greatest(((q_{k} - 2 * m_{k} * p_{k} + m_{k} ^ 2) / (m_{k} * (1 - m_{k})) - h_{k}) / (1 - h_{k}), 1e-6), 0.999)"
        some = f"n_{k} > 0 AND x_{k} > 0"  # else no incident anywhere: rates x / (n + 1) = 0, mean 0
        priors.append(f"CASE WHEN {some} THEN least(x_{k} / n_{k}, 1 - 1e-9) ELSE 0 END AS m_{k}, "
                      f"CASE WHEN {some} THEN greatest(1 / {rho} - 1, {MIN_STRENGTH}) ELSE 1 END AS s_{k}")
        rates[name] = (weight, f"m_{k}", f"({x} + m_{k} * s_{k}) / ({n} + s_{k})")
    score = " + ".join(f"{weight} * {rate}" for weight, _, rate in rates.values())
    baseline = " + ".join(f"{weight} * {m}" for weight, m, _ in rates.values())
    ratio = f"CASE WHEN {baseline} > 0 THEN ({score}) / ({baseline}) ELSE 0.0 END"
    # largest contribution first, ties by name: sort (-contribution, name) pairs
    pairs = ", ".join(f"{{'c': -{weight} * ({rate} - {m}), 'name': '{name}'}}" for name, (weight, m, rate) in rates.items())
    reasons = (f"nullif(array_to_string(list_transform(list_filter(list_sort([{pairs}]), lambda r: r.c < -{REASON_FLOOR}), "
               f"lambda r: r.name)[1:{MAX_REASONS}], ';'), '')")
    return ", ".join(moments), ", ".join(priors), ratio, reasons


def run_sql(folder: Path, out: Path) -> None:
    import duckdb

    as_of = f"DATE '{AS_OF}'"
    recent, prior = (f"DATE '{AS_OF - dt.timedelta(days=days)}'" for days in (RECENT_DAYS, 2 * RECENT_DAYS))
    excluded, redeemable = (", ".join(f"'{s}'" for s in values) for values in (EXCLUDED, REDEEMABLE))
    rung = " ".join(f"WHEN '{name}' THEN {i + 1}" for i, name in enumerate(LADDER))
    counts = ["n_orders", "n_seller_cancelled", "gmv_cents", "recent_orders", "prior_orders", "n_shipped_delivered",
              "n_late_shipments", "n_redeemable", *OUTCOME_COUNTS, "n_instant_redemptions", "n_disputed_orders",
              "n_defect_orders", "n_returned_orders", "n_rated_orders", "n_low_rated_orders", "rating_sum",
              "n_violations", "n_recent_violations", "top_rung", "enrolled"]
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute(f"""
    CREATE TEMP TABLE f AS
    WITH s AS (SELECT * FROM '{folder}/sellers.parquet' WHERE onboarded_date <= {as_of}),
    paid AS (SELECT payout_account_id, count(*) AS n_paid FROM s WHERE payout_account_id IS NOT NULL GROUP BY ALL),
    o AS (SELECT *, ordered_at::DATE AS day FROM '{folder}/orders.parquet'
          WHERE ordered_at::DATE <= {as_of} AND seller_id IS NOT NULL),
    per AS (
        SELECT seller_id, count(*) AS n_orders, count(*) FILTER (status IN ({excluded})) AS n_seller_cancelled,
               sum(round(amount * 100)::BIGINT) FILTER (status NOT IN ({excluded})) AS gmv_cents,
               count(*) FILTER (day > {recent}) AS recent_orders,
               count(*) FILTER (day > {prior} AND day <= {recent}) AS prior_orders, max(day) AS last_order_day,
               count(*) FILTER (fulfilment_type = 'shipped' AND delivered_at IS NOT NULL AND promised_date IS NOT NULL)
                   AS n_shipped_delivered,
               count(*) FILTER (fulfilment_type = 'shipped' AND delivered_at::DATE > promised_date) AS n_late_shipments,
               count(*) FILTER (fulfilment_type IN ({redeemable}) AND fulfilment_outcome IS NOT NULL) AS n_redeemable,
               {", ".join(f"count(*) FILTER (fulfilment_type IN ({redeemable}) AND fulfilment_outcome = '{value}') AS {name}"
                          for name, value in OUTCOME_COUNTS.items())},
               count(*) FILTER (fulfilment_type = 'voucher' AND fulfilment_outcome = 'redeemed'
                                AND redeemed_at < ordered_at + INTERVAL 1 HOUR) AS n_instant_redemptions
        FROM o GROUP BY seller_id),
    incidents AS (
        SELECT order_id, 1 AS disputed, 0 AS returned, 0 AS rated, 0 AS low, 0 AS csat
        FROM '{folder}/disputes.parquet' WHERE opened_at::DATE <= {as_of}
        UNION ALL SELECT order_id, 0, 1, 0, 0, 0 FROM '{folder}/returns.parquet' WHERE requested_at::DATE <= {as_of}
        UNION ALL SELECT order_id, 0, 0, 1, (csat <= {LOW_RATING})::INT, csat FROM '{folder}/surveys.parquet'
        WHERE responded_at::DATE <= {as_of} AND order_id IS NOT NULL AND csat IS NOT NULL),
    inc AS (
        SELECT seller_id, count(DISTINCT order_id) FILTER (disputed = 1) AS n_disputed_orders,
               count(DISTINCT order_id) FILTER (disputed = 1 OR low = 1) AS n_defect_orders,
               count(DISTINCT order_id) FILTER (returned = 1) AS n_returned_orders,
               sum(rated) AS n_rated_orders, sum(low) AS n_low_rated_orders, sum(csat) AS rating_sum
        FROM (SELECT order_id, seller_id FROM o) JOIN incidents USING (order_id) GROUP BY seller_id),
    enf AS (
        SELECT seller_id, count(*) AS n_violations, count(*) FILTER (violation_at::DATE > {recent}) AS n_recent_violations,
               max(CASE action {rung} ELSE 0 END) AS top_rung
        FROM '{folder}/enforcement_actions.parquet' WHERE violation_at::DATE <= {as_of} GROUP BY seller_id),
    edu AS (SELECT DISTINCT seller_id, 1 AS enrolled FROM '{folder}/education.parquet' WHERE enrolled_at::DATE <= {as_of}),
    j AS (
        SELECT seller_id, market, seller_type, vertical, region, {as_of} - onboarded_date AS tenure_days,
               coalesce(kyc_status = 'verified' AND kyc_verified_date <= {as_of}, false)::BIGINT AS kyc_verified,
               coalesce(n_paid, 1) - 1 AS linked_sellers, last_order_day,
               {", ".join(f"coalesce({c}, 0)::BIGINT AS {c}" for c in counts)}
        FROM s LEFT JOIN paid USING (payout_account_id) LEFT JOIN per USING (seller_id) LEFT JOIN inc USING (seller_id)
             LEFT JOIN enf USING (seller_id) LEFT JOIN edu USING (seller_id))
    SELECT * EXCLUDE (last_order_day), gmv_cents / 100 AS gmv,
           CASE WHEN prior_orders > 0 THEN recent_orders / prior_orders WHEN recent_orders > 0 THEN 1.0 ELSE 0.0 END
               AS order_trend,
           CASE WHEN last_order_day IS NULL THEN tenure_days ELSE {as_of} - last_order_day END AS recency_days,
           CASE WHEN n_rated_orders > 0 THEN rating_sum / n_rated_orders ELSE 0.0 END AS mean_rating,
           percent_rank() OVER (ORDER BY gmv_cents) AS gmv_percentile
    FROM j
    """)
    perf_moments, perf_priors, perf_ratio, perf_reasons = _sql_risk(SIGNALS["seller_performance"], "p")
    risk_moments, risk_priors, risk_ratio, risk_reasons = _sql_risk(SIGNALS["seller_risk"], "r")
    con.execute(f"""
    COPY (
    WITH moments AS (SELECT {perf_moments}, {risk_moments} FROM f),
    priors AS (SELECT {perf_priors}, {risk_priors} FROM moments),
    scored AS MATERIALIZED (
        SELECT seller_id, tenure_days, recency_days, order_trend, gmv, gmv_percentile, linked_sellers,
               {perf_ratio} AS perf_ratio, {perf_reasons} AS perf_reasons,
               {risk_ratio} AS risk_ratio, {risk_reasons} AS risk_reasons,
               CASE WHEN tenure_days < 30 THEN 'onboarding' WHEN recency_days >= 90 THEN 'dormant'
                    WHEN tenure_days < 180 THEN 'ramping' WHEN order_trend >= 0.5 THEN 'established'
                    ELSE 'declining' END AS lifecycle,
               CASE WHEN gmv_percentile >= 0.8 THEN 'high' WHEN gmv_percentile >= 0.5 THEN 'medium' ELSE 'low' END AS tier
        FROM f, priors)
    SELECT seller_id AS entity_id, 'seller_lifecycle' AS framework, lifecycle AS segment, recency_days::DOUBLE AS score,
           {_sql_case("lifecycle", RULE_REASONS["seller_lifecycle"])} AS reasons FROM scored
    UNION ALL
    SELECT seller_id, 'seller_performance', CASE WHEN perf_ratio >= 1.5 THEN 'below_standard'
           WHEN perf_ratio >= 1.2 THEN 'at_risk' ELSE 'meets_standard' END, perf_ratio, perf_reasons FROM scored
    UNION ALL
    SELECT seller_id, 'seller_risk', CASE WHEN linked_sellers >= 1 AND risk_ratio >= 2 THEN 'high'
           WHEN linked_sellers = 0 AND risk_ratio >= 4 THEN 'high' WHEN linked_sellers >= 1 OR risk_ratio >= 1.5 THEN 'elevated'
           ELSE 'normal' END, risk_ratio, risk_reasons FROM scored
    UNION ALL
    SELECT seller_id, 'seller_value', tier, gmv, {_sql_case("tier", RULE_REASONS["seller_value"])} FROM scored
    ) TO '{out}' (FORMAT parquet)
    """)


# ---------------------------------------------------------------- Polars, lazy (same definitions)
def _polars_features(folder: Path) -> pl.LazyFrame:
    import polars as pl

    as_of = pl.lit(AS_OF)
    recent, prior = (pl.lit(AS_OF - dt.timedelta(days=days)) for days in (RECENT_DAYS, 2 * RECENT_DAYS))

    def scan(name: str, time_column: str) -> pl.LazyFrame:
        return pl.scan_parquet(folder / f"{name}.parquet").filter(pl.col(time_column).dt.date() <= as_of)

    s = pl.scan_parquet(folder / "sellers.parquet").filter(pl.col("onboarded_date") <= as_of)
    paid = s.filter(pl.col("payout_account_id").is_not_null()).group_by("payout_account_id").agg(n_paid=pl.len())
    base = s.join(paid, on="payout_account_id", how="left").select(
        "seller_id", "market", "seller_type", "vertical", "region",
        tenure_days=(as_of - pl.col("onboarded_date")).dt.total_days(),
        kyc_verified=((pl.col("kyc_status") == "verified") & (pl.col("kyc_verified_date") <= as_of))
        .fill_null(False).cast(pl.Int64),
        linked_sellers=pl.col("n_paid").fill_null(1) - 1)

    o = scan("orders", "ordered_at").filter(pl.col("seller_id").is_not_null()).with_columns(day=pl.col("ordered_at").dt.date())
    kind, outcome = pl.col("fulfilment_type"), pl.col("fulfilment_outcome")
    purchase = ~pl.col("status").is_in(EXCLUDED)
    shipped = (kind == "shipped") & pl.col("delivered_at").is_not_null() & pl.col("promised_date").is_not_null()
    decided = kind.is_in(REDEEMABLE) & outcome.is_not_null()
    per = o.group_by("seller_id").agg(
        n_orders=pl.len(), n_seller_cancelled=(~purchase).sum(),
        gmv_cents=(pl.col("amount") * 100).round().cast(pl.Int64).filter(purchase).sum(),
        recent_orders=(pl.col("day") > recent).sum(), prior_orders=((pl.col("day") > prior) & (pl.col("day") <= recent)).sum(),
        last_order_day=pl.col("day").max(), n_shipped_delivered=shipped.sum(),
        n_late_shipments=(shipped & (pl.col("delivered_at").dt.date() > pl.col("promised_date"))).sum(),
        n_redeemable=decided.sum(), **{name: (decided & (outcome == value)).sum() for name, value in OUTCOME_COUNTS.items()},
        n_instant_redemptions=((kind == "voucher") & (outcome == "redeemed")
                               & (pl.col("redeemed_at") < pl.col("ordered_at") + pl.duration(hours=1))).sum())

    one, zero = pl.lit(1, pl.Int64), pl.lit(0, pl.Int64)
    surveys = scan("surveys", "responded_at").filter(pl.col("order_id").is_not_null() & pl.col("csat").is_not_null())
    incidents = pl.concat([
        scan("disputes", "opened_at").select("order_id", disputed=one, returned=zero, rated=zero, low=zero, csat=zero),
        scan("returns", "requested_at").select("order_id", disputed=zero, returned=one, rated=zero, low=zero, csat=zero),
        surveys.select("order_id", disputed=zero, returned=zero, rated=one,
                       low=(pl.col("csat") <= LOW_RATING).cast(pl.Int64), csat=pl.col("csat").cast(pl.Int64)),
    ])
    order_id = pl.col("order_id")
    inc = o.select("order_id", "seller_id").join(incidents, on="order_id").group_by("seller_id").agg(
        n_disputed_orders=order_id.filter(pl.col("disputed") == 1).n_unique(),
        n_defect_orders=order_id.filter((pl.col("disputed") == 1) | (pl.col("low") == 1)).n_unique(),
        n_returned_orders=order_id.filter(pl.col("returned") == 1).n_unique(),
        n_rated_orders=pl.col("rated").sum(), n_low_rated_orders=pl.col("low").sum(), rating_sum=pl.col("csat").sum())
    rung = pl.col("action").replace_strict({name: i + 1 for i, name in enumerate(LADDER)}, default=0, return_dtype=pl.Int64)
    enf = scan("enforcement_actions", "violation_at").group_by("seller_id").agg(
        n_violations=pl.len(), n_recent_violations=(pl.col("violation_at").dt.date() > recent).sum(), top_rung=rung.max())
    edu = scan("education", "enrolled_at").select("seller_id").unique().with_columns(enrolled=one)

    f = base
    for part in (per, inc, enf, edu):
        f = f.join(part, on="seller_id", how="left")
    counts = [c for part in (per, inc, enf, edu) for c in part.collect_schema().names()
              if c not in ("seller_id", "last_order_day")]
    f = f.with_columns(pl.col(counts).fill_null(0).cast(pl.Int64))
    last, rated, trend_base = pl.col("last_order_day"), pl.col("n_rated_orders"), pl.col("prior_orders")
    return f.with_columns(
        gmv=pl.col("gmv_cents") / 100,
        order_trend=pl.when(trend_base > 0).then(pl.col("recent_orders") / trend_base)
        .otherwise((pl.col("recent_orders") > 0).cast(pl.Float64)),
        recency_days=pl.when(last.is_null()).then(pl.col("tenure_days")).otherwise((as_of - last).dt.total_days()),
        mean_rating=pl.when(rated > 0).then(pl.col("rating_sum") / rated).otherwise(0.0),
        gmv_percentile=(pl.col("gmv_cents").rank("min") - 1) / (pl.len() - 1),
    ).drop("last_order_day")


def _polars_risk(signals: dict[str, tuple[str, str, float]]) -> tuple[pl.Expr, dict[str, pl.Expr]]:
    """A framework's risk ratio and each signal's contribution (the priors as whole-column aggregates)."""
    import polars as pl

    score, baseline, contributions = pl.lit(0.0), pl.lit(0.0), {}
    for name, (events, exposure, weight) in signals.items():
        n = pl.col(exposure).cast(pl.Float64)
        x = pl.min_horizontal(pl.col(events), pl.col(exposure)).cast(pl.Float64)
        informative = pl.col(exposure) >= MIN_EXPOSURE
        p = (x / n).filter(informative)
        some = (n.sum() > 0) & (x.sum() > 0)  # else no incident anywhere: rates x / (n + 1) = 0, mean 0
        m = pl.when(some).then(pl.min_horizontal(x.sum() / n.sum(), pl.lit(1 - 1e-9))).otherwise(0.0)
        h = pl.min_horizontal((1 / n).filter(informative).mean(), pl.lit(1 - 1e-9))
        rho = (((p.pow(2).mean() - 2 * m * p.mean() + m * m) / (m * (1 - m)) - h) / (1 - h)).clip(1e-6, 0.999)
        strength = pl.when(some).then(pl.max_horizontal(1 / rho - 1, pl.lit(MIN_STRENGTH))).otherwise(1.0)
        rate = (x + m * strength) / (n + strength)
        score, baseline = score + weight * rate, baseline + weight * m
        contributions[name] = weight * (rate - m)
    return pl.when(baseline > 0).then(score / baseline).otherwise(0.0), contributions


def run_polars(folder: Path, out: Path) -> None:
    import polars as pl

    f = _polars_features(folder).collect().lazy()  # every framework reads the features: computed once
    ten, rec, trend, pct = (pl.col(c) for c in ("tenure_days", "recency_days", "order_trend", "gmv_percentile"))
    r, linked = pl.col("risk_ratio"), pl.col("linked_sellers")
    frameworks = {  # framework -> segment, score
        "seller_lifecycle": (pl.when(ten < 30).then(pl.lit("onboarding")).when(rec >= 90).then(pl.lit("dormant"))
                             .when(ten < 180).then(pl.lit("ramping")).when(trend >= 0.5).then(pl.lit("established"))
                             .otherwise(pl.lit("declining")), rec),
        "seller_performance": (pl.when(r >= 1.5).then(pl.lit("below_standard")).when(r >= 1.2).then(pl.lit("at_risk"))
                               .otherwise(pl.lit("meets_standard")), r),
        "seller_risk": (pl.when((linked >= 1) & (r >= 2)).then(pl.lit("high")).when((linked == 0) & (r >= 4))
                        .then(pl.lit("high")).when((linked >= 1) | (r >= 1.5)).then(pl.lit("elevated"))
                        .otherwise(pl.lit("normal")), r),
        "seller_value": (pl.when(pct >= 0.8).then(pl.lit("high")).when(pct >= 0.5).then(pl.lit("medium"))
                         .otherwise(pl.lit("low")), pl.col("gmv")),
    }
    frames = []
    for name, (segment, score) in frameworks.items():
        if name in SIGNALS:
            ratio, contributions = _polars_risk(SIGNALS[name])
            scored = f.with_columns(risk_ratio=ratio, **contributions)
            # the up-to-three largest positive contributions, largest first, ties by name
            reasons = (scored.unpivot(on=list(contributions), index="seller_id", variable_name="reason", value_name="c")
                       .filter(pl.col("c") > REASON_FLOOR).sort(["c", "reason"], descending=[True, False])
                       .group_by("seller_id").agg(reasons=pl.col("reason").head(MAX_REASONS).str.join(";")))
            rows = scored.join(reasons, on="seller_id", how="left")
        else:
            rows = f.with_columns(reasons=segment.replace_strict(RULE_REASONS[name], return_dtype=pl.String))
        frames.append(rows.select(entity_id=pl.col("seller_id"), framework=pl.lit(name), segment=segment,
                                  score=score.cast(pl.Float64), reasons=pl.col("reasons")))
    pl.concat(frames).sink_parquet(out)


# ---------------------------------------------------------------- harness
SIDES = {"govex": run_govex, "duckdb-sql": run_sql, "polars": run_polars, "pandas": run_pandas,
         "govex-spark": lambda folder, out: run_govex(folder, out, engine="spark")}


def _import(side: str) -> None:
    """A side's modules, imported before its clock starts (pandas and numpy are imported above)."""
    if side.startswith("govex"):
        import ibis

        import govex.segments.seller  # noqa: F401
        getattr(ibis, "pyspark" if side == "govex-spark" else "duckdb")  # Ibis imports a backend's modules on first use
    elif side != "pandas":
        importlib.import_module({"duckdb-sql": "duckdb", "polars": "polars"}[side])


def _run_side(side: str, folder: Path) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--child", side, "--folder", str(folder)],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{side} side failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _check_signals() -> None:
    from govex.segments.seller import load_seller_frameworks

    for fw in load_seller_frameworks(names=tuple(SIGNALS)):
        shipped = {s.name: (s.events, s.exposure, s.weight) for s in fw.spec.risk.signals}
        spec = fw.spec.risk
        if shipped != SIGNALS[fw.name] or (spec.min_exposure_for_prior, spec.min_prior_strength, spec.max_reasons) != (
                MIN_EXPOSURE, MIN_STRENGTH, MAX_REASONS):
            raise SystemExit(f"SIGNALS in this bench no longer match the shipped {fw.name} framework; update it")


def _agreement(folder: Path, side: str) -> tuple[bool, str]:
    """Whether `side` gives every seller govex's segment, reasons and score (to 1e-9 relative), and a line saying so."""
    key = ["framework", "entity_id"]
    a = pd.read_parquet(folder / "result_govex.parquet").sort_values(key).reset_index(drop=True)
    b = pd.read_parquet(folder / f"result_{side}.parquet").sort_values(key).reset_index(drop=True)
    if len(a) != len(b) or not (a[key].to_numpy() == b[key].to_numpy()).all():
        return False, f"DIFFERENT sellers ({len(a):,} vs {len(b):,} rows)"
    differing = {c: int((a[c].fillna("") != b[c].fillna("")).sum()) for c in ("segment", "reasons")}
    score_diff = float(np.max(np.abs(a.score - b.score) / np.maximum(np.abs(b.score), 1e-12)))
    if any(differing.values()) or score_diff > 1e-9:
        odd = (a.segment.fillna("") != b.segment.fillna("")) | (a.reasons.fillna("") != b.reasons.fillna(""))
        shown = a[odd].head(5).assign(**{f"{side}_segment": b.segment[odd], f"{side}_reasons": b.reasons[odd]}).to_string()
        return False, f"DIFFERENT: rows differing {differing}, max rel diff of scores {score_diff:.1e}; e.g.\n{shown}"
    return True, f"identical: {len(a):,} rows (segment, reasons; max rel diff of scores {score_diff:.1e})"


def _compare(folder: Path, sides: list[str], repeat: int) -> tuple[dict[str, dict], dict[str, tuple[bool, str]]]:
    """Every side's median and best seconds, median CPU and imports, highest peak; each peer's agreement with govex."""
    runs = alternated(sides, repeat, lambda side: _run_side(side, folder))
    summary = {side: {"seconds": statistics.median(r["seconds"] for r in rs), "best": min(r["seconds"] for r in rs),
                      "cpu": statistics.median(r["cpu"] for r in rs), "peak_mb": max(r["peak_mb"] for r in rs),
                      "imports": statistics.median(r["imports"] for r in rs)} for side, rs in runs.items()}
    return summary, {side: _agreement(folder, side) for side in sides[1:]}


def _print_comparison(results: dict[str, dict], agreements: dict[str, tuple[bool, str]], repeat: int) -> None:
    base = results["govex"]
    print(f"{'side':<12}{'median s':>10}{'best s':>9}{'cpu s':>8}{'peak MB':>9}{'imports s':>11}"
          f"{'x govex time':>14}{'x govex memory':>16}")
    for side, r in results.items():
        print(f"{side:<12}{r['seconds']:>10.2f}{r['best']:>9.2f}{r['cpu']:>8.2f}{r['peak_mb']:>9.0f}{r['imports']:>11.2f}"
              f"{r['seconds'] / base['seconds']:>14.2f}{r['peak_mb'] / base['peak_mb']:>16.2f}")
    goals = {"duckdb-sql": "govex / duckdb-sql time {:.2f} (goal <= 1.2)", "polars": "govex / polars time {:.2f} (goal < 1)"}
    for side, goal in goals.items():
        if side in results:
            print(goal.format(base["seconds"] / results[side]["seconds"]))
    if "pandas" in results:
        print(f"pandas / govex: time x{results['pandas']['seconds'] / base['seconds']:.1f} (goal >= 10), "
              f"govex / pandas peak memory {base['peak_mb'] / results['pandas']['peak_mb']:.2f} (goal <= 0.33)")
    for side, (_, text) in agreements.items():
        print(f"govex vs {side}: {text}")
    print(f"({repeat} runs per side, order alternated each round; {load()})")


def _scaling(sizes: list[int], orders_per_seller: int, sides: list[str], repeat: int) -> bool:
    table: dict[str, list[dict]] = {side: [] for side in sides}
    ok = True
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="govex-bench-sellers-") as tmp:
            build_data(Path(tmp), sellers=size, orders=size * orders_per_seller)
            results, agreements = _compare(Path(tmp), sides, repeat)
        for side in sides:
            table[side].append(results[side])
        ok &= all(same for same, _ in agreements.values())
        done = ", ".join(f"{side} {rows[-1]['seconds']:.2f} s {rows[-1]['peak_mb']:.0f} MB" for side, rows in table.items())
        print(f"  {size:>10,} sellers: {done}; {load()}", flush=True)
        for side, (_, text) in agreements.items():
            print(f"    govex vs {side}: {text}")
    print_growth(sizes, table)
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sellers", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs per side, order alternated; the median counts")
    parser.add_argument("--sides", default="govex,duckdb-sql,polars,pandas",
                        help="comma-separated, govex first (default: govex and the three peers; govex-spark on request)")
    parser.add_argument("--scale", default="", help="comma-separated seller counts for a scaling run instead "
                        "(--orders / --sellers orders each), e.g. 10000,30000,100000")
    parser.add_argument("--child", choices=tuple(SIDES))
    parser.add_argument("--folder", type=Path)
    args = parser.parse_args()
    if args.child:
        started = time.perf_counter()
        _import(args.child)  # module imports are not the work measured
        imports = time.perf_counter() - started
        started, cpu = time.perf_counter(), time.process_time()
        SIDES[args.child](args.folder, args.folder / f"result_{args.child}.parquet")
        print(json.dumps({"seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu,
                          "peak_mb": peak_mb(), "imports": imports}))
        return
    sides = chosen(args.sides, SIDES)
    _check_signals()
    if args.scale:
        sizes = [int(n) for n in args.scale.split(",")]
        per_seller = args.orders // args.sellers
        print(f"scaling: {', '.join(sides)} at {', '.join(f'{n:,}' for n in sizes)} sellers, {per_seller} orders each")
        ok = _scaling(sizes, per_seller, sides, args.repeat)
    else:
        with tempfile.TemporaryDirectory(prefix="govex-bench-sellers-") as tmp:
            folder = Path(tmp)
            t0 = time.perf_counter()
            build_data(folder, sellers=args.sellers, orders=args.orders)
            print(f"data: {args.sellers:,} sellers, {args.orders:,} orders ({time.perf_counter() - t0:.0f} s to build)")
            results, agreements = _compare(folder, sides, args.repeat)
        _print_comparison(results, agreements, args.repeat)
        ok = all(same for same, _ in agreements.values())
    if not ok:
        raise SystemExit("the sides disagree")


if __name__ == "__main__":
    main()
