"""An explainable risk score: incident rates shrunk by empirical Bayes, weighted by severity.

For each signal (chargebacks, disputes, refunds, ...) a customer has x incidents in n orders.
The population's rates are modelled as Beta(alpha, beta); the customer's shrunk rate is the
posterior mean (x + alpha) / (n + alpha + beta), so 1 dispute in 1 order (about the prior
mean) ranks below 12 in 40. alpha and beta come from the method of moments for the
beta-binomial: with mean m = sum(x) / sum(n), the mean squared deviation S of observed rates
x/n from m, and h = mean(1/n), the intra-class correlation is rho = (S / (m(1-m)) - h) / (1 - h)
and alpha + beta = max(1/rho - 1, min_prior_strength): a floor, because a small planted group
of extreme customers (an abuse ring) inflates the spread and would otherwise switch shrinkage
off for everyone. The score is sum(weight * shrunk rate); risk_ratio divides it
by the score of a customer at every prior mean. A signal's contribution is
weight * (shrunk rate - prior mean); the reasons are the signals with the largest positive
contributions.

References
----------
Kleinman, J. C. (1973). Proportions with extraneous variance: single and independent samples.
Journal of the American Statistical Association 68(341), 46-54.
Efron, B. and Morris, C. (1975). Data analysis using Stein's estimator and its
generalizations. JASA 70(350), 311-319.
"""
from __future__ import annotations

from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import numpy as np

from govex.segments.spec import RiskSignal, RiskSpec

_RHO_RANGE = (1e-6, 0.999)
# A contribution this small is rounding, not a signal: an entity with no exposure sits at the prior
# mean, and (0 + alpha) / (alpha + beta) - mean comes out as +-1e-17 depending on how the engine
# summed the prior's moments (seen at 100k sellers: 'low_ratings' named for sellers never rated).
REASON_FLOOR = 1e-12


@dataclass(frozen=True)
class BetaPrior:
    """The population prior of one signal's rate."""

    signal: str
    mean: float
    alpha: float
    beta: float


def _moment_prior(
    signal: str, *, sum_x: float, sum_n: float, mean_p: float, mean_p2: float, mean_inv_n: float, min_strength: float
) -> BetaPrior:
    if sum_n <= 0 or sum_x <= 0:
        return BetaPrior(signal, 0.0, 0.0, 1.0)  # no incident anywhere: every shrunk rate is 0
    m = min(sum_x / sum_n, 1.0 - 1e-9)
    spread = mean_p2 - 2.0 * m * mean_p + m * m  # mean of (x/n - m)^2
    h = min(mean_inv_n, 1.0 - 1e-9)
    rho = (spread / (m * (1.0 - m)) - h) / (1.0 - h)
    rho = min(max(rho, _RHO_RANGE[0]), _RHO_RANGE[1])
    strength = max(1.0 / rho - 1.0, min_strength)
    return BetaPrior(signal, m, m * strength, (1.0 - m) * strength)


def _counts(table: ir.Table, signal: RiskSignal) -> tuple[ir.NumericValue, ir.NumericValue]:
    n = table[signal.exposure].cast("float64")
    x = ibis.least(table[signal.events].cast("float64"), n)  # beta-binomial needs x <= n
    return x, n


def _weighted_mean(values: np.ndarray, weights: np.ndarray) -> float:
    total = float(weights.sum())
    return float((values * weights).sum()) / total if total > 0 else 0.0


def fit_priors(table: ir.Table, spec: RiskSpec) -> list[BetaPrior]:
    """The moments of every signal from the distinct (events, exposure) count vectors, then the priors in closed form.

    The engine returns the distinct vectors of integer counts with the number of customers
    sharing each, sorted; the moments are summed here in that fixed order, so the priors (and
    every score) are the same on every run and thread count, which a parallel float sum in the
    engine is not.
    """
    columns = sorted({c for signal in spec.signals for c in (signal.events, signal.exposure)})
    stats = table.group_by(columns).aggregate(n_customers=table.count()).order_by(columns).execute()
    w = stats.n_customers.to_numpy(float)
    priors = []
    for signal in spec.signals:
        n = stats[signal.exposure].to_numpy(float)
        x = np.minimum(stats[signal.events].to_numpy(float), n)  # beta-binomial needs x <= n
        informative = (n >= spec.min_exposure_for_prior) & (n > 0)
        wi, rate, ni = w[informative], x[informative] / n[informative], n[informative]
        priors.append(_moment_prior(
            signal.name, sum_x=float((w * x).sum()), sum_n=float((w * n).sum()), mean_p=_weighted_mean(rate, wi),
            mean_p2=_weighted_mean(rate * rate, wi), mean_inv_n=_weighted_mean(1.0 / ni, wi),
            min_strength=spec.min_prior_strength,
        ))
    return priors


def top_reasons(table: ir.Table, contributions: dict[str, str], *, limit: int) -> ir.StringValue:
    """'a;b;c': names of the largest positive contribution columns, largest first (ties by name).

    `contributions` maps a reason name to the column holding its contribution.
    """
    names = sorted(contributions)
    value = {name: table[contributions[name]] for name in names}
    positions = {}
    for name in names:
        ahead = [
            (value[other] > value[name]) | ((value[other] == value[name]) & ibis.literal(other < name))
            for other in names if other != name
        ]
        positions[name] = sum(a.cast("int64") for a in ahead) if ahead else ibis.literal(0)
    ranked = table.mutate(**{f"_position_{i}": positions[name] for i, name in enumerate(names)})
    pieces = [
        ibis.cases(
            *[((ranked[f"_position_{i}"] == position) & (ranked[contributions[n]] > REASON_FLOOR), ibis.literal(n))
              for i, n in enumerate(names)],
            else_=ibis.null("string"),
        )
        for position in range(min(limit, len(names)))
    ]
    # Contributions fall with the position, so once a piece is null (not above the floor) every later one
    # is too: null when nothing is positive, and each piece appears once in the SQL (a nested
    # if-else on the string so far would copy it twice per reason).
    joined = pieces[0]
    for piece in pieces[1:]:
        joined = joined.concat(ibis.literal(";").concat(piece).fill_null(""))
    return ranked.mutate(_reasons=joined).drop(*[f"_position_{i}" for i in range(len(names))])


def add_risk_scores(table: ir.Table, spec: RiskSpec, priors: list[BetaPrior]) -> ir.Table:
    """Add risk_<signal>_rate (shrunk), risk_score, risk_ratio and risk_reasons."""
    rates = {}
    for signal, prior in zip(spec.signals, priors):
        x, n = _counts(table, signal)
        rates[f"risk_{signal.name}_rate"] = ((x + prior.alpha) / (n + prior.alpha + prior.beta)).cast("float64")
    table = table.mutate(**rates)  # later steps refer to these columns by name, keeping the SQL small
    contributions = {
        f"_contribution_{signal.name}": signal.weight * (table[f"risk_{signal.name}_rate"] - prior.mean)
        for signal, prior in zip(spec.signals, priors)
    }
    score = sum(signal.weight * table[f"risk_{signal.name}_rate"] for signal in spec.signals)
    baseline = sum(signal.weight * prior.mean for signal, prior in zip(spec.signals, priors))
    table = table.mutate(**contributions, risk_score=score.cast("float64"))
    ratio = table.risk_score / baseline if baseline > 0 else table.risk_score * 0.0
    table = table.mutate(risk_ratio=ratio.cast("float64"))
    with_reasons = top_reasons(table, {s.name: f"_contribution_{s.name}" for s in spec.signals}, limit=spec.max_reasons)
    return with_reasons.rename(risk_reasons="_reasons").drop(*contributions)
