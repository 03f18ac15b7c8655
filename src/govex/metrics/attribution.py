"""Metric-tree attribution: how much of an output metric's change each input metric explains.

For a product Y = x1 x2 ... xk the log-mean Divisia split is exact:
contribution_i = L(Y1, Y0) ln(x_i1 / x_i0) with L(a, b) = (a - b) / (ln a - ln b), and the
contributions add up to Y1 - Y0. For a sum, contribution_i = x_i1 - x_i0. Contributions of a
child's own children are rescaled into the root metric's units and split further down the tree.

References
----------
.. [1] Ang, B. W. (2004). Decomposition analysis for policymaking in energy: which is the
   preferred method? Energy Policy 32(9), 1131-1139 (LMDI-I).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import numpy as np
import pandas as pd

from govex.engine.warehouse import Warehouse
from govex.errors import ConfigError
from govex.metrics.compute import compute_metrics, shipped_catalogue
from govex.metrics.currency import DEFAULT_REPORTING_CURRENCY
from govex.metrics.model import Catalogue
from govex.metrics.plan import period_end


def log_mean(a: float, b: float) -> float:
    """Logarithmic mean L(a, b); equals a when a == b."""
    return a if np.isclose(a, b, rtol=1e-15, atol=0) else (a - b) / (np.log(a) - np.log(b))


def attribute_tree(catalogue: Catalogue, metric: str, before: Mapping[str, float], after: Mapping[str, float]) -> pd.DataFrame:
    """Split the change of `metric` over its tree, from values of every node in two periods.

    Returns one row per descendant: metric, parent, depth, before, after, contribution (in the
    root metric's units) and share of the root change.
    """
    rows: list[dict] = []
    total = after[metric] - before[metric]

    def split(name: str, scale: float, depth: int) -> None:
        kids = catalogue.children(name)
        if not kids:
            return
        relation = kids[0].relation
        for kid in kids:
            if kid.name not in before or kid.name not in after:
                raise ConfigError(f"attribution of {metric!r} needs the value of {kid.name!r} in both periods")
        if relation == "product":
            y0 = np.prod([before[k.name] for k in kids])
            y1 = np.prod([after[k.name] for k in kids])
            if min(y0, y1) <= 0 or min(min(before[k.name], after[k.name]) for k in kids) <= 0:
                raise ConfigError(f"log decomposition of {name!r} needs positive values of its factors in both periods")
            weight = log_mean(y1, y0)
            parts = {k.name: weight * np.log(after[k.name] / before[k.name]) for k in kids}
            implied = y1 - y0
        else:
            parts = {k.name: after[k.name] - before[k.name] for k in kids}
            implied = sum(parts.values())
        for kid in kids:
            contribution = parts[kid.name] * scale
            rows.append({"metric": kid.name, "parent": name, "depth": depth, "relation": relation,
                         "before": before[kid.name], "after": after[kid.name], "contribution": contribution,
                         "share": contribution / total if total else np.nan})
            child_change = after[kid.name] - before[kid.name]
            split(kid.name, contribution / child_change if child_change else 0.0, depth + 1)
        actual = after[name] - before[name]
        if catalogue[name].kind != "tree" and not np.isclose(actual, implied):
            residual = (actual - implied) * scale
            rows.append({"metric": "(residual)", "parent": name, "depth": depth, "relation": relation,
                         "before": np.nan, "after": np.nan, "contribution": residual,
                         "share": residual / total if total else np.nan})

    split(metric, 1.0, 1)
    return pd.DataFrame(rows)


def subtree(catalogue: Catalogue, metric: str) -> list[str]:
    """`metric` and all its descendants."""
    out = [metric]
    for kid in catalogue.children(metric):
        out.extend(subtree(catalogue, kid.name))
    return out


def attribute_change(
    warehouse: Warehouse,
    *,
    metric: str,
    before: dt.date | str,
    after: dt.date | str,
    period: str = "month",
    slice: Mapping[str, str] | None = None,
    catalogue: Catalogue | None = None,
    reporting_currency: str = DEFAULT_REPORTING_CURRENCY,
) -> pd.DataFrame:
    """Attribute the change of `metric` between the periods starting `before` and `after` (money in `reporting_currency`)."""
    catalogue = catalogue or shipped_catalogue()
    if metric not in catalogue or not catalogue.children(metric):
        raise ConfigError(f"{metric!r} is not a metric with children in the metric tree")
    slice = dict(slice or {})
    names = subtree(catalogue, metric)
    values: dict[str, dict[str, float]] = {"before": {}, "after": {}}
    for label, start in (("before", before), ("after", after)):
        cube = compute_metrics(warehouse, metrics=names, by=list(slice), period=period, start=start,
                               end=_end(start, period), catalogue=catalogue, partial=True,
                               reporting_currency=reporting_currency)
        for dim, value in slice.items():
            cube = cube[cube[dim].isin([value, "(all)"])]
        for name in names:
            hit = cube[cube["metric"] == name]
            if len(hit) != 1:
                raise ConfigError(f"{name!r} has {len(hit)} cells for the period starting {start} and slice {slice}; expected 1")
            values[label][name] = float(hit["value"].iloc[0])
    return attribute_tree(catalogue, metric, values["before"], values["after"])


def _end(start: dt.date | str, period: str) -> dt.date:
    return period_end(dt.date.fromisoformat(str(start)), period)
