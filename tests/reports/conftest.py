"""One small synthetic marketplace, its segments, plan and Q4 report, shared by the report tests."""
from __future__ import annotations

import datetime as dt

import pytest

from govex.datasets import small_marketplace
from govex.engine import Warehouse
from govex.planning import plan_from_warehouse
from govex.reports import build_report
from govex.segments import assign_and_count


@pytest.fixture(scope="session")
def market():
    return small_marketplace()


@pytest.fixture(scope="session")
def warehouse(market):
    wh = Warehouse.from_frames(market.tables)
    assign_and_count(wh, as_of=dt.date(2025, 12, 31))
    return wh


@pytest.fixture(scope="session")
def plan(warehouse):
    return plan_from_warehouse(warehouse)


@pytest.fixture(scope="session")
def report(warehouse, plan):
    return build_report(warehouse, period="2025-Q4", plan=plan)  # no scenario file: the automation study decides
