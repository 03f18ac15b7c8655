"""Real call-centre history (../shared/data/callcenter, read by the documented example config):
the load matches the data's README, a 7-month gap is found and not filled, and loading it
never changes the October forecast."""
from __future__ import annotations

import os
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
import yaml

from govex.planning.forecast import BASELINE, forecast_series

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(os.environ.get("GOVEX_SHARED_DATA", ROOT.parent / "shared" / "data"))
pytestmark = pytest.mark.skipif(not (DATA / "callcenter").is_dir(), reason="../shared/data/callcenter is not present")


@pytest.fixture(scope="module")
def calls() -> pd.DataFrame:
    sql = yaml.safe_load((ROOT / "docs" / "examples" / "callcenter.govex.yaml").read_text())["tables"]["contacts"]["sql"]
    return duckdb.sql(sql.replace("../shared/data", str(DATA))).df()


def hourly(calls: pd.DataFrame, months: tuple[int, ...], last_day: str) -> tuple[np.ndarray, pd.Timestamp]:
    human = calls[~calls["automated"] & calls["created_at"].dt.month.isin(months)]
    counts = human.groupby(human["created_at"].dt.floor("h")).size()
    first = counts.index.min().normalize()
    index = pd.date_range(first, pd.Timestamp(last_day) + pd.Timedelta(hours=23), freq="h")
    y = counts.reindex(index).fillna(0.0)
    y[~y.index.normalize().isin(list(set(counts.index.normalize())))] = np.nan  # days without data
    return y.to_numpy(), first


def test_example_config_loads_what_the_readme_counts(calls):
    # README: rows 31,599 + 33,344 + 34,625, PHANTOM 240 + 278 + 147, AGENT 27,060 + 27,162 + 30,861
    assert len(calls) == 31_599 + 33_344 + 34_625 - (240 + 278 + 147)
    assert calls["handle_time_s"].notna().sum() == 27_060 + 27_162 + 30_861
    assert calls["contact_id"].is_unique
    assert calls["created_at"].dt.month.value_counts().sort_index().tolist() == [31_599 - 240, 33_344 - 278,
                                                                                   34_625 - 147]


def test_more_history_with_a_gap_never_changes_the_october_forecast(calls):
    october, start_oct = hourly(calls, (10,), "1999-10-31")
    everything, start_all = hourly(calls, (1, 2, 10), "1999-10-31")
    a = forecast_series(october, slots=24, first_weekday=start_oct.dayofweek, horizon_days=7, holdout_days=7,
                        start=start_oct)
    b = forecast_series(everything, slots=24, first_weekday=start_all.dayofweek, horizon_days=7, holdout_days=7,
                        start=start_all)
    assert any("gap of 214 days with no data (Mon 1999-03-01 to Thu 1999-09-30)" in f for f in b.findings)
    assert (a.model, a.wape, a.baseline_wape) == (b.model, b.wape, b.baseline_wape)
    np.testing.assert_allclose(a.forecast, b.forecast)
    # the figure in docs/planning.md: the chosen model beats weekly seasonal naive on Oct 25-31
    assert a.model != BASELINE and a.backtest_wape < a.baseline_backtest_wape
    assert a.wape < 0.9 * a.baseline_wape
