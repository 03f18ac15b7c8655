"""Service promises and the standards metrics, by hand on ten contacts.

Each contact's tier is read off the policy's rules and the segments valid on its day (not
computed by govex); every expected figure below is counted from the contact list by hand.
"""
from __future__ import annotations

import datetime as dt

import ibis
import numpy as np
import pandas as pd
import pytest

from govex.engine import Warehouse
from govex.errors import ConfigError
from govex.metrics import compute_metrics
from govex.policy import parse_policy
from govex.policy.promises import PROMISES_TABLE, check_promises, service_promises, write_service_promises
from govex.policy.standards import service_standards

from policy.policy_texts import CONSISTENT_RULES, TIERS

D1, D2 = dt.date(2025, 1, 1), dt.date(2025, 2, 1)
# (customer, as_of) -> (value, risk). C3 is in the first snapshot only; C4 in none.
SEGMENTS = {("C1", D1): ("low", "normal"), ("C1", D2): ("high", "normal"), ("C2", D1): ("high", "high"),
            ("C2", D2): ("high", "high"), ("C3", D1): ("high", "low")}
H = pd.Timedelta(hours=1)
# contact, customer, created, journey, wait s, hours to resolution (None = open); tier read off the rules
CONTACTS = [
    ("K01", "C1", "2024-12-20 10:00", "fulfilment", 100.0, 10, "eco"),   # before D1: the first snapshot
    ("K02", "C1", "2025-01-15 10:00", "fulfilment", 30.0, 100, "eco"),
    ("K03", "C1", "2025-02-10 10:00", "fulfilment", 90.0, 20, "fast"),   # D2: C1 is high value now
    ("K04", "C2", "2025-02-05 10:00", "return", 800.0, None, "held"),
    ("K05", "C3", "2025-01-20 10:00", "purchase", 50.0, 30, "fast"),
    ("K06", "C3", "2025-02-20 10:00", "purchase", None, 1, "std"),       # absent from D2: unknown -> std
    ("K07", None, "2025-02-20 10:00", "purchase", 20.0, 1, None),        # seller contact: out of scope
    ("K08", "C1", "2025-02-12 10:00", "other", 20.0, 1, None),           # journey other: out of scope
    ("K09", "C4", "2025-02-15 10:00", "dispute", 600.0, 48, "std"),      # never segmented: unknown -> std
    ("K10", "C1", "2025-02-11 10:00", "fulfilment", 10.0, 5, "fast"),    # repeat of K03 within 7 days
]


def _frames() -> dict[str, pd.DataFrame]:
    rows = [(c, d, "value", v) for (c, d), (v, _) in SEGMENTS.items()] + [(c, d, "risk", r) for (c, d), (_, r) in SEGMENTS.items()]
    seg = pd.DataFrame(rows, columns=["entity_id", "as_of", "framework", "segment"]).assign(
        entity="customer", score=np.nan, reasons="r", framework_version="t1")
    created = pd.to_datetime([c[2] for c in CONTACTS])
    contacts = pd.DataFrame({
        "contact_id": [c[0] for c in CONTACTS], "customer_id": [c[1] for c in CONTACTS], "created_at": created,
        "journey": [c[3] for c in CONTACTS], "wait_time_s": [c[4] for c in CONTACTS],
        "resolved_at": [t + c[5] * H if c[5] is not None else pd.NaT for t, c in zip(created, CONTACTS)],
        "channel": "chat", "queue": "q", "market": "BR", "automated": False, "vendor_id": "V1", "reason": "r",
        "handle_time_s": 300.0,
    })
    surveys = pd.DataFrame({"survey_id": ["Y1", "Y2", "Y3"], "contact_id": ["K03", "K10", "K02"], "csat": [2, 5, 3],
                            "customer_id": ["C1"] * 3, "responded_at": pd.Timestamp("2025-03-01"),
                            "touchpoint": "contact", "market": "BR"})
    return {"segment_assignments": seg, "contacts": contacts, "surveys": surveys}


@pytest.fixture()
def world():
    policy = parse_policy(f"name: A\nversion: v1\n{TIERS}{CONSISTENT_RULES}", source="a.yaml")
    warehouse = Warehouse.from_frames(_frames())
    return warehouse, policy


def test_each_contact_gets_the_tier_of_its_customer_at_the_time(world):
    warehouse, policy = world
    assert write_service_promises(warehouse, policy) == 8
    got = warehouse.table(PROMISES_TABLE).to_pandas().set_index("contact_id")
    expected = {c[0]: c[6] for c in CONTACTS if c[6] is not None}
    assert got.tier.to_dict() == expected
    # the promise is the tier's (TIERS: fast 60 s / 24 h, std 600 / 48, eco 3600 / 96, held 900 / 96)
    promise = {"fast": (60.0, 24.0), "std": (600.0, 48.0), "eco": (3600.0, 96.0), "held": (900.0, 96.0)}
    assert {k: (r.first_response_s, r.resolution_h) for k, r in got.iterrows()} == {k: promise[t] for k, t in expected.items()}
    assert pd.Timestamp(got.loc["K01", "segments_as_of"]).date() == D1
    assert pd.Timestamp(got.loc["K03", "segments_as_of"]).date() == D2
    assert set(got.policy) == {"A v1"}
    # met flags: K03 90 s > 60 s; K06 was never answered by an agent; K09 meets 48 h on the boundary; K04 is open
    assert not got.loc["K03", "first_response_met"] and pd.isna(got.loc["K06", "first_response_met"])
    assert got.loc["K09", "resolution_met"] and not got.loc["K04", "resolution_met"]


def test_standards_by_tier_by_hand(world):
    warehouse, policy = world
    write_service_promises(warehouse, policy)
    cube = compute_metrics(warehouse, metrics=["sla_attainment_first_response", "sla_attainment_resolution"],
                           by=["tier"], period="month", start="2025-02-01", end="2025-02-28")
    got = {(r.metric, r.tier): (r.numerator, r.denominator) for r in cube.itertuples()}
    assert got == {
        # February: fast K03 (90 s > 60: missed) and K10 (met); held K04 800 <= 900; std K09 600 <= 600 (K06 never answered)
        ("sla_attainment_first_response", "fast"): (1, 2), ("sla_attainment_first_response", "held"): (1, 1),
        ("sla_attainment_first_response", "std"): (1, 1),
        # resolution: K03 20 h and K10 5 h <= 24; K04 still open: missed; K06 1 h and K09 48 h <= 48
        ("sla_attainment_resolution", "fast"): (2, 2), ("sla_attainment_resolution", "held"): (0, 1),
        ("sla_attainment_resolution", "std"): (2, 2),
    }


def test_wait_and_repeat_metrics_by_hand(world):
    warehouse, policy = world
    write_service_promises(warehouse, policy)
    names = ["average_speed_of_answer_s", "first_response_time_p50_s", "first_response_time_p90_s",
             "repeat_contact_rate_journey"]
    cube = compute_metrics(warehouse, metrics=names, period="month", start="2025-02-01", end="2025-02-28")
    got = cube.set_index("metric").value.to_dict()
    # February's answered waits in scope: 90, 800, 600, 10 (K07 and K08 are out of scope)
    assert got["average_speed_of_answer_s"] == pytest.approx((90 + 800 + 600 + 10) / 4)
    assert got["first_response_time_p50_s"] == 90.0   # order statistic ceil(0.5 * 4) = 2nd of 10, 90, 600, 800
    assert got["first_response_time_p90_s"] == 800.0  # ceil(0.9 * 4) = 4th
    assert got["repeat_contact_rate_journey"] == pytest.approx(1 / 5)  # K10 follows K03; K03 is 26 days after K02


def test_a_promise_table_that_lost_or_doubled_contacts_is_named(world):
    warehouse, policy = world
    promises = service_promises(warehouse, policy)
    lost = promises.filter(promises.contact_id != "K04")
    with pytest.raises(ConfigError, match=r"service_promises.*1 contacts in scope without a promise, e.g. K04"):
        check_promises(warehouse, lost)
    doubled = promises.union(promises.filter(promises.contact_id == "K09"), distinct=False)
    with pytest.raises(ConfigError, match=r"1 contacts with more than one promise, e.g. K09"):
        check_promises(warehouse, doubled)
    stray = promises.union(promises.filter(promises.contact_id == "K09").mutate(contact_id=ibis.literal("K07")), distinct=False)
    with pytest.raises(ConfigError, match=r"not in scope.*K07"):
        check_promises(warehouse, stray)


def test_no_promises_without_segments(world):
    warehouse, policy = world
    frames = _frames()
    empty = Warehouse.from_frames({**frames, "segment_assignments": frames["segment_assignments"].assign(entity="seller")})
    with pytest.raises(ConfigError, match="no customer rows"):
        write_service_promises(empty, policy)
    assert not empty.has(PROMISES_TABLE)


def test_promised_vs_delivered_by_tier_and_journey_by_hand(world):
    warehouse, policy = world
    write_service_promises(warehouse, policy)
    standards = service_standards(warehouse, quarter=(dt.date(2025, 1, 1), dt.date(2025, 3, 31)))
    got = standards.table.set_index(["tier", "journey"])
    # Q1 2025 in scope: K02 K05 (January), K03 K04 K06 K09 K10 (February); target 0.8
    assert got.misses.to_dict() == {
        ("eco", "fulfilment"): "resolution",        # K02 resolved after 100 h > 96
        ("fast", "fulfilment"): "first response",   # K03 waited 90 s > 60; K10 met both
        ("fast", "purchase"): "resolution",         # K05 30 h > 24
        ("held", "return"): "resolution",           # K04 still open
        ("std", "dispute"): "",                     # K09 met both, on the boundary
        ("std", "purchase"): "",                    # K06 never answered by an agent; resolved in 1 h
    }
    fast = got.loc[("fast", "fulfilment")]
    assert (fast.first_response_s, fast.answered, fast.missed_first_response, fast.first_response_met) == (60.0, 2, 1, 0.5)
    assert fast.asa_s == pytest.approx((90 + 10) / 2)
    # CSAT of the surveyed contacts: K10 met (5) vs K03 missed (2); too few surveys for a gap
    assert (fast.csat_met, fast.csat_missed) == (5.0, 2.0) and np.isnan(fast.csat_gap)
    assert got.loc[("eco", "fulfilment")].csat_missed == 3.0
    # one missed contact each: ties in tier and journey order
    assert list(zip(standards.misses().tier, standards.misses().journey)) == [
        ("eco", "fulfilment"), ("fast", "fulfilment"), ("fast", "purchase"), ("held", "return")]


def test_standards_refuse_a_window_across_quarters(world):
    warehouse, policy = world
    write_service_promises(warehouse, policy)
    with pytest.raises(ConfigError, match="one calendar quarter"):
        service_standards(warehouse, quarter=(dt.date(2024, 12, 1), dt.date(2025, 1, 31)))


def test_cli_writes_promises_and_simulate_shows_them(world, tmp_path):
    import json

    from typer.testing import CliRunner

    from govex.cli.main import app

    database = tmp_path / "w.duckdb"
    con = ibis.duckdb.connect(str(database))
    for name, frame in _frames().items():
        con.create_table(name, frame)
    con.disconnect()
    runner = CliRunner()
    done = runner.invoke(app, ["policy", "promises", "--db", str(database)])
    assert done.exit_code == 0, done.output
    assert "8 customer contacts" in done.output
    shown = runner.invoke(app, ["policy", "simulate", "--db", str(database), "--json"])
    assert shown.exit_code == 0, shown.output
    rows = json.loads(shown.stdout[shown.stdout.index("{"):])["standards"]
    # the data end in February 2025, so the last whole quarter is Q4 2024: K01 alone, C1 then low value ->
    # the shipped policy's low_value_economy rule
    assert [(r["tier"], r["journey"], r["contacts"]) for r in rows] == [("economy", "fulfilment", 1)]


def test_report_section_names_the_misses(world):
    from govex.reports.standards import standards_section

    from reports.report_context import report_context

    warehouse, policy = world
    ctx = report_context(warehouse, "2025-Q1")
    absent = standards_section(ctx).section
    assert "govex policy promises" in absent.absent
    write_service_promises(warehouse, policy)
    built = standards_section(ctx)
    table = built.section.tables[0]
    # the four cells that missed a promise in Q1 2025 (see the hand test above), one missed contact each
    assert [(r[0], r[1], r[6]) for r in table.rows] == [("eco", "fulfilment", "1"), ("fast", "fulfilment", "1"),
                                                       ("fast", "purchase", "1"), ("held", "return", "1")]
    assert built.section.findings[0].text.startswith("4 tier and journey combinations missed a promise in 2025-Q1; "
                                                     "the largest is the eco tier in the fulfilment journey")
    assert "Too few contact surveys" in built.section.findings[1].text
    assert built.issues[0].kpi == "Resolution promise met"  # eco x fulfilment missed its resolution promise only
