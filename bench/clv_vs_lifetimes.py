"""BG/NBD + Gamma-Gamma fits: govex against lifetimes 0.11.3 on one 1M-customer summary.

The summary is drawn with govex's simulators from the CDNOW parameters (Fader, Hardie & Lee
2005), with a realistic calendar: first purchases spread over the first 13 weeks of a 52-week
calibration year, ages and recencies at day resolution (in weeks). Both libraries fit the same
arrays in the same process:

- govex collapses the customers to their distinct (frequency, recency, T) rows itself;
- lifetimes fits every customer row (its documented usage), and, as a second reading, the same
  collapsed rows passed through its own `weights=` argument.

Times are wall-clock seconds; the CPU ratio (process CPU time) is the steadier figure on a
shared machine. Peak memory is the peak resident set size above the level before each fit,
sampled every 5 ms (allocations the allocator reuses without growing the process show as 0).
Run: python bench/clv_vs_lifetimes.py [--customers 1000000]
"""
from __future__ import annotations

import argparse
import threading
import time
from collections.abc import Callable

import numpy as np
import psutil

from govex.models import BetaGeo, GammaGamma, simulate_bgnbd, simulate_gamma_gamma

BGNBD_TRUTH = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
GAMMA_GAMMA_TRUTH = {"p": 6.25, "q": 3.74, "v": 15.44}


def build_summary(n_customers: int, seed: int = 7) -> dict[str, np.ndarray]:
    """1M customers' calibration summary in weeks at day resolution, with mean repeat spend."""
    rng = np.random.default_rng(seed)
    first_day = rng.integers(0, 91, n_customers)
    age_days = 364 - first_day
    data = simulate_bgnbd(n_customers=n_customers, **BGNBD_TRUTH, T=age_days / 7.0, seed=seed + 1)
    recency_days = np.minimum(np.round(data["recency"] * 7.0), age_days)
    spend = simulate_gamma_gamma(frequency=data["frequency"], **GAMMA_GAMMA_TRUTH, seed=seed + 2)
    spend = np.where(data["frequency"] > 0, np.maximum(np.round(spend, 2), 0.01), 0.0)
    return {"frequency": data["frequency"], "recency": recency_days / 7.0, "T": age_days / 7.0, "spend": spend}


def measure(run: Callable[[], dict[str, float]]) -> tuple[dict[str, float], float, float, float]:
    """Run once; return (parameters, wall seconds, CPU seconds, peak RSS above the start in MB)."""
    process = psutil.Process()
    baseline = process.memory_info().rss
    peak = [baseline]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], process.memory_info().rss)
            time.sleep(0.005)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    start, start_cpu = time.perf_counter(), time.process_time()
    params = run()
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - start_cpu
    done.set()
    sampler.join()
    peak[0] = max(peak[0], process.memory_info().rss)
    return params, seconds, cpu_seconds, (peak[0] - baseline) / 2**20


def max_relative_difference(ours: dict[str, float], theirs: dict[str, float]) -> float:
    return max(abs(ours[k] - theirs[k]) / abs(theirs[k]) for k in ours)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    args = parser.parse_args()

    # A missing peer is an error, not a skipped row.
    import lifetimes
    from lifetimes import BetaGeoFitter, GammaGammaFitter

    data = build_summary(args.customers)
    x, t_x, age, spend = data["frequency"], data["recency"], data["T"], data["spend"]
    repeat = x > 0
    rows, counts = np.unique(np.column_stack([x, t_x, age]), axis=0, return_counts=True)
    spend_rows, spend_counts = np.unique(np.column_stack([x[repeat], spend[repeat]]), axis=0, return_counts=True)
    print(f"{args.customers:,} customers ({int(repeat.sum()):,} with repeat purchases); "
          f"{len(rows):,} distinct (frequency, recency, T) rows; lifetimes {lifetimes.__version__}")

    def govex_bgnbd():
        return BetaGeo().fit(x, t_x, age).params_

    def govex_gamma_gamma():
        return GammaGamma().fit(x, spend).params_

    def lifetimes_bgnbd():
        return BetaGeoFitter().fit(x, t_x, age).params_.to_dict()

    def lifetimes_bgnbd_weighted():
        return BetaGeoFitter().fit(rows[:, 0], rows[:, 1], rows[:, 2], weights=counts).params_.to_dict()

    def lifetimes_gamma_gamma():
        return GammaGammaFitter().fit(x[repeat], spend[repeat]).params_.to_dict()

    def lifetimes_gamma_gamma_weighted():
        return GammaGammaFitter().fit(spend_rows[:, 0], spend_rows[:, 1], weights=spend_counts).params_.to_dict()

    cases = [
        ("BG/NBD", govex_bgnbd, "every row", lifetimes_bgnbd),
        ("BG/NBD", govex_bgnbd, "weights=", lifetimes_bgnbd_weighted),
        ("Gamma-Gamma", govex_gamma_gamma, "every row", lifetimes_gamma_gamma),
        ("Gamma-Gamma", govex_gamma_gamma, "weights=", lifetimes_gamma_gamma_weighted),
    ]
    header = (f"{'model':<12} {'lifetimes input':<16} {'govex s':>8} {'lifetimes s':>12} {'ratio':>7} "
              f"{'cpu ratio':>9} {'govex MB':>9} {'lifetimes MB':>13} {'max rel diff':>13}")
    lines = [header, "-" * len(header)]
    totals = {"govex": 0.0, "lifetimes": 0.0, "govex cpu": 0.0, "lifetimes cpu": 0.0}
    for model, ours, peer_input, theirs in cases:
        our_params, our_s, our_cpu, our_mb = measure(ours)
        their_params, their_s, their_cpu, their_mb = measure(theirs)
        if peer_input == "every row":
            for key, value in (("govex", our_s), ("lifetimes", their_s), ("govex cpu", our_cpu), ("lifetimes cpu", their_cpu)):
                totals[key] += value
        lines.append(
            f"{model:<12} {peer_input:<16} {our_s:>8.2f} {their_s:>12.2f} {their_s / our_s:>6.1f}x "
            f"{their_cpu / our_cpu:>8.1f}x {our_mb:>9.0f} {their_mb:>13.0f} "
            f"{max_relative_difference(our_params, their_params):>13.1e}"
        )
        print(f"  {model} ({peer_input}): govex {our_params}\n  {'':>{len(model)}} lifetimes {their_params}", flush=True)
    lines.append(
        f"{'BG/NBD+GG':<12} {'every row':<16} {totals['govex']:>8.2f} {totals['lifetimes']:>12.2f} "
        f"{totals['lifetimes'] / totals['govex']:>6.1f}x {totals['lifetimes cpu'] / totals['govex cpu']:>8.1f}x"
    )
    print("\n".join(lines))


if __name__ == "__main__":
    main()
