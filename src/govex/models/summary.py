"""From a transaction log to the per-customer calibration summary the CLV models fit.

This is the in-memory (pandas) route for files; the warehouse route builds the same table in the
engine. Purchases are counted as distinct purchase days, the convention of the BG/NBD and
Pareto/NBD literature: several orders on one day are one purchase occasion.
"""
from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from govex.errors import ModelError

TimeUnit = Literal["day", "week", "month", "year"]
# The one table of time units (the warehouse route imports it too). A year is the mean Julian
# year of 365.25 days and a month a twelfth of it, so months add up to years exactly.
DAYS_PER_UNIT: dict[str, float] = {"day": 1.0, "week": 7.0, "month": 365.25 / 12, "year": 365.25}


def repeat_purchase_summary(
    transactions: pd.DataFrame,
    *,
    customer_col: str,
    date_col: str,
    calibration_end,
    amount_col: str | None = None,
    time_unit: TimeUnit = "week",
) -> pd.DataFrame:
    """Summarise transactions up to `calibration_end` into frequency, recency, T (and spend).

    Parameters
    ----------
    transactions
        One row per transaction.
    customer_col, date_col
        Columns holding the customer id and the transaction date (or timestamp; the time of day
        is dropped).
    calibration_end
        Last day of the calibration period (inclusive); later transactions are ignored.
    amount_col
        Optional column of transaction values; adds ``monetary_value``, the mean value of the
        repeat purchase days (the first purchase day is excluded, as in the Gamma-Gamma model),
        0 for customers without a repeat purchase.
    time_unit
        Unit of recency and T: day, week (7 days), month (365.25 / 12 days) or year (365.25 days).

    Returns
    -------
    pandas.DataFrame
        Indexed by customer id, columns ``frequency`` (repeat purchase days), ``recency`` (age at
        the last purchase day), ``T`` (age at the calibration end), and ``monetary_value`` when
        `amount_col` is given. Customers whose first purchase is after the calibration end are
        left out.
    """
    if time_unit not in DAYS_PER_UNIT:
        raise ModelError(f"repeat_purchase_summary: time_unit must be one of {sorted(DAYS_PER_UNIT)}; got {time_unit!r}.")
    wanted = [customer_col, date_col] + ([amount_col] if amount_col else [])
    missing = [c for c in wanted if c not in transactions.columns]
    if missing:
        raise ModelError(
            f"repeat_purchase_summary: column(s) {missing} not in the transactions; "
            f"available: {list(transactions.columns)}."
        )
    try:
        end = pd.Timestamp(calibration_end).normalize()
    except (TypeError, ValueError) as exc:
        raise ModelError(f"repeat_purchase_summary: calibration_end {calibration_end!r} is not a date ({exc}).") from exc
    days = _purchase_days(transactions, date_col)
    frame = pd.DataFrame({"customer": transactions[customer_col].to_numpy(), "day": days})
    if frame["customer"].isna().any():
        row = int(np.flatnonzero(frame["customer"].isna().to_numpy())[0])
        raise ModelError(f"repeat_purchase_summary: `{customer_col}` is empty at row {row}; every transaction needs a customer.")
    if amount_col:
        amount = pd.to_numeric(transactions[amount_col], errors="coerce").to_numpy(dtype=np.float64)
        if not np.isfinite(amount).all():
            row = int(np.flatnonzero(~np.isfinite(amount))[0])
            raise ModelError(
                f"repeat_purchase_summary: `{amount_col}` is not a finite number at row {row} "
                f"(value {transactions[amount_col].iloc[row]!r}); fill or drop it."
            )
        frame["amount"] = amount
    frame = frame[frame["day"] <= end]
    if frame.empty:
        raise ModelError(f"repeat_purchase_summary: no transaction on or before the calibration end {end.date()}.")
    per_day = frame.groupby(["customer", "day"], sort=True).sum() if amount_col else (
        frame.drop_duplicates().set_index(["customer", "day"]).sort_index())
    per_day = per_day.reset_index()
    grouped = per_day.groupby("customer", sort=True)
    first, last = grouped["day"].min(), grouped["day"].max()
    unit = DAYS_PER_UNIT[time_unit]
    summary = pd.DataFrame({
        "frequency": grouped.size() - 1,
        "recency": (last - first).dt.days / unit,
        "T": (end - first).dt.days / unit,
    })
    if amount_col:
        total = grouped["amount"].sum()
        first_day_amount = per_day.drop_duplicates("customer").set_index("customer")["amount"]
        repeat_total = total - first_day_amount
        summary["monetary_value"] = np.where(summary["frequency"] > 0, repeat_total / summary["frequency"].clip(lower=1), 0.0)
    summary.index.name = customer_col
    return summary


def _purchase_days(transactions: pd.DataFrame, date_col: str) -> pd.Series:
    column = transactions[date_col]
    parsed = pd.to_datetime(column, errors="coerce")
    if parsed.isna().any():
        # pandas infers one format from the first value; a column mixing "2024-01-01" and
        # "2024-01-01 18:30" needs element-wise parsing (slower, so only on this fallback path).
        parsed = pd.to_datetime(column, errors="coerce", format="mixed")
    bad = parsed.isna().to_numpy()
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ModelError(
            f"repeat_purchase_summary: `{date_col}` is not a date at row {row} (value {column.iloc[row]!r}); "
            "parse the column first or pass ISO dates (YYYY-MM-DD)."
        )
    return parsed.dt.normalize().reset_index(drop=True)
