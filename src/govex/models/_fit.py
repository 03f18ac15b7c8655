"""Maximum-likelihood machinery shared by the CLV models.

Every model hands over a function of its log-parameters that returns the summed log-likelihood
(and its gradient when the model has one in closed form). This module picks the best of a small
grid of starting points, maximises with L-BFGS-B on the log scale inside wide bounds, adds the
optional L2 penalty, and turns the known failure modes of these models into a ModelError
(no convergence) or a ParameterAtBoundWarning (a parameter ran off to an extreme).
"""
from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from threadpoolctl import threadpool_limits

from govex.errors import ModelError

# Every parameter is positive. Shape parameters (r, a, b, s, p, q) beyond [1e-4, 1e4] mean the
# data sit at an edge of the model family (e.g. r and alpha growing together: no heterogeneity in
# purchase rates); scale parameters (alpha, beta, v) carry the time or currency unit, so their
# range is wider. An optimum on one of these bounds is reported with ParameterAtBoundWarning.
SHAPE_BOUNDS = (1e-4, 1e4)
SCALE_BOUNDS = (1e-6, 1e8)
_AT_BOUND_TOLERANCE = 1e-3  # on the log scale
_FINITE_DIFFERENCE_STEP = 1e-6  # on the log scale, central differences
_GRADIENT_TOLERANCE = 1e-5  # accept an L-BFGS-B stop if the mean-log-likelihood gradient is this flat

LogLikelihood = Callable[[np.ndarray], tuple[float, np.ndarray | None]]


class ModelWarning(UserWarning):
    """A model fitted, but the result deserves a look before anyone relies on it."""


class ParameterAtBoundWarning(ModelWarning):
    """The likelihood optimum sits on a parameter bound: the data do not pin that parameter down."""


@dataclass(frozen=True)
class MaximumLikelihood:
    """Result of one fit: parameters on their natural scale and the log-likelihood at them."""

    params: dict[str, float]
    loglik: float
    iterations: int


def check_fitted(model: object, attribute: str = "params_") -> None:
    """Raise ModelError when `model` has not been fitted yet."""
    if not hasattr(model, attribute):
        name = type(model).__name__
        raise ModelError(f"{name} is not fitted yet; call {name}().fit(...) before predicting.")


def _central_gradient(loglik: LogLikelihood, theta: np.ndarray) -> np.ndarray:
    grad = np.empty_like(theta)
    for j in range(len(theta)):
        step = np.zeros_like(theta)
        step[j] = _FINITE_DIFFERENCE_STEP
        grad[j] = (loglik(theta + step)[0] - loglik(theta - step)[0]) / (2 * _FINITE_DIFFERENCE_STEP)
    return grad


def screening_rows(n_rows: int, *, max_rows: int = 5_000) -> np.ndarray:
    """Evenly spaced row indices (all rows when few) on which to rank starting points cheaply."""
    return np.arange(n_rows) if n_rows <= max_rows else np.linspace(0, n_rows - 1, max_rows).astype(np.int64)


def maximise_likelihood(
    loglik: LogLikelihood,
    *,
    names: Sequence[str],
    bounds: Sequence[tuple[float, float]],
    starts: np.ndarray,
    total_weight: float,
    l2_penalty: float,
    model: str,
    screen: LogLikelihood | None = None,
) -> MaximumLikelihood:
    """Maximise `loglik` over log-parameters, starting from the best row of `starts`.

    The objective is the mean negative log-likelihood per customer plus
    ``l2_penalty * sum(log(params) ** 2)``, which pulls parameters towards 1 when the data are
    too thin to identify them.

    Parameters
    ----------
    loglik
        Maps log-parameters to (summed log-likelihood, its gradient or None).
    names
        Parameter names, in the order of the log-parameter vector.
    bounds
        (lower, upper) bound of each parameter on its natural scale.
    starts
        Candidate starting log-parameters, one per row; the best one starts the optimiser.
    total_weight
        Number of customers behind the summed log-likelihood (scales the objective to a mean).
    l2_penalty
        Non-negative coefficient of the penalty on the log-parameters.
    model
        Model name used in error and warning messages.
    screen
        Cheaper stand-in for `loglik` (e.g. on a subsample of rows) used only to rank `starts`.
    """
    if not (np.isfinite(l2_penalty) and l2_penalty >= 0):
        raise ModelError(f"{model}: l2_penalty must be a finite number >= 0; got {l2_penalty!r}.")

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        with np.errstate(all="ignore"):
            value, grad = loglik(theta)
            if grad is None:
                grad = _central_gradient(loglik, theta)
        if not np.isfinite(value) or not np.all(np.isfinite(grad)):
            return np.inf, np.zeros_like(theta)
        penalty = l2_penalty * float(theta @ theta)
        return -value / total_weight + penalty, -np.asarray(grad) / total_weight + 2 * l2_penalty * theta

    # The optimiser's vectors have 3-4 entries and the likelihood's dot products are memory-bound:
    # BLAS threads only add wake-up latency (milliseconds per call on a busy machine), so BLAS
    # runs on one thread for the whole fit.
    with threadpool_limits(limits=1, user_api="blas"):
        return _maximise(objective, loglik, names=names, bounds=bounds, starts=starts, model=model, screen=screen)


def _maximise(objective, loglik, *, names, bounds, starts, model, screen) -> MaximumLikelihood:
    start_values = []
    for theta in starts:
        with np.errstate(all="ignore"):
            value = (screen or loglik)(theta)[0]
        start_values.append(value if np.isfinite(value) else -np.inf)
    if not np.isfinite(max(start_values)):
        raise ModelError(
            f"{model}: the log-likelihood is not finite at any starting point; the data may hold "
            "extreme values (check units: durations in days give very different scales from weeks)."
        )
    log_bounds = np.log(np.asarray(bounds, dtype=np.float64))
    theta0 = np.clip(starts[int(np.argmax(start_values))], log_bounds[:, 0], log_bounds[:, 1])
    result = minimize(
        objective, theta0, jac=True, method="L-BFGS-B", bounds=log_bounds.tolist(),
        options={"maxiter": 2000, "ftol": 1e-15, "gtol": 1e-10},
    )
    value, grad = objective(result.x)
    free = np.min(np.abs(result.x[:, None] - log_bounds), axis=1) > _AT_BOUND_TOLERANCE
    flat = np.all(np.abs(grad[free]) < _GRADIENT_TOLERANCE) if free.any() else True
    if not np.isfinite(value) or not (result.success or flat):
        raise ModelError(
            f"{model}: maximum likelihood did not converge after {result.nit} iterations "
            f"({result.message}); last parameters "
            f"{dict(zip(names, np.round(np.exp(result.x), 6).tolist()))}. Try l2_penalty=0.01, "
            "or check the input summary for a handful of extreme customers."
        )
    params = {name: float(np.exp(t)) for name, t in zip(names, result.x)}
    at_bound = [name for name, keep in zip(names, free) if not keep]
    if at_bound:
        warnings.warn(
            f"{model}: parameter(s) {', '.join(at_bound)} ended on a bound "
            f"({', '.join(f'{n}={params[n]:.4g} in {bounds[names.index(n)]}' for n in at_bound)}); "
            "the data do not identify them (often: too little heterogeneity or history). Consider "
            "l2_penalty > 0 or a longer calibration period.",
            ParameterAtBoundWarning,
            stacklevel=4,
        )
    return MaximumLikelihood(params=params, loglik=float(loglik(result.x)[0]), iterations=int(result.nit))
