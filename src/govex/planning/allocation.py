"""Allocation: route queue workload across vendor-sites at least cost, and split a budget.

(a) `route_volume` is a linear (or, with volume tiers, mixed-integer) programme solved by HiGHS
through scipy: staffed hours per vendor x queue, each queue's hours fixed by its service target
(sized by Erlang upstream), subject to vendor capacity, language, a minimum QA accuracy per queue
(hours-weighted) and contractual minimum commitments. Shadow prices are turned into sentences.
When no plan exists, constraint groups are relaxed one at a time to name the one that binds.

(b) `split_budget` spreads a budget over domain x market cells whose outcome follows a
diminishing-returns curve outcome(b) = scale x (1 - exp(-b / saturation)); the optimum equalises
marginal outcomes (found exactly by bisection on the common marginal value).

References
----------
.. [1] Q. Huangfu and J. A. J. Hall, "Parallelizing the dual revised simplex method",
   Mathematical Programming Computation 10, 2018 (HiGHS, the solver behind scipy's linprog/milp).
.. [2] H. P. Williams, "Model Building in Mathematical Programming", 5th ed., Wiley, 2013,
   sections 6.2 (interpreting dual values) and 9.3 (piecewise-linear costs with binaries).
.. [3] S. Boyd and L. Vandenberghe, "Convex Optimization", Cambridge UP, 2004, section 5.5.3
   (KKT conditions; water-filling for separable concave resource allocation).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from govex.errors import InfeasiblePlan
from govex.planning._inputs import PlanningInputError
from govex.planning.vendors import VendorTerms

__all__ = [
    "BudgetCell",
    "BudgetPlan",
    "QueueWorkload",
    "RoutingPlan",
    "route_volume",
    "split_budget",
]

# Groups relaxed, one at a time, to explain an infeasible routing problem.
RELAXABLE = ("capacity", "language", "quality", "min_commit")


class QueueWorkload(BaseModel):
    """One queue's weekly need: staffed hours that meet its service target, and who may serve it."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    queue: str
    hours_week: float = Field(ge=0)
    handle_time_s: float = Field(gt=0)
    language: str = "en"
    function: str = "customer_service"
    min_qa_accuracy: float | None = Field(default=None, ge=0, le=1)
    occupancy: float = Field(default=0.85, gt=0, le=1)
    shrinkage: float = Field(default=0.3, ge=0, lt=1)


def _cost_per_staffed_hour(vendor: VendorTerms, queue: QueueWorkload, rate: float) -> float:
    """Price of one staffed hour on `queue` under the vendor's billing unit."""
    if vendor.pricing_model == "per_hour":
        return rate
    if vendor.pricing_model == "per_fte_month":
        return rate / vendor.hours_per_fte_month / (1.0 - queue.shrinkage)
    contacts_per_hour = 3600.0 * queue.occupancy / queue.handle_time_s
    return rate * contacts_per_hour


@dataclass
class _Problem:
    """Columns (variables) and rows (constraints), each row tagged with its group and subject."""

    n: int
    cost: np.ndarray
    upper: np.ndarray
    integer: np.ndarray
    upper_group: list[str]
    rows: list[np.ndarray] = field(default_factory=list)
    lower_b: list[float] = field(default_factory=list)
    upper_b: list[float] = field(default_factory=list)
    group: list[str] = field(default_factory=list)
    subject: list[str] = field(default_factory=list)

    def add(self, coefs: np.ndarray, lo: float, hi: float, group: str, subject: str) -> None:
        self.rows.append(coefs)
        self.lower_b.append(lo)
        self.upper_b.append(hi)
        self.group.append(group)
        self.subject.append(subject)


@dataclass(frozen=True)
class RoutingPlan:
    """Least-cost routing: hours and cost per vendor x queue, and what the constraints cost."""

    allocation: object  # pandas DataFrame: vendor_id, queue, hours_week, cost_week
    total_cost_week: float
    currency: str
    shadow_prices: object  # pandas DataFrame: group, subject, value, explanation

    def explain(self) -> str:
        lines = [f"least weekly cost: {self.total_cost_week:,.2f} {self.currency}"]
        lines += [f"- {text}" for text in self.shadow_prices["explanation"]]
        return "\n".join(lines)


def route_volume(*, queues: list[QueueWorkload], vendors: list[VendorTerms]) -> RoutingPlan:
    """Least-cost weekly routing of queue hours to vendor-sites [1]_ [2]_.

    Raises InfeasiblePlan naming the constraint group that makes the plan impossible.
    """
    _check_routing_inputs(queues, vendors)
    problem, pairs, tier_cols = _build(queues, vendors, relax=())
    solution = _solve(problem)
    if solution is None:
        raise InfeasiblePlan(_explain_infeasible(queues, vendors))
    x, duals = solution
    return _routing_plan(queues, vendors, problem, pairs, tier_cols, x, duals)


def _check_routing_inputs(queues: list[QueueWorkload], vendors: list[VendorTerms]) -> None:
    if not queues:
        raise PlanningInputError("route_volume: no queues given")
    if not vendors:
        raise PlanningInputError("route_volume: no vendors given")
    currencies = {v.currency for v in vendors}
    if len(currencies) > 1:
        raise PlanningInputError(
            f"vendors bill in several currencies ({', '.join(sorted(currencies))}); convert rates to one first"
        )
    for name, items, key in (("queue", queues, "queue"), ("vendor", vendors, "vendor_id")):
        seen = [getattr(i, key) for i in items]
        dupes = sorted({s for s in seen if seen.count(s) > 1})
        if dupes:
            raise PlanningInputError(f"duplicate {name} ids: {', '.join(dupes)}")
    for v in vendors:
        if v.tiers and v.pricing_model == "per_transaction":
            raise PlanningInputError(
                f"vendor {v.vendor_id!r}: volume tiers are supported for hour-based pricing only in routing"
            )


def _build(queues, vendors, relax: tuple[str, ...]):
    pairs = [(vi, qi) for vi, v in enumerate(vendors) for qi, q in enumerate(queues) if v.function == q.function]
    tier_cols: dict[int, list[int]] = {}
    n_pair = len(pairs)
    n_tier = sum(len(v.tiers) for v in vendors if v.tiers)
    n_bin = sum(max(len(v.tiers) - 1, 0) for v in vendors if v.tiers and _concave(v))
    n = n_pair + n_tier + n_bin
    cost = np.zeros(n)
    upper = np.full(n, np.inf)
    integer = np.zeros(n, dtype=np.int8)
    upper_group = [""] * n
    for col, (vi, qi) in enumerate(pairs):
        v, q = vendors[vi], queues[qi]
        if not v.tiers:
            cost[col] = _cost_per_staffed_hour(v, q, v.rate)
        if "language" not in relax and q.language.lower() not in v.languages:
            upper[col] = 0.0
            upper_group[col] = "language"
    problem = _Problem(n, cost, upper, integer, upper_group)

    col = n_pair
    bin_col = n_pair + n_tier
    for vi, v in enumerate(vendors):
        if not v.tiers:
            continue
        starts = [t.from_units for t in v.tiers]
        widths = [b - a for a, b in zip(starts, starts[1:])] + [np.inf]
        cols = list(range(col, col + len(v.tiers)))
        tier_cols[vi] = cols
        for c, tier, width in zip(cols, v.tiers, widths):
            ref_queue = next(queues[qi] for vj, qi in pairs if vj == vi)
            problem.cost[c] = _cost_per_staffed_hour(v, ref_queue, tier.rate)
            problem.upper[c] = width
        # the tier columns add up to the vendor's hours
        row = np.zeros(n)
        row[cols] = 1.0
        for c_pair, (vj, _) in enumerate(pairs):
            if vj == vi:
                row[c_pair] = -1.0
        problem.add(row, 0.0, 0.0, "tiers", v.vendor_id)
        if _concave(v):
            # z_t = 1 lets tier t+1 be used only when tier t is full (falling prices need this)
            for t in range(len(cols) - 1):
                z = bin_col
                bin_col += 1
                problem.integer[z] = 1
                problem.upper[z] = 1.0
                fill = np.zeros(n)
                fill[cols[t]] = 1.0
                fill[z] = -widths[t]
                problem.add(fill, 0.0, np.inf, "tiers", v.vendor_id)
                gate = np.zeros(n)
                gate[cols[t + 1]] = 1.0
                gate[z] = -v.capacity_hours_week
                problem.add(gate, -np.inf, 0.0, "tiers", v.vendor_id)
        col += len(v.tiers)

    for qi, q in enumerate(queues):
        row = np.zeros(n)
        for c, (_, qj) in enumerate(pairs):
            if qj == qi:
                row[c] = 1.0
        problem.add(row, q.hours_week, q.hours_week, "demand", q.queue)
        if q.min_qa_accuracy is not None and "quality" not in relax:
            qa = np.zeros(n)
            for c, (vi, qj) in enumerate(pairs):
                if qj == qi:
                    accuracy = vendors[vi].qa_accuracy if vendors[vi].qa_accuracy is not None else 0.0
                    qa[c] = accuracy - q.min_qa_accuracy
            problem.add(qa, 0.0, np.inf, "quality", q.queue)
    for vi, v in enumerate(vendors):
        row = np.zeros(n)
        for c, (vj, _) in enumerate(pairs):
            if vj == vi:
                row[c] = 1.0
        hi = np.inf if "capacity" in relax else v.capacity_hours_week
        lo = 0.0 if "min_commit" in relax else v.min_commit_hours_week
        if np.isfinite(hi):
            problem.add(row, -np.inf, hi, "capacity", v.vendor_id)
        if lo > 0:
            problem.add(row, lo, np.inf, "min_commit", v.vendor_id)
    return problem, pairs, tier_cols


def _concave(v: VendorTerms) -> bool:
    rates = [t.rate for t in v.tiers]
    return any(b < a for a, b in zip(rates, rates[1:]))


def _solve(problem: _Problem):
    """Solve; return (x, duals per row) or None when infeasible. MILPs get duals from the LP
    with the binaries fixed at their optimum."""
    a = np.vstack(problem.rows) if problem.rows else np.zeros((0, problem.n))
    lo, hi = np.array(problem.lower_b), np.array(problem.upper_b)
    if problem.integer.any():
        res = milp(problem.cost, constraints=LinearConstraint(a, lo, hi), integrality=problem.integer,
                   bounds=Bounds(np.zeros(problem.n), problem.upper))
        if res.status != 0 or res.x is None:
            return None
        fixed = problem.upper.copy()
        lower = np.zeros(problem.n)
        is_int = problem.integer.astype(bool)
        fixed[is_int] = lower[is_int] = np.round(res.x[is_int])
        return _solve_lp(problem, a, lo, hi, lower, fixed)
    return _solve_lp(problem, a, lo, hi, np.zeros(problem.n), problem.upper)


def _solve_lp(problem, a, lo, hi, lower, upper):
    eq = lo == hi
    ub_rows, ub_rhs, ub_sign, ub_index = [], [], [], []
    for i in np.flatnonzero(~eq):
        if np.isfinite(hi[i]):
            ub_rows.append(a[i]), ub_rhs.append(hi[i]), ub_sign.append(1.0), ub_index.append(i)
        if np.isfinite(lo[i]):
            ub_rows.append(-a[i]), ub_rhs.append(-lo[i]), ub_sign.append(-1.0), ub_index.append(i)
    res = linprog(
        problem.cost,
        A_ub=np.array(ub_rows) if ub_rows else None,
        b_ub=np.array(ub_rhs) if ub_rhs else None,
        A_eq=a[eq] if eq.any() else None,
        b_eq=lo[eq] if eq.any() else None,
        bounds=list(zip(lower, upper)),
        method="highs",
    )
    if res.status != 0:
        return None
    duals = np.zeros(len(problem.rows))
    if eq.any():
        duals[np.flatnonzero(eq)] = res.eqlin.marginals
    for k, (i, sign) in enumerate(zip(ub_index, ub_sign)):
        duals[i] += sign * res.ineqlin.marginals[k]
    return res.x, duals


def _routing_plan(queues, vendors, problem, pairs, tier_cols, x, duals) -> RoutingPlan:
    import pandas as pd

    records = []
    for c, (vi, qi) in enumerate(pairs):
        if x[c] > 1e-9:
            records.append({"vendor_id": vendors[vi].vendor_id, "queue": queues[qi].queue, "hours_week": x[c],
                            "cost_week": problem.cost[c] * x[c]})
    allocation = pd.DataFrame(records, columns=["vendor_id", "queue", "hours_week", "cost_week"])
    for vi, cols in tier_cols.items():
        mask = allocation["vendor_id"] == vendors[vi].vendor_id
        tier_cost = float(problem.cost[cols] @ x[cols])
        hours = allocation.loc[mask, "hours_week"]
        allocation.loc[mask, "cost_week"] = tier_cost * hours / max(hours.sum(), 1e-12)
    currency = vendors[0].currency
    total = float(problem.cost @ x)
    hours = {q.queue: q.hours_week for q in queues}
    shadow = []
    for i, (group, subject) in enumerate(zip(problem.group, problem.subject)):
        if group == "tiers" or abs(duals[i]) < 1e-9:
            continue
        shadow.append({"group": group, "subject": subject, "value": duals[i],
                       "explanation": _say(group, subject, duals[i], currency, hours)})
    prices = pd.DataFrame(shadow, columns=["group", "subject", "value", "explanation"])
    return RoutingPlan(allocation, total, currency, prices)


def _say(group: str, subject: str, value: float, currency: str, hours: dict[str, float]) -> str:
    money = f"{abs(value):,.2f} {currency}"
    if group == "demand":
        return f"one more staffed hour on queue {subject} costs {money} at the margin"
    if group == "capacity":
        return f"capacity of vendor {subject} binds: one more hour there would save {money} a week"
    if group == "min_commit":
        return (f"minimum commitment of vendor {subject} binds: each committed hour costs {money} more than "
                "routing it elsewhere")
    saving = abs(value) * 0.01 * hours[subject]
    return (f"QA floor on queue {subject} binds: lowering its minimum accuracy by one point would save about "
            f"{saving:,.2f} {currency} a week")


def _explain_infeasible(queues, vendors) -> str:
    """Name the constraint group whose relaxation alone makes the problem feasible, with figures."""
    single = [g for g in RELAXABLE if _solve(_build(queues, vendors, relax=(g,))[0]) is not None]
    facts = _infeasibility_facts(queues, vendors)
    if single:
        named = " or ".join(single)
        detail = "; ".join(f for g, f in facts if g in single) or "; ".join(f for _, f in facts)
        which = "it" if len(single) == 1 else "any one of them"
        return (f"no routing meets every constraint; the binding constraint group is {named} "
                f"(relaxing {which} alone makes a plan possible): {detail}")
    detail = "; ".join(f for _, f in facts) or "no single group explains it"
    return f"no routing meets every constraint, and no single group's relaxation fixes it: {detail}"


def _infeasibility_facts(queues, vendors) -> list[tuple[str, str]]:
    facts = []
    for function in sorted({q.function for q in queues}):
        need = sum(q.hours_week for q in queues if q.function == function)
        have = sum(v.capacity_hours_week for v in vendors if v.function == function)
        if need > have:
            facts.append(("capacity", f"{function} queues need {need:,.1f} h/week, vendors offer {have:,.1f} h"))
        commit = sum(v.min_commit_hours_week for v in vendors if v.function == function)
        if commit > need:
            facts.append(("min_commit", f"{function} minimum commitments total {commit:,.1f} h/week "
                                        f"but the queues need only {need:,.1f} h"))
    for q in queues:
        speakers = [v for v in vendors if v.function == q.function and q.language.lower() in v.languages]
        have = sum(v.capacity_hours_week for v in speakers)
        if have < q.hours_week:
            facts.append(("language", f"queue {q.queue} needs {q.hours_week:,.1f} h in '{q.language}', "
                                      f"vendors speaking it offer {have:,.1f} h"))
        if q.min_qa_accuracy is not None:
            best = max((v.qa_accuracy or 0.0 for v in speakers), default=0.0)
            if best < q.min_qa_accuracy:
                facts.append(("quality", f"queue {q.queue} needs QA accuracy {q.min_qa_accuracy:.1%}, the best "
                                         f"eligible vendor reaches {best:.1%}"))
    return facts


# ---------- (b) budget split ----------


class BudgetCell(BaseModel):
    """One domain x market cell and its response curve outcome(b) = scale (1 - exp(-b / saturation))."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    domain: str
    market: str
    scale: float = Field(gt=0, description="outcome reached with an unlimited budget")
    saturation: float = Field(gt=0, description="spend at which 63 % of the scale is reached")
    min_spend: float = Field(default=0.0, ge=0)
    max_spend: float = Field(default=float("inf"), gt=0)


@dataclass(frozen=True)
class BudgetPlan:
    """Spend and outcome per cell, the common marginal value and its reading in words."""

    allocation: object  # pandas DataFrame: domain, market, spend, outcome, marginal_outcome
    total_outcome: float
    marginal_value: float
    outcome_name: str
    explanations: tuple[str, ...]

    def explain(self) -> str:
        return "\n".join((f"total {self.outcome_name}: {self.total_outcome:,.2f}", *self.explanations))


def split_budget(*, cells: list[BudgetCell], budget: float, outcome_name: str = "outcome",
                 step: float = 10_000.0) -> BudgetPlan:
    """Split `budget` across cells to maximise total outcome, with per-cell min/max spend [3]_.

    Each curve is concave, so the optimum gives every cell strictly between its bounds the same
    marginal outcome per unit spent; that common value (the budget's shadow price) is found by
    bisection. `step` is the increment the explanations quote ("one more 10,000 ...").
    """
    import pandas as pd

    if not cells:
        raise PlanningInputError("split_budget: no cells given")
    if not np.isfinite(budget) or budget < 0:
        raise PlanningInputError(f"budget: expected a finite amount >= 0, got {budget!r}")
    scale = np.array([c.scale for c in cells])
    sat = np.array([c.saturation for c in cells])
    lo = np.array([c.min_spend for c in cells])
    hi = np.array([c.max_spend for c in cells])
    bad = np.flatnonzero(lo > hi)
    if bad.size:
        c = cells[bad[0]]
        raise PlanningInputError(f"cell {c.domain}/{c.market}: min_spend {c.min_spend:g} > max_spend {c.max_spend:g}")
    if lo.sum() > budget:
        raise InfeasiblePlan(
            f"budget {budget:,.0f} is below the sum of minimum spends {lo.sum():,.0f}; the binding constraint is "
            "the per-cell minimums: raise the budget or lower min_spend"
        )

    def spend_at(marginal: float) -> np.ndarray:
        with np.errstate(divide="ignore"):
            free = sat * np.log(scale / (sat * marginal))
        return np.clip(free, lo, hi)

    if hi.sum() <= budget:
        spend, marginal = hi.copy(), 0.0
    else:
        top = float(np.max(scale / sat))
        bottom = top * 1e-300
        for _ in range(200):
            mid = np.sqrt(top * bottom)
            if spend_at(mid).sum() > budget:
                bottom = mid
            else:
                top = mid
            if top / bottom < 1 + 1e-15:
                break
        spend = spend_at(top)
        free = (spend > lo) & (spend < hi)
        if free.any():
            spend[free] += (budget - spend.sum()) * sat[free] / sat[free].sum()
        marginal = top
    outcome = scale * (1.0 - np.exp(-spend / sat))
    marginal_each = scale / sat * np.exp(-spend / sat)
    frame = pd.DataFrame({"domain": [c.domain for c in cells], "market": [c.market for c in cells],
                          "spend": spend, "outcome": outcome, "marginal_outcome": marginal_each})
    explanations = []
    for c, s, m in zip(cells, spend, marginal_each):
        gain = c.scale * (np.exp(-s / c.saturation) - np.exp(-(s + step) / c.saturation))
        state = "at its maximum" if s >= c.max_spend else ("at its minimum" if s <= c.min_spend else "optimal")
        explanations.append(f"one more {step:,.0f} in {c.market} {c.domain} buys {gain:,.2f} {outcome_name} "
                            f"(spend {s:,.0f}, {state})")
    if hi.sum() <= budget:
        explanations.append(f"{budget - hi.sum():,.0f} of the budget is left: every cell is at its maximum spend")
    return BudgetPlan(frame, float(outcome.sum()), float(marginal), outcome_name, tuple(explanations))
