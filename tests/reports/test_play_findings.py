"""Draft plays from VOC themes, automation opportunities, risky sellers and service-standard misses,
each checked against its planted or hand-computed figures."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from govex.engine import Warehouse
from govex.reports import play_findings
from govex.reports.plays import Draft
from govex.segments.seller import run_seller_segmentation
from govex.voc.study import AutomationStudy

from reports.report_context import report_context

START = dt.date(2026, 1, 5)
AS_OF = dt.date(2025, 12, 31)


def test_automation_play_carries_the_study_figures(market):
    # hand-made study rows: only the paying reason is drafted, its figures turned into a year by hand
    rows = pd.DataFrame([
        dict(reason="where_is_my_order", monthly_contacts=1000.0, coverage=0.8, precision=0.92, resolvable_share=0.6,
             deflected_contacts=480.0, fte_saved=1.5, net_saving=2000.0, currency="USD", error_cost=100.0,
             escalation_cost=200.0, llm_cost=50.0, labour_cost_saved=2350.0, cost_per_productive_hour=25.0),
        dict(reason="damaged_item", monthly_contacts=3000.0, coverage=0.5, precision=0.9, resolvable_share=0.1,
             deflected_contacts=150.0, fte_saved=0.0, net_saving=-5.0, currency="USD", error_cost=3.0,
             escalation_cost=2.0, llm_cost=0.0, labour_cost_saved=0.0, cost_per_productive_hour=25.0)])
    contacts = market.tables["contacts"]
    journey = contacts[contacts["reason"] == "where_is_my_order"]["journey"].value_counts().idxmax()
    warehouse = Warehouse.from_frames({"contacts": contacts})
    draft = Draft()
    play_findings.automation_plays(report_context(warehouse, study=AutomationStudy(None, None, None, rows)), START, draft)
    (play,) = draft.plays
    assert play["journey"] == journey and play["kpi"] == "automation_rate"
    assert play["expected"] == {"effect": 0.12, "low": 0.06, "high": 0.18}  # 480 of 4,000 contacts, half to 1.5x
    assert play["cost"] == 12 * 350 and play["benefit"] == {"value": 12 * 2350, "low": 6 * 2350, "high": 18 * 2350}
    assert "handling time x vendor rate" in play["costing"] and "480 deflected" in play["evidence"]


def test_theme_play_finds_the_planted_complaint():
    # 60 comments about late parcels rated 1-2 on fulfilment contacts, 140 varied happy ones rated 4-5
    rng = np.random.default_rng(3)
    late = ["parcel arrived late", "parcel arrived late again", "parcel arrived weeks late", "parcel arrived late no tracking",
            "parcel arrived late box damaged"]
    happy = ["great seller fast answer", "lovely product good price", "easy checkout nice app", "refund quick friendly agent",
             "account setup simple clear help", "fast answer helpful chat", "good quality product recommend",
             "nice price easy return label"]
    texts = [late[i % 5] + f" order {w}" for i, w in enumerate(rng.choice(["again", "today", "now"], 60))]
    texts += [happy[i % 8] + f" {w}" for i, w in enumerate(rng.choice(["thanks", "indeed", "really"], 140))]
    csat = [1 + i % 2 for i in range(60)] + [4 + i % 2 for i in range(140)]
    journeys = ["fulfilment"] * 60 + ["purchase", "return", "account_safety", "dispute"] * 35
    n = len(texts)
    contacts = pd.DataFrame({"contact_id": [f"c{i}" for i in range(n)], "journey": journeys})
    surveys = pd.DataFrame({
        "survey_id": [f"s{i:03d}" for i in range(n)], "customer_id": [f"u{i}" for i in range(n)], "order_id": "",
        "contact_id": contacts["contact_id"], "market": "DE", "touchpoint": "contact",
        "responded_at": pd.Timestamp("2025-11-01") + pd.to_timedelta(np.arange(n), unit="h"),
        "csat": csat, "nps": pd.Series([None] * n, dtype="Int64"), "comment": texts})
    draft = Draft()
    play_findings.theme_plays(report_context(Warehouse.from_frames({"surveys": surveys, "contacts": contacts})), START, draft)
    worst = draft.plays[0]
    assert worst["journey"] == "fulfilment" and worst["kpi"] == "csat" and "late" in worst["problem"]
    words = worst["problem"].split("'")[1].replace(" / ", " ").split()  # the theme's label, no word named twice
    assert len(words) == len(set(words)), worst["problem"]
    # the theme holds the 60 late comments: lifting them (mean 1.5) to the others' (4.5) moves CSAT 3 x 60/200
    assert worst["expected"]["high"] == pytest.approx(0.9, abs=0.05)
    assert worst["expected"]["effect"] == pytest.approx(0.75 * worst["expected"]["high"], abs=1e-3)


@pytest.fixture(scope="module")
def sellers_warehouse(market):
    from govex.policy import load_policy
    from govex.policy.promises import write_service_promises
    from govex.segments import assign_all

    warehouse = Warehouse.from_frames(market.tables)
    assign_all(warehouse, as_of=AS_OF)
    run_seller_segmentation(warehouse, as_of=AS_OF)
    write_service_promises(warehouse, load_policy())
    return warehouse


def test_seller_play_matches_pandas(sellers_warehouse, market):
    from govex.segments.store import read_assignments

    draft = Draft()
    play_findings.seller_plays(report_context(sellers_warehouse), START, draft)
    (play,) = draft.plays
    tiers = read_assignments(sellers_warehouse, framework="seller_risk", entity="seller").execute()
    tier = next(t for t in play_findings.RISK_TIERS if (tiers["segment"] == t).any())
    # pooled dispute rates by pandas: orders up to the as-of date, an order disputed when a dispute opened by then
    t = market.tables
    sellers = t["sellers"][pd.to_datetime(t["sellers"]["onboarded_date"]).dt.date <= AS_OF]["seller_id"]
    orders = t["orders"][t["orders"]["seller_id"].isin(sellers)
                         & (pd.to_datetime(t["orders"]["ordered_at"]).dt.date <= AS_OF)]
    disputes = t["disputes"][pd.to_datetime(t["disputes"]["opened_at"]).dt.date <= AS_OF]
    risky = orders["seller_id"].isin(tiers[tiers["segment"] == tier]["entity_id"])
    disputed = orders["order_id"].isin(disputes["order_id"])
    rate_tier, rate_rest = disputed[risky].mean(), disputed[~risky].mean()
    gap = -(rate_tier - rate_rest) * risky.mean()
    assert play["expected"]["low"] == pytest.approx(gap, abs=1e-4)
    assert f"{rate_tier:.2%}" in play["evidence"] and f"{rate_rest:.2%}" in play["evidence"]
    assert play["cost"] > 0 and "cost per moderation case" in play["costing"]


def test_service_standard_misses_point_at_the_planted_market(sellers_warehouse, market):
    draft = Draft()
    play_findings.standard_plays(report_context(sellers_warehouse), START, draft)
    truth = market.event("service_promise_miss")  # one tier's first-response promise missed in one market
    assert draft.plays and all(p["markets"] == [truth["market"]] for p in draft.plays)
    assert all(p["kpi"].startswith("sla_attainment") and p["expected"]["effect"] > 0 for p in draft.plays)


def test_service_standard_hook_says_when_the_metrics_are_absent(market):
    draft = Draft()
    play_findings.standard_plays(report_context(Warehouse.from_frames({"contacts": market.tables["contacts"]})), START, draft)
    assert not draft.plays and "sla_attainment_first_response" in draft.skipped[0]


def test_a_theme_label_reads_as_the_texts_write_it():
    from govex.voc.themes import theme_label

    # top phrases as the analyser makes them (stop words gone, negations joined), heaviest first
    phrases = ["took", "far long", "long", "took far", "refund late", "refund", "late"]
    texts = ["It took far too long to arrive", "took far too long!", "refund late", "my refund late again"]
    # took + took far + far long chain into one phrase, 'too' comes back from the texts; long, refund, late are named
    assert theme_label(phrases, texts) == "took far too long / refund late"
    assert theme_label(["nt_arrived", "arrived"], ["It hasn't arrived yet", "parcel hasn't arrived"]) == "not arrived"
