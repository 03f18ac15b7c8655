"""Back-test of the calibrated Erlang A on the bank's 1999 call records (../shared/data/callcenter).

For each month held out, calibrate on the other two (hourly intervals, every queue but internet
support) and predict the held-out month's hourly abandonment and service level (answered within
20 s). Scored by the calls-weighted mean absolute error against observed, beside:
  * Erlang A uncalibrated: all agents seen are available, patience = exponential MLE from the
    per-call records of the calibration months (total queue time / abandonments, README);
  * Erlang C with the agents seen (no abandonment);
  * naive: the calibration months' overall abandonment and service level for every hour;
  * naive by hour of day: their calls-weighted rates per clock hour.

    .venv/bin/python bench/calibration.py
"""
from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pandas as pd

from govex.datasets.callcenter import hourly_actuals, read_calls
from govex.planning.calibration import fit_calibration, predict_intervals, weighted_errors
from govex.planning.erlang import erlang_c

# ../shared/data beside the project, or $GOVEX_SHARED_DATA (as in the tests)
DATA = Path(os.environ.get("GOVEX_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")) / "callcenter"
MONTHS = {"Jan": "*_01_*.txt.gz", "Feb": "*_02_*.txt.gz", "Oct": "*_10_*.txt.gz"}
TARGET_S = 20.0


def _with_mean_aht(frame: pd.DataFrame) -> pd.DataFrame:
    known = frame["aht_s"].notna()
    frame = frame.assign(filled_aht=~known)
    frame.loc[~known, "aht_s"] = np.average(frame.loc[known, "aht_s"], weights=frame.loc[known, "calls"])
    return frame


def _patience_mle(paths: list[Path]) -> float:
    calls = pd.concat([read_calls(p) for p in paths])
    queued = calls[calls["queued"] & (calls["type"] != "IN")]
    return float(queued["q_time"].sum() / (queued["outcome"] == "HANG").sum())


def main() -> None:
    files = {m: sorted(DATA.glob(g)) for m, g in MONTHS.items()}
    actuals = {m: _with_mean_aht(hourly_actuals(f, answer_target_s=TARGET_S)) for m, f in files.items()}
    print(f"{'held out':<9}{'model':<30}{'abandon MAE':>12}{'SL MAE':>9}   fitted")
    for month in MONTHS:
        train_months = [m for m in MONTHS if m != month]
        train = pd.concat([actuals[m] for m in train_months], ignore_index=True)
        test = actuals[month]
        start = time.perf_counter()
        cal = fit_calibration(train, answer_target_s=TARGET_S)
        fit_s = time.perf_counter() - start
        rows = {}
        ours = predict_intervals(test, patience_s=cal.patience_s, availability=cal.availability,
                                 answer_target_s=TARGET_S)
        rows["Erlang A calibrated"] = weighted_errors(test, ours["p_abandon"], ours["service_level"])
        patience = _patience_mle([p for m in train_months for p in files[m]])
        plain = predict_intervals(test, patience_s=patience, availability=1.0, answer_target_s=TARGET_S)
        rows[f"Erlang A uncalibrated ({patience:.0f} s)"] = weighted_errors(test, plain["p_abandon"],
                                                                              plain["service_level"])
        c = erlang_c(calls=test["calls"], interval_s=test["interval_s"], handle_time_s=test["aht_s"],
                     agents=test["agents"], answer_s=TARGET_S)
        rows["Erlang C"] = weighted_errors(test, c.p_abandon, c.service_level)
        n = train["calls"].sum()
        rows["naive: other months"] = weighted_errors(test, np.full(len(test), train["abandoned"].sum() / n),
                                                      np.full(len(test), train["answered_in_target"].sum() / n))
        hour = pd.to_datetime(train["interval_start"]).dt.hour
        by_hour = train.groupby(hour)[["calls", "abandoned", "answered_in_target"]].sum()
        test_hour = pd.to_datetime(test["interval_start"]).dt.hour
        overall = by_hour.sum()
        rate = lambda col: test_hour.map(by_hour[col] / by_hour["calls"]).fillna(overall[col] / overall["calls"])  # noqa: E731
        rows["naive: other months by hour"] = weighted_errors(test, rate("abandoned"), rate("answered_in_target"))
        for i, (name, (ab, sl)) in enumerate(rows.items()):
            fitted = (f"patience {cal.patience_s:.0f} s, availability {cal.availability:.3f}, fit {fit_s:.1f} s"
                      if i == 0 else "")
            print(f"{month if i == 0 else '':<9}{name:<30}{ab:>12.4f}{sl:>9.4f}   {fitted}")
        base_ab = min(v[0] for k, v in rows.items() if k.startswith(("Erlang A unc", "naive: other months")))
        base_sl = min(v[1] for k, v in rows.items() if k.startswith(("Erlang A unc", "naive: other months")))
        ab, sl = rows["Erlang A calibrated"]
        print(f"{'':<9}{'ratio to best of unc. A / naive':<30}{ab / base_ab:>12.2f}{sl / base_sl:>9.2f}")


if __name__ == "__main__":
    main()
