"""Experiment design equals statsmodels' power functions; the sequential read keeps its false-positive rate."""
from __future__ import annotations

import numpy as np
import pytest

from govex.analysis.power import design, ratio_sd
from govex.analysis.sequential import msprt_p_values
from govex.errors import ConfigError

power_mod = pytest.importorskip("statsmodels.stats.power")
proportion_mod = pytest.importorskip("statsmodels.stats.proportion")


@pytest.mark.parametrize("baseline, mde", [(0.10, 0.01), (0.5, -0.03), (0.02, 0.005)])
def test_proportion_sample_size_and_mde_equal_statsmodels(baseline, mde):
    ours = design("proportion", baseline=baseline, mde=mde, alpha=0.05, power=0.8)
    h = proportion_mod.proportion_effectsize(baseline + mde, baseline)
    ref = power_mod.NormalIndPower().solve_power(effect_size=h, alpha=0.05, power=0.8, ratio=1.0)
    assert ours.n_per_arm == pytest.approx(ref, rel=0.01)
    back = design("proportion", baseline=baseline, n_per_arm=ref, alpha=0.05, power=0.8)
    assert abs(back.mde) == pytest.approx(abs(mde), rel=0.01)


@pytest.mark.parametrize("sd, mde, power", [(1.0, 0.2, 0.8), (12.0, 1.5, 0.9), (3.0, 2.0, 0.8)])
def test_mean_sample_size_and_mde_equal_statsmodels_t_test(sd, mde, power):
    ours = design("mean", baseline=50.0, sd=sd, mde=mde, power=power)
    ref = power_mod.TTestIndPower().solve_power(effect_size=mde / sd, alpha=0.05, power=power, ratio=1.0)
    assert ours.n_per_arm == pytest.approx(ref, rel=0.01)
    d = power_mod.TTestIndPower().solve_power(nobs1=500, alpha=0.05, power=power, ratio=1.0)
    assert design("mean", baseline=50.0, sd=sd, n_per_arm=500, power=power).mde == pytest.approx(d * sd, rel=0.01)


def test_ratio_metric_uses_the_delta_method_variance():
    rng = np.random.default_rng(0)
    orders = rng.poisson(4, 200_000) + 1.0
    contacts = rng.binomial(orders.astype(int), 0.1) + rng.normal(0, 0.3, orders.size)
    sd = ratio_sd(numerator_mean=contacts.mean(), denominator_mean=orders.mean(), numerator_sd=contacts.std(),
                  denominator_sd=orders.std(), correlation=np.corrcoef(contacts, orders)[0, 1])
    # the ratio of two arm totals from 2,000 customers varies as sd / sqrt(2000): check by resampling
    ratios = [contacts[i].sum() / orders[i].sum() for i in np.split(rng.permutation(200_000), 100)]
    assert np.std(ratios, ddof=1) == pytest.approx(sd / np.sqrt(2000), rel=0.2)
    ours = design("ratio", baseline=0.1, sd=sd, mde=0.005)
    ref = power_mod.NormalIndPower().solve_power(effect_size=0.005 / sd, alpha=0.05, power=0.8)
    assert ours.n_per_arm == pytest.approx(ref, rel=0.01)


def test_bad_design_arguments_are_refused():
    with pytest.raises(ConfigError, match="exactly one of --mde"):
        design("mean", baseline=1.0, sd=1.0)
    with pytest.raises(ConfigError, match="--sd must be > 0"):
        design("mean", baseline=1.0, mde=0.1)
    with pytest.raises(ConfigError, match="leaves the \\(0, 1\\) range"):
        design("proportion", baseline=0.95, mde=0.1)


@pytest.mark.parametrize("sd", [1.0, None])
def test_msprt_keeps_false_positives_below_alpha_under_continuous_monitoring(sd):
    rng = np.random.default_rng(21)
    sims, looks, alpha = 300, 2000, 0.05
    a, b = rng.normal(0, 1, (sims, looks)), rng.normal(0, 1, (sims, looks))
    p = msprt_p_values(a, b, sd=sd, tau=0.1)
    false_positive = (p[:, -1] <= alpha).mean()
    assert false_positive <= alpha
    # the same looks with a fixed-horizon z test at each look reject a true null far more often
    n = np.arange(1, looks + 1)
    z = (np.cumsum(b, axis=1) - np.cumsum(a, axis=1)) / n / np.sqrt(2 / n)
    assert (np.abs(z[:, 9:]) > 1.96).any(axis=1).mean() > 3 * alpha
    # and a real effect is still found
    effect = msprt_p_values(a, b + 0.15, sd=sd, tau=0.1)
    assert (effect[:, -1] <= alpha).mean() > 0.8


def test_cli_power_and_sequential(tmp_path):
    import json

    import pandas as pd
    from typer.testing import CliRunner

    from govex.cli.main import app

    out = CliRunner().invoke(app, ["experiment", "power", "--kind", "proportion", "--baseline", "0.1",
                                   "--mde", "0.01", "--json"])
    assert out.exit_code == 0, out.output
    # textbook normal formula for 10% -> 11% at alpha 0.05, power 0.8: about 14,750 per arm
    assert json.loads(out.stdout)["n_per_arm"] == pytest.approx(14750, rel=0.01)
    rng = np.random.default_rng(2)
    path = tmp_path / "ab.csv"
    pd.DataFrame({"arm": np.tile(["control", "b"], 3000),
                  "csat": rng.normal(4, 1, 6000) + np.tile([0.0, 0.3], 3000)}).to_csv(path, index=False)
    out = CliRunner().invoke(app, ["experiment", "sequential", "--data", str(path), "--arm", "arm",
                                   "--metric", "csat", "--sd", "1", "--json"])
    assert out.exit_code == 0, out.output
    payload = json.loads(out.stdout)
    assert payload["significant"] and payload["pairs_read"] == 3000
    assert payload["first_significant_at"] < 3000


def test_cli_sequential_refuses_more_than_two_arms(tmp_path):
    import pandas as pd
    from typer.testing import CliRunner

    from govex.cli.main import app

    path = tmp_path / "abc.csv"
    pd.DataFrame({"arm": ["control", "b", "c"] * 20, "csat": np.arange(60.0)}).to_csv(path, index=False)
    out = CliRunner().invoke(app, ["experiment", "sequential", "--data", str(path), "--arm", "arm", "--metric", "csat"])
    assert out.exit_code == 1
    assert "expected the control arm 'control' and one treatment arm; found ['b', 'c', 'control']" in str(out.exception)
