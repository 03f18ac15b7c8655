"""Seasonal robust anomaly scores, against hand-built series."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from govex.analysis.anomalies import alerts, detect_anomalies, expected_cube, seasonal_baseline


def test_seasonal_baseline_is_the_median_of_the_same_weekday():
    # weekly pattern 10..16 repeated; the baseline of day 28 is the median of days 21, 14, 7, 0 = 10
    values = np.tile(np.arange(10.0, 17.0), 5)
    values[14] = 99.0  # one past outlier does not move a median of four
    base = seasonal_baseline(values, season_length=7, n_seasons=4)
    assert base[28] == 10.0
    assert np.isnan(base[:7]).all()


def test_spike_alerts_only_with_enough_volume():
    rng = np.random.default_rng(1)
    days = pd.date_range("2024-01-01", periods=70, freq="D")
    weekly = np.tile([100, 110, 120, 115, 105, 60, 50], 10).astype(float)
    value = weekly + rng.normal(0, 2, 70)
    value[63] += 40  # planted spike on a Monday
    volume = np.full(70, 1000.0)
    series = pd.DataFrame({"period_start": days, "value": value, "orders": volume, "metric": "m"})
    scored = detect_anomalies(series, value="value", volume="orders", by=["metric"], min_volume=500)
    hits = alerts(scored)
    assert list(hits["period_start"]) == [days[63]]
    low = detect_anomalies(series.assign(orders=100.0), value="value", volume="orders", min_volume=500)
    assert not low["is_alert"].any()


def test_expected_cube_feeds_rca():
    history = pd.DataFrame({
        "day": np.repeat(pd.date_range("2024-01-01", periods=3, freq="D"), 2),
        "market": ["A", "B"] * 3,
        "orders": [10.0, 20.0, 12.0, 22.0, 30.0, 21.0],
    })
    cube = expected_cube(history, time="day", dims=["market"], measures=["orders"], at=pd.Timestamp("2024-01-03"),
                         season_length=1, n_seasons=2)
    # hand: A expected median(10, 12) = 11, actual 30; B expected median(20, 22) = 21, actual 21
    assert cube.set_index("market")["orders_expected"].to_dict() == {"A": 11.0, "B": 21.0}
    assert cube.set_index("market")["orders"].to_dict() == {"A": 30.0, "B": 21.0}


def test_expected_value_choices_name_their_periods():
    from govex.analysis.anomalies import expected_value
    from govex.errors import ConfigError

    assert expected_value("previous", period="month").lags == (1,)
    # a year back: 12 months, 52 weeks, 364 days (same weekday)
    assert expected_value("last-year", period="month").lags == (12,)
    assert expected_value("last-year", period="day").lags == (364,)
    weekly = expected_value("forecast", period="day", periods=3, season_length=7)
    assert weekly.lags == (7, 14, 21) and (weekly.season_length, weekly.n_seasons) == (7, 3)
    assert "3 previous seasons of 7 days" in weekly.description
    with pytest.raises(ConfigError, match="use previous, last-year, forecast"):
        expected_value("yesterday", period="day")
