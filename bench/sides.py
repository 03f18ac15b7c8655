"""The sides of a peer bench (govex first, then its peers): chosen on the command line, run in
alternated rounds, and how their cost grows with the size of the data."""
from __future__ import annotations

import os
from collections.abc import Callable, Iterable

import numpy as np


def chosen(text: str, known: Iterable[str]) -> list[str]:
    """The comma-separated sides of `--sides`: govex first (every other side is compared with it)."""
    sides, known = text.split(","), list(known)
    if sides[0] != "govex" or not set(sides) <= set(known):
        raise SystemExit(f"--sides: govex first, then any of {', '.join(known)}")
    return sides


def alternated(sides: list[str], repeat: int, run: Callable[[str], dict]) -> dict[str, list[dict]]:
    """Every side `repeat` times, the order reversed every round, so load from other processes falls on all alike."""
    runs: dict[str, list[dict]] = {side: [] for side in sides}
    for round_ in range(repeat):
        for side in (sides if round_ % 2 == 0 else sides[::-1]):
            runs[side].append(run(side))
    return runs


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def exponent(sizes: list[int], values: list[float]) -> float:
    """Least-squares slope of log(value) on log(size): cost grows like size ** slope."""
    return float(np.polyfit(np.log(sizes), np.log(values), 1)[0])


def print_growth(sizes: list[int], table: dict[str, list[dict]]) -> None:
    """Per side, seconds and peak MB at each size and the growth exponents of both."""
    head = "".join(f"{f'{n:,}':>22}" for n in sizes)
    print(f"\n{'side':<12}{head}{'time exponent':>15}{'memory exponent':>17}")
    for side, rows in table.items():
        cells = "".join(f"{'%.2f s %.0f MB' % (r['seconds'], r['peak_mb']):>22}" for r in rows)
        print(f"{side:<12}{cells}{exponent(sizes, [r['seconds'] for r in rows]):>15.2f}"
              f"{exponent(sizes, [r['peak_mb'] for r in rows]):>17.2f}")
