"""Draft playbook: candidates from every source pass `check`, carry their evidence, start after the data, never overwrite."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from govex.errors import ConfigError
from govex.planning.playbook import check_playbook
from govex.reports.plays import draft_playbook, write_draft
from govex.voc.study import AutomationStudy


@pytest.fixture(scope="module")
def draft(warehouse):
    # an automation study with no paying reason (its own figures are tested in test_play_findings): no model to train
    no_opportunity = AutomationStudy(None, None, None, pd.DataFrame({"net_saving": [-1.0]}))
    return draft_playbook(warehouse, period="2025-Q4", study=no_opportunity)


def test_draft_is_a_valid_playbook_with_evidence(draft, tmp_path, market):
    path = write_draft(draft, tmp_path / "draft.yaml")
    plays = check_playbook(path)
    assert len(plays) == len(draft.plays) >= 2
    friction = [p for p in draft.plays if p["kpi"] == "repeat_contact_rate"]
    assert friction and all("find_friction" in p["evidence"] and "2025-Q4" in p["evidence"] for p in friction)
    assert all(p["expected"]["effect"] < 0 for p in friction)  # the gap to the best segment: fewer repeats
    drivers = [p for p in draft.plays if p["kpi"] == "csat"]
    # planted truth: late delivery has the largest CSAT effect of the synthetic drivers, and it belongs to fulfilment
    truth = market.ground_truth["csat_drivers"]["ranking"][0]
    assert truth == "late_delivery"
    assert drivers[0]["journey"] == "fulfilment" and drivers[0]["expected"]["effect"] > 0
    assert "late_delivery" in drivers[0]["evidence"]
    assert all(p["start"] < p["review"] for p in draft.plays)


def test_draft_never_overwrites(draft, tmp_path):
    path = tmp_path / "playbook.yaml"
    path.write_text("plays: []  # edited by people\n")
    with pytest.raises(ConfigError, match="a draft never overwrites"):
        write_draft(draft, path)
    assert path.read_text() == "plays: []  # edited by people\n"


def test_draft_starts_the_monday_after_the_last_order(draft, market):
    # the data's end, not today's date: the same data give the same draft on any day
    last = pd.to_datetime(market.tables["orders"]["ordered_at"]).max().date()
    monday = last + dt.timedelta(days=7 - last.weekday())
    assert monday.weekday() == 0 and monday > last
    assert {p["start"] for p in draft.plays} == {monday}
    assert {p["review"] for p in draft.plays} == {monday + dt.timedelta(weeks=8)}
    assert any("automation: no contact reason pays" in note for note in draft.skipped)
