"""Root-cause localisation: govex against re-implemented published methods, per benchmark family.

Families (govex.datasets.rca_cubes.FAMILIES): the synthetic "S" and "L" settings of RiskLoc
(Kalander 2022), Squeeze-style "B" cases (Li et al. 2019, 4 dimensions, 21,600 leaves), a
derived ratio measure with noise on numerator and denominator (PSqueeze-style), and govex's own
additive and ratio generators. Score: micro F1 of exact element sets, summed over the cases of a
family, as the papers score; time per case. The reference methods are in bench/rca_references.py.
Then the speed of govex on a 21,600-leaf x 4-dimension case and on 1M leaves x 6 dimensions.

Usage: python bench/rca.py [--cases 50] [--seed 7] [--families "RiskLoc S,Squeeze B"] [--no-speed]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from govex.analysis.rca import localize_root_causes
from govex.datasets.rca_cubes import FAMILIES, PlantedCube, generate_family, root_cause_f1

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rca_references import REFERENCES  # noqa: E402


def govex(cube: PlantedCube, redraws: int = 10) -> list[dict[str, str]]:
    """As the CLI runs it: causes found in at least half of the noise redraws (fewer redraws: 10)."""
    result = localize_root_causes(cube.frame, dims=cube.dims, actual=cube.actual, expected=cube.expected,
                                  actual_den=cube.actual_den, expected_den=cube.expected_den,
                                  stability_runs=redraws, min_stability=0.5)
    return [c.dims for c in result.root_causes]


def govex_single(cube: PlantedCube) -> list[dict[str, str]]:
    """One search, no redraws (the Python default)."""
    return govex(cube, redraws=0)


METHODS = {"govex": govex, "govex single search": govex_single, **REFERENCES}


def score_family(cubes: list[PlantedCube], methods: dict) -> list[dict]:
    rows = []
    for name, method in methods.items():
        times, predictions = [], []
        for cube in cubes:
            start = time.perf_counter()
            predictions.append(method(cube))
            times.append(time.perf_counter() - start)
        s = root_cause_f1(predictions, [c.causes for c in cubes])
        rows.append({"method": name, "F1": round(s["f1"], 3), "precision": round(s["precision"], 3),
                     "recall": round(s["recall"], 3), "median s/case": round(float(np.median(times)), 3),
                     "max s/case": round(float(np.max(times)), 3)})
    return rows


def _speed_case(cards: dict[str, int], seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    grid = np.indices(list(cards.values())).reshape(len(cards), -1)
    frame = pd.DataFrame({d: grid[j].astype(str) for j, d in enumerate(cards)})
    f = rng.weibull(0.7, len(frame)) * 100
    v = f * (1 + rng.normal(0, 0.1, len(frame)))
    v[(grid[0] == 3) & (grid[2] == 7)] *= 0.4
    return frame.assign(actual=v, expected=f)


def speed(seed: int) -> None:
    for cards in ({"a": 10, "b": 24, "c": 10, "d": 9}, {"a": 10, "b": 10, "c": 10, "d": 10, "e": 10, "f": 10}):
        frame = _speed_case(cards, seed)
        runs = []
        for _ in range(3 if len(frame) < 100_000 else 1):
            start = time.perf_counter()
            result = localize_root_causes(frame, dims=list(cards), actual="actual", expected="expected")
            runs.append(time.perf_counter() - start)
        found = [c.label() for c in result.root_causes]
        print(f"{len(frame):,} leaves x {len(cards)} dims: best of {len(runs)} = {min(runs):.3f} s, "
              f"found {found} (planted a=3 & c=7)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=50, help="cases per family")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--families", default=",".join(FAMILIES))
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--no-speed", action="store_true")
    args = parser.parse_args()
    methods = {m: METHODS[m] for m in args.methods.split(",")}
    table = []
    for family in args.families.split(","):
        cubes = generate_family(family, args.cases, seed=args.seed)
        n_causes = sum(len(c.causes) for c in cubes)
        for row in score_family(cubes, methods):
            table.append({"family": family, "cases": len(cubes), "causes": n_causes, **row})
        print(pd.DataFrame([r for r in table if r["family"] == family]).to_string(index=False), flush=True)
    wide = pd.DataFrame(table).pivot(index="family", columns="method", values="F1")
    print("\nF1 by family (rows) and method (columns):")
    print(wide.reindex(index=args.families.split(","), columns=list(methods)).to_string())
    if not args.no_speed:
        print()
        speed(args.seed)


if __name__ == "__main__":
    main()
