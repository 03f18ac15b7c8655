"""The planted help-flow launch: only the treated market's contacts from the launch day change, by the stated share."""
from __future__ import annotations

import pandas as pd
import pytest

from govex.datasets import generate
from govex.datasets.synth import help_flow

CUSTOMERS = 3_000


@pytest.fixture(scope="module")
def with_and_without():
    launched = generate(customers=CUSTOMERS, seed=4)
    with pytest.MonkeyPatch.context() as patch:  # the same marketplace without the launch
        patch.setattr(help_flow, "DEFLECTED_SHARE", 0.0)
        unlaunched = generate(customers=CUSTOMERS, seed=4)
    return launched, unlaunched


def test_only_the_launch_market_after_its_start_loses_contacts(with_and_without):
    launched, unlaunched = with_and_without
    event = launched.event("help_flow_launch")
    for name in ("customers", "sellers", "orders", "disputes", "returns", "moderation_cases", "fx_rates"):
        pd.testing.assert_frame_equal(launched.tables[name], unlaunched.tables[name])
    before, after = unlaunched.tables["contacts"], launched.tables["contacts"]
    kept = before[before.contact_id.isin(after.contact_id)]
    pd.testing.assert_frame_equal(kept.reset_index(drop=True), after.reset_index(drop=True))
    lost = before[~before.contact_id.isin(after.contact_id)]
    assert len(lost) > 0
    assert (lost.market == event["market"]).all()
    assert (lost.created_at >= pd.Timestamp(event["start"])).all()
    # surveys: only those sent after a prevented contact are gone, the rest unchanged
    surveys = unlaunched.tables["surveys"]
    gone = surveys[~surveys.survey_id.isin(launched.tables["surveys"].survey_id)]
    assert set(gone.contact_id) <= set(lost.contact_id)
    staffing_before, staffing_after = unlaunched.tables["staffing"], launched.tables["staffing"]
    early = pd.Timestamp(event["start"]).date()
    pd.testing.assert_frame_equal(staffing_before[staffing_before.date < early].reset_index(drop=True),
                                  staffing_after[staffing_after.date < early].reset_index(drop=True))


def test_the_planted_share_of_issues_is_prevented(market):
    """On the 40k-customer marketplace: DE contacts of issues started from the launch fall by the stated share."""
    event = market.event("help_flow_launch")
    assert event["relative_effect"] == -help_flow.DEFLECTED_SHARE
    contacts = market.tables["contacts"]
    start = pd.Timestamp(event["start"])
    # the treated market's post/pre contacts per order against the other markets' (a ratio of ratios)
    orders = market.tables["orders"]

    def per_order(frame_c, frame_o):
        post_c, post_o = (frame_c.created_at >= start).sum(), (frame_o.ordered_at >= start).sum()
        return (post_c / post_o) / ((~(frame_c.created_at >= start)).sum() / (~(frame_o.ordered_at >= start)).sum())

    de = per_order(contacts[contacts.market == "DE"], orders[orders.market == "DE"])
    rest = per_order(contacts[contacts.market != "DE"], orders[orders.market != "DE"])
    assert de / rest == pytest.approx(1 - help_flow.DEFLECTED_SHARE, abs=0.06)


def test_impact_from_the_metric_layer_covers_the_planted_effect(market):
    """`govex impact --metric contact_rate --by market --treated DE`: one treated market, so synthetic control
    (and ITS) are the methods to trust; their 90% intervals cover the planted -25%. DiD says it has too few clusters."""
    from govex.engine import Warehouse
    from govex.planning.impact_read import measure_metric_impact

    event = market.event("help_flow_launch")
    warehouse = Warehouse.from_frames(market.tables)
    for method in ("synthetic_control", "its"):
        checks = measure_metric_impact(warehouse, metric="contact_rate", by="market", treated=[event["market"]],
                                       start=event["start"], method=method).checks
        assert checks["relative_ci_low"] <= event["relative_effect"] <= checks["relative_ci_high"], (method, checks)
    did = measure_metric_impact(warehouse, metric="contact_rate", by="market", treated=["DE"], start=event["start"])
    assert did.checks["treated_units"] == 1 and "fewer than 6 treated or control units" in did.checks["warning"]


def test_playbook_status_of_the_launch(market, tmp_path):
    """A play for the planted launch, expecting roughly its size, is on track; the same play claimed for GB
    (where nothing changed) is not; a play started a week before the data end is too early to tell."""
    from govex.engine import Warehouse
    from govex.planning.play_status import ON_TRACK, TOO_EARLY, play_status
    from govex.planning.playbook import check_playbook

    event = market.event("help_flow_launch")
    end = pd.Timestamp(market.ground_truth["generator"]["end_exclusive"]).date()
    contacts, orders = market.tables["contacts"], market.tables["orders"]
    before = (contacts.market == "DE") & (contacts.created_at < pd.Timestamp(event["start"]))
    level = before.sum() / ((orders.market == "DE") & (orders.ordered_at < pd.Timestamp(event["start"]))).sum()
    effect = level * event["relative_effect"]  # the planted change in contacts per order, by hand
    play = f"""\
  - segment: all
    journey: purchase
    markets: [{{market}}]
    problem: issues a help flow could answer
    evidence: contact_rate by market
    action: new help flow
    owner: cs
    kpi: contact_rate
    expected: {{{{effect: {effect:.4f}, low: {1.5 * effect:.4f}, high: {0.5 * effect:.4f}}}}}
    cost: 1
    start: {{start}}
    review: {end}
"""
    path = tmp_path / "playbook.yaml"
    path.write_text("plays:\n" + play.format(market="DE", start=event["start"]) + play.format(market="GB", start=event["start"])
                    + play.format(market="DE", start=end - pd.Timedelta(days=8)))
    warehouse = Warehouse.from_frames(market.tables)
    de, gb, late = (play_status(warehouse, p, today=end) for p in check_playbook(path))
    assert de.verdict == ON_TRACK and de.result.method == "synthetic_control", de.reason
    assert gb.verdict != ON_TRACK, gb.reason
    assert late.verdict == TOO_EARLY and "week(s) of contact rate since the start" in late.reason
