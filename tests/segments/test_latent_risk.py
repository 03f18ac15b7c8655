"""The two-class incident mixture: recovers planted parameters; the posterior is Bayes' rule."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import multinomial

from govex.engine import Warehouse
from govex.segments import LatentClassSpec
from govex.segments.latent_risk import add_risk_posterior, fit_from_table, fit_latent_risk

COLUMNS = ("n_clean_orders", "n_orders_abuse_confirmed", "n_orders_claim")
# planted truth: 3% of customers in a class with 10% abuse and 20% claims per order, the rest 0.2% / 2%
SHARE, ORDINARY, RISKY = 0.03, np.array([0.978, 0.002, 0.02]), np.array([0.70, 0.10, 0.20])


@pytest.fixture(scope="module")
def planted():
    rng = np.random.default_rng(11)
    n_customers = 20_000
    risky = rng.random(n_customers) < SHARE
    n_orders = 1 + rng.poisson(9, n_customers)
    counts = np.array([rng.multinomial(n, RISKY if r else ORDINARY) for n, r in zip(n_orders, risky)])
    frame = pd.DataFrame(counts, columns=list(COLUMNS))
    return frame, risky


def test_em_recovers_the_planted_mixture(planted):
    frame, risky = planted
    stats = frame.value_counts().reset_index(name="n")  # distinct count vectors with customers
    model = fit_latent_risk(stats[list(COLUMNS)].to_numpy(), stats.n.to_numpy(), categories=COLUMNS,
                            spec=LatentClassSpec(categories=COLUMNS[1:]))
    assert model.converged
    # ~600 risky customers x 10 orders: sampling error of their rates about 0.005
    assert model.share == pytest.approx(risky.mean(), abs=0.005)
    np.testing.assert_allclose(model.risky_profile, RISKY, atol=0.02)
    np.testing.assert_allclose(model.ordinary_profile, ORDINARY, atol=0.002)


def test_posterior_is_bayes_rule_and_ranks_12_in_40_above_1_in_1(planted):
    frame, _ = planted
    extra = pd.DataFrame([[0, 0, 1], [28, 0, 12]], columns=list(COLUMNS))  # 1 claim in 1 order; 12 in 40
    table = Warehouse.from_frames({"f": pd.concat([frame, extra], ignore_index=True)}).con.table("f")
    spec = LatentClassSpec(categories=COLUMNS[1:])
    model = fit_from_table(table, spec)
    scored = add_risk_posterior(table, model).execute()
    # independent: pi * Mult(c; p1) / (pi * Mult(c; p1) + (1 - pi) * Mult(c; p0)) with scipy
    for row in (extra.iloc[0], extra.iloc[1], frame.iloc[5]):
        c = row.to_numpy()
        risky = model.share * multinomial.pmf(c, c.sum(), model.risky_profile)
        ordinary = (1 - model.share) * multinomial.pmf(c, c.sum(), model.ordinary_profile)
        match = scored[(scored[list(COLUMNS)] == c).all(axis=1)]
        assert match.risk_posterior.iloc[0] == pytest.approx(risky / (risky + ordinary), rel=1e-9)
    one_in_one, twelve_in_forty = scored.risk_posterior.iloc[-2], scored.risk_posterior.iloc[-1]
    assert twelve_in_forty > 0.99 > 0.5 > one_in_one


def test_no_incident_anywhere_puts_nobody_in_the_risky_class():
    table = Warehouse.from_frames({"f": pd.DataFrame({"n_clean_orders": [1, 5, 9], "n_orders_claim": [0, 0, 0]})})
    t = table.con.table("f")
    model = fit_from_table(t, LatentClassSpec(categories=("n_orders_claim",)))
    assert model.share == 0.0
    assert add_risk_posterior(t, model).execute().risk_posterior.max() < 1e-20
