"""The seller academy's effect on violations: the planted effect inside the adjusted 90% interval and
the naive difference outside it, on three seeds; the units recomputed in pandas; the CLI's JSON."""
from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from analysis.market_file import write_market_file
from govex.cli.main import app
from govex.datasets import generate

SEEDS = (1, 2, 3)  # 800 sellers each: violations are rare (about 0.4 a seller-year), fewer sellers cannot tell


def _event(market) -> dict:
    return next(e for e in market.ground_truth["events"] if e["type"] == "education_effect")


@pytest.fixture(scope="module")
def markets():
    from govex.engine import Warehouse

    return [(m, Warehouse.from_frames(m.tables)) for m in (generate(customers=40_000, seed=s) for s in SEEDS)]


def test_planted_effect_inside_the_interval_and_naive_difference_outside(markets):
    from govex.analysis.seller_education import seller_education_effect

    for market, warehouse in markets:
        event = _event(market)
        result = seller_education_effect(warehouse)  # default window: the one the generator planted
        effect = result.effect
        assert len(result.units) == event["units"] and result.units.treated.sum() == event["enrolled"]
        assert effect.ci_low <= event["effect"] <= effect.ci_high, (market.ground_truth["generator"], effect)
        assert effect.naive < effect.ci_low  # the enrolled had fewer violations to begin with
        assert effect.balanced


def test_units_match_a_pandas_count(markets):
    """Treated, baseline violations and violations per seller-year after the window, from the raw tables."""
    from govex.analysis.seller_education import seller_education_effect

    market, warehouse = markets[0]
    window = _event(market)["enrolment_window"]
    opens, closes = pd.Timestamp(window["start"]), pd.Timestamp(window["end_exclusive"])
    t = market.tables
    end = t["orders"].ordered_at.max().normalize() + pd.Timedelta(days=1)
    first = t["education"].groupby("seller_id").enrolled_at.min()
    sellers = t["sellers"].seller_id
    enrolled = sellers.map(first)
    units = sellers[enrolled.isna() | ((enrolled >= opens) & (enrolled < closes))]
    actions = t["enforcement_actions"]
    after = actions[(actions.violation_at >= closes) & (actions.violation_at < end)].seller_id.value_counts()
    before = actions[actions.violation_at < opens].seller_id.value_counts()
    expected = pd.DataFrame({"seller_id": units.values,
                             "treated": units.map(first).notna().astype(int).values,
                             "n_violations": units.map(before).fillna(0).astype(int).values,
                             "violations_per_year": units.map(after).fillna(0).values * 365 / (end - closes).days})
    got = seller_education_effect(warehouse).units
    pd.testing.assert_frame_equal(got[list(expected.columns)].sort_values("seller_id").reset_index(drop=True),
                                  expected.sort_values("seller_id").reset_index(drop=True), check_dtype=False)


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    market = generate(customers=5_000, seed=2)
    return write_market_file(market, tmp_path_factory.mktemp("academy") / "govex.duckdb"), market


def test_cli_json_and_a_window_that_cannot_be(database):
    path, market = database
    result = CliRunner().invoke(app, ["sellers", "education", "--db", str(path), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    event = _event(market)
    assert payload["units"] + payload["trimmed"] == event["units"]
    assert payload["outcome"].startswith("violations per seller-year") and payload["level"] == 0.9
    assert payload["ci_low"] < payload["estimate"] < payload["ci_high"]
    bad = CliRunner().invoke(app, ["sellers", "education", "--db", str(path), "--opens", "2025-06-01",
                                   "--closes", "2025-01-01"])
    assert bad.exit_code != 0 and "enrolment window [2025-06-01, 2025-01-01)" in str(bad.exception)
