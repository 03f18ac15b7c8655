"""Benchmark: hourly forecasts on real call-centre history with gaps, against weekly seasonal naive.

Data: the "Anonymous Bank" call records (../shared/data/callcenter: January, February and
October 1999, two January days missing), read through the worked example
docs/examples/callcenter.govex.yaml, human-handled calls (not ended in the VRU) per hour.
Each case holds out the last days of a month and trains on what comes before:

* October holdout, trained on October only, and on January + February + October (a 7-month gap);
* February holdout, trained on January + February (two missing January days, an unusual
  Sunday 21:00 on 14 February).

Per case: WAPE of govex's chosen model (`auto`) and of each fixed model, of seasonal naive
(govex's and statsforecast's `SeasonalNaive`, which must agree), and of statsforecast `MSTL` fitted
on the hours as they come from a group-by with the gap filled by zeros (what the plain
peer does with this history). Ratios are 1 - WAPE / naive WAPE (positive = better than naive).

Run: python bench/forecast_callcenter.py [--series total,PS] [--holdouts 14,7]
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

from govex.planning.forecast import MODELS, forecast_series, wape

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


def series(hourly: pd.DataFrame, queue: str, first: str, last: str, months: tuple[int, ...]) -> np.ndarray:
    """One queue's (or the total's) hours from `first` to `last` days: zero in hours without a
    call on days with data, NaN on days without any record (the gap)."""
    rows = hourly if queue == "total" else hourly[hourly["queue"] == queue]
    rows = rows[rows["period_start"].dt.month.isin(months)]
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


def run_case(hourly, queue: str, name: str, first: str, last: str, months, holdout_days: int) -> dict:
    y = series(hourly, queue, first, last, months)
    start = y.index[0]
    t0 = time.perf_counter()
    auto = forecast_series(y.to_numpy(), slots=24, first_weekday=start.dayofweek, horizon_days=holdout_days,
                           holdout_days=holdout_days, start=start, what=f"{queue} {name}")
    seconds = time.perf_counter() - t0
    fixed = {m: forecast_series(y.to_numpy(), slots=24, first_weekday=start.dayofweek, horizon_days=1,
                                holdout_days=holdout_days, model=m).wape for m in MODELS if m != "seasonal_naive"}
    actual = y.to_numpy()[-holdout_days * 24:]
    sf_naive, sf_mstl = statsforecast_peers(y, holdout_days)
    return {"series": queue, "case": name, "holdout": f"{holdout_days} d", "model": auto.model,
            "naive": auto.baseline_wape, "sf_naive": wape(actual, sf_naive), "auto": auto.wape,
            **fixed, "sf_mstl_zeros": wape(actual, sf_mstl), "auto_s": seconds, "findings": auto.findings}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", default="total,PS", help="queues (call types) to forecast, or total")
    parser.add_argument("--holdouts", default="14,7", help="October holdout lengths in days")
    args = parser.parse_args()
    if not (DATA / "callcenter").is_dir():
        raise SystemExit(f"call-centre data not found under {DATA}; set GOVEX_SHARED_DATA")
    hourly = hourly_calls()
    rows = []
    for queue in args.series.split(","):
        for holdout in (int(h) for h in args.holdouts.split(",")):
            rows.append(run_case(hourly, queue, "Oct only", "1999-10-01", "1999-10-31", (10,), holdout))
            rows.append(run_case(hourly, queue, "Jan+Feb+Oct", "1999-01-01", "1999-10-31", (1, 2, 10), holdout))
        rows.append(run_case(hourly, queue, "Feb holdout, Jan+Feb", "1999-01-01", "1999-02-28", (1, 2), 7))
    table = pd.DataFrame(rows)
    shown = table.drop(columns="findings")
    for col in ["auto", *[m for m in MODELS if m != "seasonal_naive"], "sf_mstl_zeros"]:
        shown[f"{col} vs naive"] = (1 - table[col] / table["naive"]).map("{:+.1%}".format)
    pd.set_option("display.width", 250)
    print("WAPE on the holdout (lower is better); 'vs naive' = 1 - WAPE / seasonal-naive WAPE")
    print(shown[["series", "case", "holdout", "model", "naive", "sf_naive", "auto", "auto vs naive",
                 *[m for m in MODELS if m != "seasonal_naive"], "sf_mstl_zeros", "sf_mstl_zeros vs naive",
                 "auto_s"]].round(3).to_string(index=False))
    print("\nwhat the history check said:")
    for r in table.itertuples():
        for finding in r.findings:
            print(f"  {r.series} {r.case} ({r.holdout}): {finding}")


if __name__ == "__main__":
    main()
