"""Key drivers of CSAT from the warehouse recover the synthetic simulator's true driver ranking."""
from __future__ import annotations

import pandas as pd
import pytest

from govex.analysis.drivers import survey_key_drivers


@pytest.fixture(scope="module")
def market():
    from govex.datasets.synth import generate
    from govex.engine.warehouse import Warehouse

    generated = generate(customers=6000, seed=1, months=9)
    return generated, Warehouse.from_frames(generated.tables)


def test_csat_driver_ranking_matches_the_simulator(market):
    generated, warehouse = market
    truth = generated.ground_truth["csat_drivers"]
    result = survey_key_drivers(warehouse, outcome="csat")
    # the simulator's ranking: drivers by effect on latent CSAT, most harmful first
    assert result.ranking(by="effect") == truth["ranking"]
    table = result.table[result.table["segment"] == "all"].set_index("driver")
    for driver, effect in truth["effects"].items():
        # CSAT is the latent score rounded and clipped to 1-5: the OLS slope stays near the effect
        assert table.loc[driver, "coefficient"] == pytest.approx(effect, abs=0.2), driver


def test_flags_match_an_independent_pandas_reading(market):
    from govex.features.survey_drivers import survey_driver_flags

    generated, warehouse = market
    t = generated.tables
    flags = survey_driver_flags(warehouse).execute().set_index("survey_id")
    surveys = t["surveys"].set_index("survey_id")
    contacts = t["contacts"].set_index("contact_id")
    # late delivery of the survey's order (its own, else its contact's)
    order_id = surveys["order_id"].fillna(surveys["contact_id"].map(contacts["order_id"]))
    orders = t["orders"].set_index("order_id")
    late = pd.to_datetime(orders["delivered_at"]).dt.normalize() > pd.to_datetime(orders["promised_date"])
    expected_late = order_id.map(late.astype(int)).fillna(0).astype(int)
    assert (flags["late_delivery"] == expected_late.reindex(flags.index)).all()
    # repeat contact: 2+ contacts with the surveyed contact's customer, order and reason
    keyed = t["contacts"].assign(order_key=t["contacts"]["order_id"].fillna(""))
    sizes = keyed.groupby(["customer_id", "order_key", "reason"])["contact_id"].transform("size")
    repeat = pd.Series((sizes >= 2).to_numpy(), index=keyed["contact_id"])
    expected_repeat = surveys["contact_id"].map(repeat.astype(int)).fillna(0).astype(int)
    assert (flags["repeat_contact"] == expected_repeat.reindex(flags.index)).all()
    assert flags["repeat_contact"].sum() > 0 and flags["late_delivery"].sum() > 0
