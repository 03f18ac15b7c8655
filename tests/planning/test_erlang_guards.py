"""Erlang calculator guards: near-infinite patience, non-integer agents, nonsense input, lazy imports."""
from __future__ import annotations

import subprocess
import sys
import tracemalloc

import numpy as np
import pytest
from scipy.special import betainc

import govex.planning
from govex.planning import PlanningInputError, erlang_a, erlang_c, staff_intervals


def test_huge_patience_is_bounded_and_tends_to_erlang_c():
    # 1e9 s of patience once built a 55-million-state chain (2.4 GB). Now it is the theta -> 0
    # limit: Erlang C where N > A (14 agents, A = 10), the fluid 1 - N / A where N < A.
    tracemalloc.start()
    m = erlang_a(calls=[100, 100], interval_s=1800, handle_time_s=180, patience_s=1e9, agents=[14, 8], answer_s=20)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 50e6
    c = erlang_c(calls=100, interval_s=1800, handle_time_s=180, agents=14, answer_s=20)
    assert m.service_level[0] == pytest.approx(c.service_level[0], abs=1e-7)
    assert m.p_wait[0] == pytest.approx(c.p_wait[0], abs=1e-7)
    assert m.p_abandon[0] == pytest.approx(c.asa_s[0] / 1e9, rel=1e-6)
    assert m.p_abandon[1] == pytest.approx(1 - 8 / 10)
    assert m.service_level[1] == 0.0


def test_long_patience_limit_agrees_with_the_exact_chain_where_both_apply():
    # 1e6 s is still solved exactly (5.6e4 states); the limit formula must be close to it.
    from govex.planning.erlang import _erlang_a_limit

    exact = erlang_a(calls=[100, 100], interval_s=1800, handle_time_s=180, patience_s=1e6, agents=[14, 8], answer_s=20)
    limit = _erlang_a_limit(np.full(2, 100 / 1800), np.full(2, 1 / 180), np.full(2, 1e-6), np.array([14.0, 8.0]),
                            np.full(2, 20.0))
    assert limit.service_level[0] == pytest.approx(exact.service_level[0], abs=1e-4)
    assert limit.p_abandon == pytest.approx(exact.p_abandon, abs=1e-3)


def test_staffing_with_huge_patience_matches_erlang_c():
    a = staff_intervals(calls=100, interval_s=1800, handle_time_s=180, answer_s=20, target_service_level=0.8,
                        patience_s=1e9)
    c = staff_intervals(calls=100, interval_s=1800, handle_time_s=180, answer_s=20, target_service_level=0.8)
    assert a.agents[0] == c.agents[0] == 14


def test_offered_load_beyond_a_million_erlangs_is_refused():
    with pytest.raises(PlanningInputError, match="check the units"):
        staff_intervals(calls=1e9, interval_s=1800, handle_time_s=180, target_service_level=0.8)


def _sl_by_betainc(lam, mu, theta, n, t, states=400):
    """Service level of M/M/N+M with scipy's incomplete beta (the formula before it was
    rewritten as a negative binomial sum), stationary law by the plain product form."""
    w = [1.0]
    for k in range(1, states):
        w.append(w[-1] * lam / (min(k, n) * mu + max(k - n, 0) * theta))
    p = np.array(w) / sum(w)
    c = n * mu / theta
    k = np.arange(states - n)
    tail = c / (c + k + 1) * (1 - betainc(c + 1, k + 1, np.exp(-theta * t)))
    return p[:n].sum() + (p[n:] * tail).sum()


@pytest.mark.parametrize("calls,aht,patience,agents,answer", [(300, 240, 45, 38, 60), (80, 600, 900, 25, 120),
                                                              (500, 120, 30, 20, 10)])
def test_service_level_matches_incomplete_beta(calls, aht, patience, agents, answer):
    m = erlang_a(calls=calls, interval_s=1800, handle_time_s=aht, patience_s=patience, agents=agents,
                 answer_s=answer)
    assert m.service_level[0] == pytest.approx(_sl_by_betainc(calls / 1800, 1 / aht, 1 / patience, agents, answer),
                                               abs=1e-10)


@pytest.mark.parametrize("model", ["a", "c"])
def test_fractional_agents_are_the_time_mix_of_floor_and_ceiling(model):
    def run(agents):
        kw = dict(calls=[100] * len(agents), interval_s=1800, handle_time_s=180, agents=agents, answer_s=20)
        return erlang_a(patience_s=120, **kw) if model == "a" else erlang_c(**kw)

    whole = run([11, 12])
    mixed = run([11.25])
    # a quarter of the interval with 12 agents, three quarters with 11 (hand-weighted)
    assert mixed.service_level[0] == pytest.approx(0.75 * whole.service_level[0] + 0.25 * whole.service_level[1])
    assert mixed.asa_s[0] == pytest.approx(0.75 * whole.asa_s[0] + 0.25 * whole.asa_s[1])
    assert mixed.p_abandon[0] == pytest.approx(0.75 * whole.p_abandon[0] + 0.25 * whole.p_abandon[1])
    grid = run(list(np.linspace(10.5, 14, 15)))
    assert np.all(np.diff(grid.service_level) > 0)
    assert run([11.9999999]).service_level[0] == pytest.approx(whole.service_level[1], abs=1e-6)


def test_fractional_agents_below_one():
    # 0.5 agent: half the time nobody answers (everyone abandons), half the time one agent does.
    m = erlang_a(calls=[10, 10], interval_s=3600, handle_time_s=60, patience_s=60, agents=[0.5, 1], answer_s=20)
    assert m.p_abandon[0] == pytest.approx(0.5 * 1.0 + 0.5 * m.p_abandon[1])


def test_calculator_command_imports_no_dataframe_or_warehouse_stack():
    """`govex plan staff --calls ...` as a user runs it: the command itself, not only its modules."""
    code = ("import sys; from govex.cli.main import app\n"
            "app(['plan', 'staff', '--calls', '100', '--aht-s', '180', '--target-sl', '0.8', '--json'], standalone_mode=False)\n"
            "print(sorted(m for m in ('pandas', 'scipy', 'ibis', 'statsforecast') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert '"agents"' in out
    assert out.strip().splitlines()[-1] == "[]"


def test_lazy_package_names_resolve():
    assert set(govex.planning.__all__) <= set(dir(govex.planning))
    for name in govex.planning.__all__:
        assert getattr(govex.planning, name) is not None
    with pytest.raises(AttributeError, match="no_such_name"):
        govex.planning.no_such_name  # noqa: B018


@pytest.mark.parametrize("targets", [dict(target_service_level=0.8), dict(max_abandonment=0.03),
                                     dict(target_service_level=0.9, max_abandonment=0.1)])
def test_erlang_a_search_from_its_lower_bound_matches_a_scan_from_one(targets):
    # The search starts near A x max(SL, 1 - abandonment); a plain scan N = 1, 2, ... must agree.
    calls, aht, patience = [40, 300, 900], [240, 180, 420], [60, 300, 120]
    r = staff_intervals(calls=calls, interval_s=1800, handle_time_s=aht, answer_s=20, patience_s=patience, **targets)
    for i in range(3):
        n = 1
        while True:
            m = erlang_a(calls=calls[i], interval_s=1800, handle_time_s=aht[i], patience_s=patience[i], agents=n,
                         answer_s=20)
            if (m.service_level[0] >= targets.get("target_service_level", 0)
                    and m.p_abandon[0] <= targets.get("max_abandonment", 1)):
                break
            n += 1
        assert r.agents[i] == n
