"""The guard on richer models in `auto`: a one-sided Diebold-Mariano test (HAC variance,
Harvey-Leybourne-Newbold correction) on the per-origin back-test losses, checked by hand and
against the paired t-test it reduces to; a planted monthly cycle is found and taken, a monthly
cycle that won a back-test on noise is not, and nothing that lost to the baseline is taken."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from govex.planning.forecast import BASELINE, Backtest, _choose, _diebold_mariano, forecast_series

WEEKLY = np.array([1.25, 1.15, 1.05, 1.0, 0.95, 0.7, 0.9])  # Monday..Sunday


def days(n: int, level: float, seed: int, cycle: float = 0.0) -> np.ndarray:
    """Poisson days around a weekly pattern, times 1 + cycle x sin(2 pi t / 28) (a 4-week cycle)."""
    t = np.arange(n)
    return np.random.default_rng(seed).poisson(
        level * WEEKLY[t % 7] * (1 + cycle * np.sin(2 * np.pi * t / 28))).astype(float)


def test_diebold_mariano_by_hand():
    # d = richer - simpler at T = 8 origins, mean -2, deviations -2 1 -1 0 2 -1 1 0:
    # autocovariances (sums / 8) lag 0: 12/8, lag 1: -6/8, lag 2: 2/8
    d = np.array([-4.0, -1, -3, -2, 0, -3, -1, -2])
    zero = np.zeros(8)
    # windows of 3 days: lags 0-2, variance 1.5 + 2 (-0.75 + 0.25) = 0.5, DM = -2 / sqrt(0.5 / 8) = -8,
    # HLN factor sqrt((8 + 1 - 6 + 6/8) / 8)
    stat = -8 * np.sqrt(3.75 / 8)
    assert _diebold_mariano(d, zero, 3) == pytest.approx(stats.t.cdf(stat, 7))
    # windows of 2 days: 1.5 + 2 (-0.75) = 0 is no variance; lag 0 alone (h = 1), factor sqrt(7/8)
    stat = -2 / np.sqrt(1.5 / 8) * np.sqrt(7 / 8)
    assert _diebold_mariano(d, zero, 2) == pytest.approx(stats.t.cdf(stat, 7))


def test_diebold_mariano_with_one_day_windows_is_the_paired_t_test():
    rng = np.random.default_rng(1)
    richer, simpler = rng.gamma(5, 10, 20), rng.gamma(5, 11, 20)
    expected = stats.ttest_rel(richer, simpler, alternative="less").pvalue
    assert _diebold_mariano(richer, simpler, 1) == pytest.approx(expected)


def trial(profile, monthly, naive: float) -> Backtest:
    """A back-test of 10 origins with 100 contacts each from per-origin absolute errors."""
    losses = {BASELINE: np.full(10, naive), "profile": np.asarray(profile, float),
              "profile_monthly": np.asarray(monthly, float)}
    wape = {m: v.sum() / 1000 for m, v in losses.items()}
    return Backtest(wape, dict.fromkeys(wape, wape[BASELINE]), {}, {}, losses, 7)


def test_a_richer_model_needs_more_than_noise_and_a_win_over_the_baseline():
    profile = np.array([20.0, 25, 18, 30, 22, 27, 19, 24, 26, 21])
    # lower at every origin by 5 +- 1: taken
    steady = profile - 5 + np.array([1, -1, 0, 1, -1, 0, 1, -1, 0, 0])
    assert _choose(trial(profile, steady, naive=30)) == "profile_monthly"
    # lower on the whole (pooled WAPE 0.220 against 0.232) but by chance: the profile stays
    noisy = profile + np.array([-12, 9, -10, 8, -11, 10, -9, 7, -8, 4])
    assert trial(profile, noisy, naive=30).wape["profile_monthly"] < trial(profile, noisy, naive=30).wape["profile"]
    assert _choose(trial(profile, noisy, naive=30)) == "profile"
    # beats the profile beyond noise, but both lost to the baseline: the baseline
    assert _choose(trial(profile, steady, naive=15)) == BASELINE


@pytest.mark.parametrize("seed", range(4))
def test_a_planted_monthly_cycle_is_taken_and_beats_the_others(seed):
    # 300 contacts a day swinging +-15 % over four weeks: the profile carries last week's level
    # into a week that moves, the monthly cycle carries the move seen four weeks earlier
    y = days(84, 300, seed, cycle=0.15)
    r = forecast_series(y, horizon_days=7, holdout_days=14)
    assert r.model == "profile_monthly"
    profile = forecast_series(y, horizon_days=7, holdout_days=14, model="profile")
    assert r.wape < 0.6 * min(profile.wape, r.baseline_wape)
    # the next week (days 84-90): at least twice as close to the planted volume as the profile's
    assert r.forecast_model == "profile_monthly"
    t = np.arange(84, 91)
    planted = (300 * WEEKLY[t % 7] * (1 + 0.15 * np.sin(2 * np.pi * t / 28))).sum()
    assert abs(r.forecast.sum() - planted) < 0.5 * abs(profile.forecast.sum() - planted)


@pytest.mark.parametrize("seed", [30, 36, 46, 47])
def test_a_monthly_cycle_that_won_the_back_test_on_noise_is_not_taken(seed):
    # no cycle planted (120 contacts a day); in these draws the monthly cycle has the lowest
    # back-test WAPE of all, by chance
    r = forecast_series(days(84, 120, seed), horizon_days=7, holdout_days=14)
    others = {m: w for m, w in r.backtest.items() if m != "profile_monthly"}
    assert r.backtest["profile_monthly"] < min(others.values())
    assert r.model == "profile"
