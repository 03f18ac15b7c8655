"""Erlang B/C/A staffing against hand calculations, published examples, an independent exact
computation written here, and the public WFM reference table."""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from scipy.linalg import expm

from govex.planning import (
    PlanningInputError,
    erlang_a,
    erlang_b,
    erlang_c,
    evaluate_staffing,
    staff_intervals,
)


def _erlang_b_textbook(traffic: float, agents: int) -> float:
    # B = (A^N / N!) / sum_k A^k / k!  (Erlang 1917), fine for small N
    terms = [traffic**k / math.factorial(k) for k in range(agents + 1)]
    return terms[-1] / sum(terms)


@pytest.mark.parametrize("traffic,agents", [(1.0, 1), (2.0, 2), (5.5, 7), (10.0, 14), (0.3, 3)])
def test_erlang_b_recursion_matches_textbook_sum(traffic, agents):
    assert erlang_b([traffic], [agents])[0] == pytest.approx(_erlang_b_textbook(traffic, agents), rel=1e-12)


def test_erlang_b_hand_values():
    # B(1, 1) = 1 / (1 + 1) = 0.5 ; B(2, 2) = 2 / (1 + 2 + 2) = 0.4
    assert erlang_b([1.0, 2.0], [1, 2]) == pytest.approx([0.5, 0.4])


def test_erlang_b_stable_for_hundreds_of_erlangs():
    # A^N / N! overflows float64 at N ~ 170; the recursion must stay finite and in (0, 1).
    # Reference: log-space textbook sum, computed here with math.lgamma.
    traffic, agents = 600.0, 650
    logs = [k * math.log(traffic) - math.lgamma(k + 1) for k in range(agents + 1)]
    top = max(logs)
    expected = math.exp(logs[-1] - top) / sum(math.exp(v - top) for v in logs)
    assert erlang_b([traffic], [agents])[0] == pytest.approx(expected, rel=1e-10)


def test_erlang_c_hand_calculation():
    # A = 60 calls x 60 s / 3600 s = 1 Erlang, N = 2: B = 0.2, C = 2*0.2 / (2 - 0.8) = 1/3,
    # SL(60 s) = 1 - C exp(-(2 - 1) * 60 / 60), ASA = C * 60 / (2 - 1) = 20 s, occupancy 1/2.
    m = erlang_c(calls=60, interval_s=3600, handle_time_s=60, agents=2, answer_s=60)
    assert m.p_wait[0] == pytest.approx(1 / 3)
    assert m.service_level[0] == pytest.approx(1 - math.exp(-1) / 3)
    assert m.asa_s[0] == pytest.approx(20.0)
    assert m.occupancy[0] == pytest.approx(0.5)


def test_erlang_c_unstable_staffing_reports_no_service():
    # N <= A: the Erlang C queue grows without bound.
    m = erlang_c(calls=100, interval_s=1800, handle_time_s=180, agents=10, answer_s=20)
    assert m.service_level[0] == 0.0 and m.p_wait[0] == 1.0 and math.isinf(m.asa_s[0])


def test_published_call_centre_helper_example():
    # Call Centre Helper "Erlang C Formula - Made Simple": 100 calls / 30 min, AHT 180 s, 80/20,
    # max occupancy 85 %, shrinkage 30 % -> 14 agents, P(wait) 0.1741, SL 88.8 %, ASA 7.8 s,
    # occupancy 71.4 %, 20 agents with shrinkage.
    r = staff_intervals(calls=100, interval_s=1800, handle_time_s=180, answer_s=20, target_service_level=0.8,
                        max_occupancy=0.85, shrinkage=0.3)
    assert r.agents[0] == 14 and r.agents_with_shrinkage[0] == 20
    assert r.metrics.p_wait[0] == pytest.approx(0.1741, abs=5e-5)
    assert r.metrics.service_level[0] == pytest.approx(0.888, abs=5e-4)
    assert r.metrics.asa_s[0] == pytest.approx(7.8, abs=0.05)
    assert r.metrics.occupancy[0] == pytest.approx(0.714, abs=5e-4)
    assert r.binding[0] == "service_level"


@pytest.mark.parametrize(
    "calls,aht_s,expected",
    [
        (1292, 180, 152),  # A = 129.2, 129.2 / 0.85 = 152 exactly (float gives 152.00000000000003)
        (153, 420, 42),  # A = 35.7, 35.7 / 0.85 = 42 exactly
        (1000, 180, 118),  # A = 100, ceil(100 / 0.85) = ceil(117.6) = 118
    ],
)
def test_occupancy_cap_is_exact(calls, aht_s, expected):
    r = staff_intervals(calls=calls, interval_s=1800, handle_time_s=aht_s, answer_s=20, target_service_level=0.8,
                        max_occupancy=0.85)
    assert r.agents[0] == expected and r.binding[0] == "occupancy"


@pytest.mark.parametrize("agents,shrinkage,expected", [(14, 0.3, 20), (42, 0.3, 60), (21, 0.3, 30), (10, 0.35, 16)])
def test_shrinkage_gross_up_is_exact(agents, shrinkage, expected):
    # ceil(agents / (1 - s)) in exact decimals: 14/0.7 = 20, 42/0.7 = 60, 21/0.7 = 30, 10/0.65 = 15.38 -> 16
    r = evaluate_staffing(calls=100, interval_s=1800, handle_time_s=180, agents=agents, shrinkage=shrinkage)
    assert r.agents_with_shrinkage[0] == expected


def test_search_starts_below_round_a_plus_one():
    # A = 10.6 and a loose 15 % target: N = 11 already gives SL 0.1726 (> 0.15), so 11, not
    # round(A + 1) = 12 (the pyworkforce start). SL(11) by hand from the formula with B(11, 10.6).
    r = staff_intervals(calls=106, interval_s=1800, handle_time_s=180, answer_s=20, target_service_level=0.15)
    b = _erlang_b_textbook(10.6, 11)
    c = 11 * b / (11 - 10.6 * (1 - b))
    assert r.agents[0] == 11
    assert r.metrics.service_level[0] == pytest.approx(1 - c * math.exp(-0.4 * 20 / 180))


def _brute_force_erlang_c(calls, interval_s, aht_s, answer_s, target, cap):
    """Independent search: float textbook Erlang C for SL, Fractions for the occupancy cap."""
    load = Fraction(int(calls) * int(aht_s), int(interval_s))
    traffic = float(load)
    n = int(load) + 1
    while True:
        b = _erlang_b_textbook(traffic, n) if n < 120 else float(erlang_b([traffic], [n])[0])
        c = n * b / (n - traffic * (1 - b))
        sl = 1 - c * math.exp(-(n - traffic) * answer_s / aht_s)
        if sl >= target and load / n <= cap:
            return n
        n += 1


def test_vectorised_search_matches_independent_brute_force():
    rng = np.random.default_rng(3)
    calls = rng.integers(1, 400, size=60)
    aht = rng.integers(60, 600, size=60)
    r = staff_intervals(calls=calls, interval_s=1800, handle_time_s=aht, answer_s=20, target_service_level=0.8,
                        max_occupancy=0.85)
    expected = [_brute_force_erlang_c(c, 1800, h, 20, 0.8, Fraction(85, 100)) for c, h in zip(calls, aht)]
    assert r.agents.tolist() == expected


def test_asa_target():
    # Hand case above: A = 1, N = 2 gives ASA 20 s; N = 3: B(3, 1) = (1/6) / (1 + 1 + 1/2 + 1/6) = 1/16,
    # C = 3/16 / (3 - 15/16) = 1/11, ASA = 60/11 / 2 = 2.73 s. So ASA <= 10 s needs 3 agents.
    r = staff_intervals(calls=60, interval_s=3600, handle_time_s=60, target_asa_s=10)
    assert r.agents[0] == 3 and r.metrics.asa_s[0] == pytest.approx(30 / 11)
    assert r.binding[0] == "asa"


def test_zero_volume_needs_no_agents():
    r = staff_intervals(calls=[0, 100], interval_s=1800, handle_time_s=180, target_service_level=0.8)
    assert r.agents.tolist() == [0, 14]


def test_chat_concurrency_divides_slots():
    # 14 slots for the S1 load; 3 chats per agent -> ceil(14 / 3) = 5 agents.
    r = staff_intervals(calls=100, interval_s=1800, handle_time_s=180, target_service_level=0.8, concurrency=3)
    assert r.agents[0] == 5


# ---------- Erlang A ----------


def test_erlang_a_poisson_special_case():
    # lambda = mu = theta = 1 per second, one agent: death rate n for every n >= 1, so the
    # stationary law is Poisson(1). P(no wait) = e^-1, E[Q] = E[n] - 1 + P(0) = e^-1,
    # P(abandon) = theta E[Q] / lambda = e^-1, ASA = E[Q] / lambda = e^-1 s, occupancy = 1 - e^-1.
    m = erlang_a(calls=3600, interval_s=3600, handle_time_s=1, patience_s=1, agents=1, answer_s=0)
    e = math.exp(-1)
    assert m.service_level[0] == pytest.approx(e)
    assert m.p_wait[0] == pytest.approx(1 - e)
    assert m.p_abandon[0] == pytest.approx(e)
    assert m.asa_s[0] == pytest.approx(e)
    assert m.occupancy[0] == pytest.approx(1 - e)


def _erlang_a_by_matrix_exponential(lam, mu, theta, agents, t, states=80):
    """Independent computation: generator of the birth-death chain (stationary law by solving
    pi Q = 0) and the tagged-customer chain (k ahead -> served / abandoned) by scipy's expm."""
    q = np.zeros((states, states))
    for n in range(states):
        if n + 1 < states:
            q[n, n + 1] = lam
        if n > 0:
            q[n, n - 1] = min(n, agents) * mu + max(n - agents, 0) * theta
        q[n, n] = -q[n].sum()
    a = np.vstack([q.T, np.ones(states)])
    pi = np.linalg.lstsq(a, np.r_[np.zeros(states), 1.0], rcond=None)[0]
    k_max = states - agents
    # transient states 0..k_max-1 (customers ahead), then served, abandoned
    g = np.zeros((k_max + 2, k_max + 2))
    for k in range(k_max):
        down = agents * mu + k * theta
        if k == 0:
            g[0, k_max] = down
        else:
            g[k, k - 1] = down
        g[k, k_max + 1] = theta
        g[k, k] = -(down + theta)
    p = expm(g * t)
    served_by_t = p[:k_max, k_max]
    sl = pi[:agents].sum() + sum(pi[agents + k] * served_by_t[k] for k in range(k_max))
    mean_queue = sum(max(n - agents, 0) * pi[n] for n in range(states))
    return sl, theta * mean_queue / lam, pi[agents:].sum()


@pytest.mark.parametrize("calls,aht,patience,agents,answer", [(100, 180, 300, 13, 20), (100, 180, 60, 11, 30),
                                                              (40, 300, 90, 5, 15)])
def test_erlang_a_matches_matrix_exponential(calls, aht, patience, agents, answer):
    sl, p_ab, p_wait = _erlang_a_by_matrix_exponential(calls / 1800, 1 / aht, 1 / patience, agents, answer)
    m = erlang_a(calls=calls, interval_s=1800, handle_time_s=aht, patience_s=patience, agents=agents, answer_s=answer)
    assert m.service_level[0] == pytest.approx(sl, abs=1e-9)
    assert m.p_abandon[0] == pytest.approx(p_ab, abs=1e-9)
    assert m.p_wait[0] == pytest.approx(p_wait, abs=1e-9)


def test_erlang_a_tends_to_erlang_c_with_infinite_patience():
    # theta -> 0: Palm's model becomes M/M/N (Mandelbaum & Zeltyn 2005).
    c = erlang_c(calls=100, interval_s=1800, handle_time_s=180, agents=14, answer_s=20)
    a = erlang_a(calls=100, interval_s=1800, handle_time_s=180, patience_s=1e8, agents=14, answer_s=20)
    assert a.service_level[0] == pytest.approx(c.service_level[0], abs=1e-5)
    assert a.p_wait[0] == pytest.approx(c.p_wait[0], abs=1e-5)


def test_erlang_a_can_staff_below_offered_load():
    # 400 Erlangs, patience 120 s, at most 5 % abandonment, 80/20: abandonment relieves the queue,
    # so fewer than the 413 Erlang C agents suffice; with N <= 400 the queue is still stable.
    r = staff_intervals(calls=2000, interval_s=1800, handle_time_s=360, answer_s=20, target_service_level=0.8,
                        patience_s=120, max_abandonment=0.05)
    assert r.agents[0] < 400
    below = erlang_a(calls=2000, interval_s=1800, handle_time_s=360, patience_s=120, agents=r.agents[0] - 1,
                     answer_s=20)
    assert below.p_abandon[0] > 0.05 or below.service_level[0] < 0.8
    assert r.metrics.p_abandon[0] <= 0.05 and r.metrics.service_level[0] >= 0.8


# ---------- bad input ----------


@pytest.mark.parametrize(
    "kwargs,needle",
    [
        ({"calls": -5}, "calls"),
        ({"target_service_level": 1.2}, "target_service_level"),
        ({"target_service_level": 1.0}, "infinite agents"),
        ({"handle_time_s": 0}, "handle_time_s"),
        ({"shrinkage": 1.0}, "shrinkage"),
        ({"max_occupancy": 0}, "max_occupancy"),
        ({"max_abandonment": 0.05}, "patience_s"),
        ({"calls": [10, float("nan")]}, "row 1"),
    ],
)
def test_bad_input_is_named(kwargs, needle):
    args = dict(calls=100, interval_s=1800, handle_time_s=180, answer_s=20, target_service_level=0.8)
    args.update(kwargs)
    with pytest.raises(PlanningInputError, match=needle):
        staff_intervals(**args)


def test_no_target_is_refused():
    with pytest.raises(PlanningInputError, match="no target"):
        staff_intervals(calls=100, interval_s=1800, handle_time_s=180)


# ---------- public reference table ----------


@pytest.fixture(scope="module")
def reference(shared_data):
    return pd.read_csv(shared_data / "wfm" / "erlang_reference.csv")


def test_reference_table(reference):
    """Every row of ../shared/data/wfm/erlang_reference.csv: agents and metrics of the
    independent exact recomputation (ref_*). Erlang A rows use max abandonment 5 % (README, row A1)."""
    for row in reference.itertuples():
        cap = row.max_occupancy if not math.isnan(row.max_occupancy) else 1.0
        common = dict(calls=row.calls, interval_s=row.interval_s, handle_time_s=row.aht_s,
                      answer_s=row.answer_target_s, shrinkage=row.shrinkage)
        extra = {}
        if row.model == "erlang_a":
            extra = dict(patience_s=row.patience_s)
        if math.isnan(row.sl_target):
            r = evaluate_staffing(agents=row.ref_agents, **common, **extra)
        else:
            if row.model == "erlang_a":
                extra["max_abandonment"] = 0.05
            r = staff_intervals(target_service_level=row.sl_target, max_occupancy=cap, **common, **extra)
        assert r.agents[0] == row.ref_agents, row.scenario_id
        assert r.metrics.service_level[0] == pytest.approx(row.ref_service_level, abs=2e-6), row.scenario_id
        assert r.metrics.p_wait[0] == pytest.approx(row.ref_waiting_probability, rel=1e-5), row.scenario_id
        assert r.metrics.asa_s[0] == pytest.approx(row.ref_asa_s, rel=1e-5), row.scenario_id
        if row.model == "erlang_a":
            assert r.metrics.p_abandon[0] == pytest.approx(row.ref_abandon_probability, rel=1e-5), row.scenario_id
        if row.scenario_id.startswith("S7"):
            # The table's 61 is a float artefact of ceil(42 / 0.7); 42 / 0.7 = 60 exactly.
            assert r.agents_with_shrinkage[0] == 60
        elif not math.isnan(row.ref_agents_with_shrinkage):
            assert r.agents_with_shrinkage[0] == row.ref_agents_with_shrinkage, row.scenario_id


def test_right_where_pyworkforce_is_wrong(reference):
    """Rows S6, S8 and A3: pyworkforce's count differs from the exact reference; govex must
    return the reference count, not pyworkforce's."""
    wrong = reference[reference.pw_raw_positions != reference.ref_agents]
    assert set(wrong.scenario_id.str[:2]) >= {"S6", "S8", "A3"}
    for row in wrong.itertuples():
        extra = {"patience_s": row.patience_s, "max_abandonment": 0.05} if row.model == "erlang_a" else {}
        r = staff_intervals(calls=row.calls, interval_s=row.interval_s, handle_time_s=row.aht_s,
                            answer_s=row.answer_target_s, target_service_level=row.sl_target,
                            max_occupancy=row.max_occupancy, **extra)
        assert r.agents[0] == row.ref_agents != row.pw_raw_positions


def test_erlang_a_batch_with_repeats_and_idle_intervals():
    # Rows A1, A1 again, an idle interval, A3 and A2 of the public WFM reference (exact optimum
    # 13, 13, 0, 385, 13 agents with at most 5 % abandonment; A1's 13 is also pyworkforce's doc).
    r = staff_intervals(calls=[100, 100, 0, 2000, 100], interval_s=1800, handle_time_s=[180, 180, 180, 360, 180],
                        answer_s=20, target_service_level=0.8, patience_s=[300, 300, 300, 120, 60],
                        max_abandonment=0.05, max_occupancy=[0.85, 0.85, 0.85, 1.0, 0.85])
    assert r.agents.tolist() == [13, 13, 0, 385, 13]
    assert r.metrics.service_level[[0, 1]] == pytest.approx([0.858178, 0.858178], abs=1e-6)
    assert r.binding.tolist()[3:] == ["abandonment", "abandonment"]
