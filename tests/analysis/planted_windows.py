"""The months to compare for a planted event: three baseline months before it, and the months it covers."""
from __future__ import annotations

import pandas as pd


def event_months(event: dict) -> tuple[list[pd.Timestamp], list[pd.Timestamp]]:
    """Three baseline months before the event's first month, and the months it fully covers (else the one it covers most)."""
    start, end = pd.Timestamp(event["start"]), pd.Timestamp(event["end_exclusive"])
    first = start.to_period("M")
    months = pd.period_range(first, (end - pd.Timedelta(days=1)).to_period("M"), freq="M")
    covered = {m: min(end, m.end_time) - max(start, m.start_time) for m in months}
    full = [m.start_time for m in months if m.start_time >= start and m.end_time < end]
    return [(first - k).start_time for k in (3, 2, 1)], full or [max(covered, key=covered.get).start_time]
