"""Target cascade: from output targets to the input metrics of their tree, at least cost, as an LP.

Each output of a metric tree is a product of its inputs with an exponent (elasticity) each,
e.g. cost to serve per order = contact rate x (1 - automation share) x AHT x cost per hour
(exponents 1), so in logs it is linear: log(out / out0) = sum_k e_k log(x_k / x0_k). The
variables are the log changes z_k = log(x_k / x0_k) of the inputs, each within the range the
input can move (from history and planned levers); moving an input costs `cost_up` or
`cost_down` per unit of log change (per 100 % in logs; about per 1 % / 100). The LP

    minimise   sum_k cost_up_k z+_k + cost_down_k z-_k,   z_k = z+_k - z-_k
    subject to sum_k e_jk z_k <= log(1 + target_j)   (an output to lower)
               sum_k e_jk z_k >= log(1 + target_j)   (an output to raise)
               log(min_k / x0_k) <= z_k <= log(max_k / x0_k)

is solved by HiGHS (scipy.optimize.linprog). Its duals say what each output target costs at the
margin (per unit of log change of the output), and inputs at the end of their range are the
binding levers. Being linear in logs, the cascade is exact for multiplicative trees.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from govex.errors import ConfigError


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class InputMetric(_Strict):
    name: str
    baseline: float = Field(gt=0)
    min: float = Field(gt=0, description="Lowest level reachable in the period.")
    max: float = Field(gt=0, description="Highest level reachable in the period.")
    cost_up: float = Field(default=0, ge=0, description="Cost per unit of log increase.")
    cost_down: float = Field(default=0, ge=0, description="Cost per unit of log decrease.")

    @model_validator(mode="after")
    def _range(self):
        if not self.min <= self.baseline <= self.max:
            raise ValueError(f"{self.name}: expected min <= baseline <= max, got {self.min}, {self.baseline}, {self.max}")
        return self


class OutputTarget(_Strict):
    name: str
    direction: Literal["lower", "raise"]
    target_change: float = Field(gt=-1, description="Relative change wanted, e.g. -0.08 for -8 %.")
    exponents: dict[str, float] = Field(min_length=1, description="Input name -> elasticity.")


class CascadeProblem(_Strict):
    inputs: list[InputMetric] = Field(min_length=1)
    outputs: list[OutputTarget] = Field(min_length=1)

    @model_validator(mode="after")
    def _names(self):
        known = {i.name for i in self.inputs}
        for out in self.outputs:
            unknown = set(out.exponents) - known
            if unknown:
                raise ValueError(f"output {out.name}: unknown input(s) {', '.join(sorted(unknown))}")
        return self


@dataclass(frozen=True)
class CascadeResult:
    """Input targets (levels and relative changes), binding ranges, output shadow prices, cost."""

    inputs: "object"  # pandas.DataFrame: name, baseline, target, change, at_bound, cost
    outputs: "object"  # pandas.DataFrame: name, target_change, achieved_change, binding, marginal_cost
    total_cost: float

    def text(self) -> str:
        lines = [f"least-cost cascade: total cost {self.total_cost:,.4g}", "inputs:"]
        for r in self.inputs.itertuples():
            flag = f"  (range {r.at_bound} binding)" if r.at_bound else ""
            lines.append(f"  {r.name:<24}{r.baseline:>10.4g} -> {r.target:<10.4g}{r.change:>+8.2%}{flag}")
        lines.append("outputs:")
        for r in self.outputs.itertuples():
            word = "binding" if r.binding else "met with room"
            lines.append(f"  {r.name:<24}target {r.target_change:+.2%}, achieved {r.achieved_change:+.2%}: {word}; "
                         f"each further 1 % costs {r.marginal_cost / 100:,.4g}")
        return "\n".join(lines)


def load_cascade(path: Path) -> CascadeProblem:
    from govex.config.loader import load_yaml_model

    return load_yaml_model(path, CascadeProblem, what="target cascade")[0]


def solve_cascade(problem: CascadeProblem) -> CascadeResult:
    import pandas as pd
    from scipy.optimize import linprog

    names = [i.name for i in problem.inputs]
    k = len(names)
    # variables: z+ (k), z- (k)
    cost = np.array([i.cost_up for i in problem.inputs] + [i.cost_down for i in problem.inputs])
    bounds = [(0, math.log(i.max / i.baseline)) for i in problem.inputs] + \
             [(0, -math.log(i.min / i.baseline)) for i in problem.inputs]
    rows, rhs = [], []
    for out in problem.outputs:
        e = np.array([out.exponents.get(n, 0.0) for n in names])
        sign = 1.0 if out.direction == "lower" else -1.0  # A_ub x <= b_ub
        rows.append(sign * np.concatenate([e, -e]))
        rhs.append(sign * math.log(1 + out.target_change))
    res = linprog(cost, A_ub=np.array(rows), b_ub=np.array(rhs), bounds=bounds, method="highs")
    if res.status == 2:
        raise ConfigError("target cascade: the output targets cannot be met within the inputs' ranges; "
                          "widen a range or soften a target")
    if res.status != 0:
        raise ConfigError(f"target cascade: the solver stopped ({res.message})")
    z = res.x[:k] - res.x[k:]
    eps = 1e-9
    at_bound = ["max" if z[j] >= bounds[j][1] - eps and bounds[j][1] > 0 else
                "min" if -z[j] >= bounds[k + j][1] - eps and bounds[k + j][1] > 0 else "" for j in range(k)]
    inputs = pd.DataFrame({
        "name": names,
        "baseline": [i.baseline for i in problem.inputs],
        "target": [i.baseline * math.exp(zj) for i, zj in zip(problem.inputs, z)],
        "change": np.expm1(z),
        "at_bound": at_bound,
        "cost": cost[:k] * res.x[:k] + cost[k:] * res.x[k:],
    })
    achieved = [float(np.expm1(np.dot([o.exponents.get(n, 0.0) for n in names], z))) for o in problem.outputs]
    duals = -res.ineqlin.marginals  # >= 0: cost of tightening each target by one unit of log change
    outputs = pd.DataFrame({
        "name": [o.name for o in problem.outputs],
        "target_change": [o.target_change for o in problem.outputs],
        "achieved_change": achieved,
        "binding": [abs(s) < 1e-9 for s in res.ineqlin.residual],
        "marginal_cost": duals,
    })
    return CascadeResult(inputs, outputs, float(res.fun))
