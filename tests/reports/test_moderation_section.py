"""The report's moderation section: its figures counted again with pandas, the planted overturn
hotspot named with its action, and a plain 'absent' without the operations columns."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from govex.datasets import generate
from govex.engine.warehouse import Warehouse
from govex.reports import moderation

from reports.report_context import report_context

TABLES = ("moderation_cases", "vendors", "sellers", "customers")


@pytest.fixture(scope="module")
def market():
    generated = generate(customers=20_000, seed=7)
    return generated, Warehouse.from_frames({t: generated.tables[t] for t in TABLES})


def test_figures_match_pandas_and_the_planted_vendor_is_named(market):
    generated, warehouse = market
    built = moderation.moderation_section(report_context(warehouse, "2025-Q4"))
    assert not built.section.absent
    numbers = built.section.findings[0].numbers
    cases = generated.tables["moderation_cases"]
    decided_in = cases["decided_at"].between(dt.datetime(2025, 10, 1), dt.datetime(2026, 1, 1), inclusive="left")
    settled = cases["appeal_outcome"].isin(["upheld", "overturned"])
    overturn = (cases.loc[decided_in & settled, "appeal_outcome"] == "overturned").mean()
    assert numbers["moderation_overturn_rate"].value == pytest.approx(overturn)
    hours = (cases.loc[decided_in, "decided_at"].dt.floor("s") - cases.loc[decided_in, "reported_at"].dt.floor("s"))
    ordered = np.sort(hours.dt.total_seconds().to_numpy() / 3600)
    assert numbers["moderation_time_to_action_p50_h"].value == pytest.approx(ordered[int(np.ceil(0.5 * len(ordered))) - 1])
    event = generated.event("appeal_overturn_jump")
    hotspot = built.section.findings[1]
    assert hotspot.words == {"vendor": event["vendor_id"], "policy": event["policy"].replace("_", " ")}
    assert built.actions and event["vendor_id"] in built.actions[0].text


def test_without_operations_columns_the_section_says_so(market):
    generated, _ = market
    old = generated.tables["moderation_cases"].drop(columns=["reported_at", "detection_source", "appeal_filed",
                                                              "appeal_outcome", "appeal_decided_at", "views",
                                                              "violating_views"])
    for column in ("reported_at", "appeal_decided_at"):
        old[column] = np.datetime64("NaT", "us")
    for column in ("detection_source", "appeal_outcome"):
        old[column] = None
    old["appeal_filed"] = None
    old["views"] = np.nan
    old["violating_views"] = np.nan
    tables = {t: generated.tables[t] for t in TABLES if t != "moderation_cases"}
    warehouse = Warehouse.from_frames({**tables, "moderation_cases": old.astype({"appeal_filed": "boolean",
                                                                                  "detection_source": "string",
                                                                                  "appeal_outcome": "string"})})
    built = moderation.moderation_section(report_context(warehouse, "2025-Q4"))
    # the automated share needs no new column: the section still reads, without appeals or prevalence
    assert not built.section.absent
    assert set(built.section.findings[0].numbers) == {"automated_decision_share"}
    assert not built.actions
