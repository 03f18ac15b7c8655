"""`govex clv fit` on small files written by the test."""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from govex.cli.main import app
from govex.errors import GovexError
from govex.models import (
    BetaGeo,
    GammaGamma,
    ParameterAtBoundWarning,
    ParetoNBD,
    simulate_bgnbd,
    simulate_gamma_gamma,
)


@pytest.fixture(scope="module")
def summary_csv(tmp_path_factory):
    data = simulate_bgnbd(n_customers=600, r=0.4, alpha=3.0, a=0.8, b=2.5, T=np.full(600, 30.0), seed=1)
    frame = pd.DataFrame(data).round(4)
    frame["monetary_value"] = simulate_gamma_gamma(frequency=frame["frequency"], p=5.0, q=4.0, v=20.0, seed=2).round(2)
    frame.loc[(frame["frequency"] > 0) & (frame["monetary_value"] <= 0), "monetary_value"] = 0.01
    path = tmp_path_factory.mktemp("clv") / "summary.csv"
    frame.to_csv(path, index=False)
    return path, frame


def test_json_equals_library_fits(summary_csv):
    path, frame = summary_csv
    result = CliRunner().invoke(app, ["clv", "fit", "--summary", str(path), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    # The command must report exactly what the library fits on the same columns.
    expected = {
        "bgnbd": BetaGeo().fit(frame["frequency"], frame["recency"], frame["T"]),
        "pareto_nbd": ParetoNBD().fit(frame["frequency"], frame["recency"], frame["T"]),
        "gamma_gamma": GammaGamma().fit(frame["frequency"], frame["monetary_value"]),
    }
    assert list(payload) == list(expected)
    for key, model in expected.items():
        assert payload[key] == pytest.approx({**model.params_, "loglik": model.loglik_}, rel=1e-9)


def test_without_spend_column_gamma_gamma_is_left_out(tmp_path, summary_csv):
    _, frame = summary_csv
    path = tmp_path / "no_spend.csv"
    frame.drop(columns="monetary_value").to_csv(path, index=False)
    result = CliRunner().invoke(app, ["clv", "fit", "--summary", str(path)])
    assert result.exit_code == 0, result.output
    assert "Gamma-Gamma not fitted" in result.stdout and "BG/NBD" in result.stdout


def test_transactions_route(tmp_path):
    log = pd.DataFrame({
        "cust": ["a", "a", "a", "b", "b", "c", "d", "d"],
        "when": ["2024-01-01", "2024-01-15", "2024-02-20", "2024-01-03", "2024-01-04", "2024-01-10",
                 "2024-01-02", "2024-03-01"],
        "value": [10, 12, 14, 5, 6, 20, 8, 9],
    })
    path = tmp_path / "log.csv"
    log.to_csv(path, index=False)
    # Four customers cannot identify four parameters: the bound warning is part of the answer.
    with pytest.warns(ParameterAtBoundWarning):
        result = CliRunner().invoke(app, ["clv", "fit", "--transactions", str(path), "--customer-col", "cust",
                                          "--date-col", "when", "--amount-col", "value", "--calibration-end",
                                          "2024-03-31", "--time-unit", "day", "--json"])
    assert result.exit_code == 0, result.output
    assert set(json.loads(result.stdout)) == {"bgnbd", "pareto_nbd", "gamma_gamma"}


@pytest.mark.parametrize(
    "arguments, message",
    [
        ([], "exactly one of --transactions FILE or --summary FILE"),
        (["--summary", "missing.csv"], "file not found: missing.csv"),
        (["--summary", "{path}", "--frequency-col", "x"], "no column 'x' (set with --frequency-col)"),
        (["--summary", "{path}", "--spend-col", "zbar"], "no spend column 'zbar'"),
    ],
)
def test_bad_arguments_raise_a_govex_error(summary_csv, arguments, message):
    path, _ = summary_csv
    result = CliRunner().invoke(app, ["clv", "fit", *[a.format(path=path) for a in arguments]])
    assert isinstance(result.exception, GovexError)
    assert message in str(result.exception)


def test_error_exits_1_without_traceback(tmp_path):
    path = tmp_path / "bad.csv"
    pd.DataFrame({"frequency": [1, 2], "recency": [5.0, 9.0], "T": [4.0, 10.0]}).to_csv(path, index=False)
    completed = subprocess.run([sys.executable, "-m", "govex", "clv", "fit", "--summary", str(path)],
                               capture_output=True, text=True, timeout=120)
    assert completed.returncode == 1
    assert "`recency` must be <= T" in completed.stderr and "Traceback" not in completed.stderr
