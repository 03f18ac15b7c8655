"""The four service lines planned as queues of their own: volumes, handle times, vendors, plan lines."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from govex.engine import Warehouse
from govex.planning import plan_from_warehouse
from govex.planning.problems import routing_problem_from_warehouse
from govex.planning.service_lines import EDUCATION_SESSION_S, GUIDANCE_SESSION_S, RECOVERY_CASE_S, service_line_history

from planning.test_warehouse_cli import DAYS, FIRST
from planning.test_warehouse_cli import frames as _frames_fixture  # noqa: F401  (the same tiny warehouse)

N_SELLER, N_CUSTOMER, N_RECOVERY = 300, 420, 840  # over the same 42 days as the contacts


def _spread(rng, n: int) -> pd.Series:
    return pd.Series((FIRST + pd.to_timedelta(rng.uniform(8 * 3600, DAYS * 86400 - 4 * 3600, n), unit="s")).floor("s"))


@pytest.fixture(scope="module")
def lines(_frames_fixture):  # noqa: F811
    rng = np.random.default_rng(5)
    education = pd.DataFrame({"enrolment_id": [f"e{i}" for i in range(N_SELLER)], "seller_id": "S1",
                              "programme": "seller_academy", "enrolled_at": _spread(rng, N_SELLER)})
    guidance = pd.DataFrame({"enrolment_id": [f"g{i}" for i in range(N_CUSTOMER)], "customer_id": "C1",
                             "programme": "first_purchase_guide", "enrolled_at": _spread(rng, N_CUSTOMER)})
    recovery = pd.DataFrame({"compensation_id": [f"r{i}" for i in range(N_RECOVERY)], "customer_id": "C1",
                             "failure": "late_delivery", "granted_at": _spread(rng, N_RECOVERY), "market": "GB"})
    vendors = pd.concat([_frames_fixture["vendors"], pd.DataFrame({
        "vendor_id": ["V4", "V5", "V6"], "vendor_name": ["D", "E", "F"],
        "function": ["education", "service_recovery", "service_recovery"], "site": ["p", "q", "r"],
        "languages": ["en", "en", "en"], "pricing_model": ["per_hour"] * 3, "rate": [25.0, 15.0, 12.0],
        "currency": ["EUR"] * 3, "capacity_hours_week": [400.0, 100.0, 900.0], "min_commit_hours_week": [0.0] * 3,
        "ramp_up_weeks": [2.0] * 3, "qa_target": [0.95] * 3})], ignore_index=True)
    return Warehouse.from_frames({**_frames_fixture, "vendors": vendors, "education": education,
                                  "customer_education": guidance, "compensations": recovery})


def test_work_of_each_line_by_hand(lines):
    history = service_line_history(lines)
    got = history.groupby(["channel", "queue"])[["contacts", "work_s"]].sum()
    assert got.loc[("education", "education_seller_academy")].tolist() == [N_SELLER, N_SELLER * EDUCATION_SESSION_S]
    assert got.loc[("education", "education_first_purchase_guide")].tolist() == [N_CUSTOMER, N_CUSTOMER * GUIDANCE_SESSION_S]
    assert got.loc[("service_recovery", "service_recovery_late_delivery")].tolist() == [N_RECOVERY, N_RECOVERY * RECOVERY_CASE_S]


def test_the_plan_has_four_lines_each_with_its_own_vendor(lines):
    result = plan_from_warehouse(lines)
    queues = result.plan.queues.set_index("queue")
    # each line's queue goes to the vendor of its function with the most capacity (V4; V6 over V5)
    assert queues.loc["education_seller_academy", "vendor_id"] == "V4"
    assert queues.loc["service_recovery_late_delivery", "vendor_id"] == "V6"
    assert queues.loc["moderation_counterfeit", "vendor_id"] == "V3"
    by_line = result.plan.by_line().set_index("line")
    assert list(by_line.index) == ["customer_service", "moderation", "education", "service_recovery"]
    assert (by_line.fte > 0).all()
    # a week's work of the recovery line is near 840 cases / 6 weeks at 8 minutes each
    assert by_line.loc["service_recovery", "contacts_week"] == pytest.approx(N_RECOVERY / 6, rel=0.35)
    assert "by service line: customer service" in result.summary() and "service recovery" in result.summary()


def test_routing_problem_asks_each_line_for_its_own_vendors(lines):
    problem = routing_problem_from_warehouse(lines)
    functions = {q.queue: q.function for q in problem.queues}
    assert functions["education_seller_academy"] == "education"
    assert functions["service_recovery_late_delivery"] == "service_recovery"
    assert functions["moderation_counterfeit"] == "moderation"
    assert functions["fulfilment_phone"] == "customer_service"


def test_without_the_lines_tables_the_plan_still_lists_them_idle(_frames_fixture):  # noqa: F811
    by_line = plan_from_warehouse(Warehouse.from_frames(_frames_fixture)).plan.by_line().set_index("line")
    assert by_line.loc[["education", "service_recovery"], "fte"].tolist() == [0.0, 0.0]
