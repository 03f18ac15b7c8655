"""`period="all"`: one cell per cut over the whole range, a ratio of totals, never a sum or mean of months.

The tiny marketplace is spread over two months here (o2, o5, k5 and sv3 move 31 days later into
February), so that the whole-range values differ from anything built out of the monthly cells.
"""
from __future__ import annotations

import json

import ibis
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from govex.cli.main import app
from govex.engine.warehouse import Warehouse
from govex.errors import ConfigError
from govex.metrics import compute_metrics, load_catalogue

from metrics.reference_pandas import WHOLE_RANGE_KEY, Reference

MOVED = {"orders": ("order_id", "ordered_at", {"o2", "o5"}), "contacts": ("contact_id", "created_at", {"k5"}),
         "surveys": ("survey_id", "responded_at", {"sv3"})}


@pytest.fixture(scope="module")
def two_months(tiny_frames) -> dict[str, pd.DataFrame]:
    frames = {name: frame.copy() for name, frame in tiny_frames.items()}
    for table, (key, time, ids) in MOVED.items():
        rows = frames[table][key].isin(ids)
        frames[table].loc[rows, time] = frames[table].loc[rows, time] + pd.Timedelta(days=31)
    return frames


@pytest.fixture(scope="module")
def two_months_wh(two_months) -> Warehouse:
    return Warehouse.from_frames(two_months)


def _values(cube: pd.DataFrame) -> dict[str, list[float]]:
    return {name: cells.sort_values("period_start")["value"].tolist() for name, cells in cube.groupby("metric")}


def test_whole_range_is_the_ratio_of_totals_not_a_sum_or_mean_of_months(two_months_wh):
    names = ["contact_rate", "active_customers", "csat"]
    monthly = _values(compute_metrics(two_months_wh, metrics=names, period="month"))
    # hand: contacts Jan k1-k4 / orders Jan o1 o3 o4 o6 = 4/4, Feb k5 / o2 o5 = 1/2;
    # buyers Jan c1-c4, Feb c1 c4; csat Jan sv1 sv2 sv5 (2+5+3)/3, Feb sv3 4
    assert monthly == {"contact_rate": [1.0, 0.5], "active_customers": [4.0, 2.0],
                       "csat": pytest.approx([10 / 3, 4.0])}
    whole = compute_metrics(two_months_wh, metrics=names, period="all")
    assert (whole["period"] == "all").all() and len(whole) == 3
    # hand: 5 contacts / 6 orders (mean of months 0.75); 4 distinct buyers (sum of months 6);
    # csat (2+5+3+4)/4 (mean of months 11/3)
    assert _values(whole) == {"contact_rate": [pytest.approx(5 / 6)], "active_customers": [4.0], "csat": [3.5]}
    # earliest row read: order o1 on 2024-01-02 (contacts start 01-07, surveys 01-06)
    assert set(whole["period_start"]) == {pd.Timestamp("2024-01-02")}


def test_whole_range_starts_on_the_first_day_given_and_stops_at_the_last(two_months_wh):
    cube = compute_metrics(two_months_wh, metrics=["contact_rate", "active_customers"], by=["market"], period="all",
                           start="2024-01-01", end="2024-01-31")
    assert set(cube["period_start"]) == {pd.Timestamp("2024-01-01")}
    got = cube.set_index(["metric", "market"])["value"].to_dict()
    # hand, January only: BR contacts k1 k2 k3 / orders o1 o3; MX k4 / o4 o6; buyers BR c1 c2, MX c3 c4
    assert got == {("active_customers", "BR"): 2.0, ("active_customers", "MX"): 2.0,
                   ("contact_rate", "BR"): 1.5, ("contact_rate", "MX"): 0.5}


def test_an_unknown_period_names_the_whole_range_choice(two_months_wh):
    with pytest.raises(ConfigError, match="all"):
        compute_metrics(two_months_wh, metrics=["orders"], period="year")


def test_cli_period_all(two_months, tmp_path):
    path = tmp_path / "two_months.duckdb"
    con = ibis.duckdb.connect(str(path))
    for name, frame in two_months.items():
        con.create_table(name, frame)
    con.disconnect()
    # hand: 5 contacts / 6 orders from the first order's day
    result = CliRunner().invoke(app, ["metrics", "compute", "-m", "contact_rate", "--period", "all", "--format", "json",
                                      "--db", str(path)])
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.stdout)
    assert (row["period"], row["period_start"], row["numerator"], row["denominator"]) == ("all", "2024-01-02", 5, 6)


def test_all_metrics_over_the_whole_range_by_market_match_pandas(synth, synth_wh):
    names = load_catalogue().names()
    cube = compute_metrics(synth_wh, metrics=names, by=["market"], period="all", partial=True)
    assert cube["period_start"].nunique() == 1
    reference = Reference(synth.tables)
    for name in names:
        ours = cube[cube["metric"] == name][["market", "value"]]
        theirs = reference.compute(name, ["market"], "all")
        assert set(theirs["period_start"]) <= {WHOLE_RANGE_KEY}, name
        merged = ours.merge(theirs[["market", "value"]], on="market", how="outer", suffixes=("_govex", "_pandas"),
                            indicator=True)
        unmatched = merged[merged["_merge"] != "both"]
        assert unmatched.empty, f"{name}: cells only on one side\n{unmatched.head()}"
        np.testing.assert_allclose(merged["value_govex"], merged["value_pandas"], rtol=1e-9, atol=1e-12, err_msg=name)

