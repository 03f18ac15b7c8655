"""Benchmark `govex synth`: time and peak memory at 100k and 1M customers, and a peer comparison.

The issue names no peer for synthetic data, so the peer is a naive per-customer Python loop
(the obvious way to simulate BG/NBD purchases and Gamma-Gamma spend with `random`), run on the
order process only at a small N beside govex's vectorised process at the same N. Both are
checked against the BG/NBD expectation of repeat purchases (Fader, Hardie & Lee 2005, eq. 7).

Each full-size run happens in a child process, which reports its own peak resident memory.

    python bench/synth.py [--sizes 100000 1000000] [--peer-customers 20000]
"""
from __future__ import annotations

import argparse
import json
import math
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy.special import hyp2f1

CHILD = """
import json, sys, time
sys.path.insert(0, sys.argv[3])
from child import peak_mb  # the child's own VmHWM: ru_maxrss would carry the parent's peak over exec
from govex.datasets.synth import synthesize
began = time.perf_counter()
files = synthesize(sys.argv[1], customers=int(sys.argv[2]), seed=0)
seconds = time.perf_counter() - began
truth = json.loads(open(sys.argv[1] + '/ground_truth.json').read())
print(json.dumps({'seconds': seconds, 'peak_mib': peak_mb(),
                  'orders': truth['row_counts']['orders'], 'contacts': truth['row_counts']['contacts']}))
"""


def run_full(customers: int) -> dict:
    with tempfile.TemporaryDirectory() as out:
        done = subprocess.run([sys.executable, "-c", CHILD, out, str(customers), str(Path(__file__).parent)], capture_output=True, text=True,
                              check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def naive_orders(customers: int, horizon: float, cfg, seed: int) -> list[tuple[int, float, float]]:
    """Per-customer loop: first purchase at sign-up, Poisson repeats while alive, dropout after each."""
    rnd = random.Random(seed)
    rows = []
    for customer in range(customers):
        signup = rnd.random() * (horizon - 14)
        lam = rnd.gammavariate(cfg.r, 1.0 / cfg.alpha)
        p = rnd.betavariate(cfg.a, cfg.b)
        nu = rnd.gammavariate(cfg.spend_q, 1.0 / cfg.spend_v)
        t = signup
        rows.append((customer, t, rnd.gammavariate(cfg.spend_p, 1.0 / nu)))
        while True:
            t += rnd.expovariate(lam)
            if t >= horizon:
                break
            rows.append((customer, t, rnd.gammavariate(cfg.spend_p, 1.0 / nu)))
            if rnd.random() < p:
                break
    return rows


def expected_repeats(exposure: np.ndarray, cfg) -> float:
    z = exposure / (cfg.alpha + exposure)
    ex = (cfg.a + cfg.b - 1) / (cfg.a - 1) * (1 - (cfg.alpha / (cfg.alpha + exposure)) ** cfg.r
                                             * hyp2f1(cfg.r, cfg.b, cfg.a + cfg.b - 1, z))
    return float(ex.mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--peer-customers", type=int, default=20_000)
    args = parser.parse_args()

    from govex.datasets.synth.config import SynthConfig
    from govex.datasets.synth.customers import simulate_customers

    rows = []
    for size in args.sizes:
        result = run_full(size)
        rows.append((f"govex synth (all tables) N={size:,}", result["seconds"], result["peak_mib"],
                     f"{result['orders']:,} orders, {result['contacts']:,} contacts"))

    n = args.peer_customers
    cfg = SynthConfig(customers=n, seed=1)
    horizon = float(cfg.horizon_days)
    began = time.perf_counter()
    sim = simulate_customers(np.random.default_rng(1), cfg)
    govex_s = time.perf_counter() - began
    began = time.perf_counter()
    loop_rows = naive_orders(n, horizon, cfg, seed=1)
    loop_s = time.perf_counter() - began
    if not loop_rows:
        raise SystemExit("peer produced no orders")
    govex_mean = sim.order_day.size / n - 1
    loop_mean = len(loop_rows) / n - 1
    # sign-ups differ (govex grows them linearly), so each is compared with its own expectation
    govex_exp = expected_repeats(sim.exposure_days, cfg)
    firsts = {}
    for customer, t, _ in loop_rows:
        firsts.setdefault(customer, t)
    loop_exp = expected_repeats(horizon - np.fromiter(firsts.values(), float), cfg)
    rows.append((f"govex order process N={n:,}", govex_s, math.nan,
                 f"repeats/customer {govex_mean:.3f} vs BG/NBD {govex_exp:.3f}"))
    rows.append((f"peer: per-customer Python loop N={n:,}", loop_s, math.nan,
                 f"repeats/customer {loop_mean:.3f} vs BG/NBD {loop_exp:.3f}"))

    print(f"{'run':<44} {'seconds':>9} {'peak MiB':>9}  result")
    for name, seconds, peak, note in rows:
        peak_text = f"{peak:9.0f}" if not math.isnan(peak) else f"{'-':>9}"
        print(f"{name:<44} {seconds:9.2f} {peak_text}  {note}")
    print(f"speed ratio (peer loop / govex, per customer, order process): {loop_s / govex_s:.1f}x")


if __name__ == "__main__":
    main()
