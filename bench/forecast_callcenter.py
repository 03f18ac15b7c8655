"""Benchmark: hourly forecasts on real call-centre history with gaps, against weekly seasonal naive.

Data: the "Anonymous Bank" call records (../shared/data/callcenter: January, February and
October 1999, two January days missing), read through the worked example
docs/examples/callcenter.govex.yaml, human-handled calls (not ended in the VRU) per hour.
Each case holds out some days and trains on the days before them (within the months loaded):

* the ten first cases: October 18-31 and 25-31, trained on October only and on January +
  February + October (a 7-month gap), and February 22-28 trained on January + February (two
  missing January days, an unusual Sunday 21:00 on 14 February), for all calls and type PS;
* extra holdouts: other weeks of January, February and October (with and without the earlier
  months loaded) and the call types NW and NE (the small types TT, IN and PE, a few calls an
  hour, with `--series TT,IN,PE`); the method's rules were measured on these too;
* fresh holdouts, added after the last rule change and used only to check it: 16 more weeks
  (and 4-day month ends) of all three months, for every series.

Pairs of cases that differ only by earlier months loaded are compared at the end: loading more
history should never make a forecast worse.

Per case: WAPE of govex's chosen model (`auto`), of seasonal naive (govex's and statsforecast's
`SeasonalNaive`, equal unless the last training week holds an imputed day, which the peer sees
as zeros), of each profile model, and of statsforecast `MSTL` fitted on the hours as they
come from a group-by with the gap filled by zeros (what the plain peer does with this history);
`--fixed` adds every fixed model. Ratios are 1 - WAPE / naive WAPE
(positive = better than naive).

Run: python bench/forecast_callcenter.py [--series total,PS,NW,NE] [--first-only] [--no-fresh] [--fixed]
"""
from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import yaml

from govex.planning.forecast import LIGHT_MODELS, MODELS, forecast_series, wape

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("GOVEX_SHARED_DATA", ROOT.parent / "shared" / "data"))
EXAMPLE = ROOT / "docs" / "examples" / "callcenter.govex.yaml"


def hourly_calls(data: Path = DATA) -> pd.DataFrame:
    """Human-handled calls per queue and hour, by the example config's SQL (NaN-free, sparse)."""
    sql = yaml.safe_load(EXAMPLE.read_text())["tables"]["contacts"]["sql"]
    sql = sql.replace("../shared/data", str(data))
    calls = duckdb.sql(f"select queue, created_at from ({sql}) where not automated").df()
    calls["period_start"] = calls["created_at"].dt.floor("h")
    return calls.groupby(["queue", "period_start"]).size().rename("contacts").reset_index()


def series(hourly: pd.DataFrame, queue: str, months: tuple[int, ...], last: str) -> pd.Series:
    """One queue's (or the total's) hours from the first day of the first month to `last`: zero in
    hours without a call on days with data, NaN on days without any record (the gap)."""
    rows = hourly if queue == "total" else hourly[hourly["queue"] == queue]
    rows = rows[rows["period_start"].dt.month.isin(months)]
    first = pd.Timestamp(1999, months[0], 1)
    index = pd.date_range(first, pd.Timestamp(last) + pd.Timedelta(hours=23), freq="h")
    y = rows.groupby("period_start")["contacts"].sum().reindex(index).fillna(0.0)
    recorded = set(hourly.loc[hourly["period_start"].dt.month.isin(months), "period_start"].dt.normalize())
    y[~y.index.normalize().isin(list(recorded))] = np.nan
    return y


def statsforecast_peers(y: pd.Series, holdout_days: int) -> tuple[np.ndarray, np.ndarray]:
    """statsforecast SeasonalNaive and MSTL on the zero-filled hours (the plain peer's input)."""
    from statsforecast.models import MSTL, AutoETS, SeasonalNaive

    train = y.to_numpy()[:-holdout_days * 24]
    filled = np.nan_to_num(train)
    naive = SeasonalNaive(season_length=168).fit(filled).predict(holdout_days * 24)["mean"]
    mstl = MSTL(season_length=[24, 168], trend_forecaster=AutoETS(model="ZZN")).fit(filled)
    return naive, np.maximum(mstl.predict(holdout_days * 24)["mean"], 0.0)


MONTH = {1: "Jan", 2: "Feb", 10: "Oct"}
LIGHT = [m for m in LIGHT_MODELS if m != "seasonal_naive"]  # scored beside auto in every case
# (months loaded, last training day, holdout days): the ten first cases (x total, PS) ...
FIRST = [((10,), "1999-10-17", 14), ((1, 2, 10), "1999-10-17", 14), ((10,), "1999-10-24", 7),
         ((1, 2, 10), "1999-10-24", 7), ((1, 2), "1999-02-21", 7)]
# ... other holdouts the rules were measured on
EXTRA = [((10,), "1999-10-10", 7), ((10,), "1999-10-17", 7), ((1, 2, 10), "1999-10-17", 7), ((10,), "1999-10-20", 7),
         ((10,), "1999-10-14", 14), ((2,), "1999-02-14", 7), ((1, 2), "1999-02-14", 7), ((1, 2), "1999-02-14", 14),
         ((2,), "1999-02-21", 7), ((1, 2), "1999-02-07", 7), ((1, 2), "1999-02-10", 7), ((1,), "1999-01-17", 7),
         ((1,), "1999-01-24", 7), ((1,), "1999-01-17", 14)]
# ... and fresh holdouts, only for checking
FRESH = [((10,), "1999-10-12", 7), ((10,), "1999-10-15", 7), ((10,), "1999-10-22", 7), ((1, 2, 10), "1999-10-12", 7),
         ((10,), "1999-10-27", 4), ((1, 2, 10), "1999-10-20", 7), ((1,), "1999-01-14", 7), ((1,), "1999-01-21", 7),
         ((1,), "1999-01-27", 4), ((2,), "1999-02-17", 7), ((1, 2), "1999-02-17", 7), ((1, 2), "1999-02-03", 7),
         ((1, 2), "1999-02-24", 4), ((2,), "1999-02-24", 4), ((1, 2), "1999-02-12", 14), ((2,), "1999-02-12", 14)]


def describe(months, last: str, holdout_days: int) -> tuple[str, str]:
    """'trained on' and 'holdout' labels, e.g. ('Jan + Feb + Oct 1-17', 'Oct 18-31')."""
    end = pd.Timestamp(last)
    held = f"{MONTH[end.month]} {end.day + 1}-{end.day + holdout_days}"
    loaded = " + ".join(MONTH[m] for m in months if m != end.month)
    return (f"{loaded} + " if loaded else "") + f"{MONTH[end.month]} 1-{end.day}", held


def run_case(hourly, queue: str, months, last: str, holdout_days: int, fixed: bool) -> dict:
    end = pd.Timestamp(last) + pd.Timedelta(days=holdout_days)
    y = series(hourly, queue, months, f"{end:%Y-%m-%d}")
    start = y.index[0]
    trained, held = describe(months, last, holdout_days)
    t0 = time.perf_counter()
    auto = forecast_series(y.to_numpy(), slots=24, first_weekday=start.dayofweek, horizon_days=holdout_days,
                           holdout_days=holdout_days, start=start, what=f"{queue} {trained}")
    seconds = time.perf_counter() - t0
    others = [m for m in MODELS if m != "seasonal_naive"] if fixed else LIGHT
    models = {m: forecast_series(y.to_numpy(), slots=24, first_weekday=start.dayofweek, horizon_days=1,
                                 holdout_days=holdout_days, model=m).wape for m in others}
    actual = y.to_numpy()[-holdout_days * 24:]
    sf_naive, sf_mstl = statsforecast_peers(y, holdout_days)
    return {"series": queue, "case": (months, last, holdout_days), "trained on": trained, "holdout": held,
            "model": auto.model, "backtest": f"{auto.backtest_wape:.3f}/{auto.baseline_backtest_wape:.3f}",
            "naive": auto.baseline_wape, "sf_naive": wape(actual, sf_naive), "auto": auto.wape, **models,
            "sf_mstl_zeros": wape(actual, sf_mstl), "auto_s": seconds, "findings": auto.findings}


def more_history(table: pd.DataFrame) -> None:
    """Cases that differ only by earlier months loaded: is auto's holdout WAPE ever worse with more?"""
    rows = table.to_dict("records")
    pairs, worse = 0, []
    for fewer in rows:
        for more in rows:
            (m1, last1, h1), (m2, last2, h2) = fewer["case"], more["case"]
            if fewer["series"] == more["series"] and (last1, h1) == (last2, h2) and set(m1) < set(m2):
                pairs += 1
                if more["auto"] > fewer["auto"] + 1e-9:
                    worse.append(f"{more['series']} {more['trained on']} | {more['holdout']}: {more['auto']:.3f} "
                                 f"against {fewer['auto']:.3f} with {fewer['trained on']}")
    print(f"loading earlier months: {pairs} pairs, worse with more history in {len(worse)}" +
          "".join(f"\n  {w}" for w in worse))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", default="total,PS,NW,NE", help="queues (call types) to forecast, or total")
    parser.add_argument("--first-only", action="store_true", help="only the ten first cases (total and PS)")
    parser.add_argument("--no-fresh", action="store_true", help="leave out the fresh holdouts")
    parser.add_argument("--fixed", action="store_true", help="also score every fixed model")
    args = parser.parse_args()
    if not (DATA / "callcenter").is_dir():
        raise SystemExit(f"call-centre data not found under {DATA}; set GOVEX_SHARED_DATA")
    hourly = hourly_calls()
    rows = []
    groups = {"first ten": FIRST, "extra": [] if args.first_only else EXTRA,
              "fresh": [] if args.first_only or args.no_fresh else FRESH}
    for queue in args.series.split(","):
        for group, cases in groups.items():
            if group == "first ten" and queue not in ("total", "PS"):
                continue
            for months, last, holdout in cases:
                rows.append(run_case(hourly, queue, months, last, holdout, args.fixed) | {"group": group})
    table = pd.DataFrame(rows)
    shown = table.drop(columns=["findings", "group", "case"])
    models = [m for m in MODELS if m != "seasonal_naive"] if args.fixed else LIGHT
    for col in ["auto", *models, "sf_mstl_zeros"]:
        shown[f"{col} vs naive"] = (1 - table[col] / table["naive"]).map("{:+.1%}".format)
    pd.set_option("display.width", 250)
    print("WAPE on the holdout (lower is better); 'vs naive' = 1 - WAPE / seasonal-naive WAPE; back-test = chosen "
          "model's WAPE / naive's on the same windows")
    print(shown[["series", "trained on", "holdout", "model", "backtest", "naive", "sf_naive", "auto", "auto vs naive",
                 *[c for m in models for c in (m, f"{m} vs naive")], "sf_mstl_zeros", "sf_mstl_zeros vs naive",
                 "auto_s"]].round(3).to_string(index=False))
    gain = 1 - table["auto"] / table["naive"]
    for label in (*groups, "all"):
        g = gain[table["group"] == label] if label != "all" else gain
        if len(g):
            print(f"{label} cases: {len(g)}; auto >= 10% better than naive in {(g >= 0.1).sum()}, better in "
                  f"{(g > 0).sum()}, worse in {(g < 0).sum()}; median {g.median():+.1%}, worst {g.min():+.1%}")
    more_history(table)
    print("\nwhat the history check said:")
    for r in table.to_dict("records"):
        for finding in r["findings"]:
            print(f"  {r['series']} {r['trained on']} | {r['holdout']}: {finding}")


if __name__ == "__main__":
    main()
