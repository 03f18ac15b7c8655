"""The planted missed promise changes contacts.wait_time_s of the planted rows and nothing else."""
from __future__ import annotations

import numpy as np

from govex.datasets import generate
from govex.datasets.synth import promise_miss


def test_only_the_planted_waits_move(monkeypatch):
    planted = generate(customers=2000, seed=4)
    monkeypatch.setattr(promise_miss, "WAIT_MULTIPLIER", 1.0)
    plain = generate(customers=2000, seed=4)
    for name, table in planted.tables.items():
        if name != "contacts":
            assert table.equals(plain.tables[name]), name
    a, b = planted.tables["contacts"], plain.tables["contacts"]
    assert a.drop(columns="wait_time_s").equals(b.drop(columns="wait_time_s"))
    moved = a.wait_time_s.to_numpy() != b.wait_time_s.to_numpy()
    moved &= ~(np.isnan(a.wait_time_s.to_numpy()) & np.isnan(b.wait_time_s.to_numpy()))
    event = planted.event("service_promise_miss")
    rows = a[moved]
    assert moved.sum() > 0 and set(rows.market) == {event["market"]}
    assert (rows.created_at >= np.datetime64(event["start"])).all()
    # a zero wait stays zero; every other planted wait is 8 times the plain one (rounded to 0.1 s)
    assert np.allclose(rows.wait_time_s, np.round(b.wait_time_s[moved] * event["wait_multiplier"], 1))
    assert event["contacts"] >= moved.sum()
