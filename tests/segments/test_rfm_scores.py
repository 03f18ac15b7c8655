"""RFM quantile scores against an independent pandas rank, on data full of ties."""
from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
import pytest

from govex.segments.rfm import RFM_INPUTS, add_rfm_scores
from govex.segments.spec import RFMSpec


def _pandas_scores(frame: pd.DataFrame, n_bins: int) -> pd.DataFrame:
    # score = 1 + floor(n_bins * (min-rank - 1) / N); recency ranked descending (recent is better)
    n = len(frame)
    out = {}
    for score, column in RFM_INPUTS.items():
        rank = frame[column].rank(method="min", ascending=score != "r_score").astype("int64") - 1
        out[score] = (rank * n_bins // n + 1).to_numpy()
    return pd.DataFrame(out, index=frame.customer_id)


@pytest.mark.parametrize("n_bins", [3, 5])
def test_quantile_scores_equal_pandas_min_rank_on_ties(n_bins):
    rng = np.random.default_rng(7)
    n = 2_003
    frame = pd.DataFrame({
        "customer_id": [f"c{i}" for i in range(n)],
        "recency_days": rng.integers(0, 40, n),          # ~50 customers per value
        "n_purchases": rng.choice([1, 1, 1, 2, 2, 3, 9], n),  # most customers tie at 1
        "monetary": np.round(rng.choice([10.0, 12.5, 99.99], n) * rng.integers(1, 4, n), 2),
    })
    table = add_rfm_scores(ibis.memtable(frame), RFMSpec(n_bins=n_bins))
    got = table.execute().set_index("customer_id")
    expected = _pandas_scores(frame, n_bins)
    assert len(got) == n
    for score in RFM_INPUTS:
        assert (got[score].loc[expected.index].to_numpy() == expected[score].to_numpy()).all(), score
    assert (got.rfm_score == got.r_score + got.f_score + got.m_score).all()
    # equal values share a score, and the scores use the whole 1..n_bins range
    assert got.groupby("n_purchases").f_score.nunique().max() == 1
    assert got.r_score.min() == 1 and got.r_score.max() == n_bins


def test_one_customer_scores_lowest_bin_and_row_order_does_not_matter():
    frame = pd.DataFrame({"customer_id": ["a", "b", "c", "d"], "recency_days": [5, 5, 1, 9],
                          "n_purchases": [2, 2, 2, 2], "monetary": [1.0, 2.0, 3.0, 4.0]})
    forward = add_rfm_scores(ibis.memtable(frame), RFMSpec(n_bins=4)).execute().set_index("customer_id").sort_index()
    backward = add_rfm_scores(ibis.memtable(frame.iloc[::-1]), RFMSpec(n_bins=4)).execute().set_index("customer_id")
    pd.testing.assert_frame_equal(forward, backward.sort_index()[forward.columns])
    # by hand: recency descending 9 (rank 0), 5, 5 (rank 1), 1 (rank 3) -> 1 + 4*rank//4
    assert forward.r_score.to_dict() == {"a": 2, "b": 2, "c": 4, "d": 1}
    assert set(forward.f_score) == {1}  # everyone ties
    assert forward.m_score.to_dict() == {"a": 1, "b": 2, "c": 3, "d": 4}
    single = add_rfm_scores(ibis.memtable(frame.head(1)), RFMSpec(n_bins=5)).execute()
    assert single[["r_score", "f_score", "m_score"]].iloc[0].tolist() == [1, 1, 1]
