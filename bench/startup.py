"""Start-up time of `govex plan staff` (Erlang C and Erlang A) beside `govex --help`.

Each command is a fresh process (what a user waits for); the runs alternate so a busy machine
slows both sides alike, and the median of each is reported with the ratio to `govex --help`.
The issue's goal: any command that does not touch the warehouse answers within 2x of `--help`.

    .venv/bin/python bench/startup.py --runs 15
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

COMMANDS = {
    "govex --help": ["--help"],
    "plan staff (Erlang C)": ["plan", "staff", "--calls", "100", "--aht-s", "180", "--target-sl", "0.8"],
    "plan staff (Erlang A)": ["plan", "staff", "--calls", "100", "--aht-s", "180", "--target-sl", "0.8",
                              "--patience-s", "300", "--max-abandonment", "0.05"],
    "plan staff (patience 1e9 s)": ["plan", "staff", "--calls", "100", "--aht-s", "180", "--target-sl", "0.8",
                                    "--patience-s", "1e9"],
}


def _govex() -> list[str]:
    script = Path(sys.executable).with_name("govex")
    return [str(script)] if script.exists() else [shutil.which("govex") or "govex"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    exe = _govex()
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(args.runs):
        for name, argv in COMMANDS.items():
            start = time.perf_counter()
            subprocess.run(exe + argv, check=True, stdout=subprocess.DEVNULL)
            times[name].append(time.perf_counter() - start)
    base = statistics.median(times["govex --help"])
    print(f"{'command':<30}{'median s':>10}{'min s':>8}{'x --help':>10}   ({args.runs} alternating runs)")
    for name, runs in times.items():
        med = statistics.median(runs)
        print(f"{name:<30}{med:>10.3f}{min(runs):>8.3f}{med / base:>10.2f}")


if __name__ == "__main__":
    main()
