"""Input checks and the collapse to sufficient statistics shared by the CLV models.

The purchase models only see a customer through (frequency, recency, T), so customers that share
those three numbers contribute identical likelihood terms. Fitting on the distinct rows with a
count per row (`weights`) gives the same optimum as fitting every customer, at a cost that grows
with the number of distinct rows, not customers.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from govex.errors import ModelError

# Relative slack for recency <= T: summaries rounded to two decimals may overshoot by a hair.
_RECENCY_SLACK = 1e-9


def _as_float_array(values, name: str, model: str) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ModelError(f"{model}: `{name}` must be numeric; could not convert it ({exc}).") from exc
    if array.ndim != 1:
        array = np.atleast_1d(array)
        if array.ndim != 1:
            raise ModelError(f"{model}: `{name}` must be one-dimensional; got shape {array.shape}.")
    return array


def _first_bad(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def _fail(model: str, name: str, mask: np.ndarray, array: np.ndarray, expected: str, fix: str) -> None:
    if mask.any():
        row = _first_bad(mask)
        raise ModelError(
            f"{model}: `{name}` must be {expected}; {int(mask.sum())} row(s) are not, "
            f"first at row {row} (value {array[row]!r}). {fix}"
        )


def _check_lengths(model: str, **arrays: np.ndarray) -> None:
    lengths = {name: len(a) for name, a in arrays.items()}
    if len(set(lengths.values())) > 1:
        found = ", ".join(f"{name}={n}" for name, n in lengths.items())
        raise ModelError(f"{model}: inputs must have one entry per customer row; got lengths {found}.")
    if not next(iter(lengths.values())):
        raise ModelError(f"{model}: no customer rows to fit; pass at least one row.")


def check_weights(weights, n_rows: int, model: str) -> np.ndarray:
    """Counts of customers per row: finite, non-negative, not all zero (None means one each)."""
    if weights is None:
        return np.ones(n_rows)
    w = _as_float_array(weights, "weights", model)
    _check_lengths(model, rows=np.empty(n_rows), weights=w)
    _fail(model, "weights", ~np.isfinite(w) | (w < 0), w, "finite and >= 0",
          "Weights count the customers sharing a row.")
    if not w.sum() > 0:
        raise ModelError(f"{model}: `weights` sum to 0; at least one row needs a positive count.")
    return w


def check_purchase_history(frequency, recency, T, *, model: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validate (frequency, recency, T) arrays; raise ModelError naming the first bad row.

    frequency counts repeat purchases (whole numbers >= 0), recency is the age at the last repeat
    purchase (0 when there is none) and T the age at the end of the calibration period (>= 0;
    a customer first seen on the last day has T = 0 and adds nothing to the likelihood).
    """
    x = _as_float_array(frequency, "frequency", model)
    t_x = _as_float_array(recency, "recency", model)
    age = _as_float_array(T, "T", model)
    _check_lengths(model, frequency=x, recency=t_x, T=age)
    for name, array in (("frequency", x), ("recency", t_x), ("T", age)):
        _fail(model, name, ~np.isfinite(array), array, "finite (no NaN or inf)", "Drop or fill those rows.")
    _fail(model, "frequency", x < 0, x, ">= 0", "frequency counts repeat purchases.")
    _fail(model, "frequency", x != np.round(x), x, "whole numbers", "frequency counts repeat purchases.")
    _fail(model, "recency", t_x < 0, t_x, ">= 0", "recency is the age at the last repeat purchase.")
    _fail(model, "T", age < 0, age, ">= 0", "T is the customer's age at the end of calibration.")
    _fail(model, "recency", t_x > age * (1 + _RECENCY_SLACK), t_x, "<= T",
          "recency cannot exceed the customer's age T; check the calibration end date and units.")
    _fail(model, "recency", (x == 0) & (t_x > 0), t_x, "0 when frequency is 0",
          "a customer with no repeat purchase has recency 0.")
    return x, np.minimum(t_x, age), age


def check_spend(frequency, mean_spend, *, model: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validate (frequency, mean spend); return them and the mask of rows with repeat purchases.

    Rows with frequency 0 carry no spend information (their mean is over no purchases) and are
    masked out whatever their mean_spend; rows with frequency > 0 need a finite, positive mean.
    """
    x = _as_float_array(frequency, "frequency", model)
    m = _as_float_array(mean_spend, "mean_spend", model)
    _check_lengths(model, frequency=x, mean_spend=m)
    _fail(model, "frequency", ~np.isfinite(x), x, "finite (no NaN or inf)", "Drop or fill those rows.")
    _fail(model, "frequency", x < 0, x, ">= 0", "frequency counts repeat purchases.")
    _fail(model, "frequency", x != np.round(x), x, "whole numbers", "frequency counts repeat purchases.")
    repeat = x > 0
    _fail(model, "mean_spend", repeat & ~(np.isfinite(m) & (m > 0)), m,
          "finite and > 0 where frequency > 0",
          "The Gamma-Gamma model needs a positive mean spend per repeat purchase; drop refunds-only "
          "customers or net them out before fitting.")
    return x, m, repeat


def weighted_sum(weights: np.ndarray, values: np.ndarray) -> float:
    """sum(weights * values). The likelihood code runs under a one-thread BLAS limit (see
    `_fit.maximise_likelihood`): multi-threaded BLAS on a busy machine spends far longer waking
    threads than adding (seen: 50x slower)."""
    return float(np.dot(weights, values))


def distinct_whole_numbers(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(distinct values, index of each entry's value) for whole numbers >= 0, in O(n) by counting
    instead of sorting: functions of the frequency alone are then evaluated once per distinct value."""
    codes = x.astype(np.int64)
    present = np.bincount(codes) > 0
    return np.flatnonzero(present).astype(np.float64), (np.cumsum(present) - 1)[codes]


@dataclass(frozen=True)
class Collapsed:
    """Distinct rows of the sufficient statistics and the total weight on each."""

    columns: tuple[np.ndarray, ...]
    weights: np.ndarray


def _sortable_int64(values: np.ndarray) -> np.ndarray:
    """int64 keys with the same order as the (finite) float64 values: IEEE bits, with the
    non-sign bits flipped for negatives; adding 0.0 turns -0.0 into 0.0."""
    bits = (values.astype(np.float64) + 0.0).view(np.int64)
    if bits.min() >= 0:
        return bits
    return np.where(bits < 0, bits ^ np.int64(0x7FFFFFFFFFFFFFFF), bits)


def distinct_rows(*columns: np.ndarray) -> tuple[tuple[np.ndarray, ...], np.ndarray]:
    """Distinct rows of `columns` (sorted) and, for each input row, the index of its distinct row."""
    # Successive stable sorts, last column first, of order-preserving int64 keys: numpy
    # radix-sorts int64 stably, several times faster than np.lexsort on floats or
    # np.unique(axis=0) (which compares rows as opaque byte strings).
    order = np.arange(len(columns[0]))
    for column in columns[::-1]:
        order = order[np.argsort(_sortable_int64(column)[order], kind="stable")]
    ordered = [c[order] for c in columns]
    starts = np.ones(len(order), dtype=bool)
    if len(order):
        starts[1:] = np.any([c[1:] != c[:-1] for c in ordered], axis=0)
    inverse = np.empty(len(order), dtype=np.int64)
    inverse[order] = np.cumsum(starts) - 1
    return tuple(c[starts] for c in ordered), inverse


def collapse(*columns: np.ndarray, weights: np.ndarray) -> Collapsed:
    """Merge identical rows of `columns`, summing their weights (rows of weight 0 are dropped)."""
    keep = weights > 0
    kept = list(columns) if keep.all() else [c[keep] for c in columns]
    kept_weights = weights if keep.all() else weights[keep]
    unique, inverse = distinct_rows(*kept)
    return Collapsed(columns=unique, weights=np.bincount(inverse, weights=kept_weights, minlength=len(unique[0])))
