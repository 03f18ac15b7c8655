"""Benchmark: seller features and the four shipped seller frameworks, govex (Ibis on DuckDB) vs idiomatic pandas.

The issue's measure: for 100k sellers / 10M orders (plus disputes, returns, surveys, enforcement
actions and education on the same Parquet files), govex's `assign_seller_frameworks` (every
seller feature, then seller_lifecycle, seller_performance, seller_risk and seller_value with
scores and reasons) against the same definitions written in idiomatic pandas. Goal: govex at
least 10x faster with at most a third of pandas' peak memory. Each side runs in its own child
process, so peak memory is the child's own VmHWM; the sides alternate order over `--repeat`
rounds and the median time counts, so load from other processes falls on both alike; the CPU
seconds (all threads) are printed beside it, the steadier figure on a busy machine. Every
seller's segment, score and reasons must agree.

The data is drawn with numpy (not the synthetic marketplace, which simulates far more than these
features read), with the shapes the features care about: heavy-tailed orders per seller, three
seller types with their fulfilment (shipped, voucher, appointment), shared payout accounts,
a few instant redemptions, and sellers onboarded after the as-of date (out of scope).

Usage: python bench/seller_features.py [--sellers 100000] [--orders 10000000] [--repeat 3]
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
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

AS_OF = dt.date(2025, 12, 31)
START = dt.date(2024, 1, 1)
LADDER = ("warning", "listing_removal", "payout_hold", "suspension", "termination")
TYPES = np.array(["shop_seller", "local_merchant", "service_provider"])
FULFILMENT = np.array(["shipped", "voucher", "appointment"])  # by seller type
OUTCOMES = np.array(["redeemed", "refused_by_merchant", "no_show", "expired"])
STATUSES = np.array(["delivered", "cancelled", "shipped", "unavailable"])
LOW_RATING = 2
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
def run_govex(folder: Path, out: Path) -> None:
    import ibis

    from govex.engine.warehouse import Warehouse
    from govex.segments.seller import assign_seller_frameworks, load_seller_frameworks

    con = ibis.duckdb.connect()
    for name in TABLES:
        con.read_parquet(folder / f"{name}.parquet", table_name=name)
    assignments = assign_seller_frameworks(Warehouse(con), load_seller_frameworks(), as_of=AS_OF)
    rows = ibis.union(*[a.table.select("entity_id", "framework", "segment", "score", "reasons") for a in assignments])
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
    purchase = ~o.status.isin(["cancelled", "unavailable"])
    shipped = (o.fulfilment_type == "shipped") & o.delivered_at.notna() & o.promised_date.notna()
    decided = o.fulfilment_type.isin(["voucher", "appointment"]) & o.fulfilment_outcome.notna()
    flags = pd.DataFrame({
        "seller_id": o.seller_id, "n_orders": 1, "n_seller_cancelled": ~purchase,
        "gmv_cents": np.round(o.amount * 100).astype("int64").where(purchase, 0),
        "recent_orders": age < 90, "prior_orders": (age >= 90) & (age < 180),
        "n_shipped_delivered": shipped,
        "n_late_shipments": shipped & (o.delivered_at.dt.normalize() > pd.to_datetime(o.promised_date)),
        "n_redeemable": decided, "n_redeemed": decided & (o.fulfilment_outcome == "redeemed"),
        "n_refused": decided & (o.fulfilment_outcome == "refused_by_merchant"),
        "n_no_show": decided & (o.fulfilment_outcome == "no_show"), "n_expired": decided & (o.fulfilment_outcome == "expired"),
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
    e["recent"] = (as_of - e.violation_at.dt.normalize()).dt.days < 90
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
    positive = np.take_along_axis(c.to_numpy(), order, axis=1) > 1e-12  # govex.segments.risk.REASON_FLOOR: rounding
    reasons = pd.Series([";".join(n[p]) or None for n, p in zip(names, positive)], index=f.index)
    return (score / baseline if baseline > 0 else score * 0.0), reasons


def run_pandas(folder: Path, out: Path) -> None:
    f = _pandas_features(folder, pd.Timestamp(AS_OF))
    ten, rec, trend = f.tenure_days, f.recency_days, f.order_trend
    life = {"onboarding": (ten < 30, "tenure_days < 30"),
            "dormant": ((ten >= 30) & (rec >= 90), "tenure_days >= 30;recency_days >= 90"),
            "ramping": ((ten >= 30) & (ten < 180) & (rec < 90), "tenure_days >= 30, < 180;recency_days < 90"),
            "established": ((ten >= 180) & (rec < 90) & (trend >= 0.5), "tenure_days >= 180;recency_days < 90;order_trend >= 0.5"),
            "declining": ((ten >= 180) & (rec < 90) & (trend < 0.5), "tenure_days >= 180;recency_days < 90;order_trend < 0.5")}
    value = {"high": (f.gmv_percentile >= 0.8, "gmv_percentile >= 0.8"),
             "medium": ((f.gmv_percentile >= 0.5) & (f.gmv_percentile < 0.8), "gmv_percentile >= 0.5, < 0.8"),
             "low": (f.gmv_percentile < 0.5, "gmv_percentile < 0.5")}
    perf, perf_reasons = _pandas_risk(f, SIGNALS["seller_performance"])
    risk, risk_reasons = _pandas_risk(f, SIGNALS["seller_risk"])
    linked = f.linked_sellers >= 1
    frames = []
    for name, segment, score, reasons in (
        ("seller_lifecycle", np.select([c for c, _ in life.values()], list(life), None), rec, None),
        ("seller_performance", np.select([perf >= 1.5, perf >= 1.2], ["below_standard", "at_risk"], "meets_standard"),
         perf, perf_reasons),
        ("seller_risk", np.select([linked & (risk >= 2), ~linked & (risk >= 4), linked, risk >= 1.5],
                                  ["high", "high", "elevated", "elevated"], "normal"), risk, risk_reasons),
        ("seller_value", np.select([c for c, _ in value.values()], list(value), None), f.gmv, None),
    ):
        rules = life if name == "seller_lifecycle" else value
        frame = pd.DataFrame({"entity_id": f.index, "framework": name, "segment": segment,
                              "score": score.astype(float).to_numpy()})
        frame["reasons"] = reasons.to_numpy() if reasons is not None else frame.segment.map(
            {segment: text for segment, (_, text) in rules.items()})
        frames.append(frame)
    pd.concat(frames, ignore_index=True).to_parquet(out)


# ---------------------------------------------------------------- harness
def _peak_mb() -> float:
    """This process's own peak resident memory (VmHWM: unlike ru_maxrss, not inherited from the parent)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise SystemExit("no VmHWM in /proc/self/status: this benchmark measures memory on Linux only")


SIDES = {"govex": run_govex, "pandas": run_pandas}


def _run_side(side: str, folder: Path) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--child", side, "--folder", str(folder)],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{side} side failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _check_signals() -> None:
    from govex.segments.seller import load_seller_frameworks

    for fw in load_seller_frameworks(names=tuple(SIGNALS)):
        shipped = {s.name: (s.events, s.exposure, s.weight) for s in fw.spec.risk.signals}
        spec = fw.spec.risk
        if shipped != SIGNALS[fw.name] or (spec.min_exposure_for_prior, spec.min_prior_strength, spec.max_reasons) != (
                MIN_EXPOSURE, MIN_STRENGTH, MAX_REASONS):
            raise SystemExit(f"SIGNALS in this bench no longer match the shipped {fw.name} framework; update it")


def _agreement(folder: Path) -> str:
    key = ["framework", "entity_id"]
    a = pd.read_parquet(folder / "result_govex.parquet").sort_values(key).reset_index(drop=True)
    b = pd.read_parquet(folder / "result_pandas.parquet").sort_values(key).reset_index(drop=True)
    if len(a) != len(b) or not (a[key].to_numpy() == b[key].to_numpy()).all():
        raise SystemExit(f"the sides assign different sellers ({len(a):,} vs {len(b):,} rows)")
    differing = {c: int((a[c].fillna("") != b[c].fillna("")).sum()) for c in ("segment", "reasons")}
    score_diff = float(np.max(np.abs(a.score - b.score) / np.maximum(np.abs(b.score), 1e-12)))
    if any(differing.values()) or score_diff > 1e-9:
        odd = (a.segment.fillna("") != b.segment.fillna("")) | (a.reasons.fillna("") != b.reasons.fillna(""))
        shown = a[odd].head(5).assign(pandas_segment=b.segment[odd], pandas_reasons=b.reasons[odd]).to_string()
        return f"DISAGREE: rows differing {differing}, max rel diff of scores {score_diff:.1e}; e.g.\n{shown}"
    return f"identical: {len(a):,} rows (segment, reasons; max rel diff of scores {score_diff:.1e})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sellers", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs per side, order alternated; the median counts")
    parser.add_argument("--child", choices=tuple(SIDES))
    parser.add_argument("--folder", type=Path)
    args = parser.parse_args()
    if args.child:
        started = time.perf_counter()
        if args.child == "govex":  # module imports are not the work measured (pandas and numpy are imported above)
            import ibis

            import govex.segments.seller  # noqa: F401
            ibis.duckdb  # noqa: B018 - Ibis imports a backend's modules on first use
        imports = time.perf_counter() - started
        started, cpu = time.perf_counter(), time.process_time()
        SIDES[args.child](args.folder, args.folder / f"result_{args.child}.parquet")
        print(json.dumps({"seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu,
                          "peak_mb": _peak_mb(), "imports": imports}))
        return
    _check_signals()
    with tempfile.TemporaryDirectory(prefix="govex-bench-sellers-") as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        build_data(folder, sellers=args.sellers, orders=args.orders)
        print(f"data: {args.sellers:,} sellers, {args.orders:,} orders ({time.perf_counter() - t0:.0f} s to build)")
        runs: dict[str, list[dict]] = {side: [] for side in SIDES}
        for round_ in range(args.repeat):
            for side in (list(SIDES) if round_ % 2 == 0 else list(SIDES)[::-1]):
                runs[side].append(_run_side(side, folder))
        agreement = _agreement(folder)  # read before the folder goes; printed after the figures
    seconds = {side: statistics.median(r["seconds"] for r in rs) for side, rs in runs.items()}
    peak = {side: max(r["peak_mb"] for r in rs) for side, rs in runs.items()}
    print(f"{'side':<8}{'median s':>10}{'best s':>9}{'cpu s':>8}{'peak MB':>9}{'imports s':>11}")
    for side, rs in runs.items():
        print(f"{side:<8}{seconds[side]:>10.2f}{min(r['seconds'] for r in rs):>9.2f}"
              f"{statistics.median(r['cpu'] for r in rs):>8.2f}{peak[side]:>9.0f}"
              f"{statistics.median(r['imports'] for r in rs):>11.2f}")
    print(f"pandas / govex: time x{seconds['pandas'] / seconds['govex']:.1f} (goal >= 10), "
          f"govex / pandas peak memory {peak['govex'] / peak['pandas']:.2f} (goal <= 0.33)")
    print(f"govex vs pandas: {agreement}")
    print(f"({args.repeat} runs per side, order alternated each round; load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())})")
    if agreement.startswith("DISAGREE"):
        raise SystemExit("the sides disagree")


if __name__ == "__main__":
    main()
