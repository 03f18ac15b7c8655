"""Interval staffing for live queues: Erlang B/C and Erlang A (M/M/N+M), vectorised over intervals.

An interval is described by arrays (one entry per interval): contacts offered, interval length,
average handle time, service-level answer target. `staff_intervals` returns the smallest agent
count that meets every target at once, for thousands of intervals in one call;
`evaluate_staffing` returns the metrics of a given agent count.

Exactness: the occupancy cap and the shrinkage gross-up are integer tests on the decimals the user
typed (A / N <= 0.85 is 20 * calls * aht <= 17 * N * interval), so an occupancy of exactly 85 %
never costs an extra agent through float rounding.

References
----------
.. [1] A. K. Erlang, "Solution of some problems in the theory of probabilities of significance in
   automatic telephone exchanges", 1917 (Erlang B and C).
.. [2] D. L. Jagerman, "Some properties of the Erlang loss function", Bell System Technical
   Journal 53(3), 1974 (the stable recursion 1/B(N) = 1 + N / (A B(N-1)) and B = Poisson pmf/cdf).
.. [3] G. Koole, "Call Center Optimization", MG books, 2013, ch. 4 (Erlang C service level
   1 - C exp(-(N - A) t / AHT), ASA = C AHT / (N - A)).
.. [4] A. Mandelbaum and S. Zeltyn, "The Palm/Erlang-A queue, with applications to call
   centers", Technion, 2005; O. Garnett, A. Mandelbaum and M. Reiman, "Designing a call center
   with impatient customers", MSOM 4(3), 2002 (M/M/N+M birth-death model, P(abandon) = theta E[Q] / lambda).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from govex.planning._inputs import (
    PlanningInputError,
    as_array,
    as_rational,
    ceil_div,
    check_range,
    exact_products,
)

__all__ = [
    "QueueMetrics",
    "StaffingResult",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "evaluate_staffing",
    "staff_intervals",
    "traffic_erlangs",
]

# Queue states kept beyond the agents in Erlang A: the queue is stochastically below a
# Poisson(lambda / theta) variable (each waiting customer leaves at rate >= theta), so this many
# standard deviations past its mean leaves a tail far below 1e-14.
_TAIL_SD = 12.0
_TAIL_PAD = 30
# Terms of the stationary distribution below this weight are left out of the service-level sum.
_NEGLIGIBLE = 1e-17
# Cells (rows x states) evaluated per array pass in Erlang A, to bound memory (~16 MB/array).
_GRID_CELLS = 2_000_000
# Beyond this many states for one row (patience near infinite and agents <= offered load) Erlang A
# takes its long-patience limit instead of the exact chain: 1e9 s of patience once took 2.4 GB.
_MAX_STATES = 200_000
# Offered loads above this are refused as a units mistake (calls per interval, seconds).
_MAX_ERLANGS = 1e6


@dataclass(frozen=True)
class QueueMetrics:
    """Queue performance per interval (arrays of equal length).

    `service_level` is the share of all offered contacts answered within the answer target; with
    abandonment (Erlang A) abandoners count as not answered. `asa_s` is the mean wait of all
    arrivals (abandoners' waits included), `p_wait` the share that must queue, `occupancy` the
    served load per agent.
    """

    service_level: np.ndarray
    asa_s: np.ndarray
    p_wait: np.ndarray
    occupancy: np.ndarray
    p_abandon: np.ndarray


@dataclass(frozen=True)
class StaffingResult:
    """Agents per interval and the metrics they achieve.

    `binding` names the target that set each count: 'service_level', 'asa', 'abandonment',
    'occupancy', 'stability' (Erlang C needs more agents than the offered load) or 'none' (no
    contacts, or an evaluated staffing).
    """

    agents: np.ndarray
    agents_with_shrinkage: np.ndarray
    traffic_erlangs: np.ndarray
    metrics: QueueMetrics
    binding: np.ndarray

    def to_frame(self):
        """One row per interval, metric columns named as in the CLI output."""
        import pandas as pd

        return pd.DataFrame(
            {
                "traffic_erlangs": self.traffic_erlangs,
                "agents": self.agents,
                "agents_with_shrinkage": self.agents_with_shrinkage,
                "service_level": self.metrics.service_level,
                "asa_s": self.metrics.asa_s,
                "p_wait": self.metrics.p_wait,
                "occupancy": self.metrics.occupancy,
                "p_abandon": self.metrics.p_abandon,
                "binding": self.binding,
            }
        )


def traffic_erlangs(*, calls, interval_s, handle_time_s) -> np.ndarray:
    """Offered load A = calls x AHT / interval, in Erlangs (agents busy on average)."""
    calls = as_array("calls", calls)
    n = calls.size
    return calls * as_array("handle_time_s", handle_time_s, size=n) / as_array("interval_s", interval_s, size=n)


def erlang_b(traffic, agents) -> np.ndarray:
    """Erlang B blocking probability B(N, A) by the stable forward recursion of Jagerman [2]_.

    B(0) = 1 and B(k) = A B(k-1) / (k + A B(k-1)); every step stays in [0, 1], so it is stable
    for hundreds of Erlangs where the textbook A^N / N! form overflows.
    """
    traffic = as_array("traffic", traffic)
    agents = as_array("agents", agents, size=traffic.size)
    check_range("traffic", traffic, low=0)
    check_range("agents", agents, low=0)
    n_agents = agents.astype(np.int64)
    out = np.ones(traffic.size)
    blocking = np.ones(traffic.size)
    for k in range(1, int(n_agents.max(initial=0)) + 1):
        blocking = traffic * blocking / (k + traffic * blocking)
        hit = n_agents == k
        out[hit] = blocking[hit]
    return out


def _erlang_c_from_b(traffic, agents, blocking, handle_time_s, answer_s) -> QueueMetrics:
    """Erlang C metrics for N > A from B(N, A) [3]_."""
    gap = agents - traffic
    p_wait = agents * blocking / (gap + traffic * blocking)
    service_level = 1.0 - p_wait * np.exp(-gap * answer_s / handle_time_s)
    asa_s = p_wait * handle_time_s / gap
    return QueueMetrics(service_level, asa_s, p_wait, traffic / agents, np.zeros_like(traffic))


def erlang_c(*, calls, interval_s, handle_time_s, agents, answer_s) -> QueueMetrics:
    """Erlang C (M/M/N, infinitely patient callers) metrics of a given staffing, per interval.

    Intervals staffed at or below the offered load have no steady state: their service level is
    0, P(wait) 1 and ASA infinite. `agents` may be fractional (see `_mix_fractional`).
    """
    calls, interval_s, handle_time_s, answer_s, _ = _check_load(calls, interval_s, handle_time_s, answer_s)
    agents = as_array("agents", agents, size=calls.size)
    check_range("agents", agents, low=0)
    traffic = calls * handle_time_s / interval_s
    idle = calls == 0

    def at_whole(count: np.ndarray) -> QueueMetrics:
        blocking = erlang_b(traffic, count)
        stable = count > traffic
        m = _erlang_c_from_b(traffic, np.where(stable, count, traffic + 1.0), blocking, handle_time_s, answer_s)
        return QueueMetrics(
            service_level=np.where(idle, 1.0, np.where(stable, m.service_level, 0.0)),
            asa_s=np.where(idle, 0.0, np.where(stable, m.asa_s, np.inf)),
            p_wait=np.where(idle, 0.0, np.where(stable, m.p_wait, 1.0)),
            occupancy=np.where(idle, 0.0, np.where(stable, m.occupancy, 1.0)),
            p_abandon=np.zeros(calls.size),
        )

    return _mix_fractional(agents, traffic, at_whole)


def _log_factorials(n_max: int) -> np.ndarray:
    """log(k!) for k = 0..n_max (a cumulative sum of logs; numpy only, so the CLI needs no scipy)."""
    return np.concatenate([[0.0], np.cumsum(np.log(np.arange(1.0, n_max + 1.0)))])


def _log_sum(x: np.ndarray) -> np.ndarray:
    """log(sum(exp(x))) along the last axis without overflow."""
    top = x.max(axis=-1, keepdims=True)
    return top + np.log(np.exp(x - top).sum(axis=-1, keepdims=True))


def _states_needed(arrival, mu, theta, agents) -> np.ndarray:
    """States (agents + queue places) that keep the truncated tail of M/M/N+M below 1e-17.

    Two bounds, the smaller is used: the queue is stochastically below Poisson(lambda / theta)
    (each waiting customer leaves at rate >= theta), and when N mu > lambda the weights beyond N
    fall at least geometrically with ratio rho = lambda / (N mu), so k more states leave at most
    rho^k / (1 - rho). The second keeps the state space small when patience is near infinite.
    """
    ratio = arrival / theta
    poisson = np.ceil(ratio + _TAIL_SD * np.sqrt(ratio)) + _TAIL_PAD
    rho = np.minimum(arrival / (agents * mu), 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        geometric = np.where(rho < 1.0, np.ceil((np.log(_NEGLIGIBLE) + np.log1p(-rho)) / np.log(rho)), np.inf)
    return agents + np.minimum(poisson, geometric + _TAIL_PAD) + 1


def _erlang_a_grid(arrival, mu, theta, agents, answer_s, n_states: int) -> QueueMetrics:
    """Exact M/M/N+M metrics for a block of rows (each its own rates and agent count) [4]_.

    Stationary law: a birth-death chain with death rate min(n, N) mu + max(n - N, 0) theta,
    computed in logs over `n_states` states. Service level over all arrivals: an arrival finding
    k others queued is answered within t with probability c / (c + k + 1) * (1 - I_x(c + 1, k + 1)),
    c = N mu / theta, x = exp(-theta t). This holds because its offered wait V is a sum of
    exponentials with rates (c + j) theta, j = 0..k, i.e. V = -ln(U) / theta with
    U ~ Beta(c, k + 1), and it is answered iff its patience exceeds V (probability
    E[exp(-theta V)]). For whole b = k + 1, I_x(a, b) is the negative binomial cdf
    sum_{j<=k} C(a + j - 1, j) x^a (1 - x)^j, summed here in logs along the queue. The
    derivation is in docs/planning.md.
    """
    arrival, mu, theta, answer_s = (np.asarray(v, dtype=np.float64)[:, None] for v in (arrival, mu, theta, answer_s))
    n_agents = np.asarray(agents, dtype=np.float64)[:, None]
    offered = arrival / mu
    state = np.arange(n_states, dtype=np.float64)[None, :]
    log_fact = _log_factorials(n_states)
    queued = np.maximum(state - n_agents, 0.0)
    log_poisson = state * np.log(offered) - log_fact[None, :n_states]
    step = np.where(queued >= 1, np.log(arrival) - np.log(n_agents * mu + queued * theta), 0.0)
    log_at_agents = n_agents * np.log(offered) - log_fact[n_agents.astype(np.int64)]
    log_weight = np.where(state <= n_agents, log_poisson, log_at_agents + np.cumsum(step, axis=1))
    prob = np.exp(log_weight - _log_sum(log_weight))

    waiting = state >= n_agents
    p_wait = np.where(waiting, prob, 0.0).sum(axis=1)
    mean_queue = (queued * prob).sum(axis=1)
    p_abandon = theta[:, 0] * mean_queue / arrival[:, 0]
    c = n_agents * mu / theta
    log_x = -theta * answer_s
    with np.errstate(divide="ignore"):
        log_1mx = np.log(-np.expm1(log_x))
        safe_k = np.maximum(queued, 1.0)
        growth = np.where(queued >= 1, np.log(c + safe_k) - np.log(safe_k) + log_1mx, 0.0)
    log_term = np.where(waiting, (c + 1.0) * log_x + np.cumsum(growth, axis=1), -np.inf)
    log_cdf = np.logaddexp.accumulate(log_term, axis=1)
    answered_in_time = np.where(waiting, c / (c + queued + 1.0) * -np.expm1(np.minimum(log_cdf, 0.0)), 0.0)
    service_level = np.clip((1.0 - p_wait) + (prob * answered_in_time).sum(axis=1), 0.0, 1.0)
    occupancy = offered[:, 0] * (1.0 - p_abandon) / n_agents[:, 0]
    return QueueMetrics(service_level, mean_queue / arrival[:, 0], p_wait, occupancy, p_abandon)


def _erlang_a_limit(arrival, mu, theta, agents, answer_s) -> QueueMetrics:
    """Erlang A when patience is so long that the exact state space exceeds `_MAX_STATES`.

    theta -> 0 limit (Mandelbaum & Zeltyn [4]_): with N mu > lambda the queue is Erlang C's and a
    waiting caller abandons at rate theta, so P(abandon) = theta ASA to first order; with
    N mu <= lambda the agents are always busy and the excess abandons, P(abandon) =
    1 - N mu / lambda (the fluid limit; its error shrinks as 1 / sqrt(lambda / theta)).
    """
    offered = arrival / mu
    c = erlang_c(calls=arrival, interval_s=1.0, handle_time_s=1.0 / mu, agents=agents, answer_s=answer_s)
    stable = np.isfinite(c.asa_s)
    fluid = np.where(stable, 0.0, np.maximum(1.0 - agents / offered, 0.0))
    p_abandon = np.where(stable, np.minimum(theta * np.where(stable, c.asa_s, 0.0), 1.0), fluid)
    return QueueMetrics(
        service_level=np.where(stable, c.service_level, 0.0),
        asa_s=np.where(stable, c.asa_s, fluid / theta),
        p_wait=np.where(stable, c.p_wait, 1.0),
        occupancy=offered * (1.0 - p_abandon) / agents,
        p_abandon=p_abandon,
    )


def _erlang_a_rows(arrival, mu, theta, agents, answer_s) -> QueueMetrics:
    """Erlang A for rows with whole agents >= 1 and arrivals > 0, in blocks of `_GRID_CELLS` cells.

    Rows are sorted by the states they need, so a block of small queues is never padded to the
    size of one large queue; rows needing more than `_MAX_STATES` take the long-patience limit.
    """
    arrival, mu, theta, agents, answer_s = np.broadcast_arrays(
        *(np.atleast_1d(np.asarray(v, dtype=np.float64)) for v in (arrival, mu, theta, agents, answer_s)))
    needed = _states_needed(arrival, mu, theta, agents)
    out = [np.zeros(arrival.size) for _ in range(5)]
    exact = needed <= _MAX_STATES
    parts = []
    if (~exact).any():
        rows = np.flatnonzero(~exact)
        parts.append((rows, _erlang_a_limit(arrival[rows], mu[rows], theta[rows], agents[rows], answer_s[rows])))
    order = np.flatnonzero(exact)[np.argsort(needed[exact], kind="stable")]
    start = 0
    while start < order.size:
        stop = start + 1
        while stop < order.size and needed[order[stop]] * (stop + 1 - start) <= _GRID_CELLS:
            stop += 1
        rows = order[start:stop]
        parts.append((rows, _erlang_a_grid(arrival[rows], mu[rows], theta[rows], agents[rows], answer_s[rows],
                                           int(needed[rows].max()))))
        start = stop
    for rows, m in parts:
        for col, value in zip(out, (m.service_level, m.asa_s, m.p_wait, m.occupancy, m.p_abandon)):
            col[rows] = value
    return QueueMetrics(*out)


def _mix_fractional(agents: np.ndarray, offered: np.ndarray, evaluate) -> QueueMetrics:
    """Metrics of a non-integer agent count: the time mix of its floor and ceiling.

    x = n + f agents is read as n + 1 agents for a share f of the interval and n for the rest
    (a part-time seat); arrivals are Poisson at a constant rate, so every per-arrival measure
    (service level, ASA, P(wait), P(abandon)) is the f-weighted mix of the two stationary
    regimes, and occupancy is the served load over x. At whole counts it is the model itself,
    and it is continuous in x and monotone wherever the model is monotone in N.
    """
    low = np.floor(agents)
    frac = agents - low
    m_low = evaluate(low)
    if not (frac > 0).any():
        return m_low
    m_high = evaluate(np.where(frac > 0, low + 1.0, low))
    with np.errstate(invalid="ignore"):
        sl, asa, p_wait, p_abandon = (
            np.where(frac > 0, (1.0 - frac) * a + frac * b, a)
            for a, b in ((m_low.service_level, m_high.service_level), (m_low.asa_s, m_high.asa_s),
                         (m_low.p_wait, m_high.p_wait), (m_low.p_abandon, m_high.p_abandon)))
        occupancy = np.where(frac > 0, np.minimum(offered * (1.0 - p_abandon) / agents, 1.0), m_low.occupancy)
    return QueueMetrics(sl, asa, p_wait, occupancy, p_abandon)


def erlang_a(*, calls, interval_s, handle_time_s, patience_s, agents, answer_s) -> QueueMetrics:
    """Erlang A (M/M/N+M: exponential patience with mean `patience_s`) metrics per interval [4]_.

    `agents` may be fractional (see `_mix_fractional`); zero agents abandon every caller.
    """
    calls, interval_s, handle_time_s, answer_s, patience_s = _check_load(
        calls, interval_s, handle_time_s, answer_s, patience_s
    )
    agents = as_array("agents", agents, size=calls.size)
    check_range("agents", agents, low=0)
    arrival, mu, theta = calls / interval_s, 1.0 / handle_time_s, 1.0 / patience_s

    def at_whole(count: np.ndarray) -> QueueMetrics:
        out = [np.ones(calls.size), np.zeros(calls.size), np.zeros(calls.size), np.zeros(calls.size),
               np.zeros(calls.size)]
        empty = (calls > 0) & (count == 0)
        out[0][empty], out[1][empty], out[2][empty], out[4][empty] = 0.0, patience_s[empty], 1.0, 1.0
        rows = np.flatnonzero((calls > 0) & (count > 0))
        if rows.size:
            m = _erlang_a_rows(arrival[rows], mu[rows], theta[rows], count[rows], answer_s[rows])
            for col, value in zip(out, (m.service_level, m.asa_s, m.p_wait, m.occupancy, m.p_abandon)):
                col[rows] = value
        return QueueMetrics(*out)

    return _mix_fractional(agents, arrival / mu, at_whole)


def staff_intervals(
    *,
    calls,
    interval_s,
    handle_time_s,
    answer_s=20.0,
    target_service_level=None,
    target_asa_s=None,
    max_abandonment=None,
    patience_s=None,
    max_occupancy=1.0,
    shrinkage=0.0,
    concurrency: int = 1,
) -> StaffingResult:
    """The smallest agent count per interval that meets every target given.

    Erlang C without `patience_s`, Erlang A (service level over all arrivals) with it. Targets:
    `target_service_level` (share answered within `answer_s`), `target_asa_s`, `max_abandonment`
    (Erlang A only) and `max_occupancy` (served load per agent, tested exactly). With
    `concurrency` > 1 (chat) the queue is sized in chat slots with the concurrent handle time and
    agents = ceil(slots / concurrency). `shrinkage` grosses up rostered agents:
    ceil(agents / (1 - shrinkage)), computed exactly.
    """
    calls, interval_s, handle_time_s, answer_s, patience = _check_load(
        calls, interval_s, handle_time_s, answer_s, patience_s
    )
    n = calls.size
    sl = _optional_target("target_service_level", target_service_level, n, low=0, high=1, high_open=True,
                          fix="a service level of 1 needs infinite agents; use e.g. 0.8")
    asa = _optional_target("target_asa_s", target_asa_s, n, low=0, low_open=True)
    abandon = _optional_target("max_abandonment", max_abandonment, n, low=0, high=1, low_open=True)
    occupancy_cap = as_array("max_occupancy", max_occupancy, size=n)
    check_range("max_occupancy", occupancy_cap, low=0, high=1, low_open=True)
    shrink = _check_shrinkage(shrinkage, n)
    slots_per_agent = _check_concurrency(concurrency)
    if abandon is not None and patience is None:
        raise PlanningInputError("max_abandonment needs patience_s (Erlang A); Erlang C callers never abandon")
    if sl is None and asa is None and abandon is None and np.all(occupancy_cap == 1.0):
        raise PlanningInputError(
            "no target given: pass target_service_level, target_asa_s, max_abandonment or max_occupancy"
        )
    traffic = calls * handle_time_s / interval_s
    if patience is None:
        slots, metrics, binding = _solve_erlang_c(calls, interval_s, handle_time_s, answer_s, sl, asa, occupancy_cap)
    else:
        slots, metrics, binding = _solve_erlang_a(
            calls, interval_s, handle_time_s, answer_s, patience, sl, asa, abandon, occupancy_cap
        )
    agents = ceil_div(slots, np.full(n, slots_per_agent, dtype=np.int64))
    return StaffingResult(agents, _gross_up(agents, shrink), traffic, metrics, binding)


def evaluate_staffing(
    *, calls, interval_s, handle_time_s, agents, answer_s=20.0, patience_s=None, shrinkage=0.0, concurrency: int = 1
) -> StaffingResult:
    """Metrics of a given agent count per interval (Erlang C, or Erlang A with `patience_s`)."""
    calls = as_array("calls", calls)
    agent_count = as_array("agents", agents, size=calls.size)
    check_range("agents", agent_count, low=0)
    if np.any(agent_count != np.floor(agent_count)):
        raise PlanningInputError("agents: expected whole agent counts")
    slots = agent_count * _check_concurrency(concurrency)
    if patience_s is None:
        metrics = erlang_c(calls=calls, interval_s=interval_s, handle_time_s=handle_time_s, agents=slots,
                           answer_s=answer_s)
    else:
        metrics = erlang_a(calls=calls, interval_s=interval_s, handle_time_s=handle_time_s, patience_s=patience_s,
                           agents=slots, answer_s=answer_s)
    whole = agent_count.astype(np.int64)
    traffic = traffic_erlangs(calls=calls, interval_s=interval_s, handle_time_s=handle_time_s)
    return StaffingResult(whole, _gross_up(whole, _check_shrinkage(shrinkage, calls.size)), traffic, metrics,
                          np.full(calls.size, "none", dtype=object))


def _check_load(calls, interval_s, handle_time_s, answer_s, patience_s=None):
    calls = as_array("calls", calls)
    n = calls.size
    check_range("calls", calls, low=0, fix="volumes cannot be negative")
    interval_s = as_array("interval_s", interval_s, size=n)
    check_range("interval_s", interval_s, low=0, low_open=True)
    handle_time_s = as_array("handle_time_s", handle_time_s, size=n)
    check_range("handle_time_s", handle_time_s, low=0, low_open=True,
                fix="a zero average handle time means no work; check the AHT source")
    answer_s = as_array("answer_s", answer_s, size=n)
    check_range("answer_s", answer_s, low=0)
    check_range("offered load (calls x handle_time_s / interval_s, Erlangs)", calls * handle_time_s / interval_s,
                high=_MAX_ERLANGS, fix="more than a million agents busy at once; check the units "
                "(calls per interval, times in seconds)")
    patience = None
    if patience_s is not None:
        patience = as_array("patience_s", patience_s, size=n)
        check_range("patience_s", patience, low=0, low_open=True,
                    fix="leave patience out for Erlang C (infinitely patient callers)")
    return calls, interval_s, handle_time_s, answer_s, patience


def _optional_target(name, value, n, **bounds):
    if value is None:
        return None
    arr = as_array(name, value, size=n)
    check_range(name, arr, **bounds)
    return arr


def _check_shrinkage(shrinkage, n) -> np.ndarray:
    arr = as_array("shrinkage", shrinkage, size=n)
    check_range("shrinkage", arr, low=0, high=1, high_open=True, fix="shrinkage is a 0-1 share of paid time")
    return arr


def _check_concurrency(concurrency) -> int:
    if isinstance(concurrency, bool) or not float(concurrency).is_integer() or concurrency < 1:
        raise PlanningInputError(f"concurrency: expected a whole number >= 1 of parallel chats, got {concurrency!r}")
    return int(concurrency)


def _gross_up(agents: np.ndarray, shrinkage: np.ndarray) -> np.ndarray:
    """ceil(agents / (1 - shrinkage)) in integers: 14 agents at 30 % shrinkage are 20, not 21."""
    num, den = as_rational(shrinkage)
    return ceil_div(exact_products(agents, den), exact_products(den - num))


def _occupancy_floor(calls, interval_s, handle_time_s, occupancy_cap) -> tuple[np.ndarray, np.ndarray]:
    """Exact floor(A) and smallest N with A / N <= cap, from the decimals of the inputs."""
    c_num, c_den = as_rational(calls)
    h_num, h_den = as_rational(handle_time_s)
    i_num, i_den = as_rational(interval_s)
    p_num, p_den = as_rational(occupancy_cap)
    load_num = exact_products(c_num, h_num, i_den)
    load_den = exact_products(c_den, h_den, i_num)
    floor_traffic = np.asarray(load_num // load_den).astype(np.int64)
    cap_agents = ceil_div(exact_products(c_num, h_num, i_den, p_den), exact_products(c_den, h_den, i_num, p_num))
    return floor_traffic, cap_agents


def _solve_erlang_c(calls, interval_s, handle_time_s, answer_s, sl, asa, occupancy_cap):
    """Walk N upwards from the first admissible count, all intervals at once.

    The walk starts at max(floor(A) + 1, ceil(A / cap)), with B(N, A) there from Jagerman's
    recursion (vectorised over intervals), and continues the recursion; each interval leaves the
    walk at the first N meeting its targets.
    """
    n = calls.size
    traffic = calls * handle_time_s / interval_s
    floor_traffic, cap_agents = _occupancy_floor(calls, interval_s, handle_time_s, occupancy_cap)
    stability_agents = floor_traffic + 1
    start = np.maximum(stability_agents, cap_agents)
    agents = np.zeros(n, dtype=np.int64)
    out = [np.zeros(n) for _ in range(4)]
    out[0][:] = 1.0
    binding = np.full(n, "none", dtype=object)
    active = np.flatnonzero(calls > 0)
    binding[active] = np.where(cap_agents[active] > stability_agents[active], "occupancy", "stability")
    count = start[active].astype(np.float64)
    blocking = erlang_b(traffic[active], count)
    while active.size:
        a, aht, t = traffic[active], handle_time_s[active], answer_s[active]
        m = _erlang_c_from_b(a, count, blocking, aht, t)
        miss_sl = np.zeros(active.size, dtype=bool) if sl is None else m.service_level < sl[active]
        miss_asa = np.zeros(active.size, dtype=bool) if asa is None else m.asa_s > asa[active]
        done = ~(miss_sl | miss_asa)
        idx = active[done]
        agents[idx] = count[done].astype(np.int64)
        for col, value in zip(out, (m.service_level, m.asa_s, m.p_wait, m.occupancy)):
            col[idx] = value[done]
        keep = ~done
        active, count, blocking = active[keep], count[keep] + 1.0, blocking[keep]
        binding[active] = np.where(miss_sl[keep], "service_level", "asa")
        blocking = traffic[active] * blocking / (count + traffic[active] * blocking)
    return agents, QueueMetrics(out[0], out[1], out[2], out[3], np.zeros(n)), binding


def _solve_erlang_a(calls, interval_s, handle_time_s, answer_s, patience, sl, asa, abandon, occupancy_cap):
    """Scan N = 1, 2, ... in blocks (each block solved in one array pass) until every target holds.

    No monotonicity is assumed: the first N of the scan that meets all targets is returned. With
    abandonment fewer agents than the offered load can be enough, so the scan starts at a
    necessary bound: answered calls are served at rate lambda (1 - P(abandon)) <= N mu, so
    SL <= 1 - P(abandon) <= N / A, and N >= A x max(SL target, 1 - abandonment target); the
    scan starts one below it so the target that binds is still seen failing. Intervals with
    identical inputs (common in weekly plans) are solved once.
    """
    n = calls.size
    inf = np.full(n, np.inf)
    key = np.column_stack([calls, interval_s, handle_time_s, answer_s, patience, occupancy_cap,
                           inf if sl is None else sl, inf if asa is None else asa,
                           inf if abandon is None else abandon])
    _, first, inverse = np.unique(key, axis=0, return_index=True, return_inverse=True)
    agents = np.zeros(n, dtype=np.int64)
    out = [np.zeros(n) for _ in range(5)]
    out[0][:] = 1.0
    binding = np.full(n, "none", dtype=object)
    for i in first[calls[first] > 0]:
        arrival, mu, theta = calls[i] / interval_s[i], 1.0 / handle_time_s[i], 1.0 / patience[i]
        offered = arrival / mu
        floor_share = max(0.0 if sl is None else sl[i], 0.0 if abandon is None else 1.0 - abandon[i])
        low = max(1, int(floor_share * offered) - 1)
        high = max(low, int(offered + 4.0 * np.sqrt(offered)) + 16)
        previous_misses = None
        while True:
            counts = np.arange(low, high + 1)
            m = _erlang_a_rows(arrival, mu, theta, counts, answer_s[i])
            misses = {
                "service_level": np.zeros(counts.size, bool) if sl is None else m.service_level < sl[i],
                "asa": np.zeros(counts.size, bool) if asa is None else m.asa_s > asa[i],
                "abandonment": np.zeros(counts.size, bool) if abandon is None else m.p_abandon > abandon[i],
                "occupancy": m.occupancy > occupancy_cap[i],
            }
            ok = ~np.logical_or.reduce(list(misses.values()))
            if ok.any():
                j = int(np.argmax(ok))
                agents[i] = counts[j]
                for col, value in zip(out, (m.service_level, m.asa_s, m.p_wait, m.occupancy, m.p_abandon)):
                    col[i] = value[j]
                if j > 0:
                    binding[i] = next(k for k, v in misses.items() if v[j - 1])
                elif previous_misses is not None:
                    binding[i] = previous_misses
                break
            previous_misses = next(k for k, v in misses.items() if v[-1])
            low, high = high + 1, 2 * high
    inverse = inverse.ravel()
    rep = first[inverse]
    return agents[rep], QueueMetrics(*(col[rep] for col in out)), binding[rep]
