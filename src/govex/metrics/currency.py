"""Money in one reporting currency: each money amount times the rate valid on its row's date.

Money columns carry a currency (the row's `currency` column); a report adds amounts only after
converting them with `fx_rates` (currency, valid_from, rate_to_reporting). The rate of a row is
the one with the latest `valid_from` on or before the row's date, an as-of join. It is written as
a range join on validity intervals ``[valid_from, next valid_from)`` built with a ``lead()``
window, which DuckDB and Spark both run as an equi-join on currency with a range filter.

Without `fx_rates`, amounts are used as stored only when every money row is already in the
reporting currency; anything else is an error that names the currencies found and the fix.

References
----------
.. [1] ISO 4217, Codes for the representation of currencies (three-letter codes).
.. [2] IAS 21, The Effects of Changes in Foreign Exchange Rates, para. 21-22: a foreign-currency
   transaction is translated at the spot rate of the transaction date; an average rate for a
   period is an approximation when rates do not move much.
"""
from __future__ import annotations

import re
import ibis
import ibis.expr.types as ir
import pandas as pd

from govex.engine.warehouse import Warehouse
from govex.errors import ConfigError
from govex.metrics.expressions import column_refs

FX_TABLE = "fx_rates"
CURRENCY_COLUMN = "currency"
DEFAULT_REPORTING_CURRENCY = "USD"
RATE_COLUMN = "__rate"

# The contract's amounts: each of these tables also has `currency`, the code of its money columns.
MONEY_COLUMNS: dict[str, tuple[str, ...]] = {
    "orders": ("amount",),
    "disputes": ("amount",),
    "returns": ("refund_amount",),
    "staffing": ("planned_cost", "actual_cost"),
    "vendors": ("rate",),
}

# Per-cell check aggregates of a group that holds money measures (see `money_checks`).
MISSING_N, MISSING_CURRENCY, MISSING_DAY = "__fx_missing_n", "__fx_missing_currency", "__fx_missing_day"
LOWEST, HIGHEST = "__currency_lo", "__currency_hi"
_UNIT_WORD = re.compile(r"\bmoney\b")


class CurrencyError(ConfigError):
    """Money cannot be put in the reporting currency: rates are missing or currencies are mixed."""


def money_columns(table: str) -> tuple[str, ...]:
    return MONEY_COLUMNS.get(table, ())


def money_refs(text: str, table: str) -> list[str]:
    """The money columns an expression on `table` reads, as `table.column` labels (any table)."""
    labels = []
    for ref in column_refs(text):
        home = ref.table or table
        if ref.column in money_columns(home):
            labels.append(f"{home}.{ref.column}")
    return labels


def reads_own_money(text: str, table: str) -> bool:
    """Whether the expression reads a money column of its own table (the one the row's currency describes)."""
    return any(label.startswith(f"{table}.") for label in money_refs(text, table))


def in_currency(unit: str, code: str) -> str:
    """A unit with the word `money` replaced by the reporting currency code: 'money per order' -> 'USD per order'."""
    return _UNIT_WORD.sub(code, unit)


def check_code(code: str) -> str:
    if not re.fullmatch(r"[A-Z]{3}", code or ""):
        raise ConfigError(f"reporting currency {code!r} is not an ISO 4217 code; expected three capital letters such as USD")
    return code


def rate_intervals(warehouse: Warehouse) -> ir.Table:
    """fx_rates as disjoint validity intervals per currency: [__fx_from, __fx_to), open-ended last row."""
    fx = warehouse.table(FX_TABLE, purpose="reporting-currency conversion")
    valid_to = fx.valid_from.lead().over(ibis.window(group_by=fx.currency, order_by=fx.valid_from))
    return fx.select(__fx_currency=fx.currency, __fx_from=fx.valid_from, __fx_to=valid_to,
                     __fx_rate=fx.rate_to_reporting.cast("float64"))


def attach_rate(warehouse: Warehouse, table: ir.Table, time_column: str, reporting_currency: str) -> ir.Table:
    """`table` with `__rate`: the rate into the reporting currency valid on each row's date.

    A row already in the reporting currency has rate 1 unless fx_rates says otherwise; a row whose
    currency has no rate valid on its date gets a null rate (`money_checks` reports it).
    Without fx_rates every rate is 1 and `money_checks` verifies that nothing needed converting.
    """
    if not warehouse.has(FX_TABLE):
        return table.mutate(**{RATE_COLUMN: ibis.literal(1.0, type="float64")})
    fx = rate_intervals(warehouse)
    time_value = table[time_column]
    keyed = table.mutate(__fx_day=time_value if time_value.type().is_date() else time_value.date())
    day, start, stop = keyed["__fx_day"], fx["__fx_from"], fx["__fx_to"]
    joined = keyed.left_join(fx, [keyed[CURRENCY_COLUMN] == fx["__fx_currency"], day >= start, stop.isnull() | (day < stop)])
    same = ibis.ifelse(joined[CURRENCY_COLUMN] == reporting_currency, ibis.literal(1.0, type="float64"),
                       ibis.null("float64"))
    rate = ibis.coalesce(joined["__fx_rate"], same)
    return joined.mutate(**{RATE_COLUMN: rate}).drop("__fx_day", "__fx_currency", "__fx_from", "__fx_to", "__fx_rate")


def check_columns(table: ir.Table, money_row: ir.BooleanValue, day: ir.Value) -> dict[str, ir.Value]:
    """Row-level inputs of the checks, to carry through the group's select."""
    return {"__money": money_row, "__currency": table[CURRENCY_COLUMN], "__rate_missing": table[RATE_COLUMN].isnull(),
            "__day": day}


def money_checks(table: ir.Table) -> dict[str, ir.Value]:
    """Per-cell aggregates that show missing rates and which currencies the money rows hold."""
    money, currency = table["__money"], table["__currency"]
    missing = money & table["__rate_missing"]
    return {
        MISSING_N: ibis.ifelse(missing, 1, 0).sum(),
        MISSING_CURRENCY: currency.fill_null("(none)").min(where=missing),
        MISSING_DAY: table["__day"].min(where=missing),
        LOWEST: currency.min(where=money),
        HIGHEST: currency.max(where=money),
    }


def verify(warehouse: Warehouse, frame: pd.DataFrame, table: str, reporting_currency: str) -> None:
    """Raise CurrencyError when a group's money could not all be put in the reporting currency."""
    if MISSING_N not in frame:
        return
    missing = frame[frame[MISSING_N] > 0]
    if len(missing):
        first = missing.sort_values(MISSING_DAY).iloc[0]
        currencies = sorted(set(missing[MISSING_CURRENCY].dropna()))
        raise CurrencyError(
            f"{int(missing[MISSING_N].sum()):,} money row(s) of {table} have no rate into {reporting_currency} "
            f"(currencies {', '.join(currencies)}; e.g. {first[MISSING_CURRENCY]} on {pd.Timestamp(first[MISSING_DAY]).date()}): "
            f"add fx_rates rows (currency, valid_from, rate_to_reporting) with a valid_from on or before each such date")
    if warehouse.has(FX_TABLE):
        return
    seen = set(frame[LOWEST].dropna()) | set(frame[HIGHEST].dropna())
    if seen and seen != {reporting_currency}:
        found = _currencies(warehouse, table) or sorted(seen)
        if len(found) > 1:
            raise CurrencyError(
                f"money rows of {table} are in {len(found)} currencies ({', '.join(found)}) and the warehouse has no "
                f"{FX_TABLE} table: load {FX_TABLE} (currency, valid_from, rate_to_reporting into {reporting_currency}) "
                "so amounts can be converted before they are added")
        raise CurrencyError(
            f"money rows of {table} are all in {found[0]} but the reporting currency is {reporting_currency} and the "
            f"warehouse has no {FX_TABLE} table: set `reporting_currency: {found[0]}` in govex.yaml (or --currency "
            f"{found[0]}), or load {FX_TABLE} to convert into {reporting_currency}")


def _currencies(warehouse: Warehouse, table: str) -> list[str]:
    """Every currency code on the table's rows (only run to word an error)."""
    rows = warehouse.table(table)
    codes = rows.filter(rows[CURRENCY_COLUMN].notnull()).select(code=rows[CURRENCY_COLUMN]).distinct()
    return sorted(codes.to_pandas()["code"].tolist())


