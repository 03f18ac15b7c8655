"""`govex recovery` end to end on a small synthetic warehouse file: the JSON carries the effects as
the library computes them, the advice by segment, CSAT after recovery on the candidates who answered
a survey, and a missing table is a clear error."""
from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from analysis.market_file import write_market_file
from govex.cli.main import app
from govex.datasets import generate
from govex.errors import ConfigError


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    market = generate(customers=3_000, seed=5)
    return write_market_file(market, tmp_path_factory.mktemp("recovery") / "govex.duckdb"), market


def test_json_holds_the_effects_and_the_advice(database):
    path, market = database
    result = CliRunner().invoke(app, ["recovery", "--db", str(path), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    comp = payload["compensation"]
    planted = next(e for e in market.ground_truth["events"] if e["type"] == "compensation_effect")
    assert comp["units"] == planted["candidates"] and comp["treated"] == planted["compensated"]
    assert comp["naive_difference"] == pytest.approx(planted["naive_difference"], abs=1e-4)
    assert comp["ci_low"] < comp["estimate"] < comp["ci_high"] and comp["level"] == 0.9
    advice = payload["recommendation"]
    assert [row["segment"] for row in advice] == [row["segment"] for row in comp["by_segment"]]
    for row in advice:  # expected value is the effect times the value of a returning customer
        if row["effect"] is not None and row["value_per_return"] is not None:
            assert row["expected_value"] == pytest.approx(row["effect"] * row["value_per_return"])
    assert payload["onboarding_help"]["outcome"].startswith("contacts per order")
    csat = payload["csat_after_recovery"]
    assert csat["outcome"] == "CSAT of the next survey within 30 days"
    assert csat["units"] + csat["trimmed"] == _answered_after_failure(market.tables, window_days=30)
    assert csat["ci_low"] < csat["estimate"] < csat["ci_high"] and csat["treated"] < csat["units"]


def _answered_after_failure(tables, *, window_days: int) -> int:
    """Candidates (each customer's first late delivery with a full window) who gave a CSAT within the window, in pandas."""
    orders = tables["orders"]
    end = pd.Timestamp(orders.ordered_at.max().date() + pd.Timedelta(days=1))
    window = pd.Timedelta(days=window_days)
    late = orders[orders.delivered_at.notna() & (orders.delivered_at.dt.date > orders.promised_date)]
    first = late.sort_values(["ordered_at", "order_id"]).groupby("customer_id").head(1)
    first = first[first.delivered_at + window <= end][["customer_id", "delivered_at"]]
    surveys = tables["surveys"]
    answers = first.merge(surveys[surveys.csat.notna()][["customer_id", "responded_at"]], on="customer_id")
    inside = (answers.responded_at > answers.delivered_at) & (answers.responded_at <= answers.delivered_at + window)
    return answers[inside].customer_id.nunique()


def test_text_prints_csat_after_recovery(database):
    path, _ = database
    result = CliRunner().invoke(app, ["recovery", "--db", str(path)])
    assert result.exit_code == 0, result.output
    assert "compensation after a failure: effect on CSAT of the next survey within 30 days" in result.output


def test_a_warehouse_without_compensations_is_a_clear_error(tmp_path, database):
    _, market = database
    older = tuple(name for name in market.tables if name not in ("customers", "orders"))
    path = write_market_file(market, tmp_path / "old.duckdb", leave_out=older)
    result = CliRunner().invoke(app, ["recovery", "--db", str(path)])
    assert result.exit_code != 0
    assert isinstance(result.exception, ConfigError)  # the entry point prints it as one line, no traceback
    assert "needs the compensations table" in str(result.exception)


def test_without_surveys_csat_is_not_measured_and_the_rest_is(tmp_path, database):
    _, market = database
    path = write_market_file(market, tmp_path / "no_surveys.duckdb", leave_out=("surveys",))
    result = CliRunner().invoke(app, ["recovery", "--db", str(path), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["csat_after_recovery"] == {"not_measured": "no surveys table"}
    planted = next(e for e in market.ground_truth["events"] if e["type"] == "compensation_effect")
    assert payload["compensation"]["units"] == planted["candidates"]
