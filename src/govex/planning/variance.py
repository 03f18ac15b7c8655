"""Budget vs actual cost variance split into volume, mix, handle time, utilisation, shrinkage and price.

Cost of a month is a sum over cells (queue x vendor):

    cost = total volume x share_i x AHT_i / 3600 / utilisation_i / (1 - shrinkage_i) x price_i

(the `CostDrivers` identity of `vendors.py`, with each cell's volume written as the month's
total times its share, so a shift of volume between cells, at different prices or handle
times, is the mix effect). Each cell's change is split among the six factors by their Shapley
values: the average, over every order of switching the factors from plan to actual, of the
change each switch makes (Shapley, "A value for n-person games", 1953; used for index
decomposition by Albrecht, Francois & Schoors, Energy Economics 24, 2002). Unlike a
one-at-a-time chain the split does not depend on an order, and it adds up to actual - plan.
It is computed in exact rational arithmetic on the decimals given, so the parts sum to the
total exactly; the figures shown are rounded to cents by largest remainder, so they add up
too.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations

from govex.planning._inputs import PlanningInputError

FACTORS = ("volume", "mix", "handle_time", "utilisation", "shrinkage", "price")
CELL_FIELDS = ("volume", "handle_time_s", "utilisation", "shrinkage", "price_per_paid_hour")


@dataclass(frozen=True)
class VarianceSplit:
    """Plan and actual cost, and the effect of each factor in `FACTORS` (exact and in cents)."""

    plan_cost: Fraction
    actual_cost: Fraction
    effects: dict[str, Fraction]

    @property
    def total(self) -> Fraction:
        return self.actual_cost - self.plan_cost

    def rounded(self) -> dict[str, float]:
        """Effects in cents, rounded by largest remainder so they add up to the rounded total."""
        total_cents = round(self.total * 100)
        floors = {k: math.floor(v * 100) for k, v in self.effects.items()}
        short = total_cents - sum(floors.values())
        order = sorted(self.effects, key=lambda k: self.effects[k] * 100 - floors[k], reverse=True)
        for k in order[:short]:
            floors[k] += 1
        return {k: floors[k] / 100 for k in FACTORS}

    def text(self, currency: str = "") -> str:
        cents = self.rounded()
        lines = [f"plan cost    {float(self.plan_cost):>14,.2f} {currency}",
                 f"actual cost  {float(self.actual_cost):>14,.2f} {currency}",
                 f"variance     {float(self.total):>14,.2f}  = sum of:"]
        lines += [f"  {k:<11}{v:>14,.2f}" for k, v in cents.items()]
        return "\n".join(lines)


def _exact(name: str, cell: str, value) -> Fraction:
    try:
        out = Fraction(str(value))
    except (ValueError, TypeError):
        raise PlanningInputError(f"{cell}: {name} expected a number, got {value!r}") from None
    return out


def _check(cell: str, row: dict) -> dict[str, Fraction]:
    missing = [f for f in CELL_FIELDS if f not in row]
    if missing:
        raise PlanningInputError(f"{cell}: missing {', '.join(missing)}")
    v = {f: _exact(f, cell, row[f]) for f in CELL_FIELDS}
    if v["volume"] < 0 or v["handle_time_s"] < 0 or v["price_per_paid_hour"] < 0:
        raise PlanningInputError(f"{cell}: volume, handle_time_s and price_per_paid_hour must be >= 0")
    if not 0 < v["utilisation"] <= 1:
        raise PlanningInputError(f"{cell}: utilisation must be in (0, 1], got {row['utilisation']}")
    if not 0 <= v["shrinkage"] < 1:
        raise PlanningInputError(f"{cell}: shrinkage must be in [0, 1), got {row['shrinkage']}")
    return v


def _factors(total: Fraction, cell: dict[str, Fraction]) -> dict[str, Fraction]:
    share = cell["volume"] / total if total else Fraction(0)
    return {"volume": total, "mix": share, "handle_time": cell["handle_time_s"] / 3600,
            "utilisation": 1 / cell["utilisation"], "shrinkage": 1 / (1 - cell["shrinkage"]),
            "price": cell["price_per_paid_hour"]}


def _product(values) -> Fraction:
    out = Fraction(1)
    for v in values:
        out *= v
    return out


def split_cost_variance(plan: dict[str, dict], actual: dict[str, dict]) -> VarianceSplit:
    """Exact Shapley split of actual - plan cost; `plan` and `actual` map cell name -> drivers.

    Each cell's drivers are `volume, handle_time_s, utilisation, shrinkage,
    price_per_paid_hour`. A cell on one side only has a zero share on the other, with the
    other side's handle time, utilisation, shrinkage and price (so its whole cost is volume and
    mix). Both months need some volume (the mix of nothing is undefined).
    """
    if not plan or not actual:
        raise PlanningInputError("variance split needs at least one cell in the plan and in the actual")
    p = {k: _check(f"plan cell {k}", v) for k, v in plan.items()}
    a = {k: _check(f"actual cell {k}", v) for k, v in actual.items()}
    total_p, total_a = sum(c["volume"] for c in p.values()), sum(c["volume"] for c in a.values())
    if total_p == 0 or total_a == 0:
        raise PlanningInputError("variance split: plan and actual each need a total volume above 0")
    n = len(FACTORS)
    weight = {s: Fraction(math.factorial(s) * math.factorial(n - s - 1), math.factorial(n)) for s in range(n)}
    effects = dict.fromkeys(FACTORS, Fraction(0))
    plan_cost = actual_cost = Fraction(0)
    for cell in sorted(set(p) | set(a)):
        before = _factors(total_p, p.get(cell) or {**a[cell], "volume": Fraction(0)})
        after = _factors(total_a, a.get(cell) or {**p[cell], "volume": Fraction(0)})
        cost = {}

        def value(switched: frozenset) -> Fraction:
            if switched not in cost:
                cost[switched] = _product(after[f] if f in switched else before[f] for f in FACTORS)
            return cost[switched]

        plan_cost += value(frozenset())
        actual_cost += value(frozenset(FACTORS))
        for k in FACTORS:
            others = [f for f in FACTORS if f != k]
            for size in range(n):
                for subset in combinations(others, size):
                    s = frozenset(subset)
                    effects[k] += weight[size] * (value(s | {k}) - value(s))
    return VarianceSplit(plan_cost, actual_cost, effects)


def read_cells(path) -> dict[str, dict]:
    """Cells of one month from CSV: a `cell` column (e.g. queue/vendor) and the five drivers.

    Values are kept as the text in the file, so the split works on the decimals as written.
    """
    import csv
    from pathlib import Path

    path = Path(path)
    if not path.exists():
        raise PlanningInputError(f"{path}: file not found")
    with path.open(newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in ("cell", *CELL_FIELDS) if c not in (reader.fieldnames or [])]
        if missing:
            raise PlanningInputError(f"{path}: missing column(s) {', '.join(missing)}")
        cells: dict[str, dict] = {}
        for line, row in enumerate(reader, start=2):
            if row["cell"] in cells:
                raise PlanningInputError(f"{path}, row {line}: cell {row['cell']!r} appears twice")
            try:
                cells[row["cell"]] = _check(row["cell"], {f: row[f] for f in CELL_FIELDS})
            except PlanningInputError as exc:
                raise PlanningInputError(f"{path}, row {line}: {exc}") from None
    return cells
