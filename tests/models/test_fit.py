"""Shared fitting behaviour: input checks, weighted rows, bound warnings, non-convergence."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import govex.models._fit as fit_module
from govex.errors import ModelError
from govex.models import (
    BetaGeo,
    GammaGamma,
    ParameterAtBoundWarning,
    ParetoNBD,
    simulate_bgnbd,
    simulate_gamma_gamma,
)


@pytest.mark.parametrize(
    "frequency, recency, T, message",
    [
        ([1, -1], [1.0, 0.0], [2.0, 2.0], r"`frequency` must be >= 0; 1 row\(s\) are not, first at row 1"),
        ([1, 2], [1.0, 3.0], [2.0, 2.0], r"`recency` must be <= T.*row 1"),
        ([0, 1], [0.5, 1.0], [2.0, 2.0], r"`recency` must be 0 when frequency is 0.*row 0"),
        ([1, 1], [np.nan, 1.0], [2.0, 2.0], r"`recency` must be finite.*row 0"),
        ([1, 1], [1.0, 1.0], [2.0], r"lengths frequency=2, recency=2, T=1"),
        ([1.5, 1], [1.0, 1.0], [2.0, 2.0], r"`frequency` must be whole numbers.*row 0"),
        ([1, 1], [1.0, 1.0], [2.0, -2.0], r"`T` must be >= 0.*row 1"),
        ([], [], [], r"no customer rows"),
    ],
)
@pytest.mark.parametrize("model", [BetaGeo, ParetoNBD])
def test_bad_purchase_history_is_refused(model, frequency, recency, T, message):
    with pytest.raises(ModelError, match=message):
        model().fit(frequency, recency, T)


def test_bad_weights_are_refused():
    with pytest.raises(ModelError, match=r"`weights` must be finite and >= 0.*row 1"):
        BetaGeo().fit([1, 0], [1.0, 0.0], [2.0, 2.0], weights=[1, -3])
    with pytest.raises(ModelError, match="sum to 0"):
        BetaGeo().fit([1, 0], [1.0, 0.0], [2.0, 2.0], weights=[0, 0])


@pytest.mark.parametrize(
    "frequency, spend, message",
    [
        ([2, 1], [10.0, 0.0], r"`mean_spend` must be finite and > 0 where frequency > 0.*row 1"),
        ([2, 1], [10.0, -4.0], r"`mean_spend`.*row 1"),
        ([2, 1], [np.nan, 3.0], r"`mean_spend`.*row 0"),
        ([0, 0], [0.0, 0.0], r"no customer with frequency > 0"),
        ([2], [1.0, 2.0], r"lengths frequency=1, mean_spend=2"),
    ],
)
def test_bad_spend_is_refused(frequency, spend, message):
    with pytest.raises(ModelError, match=message):
        GammaGamma().fit(frequency, spend)


def test_predicting_before_fit_is_refused():
    with pytest.raises(ModelError, match="not fitted yet"):
        BetaGeo().p_alive([1], [1.0], [2.0])


@pytest.fixture(scope="module")
def small_sample():
    # Day-resolution data so that many customers share a row (as in real summaries).
    data = simulate_bgnbd(n_customers=3_000, r=0.5, alpha=3.0, a=0.9, b=2.0, T=np.full(3_000, 8.0), seed=11)
    return data["frequency"], np.round(data["recency"] * 7) / 7, data["T"]


@pytest.mark.parametrize("model", [BetaGeo, ParetoNBD])
def test_weighted_collapsed_rows_give_the_same_fit_as_all_rows(model, small_sample):
    frequency, recency, T = small_sample
    rows, counts = np.unique(np.column_stack(small_sample), axis=0, return_counts=True)
    assert len(rows) < len(frequency) / 3  # the collapse is real
    expanded = model().fit(frequency, recency, T)
    # Present the collapsed rows in a shuffled order: the fit must not depend on row order.
    order = np.random.default_rng(0).permutation(len(rows))
    collapsed = model().fit(rows[order, 0], rows[order, 1], rows[order, 2], weights=counts[order])
    for name in model.param_names:
        assert collapsed.params_[name] == pytest.approx(expanded.params_[name], rel=1e-6), name
    assert collapsed.loglik_ == pytest.approx(expanded.loglik_, rel=1e-10)


def test_gamma_gamma_weighted_fit_equals_expanded():
    frequency = np.tile([1, 2, 3, 5, 8], 40)
    spend = simulate_gamma_gamma(frequency=frequency, p=5.0, q=4.0, v=20.0, seed=3)
    counts = np.random.default_rng(4).integers(1, 6, len(frequency))
    expanded = GammaGamma().fit(np.repeat(frequency, counts), np.repeat(spend, counts))
    weighted = GammaGamma().fit(frequency, spend, weights=counts)
    for name in GammaGamma.param_names:
        assert weighted.params_[name] == pytest.approx(expanded.params_[name], rel=1e-6), name


def test_runaway_parameters_warn_and_penalty_tames_them():
    # Every customer buys at the same Poisson rate and never drops out: no heterogeneity, so the
    # dropout parameters run to the edges of their range (a -> 0, b -> infinity).
    rng = np.random.default_rng(0)
    T = np.full(2_000, 10.0)
    frequency = rng.poisson(2 * T).astype(float)
    recency = T * rng.beta(np.maximum(frequency, 1), 1) * (frequency > 0)
    with pytest.warns(ParameterAtBoundWarning, match=r"parameter\(s\) .*a.* ended on a bound"):
        BetaGeo().fit(frequency, recency, T)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ParameterAtBoundWarning)
        penalised = BetaGeo(l2_penalty=0.01).fit(frequency, recency, T)
    assert 1e-4 < penalised.params_["a"] and penalised.params_["b"] < 1e4


def test_non_convergence_is_a_model_error(monkeypatch, small_sample):
    # Simulate an optimiser that gives up far from the optimum (the failure lifetimes reports as
    # ConvergenceError on large data): govex must refuse to return those parameters.
    from scipy.optimize import OptimizeResult

    def gives_up(fun, x0, **kwargs):
        return OptimizeResult(x=np.asarray(x0), success=False, nit=3, message="ABNORMAL_TERMINATION_IN_LNSRCH")

    monkeypatch.setattr(fit_module, "minimize", gives_up)
    with pytest.raises(ModelError, match="did not converge after 3 iterations"):
        BetaGeo().fit(*small_sample)


def test_negative_penalty_is_refused(small_sample):
    with pytest.raises(ModelError, match="l2_penalty must be a finite number >= 0"):
        BetaGeo(l2_penalty=-1.0).fit(*small_sample)


def test_distinct_rows_by_hand():
    # Rows (1, 2.5), (-2, 1), (1, 2.5), (-0.0, 3), (0.0, 3): three distinct rows, sorted
    # (-2, 1) < (0, 3) < (1, 2.5); -0.0 and 0.0 are the same value.
    from govex.models._data import distinct_rows

    (first, second), inverse = distinct_rows(np.array([1.0, -2.0, 1.0, -0.0, 0.0]), np.array([2.5, 1.0, 2.5, 3.0, 3.0]))
    np.testing.assert_array_equal(first, [-2.0, 0.0, 1.0])
    np.testing.assert_array_equal(second, [1.0, 3.0, 2.5])
    np.testing.assert_array_equal(inverse, [2, 0, 2, 1, 1])
