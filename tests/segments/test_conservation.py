"""Conservation and the CLV join: every customer keeps exactly one row, whatever the arithmetic.

The regression case of the reported bug (a mean repeat spend on a half cent, 205.525) is built
by hand in `half_cent.py`; the CLV values are checked against the in-memory route (pandas
summary + the numpy models fitted on every customer), an independent computation.
"""
from __future__ import annotations

import hashlib

import numpy as np
import pytest
from segments.half_cent import AS_OF, HALF_CENT, orders

from govex.engine import Warehouse
from govex.features import FeatureOptions
from govex.features.clv_stats import purchase_day_stats
from govex.models import BetaGeo, GammaGamma, customer_lifetime_value, repeat_purchase_summary
from govex.segments import ASSIGNMENTS_TABLE, CLVSpec, assign_frameworks, load_frameworks, write_assignments
from govex.segments.clv import clv_features
from govex.segments.conservation import ConservationError

SPEC = CLVSpec(model="bgnbd", time_unit="week", horizon=52, discount_rate=0.0, spend_l2_penalty=0.0)


@pytest.fixture()
def warehouse():
    return Warehouse.from_frames({"orders": orders()})


def _clv(warehouse) -> "pd.DataFrame":  # noqa: F821
    frame = clv_features(warehouse, as_of=AS_OF, spec=SPEC, options=FeatureOptions()).execute()
    return frame.sort_values("customer_id").reset_index(drop=True)


def test_half_cent_customer_has_exact_integer_statistics(warehouse):
    stats = purchase_day_stats(warehouse, as_of=AS_OF).execute().set_index("customer_id")
    h = stats.loc[HALF_CENT]
    # 2024-01-05 -> 2024-03-05 is 60 days; to the as-of date 2024-07-01, 178 days
    assert (h.frequency, h.recency_days, h.T_days, h.repeat_cents) == (2, 60, 178, 20552 + 20553)


def test_every_customer_gets_one_clv_row_matching_the_in_memory_models(warehouse):
    got = _clv(warehouse)
    frame = orders()
    assert sorted(got.customer_id) == sorted(frame.customer_id.unique())
    # the in-memory route: pandas summary of every transaction, models fitted on every customer
    summary = repeat_purchase_summary(frame, customer_col="customer_id", date_col="ordered_at",
                                      calibration_end=AS_OF - __import__("datetime").timedelta(days=1),
                                      amount_col="amount", time_unit="week")
    # calibration_end is the last day counted; T runs to the as-of date itself
    summary["T"] = summary["T"] + 1 / 7
    f, r, t, m = (summary[c].to_numpy(float) for c in ("frequency", "recency", "T", "monetary_value"))
    bg = BetaGeo().fit(f, r, t)
    gg = GammaGamma().fit(f[f > 0], m[f > 0])
    expected = customer_lifetime_value(bg, gg, f, r, t, m, horizon=52, discount_rate=0.0)
    by_id = dict(zip(summary.index, expected))
    assert summary.loc[HALF_CENT, "monetary_value"] == pytest.approx(205.525, abs=1e-9)
    np.testing.assert_allclose(got.clv.to_numpy(), [by_id[c] for c in got.customer_id], rtol=1e-5)
    spend = dict(zip(summary.index, gg.expected_spend(f, m)))
    h = got.set_index("customer_id").loc[HALF_CENT]
    assert h.expected_spend == pytest.approx(spend[HALF_CENT], rel=1e-5)


def _digest(frame) -> str:
    return hashlib.sha256(frame.to_csv(index=False, float_format="%.17g").encode()).hexdigest()


def test_clv_features_identical_across_duckdb_threads(warehouse):
    digests = set()
    for threads in (1, 2, 8):
        warehouse.con.raw_sql(f"SET threads = {threads}")
        digests.add(_digest(_clv(warehouse)))
    assert len(digests) == 1


def test_a_lost_customer_stops_the_write_with_framework_count_and_id(warehouse):
    frameworks = load_frameworks(names=("lifecycle", "value"))
    assignments = assign_frameworks(warehouse, frameworks, as_of=AS_OF)
    write_assignments(warehouse, assignments)
    before = warehouse.con.table(ASSIGNMENTS_TABLE).execute()
    value = next(a for a in assignments if a.framework == "value")
    lossy = [a if a is not value else type(a)(**{**a.__dict__, "table": a.table.filter(a.table.entity_id != HALF_CENT)})
             for a in assignments]
    with pytest.raises(ConservationError, match=r"framework 'value': 1 of 61 entities in scope have no row, e\.g\. H"):
        write_assignments(warehouse, lossy)
    doubled = [a if a is not value else type(a)(**{**a.__dict__, "table": a.table.union(
        a.table.filter(a.table.entity_id == "c07"), distinct=False)}) for a in assignments]
    with pytest.raises(ConservationError, match=r"framework 'value': 1 duplicate row\(s\), e\.g\. c07"):
        write_assignments(warehouse, doubled)
    after = warehouse.con.table(ASSIGNMENTS_TABLE).execute()
    assert _digest(after.sort_values(["framework", "entity_id"])) == _digest(before.sort_values(["framework", "entity_id"]))
