"""Friction finder: segment x journey cells whose experience trails the best comparable cell.

For each journey, segments are compared with the best segment of the same journey (the cell
with the best value among those with enough volume, so a lucky 15-order cell is not the
benchmark). Each gap is sized at the cell's own volume:

* contacts avoidable = (contact rate - best contact rate) x volume, and their cost at the cell's
  cost per contact;
* repeat contacts avoidable: the repeat-rate gap applied to the contacts that remain once the
  avoidable ones are gone (an avoided contact has no repeat), so the two never add up to more
  than the cell's contacts;
* satisfaction points = (best CSAT - CSAT) x responses (CSAT points summed over responses);
* resolution hours = (resolution time - best) x contacts.

Cells are ranked by the money at stake, then CSAT points; the table is the input to playbooks.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from govex.analysis._cube import check_columns, numeric_column
from govex.errors import ConfigError


def find_friction(
    cells: pd.DataFrame,
    *,
    segment: str = "segment",
    journey: str = "journey",
    volume: str = "orders",
    contacts: str = "contacts",
    repeat_contacts: str = "repeat_contacts",
    csat_sum: str = "csat_sum",
    csat_responses: str = "csat_responses",
    resolution_hours_sum: str = "resolution_hours_sum",
    cost: str = "cost",
    min_volume: float = 200.0,
    min_contacts: float = 0.0,
) -> pd.DataFrame:
    """Rank segment x journey cells by sized experience gaps against the best cell of their journey.

    Parameters
    ----------
    cells : one row per segment x journey with additive measures (sums and counts), so rates are
        computed here and cells can be re-aggregated safely.
    volume : exposure (orders or customers) that contact rates are per.
    cost : cost-to-serve of the cell's contacts (reporting currency).
    min_volume : cells below it are reported but never serve as the benchmark.
    min_contacts : likewise for contacts: a repeat rate or CSAT on a handful of contacts is no benchmark.

    Returns
    -------
    One row per cell with rates, the journey's best values, gaps, and the sized opportunity
    (``contacts_avoidable``, ``repeat_avoidable``, ``cost_opportunity``, ``csat_points``,
    ``resolution_hours_avoidable``), best opportunity first.
    """
    measures = [volume, contacts, repeat_contacts, csat_sum, csat_responses, resolution_hours_sum, cost]
    check_columns(cells, dims=[segment, journey], measures=measures, what="cells")
    data = cells[[segment, journey]].astype("string").copy()
    for m in measures:
        data[m] = numeric_column(cells, m, what="cells", nonnegative=True)
    data = data.groupby([segment, journey], as_index=False, sort=True)[measures].sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        data["contact_rate"] = data[contacts] / data[volume]
        data["repeat_rate"] = data[repeat_contacts] / data[contacts]
        data["csat"] = data[csat_sum] / data[csat_responses]
        data["resolution_hours"] = data[resolution_hours_sum] / data[contacts]
        data["cost_per_contact"] = data[cost] / data[contacts]
    eligible = (data[volume] >= min_volume) & (data[contacts] >= min_contacts)
    if not eligible.any():
        raise ConfigError(f"no cell has {volume} >= {min_volume} and {contacts} >= {min_contacts}; lower min_volume or "
                          "min_contacts to find a benchmark")
    lower_is_better = {"contact_rate": True, "repeat_rate": True, "csat": False, "resolution_hours": True}
    for metric, lower in lower_is_better.items():
        ref = data[metric].where(eligible)
        best = ref.groupby(data[journey]).transform("min" if lower else "max")
        data[f"best_{metric}"] = best
        gap = (data[metric] - best) if lower else (best - data[metric])
        data[f"{metric}_gap"] = gap.clip(lower=0.0).fillna(0.0)
    data["contacts_avoidable"] = data["contact_rate_gap"] * data[volume]
    data["repeat_avoidable"] = data["repeat_rate_gap"] * (data[contacts] - data["contacts_avoidable"])
    data["cost_opportunity"] = ((data["contacts_avoidable"] + data["repeat_avoidable"])
                                * data["cost_per_contact"].fillna(0.0))
    data["csat_points"] = data["csat_gap"] * data[csat_responses]
    data["resolution_hours_avoidable"] = data["resolution_hours_gap"] * data[contacts]
    data["benchmark_eligible"] = eligible
    return data.sort_values(["cost_opportunity", "csat_points"], ascending=False, ignore_index=True)
