"""Simulation: per-tier customers and volumes equal an independent pandas count; exposure by hand."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from govex.engine import Warehouse
from govex.errors import ConfigError
from govex.metrics import CurrencyError
from govex.policy import parse_policy, simulate_policies

from policy.policy_texts import CONSISTENT_RULES, TIERS

AS_OF = dt.date(2025, 3, 1)
# Latest segments (as of AS_OF); C1 was 'low' value on an older date, which must be ignored.
SEGMENTS = {"C1": ("high", "normal"), "C2": ("high", "high"), "C3": ("medium", "low"),
            "C4": ("low", "normal"), "C5": ("low", "normal"), "C6": ("medium", "high")}
# Hand mapping of the two policies (read off their rules, not computed by govex):
# A = CONSISTENT_RULES: high risk -> held; else value high/medium/low -> fast/std/eco.
# B = everyone std except high risk held only in return and dispute (precedence), unknown -> eco.
TIER_A = {"C1": "fast", "C2": "held", "C3": "std", "C4": "eco", "C5": "eco", "C6": "held", None: "std"}


def _tier_b(customer, journey):
    if customer is None:
        return "eco"
    return "held" if SEGMENTS[customer][1] == "high" and journey in ("return", "dispute") else "std"


RULES_B = """
rules:
  - name: risky_refunds
    when: {risk: high}
    journeys: [return, dispute]
    tier: held
    precedence: 10
    reason: verify refunds of risky customers
  - name: everyone
    tier: std
"""


def _assignments() -> pd.DataFrame:
    rows = []
    for cid, (value, risk) in SEGMENTS.items():
        rows += [("customer", cid, "value", AS_OF, value), ("customer", cid, "risk", AS_OF, risk)]
    rows.append(("customer", "C1", "value", AS_OF - dt.timedelta(days=30), "low"))
    frame = pd.DataFrame(rows, columns=["entity", "entity_id", "framework", "as_of", "segment"])
    return frame.assign(score=np.nan, reasons="r", framework_version="t1")


def _contacts(rng) -> pd.DataFrame:
    journeys = ["purchase", "fulfilment", "return", "dispute", "account_safety"]
    customers = ["C1", "C2", "C3", "C4", "C5", "C6", "C99", None]
    n = 400
    created = pd.Timestamp(AS_OF) - pd.to_timedelta(rng.integers(0, 120 * 24, n), unit="h")
    automated = rng.random(n) < 0.3
    return pd.DataFrame({
        "contact_id": [f"K{i}" for i in range(n)], "customer_id": rng.choice(np.array(customers, dtype=object), n),
        "created_at": created, "journey": rng.choice(journeys, n), "automated": automated,
        "handle_time_s": np.where(automated, np.nan, rng.uniform(100, 900, n)),
        "channel": "chat", "queue": "q", "market": "BR",
    })


def _returns(rng) -> pd.DataFrame:
    n = 60
    return pd.DataFrame({
        "return_id": [f"R{i}" for i in range(n)], "customer_id": rng.choice(["C1", "C2", "C3", "C4", "C99"], n),
        "requested_at": pd.Timestamp(AS_OF) - pd.to_timedelta(rng.integers(0, 100 * 24, n), unit="h"),
        "refund_amount": rng.choice([5.0, 15.0, 40.0, 150.0], n), "currency": rng.choice(["USD", "BRL"], n),
        "abuse_flag": rng.random(n) < 0.2, "status": "refunded", "reason": "damaged", "order_id": "O", "market": "BR",
    })


FX = pd.DataFrame({"currency": ["BRL", "BRL"], "valid_from": [dt.date(2024, 1, 1), dt.date(2025, 1, 15)],
                   "rate_to_reporting": [0.5, 0.2]})


@pytest.fixture(scope="module")
def world():
    rng = np.random.default_rng(7)
    frames = {"segment_assignments": _assignments(), "contacts": _contacts(rng), "returns": _returns(rng),
              "fx_rates": FX}
    warehouse = Warehouse.from_frames(frames)
    a = parse_policy(f"name: A\nversion: v1\n{TIERS}{CONSISTENT_RULES}", source="a.yaml")
    b = parse_policy(f"name: B\nversion: v1\n{TIERS}".replace("unknown_customer_tier: std", "unknown_customer_tier: eco") + RULES_B,
                     source="b.yaml")
    return frames, simulate_policies(warehouse, [a, b], window_days=90)


def _in_window(frame: pd.DataFrame, ts: str) -> pd.DataFrame:
    day = frame[ts].dt.date
    return frame[(day >= AS_OF - dt.timedelta(days=90)) & (day < AS_OF)]


def _tier(policy: str, customer, journey: str) -> str:
    customer = customer if customer in SEGMENTS else None
    return TIER_A[customer] if policy == "A" else _tier_b(customer, journey)


@pytest.mark.parametrize("policy", ["A", "B"])
def test_contact_volumes_per_tier_match_independent_count(world, policy):
    frames, result = world
    contacts = _in_window(frames["contacts"], "created_at").dropna(subset=["customer_id"])
    contacts = contacts.assign(tier=[_tier(policy, c, j) for c, j in zip(contacts.customer_id, contacts.journey)])
    expected = contacts.groupby(["journey", "tier"]).size()
    got = result.tiers[result.tiers.policy == policy].set_index(["journey", "tier"]).contacts
    assert got[got > 0].sort_index().to_dict() == expected.sort_index().to_dict()


@pytest.mark.parametrize("policy", ["A", "B"])
def test_customers_per_tier_match_independent_count(world, policy):
    _, result = world
    expected = pd.Series([_tier(policy, c, "return") for c in SEGMENTS]).value_counts().to_dict()
    got = result.tiers[(result.tiers.policy == policy) & (result.tiers.journey == "return")]
    assert got.set_index("tier").customers[lambda s: s > 0].to_dict() == expected


def test_refund_exposure_by_hand(world):
    frames, result = world
    returns = _in_window(frames["returns"], "requested_at")
    # Reporting amount: BRL at 0.5 before 2025-01-15 and 0.2 from then (the FX table above); USD is the reporting currency.
    rate = np.where(returns.currency == "BRL", np.where(returns.requested_at.dt.date < dt.date(2025, 1, 15), 0.5, 0.2), 1.0)
    amount = returns.refund_amount * rate
    limit = {"fast": 100.0, "std": 20.0, "eco": 10.0, "held": 0.0}  # auto_approve_limit of each test tier
    tiers = [_tier("A", c, "return") for c in returns.customer_id]
    auto = np.array([a <= limit[t] and t != "held" for a, t in zip(amount, tiers)])
    got = result.exposure[result.exposure.policy == "A"]
    assert got.auto_approved_amount.sum() == pytest.approx(amount[auto].sum())
    assert got.auto_approved_abuse_amount.sum() == pytest.approx(amount[auto & returns.abuse_flag.to_numpy()].sum())
    assert got.requests.sum() == len(returns)


def test_a_refund_without_an_fx_rate_is_an_error_not_a_rate_of_one(world):
    frames, _ = world
    returns = frames["returns"].assign(currency="EUR")  # fx_rates has no EUR row
    warehouse = Warehouse.from_frames({**frames, "returns": returns})
    policy = parse_policy(f"name: A\nversion: v1\n{TIERS}{CONSISTENT_RULES}", source="a.yaml")
    with pytest.raises(CurrencyError, match=r"money rows of returns have no rate into USD on their date: EUR \(\d+ row"):
        simulate_policies(warehouse, [policy], window_days=90)


def test_queue_load_hours_by_hand(world):
    frames, result = world
    contacts = _in_window(frames["contacts"], "created_at").dropna(subset=["customer_id"])
    live = contacts[~contacts.automated]
    fast = live[[_tier("A", c, j) == "fast" for c, j in zip(live.customer_id, live.journey)]]
    fulfilment = fast[fast.journey == "fulfilment"]
    row = result.queues[(result.queues.policy == "A") & (result.queues.queue == "fulfilment_priority")].iloc[0]
    # 90 days = 90/7 weeks; hours = handle seconds / 3600.
    assert row.hours_week == pytest.approx(fulfilment.handle_time_s.sum() / 3600 / (90 / 7))
    assert (row.first_response_s, row.queue_priority) == (60, 1)


def test_service_cost_by_hand(world):
    frames, result = world
    contacts = _in_window(frames["contacts"], "created_at").dropna(subset=["customer_id"])
    price = {"fast": 5, "std": 3, "eco": 2, "held": 9}  # cost_per_contact of each test tier
    expected = sum(price[_tier("B", c, j)] for c, j in zip(contacts.customer_id, contacts.journey))
    assert result.cost.set_index("policy").service_cost["B"] == pytest.approx(expected)


def test_simulation_refuses_duplicate_policy_names(world):
    frames, _ = world
    policy = parse_policy(f"name: A\nversion: v1\n{TIERS}{CONSISTENT_RULES}", source="a.yaml")
    with pytest.raises(ConfigError, match="distinct names"):
        simulate_policies(Warehouse.from_frames({"segment_assignments": frames["segment_assignments"]}),
                          [policy, policy])


def test_cli_check_exit_codes(tmp_path):
    from govex.cli.main import app

    good = tmp_path / "good.yaml"
    good.write_text(f"name: t\nversion: v1\n{TIERS}{CONSISTENT_RULES}".replace("risk: [low, normal, high]",
                                                                              "risk: [low, normal, elevated, high]"))
    runner = CliRunner()
    # The test tiers read value and risk; the shipped frameworks have risk low/normal/elevated/high, so
    # 'elevated' has no rule: a gap the command must report with exit code 1.
    result = runner.invoke(app, ["policy", "check", str(good)])
    assert result.exit_code == 1 and "gap" in result.output and "risk=elevated" in result.output
    assert runner.invoke(app, ["policy", "check"]).exit_code == 0
