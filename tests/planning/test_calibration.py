"""Erlang A calibration: planted patience and availability recovered from simulated calls, bad
input named, files written whole, and a back-test on the bank's 1999 call records."""
from __future__ import annotations

import heapq
import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from govex.cli.main import app
from govex.planning import PlanningInputError
from govex.planning.calibration import (
    ACTUALS_COLUMNS,
    Calibration,
    fit_calibration,
    predict,
    read_actuals,
    weighted_errors,
)

PATIENCE_S, AVAILABILITY, AHT_S, TARGET_S = 200.0, 0.75, 180.0, 20.0


def _simulate_interval(rng, servers: int, rate: float, warmup_s: float, window_s: float) -> dict:
    """First-come-first-served M/M/N+M by brute force, calls one by one (independent of the
    Erlang A formulas): a caller starts service when the earliest agent frees up, unless their
    exponential patience runs out first. Only callers arriving in the measured window count."""
    free = [0.0] * servers
    t, offered, abandoned, in_target, talk = 0.0, 0, 0, 0, []
    while True:
        t += rng.exponential(1 / rate)
        if t > warmup_s + window_s:
            break
        start = max(t, free[0])
        measured = t >= warmup_s
        if start - t > rng.exponential(PATIENCE_S):
            abandoned += measured
        else:
            service = rng.exponential(AHT_S)
            heapq.heapreplace(free, start + service)
            in_target += measured and start - t <= TARGET_S
            if measured:
                talk.append(service)
        offered += measured
    return {"calls": offered, "aht_s": float(np.mean(talk)), "abandoned": abandoned, "answered_in_target": in_target}


@pytest.fixture(scope="module")
def planted() -> pd.DataFrame:
    """48 intervals: 4, 8, 12 or 16 agents logged in, of whom 75 % are available (3, 6, 9, 12
    serving), loaded from 70 % to 120 % of the available capacity."""
    rng = np.random.default_rng(7)
    rows = []
    for i in range(48):
        logged = int(rng.choice([4, 8, 12, 16]))
        servers = round(AVAILABILITY * logged)
        rate = rng.uniform(0.7, 1.2) * servers / AHT_S
        row = _simulate_interval(rng, servers, rate, warmup_s=3600, window_s=3 * 3600)
        rows.append({"interval_start": f"2026-01-{1 + i // 12:02d} {8 + i % 12:02d}:00", "interval_s": 3 * 3600,
                     "agents": logged, **row})
    return pd.DataFrame(rows)[list(ACTUALS_COLUMNS)]


def test_planted_patience_and_availability_are_recovered(planted, tmp_path):
    path = tmp_path / "actuals.csv"
    planted.to_csv(path, index=False)
    cal = fit_calibration(read_actuals(path), answer_target_s=TARGET_S)
    assert cal.patience_s == pytest.approx(PATIENCE_S, rel=0.15)
    assert cal.availability == pytest.approx(AVAILABILITY, rel=0.05)
    assert cal.error_service_level < cal.uncalibrated_error_service_level
    assert cal.intervals == 48 and cal.calls == planted["calls"].sum()


def test_cli_calibrate_then_predict(planted, tmp_path):
    actuals, cal_path, out = tmp_path / "a.csv", tmp_path / "cal.json", tmp_path / "pred.csv"
    planted.to_csv(actuals, index=False)
    runner = CliRunner()
    r = runner.invoke(app, ["plan", "calibrate", "--actuals", str(actuals), "--answer-target-s", "20",
                            "--out", str(cal_path)])
    assert r.exit_code == 0, r.output
    stored = json.loads(cal_path.read_text())
    assert stored["availability"] == pytest.approx(AVAILABILITY, rel=0.05)
    r = runner.invoke(app, ["plan", "predict", "--actuals", str(actuals), "--calibration", str(cal_path),
                            "--answer-target-s", "20", "--out", str(out)])
    assert r.exit_code == 0, r.output
    pred = pd.read_csv(out)
    assert {"interval_start", "p_abandon", "service_level", "asa_s"} <= set(pred.columns)
    assert len(pred) == len(planted)
    # predictions follow the observed rates: much closer than the all-agents-available model
    fitted = weighted_errors(planted, pred["p_abandon"], pred["service_level"])
    plain = predict(read_actuals(actuals), Calibration(**{**stored, "availability": 1.0, "patience_s": PATIENCE_S}),
                    answer_target_s=20)
    assert fitted[1] < weighted_errors(planted, plain["p_abandon"], plain["service_level"])[1] / 2


def _write(tmp_path, frame: pd.DataFrame):
    path = tmp_path / "bad.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    "change,needle",
    [
        (lambda f: f.drop(columns="agents"), "missing column"),
        (lambda f: f.assign(calls=f["calls"].astype(object).where(f.index != 3, "many")), "row 5, column calls"),
        (lambda f: f.assign(abandoned=f["calls"] + 1), "row 2, column abandoned"),
        (lambda f: f.assign(interval_s=0), "column interval_s"),
        (lambda f: f.assign(agents=-1), "column agents"),
    ],
)
def test_bad_actuals_are_named_and_nothing_is_written(planted, tmp_path, change, needle):
    path = _write(tmp_path, change(planted.copy()))
    out = tmp_path / "cal.json"
    r = CliRunner().invoke(app, ["plan", "calibrate", "--actuals", str(path), "--out", str(out)])
    assert r.exit_code == 1
    with pytest.raises(PlanningInputError, match=needle):
        read_actuals(path)
    assert not out.exists() and list(tmp_path.iterdir()) == [path]


def test_missing_calibration_file_is_explained(planted, tmp_path):
    with pytest.raises(PlanningInputError, match="run `govex plan calibrate`"):
        Calibration.read(tmp_path / "none.json")


def test_interval_without_served_calls_is_predicted_with_the_mean_aht(planted, tmp_path):
    frame = planted.copy()
    frame.loc[0, "aht_s"] = np.nan
    actuals = read_actuals(_write(tmp_path, frame))
    assert actuals["filled_aht"].tolist()[:2] == [True, False]
    expected = np.average(planted["aht_s"][1:], weights=planted["calls"][1:])
    assert actuals.loc[0, "aht_s"] == pytest.approx(expected)


# ---------- the bank's 1999 records (../shared/data/callcenter) ----------


def test_backtest_on_bank_call_records_beats_uncalibrated_and_naive(shared_data):
    """Calibrate on January and February, predict October (hourly, all queues but internet),
    against Erlang A with the per-call patience estimate and all seen agents available, and
    against the calls-weighted abandonment and service level of the calibration months."""
    from govex.datasets.callcenter import hourly_actuals

    folder = shared_data / "callcenter"
    if not folder.is_dir():
        pytest.skip(f"{folder} not found")
    train = hourly_actuals(sorted(folder.glob("*_0[12]_*.txt.gz")))
    test = hourly_actuals(sorted(folder.glob("*_10_*.txt.gz")))
    for frame in (train, test):
        frame["filled_aht"] = frame["aht_s"].isna() & (frame["calls"] > 0)
        frame["aht_s"] = frame["aht_s"].fillna(np.average(frame["aht_s"].dropna(),
                                                          weights=frame["calls"][frame["aht_s"].notna()]))
    cal = fit_calibration(train, answer_target_s=20)
    pred = predict(test, cal, answer_target_s=20)
    ours = weighted_errors(test, pred["p_abandon"], pred["service_level"])
    # Jan+Feb exponential-MLE patience of queued callers is 355 s (README: 366.4 and 345.0 s)
    plain = predict(test, Calibration(355.0, 1.0, 20, 0, 0, 0, 0, 0, 0), answer_target_s=20)
    uncalibrated = weighted_errors(test, plain["p_abandon"], plain["service_level"])
    n = train["calls"].sum()
    naive = weighted_errors(test, np.full(len(test), train["abandoned"].sum() / n),
                            np.full(len(test), train["answered_in_target"].sum() / n))
    assert ours[1] < 0.7 * min(uncalibrated[1], naive[1])
    assert ours[0] < min(uncalibrated[0], naive[0])


def test_one_wild_interval_does_not_switch_off_a_count(planted, tmp_path):
    # An interval with 40 agents logged in but 30 % abandoning (a mis-keyed row) is predicted
    # at P(abandon) ~ 0. The absolute-error step keeps the planted values; the dispersion shown
    # (deviance-based; Pearson's chi-square would be ~1e13 here) stays readable.
    wild = planted.copy()
    wild.loc[0, ["agents", "calls", "abandoned", "answered_in_target"]] = [40, 200, 60, 140]
    wild.to_csv(tmp_path / "a.csv", index=False)
    cal = fit_calibration(read_actuals(tmp_path / "a.csv"), answer_target_s=TARGET_S)
    assert cal.dispersion_abandon < 100
    assert cal.patience_s == pytest.approx(PATIENCE_S, rel=0.25)
