"""The probability that a customer belongs to a high-incident class, from a two-class mixture.

Each order of a customer falls in one category: clean, or its worst incident level
(`govex.features.INCIDENT_LEVELS`). Customers are modelled as coming from two latent classes,
ordinary (share 1 - pi, category profile p0) and high-incident (share pi, profile p1), each
order drawing its category independently from its class's profile (a latent class model,
Lazarsfeld and Henry 1968). The parameters are fitted by EM on the distinct count vectors and
the number of customers sharing each, computed in the engine, so the fit costs the same for
10k and 100M customers. Each profile gets a symmetric Dirichlet prior (`prior_count`
pseudo-orders per category, the MAP-EM of Dempster, Laird and Rubin 1977, section 4.6), so a
category never seen in one class keeps a finite weight.

A customer's posterior log-odds of being in the high-incident class is
log(pi / (1 - pi)) + sum_k c_k log(p1_k / p0_k): the prior odds plus one weight of evidence
per order category (Good 1950). A clean order lowers the odds, an abuse-confirmed order
raises them a lot, so a customer with one incident in one order is not ranked above one with
12 in 40, and the top tier can be "more likely high-incident than not" (posterior >= 0.5),
a threshold that means the same thing whatever the data set, instead of a score cut-off.

References
----------
Lazarsfeld, P. F. and Henry, N. W. (1968). Latent Structure Analysis. Houghton Mifflin.
Dempster, A. P., Laird, N. M. and Rubin, D. B. (1977). Maximum likelihood from incomplete data
via the EM algorithm. JRSS B 39(1), 1-38.
Good, I. J. (1950). Probability and the Weighing of Evidence. Griffin. (weight of evidence)
"""
from __future__ import annotations

from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import numpy as np
from scipy.special import logsumexp

from govex.segments.spec import LatentClassSpec

CLEAN = "n_clean_orders"
_LOG_ODDS_BOUND = 50.0  # posterior within 2e-22 of 0 or 1; keeps exp() finite on every engine


@dataclass(frozen=True)
class LatentRiskModel:
    """Fitted two-class model: share of the high-incident class and both category profiles."""

    categories: tuple[str, ...]  # count columns, the clean-order column first
    share: float
    ordinary_profile: tuple[float, ...]
    risky_profile: tuple[float, ...]
    log_likelihood: float
    iterations: int
    converged: bool

    @property
    def weights_of_evidence(self) -> dict[str, float]:
        """log(p1 / p0) per category: what one order of that category adds to the log-odds."""
        return {c: float(np.log(r / o)) for c, r, o in zip(self.categories, self.risky_profile, self.ordinary_profile)}

    @property
    def prior_log_odds(self) -> float:
        return float(np.log(self.share) - np.log1p(-self.share)) if 0 < self.share < 1 else -_LOG_ODDS_BOUND


def fit_latent_risk(
    counts: np.ndarray, weights: np.ndarray, *, categories: tuple[str, ...], spec: LatentClassSpec
) -> LatentRiskModel:
    """MAP-EM for the two-class multinomial mixture on distinct count rows.

    counts: (rows, categories) orders per category, clean orders first; weights: customers per row.
    Starts from the pooled profile for the ordinary class and a profile with `start_lift` times
    the pooled incident rates for the high-incident class; the class with fewer clean orders is
    reported as the high-incident one.
    """
    counts = np.asarray(counts, float)
    weights = np.asarray(weights, float)
    k = counts.shape[1]
    pooled = (weights @ counts + spec.prior_count) / (weights @ counts.sum(1) + spec.prior_count * k)
    if weights @ counts[:, 1:].sum(1) == 0:  # no incident anywhere: nobody is in the risky class
        return LatentRiskModel(categories, 0.0, tuple(pooled), tuple(pooled), 0.0, 0, True)
    ordinary = pooled.copy()
    risky = pooled.copy()
    risky[1:] = np.minimum(pooled[1:] * spec.start_lift, 0.5 / (k - 1))
    risky[0] = 1.0 - risky[1:].sum()
    share, previous, converged, iteration = spec.start_share, -np.inf, False, 0
    for iteration in range(1, spec.max_iterations + 1):
        log_joint = np.column_stack([
            np.log1p(-share) + counts @ np.log(ordinary), np.log(share) + counts @ np.log(risky),
        ])
        log_total = logsumexp(log_joint, axis=1)
        responsibility = np.exp(log_joint[:, 1] - log_total)
        objective = float(weights @ log_total)
        share = float(np.clip((weights @ responsibility) / weights.sum(), 1e-12, 1 - 1e-12))
        risky = weights * responsibility @ counts + spec.prior_count
        ordinary = weights * (1 - responsibility) @ counts + spec.prior_count
        risky, ordinary = risky / risky.sum(), ordinary / ordinary.sum()
        if abs(objective - previous) <= spec.tolerance * max(abs(objective), 1.0):
            converged = True
            break
        previous = objective
    if risky[0] > ordinary[0]:  # the labels swapped during the fit
        share, risky, ordinary = 1.0 - share, ordinary, risky
    return LatentRiskModel(categories, share, tuple(ordinary), tuple(risky), objective, iteration, converged)


def category_columns(spec: LatentClassSpec) -> tuple[str, ...]:
    return (CLEAN, *spec.categories)


def fit_from_table(table: ir.Table, spec: LatentClassSpec) -> LatentRiskModel:
    """Fit on the engine's distinct count vectors (one small query), sorted so every run fits the same rows in the same order."""
    columns = category_columns(spec)
    stats = table.group_by(list(columns)).aggregate(n_customers=table.count()).order_by(list(columns)).execute()
    return fit_latent_risk(stats[list(columns)].to_numpy(float), stats.n_customers.to_numpy(float),
                           categories=columns, spec=spec)


def add_risk_posterior(table: ir.Table, model: LatentRiskModel) -> ir.Table:
    """Add risk_log_odds (bounded to +-50) and risk_posterior = 1 / (1 + exp(-log_odds))."""
    evidence = sum(
        table[c].cast("float64") * weight for c, weight in model.weights_of_evidence.items()
    ) + model.prior_log_odds
    bounded = ibis.least(ibis.greatest(evidence, -_LOG_ODDS_BOUND), _LOG_ODDS_BOUND).cast("float64")
    table = table.mutate(risk_log_odds=bounded)
    return table.mutate(risk_posterior=(1.0 / (1.0 + (-table.risk_log_odds).exp())).cast("float64"))

