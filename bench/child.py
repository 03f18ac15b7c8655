"""One measured step in a child process of its own: the step's seconds and peak memory, not its parent's.

The bench runs `python <script> <child arguments>` through `run_child`; the script's child branch
calls `measured(step)`, which prints one marked JSON line that `run_child` reads back.

Peak memory is the child's VmHWM. Not ru_maxrss: Linux carries the parent's peak over fork and exec,
so a child started by a parent holding 600 MB reports 600 MB however little it uses itself.
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

MARK = "MEASURED "


def peak_mb() -> float:
    """This process's own peak resident memory (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status (the benches measure memory on Linux)")


def measured(step: Callable[[], dict | None]) -> None:
    """Run `step` (imports done before) and print its result with its seconds and peak memory."""
    start = time.perf_counter()
    result = step() or {}
    print(MARK + json.dumps({**result, "seconds": time.perf_counter() - start, "peak_mb": peak_mb()}), flush=True)


def run_child(arguments: list[str], what: str) -> dict:
    """`python *arguments` to its end; the measured line it printed, or exit naming `what` with its output."""
    done = subprocess.run([sys.executable, *arguments], capture_output=True, text=True)
    lines = [line for line in done.stdout.splitlines() if line.startswith(MARK)]
    if done.returncode != 0 or not lines:
        raise SystemExit(f"{what} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return json.loads(lines[-1].removeprefix(MARK))
