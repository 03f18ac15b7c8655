"""Interval formulas against published values and independent computations."""
from __future__ import annotations

import numpy as np
import pytest

from govex.metrics import stats


def test_wilson_matches_newcombe_1998():
    # Newcombe (1998), Stat Med 17:857-872, Table I, example 81/263: Wilson interval 0.2553 to 0.3662
    low, high = stats.wilson(np.array([81]), np.array([263]), 1.959964)
    assert low[0] == pytest.approx(0.2553, abs=1e-4) and high[0] == pytest.approx(0.3662, abs=1e-4)


@pytest.mark.parametrize("count, low, high", [(0, 0.0, 3.689), (5, 1.6235, 11.6683), (10, 4.7954, 18.3904)])
def test_garwood_matches_published_table(count, low, high):
    # exact Poisson 95% limits as tabulated e.g. in Ulm (1990), Am J Epidemiol 131(2):373-375
    got_low, got_high = stats.poisson_exact(np.array([count]), 0.95)
    assert got_low[0] == pytest.approx(low, abs=1e-3) and got_high[0] == pytest.approx(high, abs=1e-3)


def test_paired_delta_equals_linearisation():
    # Deng et al. (2018): Var(sum x / sum y) ~= var(x - R y) / (n ybar^2), computed here directly on rows
    rng = np.random.default_rng(1)
    x, y = rng.poisson(3, 500).astype(float), rng.poisson(10, 500).astype(float) + 1
    ratio = x.sum() / y.sum()
    expected = np.sqrt(np.var(x - ratio * y) / (len(x) * y.mean() ** 2))
    got = stats.ratio_se_paired(len(x), x.sum(), y.sum(), (x * x).sum(), (y * y).sum(), (x * y).sum())
    assert got == pytest.approx(expected, rel=1e-10)


def test_mean_se_is_sample_sd_over_root_n():
    values = np.array([2.0, 5.0, 3.0])
    assert stats.mean_se(3, values.sum(), (values**2).sum()) == pytest.approx(values.std(ddof=1) / np.sqrt(3))


def test_shrinkage_pulls_noisy_cells_more():
    # cells 0.1 (se 0.01) and 0.5 (se 0.2) around others: the noisy one moves more towards the centre
    values, se = np.array([0.1, 0.5, 0.2, 0.15, 0.12]), np.array([0.01, 0.2, 0.02, 0.02, 0.02])
    out = stats.shrink_normal(values, se)
    assert abs(out[1] - values[1]) > 10 * abs(out[0] - values[0])
    assert out[1] < values[1]


def test_shrunk_cells_lie_between_raw_value_and_pooled_rate(synth_wh):
    from govex.metrics import compute_metrics

    cube = compute_metrics(synth_wh, metrics=["late_delivery_rate"], by=["market", "carrier"], period="month",
                           start="2025-01-01", end="2025-03-31", shrink=True)
    for _, cells in cube.groupby("period_start"):
        # with binomial se at the pooled rate the precision weights are the cell sizes: prior mean = pooled rate
        pooled = cells["numerator"].sum() / cells["denominator"].sum()
        low = np.minimum(cells["value"], pooled) - 1e-12
        high = np.maximum(cells["value"], pooled) + 1e-12
        assert ((cells["value_shrunk"] >= low) & (cells["value_shrunk"] <= high)).all()
        # the share of the way to the prior, se^2 / (se^2 + tau^2), is largest for the smallest cell
        moved = (cells["value"] - cells["value_shrunk"]) / (cells["value"] - pooled)
        small, large = cells["denominator"].idxmin(), cells["denominator"].idxmax()
        assert moved[small] >= moved[large]


def test_intervals_match_scipy_stats_quantiles():
    # the peer library's chi-square and normal quantiles: Garwood's limits are chi2_q(2k)/2 and chi2_q(2k+2)/2
    from scipy import stats as sps

    counts = np.array([0, 1, 2, 7, 40, 1234, 10**6], dtype=float)
    for confidence in (0.8, 0.95, 0.99):
        alpha = 1 - confidence
        low, high = stats.poisson_exact(counts, confidence)
        expected_low = np.where(counts > 0, sps.chi2.ppf(alpha / 2, np.maximum(2 * counts, 1)) / 2, 0.0)
        np.testing.assert_allclose(low, expected_low, rtol=1e-10)
        np.testing.assert_allclose(high, sps.chi2.ppf(1 - alpha / 2, 2 * counts + 2) / 2, rtol=1e-10)
        assert stats.z_value(confidence) == pytest.approx(sps.norm.ppf(1 - alpha / 2), rel=1e-12)


def test_wilson_limits_at_zero_and_all_successes_are_exact():
    """At p = 0 the lower limit is exactly 0 and at p = 1 the upper limit exactly 1 (no -1e-17)."""
    low, high = stats.wilson(np.array([0.0, 42.0]), np.array([42.0, 42.0]), 1.959964)
    assert low[0] == 0.0 and high[1] == 1.0
    assert 0 < high[0] < 0.1 and 0.9 < low[1] < 1
