"""Validation of analysis inputs: a cube is a frame of leaf cells with named measure columns."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from govex.errors import ContractError, Issue, IssueLevel, Location


def _error(message: str, where: Location, examples: tuple = ()) -> Issue:
    return Issue(IssueLevel.ERROR, message, where=where, examples=examples)


def check_columns(frame: pd.DataFrame, *, dims: Sequence[str], measures: Sequence[str], what: str) -> None:
    """Raise one ContractError naming every missing dimension or measure column.

    Parameters
    ----------
    frame : the input table.
    dims : categorical columns the analysis groups by.
    measures : numeric columns it reads.
    what : name of the input used in messages (a file name or 'cube').
    """
    issues: list[Issue] = []
    available = ", ".join(map(str, frame.columns))
    for kind, names in (("dimension", dims), ("measure", measures)):
        for name in names:
            if name not in frame.columns:
                issues.append(
                    _error(
                        f"unknown {kind} column {name!r}; the input has: {available}. "
                        f"Fix the column name or add the column.",
                        where=Location(file=what),
                    )
                )
    if not dims and not issues:
        issues.append(_error("no dimension given; pass at least one categorical column", where=Location(file=what)))
    if issues:
        raise ContractError(issues, summary=f"invalid input {what}")


def numeric_column(frame: pd.DataFrame, name: str, *, what: str, nonnegative: bool) -> np.ndarray:
    """Return a column as float64, refusing text, missing values and (for counts) negatives."""
    column = frame[name]
    values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=np.float64)
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        examples = tuple(f"row {int(i)}: {column.iloc[i]!r}" for i in bad[:5])
        raise ContractError(
            [_error(f"column {name!r} must be a finite number in every row; {bad.size} row(s) are not. "
                    "Fill or drop those rows.", where=Location(file=what, column=name, rows=int(bad.size)),
                    examples=examples)],
            summary=f"invalid input {what}",
        )
    if nonnegative:
        negative = np.flatnonzero(values < 0)
        if negative.size:
            examples = tuple(f"row {int(i)}: {values[i]}" for i in negative[:5])
            raise ContractError(
                [_error(f"column {name!r} is a count or amount and must be >= 0; {negative.size} row(s) "
                        "are negative. Correct the data, or declare the measure signed "
                        "(allow_negative=True, CLI --allow-negative).",
                        where=Location(file=what, column=name, rows=int(negative.size)), examples=examples)],
                summary=f"invalid input {what}",
            )
    return values
