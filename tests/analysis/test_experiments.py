"""Experiment reads: CUPED by simulation, SRM, Holm/BH by hand, guardrails."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from govex.analysis.experiments import adjust_pvalues, read_experiment, sample_ratio_test


def _experiment(rng, n=2000, effect=0.5, rho=0.8):
    arm = np.where(rng.uniform(size=n) < 0.5, "control", "treatment")
    pre = rng.normal(10, 2, n)
    y = 10 + rho * (pre - 10) + rng.normal(0, 2 * np.sqrt(1 - rho**2), n) + effect * (arm == "treatment")
    return pd.DataFrame({"arm": arm, "pre": pre, "y": y})


def test_cuped_reduces_variance_and_stays_unbiased():
    # 300 simulated experiments with a planted effect of 0.5 and corr(pre, y) = 0.8:
    # CUPED should cut the variance of the estimate by about rho^2 = 64 % (Deng et al. 2013)
    rng = np.random.default_rng(0)
    raw, cuped = [], []
    for _ in range(300):
        read = read_experiment(_experiment(rng), arm="arm", metric="y", pre="pre")
        row = read.effects.iloc[0]
        raw.append(row["diff"])
        cuped.append(row["diff_cuped"])
    raw, cuped = np.array(raw), np.array(cuped)
    assert 1 - cuped.var() / raw.var() == pytest.approx(0.64, abs=0.08)
    # unbiased: the mean estimate is within 3 standard errors of the planted 0.5
    assert abs(cuped.mean() - 0.5) < 3 * cuped.std() / np.sqrt(cuped.size)


def test_srm_detects_a_broken_split():
    # 5,000 vs 5,400 units under a planned 50/50 split: chi2 = 400^2/5200/... -> p ~ 9e-5
    assert sample_ratio_test([5000, 5400]) < 0.001
    assert sample_ratio_test([5000, 5040]) > 0.1


def test_holm_and_bh_by_hand():
    p = [0.01, 0.04, 0.03, 0.2]
    # Holm: sorted 0.01*4=0.04, 0.03*3=0.09, 0.04*2=0.08->0.09 (monotone), 0.2*1=0.2
    assert adjust_pvalues(p, method="holm") == pytest.approx([0.04, 0.09, 0.09, 0.2])
    # BH: 0.01*4/1=0.04, 0.03*4/2=0.06, 0.04*4/3=0.0533, 0.2 -> step-up minimum gives 0.0533 for the 2nd and 3rd
    assert adjust_pvalues(p, method="bh") == pytest.approx([0.04, 0.16 / 3, 0.16 / 3, 0.2])


def test_segments_guardrails_and_trust():
    rng = np.random.default_rng(4)
    frame = _experiment(rng, n=4000)
    frame["segment"] = np.where(rng.uniform(size=len(frame)) < 0.5, "new", "loyal")
    # planted harm: disputes up from 2 % to 5 % in treatment
    frame["dispute"] = (rng.uniform(size=len(frame)) < np.where(frame["arm"] == "treatment", 0.05, 0.02)).astype(float)
    read = read_experiment(frame, arm="arm", metric="y", pre="pre", segment="segment",
                           guardrails={"dispute": "increase"})
    assert set(read.effects["segment"]) == {"all", "new", "loyal"}
    assert read.effects["significant"].all()
    assert read.guardrails.loc[0, "breached"]
    assert not read.trustworthy
    seg = read.effects[read.effects["segment"] != "all"]
    # Holm over two segments: the smaller p doubled
    assert seg["p_adjusted"].min() == pytest.approx(min(2 * seg["p_value_cuped"].min(), 1.0))
