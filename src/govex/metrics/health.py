"""Segment health: one documented composite per segment and period, with its components shown.

Each component metric is computed by the segment of one framework and period, oriented so that
higher is better, and scaled across all segment x period cells (``pooled_zscore``: z-score;
``minmax``: 0-1). The score is the weighted mean of the scaled components (weights renormalised
over the components a cell has), reported as a T-score ``50 + 10 z`` or as ``100 x`` min-max.
Movers rank segments by the change of their score between the last two periods, naming the
component that moved it most.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from govex.engine.warehouse import Warehouse
from govex.errors import ConfigError
from govex.metrics.compute import compute_metrics, shipped_catalogue
from govex.metrics.currency import DEFAULT_REPORTING_CURRENCY
from govex.metrics.model import Catalogue

DEFAULT_HEALTH = Path(__file__).parent / "health.yaml"
ORDERS = "orders"  # the metric that sizes each score


class Component(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    metric: str
    weight: float = Field(gt=0)


class HealthConfig(BaseModel):
    """Which framework, period, components, weights and scaling make up segment health."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    framework: str = "value"
    period: Literal["day", "week", "month", "quarter"] = "month"
    scale: Literal["pooled_zscore", "minmax"] = "pooled_zscore"
    components: tuple[Component, ...] = Field(min_length=1)


@dataclass(frozen=True)
class HealthReport:
    """Scores per segment x period (with the orders behind each), the scaled components behind them, and
    the biggest movers."""

    scores: pd.DataFrame
    components: pd.DataFrame
    movers: pd.DataFrame


def load_health_config(path: str | Path = DEFAULT_HEALTH) -> HealthConfig:
    path = Path(path)
    try:
        return HealthConfig.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read health config {path}: {exc}") from exc
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"invalid health config {path}: {problems}") from None


def segment_health(
    warehouse: Warehouse,
    *,
    config: HealthConfig | None = None,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
    catalogue: Catalogue | None = None,
    reporting_currency: str = DEFAULT_REPORTING_CURRENCY,
) -> HealthReport:
    """Compute the health composite of every segment of the configured framework (money in `reporting_currency`)."""
    config = config or load_health_config()
    catalogue = catalogue or shipped_catalogue()
    dim = f"segment:{config.framework}"
    bad = [c.metric for c in config.components if c.metric not in catalogue or not catalogue.allows(c.metric, dim)]
    if bad:
        raise ConfigError(f"health components {', '.join(bad)} are unknown or cannot be cut by segment")
    weights = {c.metric: c.weight for c in config.components}
    # each score's orders come from the same query: the sample a reader weighs a score or a move by
    sized = warehouse.has("orders") and ORDERS in catalogue and catalogue.allows(ORDERS, dim)
    cube = compute_metrics(warehouse, metrics=list(dict.fromkeys([*weights, *([ORDERS] if sized else [])])), by=[dim],
                           period=config.period, start=start, end=end, catalogue=catalogue,
                           reporting_currency=reporting_currency)
    cube = cube.rename(columns={dim: "segment"})
    orders = cube[cube["metric"] == ORDERS].set_index(["period_start", "segment"])["value"]
    parts = cube.loc[cube["metric"].isin(weights), ["metric", "period_start", "segment", "value"]].copy()
    parts["weight"] = parts["metric"].map(weights)
    sign = parts["metric"].map(lambda m: 1.0 if catalogue[m].direction == "higher" else -1.0)
    grouped = parts.groupby("metric")["value"]
    if config.scale == "pooled_zscore":
        sd = grouped.transform(lambda v: v.std(ddof=0)).replace(0, np.nan)
        parts["scaled"] = sign * (parts["value"] - grouped.transform("mean")) / sd
    else:
        low, high = grouped.transform("min"), grouped.transform("max")
        raw = (parts["value"] - low) / (high - low).replace(0, np.nan)
        parts["scaled"] = np.where(sign > 0, raw, 1 - raw)
    parts = parts.dropna(subset=["scaled"]).copy()  # cells with no value (events without a denominator) have no score
    parts["weighted"] = parts["scaled"] * parts["weight"]
    totals = parts.groupby(["period_start", "segment"]).agg(weighted=("weighted", "sum"), weight=("weight", "sum"),
                                                            components=("metric", "count")).reset_index()
    composite = totals["weighted"] / totals["weight"]
    totals["health"] = 50 + 10 * composite if config.scale == "pooled_zscore" else 100 * composite
    scores = totals[["period_start", "segment", "health", "components"]].copy()
    keys = pd.MultiIndex.from_frame(scores[["period_start", "segment"]])
    scores["orders"] = orders.reindex(keys).fillna(0.0).to_numpy() if sized else np.nan  # 0: no order that period
    parts["contribution"] = parts["weighted"] / parts.groupby(["period_start", "segment"])["weight"].transform("sum")
    return HealthReport(scores=scores, components=parts.drop(columns="weighted"), movers=_movers(scores, parts, config.scale))


def _movers(scores: pd.DataFrame, parts: pd.DataFrame, scale: str) -> pd.DataFrame:
    periods = sorted(scores["period_start"].unique())
    if len(periods) < 2:
        return pd.DataFrame(columns=["segment", "health_before", "health_after", "change", "main_component"])
    before, after = periods[-2], periods[-1]
    wide = scores.pivot(index="segment", columns="period_start", values="health")[[before, after]].dropna()
    factor = 10 if scale == "pooled_zscore" else 100
    contrib = parts.pivot_table(index="segment", columns=["period_start", "metric"], values="contribution")
    rows = []
    for segment, (h0, h1) in wide.iterrows():
        deltas = {m: factor * (contrib.get((after, m), pd.Series()).get(segment, np.nan)
                               - contrib.get((before, m), pd.Series()).get(segment, np.nan))
                  for m in parts["metric"].unique()}
        deltas = {m: d for m, d in deltas.items() if np.isfinite(d)}
        main = max(deltas, key=lambda m: abs(deltas[m])) if deltas else ""
        rows.append({"segment": segment, "health_before": h0, "health_after": h1, "change": h1 - h0, "main_component": main})
    movers = pd.DataFrame(rows)
    return movers.reindex(movers["change"].abs().sort_values(ascending=False).index).reset_index(drop=True)
