"""External benchmarks held against internal KPIs: gap to the peer median, position and freshness.

A benchmarks file (CSV, or YAML with a `benchmarks:` list) has one row per source, metric and
period: ``source, metric, value, unit, period, date, url, notes``. `metric` is a catalogue
metric and `unit` must be that metric's unit, so a figure quoted per 100 orders is not compared
with one per order. `date` is when the figure was published or observed; figures older than
`stale_after_days` are flagged, not dropped.

Position counts the internal value among the peers in the metric's better direction (1 = best);
ties go to the internal value. The shipped example file is ILLUSTRATIVE: fictitious peers and
invented values that only show the format.
"""
from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from govex.errors import BenchmarkError, ConfigError, Issue, IssueLevel, Location
from govex.metrics import Catalogue

ILLUSTRATIVE_BENCHMARKS = Path(__file__).parent / "data" / "benchmarks_illustrative.csv"
BENCHMARK_COLUMNS = ("source", "metric", "value", "unit", "period", "date", "url", "notes")
REQUIRED = ("source", "metric", "value", "unit", "date")
STALE_AFTER_DAYS = 365


def _read_rows(path: Path) -> tuple[pd.DataFrame, list[int]]:
    """The rows as strings and the file line of each (comments and blank lines skipped)."""
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() in (".yaml", ".yml"):
        loaded = yaml.safe_load(text) or {}
        rows = loaded.get("benchmarks") if isinstance(loaded, dict) else None
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise BenchmarkError([Issue(IssueLevel.ERROR, "expected a top-level `benchmarks:` list of mappings",
                                        Location(file=str(path), line=1))])
        lines = [i + 1 for i, line in enumerate(text.splitlines()) if line.lstrip().startswith("- ")]
        frame = pd.DataFrame(rows).astype("string")
        return frame, (lines + [0] * len(frame))[: len(frame)]
    data_lines = [i + 1 for i, line in enumerate(text.splitlines()) if line.strip() and not line.lstrip().startswith("#")]
    frame = pd.read_csv(io.StringIO(text), comment="#", dtype=str, keep_default_na=False, skip_blank_lines=True)
    return frame, data_lines[1: len(frame) + 1]


def load_benchmarks(path: str | Path = ILLUSTRATIVE_BENCHMARKS, *, catalogue: Catalogue | None = None) -> pd.DataFrame:
    """Read and check a benchmarks file; one error lists every bad row with its line."""
    from govex.metrics.compute import shipped_catalogue

    catalogue = catalogue or shipped_catalogue()
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"benchmarks file {path} not found; pass a CSV or YAML with columns {', '.join(BENCHMARK_COLUMNS)}")
    frame, lines = _read_rows(path)
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise BenchmarkError([Issue(IssueLevel.ERROR, f"missing column(s) {', '.join(missing)}; expected "
                                    f"{', '.join(BENCHMARK_COLUMNS)} (found {', '.join(frame.columns)})",
                                    Location(file=str(path), line=1))])
    for column in BENCHMARK_COLUMNS:
        if column not in frame.columns:
            frame[column] = ""
    frame = frame[list(BENCHMARK_COLUMNS)].fillna("")
    issues: list[Issue] = []
    values, dates = [], []
    for (_, row), line in zip(frame.iterrows(), lines):
        where = Location(file=str(path), line=line or None)
        for column in REQUIRED:
            if not str(row[column]).strip():
                issues.append(Issue(IssueLevel.ERROR, f"empty {column!r}", where))
        value = pd.to_numeric(row["value"], errors="coerce")
        if str(row["value"]).strip() and not np.isfinite(value):
            issues.append(Issue(IssueLevel.ERROR, f"value {row['value']!r} is not a number", where))
        date = pd.to_datetime(row["date"], errors="coerce", format="%Y-%m-%d")
        if str(row["date"]).strip() and pd.isna(date):
            issues.append(Issue(IssueLevel.ERROR, f"date {row['date']!r} is not YYYY-MM-DD", where))
        metric = str(row["metric"])
        if metric and metric not in catalogue:
            issues.append(Issue(IssueLevel.ERROR, f"unknown metric {metric!r}; use a catalogue metric name", where))
        elif metric and str(row["unit"]) != catalogue[metric].unit:
            issues.append(Issue(IssueLevel.ERROR, f"unit {row['unit']!r} does not match metric {metric!r}, which is in "
                                f"{catalogue[metric].unit!r}; convert the figure", where))
        values.append(float(value) if np.isfinite(value) else np.nan)
        dates.append(None if pd.isna(date) else date.date())
    if issues:
        raise BenchmarkError(issues)
    frame["value"] = np.array(values, dtype="float64")
    frame["date"] = dates
    frame["line"] = lines
    return frame


def benchmark_position(
    benchmarks: pd.DataFrame,
    internal: Mapping[str, float],
    *,
    as_of: dt.date,
    catalogue: Catalogue | None = None,
    stale_after_days: int = STALE_AFTER_DAYS,
) -> pd.DataFrame:
    """One row per benchmarked metric with an internal value: gap to the peer median, position, freshness.

    Returns columns metric, internal, peers, peer_median, best_source, best_value, gap_to_median
    (internal - median), ahead (internal better than the median in the metric's direction),
    position (1 = best, among peers + internal), ranked, newest_date, oldest_age_days, stale_sources.
    """
    from govex.metrics.compute import shipped_catalogue

    catalogue = catalogue or shipped_catalogue()
    rows = []
    for metric, peers in benchmarks.groupby("metric", sort=False):
        ours = internal.get(metric)
        if ours is None or not np.isfinite(ours):
            continue
        higher = catalogue[metric].direction == "higher"
        values = peers["value"].to_numpy("float64")
        median = float(np.median(values))
        best = peers.loc[peers["value"].idxmax() if higher else peers["value"].idxmin()]
        better_peers = int((values > ours).sum() if higher else (values < ours).sum())
        ages = np.array([(as_of - d).days for d in peers["date"]])
        stale = peers.loc[ages > stale_after_days, "source"].tolist()
        rows.append({
            "metric": metric, "internal": float(ours), "peers": len(peers), "peer_median": median,
            "best_source": str(best["source"]), "best_value": float(best["value"]), "gap_to_median": float(ours) - median,
            "ahead": bool(ours > median if higher else ours < median), "position": better_peers + 1,
            "ranked": len(peers) + 1, "newest_date": max(peers["date"]), "oldest_age_days": int(ages.max()),
            "stale_sources": "; ".join(stale),
        })
    return pd.DataFrame(rows, columns=["metric", "internal", "peers", "peer_median", "best_source", "best_value",
                                       "gap_to_median", "ahead", "position", "ranked", "newest_date",
                                       "oldest_age_days", "stale_sources"])
