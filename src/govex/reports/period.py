"""The period a report covers: a quarter ('2025-Q4') or a month ('2025-10'), and the one before it."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from govex.errors import ConfigError

_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class ReportPeriod:
    """Grain ('quarter' or 'month'), first and last day, and a label such as 2025-Q4."""

    grain: str
    start: dt.date
    end: dt.date
    label: str

    def previous(self) -> "ReportPeriod":
        return period_containing(self.start - dt.timedelta(days=1), grain=self.grain)


def _month_end(year: int, month: int) -> dt.date:
    first_next = dt.date(year + month // 12, month % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)


def period_containing(day: dt.date, *, grain: str = "quarter") -> ReportPeriod:
    """The quarter or month that contains `day`."""
    if grain == "month":
        return ReportPeriod("month", day.replace(day=1), _month_end(day.year, day.month), f"{day:%Y-%m}")
    q = (day.month - 1) // 3
    start = dt.date(day.year, 3 * q + 1, 1)
    return ReportPeriod("quarter", start, _month_end(day.year, 3 * q + 3), f"{day.year}-Q{q + 1}")


def parse_period(text: str) -> ReportPeriod:
    """'2025-Q4' or '2025-10'; anything else is a ConfigError that shows both forms."""
    if m := _QUARTER.match(text.strip()):
        return period_containing(dt.date(int(m[1]), 3 * int(m[2]) - 2, 1), grain="quarter")
    if (m := _MONTH.match(text.strip())) and 1 <= int(m[2]) <= 12:
        return period_containing(dt.date(int(m[1]), int(m[2]), 1), grain="month")
    raise ConfigError(f"report period {text!r} is not a quarter like 2025-Q4 or a month like 2025-10")
