"""The benches' peers (hand-written DuckDB SQL, Polars, pandas) still compute govex's definitions:
each bench, run on a small data set, exits 0 only when every row of every peer equals govex's."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench"


def _identical(script: str, sides: list[str], *arguments: str) -> dict[str, int]:
    """Run a bench with govex and `sides`; the rows (or cells) each side had, all equal to govex's."""
    done = subprocess.run([sys.executable, str(BENCH / script), "--repeat", "1", "--sides", ",".join(["govex", *sides]),
                           *arguments], capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    found = dict(re.findall(r"govex vs (\S+): identical: ([\d,]+)", done.stdout))
    assert sorted(found) == sorted(sides), done.stdout
    return {side: int(n.replace(",", "")) for side, n in found.items()}


def test_seller_feature_peers_give_every_seller_govex_s_segments_scores_and_reasons():
    rows = _identical("seller_features.py", ["duckdb-sql", "polars", "pandas"], "--sellers", "400", "--orders", "30000")
    # four frameworks, one row per seller in scope (onboarded by the as-of date: most of the 400)
    assert all(n % 4 == 0 and 4 * 300 < n <= 4 * 400 for n in rows.values()), rows


def test_metric_cube_peers_give_govex_s_cells():
    cells = _identical("metric_cube_peers.py", ["duckdb-sql", "polars"], "--customers", "500")
    assert len(set(cells.values())) == 1 and min(cells.values()) > 0, cells
