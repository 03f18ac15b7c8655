"""How numbers read in a report: by unit, never 'nan' or 'None'.

The unit strings are those of the metric catalogue ("share of contacts", "money per order",
"points (1-5)", "seconds"); shares print as percentages (differences as percentage points) and
money carries the reporting currency.
"""
from __future__ import annotations

import math

MISSING = "n/a"
# plural nouns a count is read in: "1,204 orders", "1 order" (see `counted`)
COUNT_UNITS = ("orders", "customers", "contacts", "disputes", "chargebacks", "cases", "returns", "decisions", "promises",
               "sellers", "surveys", "journeys", "segments", "plays", "combinations", "KPIs")

# 0-100 scores read to one decimal, as their tables print them: a score bare, a change of it in points
SCORES = {"health score": "", "health points": " health points"}


def is_share(unit: str) -> bool:
    return unit.startswith("share") or unit in ("percent", "%")


def is_money(unit: str) -> bool:
    return unit.startswith("money") or unit.startswith("cost")


def _whole(value: float, signed: bool) -> str:
    """A whole count; one that rounds to zero carries no sign."""
    if round(value) == 0:
        return "0"
    return f"{value:{'+' if signed else ''},.0f}"


def _magnitude(value: float, *, signed: bool) -> str:
    """Three significant figures for small values, thousands separators for large ones."""
    sign = "+" if signed and value > 0 else ""
    size = abs(value)
    if size >= 1000:
        return f"{sign}{value:,.0f}"
    if size >= 100:
        return f"{sign}{value:,.1f}"
    if size >= 1 or size == 0:
        return f"{sign}{value:,.2f}"
    if size < 0.0005:  # rounds to zero at three decimals: no sign, no digits that mean nothing
        return "0"
    return f"{sign}{value:.3f}".rstrip("0")


def format_number(value: float | None, unit: str, *, currency: str = "", signed: bool = False) -> str:
    """A value as a reader sees it, e.g. 12.3%, +1.2 pp, 24.92 USD per order, 4.14 points (1-5)."""
    if value is None or not math.isfinite(float(value)):
        return MISSING
    value = float(value)
    if is_share(unit):
        if signed:
            if round(100 * value, 1) == 0:
                return "0.0 pp"  # no sign on a change that rounds to zero
            return f"{'+' if value > 0 else ''}{100 * value:.1f} pp"
        return f"{100 * value:.1f}%"
    if is_money(unit):
        rest = unit.split(" ", 1)[1] if " " in unit else ""
        money = f"{_magnitude(value, signed=signed)} {currency}".rstrip()
        return f"{money} {rest}".rstrip()
    if unit in SCORES:
        return format_plain(value, digits=1, signed=signed) + SCORES[unit]
    if per_order_count(unit):  # 0.00498 disputes per order reads badly: 4.98 disputes per 1,000 orders
        return format_number(1000 * value, per_thousand(unit), signed=signed)
    if " per " not in unit and unit.split(" ")[-1] in COUNT_UNITS:
        return counted(value, unit, signed=signed)
    if unit == "count":
        return _whole(value, signed)
    if unit == "":
        return _magnitude(value, signed=signed)
    return f"{_magnitude(value, signed=signed)} {unit}"


def unit_words(unit: str, currency: str = "") -> str:
    """A unit as a table's unit column reads it, so each cell is a bare number: 'contacts per 1,000
    orders', 'USD per order'; '' for shares (their cells keep a short % or pp) and plain counts."""
    if is_share(unit):
        return ""
    return format_number(2.0, unit, currency=currency).partition(" ")[2]


def bare_cell(text: str, words: str) -> str:
    """A formatted number without the unit its column names: '4.15 points (1-5)' -> '4.15'."""
    return text.removesuffix(f" {words}") if words else text


def counted(value: float, noun: str, *, signed: bool = False) -> str:
    """A whole count and its noun, given in the plural: '1,204 orders', but '1 order' (one helper, so no
    sentence reads '1 orders')."""
    whole = _whole(value, signed)
    return f"{whole} {singular(noun) if whole.lstrip('+-') == '1' else noun}"


def singular(noun: str) -> str:
    """'missed promises' -> 'missed promise', 'categories' -> 'category' (the nouns counted in reports)."""
    if noun.endswith("ies"):
        return noun[:-3] + "y"
    return noun.removesuffix("s")


def per_order_count(unit: str) -> bool:
    """Events per order (contacts, disputes, cases): small rates, read per 1,000 orders."""
    return unit.endswith(" per order") and not is_money(unit) and not unit.startswith("hours")


def format_interval(low: float, high: float, unit: str, *, currency: str = "", signed: bool = False) -> str:
    """'175 to 194 contacts per 1,000 orders' rather than the unit twice."""
    lo = format_number(low, unit, currency=currency, signed=signed)
    hi = format_number(high, unit, currency=currency, signed=signed)
    lo_head, _, lo_rest = lo.partition(" ")
    hi_head, _, hi_rest = hi.partition(" ")
    return f"{lo_head} to {hi}" if lo_rest == hi_rest else f"{lo} to {hi}"


def bare_number(value: float | None, unit: str, *, currency: str = "", signed: bool = False) -> str:
    """The number as `format_number` writes it, without its unit: '+6.5' (pp), '184.0' (contacts per
    1,000 orders), for a place whose header or label names the unit."""
    return format_number(value, unit, currency=currency, signed=signed).partition(" ")[0]


def interval_after(low: float, high: float, unit: str, *, currency: str = "", signed: bool = False) -> str:
    """An interval after a value that names its unit: the ends bare ('-24.40 to -6.04'); a share's
    short pp or % kept ('+1.7 to +6.0 pp')."""
    if is_share(unit):
        return format_interval(low, high, unit, currency=currency, signed=signed)
    return " to ".join(bare_number(v, unit, currency=currency, signed=signed) for v in (low, high))


def display_scale(unit: str, currency: str = "") -> tuple[float, str]:
    """(factor, axis label) so a chart reads in the same scale as the text: % for shares, per 1,000 orders."""
    if is_share(unit):
        return 100.0, f"% ({unit.removeprefix('share of ')})"
    if per_order_count(unit):
        return 1000.0, per_thousand(unit)
    if is_money(unit) and currency:
        return 1.0, unit.replace("money", currency, 1)
    return 1.0, unit


def per_thousand(unit: str) -> str:
    """'disputes per order' -> 'disputes per 1,000 orders'."""
    head, base = unit.split(" per ", 1)
    return f"{head} per 1,000 {base if base.endswith('s') else base + 's'}"


def readable(code: object) -> str:
    """A code name as prose: 'fast_lane' -> 'fast lane' (tier, journey, reason and type names)."""
    return str(code).replace("_", " ")


def format_plain(value: float | None, *, digits: int = 2, signed: bool = False) -> str:
    """A bare number for table cells (units in the column header)."""
    if value is None or not math.isfinite(float(value)):
        return MISSING
    return f"{float(value):{'+' if signed else ''},.{digits}f}"


def format_percent(value: float | None, *, digits: int = 1, signed: bool = False) -> str:
    if value is None or not math.isfinite(float(value)):
        return MISSING
    return f"{100 * float(value):{'+' if signed else ''}.{digits}f}%"
