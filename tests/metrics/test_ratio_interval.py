"""Ratio intervals: a rare event's rate never gets a negative lower limit.

Hand calculation: 2 disputes over 1,000 orders (each side a count, so Var X = 2 and Var Y = 1,000 under
the compound-Poisson model). R = 0.002, relative SE = sqrt(1/2 + 1/1000) = 0.70781, and at 95%
(z = 1.959964) the log-scale limits are 0.002 exp(-/+ 1.38728) = 0.0004995 and 0.0080080, where the
symmetric interval would be 0.002 -/+ 0.0027746 = -0.000775 .. 0.004775.
"""
import numpy as np
import pytest

from govex.metrics import stats


def test_rare_rate_interval_is_on_the_log_scale_and_positive():
    se = stats.ratio_se_independent(np.array([2.0]), np.array([1000.0]), np.array([2.0]), np.array([1000.0]))
    low, high, on_log = stats.ratio_interval(np.array([0.002]), se, 1.959964)
    assert on_log[0]
    assert low[0] == pytest.approx(0.002 * np.exp(-1.959964 * np.sqrt(0.5 + 0.001)), rel=1e-9)
    assert low[0] == pytest.approx(0.0004995, rel=1e-3) and high[0] == pytest.approx(0.0080080, rel=1e-3)


def test_zero_and_negative_ratios_keep_their_symmetric_forms():
    low, high, on_log = stats.ratio_interval(np.array([0.0, -1.0]), np.array([0.5, 0.25]), 2.0)
    assert list(on_log) == [False, False]
    assert list(low) == [0.0, -1.5] and list(high) == [1.0, -0.5]
