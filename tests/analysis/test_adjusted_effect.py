"""The AIPW estimator against a known effect, a peer (statsmodels nuisance models + the formula by hand)
and its checks (balance, trimming, segments, bad input)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from govex.analysis.adjusted_effect import MIN_UNITS, adjusted_effect
from govex.errors import ConfigError


def _confounded(seed: int, n: int = 4000, *, binary: bool = False) -> tuple[pd.DataFrame, float]:
    """Units whose treatment and outcome both rise with x1 (and group); the true average effect."""
    rng = np.random.default_rng(seed)
    x1 = rng.normal(size=n)
    group = rng.choice(["a", "b", "c"], size=n, p=[0.5, 0.3, 0.2])
    e = 1 / (1 + np.exp(-(-0.3 + 1.2 * x1 + 0.6 * (group == "b"))))
    t = rng.random(n) < e
    if binary:
        base = -0.5 + 1.0 * x1 + 0.7 * (group == "c")
        p1, p0 = 1 / (1 + np.exp(-(base + 0.6))), 1 / (1 + np.exp(-base))
        y = (rng.random(n) < np.where(t, p1, p0)).astype(float)
        truth = float((p1 - p0).mean())
    else:
        y = 2.0 + 1.5 * x1 + 0.8 * (group == "c") + 0.5 * t + rng.normal(size=n)
        truth = 0.5
    return pd.DataFrame({"x1": x1, "group": group, "treated": t.astype(int), "y": y}), truth


@pytest.mark.parametrize("binary", [False, True])
def test_the_interval_covers_the_known_effect_and_the_naive_difference_does_not(binary):
    frame, truth = _confounded(4, binary=binary)
    result = adjusted_effect(frame, treatment="treated", outcome="y", numeric=["x1"], categorical=["group"])
    assert result.ci_low <= truth <= result.ci_high, (result.estimate, truth)
    assert not result.naive_ci_low <= truth <= result.naive_ci_high  # x1 raises both: the naive difference is biased up
    assert result.naive > result.ci_high
    assert result.level == 0.90 and result.units + result.trimmed == len(frame)


@pytest.mark.parametrize("binary", [False, True])
def test_covered_in_most_of_twenty_samples(binary):
    # a 90% interval should miss about 2 of 20; more than 5 misses has probability < 1% if it is right
    misses = 0
    for seed in range(20):
        frame, truth = _confounded(100 + seed, n=1500, binary=binary)
        r = adjusted_effect(frame, treatment="treated", outcome="y", numeric=["x1"], categorical=["group"], trim=0.0)
        misses += not r.ci_low <= truth <= r.ci_high
    assert misses <= 5


def test_equals_the_formula_on_statsmodels_nuisance_models():
    sm = pytest.importorskip("statsmodels.api")
    frame, _ = _confounded(5, n=2000)
    x = sm.add_constant(pd.get_dummies(frame[["x1", "group"]], columns=["group"], drop_first=True, dtype=float))
    t, y = frame.treated.to_numpy().astype(bool), frame.y.to_numpy()
    e = sm.Logit(t.astype(float), x).fit(disp=0).predict(x).to_numpy()
    m1 = sm.OLS(y[t], x[t]).fit().predict(x).to_numpy()
    m0 = sm.OLS(y[~t], x[~t]).fit().predict(x).to_numpy()
    psi = m1 - m0 + t * (y - m1) / e - (~t) * (y - m0) / (1 - e)
    result = adjusted_effect(frame, treatment="treated", outcome="y", numeric=["x1"], categorical=["group"], trim=0.0)
    assert result.estimate == pytest.approx(psi.mean(), abs=1e-5)
    assert result.std_error == pytest.approx(psi.std(ddof=1) / np.sqrt(psi.size), rel=1e-4)
    assert result.naive == pytest.approx(y[t].mean() - y[~t].mean(), abs=1e-12)


def test_weighting_balances_the_covariates():
    frame, _ = _confounded(7)
    result = adjusted_effect(frame, treatment="treated", outcome="y", numeric=["x1"], categorical=["group"])
    x1 = result.balance.set_index("covariate").loc["x1"]
    # before: treated units have x1 about one pooled SD higher (hand: E[x1 | T] - E[x1 | C] for this logistic)
    treated, control = frame.x1[frame.treated == 1], frame.x1[frame.treated == 0]
    by_hand = (treated.mean() - control.mean()) / np.sqrt((treated.var() + control.var()) / 2)
    assert x1.smd_before == pytest.approx(by_hand)
    assert x1.smd_before > 0.8
    assert result.balanced and abs(x1.smd_after) < 0.1


def test_trimming_drops_units_without_overlap():
    frame, _ = _confounded(8)
    frame.loc[frame.x1 > 2.5, "treated"] = 1  # near-certain treatment out there
    result = adjusted_effect(frame, treatment="treated", outcome="y", numeric=["x1"], categorical=["group"], trim=0.05)
    assert result.trimmed > 0 and result.units == len(frame) - result.trimmed


def test_segments_get_their_own_estimate_or_not_enough_data():
    frame, truth = _confounded(9)
    frame["segment"] = np.where(frame.index < 30, "tiny", "large")
    result = adjusted_effect(frame, treatment="treated", outcome="y", numeric=["x1"], categorical=["group"],
                             segment="segment")
    rows = result.by_segment.set_index("segment")
    assert rows.loc["tiny", "treated"] < MIN_UNITS and np.isnan(rows.loc["tiny", "estimate"])
    assert rows.loc["large", "ci_low"] <= truth <= rows.loc["large", "ci_high"]


@pytest.mark.parametrize(("change", "message"), [
    (lambda f: f.drop(columns=["x1"]), "columns ['x1'] are missing"),
    (lambda f: f.assign(treated=1), "must hold both 0 (untreated) and 1 (treated)"),
    (lambda f: f.assign(y=np.where(f.index == 3, np.nan, f.y)), "columns ['y'] have missing values"),
])
def test_bad_input_names_the_problem(change, message):
    frame, _ = _confounded(1, n=200)
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        adjusted_effect(change(frame), treatment="treated", outcome="y", numeric=["x1"], categorical=["group"])
