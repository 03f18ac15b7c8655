"""Benchmark: size 10,000 half-hour intervals with govex vs pyworkforce 0.5.1's ErlangC, same run.

Workload: 5 to 2,000 contacts per 30 minutes, AHT 3-8 minutes (whole seconds), target 80 % answered
within 20 s, occupancy cap 85 %, shrinkage 30 %. Prints one table (time, peak memory, ratio,
agreement) and then every interval where the two disagree, with the exact arithmetic that decides
which count is right.

Run: python bench/staffing.py [--intervals 10000] [--seed 7]
"""
from __future__ import annotations

import argparse
import time
import tracemalloc
from fractions import Fraction

import numpy as np

from govex.planning import staff_intervals

try:
    from pyworkforce.queuing import ErlangC
except ImportError as exc:  # a missing peer is an error, not a skipped row
    raise SystemExit(f"pyworkforce is required for this benchmark (pip install pyworkforce==0.5.1): {exc}")

INTERVAL_S, ANSWER_S, TARGET, CAP, SHRINKAGE = 1800, 20, 0.8, 0.85, 0.3


def make_intervals(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    calls = rng.integers(5, 2001, size=n).astype(np.float64)
    aht_s = rng.integers(180, 481, size=n).astype(np.float64)
    return calls, aht_s


def run_govex(calls, aht_s):
    return staff_intervals(
        calls=calls, interval_s=INTERVAL_S, handle_time_s=aht_s, answer_s=ANSWER_S,
        target_service_level=TARGET, max_occupancy=CAP, shrinkage=SHRINKAGE,
    )


def run_pyworkforce(calls, aht_s):
    raw, gross = np.zeros(calls.size, dtype=np.int64), np.zeros(calls.size, dtype=np.int64)
    for i, (c, h) in enumerate(zip(calls, aht_s)):
        out = ErlangC(transactions=c, aht=h / 60, asa=ANSWER_S / 60, interval=INTERVAL_S / 60,
                      shrinkage=SHRINKAGE).required_positions(TARGET, max_occupancy=CAP)
        raw[i], gross[i] = out["raw_positions"], out["positions"]
    return raw, gross


def timed(fn, *args, repeat: int):
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn(*args)
        best = min(best, time.perf_counter() - t0)
    tracemalloc.start()
    fn(*args)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return result, best, peak


def explain(i: int, calls, aht_s, ours, pw_raw, ours_gross, pw_gross, sl) -> str:
    """Exact-rational reason for one disagreement."""
    load = Fraction(int(calls[i]) * int(aht_s[i]), INTERVAL_S)
    cap, keep = Fraction(85, 100), 1 - Fraction(30, 100)
    lines = [f"  interval {i}: calls={int(calls[i])} aht_s={int(aht_s[i])} A={load} ({float(load):.4f} Erlangs)"]
    if ours[i] != pw_raw[i]:
        need = load / cap
        lines.append(
            f"    raw agents govex {ours[i]} vs pyworkforce {pw_raw[i]}: A/0.85 = {need} exactly, so {ours[i]} agents "
            f"run at occupancy {load / ours[i]} = {float(load / ours[i]):.6f} <= 0.85 with SL {sl[i]:.5f} >= 0.8; "
            f"pyworkforce takes ceil of its float {float((calls[i] / 30) * (aht_s[i] / 60) / 0.85)!r}"
        )
    if ours[i] != pw_raw[i]:
        lines.append(f"    with 30% shrinkage govex {ours_gross[i]} vs pyworkforce {pw_gross[i]} (follows from the raw count)")
    elif ours_gross[i] != pw_gross[i]:
        lines.append(
            f"    with 30% shrinkage govex {ours_gross[i]} vs pyworkforce {pw_gross[i]}: {ours[i]} / 0.7 = "
            f"{Fraction(int(ours[i])) / keep} exactly; pyworkforce takes ceil of the float {int(ours[i]) / (1 - 0.3)!r}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--intervals", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    calls, aht_s = make_intervals(args.intervals, args.seed)

    ours, t_ours, mem_ours = timed(run_govex, calls, aht_s, repeat=5)
    (pw_raw, pw_gross), t_pw, mem_pw = timed(run_pyworkforce, calls, aht_s, repeat=1)

    raw_diff = np.flatnonzero(ours.agents != pw_raw)
    gross_diff = np.flatnonzero(ours.agents_with_shrinkage != pw_gross)
    n = args.intervals
    print(f"sizing {n:,} intervals (5-2,000 contacts/30 min, AHT 180-480 s, 80/20, occupancy cap 85%, shrinkage 30%)")
    print(f"{'tool':<24}{'time_s':>10}{'peak_MiB':>10}{'raw agents agree':>18}{'with shrinkage agree':>22}")
    print(f"{'govex staff_intervals':<24}{t_ours:>10.4f}{mem_ours / 2**20:>10.1f}{'-':>18}{'-':>22}")
    print(
        f"{'pyworkforce 0.5.1':<24}{t_pw:>10.4f}{mem_pw / 2**20:>10.1f}"
        f"{f'{n - raw_diff.size}/{n}':>18}{f'{n - gross_diff.size}/{n}':>22}"
    )
    print(f"speed ratio (pyworkforce time / govex time): {t_pw / t_ours:.1f}x")

    shown = 8
    print(f"\nraw agent counts differ in {raw_diff.size} intervals "
          f"(pyworkforce below govex in {int(np.sum(pw_raw[raw_diff] < ours.agents[raw_diff]))}):")
    for i in raw_diff:
        print(explain(int(i), calls, aht_s, ours.agents, pw_raw, ours.agents_with_shrinkage, pw_gross,
                      ours.metrics.service_level))
    only_gross = np.setdiff1d(gross_diff, raw_diff)
    print(f"\nagents with shrinkage differ (same raw count) in {only_gross.size} more intervals; first {shown}:")
    for i in only_gross[:shown]:
        print(explain(int(i), calls, aht_s, ours.agents, pw_raw, ours.agents_with_shrinkage, pw_gross,
                      ours.metrics.service_level))

if __name__ == "__main__":
    main()
