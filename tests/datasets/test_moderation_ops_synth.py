"""The moderation-operations columns of the synthetic cases, and the planted appeal overturn jump."""
from __future__ import annotations

import pandas as pd

from govex.analysis.findings import explain_metric
from govex.engine.warehouse import Warehouse


def _jump(market) -> dict:
    (event,) = [e for e in market.ground_truth["events"] if e["type"] == "appeal_overturn_jump"]
    return event


def _overturn(frame: pd.DataFrame) -> tuple[int, float]:
    decided = frame[frame["appeal_outcome"].isin(["upheld", "overturned"])]
    return len(decided), float((decided["appeal_outcome"] == "overturned").mean())


def test_planted_vendor_and_policy_overturn_far_more_from_the_start_date(market):
    cases = market.tables["moderation_cases"]
    event = _jump(market)
    start = pd.Timestamp(event["start"])
    slice_ = (cases["vendor_id"] == event["vendor_id"]) & (cases["policy"] == event["policy"])
    after = cases["decided_at"] >= start
    n_before, before = _overturn(cases[slice_ & ~after])
    n_after, during = _overturn(cases[slice_ & after])
    # the ground truth states what the table shows
    assert (n_before, n_after) == (event["appeals_decided_before"], event["appeals_decided_after"])
    assert round(before, 4) == event["overturn_rate_measured_before"]
    assert round(during, 4) == event["overturn_rate_measured_after"]
    assert n_after >= 100 and during > 0.45 and before < 0.2
    # other vendors on the same policy, and the same vendor on other policies, do not jump
    for other in (cases["policy"] == event["policy"]) & ~slice_ & ~cases["automated"], \
                 (cases["vendor_id"] == event["vendor_id"]) & (cases["policy"] != event["policy"]):
        n_other, rate = _overturn(cases[other & after])
        assert n_other >= 100 and rate < 0.2


def test_columns_keep_the_contract_order_and_consistency_rules(market):
    cases = market.tables["moderation_cases"]
    assert (cases["reported_at"] <= cases["created_at"]).all()
    decided = cases["decided_at"].notna()
    assert (cases.loc[decided, "reported_at"] <= cases.loc[decided, "decided_at"]).all()
    appealed = cases["appeal_filed"]
    # appeals only against enforcing decisions; outcomes and dates only with an appeal
    assert cases.loc[appealed, "decision"].isin(["remove", "restrict"]).all()
    assert cases.loc[~appealed, ["appeal_outcome", "appeal_decided_at"]].isna().all().all()
    settled = cases["appeal_outcome"].isin(["upheld", "overturned"])
    assert cases.loc[settled, "appeal_decided_at"].notna().all()
    assert (cases.loc[settled, "appeal_decided_at"] >= cases.loc[settled, "decided_at"]).all()
    assert cases.loc[appealed & ~settled, "appeal_outcome"].eq("pending").all()
    # views exist for decided listings and reviews only; violating views only on enforced content
    viewed = cases["views"].notna()
    assert cases.loc[viewed, "object_type"].isin(["listing", "review"]).all()
    assert not cases.loc[~decided, "views"].notna().any()
    enforced = cases["decision"].isin(["remove", "restrict"])
    assert (cases.loc[viewed & enforced, "violating_views"] == cases.loc[viewed & enforced, "views"]).all()
    assert (cases.loc[viewed & ~enforced, "violating_views"] == 0).all()
    # automated decisions mostly come from the platform's own detection, human ones from reports
    proactive = cases["detection_source"].isin(["automated_detection", "staff_review"])
    assert proactive[cases["automated"]].mean() > 0.8 > 0.5 > proactive[~cases["automated"]].mean()


def test_overturn_jump_is_localised_to_its_vendor_and_policy_from_the_warehouse(market):
    """The what-moved machinery, given quarters before and after the jump, names the planted slice first."""
    event = _jump(market)
    tables = ("moderation_cases", "vendors", "sellers", "customers")
    warehouse = Warehouse.from_frames({name: market.tables[name] for name in tables})
    start = pd.Timestamp(event["start"])
    window = market.ground_truth["generator"]
    quarters = pd.date_range(window["start"], pd.Timestamp(window["end_exclusive"]) - pd.DateOffset(months=3), freq="QS")
    # the quarter holding the start date is left out: half of it is before the jump
    before = [q for q in quarters if q + pd.DateOffset(months=3) <= start]
    after = [q for q in quarters if q > start]
    change = explain_metric(warehouse, metric="moderation_overturn_rate", before=before, after=after,
                            by=["vendor_id", "policy", "market", "detection_source"], period="quarter")
    first = change.localization.root_causes[0]
    assert first.dims == {"vendor_id": event["vendor_id"], "policy": event["policy"]}
    assert first.actual > 3 * first.expected
    assert change.value_after > change.value_before
