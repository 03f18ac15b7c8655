"""Warehouse reads for VOC: stratified sampling, segment columns, survey comments, and themes cut
by segment, each checked against a hand count or an independent pandas join."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from govex.engine.warehouse import Warehouse
from govex.errors import VocInputError
from govex.voc.sources import contact_texts, stratified_quotas, survey_comments
from govex.voc.themes import theme_scores, theme_trend


def value_segments() -> pd.DataFrame:
    """Framework 'value' at two as-of dates: everyone 'low' on 2024-01-01; on 2024-02-01 K000-K019
    'high', K020-K034 'medium', K035-K039 absent. Framework 'risk' only on the older date."""
    rows = [("customer", f"K{i:03d}", "value", dt.date(2024, 1, 1), "low") for i in range(40)]
    rows += [("customer", f"K{i:03d}", "value", dt.date(2024, 2, 1), "high" if i < 20 else "medium") for i in range(35)]
    rows += [("customer", f"K{i:03d}", "risk", dt.date(2024, 1, 1), "normal") for i in range(40)]
    rows += [("seller", "K000", "value", dt.date(2024, 3, 1), "high")]  # another entity: never joined to customers
    frame = pd.DataFrame(rows, columns=["entity", "entity_id", "framework", "as_of", "segment"])
    return frame.assign(score=None, reasons=None, framework_version="v1").astype({"score": "float64", "reasons": "string"})


@pytest.fixture(scope="module")
def warehouse(contacts_en) -> Warehouse:
    surveys = pd.DataFrame(
        {
            "survey_id": ["S1", "S2", "S3", "S4"],
            "customer_id": ["K000", "K021", "K039", "K001"],
            "order_id": pd.array([None] * 4, dtype="string"),
            "contact_id": pd.array([contacts_en["contact_id"].iloc[0], contacts_en["contact_id"].iloc[1], None, None], dtype="string"),
            "market": "UK",
            "responded_at": pd.to_datetime(["2024-01-05", "2024-01-06", "2024-01-07", "2024-01-08"]),
            "touchpoint": ["contact", "contact", "order", "order"],
            "csat": [1, 4, 5, 2],
            "nps": [0, 9, 10, 3],
            "comment": ["still no refund", "quick answer", "arrived early", "  "],
        }
    )
    return Warehouse.from_frames({"contacts": contacts_en, "segment_assignments": value_segments(), "surveys": surveys})


def test_stratified_quotas_by_hand():
    # floors min(n, 30): 30, 30, 10 (70); 130 left shared by 970 : 70 -> 121.25 and 8.75,
    # floors 121 and 8, the odd row to the larger remainder (b): 151, 39, 10 = 200
    quotas = stratified_quotas(pd.Series({"a": 1000, "b": 100, "c": 10}), 200, floor=30)
    assert quotas.to_dict() == {"a": 151, "b": 39, "c": 10}
    # floors that do not fit shrink to total / strata: 30 / 3 = 10 each
    assert stratified_quotas(pd.Series({"a": 1000, "b": 100, "c": 10}), 30, floor=30).to_dict() == {"a": 10, "b": 10, "c": 10}
    # asking for more than there is keeps everything
    assert stratified_quotas(pd.Series({"a": 5, "b": 3}), 100, floor=30).to_dict() == {"a": 5, "b": 3}


def test_sample_is_stratified_deterministic_and_seeded(warehouse, contacts_en):
    sample = contact_texts(warehouse, max_texts=60)
    # five reasons of 24 texts each, 60 asked: 12 per reason (floor 30 shrinks to 60 / 5)
    assert sample["reason"].value_counts().to_dict() == {r: 12 for r in contacts_en["reason"].unique()}
    assert sample["contact_id"].is_monotonic_increasing and sample["contact_id"].is_unique
    again = contact_texts(warehouse, max_texts=60)
    other_seed = contact_texts(warehouse, max_texts=60, seed=1)
    assert again["contact_id"].tolist() == sample["contact_id"].tolist()
    assert other_seed["contact_id"].tolist() != sample["contact_id"].tolist()
    assert len(contact_texts(warehouse, labelled=False, max_texts=7)) == 7
    assert len(contact_texts(warehouse, max_texts=500)) == len(contacts_en)  # fewer rows than asked: all of them


def test_segment_columns_use_the_latest_as_of(warehouse, contacts_en):
    frame = contact_texts(warehouse, segments=["value", "risk"])
    # independent: the 2024-02-01 'value' rows (the framework's latest date), customers absent there -> '(none)'
    latest = value_segments().query("entity == 'customer' and framework == 'value' and as_of == @dt.date(2024, 2, 1)")
    expected = contacts_en.merge(latest[["entity_id", "segment"]], left_on="customer_id", right_on="entity_id", how="left")
    expected = expected.set_index("contact_id")["segment"].fillna("(none)")
    assert frame.set_index("contact_id")["segment:value"].to_dict() == expected.to_dict()
    assert (frame["segment:risk"] == "normal").all()
    with pytest.raises(VocInputError, match=r"framework\(s\) \['intent'\].*known frameworks: \['risk', 'value'\]"):
        contact_texts(warehouse, segments=["intent"])


def test_themes_by_segment_against_pandas(warehouse, contacts_en):
    frame = contact_texts(warehouse, segments=["value"])
    scores = theme_scores(frame, theme_col="reason", by=["segment:value"]).set_index(["segment:value", "reason"])
    # independent count: contacts per customer segment (K000-K019 high, K020-K034 medium, K035+ none) and reason
    number = contacts_en["customer_id"].str[1:].astype(int)
    segment = pd.Series("(none)", index=contacts_en.index).mask(number < 35, "medium").mask(number < 20, "high")
    expected = contacts_en.assign(segment=segment).groupby(["segment", "reason"]).size()
    assert scores["n_texts"].to_dict() == expected.to_dict()
    shares = expected / expected.groupby(level=0).transform("sum")
    assert scores["share"].to_numpy() == pytest.approx(shares.loc[scores.index].to_numpy())
    trend = theme_trend(frame, theme_col="reason", time_col="created_at", period="month", by=["segment:value"])
    assert trend["n_texts"].sum() == len(contacts_en) and set(trend["segment:value"]) == {"high", "medium", "(none)"}


def test_survey_comments_with_journey_scores_and_segment(warehouse, contacts_en):
    comments = survey_comments(warehouse, segments=["value"]).set_index("survey_id")
    # S4's comment is blank: dropped; S1/S2 surveyed contacts (their journey), S3 an order ('(none)')
    assert comments.index.tolist() == ["S1", "S2", "S3"]
    assert comments.loc["S1", "journey"] == contacts_en["journey"].iloc[0] and comments.loc["S3", "journey"] == "(none)"
    assert comments["segment:value"].to_dict() == {"S1": "high", "S2": "medium", "S3": "(none)"}
    scored = theme_scores(comments.reset_index(), theme_col="touchpoint", csat_col="csat", nps_col="nps").set_index("touchpoint")
    # contact surveys: CSAT (1 + 4) / 2; NPS one detractor (0) and one promoter (9) of two -> 0
    assert scored.loc["contact", ["n_texts", "csat_mean", "nps"]].tolist() == pytest.approx([2, 2.5, 0])
    scores = contact_texts(warehouse, survey_scores=True).set_index("contact_id")
    assert scores.loc[contacts_en["contact_id"].iloc[0], "csat"] == 1 and scores["csat"].notna().sum() == 2
