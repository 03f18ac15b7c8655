"""`govex explain cube` and `govex experiment read` on files, JSON contract and error messages."""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from govex.cli.main import app


def _cube(tmp_path):
    index = pd.MultiIndex.from_product([["BR", "MX", "US"], ["x", "y", "z"], ["web", "app"]],
                                       names=["market", "carrier", "platform"])
    cube = index.to_frame(index=False)
    cube["orders_base"] = 1000
    cube["orders"] = 1000
    cube["late_base"] = 50
    cube["late"] = np.where((cube["market"] == "BR") & (cube["carrier"] == "x"), 200, 50)
    path = tmp_path / "cube.csv"
    cube.to_csv(path, index=False)
    return path


def test_explain_cube_json_contract(tmp_path):
    path = _cube(tmp_path)
    result = CliRunner().invoke(app, ["explain", "cube", "--data", str(path), "--dims", "market,carrier,platform",
                                      "--actual", "late", "--expected", "late_base", "--actual-den", "orders",
                                      "--expected-den", "orders_base", "--max-causes", "3", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    # planted: BR & x went from 5 % to 20 % late on both platforms; the whole change is there
    assert payload["root_causes"][0]["dims"] == {"market": "BR", "carrier": "x"}
    assert set(payload["root_causes"][0]) >= {"dims", "score", "explained_share"}
    assert abs(payload["root_causes"][0]["explained_share"] - 1.0) < 1e-9
    # the whole movement, upwards, found in every noise redraw; its two cells went from 5 % to 20 %
    cause = payload["root_causes"][0]
    assert payload["localised"] is True and abs(cause["share"] - 1.0) < 1e-9 and cause["direction"] == "up"
    assert cause["stability"] == 1.0 and payload["weak_causes"] == []
    assert [(c["actual"], c["expected"]) for c in cause["cells"]] == [(0.2, 0.05), (0.2, 0.05)]


def test_explain_cube_unknown_dimension_is_a_clear_error(tmp_path):
    path = _cube(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "govex", "explain", "cube", "--data", str(path), "--dims",
                           "market,vendor", "--actual", "late", "--expected", "late_base", "--json"],
                          capture_output=True, text=True)
    assert proc.returncode == 1
    assert "unknown dimension column 'vendor'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_experiment_read_json(tmp_path):
    rng = np.random.default_rng(0)
    n = 4000
    arm = np.where(rng.uniform(size=n) < 0.5, "control", "treatment")
    pre = rng.normal(5, 1, n)
    frame = pd.DataFrame({"arm": arm, "pre": pre, "spend": pre + 0.3 * (arm == "treatment") + rng.normal(0, 0.5, n),
                          "market": np.where(rng.uniform(size=n) < 0.5, "BR", "MX"),
                          "dispute": (rng.uniform(size=n) < 0.02).astype(int)})
    path = tmp_path / "exp.csv"
    frame.to_csv(path, index=False)
    result = CliRunner().invoke(app, ["experiment", "read", "--data", str(path), "--arm", "arm", "--metric", "spend",
                                      "--pre", "pre", "--segment", "market", "--guardrail", "dispute", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    overall = payload["effects"][0]
    assert overall["segment"] == "all"
    # planted effect 0.3; CUPED interval must cover it
    assert overall["ci_low"] < 0.3 < overall["ci_high"]
    assert payload["srm_ok"] is True


def test_explain_metric_against_a_duckdb_file(tmp_path):
    import ibis

    from govex.datasets.synth import generate
    from govex.engine.warehouse import Warehouse

    market = generate(customers=6000, seed=1, months=9)
    db = tmp_path / "govex.duckdb"
    con = ibis.duckdb.connect(str(db))
    Warehouse.from_frames(market.tables, con=con)
    con.disconnect()
    event = market.event("late_delivery_spike")  # planted: carrier, window
    start, end = pd.Timestamp(event["start"]), pd.Timestamp(event["end_exclusive"])
    spike_month = (start + (end - start) / 2).strftime("%Y-%m-15")
    before = (start - pd.DateOffset(months=2)).strftime("%Y-%m-01")
    result = CliRunner().invoke(app, ["explain", "metric", "late_delivery_rate", "--from", before, "--to", spike_month,
                                      "--by", "market,carrier", "--period", "month", "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["root_causes"][0]["dims"].get("carrier") == event["carrier"]
    assert payload["after"] == (start + (end - start) / 2).strftime("%Y-%m-01")
    assert payload["expected_from"] == f"month of {before}"
    # a forecast from the two previous months: both pooled as the baseline, and said so
    result = CliRunner().invoke(app, ["explain", "metric", "late_delivery_rate", "--to", spike_month, "--expected",
                                      "forecast", "--periods", "2", "--by", "market,carrier", "--period", "month",
                                      "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    spike = pd.Timestamp(spike_month).to_period("M")
    assert payload["baseline"] == [str((spike - k).start_time.date()) for k in (2, 1)]
    assert payload["expected_from"] == "forecast from the 2 previous months"
    proc = subprocess.run([sys.executable, "-m", "govex", "explain", "metric", "late_delivery_rate", "--to", spike_month,
                           "--from", before, "--expected", "last-year", "--by", "market", "--db", str(db)],
                          capture_output=True, text=True)
    assert proc.returncode == 1 and "--from names the baseline of --expected previous" in proc.stderr
    # an unknown metric and a reversed window are named, without a traceback
    proc = subprocess.run([sys.executable, "-m", "govex", "explain", "metric", "late_rate", "--from", before, "--to",
                           spike_month, "--by", "market", "--db", str(db)], capture_output=True, text=True)
    assert proc.returncode == 1 and "unknown metric 'late_rate'" in proc.stderr and "Traceback" not in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "govex", "explain", "metric", "late_delivery_rate", "--from",
                           spike_month, "--to", before, "--by", "market", "--db", str(db)], capture_output=True, text=True)
    assert proc.returncode == 1 and "earlier month" in proc.stderr
