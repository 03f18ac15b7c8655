"""Checks and exact arithmetic shared by the planning kernels.

Planning inputs arrive as numbers typed by people (0.85, 0.3, 187.5 s). Compared as binary floats
they land on the wrong side of integer boundaries (14 / (1 - 0.3) = 20.000000000000004), so every
"smallest integer N with x / N <= cap" test is done in integers on the decimal the user meant.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np

from govex.errors import PlanningInputError

__all__ = ["PlanningInputError"]

# Products of numerators and denominators stay below this bound in int64; above it, Python ints.
_INT64_SAFE = 2**62
_MAX_DECIMALS = 9


def as_array(name: str, value, *, size: int | None = None) -> np.ndarray:
    """A 1-D float64 array of `value`, broadcast to `size`; non-finite values are refused."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise PlanningInputError(f"{name}: expected numbers, got {value!r} ({exc})") from None
    arr = np.atleast_1d(arr).ravel()
    if size is not None and arr.size != size:
        if arr.size != 1:
            raise PlanningInputError(f"{name}: expected 1 or {size} values, got {arr.size}")
        arr = np.full(size, arr[0])
    bad = ~np.isfinite(arr)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise PlanningInputError(f"{name}: value {arr[i]!r} at row {i} is not a finite number; pass a real value")
    return arr


def check_range(
    name: str,
    arr: np.ndarray,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    fix: str = "",
) -> None:
    """Raise PlanningInputError naming the first row outside [low, high] (open ends where asked)."""
    bad = np.zeros(arr.shape, dtype=bool)
    if low is not None:
        bad |= arr <= low if low_open else arr < low
    if high is not None:
        bad |= arr >= high if high_open else arr > high
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        lo = "" if low is None else f"{'>' if low_open else '>='} {low:g}"
        hi = "" if high is None else f"{'<' if high_open else '<='} {high:g}"
        expected = " and ".join(p for p in (lo, hi) if p)
        where = f" at row {i}" if arr.size > 1 else ""
        more = f" ({int(bad.sum())} rows in all)" if bad.sum() > 1 else ""
        raise PlanningInputError(
            f"{name}{where}: expected {expected}, got {arr[i]:g}{more}" + (f"; {fix}" if fix else "")
        )


def as_rational(arr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact numerator and denominator arrays of the decimals the user meant.

    Each value is read as the shortest decimal with up to nine places that the float rounds from
    (0.85 -> 85/100); values with no such decimal fall back to the nearest fraction with a
    denominator below 10**9.
    """
    num = np.zeros(arr.shape, dtype=np.int64)
    den = np.zeros(arr.shape, dtype=np.int64)
    todo = np.ones(arr.shape, dtype=bool)
    for places in range(_MAX_DECIMALS + 1):
        scale = 10**places
        scaled = arr[todo] * scale
        rounded = np.rint(scaled)
        ok = (np.abs(scaled - rounded) <= 1e-9 * np.maximum(1.0, np.abs(scaled))) & (np.abs(rounded) < 2**53)
        idx = np.flatnonzero(todo)[ok]
        num[idx] = rounded[ok].astype(np.int64)
        den[idx] = scale
        todo[idx] = False
        if not todo.any():
            return num, den
    for i in np.flatnonzero(todo):
        frac = Fraction(float(arr[i])).limit_denominator(10**_MAX_DECIMALS)
        num[i], den[i] = frac.numerator, frac.denominator
    return num, den


def exact_products(*factors: np.ndarray) -> np.ndarray:
    """Elementwise product of integer arrays, in int64 when safe, else in Python ints (exact)."""
    bound = 1.0
    for f in factors:
        bound *= float(np.max(np.abs(f), initial=1))
    if bound < _INT64_SAFE:
        out = np.ones(factors[0].shape, dtype=np.int64)
        for f in factors:
            out = out * f.astype(np.int64)
        return out
    out = np.ones(factors[0].shape, dtype=object)
    for f in factors:
        out = out * f.astype(object)
    return out


def ceil_div(numer: np.ndarray, denom: np.ndarray) -> np.ndarray:
    """Exact ceiling of numer / denom for non-negative integer arrays (int64 result)."""
    return np.asarray(-((-numer) // denom)).astype(np.int64)
