"""The estimator shell shared by the purchase-count models (BG/NBD, Pareto/NBD).

Both models fit the same sufficient statistics the same way; each subclass only supplies its
parameter names, its log-likelihood on the log-parameter scale and its starting grid.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

import numpy as np

from govex.errors import ModelError
from govex.models._data import check_purchase_history, check_weights, collapse, weighted_sum
from govex.models._fit import SCALE_BOUNDS, SHAPE_BOUNDS, check_fitted, maximise_likelihood, screening_rows


class PurchaseModel(ABC):
    """Base of the purchase-count models: `__init__` stores, `fit` learns `params_` and `loglik_`."""

    param_names: ClassVar[tuple[str, ...]] = ()
    model_name: ClassVar[str] = ""
    scale_params: ClassVar[frozenset[str]] = frozenset({"alpha", "beta"})

    def __init__(self, *, l2_penalty: float = 0.0) -> None:
        self.l2_penalty = l2_penalty

    @classmethod
    def from_params(cls, **params: float):
        """A model with known parameters (published values, a saved fit) ready to predict."""
        missing = sorted(set(cls.param_names) - set(params))
        extra = sorted(set(params) - set(cls.param_names))
        if missing or extra:
            raise ModelError(
                f"{cls.model_name}: from_params needs exactly {', '.join(cls.param_names)}; "
                f"missing {missing or 'none'}, unexpected {extra or 'none'}."
            )
        bad = {k: v for k, v in params.items() if not (np.isfinite(v) and v > 0)}
        if bad:
            raise ModelError(f"{cls.model_name}: parameters must be finite and > 0; got {bad}.")
        model = cls()
        model.params_ = {name: float(params[name]) for name in cls.param_names}
        return model

    def fit(self, frequency, recency, T, *, weights=None):
        """Fit by maximum likelihood on the distinct (frequency, recency, T) rows.

        Parameters
        ----------
        frequency, recency, T
            Repeat purchases, age at the last repeat purchase, and age at the end of calibration,
            one entry per customer (or per distinct row when `weights` is given).
        weights
            Number of customers sharing each row; None means one customer per row.

        Returns
        -------
        self
        """
        x, t_x, age = check_purchase_history(frequency, recency, T, model=self.model_name)
        w = check_weights(weights, len(x), self.model_name)
        if not weighted_sum(w, age) > 0:
            raise ModelError(f"{self.model_name}: every customer has T = 0 (or weight 0); there is no "
                             "purchase history to fit. Move the calibration end later.")
        rows = collapse(x, t_x, age, weights=w)
        x, t_x, age = rows.columns
        sub = screening_rows(len(x))
        result = maximise_likelihood(
            self._loglik_function(x, t_x, age, rows.weights),
            screen=self._loglik_function(x[sub], t_x[sub], age[sub], rows.weights[sub]),
            names=self.param_names,
            bounds=[SCALE_BOUNDS if name in self.scale_params else SHAPE_BOUNDS for name in self.param_names],
            starts=self._starts(x, t_x, age, rows.weights),
            total_weight=float(rows.weights.sum()),
            l2_penalty=self.l2_penalty,
            model=self.model_name,
        )
        self.params_ = result.params
        self.loglik_ = result.loglik
        self.n_customers_ = float(rows.weights.sum())
        self.n_rows_ = len(rows.weights)
        self.iterations_ = result.iterations
        return self

    def log_likelihood(self, frequency, recency, T) -> np.ndarray:
        """Log-likelihood of each customer's history at the fitted parameters."""
        check_fitted(self)
        x, t_x, age = check_purchase_history(frequency, recency, T, model=self.model_name)
        theta = np.log([self.params_[n] for n in self.param_names])
        return self._row_loglik(theta, x, t_x, age)

    def _loglik_function(self, x, t_x, age, weights):
        def summed(theta: np.ndarray):
            return self._summed_loglik(theta, x, t_x, age, weights)

        return summed

    def _history(self, frequency, recency, T):
        check_fitted(self)
        return check_purchase_history(frequency, recency, T, model=self.model_name)

    def _summed_loglik(self, theta, x, t_x, age, weights) -> tuple[float, np.ndarray | None]:
        return weighted_sum(weights, self._row_loglik(theta, x, t_x, age)), None

    @abstractmethod
    def _row_loglik(self, theta, x, t_x, age) -> np.ndarray:
        """Per-row log-likelihood at log-parameters `theta`."""

    @abstractmethod
    def _starts(self, x, t_x, age, weights) -> np.ndarray:
        """Candidate starting log-parameters, one per row."""

    def __repr__(self) -> str:
        fitted = getattr(self, "params_", None)
        shown = ", ".join(f"{k}={v:.4g}" for k, v in fitted.items()) if fitted else "unfitted"
        return f"{type(self).__name__}({shown})"


def purchase_rate_guess(x: np.ndarray, age: np.ndarray, weights: np.ndarray) -> float:
    """Repeat purchases per unit of time over the whole base: the scale of lambda for start values."""
    exposure = weighted_sum(weights, age)
    rate = weighted_sum(weights, x) / exposure
    return rate if rate > 0 else float(weights.sum()) / exposure
