"""Benchmark: segmentation features at scale, govex (Ibis on DuckDB) vs hand-written DuckDB SQL, Polars and pandas.

(a) RFM scores + lifecycle segment + the risk features of the shipped risk framework (orders per
    worst incident level, shrunk-rate risk ratio) for 1M customers / 10M orders (plus disputes and
    returns) on the same Parquet files. Peers, each the same definitions: hand-written DuckDB SQL
    (what a data engineer would write: RANK() windows, one prior aggregate), Polars lazy
    (scan_parquet ... sink_parquet) and idiomatic pandas. Each side runs in its own child process,
    so peak memory (the child's own VmHWM) is measured per side; the sides run `--repeat` times
    (default 3) with the order reversed every round and the median counts, so load from other
    processes on a shared machine falls on every side alike. Every row must agree with govex.
    `--scale 100000,1000000` runs the sides at each size instead and prints the fitted exponent of
    time and peak memory against the number of customers. Side `govex-spark` is the same govex
    code on local Spark (local[2]; peak memory is the Python driver's only, the JVM is a child).
(b) BG/NBD + Gamma-Gamma fit vs `lifetimes`: runs bench/clv_vs_lifetimes.py (a missing script
    is an error).

Usage: python bench/segmentation.py [--customers 1000000] [--orders 10000000] [--repeat 3]
       [--sides govex,duckdb-sql,polars,pandas] [--scale 100000,1000000,3000000] [--skip-clv]
       python bench/segmentation.py --sides govex,govex-spark --scale 20000,50000,100000 --repeat 1
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).parent))
from child import peak_mb  # noqa: E402
from sides import alternated, chosen, load, print_growth  # noqa: E402

AS_OF = dt.date(2025, 12, 31)
START = dt.date(2024, 1, 1)
EXCLUDED = ("cancelled", "unavailable")
STATUSES = np.array(["delivered", "cancelled", "shipped", "unavailable"])
RISK = {  # signal -> (events column, weight), as in the shipped risk framework (checked at start)
    "abuse_confirmed": ("n_orders_abuse_confirmed", 6.0), "suspicious_claims": ("n_orders_suspicious_claim", 4.0),
    "chargebacks": ("n_chargeback_orders", 4.0), "disputes": ("n_disputed_orders", 2.0),
    "refunds": ("n_refunded_orders", 1.0), "cancellations": ("n_cancelled", 0.5),
}
MIN_EXPOSURE, MIN_STRENGTH = 3, 20.0
LEVELS = ("abuse_confirmed", "suspicious_claim", "claim", "return")  # worst incident of an order


# ---------------------------------------------------------------- data
def _ids(prefix: str, numbers: np.ndarray) -> pa.Array:
    return pc.binary_join_element_wise(prefix, pc.cast(pa.array(numbers), pa.string()), "")


def build_data(folder: Path, *, customers: int, orders: int, seed: int = 0) -> None:
    """Orders with a heavy-tailed number per customer; disputes and returns on a few of them."""
    rng = np.random.default_rng(seed)
    weight = rng.gamma(0.9, 1.0, customers)
    owner = rng.choice(customers, size=orders, p=weight / weight.sum())
    span_s = (AS_OF - START).days * 86400 + 2 * 86400  # a few orders fall after as-of
    ordered = pd.Timestamp(START).value // 10**3 + rng.integers(0, span_s * 10**6, orders)
    amount = np.round(rng.gamma(2.0, 30.0, orders), 2)
    status = STATUSES[rng.choice(4, size=orders, p=[0.94, 0.03, 0.02, 0.01])]
    delivered = ordered + rng.integers(86400, 8 * 86400, orders) * 10**6
    pq.write_table(pa.table({
        "order_id": _ids("O", np.arange(orders)), "customer_id": _ids("C", owner),
        "ordered_at": pa.array(ordered, pa.timestamp("us")), "amount": amount, "currency": pa.array(["USD"] * orders),
        "status": status,
        "delivered_at": pa.array(delivered, pa.timestamp("us"), mask=status != "delivered"),
    }), folder / "orders.parquet")
    for name, share in (("disputes", 0.01), ("returns", 0.05)):
        picked = np.sort(rng.choice(orders, size=int(orders * share), replace=False))
        n = picked.size
        lag = rng.integers(86400, 30 * 86400, n) * 10**6
        columns = {"order_id": _ids("O", picked), "customer_id": _ids("C", owner[picked])}
        if name == "disputes":
            columns |= {"opened_at": pa.array(ordered[picked] + lag, pa.timestamp("us")),
                        "kind": np.where(rng.random(n) < 0.3, "chargeback", "dispute"),
                        "reason": rng.choice(["item_not_received", "not_as_described", "unauthorised"], n, p=[0.5, 0.35, 0.15]),
                        "outcome": np.where(rng.random(n) < 0.1, "fraud_confirmed", "buyer_won")}
        else:
            columns |= {"requested_at": pa.array(ordered[picked] + lag, pa.timestamp("us")),
                        "status": np.where(rng.random(n) < 0.6, "refunded", "rejected"),
                        "abuse_flag": pa.array(np.where(rng.random(n) < 0.5, rng.random(n) < 0.05, None), pa.bool_())}
        pq.write_table(pa.table(columns), folder / f"{name}.parquet")


# ---------------------------------------------------------------- govex side
def run_govex(folder: Path, out: Path, *, engine: str = "duckdb") -> None:
    import ibis

    from govex.engine import Warehouse
    from govex.features import customer_features
    from govex.segments import RFMSpec, RiskSignal, RiskSpec, load_frameworks, rule_condition
    from govex.segments.rfm import add_rfm_scores
    from govex.segments.risk import add_risk_scores, fit_priors

    if engine == "spark":
        from govex.engine.spark import local_spark_backend

        con = local_spark_backend()
    else:
        con = ibis.duckdb.connect()
    for name in ("orders", "disputes", "returns"):
        con.read_parquet(folder / f"{name}.parquet", table_name=name)
    warehouse = Warehouse(con)
    risk = RiskSpec(signals=tuple(RiskSignal(name=k, events=e, weight=w) for k, (e, w) in RISK.items()),
                    min_exposure_for_prior=MIN_EXPOSURE, min_prior_strength=MIN_STRENGTH)
    shipped = load_frameworks(names=("risk",))[0].spec.risk
    if shipped.signals != risk.signals or (shipped.min_exposure_for_prior, shipped.min_prior_strength) != (
            MIN_EXPOSURE, MIN_STRENGTH):
        raise SystemExit("RISK in this bench no longer matches the shipped risk framework; update it")
    lifecycle = load_frameworks(names=("lifecycle",))[0].spec
    levels = [f"n_orders_{level}" for level in LEVELS]
    needed = {feature for rule in lifecycle.rules for feature in rule.when} | {e for e, _ in RISK.values()} | set(levels)
    # only the feature groups these definitions need; reused by ranks, counts and priors
    features = customer_features(warehouse, as_of=AS_OF, features=needed).table
    table = features.select("customer_id", *sorted(needed | {"n_orders", "recency_days", "n_purchases", "monetary"})).cache()
    priors = fit_priors(table, risk)  # as govex.segments.assign: on the features, not the scored table
    table = add_rfm_scores(table, RFMSpec())
    table = add_risk_scores(table, risk, priors)
    segment = ibis.cases(*[(rule_condition(table, rule), rule.segment) for rule in lifecycle.rules])
    result = table.select("customer_id", "r_score", "f_score", "m_score", "risk_ratio", *levels, lifecycle=segment)
    if engine == "spark":  # Spark writes a folder of part files; the comparison reads one file
        result.to_pandas().to_parquet(out)
    else:
        con.to_parquet(result, out)


# ---------------------------------------------------------------- pandas side (idiomatic, same definitions)
def run_pandas(folder: Path, out: Path) -> None:
    as_of = pd.Timestamp(AS_OF)
    orders = pd.read_parquet(folder / "orders.parquet")
    orders["day"] = orders.ordered_at.dt.normalize()
    orders = orders[orders.day <= as_of]
    orders["is_purchase"] = ~orders.status.isin(EXCLUDED)
    orders["is_cancelled"] = orders.status == "cancelled"
    orders["purchase_amount"] = orders.amount.where(orders.is_purchase, 0.0)
    per = orders.groupby("customer_id").agg(
        n_orders=("order_id", "size"), n_purchases=("is_purchase", "sum"), n_cancelled=("is_cancelled", "sum"),
        monetary=("purchase_amount", "sum"))
    per["monetary"] = per.monetary.round(2)
    days = orders[orders.is_purchase].drop_duplicates(["customer_id", "day"]).sort_values(["customer_id", "day"])
    days["gap"] = days.groupby("customer_id").day.diff().dt.days
    rhythm = days.groupby("customer_id").agg(first=("day", "min"), last=("day", "max"), n_days=("day", "size"),
                                             last_gap=("gap", "last"))
    f = per.join(rhythm, how="inner")
    f["tenure_days"] = (as_of - f["first"]).dt.days
    f["recency_days"] = (as_of - f["last"]).dt.days
    f["span_days"] = (f["last"] - f["first"]).dt.days
    f["last_gap_days"] = f.last_gap.fillna(0)
    several = f.n_days > 1
    f["overdue_ratio"] = np.where(several, (f.recency_days * (f.n_days - 1)) / f.span_days.where(several, 1), 0.0)

    disputes = pd.read_parquet(folder / "disputes.parquet")
    disputes = disputes[disputes.opened_at.dt.normalize() <= as_of]
    d = pd.DataFrame({
        "n_disputed_orders": disputes[disputes.kind == "dispute"].groupby("customer_id").order_id.nunique(),
        "n_chargeback_orders": disputes[disputes.kind == "chargeback"].groupby("customer_id").order_id.nunique(),
    })
    returns = pd.read_parquet(folder / "returns.parquet")
    returns = returns[returns.requested_at.dt.normalize() <= as_of]
    r = pd.DataFrame({
        "n_refunded_orders": returns[returns.status == "refunded"].groupby("customer_id").order_id.nunique(),
    })

    # worst incident per order: confirmed abuse > suspicious claim > other claim > return request
    claims = disputes.merge(orders[["order_id", "delivered_at"]], on="order_id", how="left")
    claims["false_claim"] = (claims.reason != "unauthorised") & (claims.outcome == "fraud_confirmed")
    claims["inr_after_delivery"] = (claims.reason == "item_not_received") & (claims.opened_at > claims.delivered_at)
    claims = claims.groupby(["customer_id", "order_id"])[["false_claim", "inr_after_delivery"]].any()
    claims["claimed"] = True
    returns["abuse"] = returns.abuse_flag.eq(True)
    returns["refunded"] = returns.status == "refunded"
    requests = returns.groupby(["customer_id", "order_id"])[["abuse", "refunded"]].any()
    both = claims.join(requests, how="outer").astype("boolean").fillna(False)
    level = np.select([both.false_claim | both.abuse, both.inr_after_delivery | (both.claimed & both.refunded),
                       both.claimed], LEVELS[:3], LEVELS[3])
    levels = pd.crosstab(both.index.get_level_values("customer_id"), level).reindex(columns=list(LEVELS), fill_value=0)
    levels.columns = [f"n_orders_{level}" for level in levels.columns]

    f = f.join(d).join(r).join(levels)
    added = list(d.columns) + list(r.columns) + list(levels.columns)
    f[added] = f[added].fillna(0).astype("int64")

    n = len(f)
    f["r_score"] = ((f.recency_days.rank(method="min", ascending=False) - 1) * 5 // n + 1).astype(int)
    f["f_score"] = ((f.n_purchases.rank(method="min") - 1) * 5 // n + 1).astype(int)
    f["m_score"] = ((f.monetary.rank(method="min") - 1) * 5 // n + 1).astype(int)

    score, baseline = 0.0, 0.0
    for events, weight in RISK.values():
        exposure = f.n_orders.astype(float)
        x = np.minimum(f[events].astype(float), exposure)
        m = x.sum() / exposure.sum()
        informative = exposure >= MIN_EXPOSURE
        p = x[informative] / exposure[informative]
        spread = ((p - m) ** 2).mean()
        h = (1 / exposure[informative]).mean()
        rho = min(max((spread / (m * (1 - m)) - h) / (1 - h), 1e-6), 0.999)
        strength = max(1 / rho - 1, MIN_STRENGTH)
        score = score + weight * (x + m * strength) / (exposure + strength)
        baseline += weight * m
    f["risk_ratio"] = score / baseline

    rec, ten, gap, over = f.recency_days, f.tenure_days, f.last_gap_days, f.overdue_ratio
    old = ten >= 30
    f["lifecycle"] = np.select(
        [ten < 30, old & (rec < 90) & (gap >= 180), old & (rec < 90) & (gap < 180) & (over < 2),
         old & (rec < 90) & (gap < 180) & (over >= 2), old & (rec >= 90) & (rec < 180),
         old & (rec >= 180) & (rec < 365), old & (rec >= 365)],
        ["new", "reactivated", "active", "at_risk", "at_risk", "dormant", "churned"], default="none")
    f.reset_index()[["customer_id", "r_score", "f_score", "m_score", "risk_ratio", *levels.columns, "lifecycle"]].to_parquet(out)


# ---------------------------------------------------------------- hand-written DuckDB SQL (same definitions)
def _sql_risk_terms() -> tuple[str, str, str]:
    """Per signal: the prior moments (one aggregate), the shrunk rate and the baseline, as SQL text."""
    moments, score, baseline = [], [], []
    for i, (events, weight) in enumerate(RISK.values()):
        x, n = f"least({events}, n_orders)::DOUBLE", "n_orders::DOUBLE"
        informative = f"n_orders >= {MIN_EXPOSURE}"
        moments.append(
            f"sum({x}) / sum({n}) AS m{i}, avg({x} / {n}) FILTER ({informative}) AS p{i}, "
            f"avg(({x} / {n}) ^ 2) FILTER ({informative}) AS q{i}, avg(1 / {n}) FILTER ({informative}) AS h{i}")
        rho = f"least(greatest(((q{i} - 2 * m{i} * p{i} + m{i} ^ 2) / (m{i} * (1 - m{i})) - h{i}) / (1 - h{i}), 1e-6), 0.999)"
        moments.append(f"greatest(1 / {rho} - 1, {MIN_STRENGTH}) AS s{i}")
        score.append(f"{weight} * ({x} + m{i} * s{i}) / ({n} + s{i})")
        baseline.append(f"{weight} * m{i}")
    return ", ".join(moments), " + ".join(score), " + ".join(baseline)


def run_sql(folder: Path, out: Path) -> None:
    import duckdb

    moments, score, baseline = _sql_risk_terms()
    excluded = ", ".join(f"'{s}'" for s in EXCLUDED)
    levels = ", ".join(f"count(*) FILTER (level = '{level}') AS n_orders_{level}" for level in LEVELS)
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute(f"""
    CREATE TEMP TABLE f AS
    WITH o AS (
        SELECT customer_id, ordered_at::DATE AS day, amount, status, status NOT IN ({excluded}) AS is_purchase
        FROM '{folder}/orders.parquet' WHERE ordered_at::DATE <= DATE '{AS_OF}'),
    per AS (
        SELECT customer_id, count(*) AS n_orders, count(*) FILTER (is_purchase) AS n_purchases,
               count(*) FILTER (status = 'cancelled') AS n_cancelled,
               sum(round(amount * 100)::BIGINT) FILTER (is_purchase) / 100.0 AS monetary
        FROM o GROUP BY customer_id),
    days AS (SELECT DISTINCT customer_id, day FROM o WHERE is_purchase),
    rhythm AS (SELECT customer_id, min(day) AS first_day, count(*) AS n_days, max(day, 2) AS top2
               FROM days GROUP BY customer_id),
    d AS (SELECT * FROM '{folder}/disputes.parquet' WHERE opened_at::DATE <= DATE '{AS_OF}'),
    r AS (SELECT * FROM '{folder}/returns.parquet' WHERE requested_at::DATE <= DATE '{AS_OF}'),
    claims AS (
        SELECT d.customer_id, d.order_id,
               bool_or(d.reason <> 'unauthorised' AND d.outcome = 'fraud_confirmed') AS false_claim,
               coalesce(bool_or(d.reason = 'item_not_received' AND d.opened_at > o.delivered_at), false) AS inr
        FROM d LEFT JOIN '{folder}/orders.parquet' o USING (order_id) GROUP BY ALL),
    requests AS (
        SELECT customer_id, order_id, bool_or(coalesce(abuse_flag, false)) AS abuse,
               bool_or(status = 'refunded') AS refunded
        FROM r GROUP BY ALL),
    per_order AS (
        SELECT coalesce(c.customer_id, q.customer_id) AS customer_id,
               CASE WHEN coalesce(c.false_claim, false) OR coalesce(q.abuse, false) THEN 'abuse_confirmed'
                    WHEN coalesce(c.inr, false) OR (c.order_id IS NOT NULL AND coalesce(q.refunded, false))
                        THEN 'suspicious_claim'
                    WHEN c.order_id IS NOT NULL THEN 'claim' ELSE 'return' END AS level
        FROM claims c FULL JOIN requests q ON c.customer_id = q.customer_id AND c.order_id = q.order_id),
    lv AS (SELECT customer_id, {levels} FROM per_order GROUP BY customer_id),
    dc AS (SELECT customer_id, count(DISTINCT order_id) FILTER (kind = 'dispute') AS n_disputed_orders,
                  count(DISTINCT order_id) FILTER (kind = 'chargeback') AS n_chargeback_orders
           FROM d GROUP BY customer_id),
    rc AS (SELECT customer_id, count(DISTINCT order_id) FILTER (status = 'refunded') AS n_refunded_orders
           FROM r GROUP BY customer_id)
    SELECT customer_id, n_orders, n_purchases, n_cancelled, monetary,
           DATE '{AS_OF}' - first_day AS tenure_days, DATE '{AS_OF}' - top2[1] AS recency_days,
           coalesce(top2[1] - top2[2], 0) AS last_gap_days,
           CASE WHEN n_days > 1 THEN ((DATE '{AS_OF}' - top2[1]) * (n_days - 1))::DOUBLE / (top2[1] - first_day)
                ELSE 0.0 END AS overdue_ratio,
           coalesce(n_disputed_orders, 0) AS n_disputed_orders, coalesce(n_chargeback_orders, 0) AS n_chargeback_orders,
           coalesce(n_refunded_orders, 0) AS n_refunded_orders,
           {", ".join(f"coalesce(n_orders_{level}, 0) AS n_orders_{level}" for level in LEVELS)}
    FROM per JOIN rhythm USING (customer_id) LEFT JOIN dc USING (customer_id) LEFT JOIN rc USING (customer_id)
         LEFT JOIN lv USING (customer_id)
    """)
    con.execute(f"""
    COPY (
    WITH prior AS (SELECT {moments} FROM f)
    SELECT customer_id,
           (rank() OVER (ORDER BY recency_days DESC) - 1) * 5 // count(*) OVER () + 1 AS r_score,
           (rank() OVER (ORDER BY n_purchases) - 1) * 5 // count(*) OVER () + 1 AS f_score,
           (rank() OVER (ORDER BY monetary) - 1) * 5 // count(*) OVER () + 1 AS m_score,
           ({score}) / ({baseline}) AS risk_ratio,
           {", ".join(f"n_orders_{level}" for level in LEVELS)},
           CASE WHEN tenure_days < 30 THEN 'new'
                WHEN recency_days < 90 AND last_gap_days >= 180 THEN 'reactivated'
                WHEN recency_days < 90 AND overdue_ratio < 2 THEN 'active'
                WHEN recency_days < 180 THEN 'at_risk'
                WHEN recency_days < 365 THEN 'dormant' ELSE 'churned' END AS lifecycle
    FROM f, prior
    ) TO '{out}' (FORMAT parquet)
    """)


# ---------------------------------------------------------------- Polars, lazy (same definitions)
def run_polars(folder: Path, out: Path) -> None:
    import polars as pl

    as_of = pl.lit(AS_OF)
    orders = pl.scan_parquet(folder / "orders.parquet")
    o = orders.with_columns(day=pl.col("ordered_at").dt.date()).filter(pl.col("day") <= as_of).with_columns(
        is_purchase=~pl.col("status").is_in(list(EXCLUDED)))
    purchase = pl.col("is_purchase")
    per = o.group_by("customer_id").agg(
        n_orders=pl.len(), n_purchases=purchase.sum(), n_cancelled=(pl.col("status") == "cancelled").sum(),
        monetary=(pl.col("amount") * 100).round().cast(pl.Int64).filter(purchase).sum() / 100)
    rhythm = (o.filter(purchase).select("customer_id", "day").unique().group_by("customer_id").agg(
        first=pl.col("day").min(), last=pl.col("day").max(), n_days=pl.len(),
        previous=pl.col("day").top_k(2).min()))
    disputes = pl.scan_parquet(folder / "disputes.parquet").filter(pl.col("opened_at").dt.date() <= as_of)
    returns = pl.scan_parquet(folder / "returns.parquet").filter(pl.col("requested_at").dt.date() <= as_of)
    dc = disputes.group_by("customer_id").agg(
        n_disputed_orders=pl.col("order_id").filter(pl.col("kind") == "dispute").n_unique(),
        n_chargeback_orders=pl.col("order_id").filter(pl.col("kind") == "chargeback").n_unique())
    rc = returns.group_by("customer_id").agg(
        n_refunded_orders=pl.col("order_id").filter(pl.col("status") == "refunded").n_unique())
    claims = (disputes.join(orders.select("order_id", "delivered_at"), on="order_id", how="left")
              .group_by("customer_id", "order_id").agg(
                  false_claim=((pl.col("reason") != "unauthorised") & (pl.col("outcome") == "fraud_confirmed")).any(),
                  inr=((pl.col("reason") == "item_not_received") & (pl.col("opened_at") > pl.col("delivered_at"))).any(),
                  claimed=pl.lit(True)))
    requests = returns.group_by("customer_id", "order_id").agg(
        abuse=pl.col("abuse_flag").fill_null(False).any(), refunded=(pl.col("status") == "refunded").any())
    both = claims.join(requests, on=["customer_id", "order_id"], how="full", coalesce=True).with_columns(
        pl.col("false_claim", "inr", "claimed", "abuse", "refunded").fill_null(False))
    level = (pl.when(pl.col("false_claim") | pl.col("abuse")).then(pl.lit("abuse_confirmed"))
             .when(pl.col("inr") | (pl.col("claimed") & pl.col("refunded"))).then(pl.lit("suspicious_claim"))
             .when(pl.col("claimed")).then(pl.lit("claim")).otherwise(pl.lit("return")))
    lv = both.with_columns(level=level).group_by("customer_id").agg(
        **{f"n_orders_{name}": (pl.col("level") == name).sum() for name in LEVELS})
    added = ["n_disputed_orders", "n_chargeback_orders", "n_refunded_orders", *(f"n_orders_{n}" for n in LEVELS)]
    f = (per.join(rhythm, on="customer_id").join(dc, on="customer_id", how="left")
         .join(rc, on="customer_id", how="left").join(lv, on="customer_id", how="left")
         .with_columns(pl.col(added).fill_null(0).cast(pl.Int64)))
    days = lambda a, b: (a - b).dt.total_days()  # noqa: E731
    several = pl.col("n_days") > 1
    f = f.with_columns(
        tenure_days=days(as_of, pl.col("first")), recency_days=days(as_of, pl.col("last")),
        last_gap_days=pl.when(several).then(days(pl.col("last"), pl.col("previous"))).otherwise(0))
    f = f.with_columns(overdue_ratio=pl.when(several).then(
        (pl.col("recency_days") * (pl.col("n_days") - 1)) / days(pl.col("last"), pl.col("first"))).otherwise(0.0))
    n = pl.col("n_orders").cast(pl.Float64)
    score, baseline = pl.lit(0.0), pl.lit(0.0)
    for events, weight in RISK.values():
        x = pl.min_horizontal(pl.col(events), pl.col("n_orders")).cast(pl.Float64)
        m = x.sum() / n.sum()
        informative = pl.col("n_orders") >= MIN_EXPOSURE
        p = (x / n).filter(informative)
        spread = (p.pow(2).mean() - 2 * m * p.mean() + m * m)
        h = (1 / n).filter(informative).mean()
        rho = ((spread / (m * (1 - m)) - h) / (1 - h)).clip(1e-6, 0.999)
        strength = pl.max_horizontal(1 / rho - 1, pl.lit(MIN_STRENGTH))
        score = score + weight * (x + m * strength) / (n + strength)
        baseline = baseline + weight * m
    total = pl.len()
    quantile = lambda col, desc: ((col.rank("min", descending=desc) - 1) * 5 // total + 1)  # noqa: E731
    rec, ten, gap, over = (pl.col(c) for c in ("recency_days", "tenure_days", "last_gap_days", "overdue_ratio"))
    lifecycle = (pl.when(ten < 30).then(pl.lit("new")).when((rec < 90) & (gap >= 180)).then(pl.lit("reactivated"))
                 .when((rec < 90) & (over < 2)).then(pl.lit("active")).when(rec < 180).then(pl.lit("at_risk"))
                 .when(rec < 365).then(pl.lit("dormant")).otherwise(pl.lit("churned")))
    f.select("customer_id", r_score=quantile(rec, True), f_score=quantile(pl.col("n_purchases"), False),
             m_score=quantile(pl.col("monetary"), False), risk_ratio=score / baseline,
             **{f"n_orders_{name}": pl.col(f"n_orders_{name}") for name in LEVELS},
             lifecycle=lifecycle).sink_parquet(out)


# ---------------------------------------------------------------- harness
SIDES = {"govex": run_govex, "duckdb-sql": run_sql, "polars": run_polars, "pandas": run_pandas,
         "govex-spark": lambda folder, out: run_govex(folder, out, engine="spark")}


def _child(side: str, folder: Path, out: Path) -> dict:
    started = time.perf_counter()
    SIDES[side](folder, out)
    return {"seconds": time.perf_counter() - started, "peak_mb": peak_mb()}


def _run_side(side: str, folder: Path) -> dict:
    out = folder / f"result_{side}.parquet"
    proc = subprocess.run([sys.executable, __file__, "--child", side, "--folder", str(folder)],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{side} side failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1]) | {"out": out}


def _agreement(govex_out: Path, other_out: Path) -> tuple[bool, str]:
    a = pd.read_parquet(govex_out).sort_values("customer_id").reset_index(drop=True)
    b = pd.read_parquet(other_out).sort_values("customer_id").reset_index(drop=True)
    if len(a) != len(b) or not (a.customer_id.to_numpy() == b.customer_id.to_numpy()).all():
        return False, f"DIFFERENT customers ({len(a)} vs {len(b)})"
    columns = ("r_score", "f_score", "m_score", "lifecycle", *(f"n_orders_{level}" for level in LEVELS))
    differing = {c: int((a[c].to_numpy() != b[c].to_numpy()).sum()) for c in columns}
    risk_diff = float(np.max(np.abs(a.risk_ratio - b.risk_ratio) / np.maximum(np.abs(b.risk_ratio), 1e-12)))
    same = not any(differing.values()) and risk_diff < 1e-9
    detail = "" if same else f" rows differing {differing};"
    return same, f"{'identical' if same else 'DIFFERENT'}: {len(a):,} rows;{detail} max rel diff risk_ratio {risk_diff:.1e}"


def _compare(folder: Path, sides: list[str], repeat: int) -> dict[str, dict]:
    """Run every side `repeat` times, alternating the order each round; median time, highest peak."""
    runs = alternated(sides, repeat, lambda side: _run_side(side, folder))
    return {side: {"seconds": statistics.median(r["seconds"] for r in rs), "best": min(r["seconds"] for r in rs),
                   "peak_mb": max(r["peak_mb"] for r in rs), "out": rs[-1]["out"]} for side, rs in runs.items()}


def _print_comparison(results: dict[str, dict], repeat: int) -> bool:
    base = results["govex"]
    print(f"{'side':<12}{'median s':>10}{'best s':>9}{'peak MB':>9}{'x govex time':>14}{'x govex memory':>16}")
    for name, side in results.items():
        print(f"{name:<12}{side['seconds']:>10.2f}{side['best']:>9.2f}{side['peak_mb']:>9.0f}"
              f"{side['seconds'] / base['seconds']:>14.2f}{side['peak_mb'] / base['peak_mb']:>16.2f}")
    ok = True
    for name, side in results.items():
        if name != "govex":
            same, text = _agreement(base["out"], side["out"])
            ok &= same
            print(f"govex vs {name}: {text}")
    print(f"({repeat} runs per side, order alternated each round; {load()})")
    return ok


def _scaling(sizes: list[int], orders_per_customer: int, sides: list[str], repeat: int) -> None:
    table: dict[str, list[dict]] = {side: [] for side in sides}
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="govex-bench-seg-") as tmp:
            build_data(Path(tmp), customers=size, orders=size * orders_per_customer)
            results = _compare(Path(tmp), sides, repeat)
            for side in sides:
                table[side].append(results[side])
            same = all(_agreement(results["govex"]["out"], results[s]["out"])[0] for s in sides if s != "govex")
        done = ", ".join(f"{side} {table[side][-1]['seconds']:.2f} s {table[side][-1]['peak_mb']:.0f} MB" for side in sides)
        print(f"  {size:>10,} customers: {done} ({'all sides identical' if same else 'sides DIFFER'}; {load()})",
              flush=True)
    print_growth(sizes, table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--orders", type=int, default=10_000_000)
    parser.add_argument("--child", choices=tuple(SIDES))
    parser.add_argument("--folder", type=Path)
    parser.add_argument("--repeat", type=int, default=3, help="runs per side, order alternated; the median counts")
    parser.add_argument("--sides", default="govex,duckdb-sql,polars,pandas", help="comma-separated, govex first (default: govex and the three peers; "
                        "govex-spark on request)")
    parser.add_argument("--scale", default="", help="comma-separated customer counts for a scaling run instead "
                        "(10 orders each), e.g. 100000,1000000,3000000")
    parser.add_argument("--skip-clv", action="store_true", help="leave out part (b)")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(args.child, args.folder, args.folder / f"result_{args.child}.parquet")))
        return
    sides = chosen(args.sides, SIDES)
    if args.scale:
        sizes = [int(n) for n in args.scale.split(",")]
        print(f"scaling: {', '.join(sides)} at {', '.join(f'{n:,}' for n in sizes)} customers, 10 orders each")
        _scaling(sizes, 10, sides, args.repeat)
        return
    with tempfile.TemporaryDirectory(prefix="govex-bench-seg-") as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        build_data(folder, customers=args.customers, orders=args.orders)
        print(f"data: {args.customers:,} customers, {args.orders:,} orders ({time.perf_counter() - t0:.0f} s to build)")
        print("\n(a) RFM + lifecycle + risk features")
        ok = _print_comparison(_compare(folder, sides, args.repeat), args.repeat)
    if not ok:
        raise SystemExit("the sides disagree")
    if args.skip_clv:
        return
    clv_bench = Path(__file__).with_name("clv_vs_lifetimes.py")
    print("\n(b) CLV fit vs lifetimes")
    if not clv_bench.exists():
        raise SystemExit(f"{clv_bench.name} is missing: part (b) cannot run")
    subprocess.run([sys.executable, str(clv_bench)], check=True)


if __name__ == "__main__":
    main()
