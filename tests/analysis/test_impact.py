"""Impact of non-randomised changes: DiD equals statsmodels, planted effects are recovered, bad input is refused."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from govex.analysis.impact import estimate_impact, interrupted_time_series, prepare_panel
from govex.errors import ConfigError, ContractError

START = "2024-04-01"


def make_panel(rng, *, units=16, treated=4, periods=20, first_post=12, effect=2.0, trend=0.3, noise=1.0):
    """Weekly panel: unit levels, a common trend (which fools before/after), the effect from `first_post`."""
    dates = pd.date_range(pd.Timestamp(START) - pd.Timedelta(weeks=first_post), periods=periods, freq="W-MON")
    level = rng.normal(10, 3, units)
    season = rng.normal(0, 0.5, periods)
    y = level[:, None] + trend * np.arange(periods) + season + rng.normal(0, noise, (units, periods))
    is_treated = np.arange(units) < treated
    y += effect * np.outer(is_treated, dates >= pd.Timestamp(START))
    return pd.DataFrame({"market": np.repeat([f"m{i:02d}" for i in range(units)], periods),
                         "week": np.tile(dates.strftime("%Y-%m-%d"), units), "csat": y.ravel(),
                         "policy": np.repeat(is_treated.astype(int), periods)})


def test_did_point_estimate_and_cluster_se_equal_statsmodels():
    smf = pytest.importorskip("statsmodels.formula.api")
    rng = np.random.default_rng(3)
    frame = make_panel(rng).drop(index=[5, 40, 41, 200]).reset_index(drop=True)  # unbalanced on purpose
    ours = estimate_impact(frame, unit="market", period="week", outcome="csat", treated="policy", start=START)
    data = frame.assign(d=(frame.policy == 1) & (pd.to_datetime(frame.week) >= pd.Timestamp(START)))
    data["d"] = data["d"].astype(float)
    groups = pd.factorize(data.market)[0]
    ref = smf.ols("csat ~ C(market) + C(week) + d", data=data).fit(cov_type="cluster", cov_kwds={"groups": groups})
    assert ours.effect == pytest.approx(ref.params["d"], abs=1e-6)
    assert ours.std_error == pytest.approx(ref.bse["d"], abs=1e-6)


def test_its_hac_standard_error_equals_statsmodels():
    sm = pytest.importorskip("statsmodels.api")
    rng = np.random.default_rng(4)
    frame = make_panel(rng, periods=40, first_post=25)
    panel = prepare_panel(frame, unit="market", period="week", outcome="csat", treated="policy", start=START)
    ours = interrupted_time_series(panel)
    y = panel.y[panel.treated].mean(axis=0)
    t = np.arange(len(y), dtype=float)
    post = panel.post.astype(float)
    since = np.where(panel.post, t - 25, 0.0)
    x = np.column_stack([np.ones_like(t), t, post, since])
    lags = int(np.floor(4 * (len(y) / 100) ** (2 / 9)))
    fit = sm.OLS(y, x).fit(cov_type="HAC", cov_kwds={"maxlags": lags})
    contrast = np.array([0, 0, 1, since[panel.post].mean()])
    test = fit.t_test(contrast)
    assert ours.effect == pytest.approx(float(test.effect[0]), abs=1e-9)
    assert ours.std_error == pytest.approx(float(test.sd[0, 0]), abs=1e-9)


@pytest.mark.parametrize("method", ["did", "synthetic_control"])
def test_planted_effect_inside_90_interval_in_at_least_85_percent_of_panels(method):
    rng = np.random.default_rng(11)
    covered = naive_covered = 0
    runs = 100
    for _ in range(runs):
        frame = make_panel(rng, treated=8)  # 8 of 16: clustered errors need enough treated units
        result = estimate_impact(frame, unit="market", period="week", outcome="csat", treated="policy",
                                 start=START, method=method)
        covered += result.ci_low <= 2.0 <= result.ci_high
        # the naive before/after, given the same interval width, misses: the common trend biases it
        naive = result.checks["naive_before_after"]
        half = (result.ci_high - result.ci_low) / 2
        naive_covered += naive - half <= 2.0 <= naive + half
    assert covered / runs >= 0.85
    assert naive_covered / runs < 0.5


def test_pre_trend_check_flags_diverging_groups():
    rng = np.random.default_rng(5)
    frame = make_panel(rng, noise=0.3)
    diverging = frame.copy()
    week_index = pd.factorize(diverging.week, sort=True)[0]
    diverging.loc[diverging.policy == 1, "csat"] += 0.4 * week_index[diverging.policy == 1]
    ok = estimate_impact(frame, unit="market", period="week", outcome="csat", treated="policy", start=START)
    bad = estimate_impact(diverging, unit="market", period="week", outcome="csat", treated="policy", start=START)
    assert ok.checks["parallel_pre_trends"] is True
    assert bad.checks["parallel_pre_trends"] is False
    assert bad.checks["pre_trend_difference_per_period"] == pytest.approx(0.4, abs=0.05)


def test_synthetic_control_weights_find_the_copied_donor():
    rng = np.random.default_rng(6)
    frame = make_panel(rng, treated=1, effect=0.0, noise=0.2)
    # the treated market is exactly donor m05 plus 3 after the start: weight 1 on m05, effect 3
    donor = frame[frame.market == "m05"].csat.to_numpy()
    post = pd.to_datetime(frame[frame.market == "m00"].week).to_numpy() >= pd.Timestamp(START)
    frame.loc[frame.market == "m00", "csat"] = donor + 3.0 * post
    result = estimate_impact(frame, unit="market", period="week", outcome="csat", treated="policy",
                             start=START, method="synthetic_control")
    assert result.checks["donor_weights"]["m05"] == pytest.approx(1.0, abs=1e-3)
    assert result.effect == pytest.approx(3.0, abs=1e-3)
    assert result.checks["pre_period_fit_ok"] is True
    assert result.p_value == pytest.approx(1 / 16)  # largest post/pre RMSPE ratio of 16 units


@pytest.mark.parametrize("change, message", [
    (dict(outcome="nps"), "unknown measure column 'nps'"),
    (dict(start="2030-01-01"), "--start 2030-01-01: must leave at least 2 periods before it"),
    (dict(start="2020-01-01"), "--start 2020-01-01: must leave at least 2 periods before it"),
    (dict(method="rdd"), "--method 'rdd': expected one of did, synthetic_control, its"),
])
def test_bad_arguments_are_refused_clearly(change, message):
    frame = make_panel(np.random.default_rng(1), units=4, treated=1)
    args = dict(unit="market", period="week", outcome="csat", treated="policy", start=START) | change
    with pytest.raises((ConfigError, ContractError), match=message.replace("(", r"\(").replace(")", r"\)")):
        estimate_impact(frame, **args)


def test_no_treated_units_or_no_controls_are_refused():
    frame = make_panel(np.random.default_rng(1), units=4, treated=1)
    with pytest.raises(ConfigError, match="no unit is treated"):
        estimate_impact(frame.assign(policy=0), unit="market", period="week", outcome="csat", treated="policy",
                        start=START)
    with pytest.raises(ConfigError, match="every unit is treated"):
        estimate_impact(frame.assign(policy=1), unit="market", period="week", outcome="csat", treated="policy",
                        start=START, method="did")
    with pytest.raises(ConfigError, match="row 2 has 'soon'"):
        estimate_impact(frame.assign(week=frame.week.where(frame.index != 2, "soon")), unit="market",
                        period="week", outcome="csat", treated="policy", start=START)


def test_cli_prints_effect_interval_and_checks_as_json(tmp_path):
    import json

    from typer.testing import CliRunner

    from govex.cli.main import app

    path = tmp_path / "panel.csv"
    make_panel(np.random.default_rng(8), treated=8, trend=0.0, noise=0.01).to_csv(path, index=False)
    args = ["impact", "--data", str(path), "--unit", "market", "--period", "week", "--outcome", "csat",
            "--treated", "policy", "--start", START, "--json"]
    result = CliRunner().invoke(app, [*args, "--method", "its"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["method"] == "its"
    assert payload["effect"] == pytest.approx(2.0, abs=0.3)  # season noise sd 0.5 on 8 post weeks
    assert payload["ci_low"] < payload["effect"] < payload["ci_high"]
    assert payload["checks"]["pre_periods"] == 12
    missing = CliRunner().invoke(app, [*args[:-1], "--start", "someday"])
    assert missing.exit_code != 0


def _as_cube(frame: pd.DataFrame, n: float = 100) -> pd.DataFrame:
    """The long panel in the metric layer's cube layout (metric, period_start, <cut>, value, n)."""
    return pd.DataFrame({"metric": "csat", "period": "week", "period_start": pd.to_datetime(frame.week),
                         "market": frame.market, "value": frame.csat, "n": n})


def test_cube_impact_is_the_panel_estimate_with_its_relative_size():
    from govex.analysis.impact import estimate_cube_impact

    frame = make_panel(np.random.default_rng(5))
    treated = sorted(frame.market[frame.policy == 1].unique())
    cube = _as_cube(frame)
    cube.loc[3, "value"] = np.nan  # a cell without a denominator is left out, as in the CSV without that row
    got = estimate_cube_impact(cube, metric="csat", by="market", treated=treated, start=START)
    want = estimate_impact(frame.drop(index=3), unit="market", period="week", outcome="csat", treated="policy", start=START)
    assert got.effect == pytest.approx(want.effect, abs=1e-12) and got.ci_low == pytest.approx(want.ci_low, abs=1e-12)
    rows = frame.drop(index=3)
    post = (rows.policy == 1) & (pd.to_datetime(rows.week) >= pd.Timestamp(START))
    counterfactual = rows.csat[post].mean() - got.effect  # by hand: treated post level without the change
    assert got.checks["relative_effect"] == pytest.approx(got.effect / counterfactual)
    assert "warning" not in got.checks or "observations" not in got.checks["warning"]
    noisy = estimate_cube_impact(_as_cube(frame, n=12), metric="csat", by="market", treated=treated, start=START)
    assert "rests on 12 observations" in noisy.checks["warning"]


def test_cube_impact_refuses_an_unknown_treated_value():
    from govex.analysis.impact import estimate_cube_impact

    cube = _as_cube(make_panel(np.random.default_rng(5)))
    with pytest.raises(ConfigError, match=r"--treated XX: no market of that name has csat values; known: m00"):
        estimate_cube_impact(cube, metric="csat", by="market", treated=["m01", "XX"], start=START)


def test_cli_needs_exactly_one_input_and_the_csv_columns(tmp_path):
    from typer.testing import CliRunner

    from govex.cli.main import app

    path = tmp_path / "panel.csv"
    make_panel(np.random.default_rng(8)).to_csv(path, index=False)
    both = CliRunner().invoke(app, ["impact", "--data", str(path), "--metric", "csat", "--treated", "policy",
                                    "--start", START])
    assert both.exit_code != 0 and "either --data FILE.csv" in str(both.exception)
    columns = CliRunner().invoke(app, ["impact", "--data", str(path), "--unit", "market", "--treated", "policy",
                                       "--start", START])
    assert columns.exit_code != 0 and "--data needs --period, --outcome" in str(columns.exception)
